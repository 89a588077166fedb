package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/rebootconf/rebootconf/reports"
)

// diffCmd compares two JUnit reports (a baseline and a new run) behaviour by behaviour: the
// pre-release API compatibility check "did anything change between two runs?".
func diffCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	strict := fs.Bool("strict", false, "also fail when a behaviour that passed is no longer checked (skipped or absent)")
	known := knownFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: rebootconf diff [--strict] [--known-failing FILE] [--known-flaky FILE] BASELINE.xml NEW.xml")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return parseFailure(err)
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return exitConfig
	}
	entries, err := known()
	if err != nil {
		fmt.Fprintf(stderr, "rebootconf diff: %v\n", err)
		return exitConfig
	}
	var runs [2]reports.Suites
	for i, path := range fs.Args() {
		s, err := reports.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "rebootconf diff: %v\n", err)
			return exitConfig
		}
		runs[i], _ = reports.ApplyKnown(s, entries)
	}
	d := reports.Compare(runs[0], runs[1])
	_ = d.Fprint(stdout)
	if d.Count("regression") > 0 || (*strict && d.Count("no longer checked") > 0) {
		return exitFail
	}
	return exitPass
}
