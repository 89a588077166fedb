package teeth

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/emulator"
	"github.com/rebootconf/rebootconf/reports"
)

// The configuration every other emulator is in: `rebootconf serve --no-control` as a
// separate process, second-long transitions (Pending 0.3 s, Starting 1 s, Stopping 0.5 s),
// and a fixtures file lending the instances no RunInstances call can make.
const (
	noControlWorld    = "testdata/nocontrol-world.json"
	noControlFixtures = "testdata/nocontrol-fixtures.json"
)

// noControlEnv keeps a mutant that never finishes a reboot from costing the endpoint
// default of two minutes per spec; everything else is the endpoint defaults.
var noControlEnv = []string{"REBOOTCONF_REBOOT_TIMEOUT=20s", "REBOOTCONF_PROVISION_TIMEOUT=20s"}

// uncatchableWithoutControl are the emulator mutants whose bug the public API cannot show,
// with why (docs/behaviours.md lists them too). A listed mutant that is caught after all
// fails the test: the list only shrinks.
var uncatchableWithoutControl = map[string]string{}

// cliBinary is the rebootconf CLI, built by TestMain ("" under -short).
var cliBinary string

// serveProcess starts `rebootconf serve --no-control` with the no-control world and args,
// and returns its URL; it is stopped when the test ends.
func serveProcess(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, cliBinary, append([]string{"serve", "--no-control", "--addr", "127.0.0.1:0", "--world", noControlWorld}, args...)...)
	cmd.Env = childEnv()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start serve: %v", err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	lines := bufio.NewScanner(out)
	if !lines.Scan() {
		t.Fatalf("serve printed nothing: %s", stderr.String())
	}
	url, ok := strings.CutPrefix(lines.Text(), "listening on ")
	if !ok {
		t.Fatalf("serve: unexpected first line %q", lines.Text())
	}
	go func() {
		for lines.Scan() {
		}
	}()
	return url
}

// runNoControl runs the conformance suite (with args, e.g. a label filter) against url
// with the fixtures file, as a user pointing the harness at another emulator would.
func runNoControl(t *testing.T, url string, args ...string) run {
	t.Helper()
	junit := filepath.Join(t.TempDir(), "junit.xml")
	fixtures, err := filepath.Abs(noControlFixtures)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, conformanceSuite.binary, append([]string{"-ginkgo.no-color"}, args...)...)
	cmd.Dir = filepath.FromSlash(conformanceSuite.dir)
	cmd.Env = append(childEnv(), append(slices.Clone(noControlEnv),
		"REBOOTCONF_ENDPOINT="+url, "REBOOTCONF_FIXTURES="+fixtures, "REBOOTCONF_JUNIT="+junit)...)
	out, exitErr := cmd.CombinedOutput()
	r := run{exitErr: exitErr, log: string(out)}
	suites, err := reports.ReadFile(junit)
	if err != nil {
		t.Fatalf("no JUnit report (%v); suite output:\n%s", err, tail(r.log, 60))
	}
	r.tally = reports.Summarize(suites).Tally
	for _, su := range suites.Suites {
		for _, c := range su.Cases {
			switch c.Status() {
			case "failed", "error":
				r.failed = append(r.failed, c.Behaviours()...)
			case "skipped":
				r.skipped = append(r.skipped, c.Name)
			}
		}
	}
	return r
}

// labelFilter selects the specs of any of ids.
func labelFilter(ids []string) string { return "-ginkgo.label-filter=" + strings.Join(ids, " || ") }

// TestMutantsCaughtWithoutControlAPI runs each emulator mutant in the configuration of
// every other emulator, on just the specs of the behaviours it breaks: each must be caught
// by one of them, through the public API alone.
func TestMutantsCaughtWithoutControlAPI(t *testing.T) {
	if cliBinary == "" {
		t.Skip("-short: runs `rebootconf serve --no-control` once per mutant")
	}
	for _, name := range emulator.MutantNames() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ids := breaks[name]
			r := runNoControl(t, serveProcess(t, "--mutant", name), labelFilter(ids))
			var ee *exec.ExitError
			caught := errors.As(r.exitErr, &ee) && slices.ContainsFunc(ids, func(id string) bool { return slices.Contains(r.failed, id) })
			why, listed := uncatchableWithoutControl[name]
			switch {
			case listed && caught:
				t.Errorf("mutant %s is listed as uncatchable without the control API (%s) but a spec for %v caught it: remove it from the list and docs/behaviours.md", name, why, ids)
			case !listed && !caught:
				t.Errorf("mutant %s (%s) was not caught without the control API by a spec for %v (exit %v); failed %v, skipped %v\n%s",
					name, emulator.Mutants()[name].Description, ids, r.exitErr, r.failed, r.skipped, tail(r.log, 40))
			}
		})
	}
}

// TestFaithfulPassesWithoutControlAPI runs the whole conformance suite against the faithful
// emulator in the no-control configuration, under REBOOTCONF_TEETH_SEEDS seeds (default 1):
// zero failures, and nothing skipped that the fixtures file and the public API can provide.
func TestFaithfulPassesWithoutControlAPI(t *testing.T) {
	if cliBinary == "" {
		t.Skip("-short: runs the whole suite against `rebootconf serve --no-control`")
	}
	seeds := 1
	if s := os.Getenv("REBOOTCONF_TEETH_SEEDS"); s != "" {
		if _, err := fmt.Sscan(s, &seeds); err != nil || seeds < 1 {
			t.Fatalf("REBOOTCONF_TEETH_SEEDS=%q: want a positive count", s)
		}
	}
	for seed := 1; seed <= seeds; seed++ {
		t.Run(fmt.Sprintf("seed-%d", seed), func(t *testing.T) {
			t.Parallel()
			r := runNoControl(t, serveProcess(t), fmt.Sprintf("-ginkgo.seed=%d", seed), "-ginkgo.randomize-all")
			if r.exitErr != nil || r.tally.Bad() > 0 {
				t.Errorf("faithful no-control run, seed %d: exit %v, %d failed, %d errors; failed behaviours %v\n%s",
					seed, r.exitErr, r.tally.Failed, r.tally.Errors, r.failed, tail(r.log, 80))
			}
			// Only the behaviours that need the control API itself may be skipped.
			for _, name := range r.skipped {
				if !strings.Contains(name, "RI-ERR-005") && !strings.Contains(name, "RI-ERR-009") {
					t.Errorf("seed %d: skipped %q against a faithful emulator whose every other fixture the public API and the fixtures file provide", seed, name)
				}
			}
		})
	}
}

// TestVariantsPassWithoutControlAPI runs the non-disruptive specs (the ones a request-parsing
// difference can reach) against each allowed emulator variant in the no-control
// configuration: an allowed difference must never be a failure there either.
func TestVariantsPassWithoutControlAPI(t *testing.T) {
	if cliBinary == "" {
		t.Skip("-short: runs `rebootconf serve --no-control --variant` once per variant")
	}
	for _, name := range emulator.VariantNames() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := runNoControl(t, serveProcess(t, "--variant", name), "-ginkgo.label-filter=!disruptive")
			if r.exitErr != nil || r.tally.Bad() > 0 {
				t.Errorf("variant %s without the control API: exit %v, %d failed, %d errors; failed behaviours %v\n%s",
					name, r.exitErr, r.tally.Failed, r.tally.Errors, r.failed, tail(r.log, 60))
			}
			if r.tally.Passed < 20 {
				t.Errorf("variant %s: only %d specs passed", name, r.tally.Passed)
			}
		})
	}
}
