package conformance_test

import (
	"sync"

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
		func(ctx SpecContext, status string, stays bool) {
			id := rg.Provision(ctx, target.InstanceSpec{Status: status})
			rg.Both(ctx, rig.Reboot{InstanceID: id}).Expect(func(r *protocol.Response) error {
				return contract.CheckErrorAny(r, wrongStatusRows...)
			})
			if stays {
				rg.Unchanged(ctx, contract.MustLookup("RI-STATE-005"), id, status)
			}
		},
		Entry("Stopped", labels.For("RI-STATE-005"), contract.StatusStopped, true),
		Entry("Starting", labels.For("RI-STATE-006"), contract.StatusStarting, false),
		Entry("Stopping", labels.For("RI-STATE-007"), contract.StatusStopping, false),
		Entry("Pending", labels.For("RI-STATE-008"), contract.StatusPending, false),
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
		id := rg.Provision(ctx, target.InstanceSpec{})
		// Two per client, all released together.
		senders := []string{rig.ClientRaw, rig.ClientLegacy, rig.ClientRaw, rig.ClientLegacy}
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
		accepted := 0
		for _, o := range outs {
			Expect(rig.Readable(o.Err)).To(Succeed(), "via the %s client\n%s", o.Client, o.Transcript)
			if o.Response.Status == 200 {
				accepted++
				o.Expect(contract.CheckSuccess(o.Response, protocol.FormatJSON))
				continue
			}
			o.Expect(contract.CheckErrorAny(o.Response, wrongStatusRows...))
		}
		Expect(accepted).To(Equal(1), "%s: accepted reboots out of %d sent at once", contract.MustLookup("RI-STATE-010"), len(senders))
		rg.WatchReboot(ctx, id, nil)
	})
})
