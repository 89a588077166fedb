package reports

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Tally counts testcases by verdict. Interrupted cases (stopped before they finished) are
// neither passes nor failures.
type Tally struct{ Tests, Passed, Failed, Errors, Skipped, Interrupted int }

func (t *Tally) add(status string) {
	t.Tests++
	switch status {
	case "passed":
		t.Passed++
	case "failed":
		t.Failed++
	case "error":
		t.Errors++
	case "skipped":
		t.Skipped++
	case TypeInterrupted:
		t.Interrupted++
	}
}

// Bad is the number of failed and errored testcases.
func (t Tally) Bad() int { return t.Failed + t.Errors }

// Problem is one failed or errored testcase.
type Problem struct {
	Suite, Name, Classname string
	Status                 string // "failed" or "error"
	Type                   string // Ginkgo state: failed, panicked, interrupted, timedout ...
	Message                string // the failure message on one line
	Location               string // file:line when the report records one
	Area                   string
	Behaviours             []string
}

// SkipGroup is one skip reason and how many testcases gave it. Reasons that differ only in
// an instance or request ID are one group.
type SkipGroup struct {
	Reason  string
	Count   int
	Example string // one case that gave it: its first behaviour ID, else its name
}

// varyingIDRE matches the parts of a skip reason that differ from spec to spec.
var varyingIDRE = regexp.MustCompile(`\bi-[0-9a-zA-Z]{4,}\b|\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b`)

// skipKey is a skip reason with its varying IDs folded, so near-identical reasons group.
func skipKey(msg string) string {
	return varyingIDRE.ReplaceAllStringFunc(cmp.Or(firstLine(msg), "skipped"), func(id string) string {
		if strings.HasPrefix(id, "i-") {
			return "i-…"
		}
		return "…"
	})
}

// Summary is the digest of a (merged) JUnit report.
type Summary struct {
	Tally
	Time       time.Duration
	Areas      map[string]Tally // "" holds cases without an area label
	Behaviours map[string]Tally // by behaviour ID; a case counts once per ID
	Failures   []Problem        // in report order
	Skips      []SkipGroup      // most frequent first
	Unfinished []string         // "suite: case" of every case an interrupt stopped
}

// OK reports whether nothing failed or errored.
func (s Summary) OK() bool { return s.Bad() == 0 }

// WasInterrupted reports whether an interrupt stopped any spec or suite: the run is then
// incomplete whatever the counts say.
func (s Summary) WasInterrupted() bool { return s.Interrupted > 0 }

var locationRE = regexp.MustCompile(`(?m)^(?:location: (\S.*)|.*\bat: (\S+:\d+))`)

// Summarize computes counts, tallies, failures and skip reasons from s.
func Summarize(s Suites) Summary {
	sum := Summary{Time: s.Time.Duration(), Areas: map[string]Tally{}, Behaviours: map[string]Tally{}}
	skips := map[string]*SkipGroup{}
	for _, su := range s.Suites {
		for _, c := range su.Cases {
			st, area, ids := c.Verdict(), c.Area(), c.Behaviours()
			sum.add(st)
			t := sum.Areas[area]
			t.add(st)
			sum.Areas[area] = t
			for _, id := range ids {
				t := sum.Behaviours[id]
				t.add(st)
				sum.Behaviours[id] = t
			}
			switch r := cmp.Or(c.Error, c.Failure); {
			case st == TypeInterrupted:
				sum.Unfinished = append(sum.Unfinished, su.Name+": "+c.Name)
			case r != nil:
				p := Problem{Suite: su.Name, Name: c.Name, Classname: c.Classname, Status: st,
					Type: r.Type, Message: oneLine(r.Message), Area: area, Behaviours: ids}
				if p.Message == "" {
					p.Message = oneLine(r.Text)
				}
				if m := locationRE.FindStringSubmatch(r.Text); m != nil {
					p.Location = cmp.Or(m[1], m[2])
				}
				sum.Failures = append(sum.Failures, p)
			case c.Skipped != nil:
				k := skipKey(c.Skipped.Message)
				if skips[k] == nil {
					skips[k] = &SkipGroup{Reason: k, Example: cmp.Or(strings.Join(ids[:min(len(ids), 1)], ""), c.Name)}
				}
				skips[k].Count++
			}
		}
	}
	for _, g := range skips {
		sum.Skips = append(sum.Skips, *g)
	}
	slices.SortFunc(sum.Skips, func(a, b SkipGroup) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Reason, b.Reason))
	})
	return sum
}

// Fprint writes a compact human summary: totals, areas, behaviours, one line
// per failure and the skip reasons.
func (s Summary) Fprint(w io.Writer) error {
	var b strings.Builder
	verdict := "PASS"
	switch {
	case s.WasInterrupted():
		verdict = "INTERRUPTED"
	case !s.OK():
		verdict = "FAIL"
	}
	unfinished := ""
	if s.Interrupted > 0 {
		unfinished = fmt.Sprintf(", %d unfinished", s.Interrupted)
	}
	fmt.Fprintf(&b, "%s: %d tests, %d passed, %d failed, %d errors, %d skipped%s (suite time %s, summed over suites)\n",
		verdict, s.Tests, s.Passed, s.Failed, s.Errors, s.Skipped, unfinished, s.Time.Round(time.Millisecond))

	if len(s.Areas) > 0 {
		var parts []string
		for _, a := range slices.Sorted(maps.Keys(s.Areas)) {
			parts = append(parts, fmt.Sprintf("%s %s", cmp.Or(a, "(none)"), tallyShort(s.Areas[a])))
		}
		fmt.Fprintf(&b, "areas: %s\n", strings.Join(parts, "; "))
	}

	s.fprintBehaviours(&b)

	for _, p := range s.Failures {
		tag := "FAIL "
		if p.Status == "error" {
			tag = "ERROR"
		}
		ids := ""
		if missing := slices.DeleteFunc(slices.Clone(p.Behaviours), func(id string) bool {
			return strings.Contains(p.Name, id)
		}); len(missing) > 0 {
			ids = "[" + strings.Join(missing, ",") + "] "
		}
		loc := ""
		if p.Location != "" {
			loc = " (" + p.Location + ")"
		}
		typ := ""
		if p.Type != "" {
			typ = p.Type + ": "
		}
		fmt.Fprintf(&b, "  %s %s%s: %s%s%s\n", tag, ids, clip(p.Name, 120), typ, clip(p.Message, 160), loc)
	}
	for _, u := range s.Unfinished {
		fmt.Fprintf(&b, "  STOP  %s: interrupted before it finished (not a verdict)\n", clip(u, 160))
	}
	for _, g := range s.Skips {
		fmt.Fprintf(&b, "  SKIP  x%d %s (e.g. %s)\n", g.Count, clip(g.Reason, 160), clip(g.Example, 80))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// fprintBehaviours writes the behaviour tallies by family and the failing and unchecked IDs.
func (s Summary) fprintBehaviours(b *strings.Builder) {
	if len(s.Behaviours) == 0 {
		return
	}
	// Catalogue behaviours (RI-*) and SDK rows (SDK-*) are tallied apart: 52 behaviours
	// are the contract, the SDK rows are how each client surfaces it.
	var failing, unchecked []string
	var families []string
	type tally struct{ seen, passing, failing, untested int }
	counts := map[string]*tally{}
	for _, id := range slices.Sorted(maps.Keys(s.Behaviours)) {
		fam, _, _ := strings.Cut(id, "-")
		c := counts[fam]
		if c == nil {
			c = &tally{}
			counts[fam] = c
			families = append(families, fam)
		}
		c.seen++
		switch t := s.Behaviours[id]; {
		case t.Bad() > 0:
			failing = append(failing, id)
			c.failing++
		case t.Passed > 0:
			c.passing++
		default:
			c.untested++
			unchecked = append(unchecked, id)
		}
	}
	var parts []string
	for _, fam := range families {
		c := counts[fam]
		parts = append(parts, fmt.Sprintf("%s-*: %d seen, %d passing, %d failing, %d only skipped", fam, c.seen, c.passing, c.failing, c.untested))
	}
	fmt.Fprintf(b, "behaviours: %s\n", strings.Join(parts, "; "))
	if len(failing) > 0 {
		fmt.Fprintf(b, "failing behaviours: %s\n", strings.Join(failing, ", "))
	}
	if len(unchecked) > 0 {
		fmt.Fprintf(b, "unchecked behaviours (every spec skipped): %s\n", strings.Join(unchecked, ", "))
	}
}

func tallyShort(t Tally) string {
	s := fmt.Sprintf("%d/%d", t.Passed, t.Tests)
	var extra []string
	for _, x := range []struct {
		n    int
		what string
	}{{t.Failed, "failed"}, {t.Errors, "errors"}, {t.Skipped, "skipped"}, {t.Interrupted, "unfinished"}} {
		if x.n > 0 {
			extra = append(extra, fmt.Sprintf("%d %s", x.n, x.what))
		}
	}
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return s
}

// clip shortens s to n runes.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-3]) + "..."
}
