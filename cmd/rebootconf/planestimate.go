package main

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/target"
)

// learntFile is where a run leaves what it learnt of the target's reboots, in its output
// directory, for the estimate of the next run against the same target.
const learntFile = "learnt.json"

// savedLearnt is learnt.json: the target it was learnt on and what was learnt.
type savedLearnt struct {
	Endpoint string        `json:"endpoint"`
	Learnt   target.Learnt `json:"learnt"`
}

// loadLearnt reads what an earlier run against endpoint learnt: $REBOOTCONF_LEARNT_DIR's
// files when set, else <output-dir>/learnt.json; the zero Learnt without either.
func loadLearnt(outputDir, endpoint string) target.Learnt {
	if dir := os.Getenv(target.EnvLearntDir); dir != "" {
		return target.LoadLearntFrom(dir)
	}
	var s savedLearnt
	data, err := os.ReadFile(filepath.Join(outputDir, learntFile))
	if err != nil || json.Unmarshal(data, &s) != nil || s.Endpoint != endpoint {
		return target.Learnt{}
	}
	return s.Learnt
}

// saveLearnt keeps what this run's suites learnt for the next run's estimate.
func saveLearnt(workDir, outputDir, endpoint string) {
	l := target.LoadLearntFrom(workDir)
	if l.Reboots == 0 || endpoint == "" {
		return
	}
	data, err := json.MarshalIndent(savedLearnt{Endpoint: endpoint, Learnt: l}, "", "  ")
	if err == nil {
		_ = os.WriteFile(filepath.Join(outputDir, learntFile), append(data, '\n'), 0o644)
	}
}

// targetTimings are the figures the estimate uses for tg: the preflight's round trip, what
// an earlier run learnt of its reboots, the kind's defaults for the rest.
func targetTimings(ctx context.Context, cfg runConfig, tg *target.Target, latency time.Duration) timings {
	rb, cr := typical(ctx, tg)
	t := timings{rtt: max(latency, 200*time.Microsecond), reboot: rb, create: cr, stop: cr / 2,
		observe: tg.Timing.ObserveWindow, poll: tg.Timing.Poll, suiteBoot: 500 * time.Millisecond}
	if tg.Kind == target.KindEndpoint && tg.Control == nil {
		// An emulator without the control API: second-long transitions unless learnt otherwise.
		t.reboot, t.create, t.stop = time.Second, 500*time.Millisecond, 500*time.Millisecond
	}
	if l := loadLearnt(cfg.outputDir, tg.Endpoint); l.Reboots > 0 && l.MaxReboot > 0 {
		t.reboot = l.MaxReboot
	}
	return t
}

// estimateFor lays the specs that will run out for predict: a spec needing what the target
// cannot give is skipped at once; a special instance the fixtures file lends is no creation.
func estimateFor(cfg runConfig, tg *target.Target, t timings, run map[string][]plannedSpec) estimateInput {
	lent := lentInstances(cfg.opts.FixturesFile)
	in := estimateInput{procs: cfg.procs, pool: !cfg.opts.NoPool, creates: tg.Control == nil && tg.Kind != target.KindEmbedded,
		parallel: cfg.parallel && !cfg.verbose && tg.Kind == target.KindEmbedded, rate: cfg.opts.Rate, t: t, dryRunOff: cfg.opts.DryRunOnly}
	if in.rate == 0 && tg.Kind == target.KindCloud {
		in.rate = 5
	}
	for _, name := range slices.Sorted(maps.Keys(run)) {
		var specs []specNeeds
		for _, s := range run[name] {
			specs = append(specs, resolveNeeds(s.needs, tg, lent))
		}
		in.specs = append(in.specs, specs)
	}
	return in
}

// resolveNeeds is what spec n will really cost on tg.
func resolveNeeds(n specNeeds, tg *target.Target, lent []target.InstanceSpec) specNeeds {
	if n.control && tg.Control == nil {
		return specNeeds{} // skipped: needs the control API
	}
	n.special = 0
	for _, c := range n.caps {
		spec, _ := capabilitySpec(c)
		if tg.CanProvision(spec) != nil {
			return specNeeds{} // skipped: nothing can provide it
		}
		if !slices.ContainsFunc(lent, func(l target.InstanceSpec) bool { return sameSpec(l, spec) }) {
			n.special = 1
		}
	}
	return n
}

func sameSpec(a, b target.InstanceSpec) bool {
	return a.Status == b.Status && slices.Equal(a.LockReasons, b.LockReasons) && slices.Equal(a.Conditions, b.Conditions)
}

// lentInstances reads the instances a fixtures file lends (none without one).
func lentInstances(path string) []target.InstanceSpec {
	var f struct {
		Instances []target.PoolInstance `json:"instances"`
	}
	data, err := os.ReadFile(path)
	if path == "" || err != nil || json.Unmarshal(data, &f) != nil {
		return nil
	}
	var out []target.InstanceSpec
	for _, in := range f.Instances {
		out = append(out, target.InstanceSpec{Status: in.Status, LockReasons: in.LockReasons, Conditions: in.Conditions})
	}
	return out
}
