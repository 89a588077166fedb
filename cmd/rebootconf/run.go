package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
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

// Exit codes of every command.
const (
	exitPass        = 0 // every spec passed
	exitFail        = 1 // a spec failed, or a problem outside any spec (leak, harness error)
	exitConfig      = 2 // usage or configuration: bad flag, unreachable target, a selection that runs no spec
	exitInterrupted = 3 // SIGINT/SIGTERM stopped the run: the report holds what finished
)

// DefaultOutputDir holds everything a run writes unless --output-dir says otherwise.
const DefaultOutputDir = "reports"

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
	preflight   time.Duration
	outputDir   string
	focus       string
	// targetArgs are the flags given that shape the target and the specs' behaviour: a
	// reproduce line repeats them.
	targetArgs []string
	// progressEvery is how often a plain progress line is printed when stdout is not a
	// terminal (a terminal gets a status line redrawn every second).
	progressEvery time.Duration
	ext           runExtras     // --client, --known-failing, --known-flaky, --deviations (clientflags.go)
	procs         int           // processes per suite (--procs; 0 until resolveProcs picks the kind's default)
	ginkgo        string        // the Ginkgo CLI that runs a suite in procs > 1 processes (procs.go)
	shard         reports.Shard // --shard i/n (zero: the whole run; shard.go)
	shardDir      string        // where the shard's spec lists are (the run's scratch directory)
}

// Suites run by default. Under --dry-run-only each suite skips what needs real changes.
const defaultSuites = "conformance,properties,sdkclients"

// parseRunFlags parses run's command line; help and one-line usage errors go to stderr.
func parseRunFlags(args []string, stderr io.Writer) (runConfig, error) {
	return parseRunArgs(args, stderr, stderr)
}

// parseRunArgs parses run's command line: -h prints the flags on stdout (flag.ErrHelp), a
// flag mistake is printed on stderr in one line (errUsage); other errors are returned.
func parseRunArgs(args []string, stdout, stderr io.Writer) (runConfig, error) {
	var c runConfig
	fs := newFlags("run", "[flags]")
	targetFlags(fs, &c.opts, "ECS-compatible endpoint URL (default: the embedded emulator)")
	fs.StringVar(&c.opts.FixturesFile, "fixtures", "", "fixtures file: lent instances and RunInstances parameters (see README)")
	fs.BoolVar(&c.opts.DryRunOnly, "dry-run-only", false, "send only DryRun and read calls (safe on a production account)")
	fs.BoolVar(&c.opts.NoPool, "no-pool", false, "create a fresh instance for every spec instead of reusing Running ones from the instance pool (targets without the control API)")
	fs.IntVar(&c.opts.MaxReboots, "max-reboots", 0, "cap on real reboots for the whole run, shared by its suite processes (0: none for emulators, 20 on the real cloud)")
	fs.StringVar(&c.opts.EmulatorProfile, "emulator-profile", "", "embedded emulator transition profile: fast (default), realistic, immediate")
	var mutants multiFlag
	fs.Var(&mutants, "mutant", "plant a named bug in the embedded emulator (repeatable; see 'rebootconf serve --list-mutants')")
	fs.DurationVar(&c.opts.Timing.Poll, "poll", 0, "status poll interval (default by target kind)")
	fs.DurationVar(&c.opts.Timing.RebootBound, "reboot-timeout", 0, "bound for Running to come back after a reboot (default by target kind)")
	fs.DurationVar(&c.opts.Timing.ObserveWindow, "observe-window", 0, "how long 'nothing changes' is watched (default by target kind)")
	fs.DurationVar(&c.opts.Timing.PollMax, "poll-max", 0, "largest delay between observations of waits for an end state (provisioning, cleanup, a watched reboot once Starting was read), which back off from --poll (transient statuses are polled every --poll; default by target kind)")
	fs.DurationVar(&c.opts.Timing.ProvisionBound, "provision-timeout", 0, "bound for a created instance to reach its status (default by target kind)")
	fs.DurationVar(&c.opts.Timing.CallTimeout, "call-timeout", 0, "bound for one HTTP exchange (default by target kind)")
	fs.Float64Var(&c.opts.Rate, "rate", 0, "client-side limit in requests/s for the whole run, shared by all its suite processes (0: the default, unlimited for emulators and 5 on the real cloud)")
	fs.DurationVar(&c.preflight, "preflight-timeout", preflightTimeout, "bound for the whole preflight (connectivity, credentials, fixtures)")
	fs.StringVar(&c.outputDir, "output-dir", DefaultOutputDir, "directory for everything the run writes: junit.xml, report.json, report.html, logs/, replay/, testdata/rapid/")
	fs.StringVar(&c.junit, "junit-report", "", "path of the merged JUnit report (default <output-dir>/junit.xml)")
	fs.StringVar(&c.focus, "focus", "", "run only the specs whose full text matches this regular expression (Ginkgo's focus; reproduce lines use it)")
	suites := fs.String("suites", defaultSuites, "comma-separated suites to run")
	fs.StringVar(&c.suitesDir, "suites-dir", "", "directory with prebuilt suite binaries (default: bin/suites next to this binary)")
	fs.StringVar(&c.labelFilter, "label-filter", "", "Ginkgo label filter, e.g. 'errors && !disruptive'")
	fs.StringVar(&c.opts.RunID, "run-id", "", "run tag value for the instances this run creates (default rc<unix time>); 'sweep --run-id' takes the same")
	fs.Int64Var(&c.seed, "seed", 0, "random seed for spec order and rapid (0: time-based)")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Minute, "wall-clock limit per suite")
	fs.BoolVar(&c.planOnly, "plan-only", false, "preflight and print the plan, then stop (read-only calls at most)")
	fs.DurationVar(&c.progressEvery, "progress-interval", 30*time.Second, "when stdout is not a terminal, print a progress line this often (0: never; a terminal gets a live status line)")
	fs.BoolVar(&c.verbose, "v", false, "stream suite output instead of only the summary (runs suites one by one)")
	fs.IntVar(&c.procs, "procs", 0, "processes per suite: its specs run in parallel through the Ginkgo CLI (bin/ginkgo) when over 1; 1 runs each suite binary directly (0: by target kind, 3 embedded, 4 endpoint, 2 cloud)")
	fs.BoolVar(&c.parallel, "parallel", true, "run the suites at once (embedded emulator only: each suite process has its own)")
	fs.IntVar(&c.fuzz.checks, "fuzz-checks", 0, "rapid cases per property (default: the suite's small budget)")
	fs.IntVar(&c.fuzz.steps, "fuzz-steps", 0, "rapid steps per stateful case")
	fs.DurationVar(&c.fuzz.duration, "fuzz-duration", 0, "keep each property running for this long (nightly fuzzing)")
	fs.IntVar(&c.fuzz.reboots, "fuzz-reboots", 0, "real reboots the properties may send to a target without the control API (default 0: DryRun, invalid and read-only requests only)")
	fs.Var(shardFlag{&c.shard}, "shard", "run only slice i of n of every suite's specs (e.g. 2/3; the same split on every run), then join the slices with 'rebootconf merge'")
	ext := addExtraFlags(fs)
	if _, err := parseCommandLine(fs, args, 0, stdout, stderr); err != nil {
		return c, err
	}
	if err := c.resolveOutputs(fs); err != nil {
		return c, err
	}
	if err := checkRunNumbers(c); err != nil { // flagcheck.go
		return c, err
	}
	c.opts.Mutants = mutants
	var err error
	if c.ext, err = ext.finish(); err != nil {
		return c, err
	}
	c.suites = splitList(*suites)
	err = c.settle()
	return c, err
}

// settle checks what the flags alone cannot (suites, procs, label filter, run ID) and fills
// in the seed and the run ID when not given.
func (c *runConfig) settle() error {
	var err error
	if len(c.suites) == 0 {
		return errors.New("--suites: name at least one suite")
	}
	if err := checkProcs(c.procs); err != nil { // procs.go
		return err
	}
	if c.procs > 1 {
		if c.ginkgo, err = findGinkgo(); err != nil {
			return needGinkgo(c.procs, err)
		}
	}
	if c.progressEvery < 0 {
		return errors.New("--progress-interval must not be negative")
	}
	if c.labelFilter != "" {
		if _, err := types.ParseLabelFilter(c.labelFilter); err != nil {
			return fmt.Errorf("--label-filter %q: %s", c.labelFilter, labelFilterError(err))
		}
	}
	if c.seed == 0 {
		c.seed = time.Now().UnixNano() % 1_000_000
	}
	if c.opts.RunID != "" && !runIDPattern.MatchString(c.opts.RunID) {
		return fmt.Errorf("--run-id %q: want 1 to 64 of a-z, A-Z, 0-9, '-', '_' or '.'", c.opts.RunID)
	}
	if c.opts.RunID == "" {
		c.opts.RunID = fmt.Sprintf("rc%d", time.Now().Unix())
	}
	return nil
}

func runCmd(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseRunArgs(args, stdout, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) && !errors.Is(err, errUsage) {
			fmt.Fprintf(stderr, "rebootconf run: %v\n", err)
		}
		return parseFailure(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rs, code := prepareRun(ctx, cfg, stdout, stderr)
	if rs == nil {
		return code
	}
	defer rs.close()
	if cfg.planOnly {
		return exitPass
	}
	start := time.Now()
	results := rs.runSuites(ctx, stdout)
	return rs.finish(ctx, results, start, stdout, stderr)
}

// runSetup is a run past its preflight: the checked target, the suite binaries, the plan
// and where the run writes.
type runSetup struct {
	cfg     runConfig
	pf      *preflightResult
	bins    []suiteBinary
	plan    runPlan
	workDir string // per-run scratch: suite JUnit files, stats, the reboot and created ledgers
	logDir  string
	clean   cleanup // what the leak check found and did, once the suites are done
}

func (rs *runSetup) close() {
	rs.pf.close()
	if rs.workDir != "" {
		_ = os.RemoveAll(rs.workDir)
	}
}

// prepareRun checks everything a run needs before it sends a mutating call: the report
// path, the suites, the target (preflight) and a selection that runs at least one spec.
// On failure it has printed one line and returns a nil setup and the exit code.
func prepareRun(ctx context.Context, cfg runConfig, stdout, stderr io.Writer) (*runSetup, int) {
	fail := func(format string, args ...any) (*runSetup, int) {
		fmt.Fprintf(stderr, "rebootconf run: "+format+"\n", args...)
		return nil, exitConfig
	}
	if !cfg.planOnly {
		if err := prepareReport(cfg.junit); err != nil { // junitpath.go
			return fail("--junit-report: %v", err)
		}
		for _, f := range []string{jsonFile, htmlFile} {
			if err := prepareReport(filepath.Join(cfg.outputDir, f)); err != nil {
				return fail("--output-dir: %v", err)
			}
		}
	}
	bins, err := locateSuites(cfg)
	if err != nil {
		return fail("%v", err)
	}
	pf, err := preflight(ctx, cfg.opts, cfg.preflight)
	if err != nil {
		return fail("preflight: %v", err)
	}
	if note, err := resolveProcs(&cfg, pf.target.Kind); err != nil { // procs.go
		pf.close()
		return fail("%v", err)
	} else if note != "" {
		pf.notes = append(pf.notes, note)
	}
	rs := &runSetup{cfg: cfg, pf: pf, bins: bins}
	if rs.plan, err = printPlan(ctx, stdout, cfg, pf, bins); err != nil {
		rs.close()
		return fail("plan: %v", err)
	}
	if rs.plan.listed && rs.plan.total() == 0 {
		// A typo in a filter must not pass CI by running nothing.
		rs.close()
		return fail("the selection runs no spec (--suites %s, --label-filter %q); 'rebootconf list' shows the behaviour labels", strings.Join(cfg.suites, ","), cfg.labelFilter)
	}
	if cfg.planOnly {
		return rs, exitPass
	}
	if rs.workDir, err = os.MkdirTemp("", "rebootconf-run-"); err != nil {
		rs.close()
		return fail("%v", err)
	}
	// One ledger for every suite process: --max-reboots (20 on the real cloud) caps the run.
	rs.cfg.opts.RebootLedger = filepath.Join(rs.workDir, "reboots.ledger")
	// ...and one record of what they created: the leak check deletes only that (leakcheck.go).
	rs.cfg.opts.CreatedLedger = filepath.Join(rs.workDir, "created.ledger")
	// ...and one instance pool: a Running instance a spec leaves is leased by the next spec of
	// any suite process; the leak check deletes what is free at the end (target.PoolFile).
	rs.cfg.opts.PoolFile = filepath.Join(rs.workDir, "instances.pool")
	// ...and what they learnt of the target's reboots, so a later suite waits no longer than
	// an earlier one found a reboot takes (target.Learnt).
	rs.cfg.opts.LearntDir = rs.workDir
	// ...and one request-rate budget, so --rate caps the run however many processes send.
	rs.cfg.opts.RateBudget = filepath.Join(rs.workDir, "rate.budget")
	if cfg.shard.Count > 0 {
		rs.cfg.shardDir = rs.workDir
		if err := writeShardFiles(rs.workDir, cfg.shard, rs.plan.shard); err != nil {
			rs.close()
			return fail("--shard: %v", err)
		}
	}
	rs.logDir = filepath.Join(cfg.outputDir, "logs")
	_ = os.MkdirAll(rs.logDir, 0o755)
	return rs, exitPass
}

// runSuites runs every suite binary, at once or one by one, and collects what each left.
// While they run, a progress line (a plain line now and then when stdout is no terminal)
// shows how far the run is; a line per suite says how it ended.
func (rs *runSetup) runSuites(ctx context.Context, stdout io.Writer) []suiteResult {
	results := make([]suiteResult, len(rs.bins))
	con := &console{w: stdout, tty: isTerminal(stdout) && !rs.cfg.verbose}
	mon := &progressMonitor{con: con, total: rs.plan.total(), estimate: rs.plan.estimate,
		start: time.Now(), every: rs.cfg.progressEvery, now: time.Now}
	for _, b := range rs.bins {
		mon.files = append(mon.files, rs.progressFile(b))
	}
	stop := make(chan struct{})
	var monDone sync.WaitGroup
	monDone.Go(func() { mon.run(stop) })
	// Parallel suites each start their own embedded emulator, so they share nothing; against
	// an external target they would share its rate limits and fixtures, so they go one by one.
	parallel := rs.cfg.parallel && !rs.cfg.verbose && rs.pf.target.Kind == target.KindEmbedded
	var wg sync.WaitGroup
	for i, b := range rs.bins {
		con.Line("== suite %s (log: %s)", b.name, filepath.Join(rs.logDir, b.name+".log"))
		one := func() {
			results[i] = rs.runOne(ctx, b, stdout)
			if !results[i].notStarted {
				con.Line("%s", suiteResultLine(b.name, results[i], filepath.Join(rs.logDir, b.name+".log")))
			}
		}
		if parallel {
			wg.Go(one)
		} else {
			one()
		}
	}
	wg.Wait()
	close(stop)
	monDone.Wait()
	con.Clear()
	return results
}

// progressFile is where suite b's processes append a line per finished spec.
func (rs *runSetup) progressFile(b suiteBinary) string {
	return filepath.Join(rs.workDir, "progress-"+b.name)
}

// runOne runs one suite process and reads its report and call counters.
func (rs *runSetup) runOne(ctx context.Context, b suiteBinary, stdout io.Writer) suiteResult {
	var r suiteResult
	if ctx.Err() != nil {
		r.notStarted = true
		return r
	}
	junit := filepath.Join(rs.workDir, b.name+".xml")
	logPath := filepath.Join(rs.logDir, b.name+".log")
	statsDir := filepath.Join(rs.workDir, "stats-"+b.name)
	ledger := target.CreatedLedger{Path: rs.cfg.opts.CreatedLedger}
	before, _ := ledger.IDs()
	code, err := runSuite(ctx, rs.cfg, b, suiteFiles{junit: junit, log: logPath, stats: statsDir, progress: rs.progressFile(b)}, stdout)
	after, _ := ledger.IDs()
	r.created = max(len(after)-len(before), 0)
	st, serr := target.ReadStats(statsDir)
	if serr != nil {
		r.errs = append(r.errs, fmt.Sprintf("%s: %v", b.name, serr))
	}
	r.stats = st
	s, rerr := reports.ReadFile(junit)
	switch {
	case rerr == nil:
		r.suites = withStats(s, st, b.name)
		if rs.cfg.shard.Count > 0 {
			r.suites = reports.DropShardSkips(r.suites) // other shards run them (shard.go)
			for i := range r.suites.Suites {
				r.suites.Suites[i].Properties = append(r.suites.Suites[i].Properties, reports.Property{Name: reports.PropShard, Value: rs.cfg.shard.String()})
			}
		}
	case err != nil:
		r.errs = append(r.errs, fmt.Sprintf("%s: %v", b.name, err))
	default:
		r.errs = append(r.errs, fmt.Sprintf("%s: exited %d without a JUnit report (%v); see %s", b.name, code, rerr, logPath))
	}
	return r
}

// finish merges the suites' reports, runs the leak check, writes the report, prints the
// summary and returns the exit code.
func (rs *runSetup) finish(ctx context.Context, results []suiteResult, start time.Time, stdout, stderr io.Writer) int {
	interrupted := ctx.Err() != nil
	merged, total, runErrs := rs.merge(ctx, results, interrupted)
	merged, known := rs.cfg.ext.judge(merged, stderr) // --known-failing, --known-flaky (clientflags.go)
	if err := reports.WriteFile(rs.cfg.junit, merged); err != nil {
		fmt.Fprintf(stderr, "rebootconf run: write JUnit: %v\n", err)
		return exitFail
	}
	rep, rerr := rs.writeRunReports(merged, start, interrupted)
	if rerr != nil {
		fmt.Fprintf(stderr, "rebootconf run: write report.json/report.html: %v\n", rerr)
	}
	sum := reports.Summarize(merged)
	fmt.Fprintln(stdout)
	_ = sum.Fprint(stdout)
	_ = known.Fprint(stdout)
	printReproduce(stdout, rep)
	fmt.Fprintln(stdout, statsLine(total))
	fmt.Fprintf(stdout, "target: %s\nJUnit report: %s\nreports: %s (%s, %s, logs/)\nwall time: %s\n", rs.pf.target.Describe(), rs.cfg.junit,
		rs.cfg.outputDir, jsonFile, htmlFile, time.Since(start).Round(time.Millisecond))
	rs.clean.print(stdout)
	fmt.Fprintln(stdout, rs.plan.predicted.versus(time.Since(start), int(total.Reboots), len(rs.clean.created)))
	if !interrupted {
		rs.saveLearnt(results) // for the next run's estimate (planestimate.go)
	}
	switch {
	case interrupted:
		fmt.Fprintln(stdout, "interrupted: the report holds what ran; specs that did not finish are marked unfinished, not failed; "+
			protocol.Redact(rs.clean.sentence()))
		return exitInterrupted
	case !sum.OK() || len(runErrs) > 0 || rerr != nil || !rs.clean.clean():
		return exitFail
	case merged.Tests == 0:
		fmt.Fprintln(stderr, "rebootconf run: no spec ran (check --suites and --label-filter)")
		return exitConfig
	}
	return exitPass
}

// merge joins the suites' reports with the problems outside any spec: harness errors, the
// leak check and, after an interrupt, a case that says so. It returns the call counters too.
func (rs *runSetup) merge(ctx context.Context, results []suiteResult, interrupted bool) (reports.Suites, target.Stats, []string) {
	var all []reports.Suites
	var runErrs, notStarted []string
	var total target.Stats
	for i, r := range results {
		if r.suites.Suites != nil {
			all = append(all, r.suites)
		}
		if r.notStarted {
			notStarted = append(notStarted, rs.bins[i].name)
		}
		runErrs = append(runErrs, r.errs...)
		total = total.Add(r.stats)
	}
	merged := reports.Merge(all...)
	if rs.cfg.shard.Count > 0 {
		merged = reports.DropShardSkips(merged) // the other shards run them (shard.go)
	}
	merged.Name = "rebootconf " + string(rs.pf.target.Kind)
	for _, msg := range runErrs {
		merged = reports.Merge(merged, harnessError("harness", msg))
	}
	if interrupted {
		msg := "the run was interrupted: specs that had not finished did not run"
		if len(notStarted) > 0 {
			msg += "; suites not started: " + strings.Join(notStarted, ", ")
		}
		merged = reports.Merge(merged, harnessError(reports.TypeInterrupted, msg))
	}
	// Only what this run created is deleted (leakcheck.go); the verdict says what is left.
	rs.clean = rs.pf.leakCheck(context.WithoutCancel(ctx), rs.cfg.opts)
	if leaks := rs.clean.problem(); leaks != "" {
		merged = reports.Merge(merged, harnessError("leak-check", leaks))
	}
	total = total.Add(rs.pf.target.Stats()) // preflight and leak check calls count too
	return merged, total, runErrs
}

// fuzzBudget raises the properties suite's budget for nightly runs.
type fuzzBudget struct {
	checks, steps, reboots int
	duration               time.Duration
}

// suiteResult is what one suite process left: its report, its call counters, problems.
type suiteResult struct {
	suites     reports.Suites
	stats      target.Stats
	errs       []string
	notStarted bool // an interrupt came before the suite started
	created    int  // instances created while it ran (by every suite, when they run at once)
}

// withStats records a suite process's pacing and safety figures as suite properties.
func withStats(s reports.Suites, st target.Stats, bin string) reports.Suites {
	props := []reports.Property{
		{Name: reports.PropSuite, Value: bin},
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

var runIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
