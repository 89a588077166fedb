package rig

import (
	"context"
	"fmt"
	"slices"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL
	. "github.com/onsi/gomega"    //nolint:revive // Gomega DSL

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/suites/internal/observe"
)

var bBystander = contract.MustLookup("RI-STATE-009")

// WatchReboot follows id after an accepted reboot through both describe
// APIs until it is Running again (RI-STATE-004, within Timing.RebootBound),
// failing at once on a status off the legal path (RI-STATE-003) or a
// bystander that changed (RI-STATE-009), then checks Starting was seen
// (RI-STATE-002).
func (rg *Rig) WatchReboot(ctx context.Context, id string, bystanders map[string]string) *contract.RebootWatch {
	GinkgoHelper()
	w := contract.NewRebootWatch()
	tm := rg.T.Timing
	Eventually(ctx, func(g Gomega) {
		for _, s := range rg.Reader.Sources() {
			st, err := s.Read(ctx, id)
			g.Expect(Readable(err)).To(Succeed())
			if err := w.Add(s.Name, st); err != nil {
				StopTrying("the reboot left the legal path").Wrap(err).Now()
			}
		}
		checkBystanders(ctx, rg, g, bystanders)
		g.Expect(Readable(w.CheckBack())).To(Succeed())
	}).WithTimeout(tm.RebootBound).WithPolling(tm.Poll).Should(Succeed(), "instance %s after an accepted reboot", id)
	if err := w.CheckLeftRunning(); err != nil && !rg.startingInHistory(ctx, id) {
		Expect(Readable(err)).To(Succeed())
	}
	for bid, want := range bystanders {
		// One more look once the reboot is over: a late change is still a change.
		st, err := rg.Reader.ViaDescribeInstances(ctx, bid)
		Expect(Readable(err)).To(Succeed())
		Expect(Readable(contract.CheckUnchanged(bBystander, want, st))).To(Succeed(), "bystander %s", bid)
	}
	AddReportEntry("observed reboot of "+id, w.String(), ReportEntryVisibilityFailureOrVerbose)
	return w
}

func checkBystanders(ctx context.Context, rg *Rig, g Gomega, bystanders map[string]string) {
	for bid, want := range bystanders {
		st, err := rg.Reader.ViaDescribeInstances(ctx, bid)
		g.Expect(Readable(err)).To(Succeed())
		if err := contract.CheckUnchanged(bBystander, want, st); err != nil {
			StopTrying(fmt.Sprintf("bystander %s changed", bid)).Wrap(err).Now()
		}
	}
}

// startingInHistory is the second witness for RI-STATE-002 on targets with
// a control API: polling can miss a short Starting, the status history
// cannot. It never replaces the public-API oracle for the other behaviours.
func (rg *Rig) startingInHistory(ctx context.Context, id string) bool {
	if rg.T.Control == nil {
		return false
	}
	in, err := rg.T.Control.GetInstance(ctx, id)
	if err != nil {
		return false
	}
	if slices.ContainsFunc(in.History, func(c control.StatusChange) bool { return c.Status == control.StatusStarting }) {
		AddReportEntry("RI-STATE-002 witness", "Starting fell between polls; the control API's status history shows it", ReportEntryVisibilityFailureOrVerbose)
		return true
	}
	return false
}

// Unchanged asserts id keeps status want in both describe APIs for the
// whole observation window; b is the behaviour that promises it.
func (rg *Rig) Unchanged(ctx context.Context, b contract.Behaviour, id, want string) {
	GinkgoHelper()
	tm := rg.T.Timing
	Consistently(ctx, func(g Gomega) {
		for _, s := range rg.Reader.Sources() {
			st, err := s.Read(ctx, id)
			g.Expect(Readable(err)).To(Succeed())
			g.Expect(Readable(contract.CheckUnchanged(b, want, st))).To(Succeed(), "instance %s via %s", id, s.Name)
		}
	}).WithTimeout(tm.ObserveWindow).WithPolling(tm.Poll).Should(Succeed())
}

// StatusNow reads id once through DescribeInstances.
func (rg *Rig) StatusNow(ctx context.Context, id string) string {
	GinkgoHelper()
	st, err := rg.Reader.ViaDescribeInstances(ctx, id)
	Expect(Readable(err)).To(Succeed())
	return st
}

// Sources is re-exported so specs can name the describe APIs.
var Sources = []string{observe.DescribeInstances, observe.DescribeInstanceStatus}
