package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"syscall"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/cassette"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

// recordOptions are the flags record and compare share: what a live side is and how it is
// driven.
type recordOptions struct {
	opts    target.Options
	cases   string // regexp over case IDs ("" = all)
	mutants multiFlag
}

func (r *recordOptions) register(fs *flag.FlagSet, endpointHelp string) {
	targetFlags(fs, &r.opts, endpointHelp)
	fs.StringVar(&r.opts.FixturesFile, "fixtures", "", "fixtures file: lent instances and RunInstances parameters (see docs/real-cloud.md)")
	fs.BoolVar(&r.opts.DryRunOnly, "dry-run-only", false, "record the safe subset: DryRun and read calls only (cases that need more are kept as skipped)")
	fs.IntVar(&r.opts.MaxReboots, "max-reboots", 0, "cap on real reboots (0: none for emulators, 20 on the real cloud)")
	fs.Float64Var(&r.opts.Rate, "rate", 0, "client-side limit in requests/s (0: unlimited, 5 on the real cloud)")
	fs.DurationVar(&r.opts.Timing.Poll, "poll", 0, "status poll interval while following a reboot (default by target kind)")
	fs.DurationVar(&r.opts.Timing.RebootBound, "reboot-timeout", 0, "bound for Running to come back after a reboot (default by target kind)")
	fs.DurationVar(&r.opts.Timing.ObserveWindow, "observe-window", 0, "how long a reboot never seen to leave Running is watched without a control API (default by target kind)")
	fs.DurationVar(&r.opts.Timing.PollMax, "poll-max", 0, "largest delay between observations while provisioning and cleaning up (default by target kind)")
	fs.DurationVar(&r.opts.Timing.ProvisionBound, "provision-timeout", 0, "bound for a created instance to reach its status (default by target kind)")
	fs.StringVar(&r.opts.EmulatorProfile, "emulator-profile", "", "embedded emulator transition profile: fast (default), realistic, immediate")
	fs.Var(&r.mutants, "mutant", "plant a named bug in the embedded emulator (repeatable)")
	fs.StringVar(&r.cases, "cases", "", "record only the cases whose ID matches this regexp (e.g. '^errors/')")
}

// corpus is the embedded corpus, narrowed by --cases.
func (r *recordOptions) corpus() ([]cassette.Case, error) {
	cs, err := cassette.Corpus()
	if err != nil || r.cases == "" {
		return cs, err
	}
	re, err := regexp.Compile(r.cases)
	if err != nil {
		return nil, fmt.Errorf("--cases %q: %v", r.cases, err)
	}
	var out []cassette.Case
	for _, c := range cs {
		if re.MatchString(c.ID) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--cases %q matches no case of the corpus", r.cases)
	}
	return out, nil
}

// recordLive opens the target o describes (preflighted: a wrong URL or credentials is one
// clear error) and records the corpus against it.
func recordLive(ctx context.Context, o target.Options, corpus []cassette.Case) (*cassette.Cassette, time.Duration, error) {
	pf, err := preflight(ctx, o, preflightTimeout)
	if err != nil {
		return nil, 0, fmt.Errorf("preflight: %w", err)
	}
	defer pf.close()
	start := time.Now()
	c, err := cassette.Record(ctx, pf.target, corpus)
	return c, time.Since(start), err
}

func recordCmd(args []string, stdout, stderr io.Writer) int {
	var ro recordOptions
	fs := newFlags("record", "[--endpoint URL | --region R] --out FILE [flags]")
	ro.register(fs, "ECS-compatible endpoint URL (default: the embedded emulator)")
	out := fs.String("out", "", "cassette file to write (required)")
	if _, err := parseCommandLine(fs, args, 0, stdout, stderr); err != nil {
		return parseFailure(err)
	}
	if *out == "" {
		fmt.Fprintln(stderr, "rebootconf record: --out FILE is required (see 'rebootconf help record')")
		return exitConfig
	}
	ro.opts.Mutants = ro.mutants
	corpus, err := ro.corpus()
	if err != nil {
		fmt.Fprintf(stderr, "rebootconf record: %v\n", err)
		return exitConfig
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, took, err := recordLive(ctx, ro.opts, corpus)
	if c == nil {
		fmt.Fprintf(stderr, "rebootconf record: %v\n", err)
		return exitConfig
	}
	if err != nil {
		fmt.Fprintf(stderr, "rebootconf record: %v (nothing written)\n", err)
		return exitConfig
	}
	if err := c.Save(*out); err != nil {
		fmt.Fprintf(stderr, "rebootconf record: %v\n", err)
		return exitConfig
	}
	printRecorded(stdout, c, took, *out)
	return exitPass
}

// printRecorded summarises a recording: counts, throughput, skipped cases, violations.
func printRecorded(w io.Writer, c *cassette.Cassette, took time.Duration, path string) {
	skipped, violations := 0, 0
	for _, cr := range c.Cases {
		if cr.Skipped != "" {
			skipped++
			fmt.Fprintf(w, "  skipped %s: %s\n", cr.ID, cr.Skipped)
		}
		for _, v := range cr.Violations {
			violations++
			fmt.Fprintf(w, "  contract violation %s#%d: %s\n", cr.ID, v.Step, firstLine(v.Message))
		}
	}
	for _, v := range c.Target.Mutants {
		fmt.Fprintf(w, "  the target runs the planted bug %s: this cassette is no baseline\n", v)
	}
	violations += len(c.Violations)
	rate := float64(c.Steps()) / max(took.Seconds(), 1e-9)
	fmt.Fprintf(w, "recorded %d cases (%d steps, %d skipped, %d contract violations) in %s (%.0f steps/s; witness %s) to %s\n",
		len(c.Cases), c.Steps(), skipped, violations, took.Round(time.Millisecond), rate, c.Target.Witness, path)
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
