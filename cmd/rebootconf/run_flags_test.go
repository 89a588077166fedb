package main

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/reports"
)

func TestRunFlags(t *testing.T) {
	c, err := parseRunFlags([]string{"--endpoint", "http://127.0.0.1:1", "--rate", "2.5", "--call-timeout", "3s", "--poll-max", "2s",
		"--provision-timeout", "4m", "--preflight-timeout", "5s"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.opts.Rate != 2.5 || c.opts.Timing.CallTimeout != 3*time.Second || c.opts.Timing.PollMax != 2*time.Second ||
		c.opts.Timing.ProvisionBound != 4*time.Minute || c.preflight != 5*time.Second || !slices.Equal(c.suites, splitList(defaultSuites)) {
		t.Fatalf("parsed %+v", c)
	}
	env := strings.Join(c.opts.Env(), " ")
	for _, want := range []string{target.EnvRate + "=2.5", target.EnvCallTimeout + "=3s", target.EnvPollMax + "=2s", target.EnvProvisionBound + "=4m0s"} {
		if !strings.Contains(env, want) {
			t.Errorf("suite environment lacks %s: %s", want, env)
		}
	}
	// --dry-run-only keeps every suite: each skips, with its reason, what needs real changes.
	c, _ = parseRunFlags([]string{"--dry-run-only"}, io.Discard)
	if !slices.Equal(c.suites, splitList(defaultSuites)) || !c.opts.DryRunOnly {
		t.Fatalf("--dry-run-only suites %v", c.suites)
	}
	c, err = parseRunFlags([]string{"--fuzz-checks", "500", "--fuzz-steps", "40", "--fuzz-duration", "10m", "--fuzz-reboots", "3"}, io.Discard)
	if err != nil || c.fuzz != (fuzzBudget{checks: 500, steps: 40, reboots: 3, duration: 10 * time.Minute}) {
		t.Fatalf("fuzz budget flags: %+v %v", c.fuzz, err)
	}
	if c, err := parseRunFlags([]string{"--shard", "2/3"}, io.Discard); err != nil || c.shard != (reports.Shard{Index: 2, Count: 3}) {
		t.Errorf("--shard 2/3: %+v %v", c.shard, err)
	}
	for _, bad := range [][]string{{"--fuzz-checks", "-1"}, {"--fuzz-duration", "-1s"}, {"--preflight-timeout", "0s"}, {"--timeout", "-1s"}, {"--procs", "-1"}, {"--procs", "65"}, {"--suites", ","}, {"stray"}, {"--access-key-secret", "x"}} {
		if _, err := parseRunFlags(bad, io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// Only the properties binary links rapid, so only it may get rapid's flags, and a
// run with a planted bug must not leave a fail file that later runs would re-check.
func TestSuiteArgs(t *testing.T) {
	c, err := parseRunFlags([]string{"--mutant", "prefix-id-match", "--seed", "7", "--fuzz-checks", "9"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	props := strings.Join(suiteArgs(c, suiteBinary{name: "properties"}), " ")
	for _, want := range []string{"-rapid.seed=7", "-rapid.checks=9", "-rapid.nofailfile", "-ginkgo.seed=7"} {
		if !strings.Contains(props, want) {
			t.Errorf("properties args lack %s: %s", want, props)
		}
	}
	if conf := strings.Join(suiteArgs(c, suiteBinary{name: "conformance"}), " "); strings.Contains(conf, "-rapid.") {
		t.Errorf("conformance binary given rapid flags: %s", conf)
	}
	c, _ = parseRunFlags(nil, io.Discard)
	if props := strings.Join(suiteArgs(c, suiteBinary{name: "properties"}), " "); strings.Contains(props, "nofailfile") {
		t.Errorf("a run on the faithful target keeps rapid's fail files (they re-check a failure next run): %s", props)
	}
}

// -h is a request, not a mistake: every command prints its flags and exits 0; a bad flag exits 2.
func TestHelpExitsZero(t *testing.T) {
	for name := range commands {
		var out, errOut strings.Builder
		if code := dispatch([]string{name, "-h"}, &out, &errOut); code != exitPass {
			t.Errorf("%s -h: exit %d, want %d\n%s", name, code, exitPass, errOut.String())
		}
		if name == "version" {
			continue
		}
		if code := dispatch([]string{name, "--no-such-flag"}, &out, &errOut); code != exitConfig {
			t.Errorf("%s --no-such-flag: exit %d, want %d", name, code, exitConfig)
		}
	}
}

// Mistakes the suites would only hit later exit 2 before anything runs.
func TestRunRefusesBeforeRunning(t *testing.T) {
	if _, err := parseRunFlags([]string{"--label-filter", "(("}, io.Discard); err == nil || !strings.Contains(err.Error(), "--label-filter") {
		t.Errorf("an unparsable label filter was accepted: %v", err)
	}
	dir := t.TempDir()
	for _, bad := range []string{dir, filepath.Join(dir, "file", "junit.xml")} {
		_ = os.WriteFile(filepath.Join(dir, "file"), nil, 0o644)
		var errOut strings.Builder
		if code := dispatch([]string{"run", "--junit-report", bad}, io.Discard, &errOut); code != exitConfig || !strings.Contains(errOut.String(), "--junit-report") {
			t.Errorf("run --junit-report %s: exit %d, want %d with a clear error:\n%s", bad, code, exitConfig, errOut.String())
		}
	}
}

// A selection that runs nothing is a usage error (a typo'd filter must not pass CI), with
// --plan-only and without.
func TestEmptySelectionExitsTwo(t *testing.T) {
	dir := fakeSuite(t, "fake", []string{"RI-STATE-001", "state"})
	junit := filepath.Join(t.TempDir(), "junit.xml")
	for _, extra := range [][]string{{"--plan-only"}, {"--junit-report", junit}} {
		var out, errOut strings.Builder
		args := append([]string{"run", "--suites-dir", dir, "--suites", "fake", "--label-filter", "RI-NOPE-001"}, extra...)
		code := dispatch(args, &out, &errOut)
		if code != exitConfig || !strings.Contains(errOut.String(), "runs no spec") || strings.Count(errOut.String(), "\n") != 1 {
			t.Errorf("%v: exit %d, want %d with one line\nstdout:\n%s\nstderr:\n%s", extra, code, exitConfig, out.String(), errOut.String())
		}
	}
}
