package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/reports"
)

// Files a run writes in its output directory.
const (
	junitFile  = "junit.xml"
	jsonFile   = "report.json"
	htmlFile   = "report.html"
	envReplay  = "REBOOTCONF_REPLAY_DIR" // the properties suite's replay-file directory
	rerunDir   = "rerun"                 // reproduce lines write here, never over the run's own reports
	replayFile = "entry: replay file"    // the properties suite's report entry naming a replay file
)

// reproduceDrops are run flags a reproduce line sets itself or that do not change what a
// spec does.
var reproduceDrops = map[string]bool{
	"junit-report": true, "output-dir": true, "suites": true, "seed": true, "focus": true, "label-filter": true,
	"progress-interval": true, "plan-only": true, "v": true, "parallel": true, "run-id": true, "shard": true,
}

// resolveOutputs fills in the JUnit path (default <output-dir>/junit.xml) and records the
// flags a reproduce line repeats.
func (c *runConfig) resolveOutputs(fs *flag.FlagSet) error {
	if c.outputDir == "" {
		return errors.New("--output-dir: name a directory")
	}
	junitSet := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "junit-report" {
			junitSet = true
		}
		if reproduceDrops[f.Name] {
			return
		}
		if m, ok := f.Value.(*multiFlag); ok {
			for _, v := range *m {
				c.targetArgs = append(c.targetArgs, "--"+f.Name+"="+v)
			}
			return
		}
		c.targetArgs = append(c.targetArgs, "--"+f.Name+"="+f.Value.String())
	})
	if c.opts.FixturesFile != "" {
		// Suite processes run in the output directory: hand them a path that still holds.
		abs, err := filepath.Abs(c.opts.FixturesFile)
		if err != nil {
			return fmt.Errorf("--fixtures: %v", err)
		}
		c.opts.FixturesFile = abs
	}
	switch {
	case junitSet && c.junit == "":
		return errors.New("--junit-report: name a file (or leave the flag out for <output-dir>/junit.xml)")
	case !junitSet:
		c.junit = filepath.Join(c.outputDir, junitFile)
	}
	return nil
}

// self is how a reproduce line names this program: as it was invoked when that was a path.
func self() string {
	if strings.ContainsRune(os.Args[0], '/') {
		return os.Args[0]
	}
	return "rebootconf"
}

// reproduce is the one command that re-runs just case c of suite su against the same
// target: the properties suite's replay file when it wrote one, else a run focused on the
// spec with the same seed and target flags. "" when c is no spec (a harness problem).
func (rs *runSetup) reproduce(su reports.Suite, c reports.Case) string {
	bin := su.Property(reports.PropSuite)
	if bin == "" {
		return ""
	}
	if f := strings.TrimSpace(c.Section(replayFile)); f != "" && bin == "properties" {
		args := []string{self(), "replay", f}
		for _, a := range rs.cfg.targetArgs {
			if flagIn(a, "endpoint", "region", "profile", "mutant", "dry-run-only") {
				args = append(args, a)
			}
		}
		return shellJoin(args)
	}
	text := c.SpecText()
	if text == "" {
		return ""
	}
	args := append([]string{self(), "run"}, rs.cfg.targetArgs...)
	args = append(args, "--suites", bin, "--seed", strconv.FormatInt(rs.cfg.seed, 10),
		"--focus", regexp.QuoteMeta(text)+"$", "--output-dir", filepath.Join(rs.cfg.outputDir, rerunDir))
	return shellJoin(args)
}

// flagIn reports whether arg ("--name=value") sets one of names.
func flagIn(arg string, names ...string) bool {
	name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
	for _, n := range names {
		if name == n {
			return true
		}
	}
	return false
}

// shellJoin quotes each word for a POSIX shell so a printed command can be pasted as is.
func shellJoin(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = shellQuote(w)
	}
	return strings.Join(out, " ")
}

var plainWord = regexp.MustCompile(`^[A-Za-z0-9_./:@%+=,-]+$`)

func shellQuote(s string) string {
	if plainWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeRunReports writes report.json and report.html next to the JUnit report's siblings
// in the output directory.
func (rs *runSetup) writeRunReports(merged reports.Suites, start time.Time, interrupted bool) (reports.RunReport, error) {
	tg := rs.pf.target
	meta := reports.RunMeta{
		Target: reports.RunTarget{Kind: string(tg.Kind), Endpoint: tg.Endpoint, Description: protocol.Redact(tg.Describe()), Mutants: tg.Mutants},
		RunID:  tg.RunID, Seed: rs.cfg.seed, LabelFilter: rs.cfg.labelFilter, Suites: rs.cfg.suites,
		PlanSpecs: rs.plan.specs, Estimate: rs.plan.estimate, Started: start, Wall: time.Since(start),
		Interrupted: interrupted, Reproduce: rs.reproduce,
	}
	rep := reports.BuildRunReport(merged, meta)
	if err := reports.WriteJSON(filepath.Join(rs.cfg.outputDir, jsonFile), rep); err != nil {
		return rep, err
	}
	return rep, reports.WriteHTML(filepath.Join(rs.cfg.outputDir, htmlFile), rep)
}

// printReproduce lists, for every failure, the command that re-runs just that case.
func printReproduce(w io.Writer, rep reports.RunReport) {
	first := true
	for _, s := range rep.Specs {
		if s.Reproduce == "" {
			continue
		}
		if first {
			fmt.Fprintln(w, "reproduce each failure (same target, seed and flags):")
			first = false
		}
		fmt.Fprintf(w, "  %s\n    %s\n", clipText(s.Name, 140), s.Reproduce)
	}
}
