package rig

import (
	"fmt"
	"os"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/target"
)

// What this process has learnt of the target's reboots (target.Learnt: the rule and its
// sharing between the run's suites live there): later waits are bounded by it, and the
// timing rule contract.CheckSingleAccept needs the shortest transient phase seen.

// noteReboot records one watched reboot: it came back after took (0 if it did not), and a
// transient status was still read dwell after the watch began (0 if none was read).
func (rg *Rig) noteReboot(took, dwell time.Duration) {
	rg.mu.Lock()
	rg.learn.NoteReboot(took, dwell)
	l := rg.learn
	rg.mu.Unlock()
	rg.saveLearnt(l)
}

// noteStuck records that a watched reboot never came back within its bound.
func (rg *Rig) noteStuck(what string) {
	rg.mu.Lock()
	rg.learn.NoteStuck(what)
	l := rg.learn
	rg.mu.Unlock()
	rg.saveLearnt(l)
}

func (rg *Rig) saveLearnt(l target.Learnt) {
	if err := rg.T.SaveLearnt(fmt.Sprintf("rig-%d", os.Getpid()), l); err != nil {
		fmt.Fprintf(os.Stderr, "rebootconf: could not share learnt reboot timings with later suites: %v\n", err)
	}
}

// MinDwell is the shortest transient phase of a reboot this run has seen (a lower bound),
// 0 before any. Until this process has watched one it asks the run's other processes (their
// learnt files), so parallel processes that started together space their reads by what the
// first of them saw, instead of each reading every Poll until its own first reboot.
func (rg *Rig) MinDwell() time.Duration {
	rg.mu.Lock()
	d := rg.learn.MinDwell
	rg.mu.Unlock()
	if d == 0 {
		d = rg.T.LoadLearnt().MinDwell
	}
	return d
}

// rebootBound is how long to wait for an accepted reboot to come back, and why when it is
// shorter than the configured Timing.RebootBound (target.Learnt.RebootBound).
func (rg *Rig) rebootBound() (time.Duration, string) {
	rg.mu.Lock()
	defer rg.mu.Unlock()
	return rg.learn.RebootBound(rg.T.Timing.RebootBound)
}

// TransitionBound is how long to wait for any status transition (a reboot, a start, a stop, a
// creation): the larger configured bound, shortened by what the run learnt, and why.
func (rg *Rig) TransitionBound() (time.Duration, string) {
	rg.mu.Lock()
	defer rg.mu.Unlock()
	return rg.learn.RebootBound(max(rg.T.Timing.RebootBound, rg.T.Timing.ProvisionBound))
}
