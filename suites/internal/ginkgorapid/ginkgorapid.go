// Package ginkgorapid runs rapid properties inside Ginkgo specs without losing
// shrinking (docs/fuzzing.md). GinkgoT().Errorf is fatal, which cuts off rapid's
// replay of the minimised case; the TB here buffers Errorf/Error/Fail and fails the
// spec only in FailNow, with rapid's report and the minimised draws in the message.
package ginkgorapid

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
	"pgregory.net/rapid"
)

// TB adapts GinkgoT to rapid.TB.
type TB struct {
	ginkgo.FullGinkgoTInterface
	name    string // overrides Name() (fail-file directory) when set
	capture bool   // FailNow records instead of failing the spec

	mu     sync.Mutex
	errs   []string
	after  []string // log lines after the first error: rapid's replay of the minimal case
	failed bool
}

var _ rapid.TB = (*TB)(nil)

// T returns a TB that fails the current spec in FailNow.
func T() *TB { return &TB{FullGinkgoTInterface: ginkgo.GinkgoT(1)} }

// Capture returns a TB that never fails the spec: the teeth suites use it to run a
// property they expect to fail. name keeps its fail files apart (or pass "").
func Capture(name string) *TB {
	return &TB{FullGinkgoTInterface: ginkgo.GinkgoT(1), name: name, capture: true}
}

// Name is the spec's full text, or the name Capture was given.
func (t *TB) Name() string {
	if t.name != "" {
		return t.name
	}
	return t.FullGinkgoTInterface.Name()
}

// Errorf records a failure without stopping, as testing.T does.
func (t *TB) Errorf(format string, args ...any) { t.record(fmt.Sprintf(format, args...)) }

// Error records a failure without stopping.
func (t *TB) Error(args ...any) { t.record(fmt.Sprint(args...)) }

// Fail marks the TB failed.
func (t *TB) Fail() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failed = true
}

// Failed reports whether a failure was recorded.
func (t *TB) Failed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failed
}

// Fatalf records and stops.
func (t *TB) Fatalf(format string, args ...any) { t.Errorf(format, args...); t.FailNow() }

// Fatal records and stops.
func (t *TB) Fatal(args ...any) { t.Error(args...); t.FailNow() }

// FailNow fails the spec with every recorded message (Capture: only records).
func (t *TB) FailNow() {
	t.Fail()
	if !t.capture {
		ginkgo.Fail(t.Message(), 1)
	}
}

// Logf forwards to GinkgoWriter and keeps what comes after a failure.
func (t *TB) Logf(format string, args ...any) { t.log(fmt.Sprintf(format, args...)) }

// Log forwards to GinkgoWriter and keeps what comes after a failure.
func (t *TB) Log(args ...any) { t.log(fmt.Sprint(args...)) }

func (t *TB) log(s string) {
	t.mu.Lock()
	if t.failed {
		t.after = append(t.after, s)
	}
	t.mu.Unlock()
	if !t.capture {
		t.FullGinkgoTInterface.Log(s)
	}
}

func (t *TB) record(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failed = true
	t.errs = append(t.errs, s)
}

// Message is rapid's report followed by its replay of the minimised case.
func (t *TB) Message() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	msg := strings.Join(t.errs, "\n")
	if len(t.after) > 0 {
		msg += "\n" + strings.Join(t.after, "\n")
	}
	return msg
}

// runHintRE matches rapid's "To reproduce, specify -run=..." line: -run selects a Go test
// function, which under Ginkgo runs the whole suite, so the hint misleads.
var runHintRE = regexp.MustCompile(`(?m)^To (?:try to )?reproduce, specify -run=.*\n?`)

// WithoutRunHint removes rapid's -run reproduction hint from its report (Reproduction reads
// the fail file and seed from the unstripped report; the suite prints its own re-run line).
func WithoutRunHint(msg string) string { return runHintRE.ReplaceAllString(msg, "") }

var (
	failFileRE = regexp.MustCompile(`-rapid\.failfile="([^"]+)"`)
	seedRE     = regexp.MustCompile(`-rapid\.seed=(\d+)`)
)

// Reproduction extracts the fail file and seed from rapid's report.
func Reproduction(msg string) (failfile string, seed uint64) {
	if m := failFileRE.FindStringSubmatch(msg); m != nil {
		failfile = m[1]
	}
	if m := seedRE.FindStringSubmatch(msg); m != nil {
		seed, _ = strconv.ParseUint(m[1], 10, 64)
	}
	return failfile, seed
}

// Check runs prop; with a wall-clock budget (REBOOTCONF_FUZZ_DURATION) it repeats
// rapid.Check until the budget is spent or a run fails. Each repetition draws fresh cases:
// from a random seed, or, when -rapid.seed is pinned (rebootconf run pins it to the run's
// seed), from seed, seed+1, ... so a budgeted run stays reproducible. On failure onFail sees
// rapid's report (write artefacts there), then the spec fails.
func Check(prop func(*rapid.T), onFail func(report string)) {
	ginkgo.GinkgoHelper()
	deadline := time.Now().Add(Duration())
	pinned, _ := strconv.ParseUint(Flag("rapid.seed"), 10, 64)
	if pinned != 0 {
		defer func() { _ = SetFlag("rapid.seed", strconv.FormatUint(pinned, 10)) }()
	}
	for round := uint64(0); ; round++ {
		if pinned != 0 && round > 0 {
			if err := SetFlag("rapid.seed", strconv.FormatUint(pinned+round*seedStride, 10)); err != nil {
				ginkgo.Fail(err.Error(), 1)
			}
		}
		t := &TB{FullGinkgoTInterface: ginkgo.GinkgoT(1), capture: true}
		rapid.Check(t, prop)
		if t.Failed() {
			msg := t.Message()
			if onFail != nil {
				onFail(msg)
			}
			ginkgo.Fail(WithoutRunHint(msg), 1)
		}
		if time.Now().After(deadline) {
			return
		}
	}
}

// seedStride spaces the rounds' seeds: rapid itself tries seed, seed+1, seed+3, ... within
// one Check, so neighbouring seeds would mostly repeat cases already drawn.
const seedStride = 1_000_003

// EnvDuration names the wall-clock budget per property (e.g. 10m for nightly).
const EnvDuration = "REBOOTCONF_FUZZ_DURATION"

// Duration is the wall-clock budget per property; 0 runs rapid.Check once.
func Duration() time.Duration {
	d, err := time.ParseDuration(os.Getenv(EnvDuration))
	if err != nil || d < 0 {
		return 0
	}
	return d
}

// Defaults sets rapid's checks and steps unless the command line (-rapid.checks,
// -rapid.steps) or the environment (RAPID_CHECKS, RAPID_STEPS) chose them. Call it
// after flag parsing (in the Test function, before RunSpecs).
func Defaults(checks, steps int) error {
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for name, v := range map[string]int{"rapid.checks": checks, "rapid.steps": steps} {
		env := "RAPID_" + strings.ToUpper(strings.TrimPrefix(name, "rapid."))
		if _, ok := os.LookupEnv(env); ok || set[name] || v <= 0 {
			continue
		}
		if err := flag.Set(name, strconv.Itoa(v)); err != nil {
			return fmt.Errorf("ginkgorapid: set -%s: %w", name, err)
		}
	}
	return nil
}

// Flag reads a rapid flag's current value ("" when rapid is not linked in).
func Flag(name string) string {
	if f := flag.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

// SetFlag sets a rapid flag (teeth runs pin seeds and turn off fail files).
func SetFlag(name, value string) error { return flag.Set(name, value) }
