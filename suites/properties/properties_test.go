package properties_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	"pgregory.net/rapid"

	"github.com/rebootconf/rebootconf/fixtures/replay"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/generators"
	"github.com/rebootconf/rebootconf/reports"
	"github.com/rebootconf/rebootconf/suites/internal/ginkgorapid"
)

var _ = Describe("RebootInstance properties", Label("fuzz", "area:fuzz"), func() {
	for _, p := range generators.Properties() {
		It(itText(p), Label(strings.ReplaceAll(p.Name, " ", "-")), func() {
			switch {
			case p.Needs != "" && tgt.DryRunOnly():
				Skip("--dry-run-only: builds worlds and reboots through the control API")
			case p.Needs == "control" && base.Control == nil:
				Skip("needs a control API (worlds with held transitions); the target has none")
			case p.Needs == "faults" && !base.Faults:
				Skip("needs fault injection through the control API; the target has none")
			}
			env := base
			env.Recorder = &generators.Recorder{}
			ginkgorapid.Check(p.Fn(env), onFailure(env.Recorder, p))
			AddReportEntry("throughput", fmt.Sprintf("%d cases, %d requests", env.Recorder.Cases, env.Recorder.Requests))
		})
	}
})

func itText(p generators.Property) string {
	return map[string]string{
		"model agreement": "answers every generated request with an outcome the model allows",
		"envelope":        "never answers 5xx unless a fault is injected, and every body carries RequestId, Code and Message",
		"isolation":       "changes nothing on DryRun and only the named instance on RebootInstance",
		"stateful":        "agrees with the model at every step of random interleavings over several instances",
		"concurrency":     "accepts exactly one of N concurrent reboots of one Running instance",
		"ambiguity":       "treats a lost answer as maybe-applied and settles it by later observation",
	}[p.Name]
}

// onFailure turns the minimal failing case into artefacts a person can act on: the
// redacted HTTP exchanges, a replay file and one command to replay it.
func onFailure(rec *generators.Recorder, p generators.Property) func(string) {
	return func(report string) {
		spec := CurrentSpecReport().FullText()
		failfile, seed := ginkgorapid.Reproduction(report)
		c := rec.Last()
		if c == nil {
			addBehaviours(p.Behaviours)
			AddReportEntry("rapid", report)
			return
		}
		addBehaviours(append(slices.Clone(p.Behaviours), c.Behaviours...))
		seq := c.Sequence
		seq.Spec, seq.Seed = spec, seed
		seq.Command = goTestCommand(spec, seed, failfile)
		path := filepath.Join(replayDir(), replay.FileName(spec))
		if abs, err := filepath.Abs(path); err == nil {
			path = abs // the suite runs in the output directory; the line is pasted elsewhere
		}
		saved := replay.Save(path, seq)
		AddReportEntry("minimal case: failure", c.Failure)
		AddReportEntry("minimal case: HTTP exchanges", c.Transcript)
		if saved == nil {
			AddReportEntry("replay file", path) // `rebootconf run` builds the reproduce line from it
		}
		how := fmt.Sprintf("%s\nrapid: seed %d, fail file %s\nre-run: %s", replay.CommandLine(path, replayEndpoint()), seed, failfile, seq.Command)
		if saved != nil {
			how = fmt.Sprintf("could not write the replay file: %v\n%s", saved, how)
		}
		AddReportEntry("replay", how)
	}
}

// goTestCommand re-runs the property from a source checkout against the same target: rapid's
// fail file by absolute path (the suite's working directory is not the caller's), else the seed.
func goTestCommand(spec string, seed uint64, failfile string) string {
	env := ""
	if tgt != nil && tgt.Kind != target.KindEmbedded {
		env = target.EnvEndpoint + "=" + tgt.Endpoint + " "
	}
	rerun := fmt.Sprintf("-rapid.seed=%d", seed)
	if failfile != "" {
		if abs, err := filepath.Abs(failfile); err == nil {
			failfile = abs
		}
		rerun = fmt.Sprintf("-rapid.failfile=%q", failfile)
	}
	return fmt.Sprintf("%sgo test ./suites/properties -ginkgo.focus=%q %s", env, spec, rerun)
}

// addBehaviours lists what a failure broke, so the reports file it under those behaviours.
func addBehaviours(ids []string) {
	if len(ids) > 0 {
		slices.Sort(ids)
		AddReportEntry(reports.EntryBehaviours, strings.Join(slices.Compact(ids), ","))
	}
}

var _ = rapid.Check // rapid is linked in for its flags (-rapid.checks, -rapid.seed ...)

// replayEndpoint is the target to name in the replay command: this run's, unless it was the
// embedded emulator, which is gone when the suite ends (then any target, e.g. rebootconf serve).
func replayEndpoint() string {
	if tgt != nil && tgt.Kind != target.KindEmbedded {
		return tgt.Endpoint
	}
	return "URL"
}
