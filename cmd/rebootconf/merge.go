package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/rebootconf/rebootconf/reports"
)

// mergeCmd joins the outputs of a sharded run (`run --shard i/n` on each machine) into one
// run's reports: junit.xml, report.json and report.html that diff reads like any other.
func mergeCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("merge", "[--output-dir DIR] SHARD_OUTPUT...   (each a 'run --shard' output directory, or its junit.xml)")
	outDir := fs.String("output-dir", "merged", "directory for the merged junit.xml, report.json and report.html")
	paths, err := parseCommandLine(fs, args, -1, stdout, stderr)
	if err != nil {
		return parseFailure(err)
	}
	if len(paths) == 0 {
		return parseFailure(usageErr(fs, stderr, "name the output of every shard"))
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "rebootconf merge: "+format+"\n", a...)
		return exitConfig
	}
	var all []reports.Suites
	var runs []reports.RunReport
	for _, p := range paths {
		s, rep, err := readShardOutput(p)
		if err != nil {
			return fail("%v", err)
		}
		all = append(all, s)
		if rep != nil {
			runs = append(runs, *rep)
		}
	}
	merged, problems := reports.MergeShards(all...)
	if len(problems) > 0 {
		return fail("%s", problems[0])
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return fail("--output-dir: %v", err)
	}
	if err := reports.WriteFile(filepath.Join(*outDir, junitFile), merged); err != nil {
		return fail("write JUnit: %v", err)
	}
	rep := reports.BuildRunReport(merged, mergedMeta(runs))
	if err := reports.WriteJSON(filepath.Join(*outDir, jsonFile), rep); err != nil {
		return fail("write %s: %v", jsonFile, err)
	}
	if err := reports.WriteHTML(filepath.Join(*outDir, htmlFile), rep); err != nil {
		return fail("write %s: %v", htmlFile, err)
	}
	sum := reports.Summarize(merged)
	_ = sum.Fprint(stdout)
	printReproduce(stdout, rep)
	fmt.Fprintf(stdout, "merged %d shard output(s); reports: %s (%s, %s, %s)\n", len(paths), *outDir, junitFile, jsonFile, htmlFile)
	if !sum.OK() {
		return exitFail
	}
	return exitPass
}

// readShardOutput reads one shard's JUnit report and, beside it, its report.json (nil when
// there is none: the merged report.json then carries less of the run's facts).
func readShardOutput(p string) (reports.Suites, *reports.RunReport, error) {
	st, err := os.Stat(p)
	if err != nil {
		return reports.Suites{}, nil, err
	}
	dir, junit := p, filepath.Join(p, junitFile)
	if !st.IsDir() {
		dir, junit = filepath.Dir(p), p
	}
	s, err := reports.ReadFile(junit)
	if err != nil {
		return s, nil, fmt.Errorf("%s: %v", p, err)
	}
	if _, err := os.Stat(filepath.Join(dir, jsonFile)); err != nil {
		return s, nil, nil
	}
	rep, err := reports.ReadRunReport(filepath.Join(dir, jsonFile))
	if err != nil {
		return s, nil, fmt.Errorf("%s: %v", p, err)
	}
	return s, &rep, nil
}

// mergedMeta is the merged run's facts: the first shard's target and settings, the earliest
// start, the longest wall time (shards run side by side), every shard's plan and reproduce
// lines.
func mergedMeta(runs []reports.RunReport) reports.RunMeta {
	var m reports.RunMeta
	repro := map[string]string{}
	m.PlanSpecs = map[string]int{}
	for i, r := range runs {
		if i == 0 {
			m.Target, m.RunID, m.Seed, m.LabelFilter, m.Suites = r.Target, r.RunID, r.Seed, r.LabelFilter, r.Suites
		}
		if t, err := time.Parse(time.RFC3339, r.Started); err == nil && (m.Started.IsZero() || t.Before(m.Started)) {
			m.Started = t
		}
		m.Wall = max(m.Wall, time.Duration(r.WallSeconds*float64(time.Second)))
		m.Estimate = max(m.Estimate, time.Duration(r.Plan.EstimateSeconds*float64(time.Second)))
		for k, v := range r.Plan.Specs {
			m.PlanSpecs[k] += v
		}
		for _, s := range r.Specs {
			if s.Reproduce != "" {
				repro[s.Suite+"\x00"+s.Name] = s.Reproduce
			}
		}
		m.Interrupted = m.Interrupted || r.Verdict == "interrupted"
		for _, s := range r.Suites {
			if !slices.Contains(m.Suites, s) {
				m.Suites = append(m.Suites, s)
			}
		}
	}
	m.Reproduce = func(su reports.Suite, c reports.Case) string { return repro[su.Name+"\x00"+c.Name] }
	return m
}
