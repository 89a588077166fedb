package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/rebootconf/rebootconf/reports"
)

// diffCmd compares two JUnit reports (a baseline and a new run) behaviour by behaviour: the
// pre-release API compatibility check "did anything change between two runs?".
func diffCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("diff", "[--strict] [--json] [--known-failing FILE] [--known-flaky FILE] BASELINE NEW   (each a junit.xml or a report.json)")
	strict := fs.Bool("strict", false, "also fail when a behaviour that passed is no longer checked (skipped, absent or unfinished)")
	asJSON := fs.Bool("json", false, "print the comparison as JSON (schema "+reports.DiffSchema+")")
	known := knownFlags(fs)
	paths, err := parseCommandLine(fs, args, 2, stdout, stderr)
	if err != nil {
		return parseFailure(err)
	}
	entries, err := known()
	if err != nil {
		fmt.Fprintf(stderr, "rebootconf diff: %v\n", err)
		return exitConfig
	}
	var runs [2]reports.Suites
	for i, path := range paths {
		s, err := reports.ReadAny(path)
		if err != nil {
			fmt.Fprintf(stderr, "rebootconf diff: %v\n", err)
			return exitConfig
		}
		runs[i], _ = reports.ApplyKnown(s, entries)
	}
	d := reports.Compare(runs[0], runs[1])
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(d.JSON())
	} else {
		_ = d.Fprint(stdout)
	}
	lost := d.Count("no longer checked") + d.Count("not checked (unfinished)")
	if d.Count("regression") > 0 || (*strict && lost > 0) {
		return exitFail
	}
	return exitPass
}
