package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/rebootconf/rebootconf/fixtures/cassette"
	"github.com/rebootconf/rebootconf/reports"
)

// compareConfig is everything `compare` was told.
type compareConfig struct {
	ro                      recordOptions
	baseline, candidate     string // cassette paths or live URLs
	baseline2               string
	jsonOut, htmlOut, junit string
	accept, writeAccept     string
	strict, verbose         bool
}

func parseCompare(args []string, stdout, stderr io.Writer) (compareConfig, error) {
	var c compareConfig
	fs := newFlags("compare", "BASELINE CANDIDATE [flags]  |  BASELINE --endpoint URL [flags]")
	c.ro.register(fs, "the candidate as a live ECS-compatible endpoint (instead of a CANDIDATE argument)")
	fs.StringVar(&c.baseline2, "baseline2", "", "a second recording of the baseline (cassette or URL): fields that differ between the two are noise")
	fs.StringVar(&c.jsonOut, "json", "", "write the report as JSON to this file")
	fs.StringVar(&c.htmlOut, "html", "", "write the report as HTML to this file")
	fs.StringVar(&c.junit, "junit-report", "", "write a JUnit report (one testcase per sequence) to this file")
	fs.StringVar(&c.accept, "accept", "", "file of accepted compatibility changes (keys, one a line); any other change then fails")
	fs.StringVar(&c.writeAccept, "write-accept", "", "write the compatibility changes found as an accept file, for review")
	fs.BoolVar(&c.strict, "strict", false, "fail on any compatibility change not accepted")
	fs.BoolVar(&c.verbose, "v", false, "also list what was not compared and where the baseline breaks the contract")
	pos, err := parseCommandLine(fs, args, -1, stdout, stderr)
	if err != nil {
		return c, err
	}
	switch {
	case len(pos) == 2 && c.ro.opts.Endpoint == "":
		c.baseline, c.candidate = pos[0], pos[1]
	case len(pos) == 1 && c.ro.opts.Endpoint != "":
		c.baseline, c.candidate = pos[0], c.ro.opts.Endpoint
	default:
		return c, usageErr(fs, stderr, "want BASELINE and CANDIDATE (a cassette file or an http(s) URL each), or BASELINE and --endpoint URL")
	}
	c.ro.opts.Mutants = c.ro.mutants
	return c, nil
}

func isURL(s string) bool { return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") }

// load reads a cassette file or records a live side.
func (c *compareConfig) load(ctx context.Context, side string, corpus []cassette.Case) (*cassette.Cassette, error) {
	if !isURL(side) {
		cas, err := cassette.Load(side)
		if err != nil {
			return nil, err
		}
		keep := map[string]bool{}
		for _, cs := range corpus {
			keep[cs.ID] = true
		}
		if c.ro.cases != "" {
			// --cases narrows a recorded side as it narrows a live one.
			cas.Cases = slices.DeleteFunc(cas.Cases, func(cr cassette.CaseRecord) bool { return !keep[cr.ID] })
		}
		return cas, nil
	}
	o := c.ro.opts
	o.Endpoint = side
	cas, _, err := recordLive(ctx, o, corpus)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", side, err)
	}
	return cas, nil
}

func compareCmd(args []string, stdout, stderr io.Writer) int {
	c, err := parseCompare(args, stdout, stderr)
	if err != nil {
		return parseFailure(err)
	}
	corpus, err := c.ro.corpus()
	if err != nil {
		fmt.Fprintf(stderr, "rebootconf compare: %v\n", err)
		return exitConfig
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	bases, cand, err := c.sides(ctx, corpus)
	if err != nil {
		fmt.Fprintf(stderr, "rebootconf compare: %v\n", err)
		return exitConfig
	}
	rep, err := cassette.Compare(bases, cand)
	if err != nil {
		fmt.Fprintf(stderr, "rebootconf compare: %v\n", err)
		return exitConfig
	}
	rep.Baseline, rep.Candidate = c.baseline, c.candidate
	if c.accept != "" {
		pats, err := cassette.LoadAccept(c.accept)
		if err != nil {
			fmt.Fprintf(stderr, "rebootconf compare: %v\n", err)
			return exitConfig
		}
		rep.Accept(pats)
	}
	if err := c.write(rep); err != nil {
		fmt.Fprintf(stderr, "rebootconf compare: %v\n", err)
		return exitConfig
	}
	rep.Fprint(stdout, c.verbose)
	if rep.Count(cassette.ContractBreaking, true) > 0 || ((c.strict || c.accept != "") && rep.Count(cassette.Compatibility, false) > 0) {
		return exitFail
	}
	return exitPass
}

// sides loads (or records) the baseline recordings and the candidate.
func (c *compareConfig) sides(ctx context.Context, corpus []cassette.Case) ([]*cassette.Cassette, *cassette.Cassette, error) {
	first, err := c.load(ctx, c.baseline, corpus)
	if err != nil {
		return nil, nil, err
	}
	bases := []*cassette.Cassette{first}
	second := c.baseline2
	if second == "" && isURL(c.baseline) {
		second = c.baseline // Diffy: a live baseline is recorded twice, its differences are noise
	}
	if second != "" {
		b2, err := c.load(ctx, second, corpus)
		if err != nil {
			return nil, nil, err
		}
		bases = append(bases, b2)
	}
	cand, err := c.load(ctx, c.candidate, corpus)
	return bases, cand, err
}

// write writes the report files asked for.
func (c *compareConfig) write(rep *cassette.Report) error {
	for _, out := range []struct {
		path  string
		write func(io.Writer) error
	}{{c.jsonOut, rep.WriteJSON}, {c.htmlOut, rep.WriteHTML}} {
		if out.path == "" {
			continue
		}
		f, err := os.Create(out.path)
		if err != nil {
			return err
		}
		err = errors.Join(out.write(f), f.Close())
		if err != nil {
			return err
		}
	}
	if c.writeAccept != "" {
		if err := os.WriteFile(c.writeAccept, []byte(rep.AcceptList()), 0o644); err != nil {
			return err
		}
	}
	if c.junit != "" {
		return reports.WriteFile(c.junit, compareJUnit(rep, c.strict || c.accept != ""))
	}
	return nil
}

// compareJUnit renders one testcase per sequence: failed on a contract-breaking divergence
// (or, when strict, an unaccepted compatibility change), skipped when not compared.
func compareJUnit(rep *cassette.Report, strict bool) reports.Suites {
	type tc struct {
		behaviours []string
		lines      []string
		failed     bool
	}
	cases, order := map[string]*tc{}, []string(nil)
	for _, sq := range rep.Compared {
		cases[sq.ID] = &tc{behaviours: sq.Behaviours}
		order = append(order, sq.ID)
	}
	get := func(id string, bs []string) *tc {
		if t, ok := cases[id]; ok {
			return t
		}
		cases[id] = &tc{behaviours: bs}
		order = append(order, id)
		return cases[id]
	}
	for _, d := range rep.Divergences {
		t := get(d.Case, d.Behaviours)
		t.lines = append(t.lines, fmt.Sprintf("%s %s: %s -> %s", d.Class, d.Key, oneLineCLI(d.Baseline), oneLineCLI(d.Candidate)))
		t.failed = t.failed || d.Class == cassette.ContractBreaking || (strict && !d.Accepted)
	}
	s := reports.Suite{Name: "compare", Properties: []reports.Property{{Name: "baseline", Value: rep.Baseline}, {Name: "candidate", Value: rep.Candidate}}}
	for _, id := range order {
		t := cases[id]
		out := "behaviours: " + strings.Join(t.behaviours, ",") + "\n\n" + strings.Join(t.lines, "\n")
		if len(t.lines) == 0 {
			out += "no divergence"
		}
		k := reports.Case{Name: id, Classname: "compare", SystemOut: out}
		if t.failed {
			k.Failure = &reports.Result{Type: "divergence", Message: firstLine(t.lines[0]), Text: strings.Join(t.lines, "\n")}
		}
		s.Cases = append(s.Cases, k)
	}
	for _, g := range rep.Gaps {
		if g.Step == 0 {
			s.Cases = append(s.Cases, reports.Case{Name: g.Case, Classname: "compare", Skipped: &reports.Result{Message: g.Reason}})
		}
	}
	return reports.Suites{Name: "rebootconf compare", Suites: []reports.Suite{s}}
}

func oneLineCLI(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
