package main

import (
	"fmt"
	"io"

	"github.com/rebootconf/rebootconf/reports"
)

// diffCmd compares two JUnit reports (a baseline and a new run) behaviour by behaviour: the
// pre-release API compatibility check "did anything change between two runs?".
func diffCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("diff", "[--strict] BASELINE.xml NEW.xml")
	strict := fs.Bool("strict", false, "also fail when a behaviour that passed is no longer checked (skipped or absent)")
	paths, err := parseCommandLine(fs, args, 2, stdout, stderr)
	if err != nil {
		return parseFailure(err)
	}
	var runs [2]reports.Suites
	for i, path := range paths {
		s, err := reports.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "rebootconf diff: %v\n", err)
			return exitConfig
		}
		runs[i] = s
	}
	d := reports.Compare(runs[0], runs[1])
	_ = d.Fprint(stdout)
	if d.Count("regression") > 0 || (*strict && d.Count("no longer checked") > 0) {
		return exitFail
	}
	return exitPass
}
