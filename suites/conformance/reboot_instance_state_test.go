package conformance_test

import (
	"fmt"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/suites/internal/labels"
	"github.com/rebootconf/rebootconf/suites/internal/rig"
)

// clients are the two ways every check sends its request.
var clients = []string{rig.ClientRaw, rig.ClientLegacy}

var wrongStatusRows = contract.RowsFor(contract.CondWrongStatus)

var _ = Describe("RebootInstance state", func() {
	It("accepts a reboot of a Running instance, which passes through Starting and is Running again within the bound",
		labels.For("RI-STATE-001", "RI-STATE-002", "RI-STATE-003", "RI-STATE-004"), func(ctx SpecContext) {
			id := rg.Provision(ctx, target.InstanceSpec{})
			for _, c := range clients {
				By("rebooting through the " + c + " client")
				o := rg.Send(ctx, c, rig.Reboot{InstanceID: id})
				o.Expect(contract.CheckSuccess(o.Response, protocol.FormatJSON))
				rg.WatchReboot(ctx, id, nil)
			}
		})

	DescribeTable("refuses to reboot an instance that is not Running",
		func(ctx SpecContext, status string, b contract.Behaviour) {
			if held, _ := rg.CanHold(ctx); !held && status != contract.StatusStopped {
				probeTransient(ctx, status, b)
				return
			}
			id := rg.Provision(ctx, target.InstanceSpec{Status: status})
			rg.Both(ctx, rig.Reboot{InstanceID: id}).Expect(func(r *protocol.Response) error {
				return contract.CheckErrorAny(r, wrongStatusRows...)
			})
			if status == contract.StatusStopped {
				rg.Unchanged(ctx, b, id, status)
			}
		},
		Entry("Stopped", labels.For("RI-STATE-005"), contract.StatusStopped, contract.MustLookup("RI-STATE-005")),
		Entry("Starting", labels.For("RI-STATE-006"), contract.StatusStarting, contract.MustLookup("RI-STATE-006")),
		Entry("Stopping", labels.For("RI-STATE-007"), contract.StatusStopping, contract.MustLookup("RI-STATE-007")),
		Entry("Pending", labels.For("RI-STATE-008"), contract.StatusPending, contract.MustLookup("RI-STATE-008")),
	)

	It("changes no other instance while rebooting one", labels.For("RI-STATE-009"), func(ctx SpecContext) {
		id := rg.Provision(ctx, target.InstanceSpec{})
		bystanders := map[string]string{
			rg.Provision(ctx, target.InstanceSpec{}):                               contract.StatusRunning,
			rg.Provision(ctx, target.InstanceSpec{Status: contract.StatusStopped}): contract.StatusStopped,
		}
		for _, c := range clients {
			By("rebooting through the " + c + " client")
			o := rg.Send(ctx, c, rig.Reboot{InstanceID: id})
			o.Expect(contract.CheckSuccess(o.Response, protocol.FormatJSON))
			rg.WatchReboot(ctx, id, bystanders)
		}
	})

	It("accepts exactly one of several reboots sent at once", labels.For("RI-STATE-010"), func(ctx SpecContext) {
		b := contract.MustLookup("RI-STATE-010")
		id := rg.Provision(ctx, target.InstanceSpec{})
		// A correct target whose reboot finishes within the burst may accept
		// a second reboot: the instance was Running again. Holding the first
		// reboot in its transient status makes "exactly one" a fair demand
		// whatever the target's speed.
		// Without a hold, a reboot's known duration judges the burst (contract.CheckSingleAccept).
		release, held, why := rg.Hold(ctx, id)
		if !held {
			rg.Calibrate(ctx, id)
		}
		judge := rg.MinDwell()
		t0 := time.Now()
		outs := burst(ctx, id, []string{rig.ClientRaw, rig.ClientLegacy, rig.ClientRaw, rig.ClientLegacy})
		span := time.Since(t0)
		release()
		accepted := 0
		for _, o := range outs {
			Expect(rig.Readable(o.Err)).To(Succeed(), "via the %s client\n%s", o.Client, o.Transcript)
			Expect(o.Response).NotTo(BeNil(), "via the %s client: no response", o.Client)
			if o.Response.Status == 200 {
				accepted++
				o.Expect(contract.CheckSuccess(o.Response, protocol.FormatJSON))
				continue
			}
			o.Expect(contract.CheckErrorAny(o.Response, wrongStatusRows...))
		}
		Expect(accepted).To(BeNumerically(">=", 1), "%s: accepted reboots of a Running instance out of %d sent at once", b, len(outs))
		switch judged, err := contract.CheckSingleAccept(b, accepted, span, judge); {
		case held:
			// Held in its transient status, the instance cannot be Running again before the burst ends.
			Expect(accepted).To(Equal(1), "%s: accepted reboots out of %d sent at once", b, len(outs))
		case judged:
			Expect(rig.Readable(err)).To(Succeed())
		case accepted > 1:
			Skip(fmt.Sprintf("%s not judged: %d of %d reboots were accepted; %s, and %s, so a second accept after a finished reboot "+
				"cannot be told from one that raced the first", b.ID, accepted, len(outs), why, contract.DwellText(span, judge)))
		}
		rg.WatchReboot(ctx, id, nil)
	})
})

// probeTransient checks b on a target that cannot hold an instance in a
// transient status: the spec produces the status itself and sends the reboot
// while it lasts, up to three times while the instance moves on too soon.
func probeTransient(ctx SpecContext, status string, b contract.Behaviour) {
	var why string
	for range 3 {
		p := rg.ProbeTransient(ctx, status)
		judged, reason := p.Judge(b, rg.MinDwell())
		if judged {
			for _, o := range p.Outs {
				o.Expect(contract.CheckErrorAny(o.Response, wrongStatusRows...))
			}
			return
		}
		why = reason
	}
	Skip(fmt.Sprintf("%s not judged: without a control API to hold the instance, three tries could not send the reboot while it was %s (%s)",
		b.ID, status, why))
}

// burst sends one reboot of id per sender, all released together.
func burst(ctx SpecContext, id string, senders []string) []rig.Outcome {
	outs := make([]rig.Outcome, len(senders))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, c := range senders {
		wg.Go(func() {
			defer GinkgoRecover()
			<-start
			outs[i] = rg.Send(ctx, c, rig.Reboot{InstanceID: id})
		})
	}
	close(start)
	wg.Wait()
	return outs
}
