package rig

import (
	"context"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL
	. "github.com/onsi/gomega"    //nolint:revive // Gomega DSL

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

var bBystander = contract.MustLookup("RI-STATE-009")

// WatchReboot follows id after an accepted reboot through both describe
// APIs until it is Running again (RI-STATE-004, within Timing.RebootBound),
// failing at once on a status off the legal path (RI-STATE-003) or a
// bystander that changed (RI-STATE-009), then checks Starting was seen
// (RI-STATE-002).
//
// On a target with a control API the instance's status history is a second
// witness: a loaded machine can miss a short Starting between two polls, the
// history cannot. It only stands in for "Starting was seen"; the legal-path
// and bound checks always use the public describe APIs.
func (rg *Rig) WatchReboot(ctx context.Context, id string, bystanders map[string]string) *contract.RebootWatch {
	GinkgoHelper()
	w := contract.NewRebootWatch()
	tm := rg.T.Timing
	before := rg.baseline(id).starts
	witnessed, unobservable := false, false
	// Without a control API a reboot shorter than the poll interval cannot be seen: an
	// emulator's instant reboot is a timing variant, not a violation. Only the real cloud,
	// whose reboots take tens of seconds, is judged strictly there.
	lenient := rg.T.Kind != target.KindCloud && rg.T.Control == nil
	start := time.Now()
	Eventually(ctx, func(g Gomega) {
		for _, s := range rg.Reader.Sources() {
			st, err := s.Read(ctx, id)
			g.Expect(Readable(err)).To(Succeed())
			if err := w.Add(s.Name, st); err != nil {
				StopTrying("the reboot left the legal path").Wrap(err).Now()
			}
		}
		checkBystanders(ctx, rg, g, bystanders)
		if !w.LeftRunning() && w.AllRunning() {
			if rg.historyStarts(ctx, id) > before {
				witnessed = true
				return
			}
			if lenient && time.Since(start) >= tm.ObserveWindow {
				unobservable = true
				return
			}
		}
		g.Expect(Readable(w.CheckBack())).To(Succeed())
	}).WithTimeout(tm.RebootBound).WithPolling(tm.Poll).Should(Succeed(), "instance %s after an accepted reboot", id)
	if err := w.CheckLeftRunning(); err != nil {
		switch {
		case witnessed || rg.historyStarts(ctx, id) > before:
			AddReportEntry("RI-STATE-002 witness", "Starting fell between polls; the control API's status history shows it",
				ReportEntryVisibilityFailureOrVerbose)
		case unobservable:
			AddReportEntry("RI-STATE-002 not judged", fmt.Sprintf("instance %s read Running at every poll for %s (every %s) after the accepted reboot: "+
				"a transition shorter than the poll interval cannot be seen without the control API, so 'Starting was seen' is not judged on this target; "+
				"use a smaller --poll to judge it", id, time.Since(start).Round(time.Millisecond), tm.Poll))
		default:
			Expect(Readable(err)).To(Succeed())
		}
	}
	rg.noteBaseline(id, rg.readRecord(ctx, id))
	for bid, want := range bystanders {
		// One more look once the reboot is over: a late change is still a change.
		st, err := rg.Reader.ViaDescribeInstances(ctx, bid)
		Expect(Readable(err)).To(Succeed())
		Expect(Readable(contract.CheckUnchanged(bBystander, want, st))).To(Succeed(), "bystander %s", bid)
		// A bystander rebooted at once looks unchanged to every poll.
		Expect(Readable(rg.checkRecordUnchanged(ctx, bBystander, bid, want))).To(Succeed(), "bystander %s", bid)
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

// historyStarts counts Starting entries in id's control-API status history;
// -1 without a control API or on error, so it never witnesses anything.
func (rg *Rig) historyStarts(ctx context.Context, id string) int {
	if r := rg.readRecord(ctx, id); r.ok {
		return r.starts
	}
	return -1
}

// Unchanged asserts id keeps status want in both describe APIs for the
// whole observation window; b is the behaviour that promises it.
//
// Polls alone miss a change that is over before the first one (a target
// whose reboot completes at once), so on a target with a control API the
// instance's reboot count and status history must also be as they were when
// it was provisioned or its last watched reboot ended.
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
	Expect(Readable(rg.checkRecordUnchanged(ctx, b, id, want))).To(Succeed())
}

// StatusNow reads id once through DescribeInstances.
func (rg *Rig) StatusNow(ctx context.Context, id string) string {
	GinkgoHelper()
	st, err := rg.Reader.ViaDescribeInstances(ctx, id)
	Expect(Readable(err)).To(Succeed())
	return st
}
