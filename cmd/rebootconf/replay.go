package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/rebootconf/rebootconf/fixtures/replay"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

// replayCmd re-runs a failing sequence written by the properties suite against any target,
// checking every step against the model again: the one command a fuzz failure report names.
func replayCmd(args []string, stdout, stderr io.Writer) int {
	var o target.Options
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	targetFlags(fs, &o, "ECS-compatible endpoint URL (default: a fresh embedded emulator)")
	fs.BoolVar(&o.DryRunOnly, "dry-run-only", false, "refuse every non-DryRun mutating step")
	var mutants multiFlag
	fs.Var(&mutants, "mutant", "plant a named bug in the embedded emulator (repeatable)")
	quiet := fs.Bool("q", false, "print only the verdict, not the exchanges")
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: rebootconf replay FILE.json [flags]   (flags may also come before FILE.json)
Re-runs a sequence the properties suite wrote (reports/replay/<spec>.json), checking every
step against the model. With a control API the sequence's world is created first and
deleted again when the replay ends, however it ends.
Exit status: 0 every step agrees, 1 a step disagrees, 2 bad usage, infrastructure trouble
or an interrupted replay.
flags:
`)
		fs.PrintDefaults()
	}
	file, err := parseReplayArgs(fs, args)
	if err != nil {
		return parseFailure(err)
	}
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

// errUsage is a usage mistake parseReplayArgs has already printed.
var errUsage = errors.New("usage")

// parseReplayArgs parses flags before and after the one FILE argument (the flag package
// alone stops at the first non-flag, so `replay FILE --endpoint URL`, the form failure
// reports print, would leave --endpoint unparsed). Everything after "--" is a file name.
// Problems are printed to the flag set's output; the error is flag.ErrHelp for -h, else
// errUsage.
func parseReplayArgs(fs *flag.FlagSet, args []string) (string, error) {
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return "", err
			}
			return "", errUsage // the flag package has printed the error and the usage
		}
		rest := fs.Args()
		if consumed := args[:len(args)-len(rest)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			files = append(files, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		files, args = append(files, rest[0]), rest[1:]
	}
	switch len(files) {
	case 1:
		return files[0], nil
	case 0:
		fmt.Fprintln(fs.Output(), "rebootconf replay: name the sequence file to replay")
		fs.Usage()
	default:
		fmt.Fprintf(fs.Output(), "rebootconf replay: one FILE.json expected, got %d: %s (see rebootconf replay -h)\n", len(files), strings.Join(files, " "))
	}
	return "", errUsage
}
