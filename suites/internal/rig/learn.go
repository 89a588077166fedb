package rig

import (
	"fmt"
	"time"
)

// What this process has learnt of the target's reboots. Waits on a broken
// target should cost what the target has shown a reboot takes, not the flag's
// ceiling each time; and a timing rule (contract.CheckSingleAccept) needs
// the shortest transient phase seen.
const (
	// learnedFactor times the longest reboot seen bounds later reboots.
	learnedFactor = 5
	// learnedFloor keeps a learnt bound from being tight on a loaded machine.
	learnedFloor = 15 * time.Second
	// brokenBound is how long a reboot is waited for once one never came
	// back in this process: the behaviour is shown broken already.
	brokenBound = 5 * time.Second
)

type learnt struct {
	reboots    int           // watched reboots that came back
	maxReboot  time.Duration // longest of them, watch start → Running again
	minDwell   time.Duration // shortest lower bound on a transient phase (0: none seen)
	stuckSince string        // the first watch whose reboot never came back ("" if none)
}

// noteReboot records one watched reboot: it came back after took (0 if it
// did not), and a transient status was still read dwell after the watch
// began (0 if none was read).
func (rg *Rig) noteReboot(took, dwell time.Duration) {
	rg.mu.Lock()
	defer rg.mu.Unlock()
	if took > 0 {
		rg.learn.reboots++
		rg.learn.maxReboot = max(rg.learn.maxReboot, took)
	}
	if dwell > 0 && (rg.learn.minDwell == 0 || dwell < rg.learn.minDwell) {
		rg.learn.minDwell = dwell
	}
}

// noteStuck records that a watched reboot never came back within its bound.
func (rg *Rig) noteStuck(what string) {
	rg.mu.Lock()
	defer rg.mu.Unlock()
	if rg.learn.stuckSince == "" {
		rg.learn.stuckSince = what
	}
}

// MinDwell is the shortest transient phase of a reboot this process has
// seen (a lower bound), 0 before any.
func (rg *Rig) MinDwell() time.Duration {
	rg.mu.Lock()
	defer rg.mu.Unlock()
	return rg.learn.minDwell
}

// rebootBound is how long to wait for an accepted reboot to come back, and
// why when it is shorter than the configured Timing.RebootBound: 5× the
// longest reboot seen (at least 15 s), or 5 s once a reboot in this process
// never came back.
func (rg *Rig) rebootBound() (time.Duration, string) {
	ceiling := rg.T.Timing.RebootBound
	rg.mu.Lock()
	l := rg.learn
	rg.mu.Unlock()
	if l.stuckSince != "" && brokenBound < ceiling {
		return brokenBound, fmt.Sprintf("a reboot already failed to come back in this run (%s), so this one is waited for only %s", l.stuckSince, brokenBound)
	}
	if l.reboots > 0 {
		if b := max(learnedFloor, learnedFactor*l.maxReboot); b < ceiling {
			return b, fmt.Sprintf("bounded by what this target showed: %d reboots came back within %s (bound %d× that, at least %s; --reboot-timeout %s is the ceiling)",
				l.reboots, l.maxReboot.Round(time.Millisecond), learnedFactor, learnedFloor, ceiling)
		}
	}
	return ceiling, ""
}
