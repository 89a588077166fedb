package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/reports"
)

// Exit codes of `rebootconf run`.
const (
	exitPass   = 0
	exitFail   = 1
	exitConfig = 2
)

// DefaultJUnitReport is where the main job writes its merged JUnit report.
const DefaultJUnitReport = "reports/junit.xml"

// runConfig is everything `run` was told, after flag parsing.
type runConfig struct {
	opts        target.Options
	junit       string
	suites      []string
	suitesDir   string
	labelFilter string
	seed        int64
	timeout     time.Duration
	planOnly    bool
	verbose     bool
	parallel    bool
	fuzz        fuzzBudget
	logDir      string
	preflight   time.Duration
}

// Suites run by default. Under --dry-run-only each suite skips what needs real changes.
const defaultSuites = "conformance,properties,sdkclients"

func parseRunFlags(args []string, stderr io.Writer) (runConfig, error) {
	var c runConfig
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	targetFlags(fs, &c.opts, "ECS-compatible endpoint URL (default: the embedded emulator)")
	fs.StringVar(&c.opts.FixturesFile, "fixtures", "", "fixtures file: lent instances and RunInstances parameters (see README)")
	fs.BoolVar(&c.opts.DryRunOnly, "dry-run-only", false, "send only DryRun and read calls (safe on a production account)")
	fs.IntVar(&c.opts.MaxReboots, "max-reboots", 0, "cap on real reboots for the whole run, shared by its suite processes (0: none for emulators, 20 on the real cloud)")
	fs.StringVar(&c.opts.EmulatorProfile, "emulator-profile", "", "embedded emulator transition profile: fast (default), realistic, immediate")
	var mutants multiFlag
	fs.Var(&mutants, "mutant", "plant a named bug in the embedded emulator (repeatable; see 'rebootconf serve --list-mutants')")
	fs.DurationVar(&c.opts.Timing.Poll, "poll", 0, "status poll interval (default by target kind)")
	fs.DurationVar(&c.opts.Timing.RebootBound, "reboot-timeout", 0, "bound for Running to come back after a reboot (default by target kind)")
	fs.DurationVar(&c.opts.Timing.ObserveWindow, "observe-window", 0, "how long 'nothing changes' is watched (default by target kind)")
	fs.DurationVar(&c.opts.Timing.PollMax, "poll-max", 0, "largest delay between observations of the provisioning and cleanup waits, which back off from --poll (spec observations poll every --poll; default by target kind)")
	fs.DurationVar(&c.opts.Timing.ProvisionBound, "provision-timeout", 0, "bound for a created instance to reach its status (default by target kind)")
	fs.DurationVar(&c.opts.Timing.CallTimeout, "call-timeout", 0, "bound for one HTTP exchange (default by target kind)")
	fs.Float64Var(&c.opts.Rate, "rate", 0, "client-side limit in requests/s per suite process (0: the default, unlimited for emulators and 5 on the real cloud)")
	fs.DurationVar(&c.preflight, "preflight-timeout", preflightTimeout, "bound for the whole preflight (connectivity, credentials, fixtures)")
	fs.StringVar(&c.junit, "junit-report", DefaultJUnitReport, "path of the merged JUnit report")
	suites := fs.String("suites", defaultSuites, "comma-separated suites to run")
	fs.StringVar(&c.suitesDir, "suites-dir", "", "directory with prebuilt suite binaries (default: bin/suites next to this binary)")
	fs.StringVar(&c.labelFilter, "label-filter", "", "Ginkgo label filter, e.g. 'errors && !disruptive'")
	fs.StringVar(&c.opts.RunID, "run-id", "", "run tag value for the instances this run creates (default rc<unix time>); 'sweep --run-id' takes the same")
	fs.Int64Var(&c.seed, "seed", 0, "random seed for spec order and rapid (0: time-based)")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Minute, "wall-clock limit per suite")
	fs.BoolVar(&c.planOnly, "plan-only", false, "preflight and print the plan, then stop (read-only calls at most)")
	fs.BoolVar(&c.verbose, "v", false, "stream suite output instead of only the summary (runs suites one by one)")
	fs.BoolVar(&c.parallel, "parallel", true, "run the suites at once (embedded emulator only: each suite process has its own)")
	fs.IntVar(&c.fuzz.checks, "fuzz-checks", 0, "rapid cases per property (default: the suite's small budget)")
	fs.IntVar(&c.fuzz.steps, "fuzz-steps", 0, "rapid steps per stateful case")
	fs.DurationVar(&c.fuzz.duration, "fuzz-duration", 0, "keep each property running for this long (nightly fuzzing)")
	fs.IntVar(&c.fuzz.reboots, "fuzz-reboots", 0, "real reboots the properties may send to a target without the control API (default 0: DryRun, invalid and read-only requests only)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if err := checkRunNumbers(c); err != nil { // flagcheck.go
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (flags only)", fs.Arg(0))
	}
	c.opts.Mutants = mutants
	c.suites = splitList(*suites)
	if len(c.suites) == 0 {
		return c, errors.New("--suites: name at least one suite")
	}
	if c.labelFilter != "" {
		if _, err := types.ParseLabelFilter(c.labelFilter); err != nil {
			return c, fmt.Errorf("--label-filter %q: %v", c.labelFilter, err)
		}
	}
	if c.seed == 0 {
		c.seed = time.Now().UnixNano() % 1_000_000
	}
	if c.opts.RunID != "" && !runIDPattern.MatchString(c.opts.RunID) {
		return c, fmt.Errorf("--run-id %q: want 1 to 64 of a-z, A-Z, 0-9, '-', '_' or '.'", c.opts.RunID)
	}
	if c.opts.RunID == "" {
		c.opts.RunID = fmt.Sprintf("rc%d", time.Now().Unix())
	}
	return c, nil
}

func runCmd(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseRunFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "rebootconf run: %v\n", err)
		}
		return parseFailure(err)
	}
	if !cfg.planOnly {
		if err := prepareReport(cfg.junit); err != nil { // junitpath.go
			fmt.Fprintf(stderr, "rebootconf run: --junit-report: %v\n", err)
			return exitConfig
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	bins, err := locateSuites(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "rebootconf run: %v\n", err)
		return exitConfig
	}
	pf, err := preflight(ctx, cfg.opts, cfg.preflight)
	if err != nil {
		fmt.Fprintf(stderr, "rebootconf run: preflight: %v\n", err)
		return exitConfig
	}
	defer pf.close()
	if err := printPlan(ctx, stdout, cfg, pf, bins); err != nil {
		fmt.Fprintf(stderr, "rebootconf run: plan: %v\n", err)
		return exitConfig
	}
	if cfg.planOnly {
		return exitPass
	}

	workDir, err := os.MkdirTemp("", "rebootconf-run-")
	if err != nil {
		fmt.Fprintf(stderr, "rebootconf run: %v\n", err)
		return exitConfig
	}
	defer os.RemoveAll(workDir)
	// One ledger for every suite process: --max-reboots (20 on the real cloud) caps the run.
	cfg.opts.RebootLedger = filepath.Join(workDir, "reboots.ledger")
	// ...and one record of what they created: the leak check deletes only that (leakcheck.go).
	cfg.opts.CreatedLedger = filepath.Join(workDir, "created.ledger")
	logDir := filepath.Join(filepath.Dir(cfg.junit), "logs")
	_ = os.MkdirAll(logDir, 0o755)

	start := time.Now()
	results := make([]suiteResult, len(bins))
	runOne := func(i int) {
		b := bins[i]
		r := &results[i]
		if ctx.Err() != nil {
			r.errs = append(r.errs, b.name+": not started (interrupted)")
			return
		}
		junit := filepath.Join(workDir, b.name+".xml")
		logPath := filepath.Join(logDir, b.name+".log")
		statsDir := filepath.Join(workDir, "stats-"+b.name)
		code, err := runSuite(ctx, cfg, b, junit, logPath, statsDir, stdout)
		st, serr := target.ReadStats(statsDir)
		if serr != nil {
			r.errs = append(r.errs, fmt.Sprintf("%s: %v", b.name, serr))
		}
		r.stats = st
		s, rerr := reports.ReadFile(junit)
		switch {
		case rerr == nil:
			r.suites = withStats(s, st)
		case err != nil:
			r.errs = append(r.errs, fmt.Sprintf("%s: %v", b.name, err))
		default:
			r.errs = append(r.errs, fmt.Sprintf("%s: exited %d without a JUnit report (%v); see %s", b.name, code, rerr, logPath))
		}
	}
	// Parallel suites each start their own embedded emulator, so they share nothing; against
	// an external target they would share its rate limits and fixtures, so they go one by one.
	parallel := cfg.parallel && !cfg.verbose && pf.target.Kind == target.KindEmbedded
	var wg sync.WaitGroup
	for i, b := range bins {
		fmt.Fprintf(stdout, "== suite %s (log: %s)\n", b.name, filepath.Join(logDir, b.name+".log"))
		if parallel {
			wg.Go(func() { runOne(i) })
		} else {
			runOne(i)
		}
	}
	wg.Wait()
	var all []reports.Suites
	var runErrs []string
	var total target.Stats
	for _, r := range results {
		if r.suites.Suites != nil {
			all = append(all, r.suites)
		}
		runErrs = append(runErrs, r.errs...)
		total = total.Add(r.stats)
	}
	merged := reports.Merge(all...)
	merged.Name = "rebootconf " + string(pf.target.Kind)
	for _, msg := range runErrs {
		merged = reports.Merge(merged, harnessError("harness", msg))
	}
	clean := pf.leakCheck(context.WithoutCancel(ctx), cfg.opts)
	if leaks := clean.problem(); leaks != "" {
		merged = reports.Merge(merged, harnessError("leak-check", leaks))
	}
	total = total.Add(pf.target.Stats()) // preflight and leak check calls count too
	if err := reports.WriteFile(cfg.junit, merged); err != nil {
		fmt.Fprintf(stderr, "rebootconf run: write JUnit: %v\n", err)
		return exitFail
	}
	sum := reports.Summarize(merged)
	fmt.Fprintln(stdout)
	_ = sum.Fprint(stdout)
	fmt.Fprintln(stdout, statsLine(total))
	fmt.Fprintf(stdout, "target: %s\nJUnit report: %s\nwall time: %s\n", pf.target.Describe(), cfg.junit, time.Since(start).Round(time.Millisecond))
	clean.print(stdout)
	if ctx.Err() != nil {
		fmt.Fprintln(stdout, "interrupted: the report holds what ran; "+protocol.Redact(clean.sentence()))
		return exitFail
	}
	if !sum.OK() || len(runErrs) > 0 || !clean.clean() {
		return exitFail
	}
	return exitPass
}

// fuzzBudget raises the properties suite's budget for nightly runs.
type fuzzBudget struct {
	checks, steps, reboots int
	duration               time.Duration
}

// suiteResult is what one suite process left: its report, its call counters, problems.
type suiteResult struct {
	suites reports.Suites
	stats  target.Stats
	errs   []string
}

// runSuite executes one prebuilt suite binary against the target and returns its exit code.
func runSuite(ctx context.Context, cfg runConfig, b suiteBinary, junit, logPath, statsDir string, stdout io.Writer) (int, error) {
	args := suiteArgs(cfg, b)
	logf, err := os.Create(logPath)
	if err != nil {
		return -1, err
	}
	defer logf.Close()
	cmd := exec.Command(b.path, args...)
	cmd.Dir = filepath.Dir(b.path)
	opts := cfg.opts
	opts.StatsDir = statsDir
	cmd.Env = append(os.Environ(), opts.Env()...)
	cmd.Env = append(cmd.Env, "REBOOTCONF_JUNIT="+junit)
	if cfg.fuzz.duration > 0 {
		cmd.Env = append(cmd.Env, "REBOOTCONF_FUZZ_DURATION="+cfg.fuzz.duration.String())
	}
	if cfg.fuzz.reboots > 0 {
		cmd.Env = append(cmd.Env, fmt.Sprintf("REBOOTCONF_ALLOW_REBOOTS=%d", cfg.fuzz.reboots))
	}
	var out io.Writer = logf
	if cfg.verbose {
		out = io.MultiWriter(logf, redactingWriter{stdout})
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return -1, fmt.Errorf("start %s: %w", b.path, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		// Forward the interrupt: Ginkgo runs cleanup and writes its report, then exits.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		select {
		case err = <-done:
		case <-time.After(2 * time.Minute):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			err = <-done
		}
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), nil
	}
	if err != nil {
		return -1, err
	}
	return 0, nil
}

// withStats records a suite process's pacing and safety figures as suite properties.
func withStats(s reports.Suites, st target.Stats) reports.Suites {
	props := []reports.Property{
		{Name: "rebootconf.requests", Value: fmt.Sprint(st.Requests)},
		{Name: "rebootconf.retries", Value: fmt.Sprint(st.Retries)},
		{Name: "rebootconf.throttled", Value: fmt.Sprint(st.Throttled)},
		{Name: "rebootconf.refused", Value: fmt.Sprint(st.Refused)},
		{Name: "rebootconf.real-reboots", Value: fmt.Sprint(st.Reboots)},
	}
	for i := range s.Suites {
		s.Suites[i].Properties = append(s.Suites[i].Properties, props...)
	}
	return s
}

// statsLine is the summary's pacing and safety line.
func statsLine(st target.Stats) string {
	line := fmt.Sprintf("calls: %d sent, %d throttled (%d retried with backoff", st.Requests, st.Throttled, st.Retries)
	if st.Exhausted > 0 {
		line += fmt.Sprintf(", %d still throttled after the last attempt", st.Exhausted)
	}
	line += fmt.Sprintf("), %d refused by the safety guard, %d real reboots", st.Refused, st.Reboots)
	if st.PacedMs > 0 {
		line += fmt.Sprintf(", %s waited for the rate limit", (time.Duration(st.PacedMs) * time.Millisecond).Round(time.Millisecond))
	}
	return line
}

// harnessError is a one-testcase suite recording a problem outside any spec.
func harnessError(name, msg string) reports.Suites {
	return reports.Suites{Suites: []reports.Suite{{Name: "rebootconf", Cases: []reports.Case{{
		Name: name, Classname: "rebootconf.harness", Error: &reports.Result{Type: name, Message: protocol.Redact(msg), Text: protocol.Redact(msg)},
	}}}}}
}

type redactingWriter struct{ w io.Writer }

func (r redactingWriter) Write(p []byte) (int, error) {
	_, err := io.WriteString(r.w, protocol.Redact(string(p)))
	return len(p), err
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// suiteArgs is the command line of one suite binary: timeouts, seeds, budgets, filters.
func suiteArgs(cfg runConfig, b suiteBinary) []string {
	args := []string{"-test.timeout=0", "-ginkgo.timeout=" + cfg.timeout.String(), fmt.Sprintf("-ginkgo.seed=%d", cfg.seed), "-ginkgo.no-color"}
	if b.name == "properties" {
		// Only the properties suite links rapid, and so only it accepts rapid's flags.
		args = append(args, fmt.Sprintf("-rapid.seed=%d", cfg.seed))
		if cfg.fuzz.checks > 0 {
			args = append(args, fmt.Sprintf("-rapid.checks=%d", cfg.fuzz.checks))
		}
		if len(cfg.opts.Mutants) > 0 {
			// A planted bug is meant to fail; its rapid fail file would be re-checked
			// (and fail) on every later run from this directory.
			args = append(args, "-rapid.nofailfile")
		}
		if cfg.fuzz.steps > 0 {
			args = append(args, fmt.Sprintf("-rapid.steps=%d", cfg.fuzz.steps))
		}
	}
	if cfg.labelFilter != "" {
		args = append(args, "-ginkgo.label-filter="+cfg.labelFilter)
	}
	if cfg.verbose {
		args = append(args, "-ginkgo.v")
	}
	return args
}

var runIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
