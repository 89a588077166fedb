package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/rebootconf/rebootconf/fixtures/replay"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

// replayCmd re-runs a failing sequence written by the properties suite against any target,
// checking every step against the model again: the one command a fuzz failure report names.
func replayCmd(args []string, stdout, stderr io.Writer) int {
	var o target.Options
	fs := newFlags("replay", "FILE.json [flags]")
	targetFlags(fs, &o, "ECS-compatible endpoint URL (default: a fresh embedded emulator)")
	fs.BoolVar(&o.DryRunOnly, "dry-run-only", false, "refuse every non-DryRun mutating step")
	var mutants multiFlag
	fs.Var(&mutants, "mutant", "plant a named bug in the embedded emulator (repeatable)")
	quiet := fs.Bool("q", false, "print only the verdict, not the exchanges")
	pos, err := parseCommandLine(fs, args, 1, stdout, stderr)
	if err != nil {
		return parseFailure(err)
	}
	file := pos[0]
	o.Mutants = mutants
	seq, err := replay.Load(file)
	if err != nil {
		fmt.Fprintf(stderr, "rebootconf replay: %v\n", err)
		return exitConfig
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	pf, err := preflight(ctx, o, preflightTimeout)
	if err != nil {
		fmt.Fprintf(stderr, "rebootconf replay: preflight: %v\n", err)
		return exitConfig
	}
	defer pf.close()
	tg := pf.target
	r := &replay.Runner{Client: tg.Raw(), Control: tg.Control, Region: tg.Region,
		CountReboots: tg.Control != nil, Guard: tg.Guard, Refused: target.IsRefused}
	err = r.Replay(ctx, seq)
	if !*quiet {
		fmt.Fprintln(stdout, r.Transcript(0))
	}
	var f *replay.Failure
	var td *replay.TeardownError
	switch {
	case errors.As(err, &f):
		if errors.As(err, &td) {
			// Said apart from the verdict: leftovers make the next replay on this emulator fail.
			fmt.Fprintf(stderr, "rebootconf replay: %v\n", td)
		}
		fmt.Fprintf(stdout, "FAIL: %s replays against %s: %v\n", file, tg.Describe(), f)
		return exitFail
	case err != nil:
		fmt.Fprintf(stderr, "rebootconf replay: %v\n", err)
		return exitConfig
	}
	fmt.Fprintf(stdout, "PASS: %d steps of %s agree with the model on %s\n", len(seq.Steps), file, tg.Describe())
	return exitPass
}
