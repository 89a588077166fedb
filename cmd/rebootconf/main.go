// Command rebootconf is the conformance harness CLI: `rebootconf <command> [flags]`.
package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/rebootconf/rebootconf/reports"
)

// command is one subcommand: its entry point (returning the exit code) and the one line
// `rebootconf help` shows for it. Adding a command is one entry here.
type command struct {
	run     func(args []string, stdout, stderr io.Writer) int
	summary string
}

// commands is filled in init: each command's -h reads its summary back from here.
var commands map[string]command

func init() {
	commands = map[string]command{
		"run":     {runCmd, "run the suites against a target and write the reports"},
		"list":    {listCmd, "list every behaviour with the specs that cover it"},
		"diff":    {diffCmd, "compare two runs' reports behaviour by behaviour"},
		"merge":   {mergeCmd, "join the outputs of a sharded run (run --shard i/n) into one run's reports"},
		"replay":  {replayCmd, "re-run a failing sequence the properties suite wrote"},
		"serve":   {serveCmd, "run the reference ECS emulator"},
		"sweep":   {sweepCmd, "delete instances earlier runs left behind"},
		"record":  {recordCmd, "record a target's answers to the fixed corpus as a cassette"},
		"compare": {compareCmd, "compare a target or cassette with a baseline, field by field"},
		"version": {versionCmd, "print the version"},
	}
}

// commandOrder is the order help lists the commands in: the main job first.
var commandOrder = []string{"run", "list", "diff", "merge", "record", "compare", "replay", "serve", "sweep", "version"}

// commandHelp is more text for a command's -h, after its summary.
var commandHelp = map[string]string{
	"run": `Preflights the target, prints the plan, runs the suites with live progress and writes
junit.xml, report.json and report.html to --output-dir, with a reproduce command per failure.
Exit status: 0 every spec passed, 1 a failure, 2 usage or configuration (including a
selection that runs no spec), 3 interrupted (the reports hold what finished).`,
	"replay": `Checks every step of the sequence against the model. With a control API the sequence's
world is created first and deleted again when the replay ends, however it ends.
Exit status: 0 every step agrees, 1 a step disagrees, 2 bad usage, infrastructure trouble
or an interrupted replay.`,
	"diff": `Exit status: 1 on a regression (with --strict also on lost coverage), 2 on bad usage.`,
	"merge": `Each argument is the --output-dir of one 'run --shard i/n' (or its junit.xml, with its
report.json beside it). The specs another shard ran are dropped from each, testsuites of one
name become one, and the merged junit.xml, report.json and report.html go to --output-dir.
Every shard of the split must be given, each once.
Exit status: 0 every spec passed, 1 a failure, 2 bad usage or shard outputs that do not
make one run (a shard missing or given twice, outputs of different splits).`,
	"record": `Drives the fixed corpus (every conformance case and a generated sample, through every
transport) against the target and writes a cassette: each request as sent (secrets never
stored), each answer, each reboot's status trajectory, with IDs replaced by role
placeholders. Compare cassettes with 'rebootconf compare'. See docs/compatibility.md.`,
	"compare": `Each side is a cassette written by 'rebootconf record' or a live endpoint URL, recorded on
the fly with the same corpus. A live baseline is recorded twice to learn the noise, as is
one given with --baseline2. Every difference is classified: contract-breaking (the
candidate's answer is outside what the model and the contract allow), compatibility change
(both allowed, but different) or noise (differs between baseline recordings; ignored).
Exit status: 0 no contract-breaking divergence (and, with --strict or --accept, no
compatibility change left unaccepted); 1 otherwise; 2 bad usage or an unreachable side.`,
}

func commandSummary(name string) string { return commands[name].summary }

func main() { os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr)) }

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitConfig
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(stdout)
		return exitPass
	case "help":
		return helpCmd(args[1:], stdout, stderr)
	case "-version", "--version":
		args = append([]string{"version"}, args[1:]...)
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "rebootconf: unknown command %q (see 'rebootconf help')\n", args[0])
		return exitConfig
	}
	return cmd.run(args[1:], stdout, stderr)
}

// helpCmd is `help [COMMAND]`: the command list, or one command's flags, on stdout.
func helpCmd(args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		usage(stdout)
		return exitPass
	case len(args) > 1:
		fmt.Fprintln(stderr, "rebootconf help: name one command (see 'rebootconf help')")
		return exitConfig
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "rebootconf help: unknown command %q (see 'rebootconf help')\n", args[0])
		return exitConfig
	}
	return cmd.run([]string{"-h"}, stdout, stderr)
}

func versionCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("version", "")
	if _, err := parseCommandLine(fs, args, 0, stdout, stderr); err != nil {
		return parseFailure(err)
	}
	fmt.Fprintln(stdout, "rebootconf", reports.HarnessVersion, "(ECS RebootInstance, API 2014-05-26)")
	return exitPass
}

// usage lists the commands with their one-line descriptions.
func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("usage: rebootconf <command> [flags] [arguments]\n\ncommands:\n")
	width := len(slices.MaxFunc(commandOrder, func(a, b string) int { return len(a) - len(b) }))
	for _, n := range commandOrder {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, n, commands[n].summary)
	}
	b.WriteString("\nRun 'rebootconf help <command>' for a command's flags; 'rebootconf --version' for the version.\n")
	_, _ = io.WriteString(w, b.String())
}
