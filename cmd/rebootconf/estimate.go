package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/contract"
)

// specNeeds is what one spec asks of the target, read from its behaviour labels.
type specNeeds struct {
	reboots  int                   // real reboots it sends (a disruptive behaviour: one)
	instance bool                  // a plain Running instance (the pool lends one where there is a pool)
	special  int                   // instances in another status or condition that must be created (not lent)
	settles  bool                  // a pool instance is stopped or started for it (a Stopped, Starting or Stopping one): a wait, no creation
	observes bool                  // watches an instance for the observation window ("changes nothing")
	control  bool                  // needs the control API
	learnt   time.Duration         // how long it took on an earlier run against this target (0: unknown)
	waits    int                   // reboots it waits for that another process sends (an SDK client's)
	consumes int                   // instances it takes out of the pool for good (deleted, left stopped: instancesUsedUp)
	creates  int                   // instances it creates itself (an SDK's RunInstances): they join the pool (instancesCreated)
	holds    int                   // instances it holds besides its own while it runs (bystanders)
	client   string                // the SDK client it runs through ("": the harness's own)
	caps     []contract.Capability // the special capabilities (stopped, locked, transient ...)
}

// weight is a spec's expected duration in seconds by the model with fixed timings, for
// balancing shards: the same on every machine, whatever its target or history.
func (n specNeeds) weight() float64 {
	n.learnt = 0
	d, _ := specTime(estimateInput{pool: true, creates: true, t: weightTimings}, n)
	return d.Seconds()
}

// weightTimings are second-long transitions: an emulator without the control API.
var weightTimings = timings{rtt: time.Millisecond, reboot: time.Second, create: time.Second / 2, stop: time.Second / 2,
	observe: time.Second, poll: 50 * time.Millisecond}

// instancesUsedUp are the instances a behaviour's spec creates or takes out of the pool for
// good besides the one it holds: bystanders, an instance deleted or stopped on purpose, an
// SDK operation that creates or deletes instances. Read from the specs (suites/conformance,
// suites/sdkclients/rows_test.go); an estimate, not a contract.
var instancesUsedUp = map[string]int{
	"RI-STATE-007": 1, // stopped to be caught Stopping
	"RI-STATE-011": 1, // deleted before the call
	"SDK-OP-007":   1, // a Stopped instance the client deletes
	"SDK-OP-008":   2, // two Running instances the client deletes
}

// instancesCreated are the instances a behaviour's spec creates itself through a client
// (rig.Keep gives them to the pool afterwards), and instancesHeld the ones it holds at once
// besides its own.
var (
	instancesCreated = map[string]int{
		"SDK-OP-005": 2, // RunInstances Amount=2
		"SDK-OP-006": 1, // CreateInstance
	}
	instancesHeld = map[string]int{
		"RI-STATE-009": 2, // two bystanders watched beside the rebooted instance
	}
)

// specNeedsOf reads a spec's needs from its labels (behaviour IDs, "disruptive", the SDK
// client "sdk:NAME"). The sdkclients suite judges the clients' answers, not the target's
// settling: it watches no observation window, and the reboots a client sends go through its
// own process (the summary's real-reboot count has only the harness's own).
func specNeedsOf(suite string, labels []string) specNeeds {
	var n specNeeds
	disruptive := false
	for _, l := range labels {
		if c, ok := strings.CutPrefix(l, "sdk:"); ok {
			n.client = c
		}
		n.consumes += instancesUsedUp[l]
		n.creates += instancesCreated[l]
		n.holds += instancesHeld[l]
		b, ok := contract.Lookup(l)
		if !ok {
			continue
		}
		disruptive = disruptive || b.Disruptive
		for _, c := range b.Needs {
			switch c {
			case contract.CapControl:
				n.control = true
			case contract.CapInstance:
				n.instance = true
			default:
				if _, ok := c.Instance(); ok && !slices.Contains(n.caps, c) {
					n.caps = append(n.caps, c)
				}
			}
		}
	}
	switch {
	case disruptive:
		n.reboots = 1
	case slices.Contains(labels, "disruptive"):
		n.waits = 1 // a client's reboot: waited for, not counted
		n.instance = true
	}
	n.special = min(len(n.caps), 1) // a spec checks one special instance at a time
	n.observes = (n.instance || n.special > 0) && suite != "sdkclients"
	return n
}

// timings are what the estimate knows of the target: measured by the preflight, learnt by
// an earlier run, or the target kind's defaults.
type timings struct {
	rtt       time.Duration // one request's round trip
	reboot    time.Duration // a real reboot, accepted to Running again
	create    time.Duration // RunInstances to Running (0: instances cost no creation)
	stop      time.Duration // StopInstance to Stopped
	observe   time.Duration // a spec's "nothing changes" window
	poll      time.Duration // status poll interval
	suiteBoot time.Duration // a suite process's start and end
	assumed   bool          // the transitions are a guess: nothing measured or learnt them
}

// suiteHistory is what an earlier run against the same target saw of one suite: its real
// reboots and creations over the specs it ran (zero specs: no history).
type suiteHistory struct {
	specs, reboots, creations int
	took                      time.Duration // the specs' durations summed
}

// estimateInput is everything the estimate stands on.
type estimateInput struct {
	specs     [][]specNeeds  // by suite, the specs that will run
	history   []suiteHistory // by suite, as specs (may be shorter: no history)
	procs     int            // parallel processes per suite
	procsBy   []int          // by suite, when they differ (the properties suite may keep one)
	pool      bool           // plain Running instances are reused (the instance pool)
	runPool   bool           // the pool is the run's (a pool file), not each process's
	creates   bool           // the target's instances are RunInstances calls (no control API)
	parallel  bool           // the suites run at once (the embedded emulator)
	rate      float64        // requests per second for the whole run (0: unlimited)
	t         timings
	dryRunOff bool // --dry-run-only: no real reboot, no creation
}

// estimate is the prediction the plan prints and the summary compares with what happened.
type estimate struct {
	counted   bool // creations are RunInstances calls (not emulator instances)
	wall      time.Duration
	reboots   int
	creations int
	requests  int
}

// Per-spec figures of the model, fitted to runs against `serve --no-control` (BENCHMARKS.md):
// a spec sends requestsBase requests besides its polls; a wait is polled through both
// describe APIs.
const (
	// rebootsPerDisruptive: a disruptive spec's reboot, plus the calibration reboots and
	// repeated accepts some make (19 real reboots for conformance's 14 disruptive specs).
	rebootsPerDisruptive = 1.35
	requestsBase         = 14
	// parallelBoot is what running a suite in several processes adds: the Ginkgo CLI starts
	// them, each opens the target, and the last specs leave processes idle (measured: 3 to
	// 6 s a suite against serve --no-control at --procs 4).
	parallelBoot    = 3 * time.Second
	pollsPerWait    = 2
	rebootWaitScale = 1.0
)

// predict is the model: each spec's time is its requests' round trips plus the waits it
// makes (a creation, a stop, a reboot, part of an observation window), stretched by the rate
// limit; a suite's specs spread over its processes; suites add up unless they run at once.
func predict(in estimateInput) estimate {
	e := estimate{counted: in.creates && !in.dryRunOff}
	procs := max(in.procs, 1)
	var suiteWalls []time.Duration
	poolSize := 0 // instances the run-wide pool holds so far
	for i, specs := range in.specs {
		procs := procs
		if i < len(in.procsBy) && in.procsBy[i] > 0 {
			procs = in.procsBy[i]
		}
		sin := in // --rate is one budget for the run: each process gets its share
		if in.rate > 0 {
			sin.rate = in.rate / float64(procs)
		}
		var total, longest time.Duration
		plain, special, known, consumed, selfMade, held := 0, 0, 0, 0, 0, 0
		var knownTook time.Duration
		var reboots float64
		for _, s := range specs {
			d, req := specTime(sin, s)
			total += d
			longest = max(longest, d)
			e.requests += req
			if !in.dryRunOff {
				reboots += rebootsPerDisruptive * float64(s.reboots)
			}
			if s.learnt > 0 {
				known++
				knownTook += s.learnt
			}
			if s.instance {
				plain++
			}
			special += s.special
			consumed += s.consumes
			selfMade += s.creates
			held = max(held, s.holds)
		}
		cr := creations(in, plain, special+consumed, procs) + selfMade
		if in.pool && in.runPool && in.creates && !in.dryRunOff {
			// One pool for the run: a later suite reuses what an earlier one left, and what
			// its clients created feeds it; creations make up what it still lacks.
			peak := 0
			if plain > 0 {
				peak = min(plain, procs) + held
			}
			lack := max(peak-poolSize, 0) + consumed - selfMade
			poolSize = max(poolSize, peak) + max(selfMade-consumed, 0)
			cr = selfMade + max(lack, 0) + special
		}
		if i < len(in.history) && in.history[i].specs > 0 && known > 0 && !in.dryRunOff {
			// What this target did last time, for the share of those specs that runs now: by
			// time (reboots and creations go with the long specs), else by count.
			h, f := in.history[i], min(1, float64(known)/float64(in.history[i].specs))
			if h.took > 0 {
				f = min(1, float64(knownTook)/float64(h.took))
			}
			reboots = f * float64(h.reboots)
			cr = int(math.Round(f * float64(h.creations)))
			if in.pool && plain > 0 {
				cr = max(cr, min(plain, procs)) // more processes than last time each take one
			}
		}
		e.reboots += int(math.Round(reboots))
		e.creations += cr
		wall := in.t.suiteBoot + max(total/time.Duration(procs), longest)
		if procs > 1 {
			wall += parallelBoot
		}
		suiteWalls = append(suiteWalls, wall)
	}
	for _, w := range suiteWalls {
		if in.parallel {
			e.wall = max(e.wall, w)
		} else {
			e.wall += w
		}
	}
	return e
}

// specTime is one spec's expected duration and request count: what it took last time when
// known, else the model's.
func specTime(in estimateInput, s specNeeds) (time.Duration, int) {
	t := in.t
	if s.learnt > 0 {
		req := requestsBase
		if t.poll > 0 {
			req += pollsPerWait * int(s.learnt/t.poll)
		}
		return s.learnt, req
	}
	var wait time.Duration
	if s.observes {
		wait += t.observe
	}
	if !in.dryRunOff {
		wait += time.Duration(float64(s.reboots+s.waits) * rebootWaitScale * float64(t.reboot))
		if (s.special > 0 || s.settles) && in.creates {
			wait += t.stop
		}
		if s.instance && in.creates && !in.pool {
			wait += t.create
		}
	}
	req := requestsBase
	if t.poll > 0 {
		req += pollsPerWait * int(wait/t.poll)
	}
	// Polls run during the wait: each adds its round trip to the poll interval.
	d := wait + requestsBase*t.rtt
	if t.poll > 0 {
		d += time.Duration(float64(wait) * pollsPerWait * float64(t.rtt) / float64(t.poll))
	}
	if in.rate > 0 {
		d = max(d, time.Duration(float64(req)/in.rate*float64(time.Second)))
	}
	return d, req
}

// creations is the RunInstances calls a suite makes: with the pool, one instance per process
// that needs one (a spec holds one at a time) plus the special ones nothing lends; without it,
// one per spec.
func creations(in estimateInput, plain, special, procs int) int {
	if !in.creates || in.dryRunOff {
		return 0
	}
	n := plain
	if in.pool {
		n = min(plain, procs)
	}
	return n + special
}

// describe names the figures an estimate stood on.
func (t timings) describe() string {
	d := fmt.Sprintf("round trip %s, reboot %s, creation %s, observation window %s", estDur(t.rtt), estDur(t.reboot), estDur(t.create), estDur(t.observe))
	if t.assumed {
		// A read-only plan cannot time a transition; a first run against a slow target would
		// otherwise plan on an estimate many times too short without a word.
		d += "; transitions ASSUMED second-long: nothing has timed this target yet, a slower one takes many times longer (learnt.json in the output directory times the next run)"
	}
	return d
}

// estDur rounds an estimate's figure to what it can claim.
func estDur(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Minute:
		return d.Round(time.Minute)
	case d >= time.Second:
		return d.Round(time.Second)
	case d >= time.Millisecond:
		return d.Round(time.Millisecond)
	}
	return d.Round(10 * time.Microsecond)
}

// versus is the summary's line comparing the plan's prediction with what the run did.
func (e estimate) versus(wall time.Duration, reboots, creations int) string {
	line := fmt.Sprintf("predicted vs actual: wall %s vs %s, real reboots %d vs %d", estDur(e.wall), estDur(wall), e.reboots, reboots)
	if e.counted {
		line += fmt.Sprintf(", instance creations %d vs %d", e.creations, creations)
	}
	return line
}
