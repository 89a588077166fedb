package reports

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Change is one testcase or behaviour whose verdict differs between two reports. A status is
// "passed", "failed", "error", "skipped", "interrupted" (stopped before it finished), or ""
// when absent from that report.
type Change struct {
	Kind          string // "behaviour" or "testcase"
	Key           string // behaviour ID, or "suite › testcase name"
	Before, After string
}

// Class sorts a change for a pre-release compatibility check.
func (c Change) Class() string {
	bad := func(s string) bool { return s == "failed" || s == "error" }
	switch {
	case c.After == TypeInterrupted:
		// An unfinished spec proves nothing: never a regression, whatever it was before.
		return "not checked (unfinished)"
	case bad(c.After) && !bad(c.Before):
		return "regression"
	case bad(c.Before) && c.After == "passed":
		return "fixed"
	case c.Before == "passed" && (c.After == "skipped" || c.After == ""):
		return "no longer checked"
	case c.Before == "":
		return "new"
	}
	return "changed"
}

// Diff is what changed between a baseline report and a new one, and what the two runs were.
type Diff struct {
	Before, After RunFacts // the baseline's and the new run's facts
	Changes       []Change
}

// Compare lines up two reports by behaviour ID (the worst verdict of its testcases) and by
// testcase, and lists every verdict that changed.
func Compare(before, after Suites) Diff {
	d := Diff{Before: FactsOf(before), After: FactsOf(after)}
	bb, ab := behaviourVerdicts(before), behaviourVerdicts(after)
	for _, id := range unionKeys(bb, ab) {
		if bb[id] != ab[id] {
			d.Changes = append(d.Changes, Change{Kind: "behaviour", Key: id, Before: bb[id], After: ab[id]})
		}
	}
	bc, ac := caseVerdicts(before), caseVerdicts(after)
	for _, k := range unionKeys(bc, ac) {
		if bc[k] != ac[k] {
			d.Changes = append(d.Changes, Change{Kind: "testcase", Key: k, Before: bc[k], After: ac[k]})
		}
	}
	return d
}

// Count returns how many changes fall in class.
func (d Diff) Count(class string) int {
	n := 0
	for _, c := range d.Changes {
		if c.Class() == class {
			n++
		}
	}
	return n
}

// Fprint writes what differs between the two runs, then the changes grouped by class,
// behaviours first.
func (d Diff) Fprint(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "baseline: %s\nnew:      %s\n", d.Before, d.After)
	if diff := d.Before.Differs(d.After); len(diff) > 0 {
		fmt.Fprintf(&b, "the runs differ in: %s\n", strings.Join(diff, ", "))
	} else {
		b.WriteString("the runs differ in: nothing recorded (same target, mutants, seed, filter and version)\n")
	}
	if len(d.Changes) == 0 {
		b.WriteString("no verdict changed\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	for _, class := range diffClasses {
		for _, c := range d.Changes {
			if c.Class() == class {
				fmt.Fprintf(&b, "%-17s %-9s %s: %s -> %s\n", class, c.Kind, c.Key, orAbsent(c.Before), orAbsent(c.After))
			}
		}
	}
	fmt.Fprintf(&b, "%d regressions, %d no longer checked, %d not checked (unfinished), %d fixed, %d new, %d other changes\n",
		d.Count("regression"), d.Count("no longer checked"), d.Count("not checked (unfinished)"), d.Count("fixed"), d.Count("new"), d.Count("changed"))
	_, err := io.WriteString(w, b.String())
	return err
}

// diffClasses are the classes of Change.Class in the order Fprint lists them.
var diffClasses = []string{"regression", "no longer checked", "not checked (unfinished)", "fixed", "new", "changed"}

func orAbsent(s string) string {
	if s == "" {
		return "absent"
	}
	return s
}

func behaviourVerdicts(s Suites) map[string]string {
	out := map[string]string{}
	for _, su := range s.Suites {
		for _, c := range su.Cases {
			for _, id := range c.Behaviours() {
				out[id] = worse(out[id], c.Verdict())
			}
		}
	}
	return out
}

func caseVerdicts(s Suites) map[string]string {
	out := map[string]string{}
	for _, su := range s.Suites {
		for _, c := range su.Cases {
			k := BaseSuiteName(su.Name) + " › " + c.Name // two targets' runs line up
			out[k] = worse(out[k], c.Verdict())
		}
	}
	return out
}

func unionKeys(a, b map[string]string) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
