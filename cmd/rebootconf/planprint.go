package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

// skipReason says why a behaviour will not run on this target, or "" when it will.
func skipReason(tg *target.Target, dryRunOnly bool, b contract.Behaviour) string {
	if dryRunOnly && b.Disruptive {
		return "--dry-run-only: really reboots an instance"
	}
	if dryRunOnly && b.RealCall {
		return "--dry-run-only: sends a RebootInstance that is not a DryRun (one the target must refuse)"
	}
	for _, c := range b.Needs {
		if c == contract.CapControl {
			if tg.Control == nil {
				return "needs the emulator control API"
			}
			continue
		}
		in, ok := c.Instance()
		if !ok {
			continue
		}
		if err := tg.CanProvision(target.SpecFor(in)); err != nil {
			return strings.TrimPrefix(err.Error(), target.ErrUnsupported.Error()+": ")
		}
	}
	return ""
}

// suitePlan is what one suite binary will run, read from a Ginkgo dry run.
type suitePlan struct {
	name                 string
	specs, disruptive    int
	needInstance, errMsg string
	behaviours           map[string]bool // catalogue IDs the selected specs check
	list                 []plannedSpec   // the selected specs (sharding, the estimate)
}

// planSuites dry-runs each suite binary (nothing is sent anywhere) and counts the specs the
// label filter selects.
func planSuites(bins []suiteBinary, labelFilter string, extraEnv []string) []suitePlan {
	match := func([]string) bool { return true }
	if labelFilter != "" {
		if f, err := types.ParseLabelFilter(labelFilter); err == nil {
			match = f
		}
	}
	out := make([]suitePlan, 0, len(bins))
	for _, b := range bins {
		sp := suitePlan{name: b.name, behaviours: map[string]bool{}}
		specs, err := dryRunSpecs(b, extraEnv...)
		if err != nil {
			sp.errMsg = err.Error()
		}
		for _, s := range specs {
			if !match(s.Labels()) {
				continue
			}
			sp.specs++
			sp.list = append(sp.list, planned(b.name, s, specNeedsOf(b.name, s.Labels())))
			for _, l := range s.Labels() {
				if _, ok := contract.Lookup(l); ok {
					sp.behaviours[l] = true
				}
			}
			if slices.Contains(s.Labels(), "disruptive") {
				sp.disruptive++
			}
		}
		out = append(out, sp)
	}
	return out
}

// typical are the durations an estimate assumes for one reboot and one instance creation.
func typical(ctx context.Context, tg *target.Target) (reboot, create time.Duration) {
	switch {
	case tg.Kind == target.KindCloud:
		return time.Minute, 90 * time.Second
	case tg.Control != nil:
		if st, err := tg.Control.Transitions(ctx); err == nil && st.Mode != control.ModeStuck {
			return time.Duration(st.StartingMs) * time.Millisecond, 0
		}
	case tg.Kind == target.KindEmbedded:
		return 50 * time.Millisecond, 0
	}
	return 10 * tg.Timing.Poll, 20 * tg.Timing.Poll
}

// runPlan is what the plan found: the specs each suite's selection holds (progress and the
// empty-selection check read it) and the estimated duration.
type runPlan struct {
	specs     map[string]int // by suite name
	listed    bool           // every suite's specs could be listed
	estimate  time.Duration
	predicted estimate                 // wall, reboots, creations: the summary compares them with the run's
	shard     map[string][]plannedSpec // under --shard: the specs this shard runs, by suite
}

// total is the number of specs selected in every suite.
func (p runPlan) total() int {
	n := 0
	for _, c := range p.specs {
		n += c
	}
	return n
}

// printPlan prints what will run, what will be skipped and why, and what it will cost.
func printPlan(ctx context.Context, w io.Writer, cfg runConfig, pf *preflightResult, bins []suiteBinary) (runPlan, error) {
	tg := pf.target
	fmt.Fprintf(w, "rebootconf plan\n  target: %s\n  run id: %s (tag %s=%s)\n", tg.Describe(), tg.RunID, target.RunTagKey, tg.RunID)
	for _, n := range pf.notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	plans := planSuites(bins, cfg.labelFilter, cfg.ext.env())
	selected, listed := map[string]bool{}, true
	rp := runPlan{specs: map[string]int{}}
	for _, p := range plans {
		rp.specs[p.name] = p.specs
		listed = listed && p.errMsg == ""
		for id := range p.behaviours {
			selected[id] = true
		}
	}
	var runIDs []string
	var creations int
	reasons := map[string][]string{}
	for _, b := range contract.Catalogue() {
		if listed && !selected[b.ID] {
			r := "no selected spec checks it (--suites, --label-filter)"
			reasons[r] = append(reasons[r], b.ID)
			continue
		}
		if r := skipReason(tg, cfg.opts.DryRunOnly, b); r != "" {
			reasons[r] = append(reasons[r], b.ID)
			continue
		}
		runIDs = append(runIDs, b.ID)
		if len(b.Needs) > 0 {
			creations++
		}
	}
	fmt.Fprintf(w, "  behaviours: %d will run, %d will be skipped\n", len(runIDs), len(contract.Catalogue())-len(runIDs))
	if len(runIDs) > 0 {
		fmt.Fprintf(w, "    run  %s\n", strings.Join(runIDs, " "))
	}
	for _, r := range slices.Sorted(maps.Keys(reasons)) {
		fmt.Fprintf(w, "    skip %s: %s\n", strings.Join(reasons[r], " "), r)
	}
	var specs, disruptive int
	var parts []string
	for _, p := range plans {
		specs += p.specs
		disruptive += p.disruptive
		part := fmt.Sprintf("%s (%d specs, %d disruptive)", p.name, p.specs, p.disruptive)
		if p.errMsg != "" {
			part = fmt.Sprintf("%s (could not list its specs: %s)", p.name, clipText(p.errMsg, 120))
		}
		parts = append(parts, part)
	}
	fmt.Fprintf(w, "  suites: %s; label filter %q, seed %d, procs %d per suite\n", strings.Join(parts, ", "), cfg.labelFilter, cfg.seed, max(cfg.procs, 1))
	rp.listed = listed
	run := map[string][]plannedSpec{}
	for _, p := range plans {
		run[p.name] = p.list
	}
	if cfg.shard.Count > 0 {
		if !listed {
			return rp, errNoShardList
		}
		run = rp.applyShard(w, cfg.shard, run, specs)
	}
	rp.predicted = printCost(ctx, w, cfg, tg, pf.latency, run, len(bins))
	rp.estimate = rp.predicted.wall
	return rp, ctx.Err()
}

// printCost prints the real reboots, instance creations and duration the run is expected to
// take (predict, from the specs that will run and the target's timings), and returns the
// prediction. The caps are hard limits.
func printCost(ctx context.Context, w io.Writer, cfg runConfig, tg *target.Target, latency time.Duration, run map[string][]plannedSpec, suites int) estimate {
	capText := "no cap"
	if tg.MaxReboots() > 0 {
		capText = fmt.Sprintf("capped at %d for the whole run", tg.MaxReboots())
	}
	t := targetTimings(ctx, cfg, tg, latency)
	est := predict(estimateFor(cfg, tg, t, run))
	switch {
	case cfg.opts.DryRunOnly:
		fmt.Fprintln(w, "  real reboots: none (--dry-run-only: only DryRun and read calls are sent)")
	default:
		props := ""
		if slices.Contains(cfg.suites, "properties") {
			switch {
			case tg.Control != nil:
				props = " plus the properties' generated ones (many: this target's instances are emulated)"
			case cfg.fuzz.reboots > 0:
				props = fmt.Sprintf(" plus up to %d from the properties (--fuzz-reboots)", cfg.fuzz.reboots)
			}
		}
		fmt.Fprintf(w, "  real reboots: about %d (one or more per disruptive spec)%s, %s\n", est.reboots, props, capText)
	}
	switch {
	case tg.Kind == target.KindEmbedded:
		fmt.Fprintln(w, "  instance creations: in the embedded emulator only")
	case tg.Control != nil:
		fmt.Fprintln(w, "  instance creations: through the control API (emulator instances, tagged with the run id, deleted at the end)")
	case est.creations == 0:
		fmt.Fprintln(w, "  instance creations: none")
	default:
		pool := fmt.Sprintf("the instance pool reuses Running ones (%d process(es) per suite)", max(cfg.procs, 1))
		if cfg.opts.NoPool {
			pool = "one per spec that needs one (--no-pool)"
		}
		fmt.Fprintf(w, "  instance creations: about %d through RunInstances (%s), tagged %s=%s, deleted at the end, on interrupt and by the final leak check\n",
			est.creations, pool, target.RunTagKey, tg.RunID)
	}
	bound := time.Duration(est.reboots)*tg.Timing.RebootBound + time.Duration(est.creations)*tg.Timing.ProvisionBound + time.Duration(est.requests)*tg.Timing.CallTimeout/10
	bound = min(bound, time.Duration(suites)*cfg.timeout)
	fmt.Fprintf(w, "  estimated duration: about %s (%s; at most %s if every wait runs to its bound)\n", estDur(est.wall), t.describe(), roundDur(max(bound, est.wall)))
	return est
}

func roundDur(d time.Duration) time.Duration {
	switch {
	case d >= time.Minute:
		return d.Round(time.Minute)
	case d >= time.Second:
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}
