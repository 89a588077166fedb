// Command rebootconf is the conformance harness CLI: `rebootconf <command> [flags]`.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/rebootconf/rebootconf/reports"
)

// commands maps a subcommand name to its entry point, which returns the exit code.
// Adding a command is one line here.
var commands = map[string]func(args []string, stdout, stderr io.Writer) int{
	"serve":  serveCmd,
	"run":    runCmd,
	"list":   listCmd,
	"sweep":  sweepCmd,
	"replay": replayCmd,
	"diff":   diffCmd,
	"record": recordCmd,
	"version": func(_ []string, stdout, _ io.Writer) int {
		fmt.Fprintln(stdout, "rebootconf", reports.HarnessVersion, "(ECS RebootInstance, API 2014-05-26)")
		return 0
	},
	"compare": compareCmd,
}

func main() { os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr)) }

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "rebootconf: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	return cmd(args[1:], stdout, stderr)
}

// parseFailure is the exit code after a flag-parsing error: -h asked for help (the flag
// package has printed it), anything else is a usage error.
func parseFailure(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitPass
	}
	return exitConfig
}

func usage(w io.Writer) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: rebootconf <command> [flags]")
	fmt.Fprintln(w, "commands:")
	for _, n := range names {
		fmt.Fprintln(w, "  "+n)
	}
	fmt.Fprintln(w, "Run 'rebootconf <command> -h' for a command's flags.")
}
