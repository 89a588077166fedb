// Package teeth proves the conformance suite can fail: it runs the compiled
// suite against the emulator with each planted mutant (every one must be
// caught by a spec labelled with a behaviour the mutant breaks) and against
// the faithful emulator and its allowed variants (zero failures, zero skips).
package teeth

import (
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

var suiteBinary string

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
			suiteBinary = filepath.Join(dir, "conformance.test")
			cmd := exec.Command("go", "test", "-c", "-o", suiteBinary, "github.com/rebootconf/rebootconf/suites/conformance")
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			if err := cmd.Run(); err != nil {
				fmt.Fprintln(os.Stderr, "teeth: building the conformance suite:", err)
				return 2
			}
		}
		return m.Run()
	}()
	os.Exit(code)
}

// run is one suite run's result.
type run struct {
	exitErr error
	hits    int64    // requests or answers the wrapper changed
	failed  []string // behaviour IDs of failed or errored specs
	skipped []string // names of skipped specs
	tally   reports.Tally
	log     string
}

// runSuite serves emu (wrapped by v) on loopback and runs the suite at it.
func runSuite(t *testing.T, cfg emulator.Config, v wrapper) run {
	t.Helper()
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
	cmd := exec.CommandContext(ctx, suiteBinary, "-ginkgo.no-color")
	cmd.Dir = filepath.Join("..", "conformance")
	cmd.Env = append(childEnv(), append(runEnv, "REBOOTCONF_ENDPOINT="+srv.URL, "REBOOTCONF_JUNIT="+junit)...)
	out, exitErr := cmd.CombinedOutput()
	r := run{exitErr: exitErr, log: string(out), hits: hits.Load()}
	suites, err := reports.ReadFile(junit)
	if err != nil {
		t.Fatalf("no JUnit report (%v); suite output:\n%s", err, tail(r.log, 60))
	}
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

func allMutants() []mutant {
	var out []mutant
	for _, m := range emulator.MutantNames() {
		ids, ok := breaks[m]
		out = append(out, mutant{name: m, description: emulator.Mutants[m].Description,
			cfg: emulator.Config{Mutants: []string{m}}, wrap: variants[0], breaks: ids, mapped: ok})
	}
	for _, w := range wrapperMutants {
		out = append(out, mutant{name: w.name, description: w.why, wrap: w, breaks: w.breaks, mapped: len(w.breaks) > 0})
	}
	return out
}

func TestMutantsAreCaught(t *testing.T) {
	if suiteBinary == "" {
		t.Skip("-short: the teeth test runs the whole suite once per mutant")
	}
	var mu sync.Mutex
	caughtBy := map[string][]string{}
	mutants := allMutants()
	t.Run("mutant", func(t *testing.T) {
		for _, m := range mutants {
			t.Run(m.name, func(t *testing.T) {
				t.Parallel()
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
	var uncovered []string
	for _, b := range contract.Catalogue() {
		if !slices.ContainsFunc(mutants, func(m mutant) bool { return slices.Contains(caughtBy[m.name], b.ID) }) {
			uncovered = append(uncovered, b.ID)
		}
	}
	t.Logf("behaviours no mutant makes fail (%d of %d): %s", len(uncovered), len(contract.Catalogue()), strings.Join(uncovered, " "))
}

func TestFaithfulAndVariantsPass(t *testing.T) {
	if suiteBinary == "" {
		t.Skip("-short: the teeth test runs the whole suite once per variant")
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			r := runSuite(t, emulator.Config{}, v)
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
