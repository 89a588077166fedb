package reports

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Kinds of a known-deviations file entry (docs/deviations.md). A known-failing entry must
// fail (if it passes, the run fails: "fixed: remove it from the file"); a known-flaky one
// runs and is reported but never decides the exit status.
const (
	KindFailing = "failing"
	KindFlaky   = "flaky"
)

// JUnit result types of rewritten and added testcases.
const (
	TypeKnownFailing = "known-failing"       // <skipped>: failed as the file expects
	TypeKnownFlaky   = "known-flaky"         // <skipped>: a known-flaky case failed
	TypeKnownFixed   = "known-failing-fixed" // <failure>: an entry whose cases all passed
)

// Entry is one line of a known-deviations or deviations file.
type Entry struct {
	ID     string // behaviour (RI-ERR-004) or SDK row (SDK-ERR-002) ID
	Client string // "" = every client; else only specs labelled sdk:<Client>
	Kind   string
	Reason string
	Link   string
	Pos    string // file:line
}

// Selector is the entry's ID[@client].
func (e Entry) Selector() string {
	if e.Client == "" {
		return e.ID
	}
	return e.ID + "@" + e.Client
}

// ParseEntries reads the line grammar shared by every such file:
//
//	ID[@client][:] [kind] reason words ... [https://link]
//
// '#' starts a comment line. With a colon after the selector the next word is the kind;
// without one the kind is defKind (an error when defKind is ""). allowed lists the kinds the
// file may hold; a reason is required.
func ParseEntries(data []byte, name, defKind string, allowed ...string) ([]Entry, error) {
	var out []Entry
	seen := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		e := Entry{Kind: defKind, Pos: fmt.Sprintf("%s:%d", name, n)}
		sel, hasKind := strings.CutSuffix(f[0], ":")
		f = f[1:]
		if hasKind {
			if len(f) == 0 {
				return nil, fmt.Errorf("%s: a kind must follow %q", e.Pos, sel+":")
			}
			e.Kind, f = f[0], f[1:]
		}
		e.ID, e.Client, _ = strings.Cut(sel, "@")
		if !IsBehaviourID(e.ID) {
			return nil, fmt.Errorf("%s: %q is not a behaviour or row ID (like RI-ERR-004 or SDK-ERR-002)", e.Pos, e.ID)
		}
		if strings.Contains(sel, "@") && e.Client == "" {
			return nil, fmt.Errorf("%s: empty client after '@' in %q", e.Pos, sel)
		}
		if !slices.Contains(allowed, e.Kind) {
			return nil, fmt.Errorf("%s: kind %q: this file takes %s", e.Pos, e.Kind, strings.Join(allowed, ", "))
		}
		if len(f) > 0 && (strings.HasPrefix(f[len(f)-1], "https://") || strings.HasPrefix(f[len(f)-1], "http://")) {
			e.Link, f = f[len(f)-1], f[:len(f)-1]
		}
		e.Reason = strings.Join(f, " ")
		if e.Reason == "" {
			return nil, fmt.Errorf("%s: %s needs a reason", e.Pos, sel)
		}
		key := e.Selector() + " " + e.Kind
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("%s: %s %s is already listed at %s", e.Pos, e.Selector(), e.Kind, prev)
		}
		seen[key] = e.Pos
		out = append(out, e)
	}
	return out, sc.Err()
}

// ReadKnown reads a --known-failing (kind KindFailing) or --known-flaky (KindFlaky) file.
// Entries may repeat the kind ("RI-ERR-004: failing reason"), never name another.
func ReadKnown(path, kind string) ([]Entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseEntries(data, path, kind, kind)
}

// KnownOutcome is what became of one entry in a run.
type KnownOutcome struct {
	Entry
	State string   // "still failing", "fixed", "not run", "flaky failed", "flaky passed"
	Cases []string // names of the matching testcases
}

// KnownReport is every entry's outcome, in file order.
type KnownReport struct{ Outcomes []KnownOutcome }

// Count returns how many outcomes are in state.
func (k KnownReport) Count(state string) int {
	n := 0
	for _, o := range k.Outcomes {
		if o.State == state {
			n++
		}
	}
	return n
}

// matches reports whether testcase c is selected by e.
func (e Entry) matches(c Case) bool {
	if !slices.Contains(c.Behaviours(), e.ID) {
		return false
	}
	return e.Client == "" || slices.Contains(c.Labels(), "sdk:"+e.Client)
}

// ApplyKnown judges s against the entries: a failed case an entry expects becomes a skipped
// case of type known-failing (or known-flaky), its failure kept in the text; an entry of kind
// failing whose cases all passed adds one failing testcase, "fixed: remove it from the file".
// Nothing else changes, so Summarize(out).OK() is the run's verdict.
func ApplyKnown(s Suites, entries []Entry) (Suites, KnownReport) {
	out := s
	out.Suites = make([]Suite, len(s.Suites))
	for i, su := range s.Suites {
		su.Cases = slices.Clone(su.Cases)
		out.Suites[i] = su
	}
	var rep KnownReport
	var fixed []Case
	for _, e := range entries {
		o := KnownOutcome{Entry: e}
		failed, passed := 0, 0
		for i := range out.Suites {
			for j := range out.Suites[i].Cases {
				c := &out.Suites[i].Cases[j]
				if !e.matches(*c) {
					continue
				}
				o.Cases = append(o.Cases, c.Name)
				switch c.Status() {
				case "failed", "error":
					failed++
					expect(c, e)
				case "passed":
					passed++
				case "skipped":
					if c.Skipped.Type == TypeKnownFailing || c.Skipped.Type == TypeKnownFlaky {
						failed++ // rewritten for an earlier entry: it did fail
					}
				}
			}
		}
		o.State = knownState(e.Kind, failed, passed)
		if o.State == "fixed" {
			fixed = append(fixed, fixedCase(e, o.Cases))
		}
		rep.Outcomes = append(rep.Outcomes, o)
	}
	if len(fixed) > 0 {
		out.Suites = append(out.Suites, Suite{Name: "rebootconf known deviations", Cases: fixed})
	}
	out.recount()
	return out, rep
}

func knownState(kind string, failed, passed int) string {
	switch {
	case kind == KindFlaky && failed > 0:
		return "flaky failed"
	case kind == KindFlaky && passed > 0:
		return "flaky passed"
	case failed > 0:
		return "still failing"
	case passed > 0:
		return "fixed"
	}
	return "not run"
}

// expect rewrites a failed case as the skip of an expected failure, keeping what failed.
func expect(c *Case, e Entry) {
	r := cmp.Or(c.Error, c.Failure)
	typ := TypeKnownFailing
	if e.Kind == KindFlaky {
		typ = TypeKnownFlaky
	}
	msg := fmt.Sprintf("%s %s (%s): %s", typ, e.Selector(), e.Pos, e.Reason)
	if e.Link != "" {
		msg += " " + e.Link
	}
	// One message per entry, so the summary groups its cases; what failed stays in the text.
	c.Skipped = &Result{Type: typ, Message: msg, Text: "failed: " + r.Message + "\n" + r.Text}
	c.Error, c.Failure = nil, nil
}

func fixedCase(e Entry, cases []string) Case {
	msg := fmt.Sprintf("fixed: remove %s from the file (%s): every matching testcase passed", e.Selector(), e.Pos)
	return Case{Name: "known-failing " + e.Selector(), Classname: "rebootconf.known",
		Failure: &Result{Type: TypeKnownFixed, Message: msg, Text: msg + "\n" + strings.Join(cases, "\n")}}
}

// Fprint writes one line per entry whose outcome matters, then the counts.
func (k KnownReport) Fprint(w io.Writer) error {
	if len(k.Outcomes) == 0 {
		return nil
	}
	var b strings.Builder
	for _, o := range k.Outcomes {
		if o.State == "still failing" || o.State == "flaky passed" {
			continue
		}
		fmt.Fprintf(&b, "known %-7s %-13s %s (%s): %s\n", o.Kind, o.State, o.Selector(), o.Pos, o.Reason)
	}
	fmt.Fprintf(&b, "known deviations: %d still failing, %d fixed (remove them from the file), %d not run, %d flaky failed (ignored), %d flaky passed\n",
		k.Count("still failing"), k.Count("fixed"), k.Count("not run"), k.Count("flaky failed"), k.Count("flaky passed"))
	_, err := io.WriteString(w, b.String())
	return err
}

// Properties are the report's JUnit properties for the known-deviations suite.
func (k KnownReport) Properties() []Property {
	return []Property{
		{Name: "rebootconf.known.still-failing", Value: fmt.Sprint(k.Count("still failing"))},
		{Name: "rebootconf.known.fixed", Value: fmt.Sprint(k.Count("fixed"))},
		{Name: "rebootconf.known.not-run", Value: fmt.Sprint(k.Count("not run"))},
		{Name: "rebootconf.known.flaky-failed", Value: fmt.Sprint(k.Count("flaky failed"))},
	}
}

// KnownFailingFile renders today's failures of s as a --known-failing file: one entry per
// failing SDK row × client (ID@client) or behaviour, the failure as its reason.
func KnownFailingFile(s Suites) []byte {
	var b strings.Builder
	b.WriteString("# rebootconf known-failing file (docs/deviations.md): ID[@client] reason [link]\n" +
		"# Written from a run's failures; add a link to each entry's tracking issue.\n")
	seen := map[string]bool{}
	for _, su := range s.Suites {
		for _, c := range su.Cases {
			if st := c.Status(); st != "failed" && st != "error" {
				continue
			}
			sel := selectorOf(c)
			if sel == "" {
				fmt.Fprintf(&b, "# no behaviour or row ID, not listable: %s\n", oneLine(c.Name))
				continue
			}
			if seen[sel] {
				continue
			}
			seen[sel] = true
			reason := clipText(oneLine(cmp.Or(c.Error, c.Failure).Message), 120)
			fmt.Fprintf(&b, "%s %s\n", sel, cmp.Or(reason, "failed"))
		}
	}
	return []byte(b.String())
}

// selectorOf names a failed case: its SDK row and client, else its first behaviour ID.
func selectorOf(c Case) string {
	ids := c.Behaviours()
	client := ""
	for _, l := range c.Labels() {
		if v, ok := strings.CutPrefix(l, "sdk:"); ok {
			client = v
		}
	}
	for _, id := range ids {
		if strings.HasPrefix(id, "SDK-") && client != "" {
			return id + "@" + client
		}
	}
	if len(ids) > 0 {
		return ids[0]
	}
	return ""
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
