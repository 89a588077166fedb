package main

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

// learntFile is where a run leaves what it learnt of the target's reboots, in its output
// directory, for the estimate of the next run against the same target.
const learntFile = "learnt.json"

// savedLearnt is learnt.json: the target it was learnt on, what its reboots took and, by
// suite, what each spec took and what the suite cost.
type savedLearnt struct {
	Endpoint string                 `json:"endpoint"`
	Learnt   target.Learnt          `json:"learnt"`
	Suites   map[string]learntSuite `json:"suites"`
}

// learntSuite is one suite of an earlier run.
type learntSuite struct {
	Seconds   map[string]float64 `json:"seconds"` // by spec text
	Reboots   int                `json:"reboots"`
	Creations int                `json:"creations"`
}

// loadLearnt reads what an earlier run against endpoint left in <output-dir>/learnt.json
// (nothing for another endpoint or the embedded emulator).
func loadLearnt(outputDir, endpoint string) savedLearnt {
	var s savedLearnt
	data, err := os.ReadFile(filepath.Join(outputDir, learntFile))
	if endpoint == "" || err != nil || json.Unmarshal(data, &s) != nil || s.Endpoint != endpoint {
		return savedLearnt{}
	}
	return s
}

// missingIDs is the suffix a testcase name gets for behaviour IDs its text does not name.
var missingIDs = regexp.MustCompile(` \[[A-Z]+-[^\]]*\]$`)

// saveLearnt keeps what this run learnt of the target for the next run's estimate: an
// interrupted run or the embedded emulator teaches nothing.
func (rs *runSetup) saveLearnt(results []suiteResult) {
	endpoint := rs.pf.target.Endpoint
	if endpoint == "" || rs.pf.target.Kind == target.KindEmbedded {
		return
	}
	s := savedLearnt{Endpoint: endpoint, Learnt: target.LoadLearntFrom(rs.workDir), Suites: map[string]learntSuite{}}
	for i, r := range results {
		ls := learntSuite{Seconds: map[string]float64{}, Reboots: int(r.stats.Reboots), Creations: r.created}
		for _, su := range r.suites.Suites {
			for _, c := range su.Cases {
				if c.Verdict() != "interrupted" {
					ls.Seconds[missingIDs.ReplaceAllString(c.Name, "")] = float64(c.Time)
				}
			}
		}
		s.Suites[rs.bins[i].name] = ls
	}
	if data, err := json.MarshalIndent(s, "", "  "); err == nil {
		_ = os.WriteFile(filepath.Join(rs.cfg.outputDir, learntFile), append(data, '\n'), 0o644)
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
		t.assumed = true
	}
	if l := loadLearnt(cfg.outputDir, tg.Endpoint).Learnt; l.Reboots > 0 && l.MaxReboot > 0 {
		t.reboot, t.assumed = l.MaxReboot, false
	}
	return t
}

// estimateFor lays the specs that will run out for predict: a spec needing what the target
// cannot give is skipped at once; a special instance the fixtures file lends is no creation.
func estimateFor(cfg runConfig, tg *target.Target, t timings, run map[string][]plannedSpec) estimateInput {
	lent := lentInstances(cfg.opts.FixturesFile)
	in := estimateInput{procs: cfg.procs, pool: !cfg.opts.NoPool, runPool: !cfg.opts.NoPool, creates: tg.Control == nil && tg.Kind != target.KindEmbedded,
		parallel: cfg.parallel && !cfg.verbose && tg.Kind == target.KindEmbedded, rate: cfg.opts.Rate, t: t, dryRunOff: cfg.opts.DryRunOnly}
	if in.rate == 0 && tg.Kind == target.KindCloud {
		in.rate = 5
	}
	past := loadLearnt(cfg.outputDir, tg.Endpoint)
	clients := builtinClients()
	for _, name := range slices.Sorted(maps.Keys(run)) {
		var specs []specNeeds
		ls := past.Suites[name]
		for _, s := range run[name] {
			n := resolveNeeds(s.needs, tg, lent, clients, !cfg.opts.NoPool)
			if sec, ok := ls.Seconds[s.text]; ok {
				n.learnt = max(time.Duration(sec*float64(time.Second)), time.Microsecond)
			}
			specs = append(specs, n)
		}
		in.specs = append(in.specs, specs)
		in.procsBy = append(in.procsBy, suiteProcs(cfg, suiteBinary{name: name}))
		h := suiteHistory{specs: len(ls.Seconds), reboots: ls.Reboots, creations: ls.Creations}
		for _, sec := range ls.Seconds {
			h.took += max(time.Duration(sec*float64(time.Second)), time.Microsecond)
		}
		in.history = append(in.history, h)
	}
	return in
}

// resolveNeeds is what spec n will really cost on tg.
// With the pool, a plain Stopped, Starting or Stopping instance is a pool instance stopped,
// started or rebooted for the spec (rig/pool.go), not a creation; Pending always is one.
func resolveNeeds(n specNeeds, tg *target.Target, lent []target.InstanceSpec, clients map[string]bool, pool bool) specNeeds {
	if n.control && tg.Control == nil {
		return specNeeds{} // skipped: needs the control API
	}
	if ok, known := clients[n.client]; known && !ok {
		return specNeeds{} // skipped: the client cannot run here
	}
	n.special = 0
	for _, c := range n.caps {
		in, _ := c.Instance()
		spec := target.SpecFor(in)
		if tg.CanProvision(spec) != nil {
			return specNeeds{} // skipped: nothing can provide it
		}
		switch {
		case slices.ContainsFunc(lent, func(l target.InstanceSpec) bool { return sameSpec(l, spec) }):
		case pool && tg.Control == nil && fromPool(spec):
			n.settles = true
		default:
			n.special = 1
		}
	}
	return n
}

// fromPool says whether the pool turns one of its instances into spec.
func fromPool(spec target.InstanceSpec) bool {
	if len(spec.LockReasons) > 0 || len(spec.Conditions) > 0 {
		return false
	}
	switch spec.Status {
	case control.StatusStopped, control.StatusStarting, control.StatusStopping:
		return true
	}
	return false
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

// builtinClients says which of the sdkclients suite's own testees can run here, as that
// suite looks for them: the Go testee next to this program (or $REBOOTCONF_GO_TESTEE), the
// Node ones where `npm ci` installed their modules (or $REBOOTCONF_POPCORE_DIR). An estimate
// only: a client it cannot place counts as running.
func builtinClients() map[string]bool {
	goOK := os.Getenv("REBOOTCONF_GO_TESTEE") != ""
	var dirs []string
	if d := os.Getenv("REBOOTCONF_POPCORE_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	if exe, err := os.Executable(); err == nil {
		bin := filepath.Dir(exe)
		for _, p := range []string{filepath.Join(bin, "rebootconf-testee"), filepath.Join(bin, "..", "rebootconf-testee")} {
			if _, err := os.Stat(p); err == nil {
				goOK = true
			}
		}
		dirs = append(dirs, filepath.Join(bin, "..", "suites", "sdkclients", "node"))
	}
	dirs = append(dirs, filepath.Join("suites", "sdkclients", "node"))
	_, nodeErr := exec.LookPath("node")
	nodeOK := false
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "node_modules", "@alicloud", "pop-core", "package.json")); err == nil && nodeErr == nil {
			nodeOK = true
		}
	}
	return map[string]bool{"go-legacy": goOK, "go-tea-acs3": goOK, "go-tea-v1": goOK,
		"popcore": nodeOK, "tea-ts-acs3": nodeOK, "tea-ts-v1": nodeOK}
}
