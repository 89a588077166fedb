package rig

import (
	"context"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL
	. "github.com/onsi/gomega"    //nolint:revive // Gomega DSL

	"github.com/rebootconf/rebootconf/fixtures/contract"
)

var (
	bBystander = contract.MustLookup("RI-STATE-009")
	bStarting  = contract.MustLookup("RI-STATE-002")
)

// WatchReboot follows id after an accepted reboot through both describe
// APIs until it is Running again (RI-STATE-004, within the reboot bound),
// failing at once on a status off the legal path (RI-STATE-003), a
// bystander that changed, or any other instance of the account that changed
// (RI-STATE-009), then checks Starting was seen (RI-STATE-002).
//
// An accepted reboot that leaves no trace fails: Running at every poll for
// the observation window is no evidence of a reboot. Two witnesses can
// stand in for a Starting that fell between polls: the control API's status
// history, and a deviation the target's author declared (instant
// transitions). The legal-path and bound checks always use the public
// describe APIs. What the watch sees is learnt (rebootBound, MinDwell).
func (rg *Rig) WatchReboot(ctx context.Context, id string, bystanders map[string]string) *contract.RebootWatch {
	GinkgoHelper()
	w := contract.NewRebootWatch()
	bound, why := rg.rebootBound()
	if why != "" {
		AddReportEntry("reboot bound "+bound.String(), why, ReportEntryVisibilityFailureOrVerbose)
	}
	acct := rg.accountBefore(ctx, id)
	p := &rebootPoll{ctx: ctx, rg: rg, id: id, w: w, before: rg.baseline(id).starts, acct: acct, bystanders: bystanders, start: time.Now()}
	defer p.learn(bound)
	Eventually(ctx, p.poll).WithTimeout(bound).WithPolling(rg.T.Timing.Poll).
		Should(Succeed(), "instance %s after an accepted reboot (bound %s)", id, bound)
	if p.terminal != nil {
		AddReportEntry("observed reboot of "+id, w.String())
		Fail(p.terminal.Error())
	}
	p.back = true
	p.judgeLeftRunning(ctx)
	rg.noteBaseline(id, rg.readRecord(ctx, id))
	rg.checkAfter(ctx, id, bystanders, acct)
	AddReportEntry("observed reboot of "+id, w.String(), ReportEntryVisibilityFailureOrVerbose)
	return w
}

// rebootPoll is one WatchReboot's state between polls.
type rebootPoll struct {
	ctx        context.Context // the spec's: an interrupt ends the reads
	rg         *Rig
	id         string
	w          *contract.RebootWatch
	before     int     // Starting entries in the control API's history before the reboot
	acct       account // the account's other stable instances, nil when not watched
	bystanders map[string]string
	start      time.Time
	n          int
	lastSeen   time.Duration // since start, the last poll that read a transient status
	tookBack   time.Duration // since start, the poll that found it Running again
	witnessed  bool          // the control API's history shows a Starting
	noTrace    bool          // Running at every poll for the observation window
	offPath    bool          // left the legal path: a failure, not a stuck reboot
	terminal   error         // the violation that ended the watch
	back       bool
	// Back-off once Starting is seen (schedule): what is left is waiting for Running.
	started bool          // some source read Starting
	due     time.Time     // the next poll that reads; earlier ones repeat pending
	gap     time.Duration // the pause before due
	pending error         // the last reading poll's verdict (it did not end the watch)
	seen    string        // the watch's path at the last reading poll
}

func (p *rebootPoll) poll(g Gomega) {
	if p.pending != nil && time.Now().Before(p.due) {
		g.Expect(Readable(p.pending)).To(Succeed()) // not due: the last verdict stands, and nothing is read
		return
	}
	defer p.schedule()
	rg, ctx := p.rg, p.ctx
	at := time.Since(p.start)
	p.n++
	for _, s := range rg.Reader.Sources() {
		st, err := s.Read(ctx, p.id)
		p.expect(g, err)
		if st == contract.StatusStarting || st == contract.StatusStopping {
			p.lastSeen = at
		}
		p.started = p.started || st == contract.StatusStarting
		if err := p.w.Add(s.Name, st); err != nil {
			p.stop(fmt.Errorf("%w (instance %s after an accepted reboot)", err, p.id))
			return
		}
	}
	if err := checkBystanders(ctx, rg, g, p.bystanders); err != nil {
		p.stop(err)
		return
	}
	if p.acct != nil && p.n%3 == 1 {
		if p.checkAccount(ctx, g); p.terminal != nil {
			return
		}
	}
	if !p.w.LeftRunning() && p.w.AllRunning() {
		if rg.historyStarts(ctx, p.id) > p.before {
			p.witnessed = true
			return
		}
		if time.Since(p.start) >= rg.T.Timing.ObserveWindow {
			p.noTrace = true
			return
		}
	}
	p.expect(g, p.w.CheckBack())
	p.tookBack = time.Since(p.start)
}

// expect fails this poll on err, keeping it as the verdict polls that are not due repeat.
func (p *rebootPoll) expect(g Gomega, err error) {
	p.pending = err
	g.Expect(Readable(err)).To(Succeed())
}

// schedule sets when the next poll reads. Until Starting is seen every poll reads, every
// transientPoll (a Stopping, or a Starting, must not fall between reads, nor the trace of a
// reboot within the observation window). After it, only the return to Running is awaited: the
// pause doubles from Poll up to PollMax while the watch sees nothing new, and drops back to
// Poll as soon as a source reads another status, so a target slow to come back costs
// tens of reads per reboot, not one every Poll for the whole reboot.
func (p *rebootPoll) schedule() {
	tm := p.rg.T.Timing
	path := p.w.String()
	switch {
	case !p.started:
		p.gap = p.rg.transientPoll()
	case path != p.seen || p.gap == 0:
		p.gap = tm.Poll
	default:
		// Waiting for Running again: a tenth of the time watched once that is longer, as
		// Backoff does for end states.
		p.gap = max(min(2*p.gap, max(tm.PollMax, tm.Poll)), time.Since(p.start)/10)
	}
	p.seen = path
	p.due = time.Now().Add(p.gap)
}

func (p *rebootPoll) checkAccount(ctx context.Context, g Gomega) {
	now, read, err := p.rg.readAccountView(ctx)
	g.Expect(Readable(err)).To(Succeed(), "read every instance of the account")
	if err := p.acct.check(now, p.id, read.since(p.rg.view())); err != nil {
		p.stop(err)
	}
}

// stop ends the watch on a violation that no later poll can undo; WatchReboot fails with
// err itself as the reason (not Gomega's "Told to stop trying").
func (p *rebootPoll) stop(err error) {
	p.offPath = true
	p.terminal = err
}

// learn records what the watch saw; a reboot that never came back makes
// later watches in this process short.
func (p *rebootPoll) learn(bound time.Duration) {
	switch {
	case p.back && p.tookBack > 0:
		p.rg.noteReboot(p.tookBack, p.lastSeen)
	case !p.back && !p.offPath:
		p.rg.noteStuck(fmt.Sprintf("%s was not Running again within %s", p.id, bound))
	}
}

// judgeLeftRunning is RI-STATE-002 once the instance reads Running again.
func (p *rebootPoll) judgeLeftRunning(ctx context.Context) {
	GinkgoHelper()
	rg, tm := p.rg, p.rg.T.Timing
	err := p.w.CheckLeftRunning()
	switch {
	case err == nil:
	case p.witnessed || rg.historyStarts(ctx, p.id) > p.before:
		AddReportEntry("RI-STATE-002 witness", "Starting fell between polls; the control API's status history shows it",
			ReportEntryVisibilityFailureOrVerbose)
	case p.noTrace && rg.Declared(bStarting.ID, DeviationInstant):
		AddReportEntry("RI-STATE-002 not judged: declared deviation", fmt.Sprintf("instance %s read Running at every poll for %s (every %s) "+
			"after the accepted reboot; the target declares %q for %s, so no Starting is demanded", p.id,
			time.Since(p.start).Round(time.Millisecond), tm.Poll, DeviationInstant, bStarting.ID))
	case p.noTrace:
		Fail(fmt.Sprintf("%s: the accepted reboot of %s left no observable trace: Running at each of %d polls over %s (every %s), "+
			"and no control API to witness a Starting between them. A reboot must pass through Starting; a shorter --poll may see it, "+
			"and a target that really transitions instantly can declare the deviation %q for %s.", bStarting, p.id, p.n,
			time.Since(p.start).Round(time.Millisecond), tm.Poll, DeviationInstant, bStarting.ID))
	default:
		Expect(Readable(err)).To(Succeed())
	}
}

// checkAfter takes one more look once the reboot is over: a late change to
// a bystander or another instance is still a change.
func (rg *Rig) checkAfter(ctx context.Context, id string, bystanders map[string]string, acct account) {
	GinkgoHelper()
	for bid, want := range bystanders {
		st, err := rg.Reader.ViaDescribeInstances(ctx, bid)
		Expect(Readable(err)).To(Succeed())
		Expect(Readable(contract.CheckUnchanged(bBystander, want, st))).To(Succeed(), "bystander %s", bid)
		// A bystander rebooted at once looks unchanged to every poll.
		Expect(Readable(rg.checkRecordUnchanged(ctx, bBystander, bid, want))).To(Succeed(), "bystander %s", bid)
	}
	if acct != nil {
		now, read, err := rg.readAccountView(ctx)
		Expect(Readable(err)).To(Succeed(), "read every instance of the account")
		Expect(Readable(acct.check(now, id, read.since(rg.view())))).To(Succeed())
	}
}

// accountBefore is the account's other stable instances as read when id
// was provisioned (before any reboot of it), or now when that read is
// missing; nil when the account is not watched.
func (rg *Rig) accountBefore(ctx context.Context, id string) account {
	GinkgoHelper()
	if ok, _ := rg.WatchesAccount(); !ok {
		return nil
	}
	rg.mu.Lock()
	a, ok := rg.accounts[id]
	rg.mu.Unlock()
	if ok {
		return a
	}
	a, err := rg.readAccount(ctx)
	Expect(Readable(err)).To(Succeed(), "read every instance of the account")
	return a
}

// noteAccount reads the account once id is provisioned, so a reboot of id
// is later compared with the world as it was before it.
func (rg *Rig) noteAccount(ctx context.Context, id string) {
	GinkgoHelper()
	if ok, _ := rg.WatchesAccount(); !ok {
		return
	}
	a, err := rg.readAccount(ctx)
	Expect(Readable(err)).To(Succeed(), "read every instance of the account")
	rg.mu.Lock()
	defer rg.mu.Unlock()
	if rg.accounts == nil {
		rg.accounts = map[string]account{}
	}
	rg.accounts[id] = a
}

// checkBystanders reads each bystander once: a read error fails this poll (g), a change is
// returned as the violation.
func checkBystanders(ctx context.Context, rg *Rig, g Gomega, bystanders map[string]string) error {
	for bid, want := range bystanders {
		st, err := rg.Reader.ViaDescribeInstances(ctx, bid)
		g.Expect(Readable(err)).To(Succeed())
		if err := contract.CheckUnchanged(bBystander, want, st); err != nil {
			return fmt.Errorf("%w (bystander %s)", err, bid)
		}
	}
	return nil
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
	}).WithTimeout(tm.ObserveWindow).WithPolling(rg.unchangedPoll()).Should(Succeed())
	Expect(Readable(rg.checkRecordUnchanged(ctx, b, id, want))).To(Succeed())
}

// transientPoll is how often a watched reboot reads until it has seen Starting. Before any
// reboot was watched, every Poll. Once one showed how long the target's transient phases
// last (MinDwell), a quarter of the shortest still reads every phase at least three times,
// and five reads at least fall in the observation window: on a target with second-long
// phases (the real cloud, the realistic profile) that is a fraction of the requests.
func (rg *Rig) transientPoll() time.Duration {
	tm := rg.T.Timing
	if dwell := rg.MinDwell(); dwell > 0 {
		return max(tm.Poll, min(dwell/4, tm.ObserveWindow/5))
	}
	return tm.Poll
}

// unchangedPoll is how often Unchanged reads. A change it must see is a reboot the target
// applied after all, whose transient phase lasts as long as the target's reboots do: once a
// watched reboot showed that (MinDwell), reading a third as often still reads it at least
// twice, and at least five reads fall in the observation window. Before any was watched,
// every Poll.
func (rg *Rig) unchangedPoll() time.Duration {
	tm := rg.T.Timing
	dwell := rg.MinDwell()
	if dwell <= 0 {
		return tm.Poll
	}
	return max(tm.Poll, min(dwell/3, tm.ObserveWindow/5))
}

// StatusNow reads id once through DescribeInstances.
func (rg *Rig) StatusNow(ctx context.Context, id string) string {
	GinkgoHelper()
	st, err := rg.Reader.ViaDescribeInstances(ctx, id)
	Expect(Readable(err)).To(Succeed())
	return st
}

// Backoff wraps check, a wait for an end state (Running again, Stopped, gone), for
// Eventually: polls read from Poll apart, the pause doubling up to PollMax, or a tenth of
// the time waited when longer (a 25-second Starting is read a dozen times, not 50); a poll
// that is not due yet repeats the last verdict without a request. Not for transient
// statuses, which a long pause can miss.
func (rg *Rig) Backoff(check func() error) func() error {
	tm := rg.T.Timing
	var due, start time.Time
	var gap time.Duration
	var last error
	return func() error {
		if last != nil && time.Now().Before(due) {
			return last
		}
		if start.IsZero() {
			start = time.Now()
		}
		last = check()
		gap = min(max(2*gap, tm.Poll), max(tm.PollMax, tm.Poll))
		gap = max(gap, time.Since(start)/10)
		due = time.Now().Add(gap)
		return last
	}
}
