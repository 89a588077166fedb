// Package teeth proves the conformance and SDK-client suites can fail: it runs
// each compiled suite against the emulator with planted mutants (every one must
// be caught by a spec labelled with a behaviour or row the mutant breaks) and
// against the faithful emulator and its allowed variants (zero failures, zero
// skips).
package teeth

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/emulator"
	"github.com/rebootconf/rebootconf/reports"
)

// Timing for suite runs against the fast emulator profile (reboots take
// ~70 ms): a short reboot bound keeps mutants that never finish a reboot
// from costing minutes.
var runEnv = []string{
	"REBOOTCONF_POLL_INTERVAL=5ms",
	"REBOOTCONF_OBSERVE_WINDOW=150ms",
	"REBOOTCONF_REBOOT_TIMEOUT=600ms",
}

// suiteBin is a suite under test: its package, the folder its binary runs in
// (relative to this one) and extra environment for its runs.
type suiteBin struct {
	name, pkg, dir string
	env            []string
	binary         string // built by TestMain; "" under -short
}

var (
	conformanceSuite = &suiteBin{name: "conformance", pkg: "github.com/rebootconf/rebootconf/suites/conformance", dir: "../conformance"}
	// The SDK rows wait for a status with the provisioning bound: a mutant that never
	// gets there should cost a second, not the endpoint default of two minutes.
	sdkSuite = &suiteBin{name: "sdkclients", pkg: "github.com/rebootconf/rebootconf/suites/sdkclients", dir: "../sdkclients",
		env: []string{"REBOOTCONF_PROVISION_TIMEOUT=1s"}}
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := func() int {
		if !testing.Short() {
			dir, err := os.MkdirTemp("", "rebootconf-teeth-")
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 2
			}
			defer os.RemoveAll(dir)
			if err := build(dir, conformanceSuite, sdkSuite); err != nil {
				fmt.Fprintln(os.Stderr, "teeth:", err)
				return 2
			}
			cli := filepath.Join(dir, "rebootconf")
			if out, err := exec.Command("go", "build", "-o", cli, "github.com/rebootconf/rebootconf/cmd/rebootconf").CombinedOutput(); err != nil {
				fmt.Fprintf(os.Stderr, "teeth: building the CLI: %v\n%s", err, out)
				return 2
			}
			cliBinary = cli
		}
		return m.Run()
	}()
	os.Exit(code)
}

// build compiles the suites' test binaries into dir, concurrently.
func build(dir string, suites ...*suiteBin) error {
	errs := make([]error, len(suites))
	var wg sync.WaitGroup
	for i, s := range suites {
		wg.Go(func() {
			bin := filepath.Join(dir, s.name+".test")
			cmd := exec.Command("go", "test", "-c", "-o", bin, s.pkg)
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			if err := cmd.Run(); err != nil {
				errs[i] = fmt.Errorf("building the %s suite: %w", s.name, err)
				return
			}
			s.binary = bin
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// run is one suite run's result.
type run struct {
	exitErr error
	hits    int64    // requests or answers the wrapper changed
	failed  []string // behaviour IDs of failed or errored specs
	skipped []string // names of skipped specs
	tally   reports.Tally
	cases   []reports.Case
	log     string
}

// runSuite runs the conformance suite; see runSuiteOf.
func runSuite(t *testing.T, cfg emulator.Config, v wrapper) run {
	t.Helper()
	return runSuiteOf(t, conformanceSuite, cfg, v)
}

// runSuiteOf serves emu (wrapped by v) on loopback and runs suite s at it,
// with args (a label filter, say) after the suite's own flags.
// v.profile, when set, picks the emulator's transition profile.
func runSuiteOf(t *testing.T, s *suiteBin, cfg emulator.Config, v wrapper, args ...string) run {
	t.Helper()
	return runSuiteEnv(t, s, cfg, v, nil, args...)
}

// runSuiteEnv is runSuiteOf with extra environment for the suite process.
func runSuiteEnv(t *testing.T, s *suiteBin, cfg emulator.Config, v wrapper, extraEnv []string, args ...string) run {
	t.Helper()
	if v.profile != "" {
		tr, err := emulator.Profile(v.profile)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Transitions = tr
	}
	e, err := emulator.New(cfg)
	if err != nil {
		t.Fatalf("emulator: %v", err)
	}
	var hits atomic.Int64
	srv := httptest.NewServer(v.wrap(e, &hits))
	defer srv.Close()
	junit := filepath.Join(t.TempDir(), "junit.xml")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.binary, append([]string{"-ginkgo.no-color"}, args...)...)
	cmd.Dir = filepath.FromSlash(s.dir)
	env := append(append(slices.Clone(runEnv), s.env...), extraEnv...)
	cmd.Env = append(childEnv(), append(env, "REBOOTCONF_ENDPOINT="+srv.URL, "REBOOTCONF_JUNIT="+junit)...)
	out, exitErr := cmd.CombinedOutput()
	r := run{exitErr: exitErr, log: string(out), hits: hits.Load()}
	suites, err := reports.ReadFile(junit)
	if err != nil {
		t.Fatalf("no JUnit report (%v); suite output:\n%s", err, tail(r.log, 60))
	}
	for _, su := range suites.Suites {
		r.cases = append(r.cases, su.Cases...)
		for _, c := range su.Cases {
			switch c.Status() {
			case "failed", "error":
				r.failed = append(r.failed, c.Behaviours()...)
			case "skipped":
				r.skipped = append(r.skipped, c.Name)
			}
		}
	}
	r.tally = reports.Summarize(suites).Tally
	sort.Strings(r.failed)
	r.failed = slices.Compact(r.failed)
	return r
}

// childEnv is the environment without anything that would point the suite
// elsewhere or hand it real credentials.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "REBOOTCONF_") || strings.HasPrefix(kv, "ALIBABA_CLOUD_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// mutant is a planted bug: an emulator mutant or an HTTP-level wrapper.
type mutant struct {
	name, description string
	cfg               emulator.Config
	wrap              wrapper
	breaks            []string
	mapped            bool
}

// profiledMutants are emulator mutants also run under another transition
// profile, where a check that only polls could miss them.
var profiledMutants = []struct{ mutant, profile string }{
	// An immediate DryRun reboot is over before the first status poll.
	{"dryrun-side-effect", "immediate"},
	// A reboot over within the burst must not excuse a second accept that
	// raced the first: the held instance is what makes this catchable.
	{"non-atomic-reboot", "immediate"},
	// A bystander rebooted at once looks Running to every poll.
	{"reboot-wrong-instance", "immediate"},
}

func allMutants() []mutant {
	var out []mutant
	for _, m := range emulator.MutantNames() {
		ids, ok := breaks[m]
		out = append(out, mutant{name: m, description: emulator.Mutants()[m].Description,
			cfg: emulator.Config{Mutants: []string{m}}, wrap: variants[0], breaks: ids, mapped: ok})
	}
	for _, pm := range profiledMutants {
		ids, ok := breaks[pm.mutant]
		w := variants[0]
		w.profile = pm.profile
		out = append(out, mutant{name: pm.mutant + "@" + pm.profile,
			description: emulator.Mutants()[pm.mutant].Description + " (" + pm.profile + " transitions)",
			cfg:         emulator.Config{Mutants: []string{pm.mutant}}, wrap: w, breaks: ids, mapped: ok})
	}
	for _, w := range wrapperMutants {
		out = append(out, mutant{name: w.name, description: w.why, wrap: w, breaks: w.breaks, mapped: len(w.breaks) > 0})
	}
	return out
}

func TestMutantsAreCaught(t *testing.T) {
	if conformanceSuite.binary == "" {
		t.Skip("-short: the teeth test runs the whole suite once per mutant")
	}
	var mu sync.Mutex
	caughtBy := map[string][]string{}
	ran := 0
	mutants := allMutants()
	t.Run("mutant", func(t *testing.T) {
		for _, m := range mutants {
			t.Run(m.name, func(t *testing.T) {
				t.Parallel()
				mu.Lock()
				ran++
				mu.Unlock()
				r := runSuite(t, m.cfg, m.wrap)
				mu.Lock()
				caughtBy[m.name] = r.failed
				mu.Unlock()
				var ee *exec.ExitError
				if !errors.As(r.exitErr, &ee) {
					t.Errorf("suite against mutant %s did not fail (exit: %v): %s", m.name, r.exitErr, m.description)
				}
				if !m.mapped {
					t.Errorf("mutant %s has no behaviours in breaks (teeth/breaks_test.go); failed behaviours: %v", m.name, r.failed)
					return
				}
				if !slices.ContainsFunc(m.breaks, func(id string) bool { return slices.Contains(r.failed, id) }) {
					t.Errorf("mutant %s (%s) was not caught by a spec for %v; failed behaviours: %v\n%s",
						m.name, m.description, m.breaks, r.failed, tail(r.log, 40))
				}
			})
		}
	})
	t.Log("\n" + table(mutants, caughtBy))
	if ran < len(mutants) {
		t.Logf("behaviour coverage not checked: -run selected %d of %d mutants", ran, len(mutants))
		return
	}
	for _, b := range uncovered(mutants, caughtBy) {
		t.Errorf("behaviour %s has no catching mutant: no mutant that declares it in breaks made a spec labelled with it fail (%s)", b.ID, b.Statement)
	}
}

// uncovered lists the catalogue behaviours no mutant catches. A mutant
// catches a behaviour when it declares it broken and a spec labelled with it
// failed; a spec failing for a mutant that does not claim to break its
// behaviour (say, every reboot spec under stuck-starting) proves nothing
// about that behaviour's own check.
func uncovered(mutants []mutant, caughtBy map[string][]string) []contract.Behaviour {
	var out []contract.Behaviour
	for _, b := range contract.Catalogue() {
		if !slices.ContainsFunc(mutants, func(m mutant) bool {
			return slices.Contains(m.breaks, b.ID) && slices.Contains(caughtBy[m.name], b.ID)
		}) {
			out = append(out, b)
		}
	}
	return out
}

// TestBreaksNameKnownBehaviours keeps the mutant → behaviour maps honest: a
// typo in an ID would otherwise make a mutant uncatchable.
func TestBreaksNameKnownBehaviours(t *testing.T) {
	for _, m := range allMutants() {
		for _, id := range m.breaks {
			if _, ok := contract.Lookup(id); !ok {
				t.Errorf("mutant %s breaks unknown behaviour %q", m.name, id)
			}
		}
	}
	for name := range breaks {
		if _, ok := emulator.Mutants()[name]; !ok {
			t.Errorf("breaks maps %q, which is not an emulator mutant", name)
		}
	}
}

func TestUncoveredNamesEachMissingBehaviour(t *testing.T) {
	cat := contract.Catalogue()
	m := mutant{name: "m", breaks: []string{cat[0].ID, cat[1].ID}}
	// cat[1] failed, but for a mutant that does not claim it: not covered.
	other := mutant{name: "other", breaks: []string{cat[0].ID}}
	got := uncovered([]mutant{m, other}, map[string][]string{"m": {cat[0].ID}, "other": {cat[1].ID}})
	if len(got) != len(cat)-1 || got[0].ID != cat[1].ID {
		t.Fatalf("uncovered = %d behaviours starting %v, want every one but %s", len(got), got[0].ID, cat[0].ID)
	}
}

func TestFaithfulAndVariantsPass(t *testing.T) {
	if conformanceSuite.binary == "" {
		t.Skip("-short: the teeth test runs the whole suite once per variant")
	}
	for _, fr := range faithfulRuns() {
		v := fr.wrapper
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			r := runSuite(t, fr.cfg, v)
			if r.exitErr != nil || r.tally.Bad() > 0 {
				t.Errorf("variant %s (%s): exit %v, %d failed, %d errors; failed behaviours %v\n%s",
					v.name, v.why, r.exitErr, r.tally.Failed, r.tally.Errors, r.failed, tail(r.log, 80))
			}
			if len(r.skipped) > 0 {
				t.Errorf("variant %s: %d specs skipped against an emulator that can produce every fixture: %v", v.name, len(r.skipped), r.skipped)
			}
			if (v.reply != nil || v.request != nil || v.control != nil) && r.hits == 0 {
				t.Errorf("variant %s never changed a request or answer: the suite did not exercise it", v.name)
			}
			if r.tally.Tests == 0 {
				t.Errorf("variant %s: the report holds no testcases", v.name)
			}
		})
	}
}

// Without the control API the suite cannot hold or witness anything: fixtures it cannot make
// are skipped, and may not turn into a failure of a correct target. An emulator whose reboots
// are instant shows no Starting at all: that fails RI-STATE-002 (the document says the status
// changes to Starting) unless its author declares the deviation, and then it passes.
func TestFaithfulWithoutControlAPIPasses(t *testing.T) {
	if conformanceSuite.binary == "" {
		t.Skip("-short: the teeth test runs the whole suite once per variant")
	}
	declared := filepath.Join(t.TempDir(), "deviations.txt")
	if err := os.WriteFile(declared, []byte("RI-STATE-002: instant-transitions the immediate profile finishes a reboot within the call\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		profile, deviations string
		mustFail            []string
	}{
		{profile: ""},
		{profile: "immediate", mustFail: []string{"RI-STATE-002"}},
		{profile: "immediate", deviations: declared},
	} {
		v := wrapper{name: "no-control@" + cmp.Or(c.profile, "fast"), profile: c.profile, hideControl: true}
		if c.deviations != "" {
			v.name += "+declared"
		}
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			var env []string
			if c.deviations != "" {
				env = []string{"REBOOTCONF_DEVIATIONS=" + c.deviations}
			}
			r := runSuiteEnv(t, conformanceSuite, emulator.Config{}, v, env)
			if r.tally.Passed < 20 || r.hits == 0 {
				t.Errorf("%s: only %d specs passed (%d control requests hidden): the suite did not run against the ECS API alone", v.name, r.tally.Passed, r.hits)
			}
			if len(c.mustFail) > 0 {
				if r.exitErr == nil || !slices.Contains(r.failed, c.mustFail[0]) {
					t.Errorf("%s: an instant reboot without a declared deviation must fail %s; exit %v, failed %v", v.name, c.mustFail[0], r.exitErr, r.failed)
				}
				return
			}
			if r.exitErr != nil || r.tally.Bad() > 0 {
				t.Errorf("%s: exit %v, %d failed, %d errors; failed behaviours %v\n%s", v.name, r.exitErr, r.tally.Failed, r.tally.Errors, r.failed, tail(r.log, 80))
			}
		})
	}
}

// table renders mutant → behaviours whose specs failed.
func table(mutants []mutant, caughtBy map[string][]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-32s  %s\n", "MUTANT", "CAUGHT BY (behaviours of the failed specs)")
	for _, m := range mutants {
		ids := caughtBy[m.name]
		if len(ids) == 0 {
			ids = []string{"NOT CAUGHT"}
		}
		fmt.Fprintf(&b, "%-32s  %s\n", m.name, strings.Join(ids, " "))
	}
	return b.String()
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
