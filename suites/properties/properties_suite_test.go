// Package properties_test runs the rapid properties of generators against the
// target named by the REBOOTCONF_* environment (default: an embedded emulator).
// Every spec is labelled fuzz; the JUnit report goes to $REBOOTCONF_JUNIT when set.
//
// Budgets: RAPID_CHECKS / -rapid.checks and RAPID_STEPS / -rapid.steps (small
// defaults so the suite runs in seconds), -rapid.seed to pin a run, and
// REBOOTCONF_FUZZ_DURATION (e.g. 10m) to keep fuzzing each property for that long.
// Against a target without a control API only DryRun, invalid and read-only requests
// are sent unless REBOOTCONF_ALLOW_REBOOTS=N allows N calls that may change an
// instance.
package properties_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/replay"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/generators"
	"github.com/rebootconf/rebootconf/suites/internal/bootstrap"
	"github.com/rebootconf/rebootconf/suites/internal/ginkgorapid"
)

const suiteName = "RebootInstance properties"

// Environment knobs of this suite.
const (
	EnvAllowReboots = "REBOOTCONF_ALLOW_REBOOTS"
	EnvReplayDir    = "REBOOTCONF_REPLAY_DIR" // default <module root>/reports/replay
)

// Default budgets: the whole suite runs in seconds against the embedded emulator.
const (
	defaultChecks = 25
	defaultSteps  = 15
)

var (
	tgt *target.Target
	// base is the env every property starts from; read-only after BeforeSuite.
	base generators.Env
)

func TestProperties(t *testing.T) {
	RegisterFailHandler(Fail)
	if err := ginkgorapid.Defaults(defaultChecks, defaultSteps); err != nil {
		t.Fatal(err)
	}
	RunSpecs(t, suiteName)
}

var _ = BeforeSuite(func(ctx SpecContext) {
	var err error
	tgt, err = target.FromEnv(ctx)
	Expect(err).NotTo(HaveOccurred(), "open the target named by the REBOOTCONF_* environment")
	DeferCleanup(tgt.Close)
	AddReportEntry("target", tgt.Describe())
	base, err = envFor(ctx, tgt)
	Expect(err).NotTo(HaveOccurred())
	AddReportEntry("rapid budget", fmt.Sprintf("checks=%s steps=%s seed=%s duration=%s",
		ginkgorapid.Flag("rapid.checks"), ginkgorapid.Flag("rapid.steps"), ginkgorapid.Flag("rapid.seed"), ginkgorapid.Duration()))
}, NodeTimeout(2*time.Minute))

// envFor wires the target into a property env: control API and faults when the
// target has them, a reboot budget and adopted instances when it has not.
func envFor(ctx context.Context, t *target.Target) (generators.Env, error) {
	env := generators.Env{Client: t.Raw(), Control: t.Control, Region: t.Region,
		Guard: t.Guard, Refused: target.IsRefused}
	if t.DryRunOnly() {
		// --dry-run-only: no worlds built through the control API and no reboots; the
		// properties that need either skip with their reason.
		env.Control = nil
		env.Budget = replay.NewBudget(0)
		return env, nil
	}
	if t.Control != nil {
		h, err := t.Control.Health(ctx)
		if err != nil {
			return env, fmt.Errorf("control API health: %w", err)
		}
		env.Faults = slices.Contains(h.Capabilities, control.CapFaults)
		return env, nil
	}
	n := 0
	if v := os.Getenv(EnvAllowReboots); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 0 {
			return env, fmt.Errorf("%s=%q: want a non-negative integer", EnvAllowReboots, v)
		}
	}
	env.Budget = replay.NewBudget(n)
	id, err := t.Provision(ctx, target.InstanceSpec{Status: control.StatusRunning})
	if id != "" {
		DeferCleanup(t.Release, id)
		env.Adopt = []string{id}
	}
	if err != nil && id == "" {
		AddReportEntry("no instance to fuzz against", err.Error())
	}
	return env, nil
}

var _ = ReportAfterSuite("junit", func(r Report) { bootstrap.WriteJUnit(r, suiteName, tgt) })

// replayDir is where failing sequences are written.
func replayDir() string {
	if d := os.Getenv(EnvReplayDir); d != "" {
		return d
	}
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "reports", "replay")
		}
		if filepath.Dir(d) == d {
			return filepath.Join(dir, "replay")
		}
	}
}
