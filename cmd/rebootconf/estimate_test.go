package main

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestPredict(t *testing.T) {
	sec := time.Second
	tm := timings{rtt: time.Millisecond, reboot: sec, create: sec / 2, stop: sec / 2, observe: sec, poll: 50 * time.Millisecond}
	plain := specNeeds{instance: true, observes: true}
	reboot := specNeeds{instance: true, observes: true, reboots: 1}
	stopped := specNeeds{special: 1, observes: true}
	bare := specNeeds{}
	many := func(n int, s specNeeds) []specNeeds {
		out := make([]specNeeds, n)
		for i := range out {
			out[i] = s
		}
		return out
	}
	for _, tc := range []struct {
		name               string
		in                 estimateInput
		wall               time.Duration
		reboots, creations int
	}{
		{"nothing", estimateInput{t: tm}, 0, 0, 0},
		{"bare specs cost their round trips", estimateInput{specs: [][]specNeeds{many(10, bare)}, t: tm, procs: 1},
			10 * requestsBase * time.Millisecond, 0, 0},
		{"the pool creates one instance per process", estimateInput{specs: [][]specNeeds{many(10, plain)}, t: tm, procs: 1, pool: true, creates: true},
			10 * (sec + (requestsBase+40)*time.Millisecond), 0, 1},
		{"without the pool one per spec, each waiting for it", estimateInput{specs: [][]specNeeds{many(10, plain)}, t: tm, procs: 1, creates: true},
			10 * (sec + sec/2 + (requestsBase+60)*time.Millisecond), 0, 10},
		{"procs divide the wall time, and each process takes a pool instance",
			estimateInput{specs: [][]specNeeds{many(10, plain)}, t: tm, procs: 2, pool: true, creates: true},
			parallelBoot + 5*(sec+(requestsBase+40)*time.Millisecond), 0, 2},
		{"a reboot adds its duration and its count",
			estimateInput{specs: [][]specNeeds{many(4, reboot)}, t: tm, procs: 1, pool: true, creates: true},
			4 * (2*sec + (requestsBase+80)*time.Millisecond), int(math.Round(4 * rebootsPerDisruptive)), 1},
		{"special instances nothing lends are created, and stopped",
			estimateInput{specs: [][]specNeeds{many(3, stopped)}, t: tm, procs: 1, pool: true, creates: true},
			3 * (sec + sec/2 + (requestsBase+60)*time.Millisecond), 0, 3},
		{"the control API creates nothing", estimateInput{specs: [][]specNeeds{many(3, stopped)}, t: tm, procs: 1},
			3 * (sec + (requestsBase+40)*time.Millisecond), 0, 0},
		{"--dry-run-only: no reboot, no creation", estimateInput{specs: [][]specNeeds{many(4, reboot)}, t: tm, procs: 1, creates: true, dryRunOff: true},
			4 * (sec + (requestsBase+40)*time.Millisecond), 0, 0},
		{"suites add up one after another", estimateInput{specs: [][]specNeeds{many(2, plain), many(2, plain)}, t: tm, procs: 1},
			4 * (sec + (requestsBase+40)*time.Millisecond), 0, 0},
		{"suites at once take the longest", estimateInput{specs: [][]specNeeds{many(2, plain), many(4, plain)}, t: tm, procs: 1, parallel: true},
			4 * (sec + (requestsBase+40)*time.Millisecond), 0, 0},
		{"the rate limit stretches each spec to its requests' share",
			estimateInput{specs: [][]specNeeds{many(2, plain)}, t: tm, procs: 1, rate: 2},
			2 * time.Duration(float64(requestsBase+40)/2*float64(sec)), 0, 0},
		{"instances a spec uses up are created again, pool or not",
			estimateInput{specs: [][]specNeeds{{plain, {instance: true, observes: true, consumes: 2}}}, t: tm, procs: 1, pool: true, creates: true},
			2 * (sec + (requestsBase+40)*time.Millisecond), 0, 3},
		{"an SDK client's reboot is waited for, not counted",
			estimateInput{specs: [][]specNeeds{{{instance: true, waits: 1}}}, t: tm, procs: 1, pool: true, creates: true},
			sec + (requestsBase+40)*time.Millisecond, 0, 1},
		{"the rate budget is shared by the processes",
			estimateInput{specs: [][]specNeeds{many(4, plain)}, t: tm, procs: 2, rate: 2},
			parallelBoot + 2*time.Duration(float64(requestsBase+40)*float64(sec)), 0, 0},
		{"what the last run took wins over the model",
			estimateInput{specs: [][]specNeeds{{{instance: true, observes: true, learnt: 3 * sec}}}, t: tm, procs: 1},
			3*sec + 0, 0, 0},
		{"the last run's reboots and creations, for the share of its specs that runs",
			estimateInput{specs: [][]specNeeds{{{instance: true, learnt: sec}, {instance: true, learnt: sec}}}, history: []suiteHistory{{specs: 4, reboots: 10, creations: 8}},
				t: tm, procs: 1, pool: true, creates: true},
			2 * sec, 5, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := predict(tc.in)
			if d := e.wall - tc.wall; d > time.Millisecond || d < -time.Millisecond {
				t.Errorf("wall %s, want %s", e.wall, tc.wall)
			}
			if e.reboots != tc.reboots || e.creations != tc.creations {
				t.Errorf("reboots %d creations %d, want %d and %d", e.reboots, e.creations, tc.reboots, tc.creations)
			}
		})
	}
}

func TestSpecNeedsOf(t *testing.T) {
	for _, tc := range []struct {
		suite  string
		labels []string
		want   specNeeds
	}{
		{"conformance", []string{"RI-ERR-010"}, specNeeds{}},
		{"conformance", []string{"RI-STATE-001", "disruptive"}, specNeeds{reboots: 1, instance: true, observes: true}},
		{"conformance", []string{"RI-DRYRUN-001"}, specNeeds{instance: true, observes: true}},
		{"conformance", []string{"RI-STATE-009"}, specNeeds{reboots: 1, instance: true, observes: true, holds: 2}},
		{"sdkclients", []string{"SDK-OP-001", "disruptive", "sdk:go-legacy"}, specNeeds{waits: 1, instance: true, client: "go-legacy"}},
		{"sdkclients", []string{"RI-STATE-001", "disruptive", "sdk:popcore"}, specNeeds{reboots: 1, instance: true, client: "popcore"}},
	} {
		got := specNeedsOf(tc.suite, tc.labels)
		got.caps = nil
		if got.reboots != tc.want.reboots || got.waits != tc.want.waits || got.instance != tc.want.instance ||
			got.observes != tc.want.observes || got.client != tc.want.client || got.special != tc.want.special || got.consumes != tc.want.consumes {
			t.Errorf("%s %v: %+v, want %+v", tc.suite, tc.labels, got, tc.want)
		}
	}
	if n := specNeedsOf("conformance", []string{"RI-STATE-005"}); n.special != 1 || len(n.caps) != 1 || !n.observes {
		t.Errorf("RI-STATE-005 (a Stopped instance): %+v", n)
	}
}

// With the run's pool file, a later suite takes what an earlier one left, what a client
// creates feeds the pool and deletions use it up (measured: 24 creations predicted and made
// against serve --no-control at --procs 1).
func TestPredictRunWidePoolCreations(t *testing.T) {
	plain := specNeeds{instance: true}
	conformance := []specNeeds{plain, plain, {instance: true, holds: 2}, {instance: true, consumes: 1}}
	sdk := []specNeeds{plain, {instance: true, creates: 2}, {instance: true, creates: 1}, {instance: true, consumes: 2}}
	in := estimateInput{specs: [][]specNeeds{conformance, sdk}, procs: 1, pool: true, runPool: true, creates: true, t: timings{rtt: time.Millisecond}}
	// conformance: a peak of 3 (one plus two bystanders) and one used up; sdk: 3 of its own, 2 used up.
	if got := predict(in).creations; got != 4+3 {
		t.Errorf("run-wide pool: %d creations, want 7", got)
	}
	in.runPool = false
	if got := predict(in).creations; got != (1+1)+(1+2+3) {
		t.Errorf("per-process pools: %d creations, want 8", got)
	}
}

// A plan that could not time the target says its estimate stands on a guess.
func TestAssumedTimingsAreSaid(t *testing.T) {
	if d := (timings{assumed: true}).describe(); !strings.Contains(d, "ASSUMED") {
		t.Errorf("assumed timings described as %q", d)
	}
	if d := (timings{}).describe(); strings.Contains(d, "ASSUMED") {
		t.Errorf("measured timings described as %q", d)
	}
}
