package reports

import (
	"strings"
	"testing"
)

func diffCase(name, status, behaviours string) Case {
	c := Case{Name: name, SystemOut: "behaviours: " + behaviours + "\n\n"}
	switch status {
	case "failed":
		c.Failure = &Result{Message: "x"}
	case "error":
		c.Error = &Result{Message: "x"}
	case "skipped":
		c.Skipped = &Result{Message: "x"}
	}
	return c
}

func TestCompareClassifiesEveryChange(t *testing.T) {
	before := Suites{Suites: []Suite{{Name: "S", Cases: []Case{
		diffCase("a", "passed", "RI-ERR-001"), diffCase("b", "failed", "RI-ERR-002"),
		diffCase("c", "passed", "RI-ERR-003"), diffCase("d", "passed", "RI-ERR-004"), diffCase("same", "passed", "RI-ERR-005"),
	}}}}
	after := Suites{Suites: []Suite{{Name: "S", Cases: []Case{
		diffCase("a", "failed", "RI-ERR-001"), diffCase("b", "passed", "RI-ERR-002"),
		diffCase("c", "skipped", "RI-ERR-003"), diffCase("e", "passed", "RI-ERR-006"), diffCase("same", "passed", "RI-ERR-005"),
	}}}}
	d := Compare(before, after)
	want := map[string]string{
		"behaviour RI-ERR-001": "regression", "behaviour RI-ERR-002": "fixed", "behaviour RI-ERR-003": "no longer checked",
		"behaviour RI-ERR-004": "no longer checked", "behaviour RI-ERR-006": "new",
		"testcase S › a": "regression", "testcase S › b": "fixed", "testcase S › c": "no longer checked",
		"testcase S › d": "no longer checked", "testcase S › e": "new",
	}
	got := map[string]string{}
	for _, c := range d.Changes {
		got[c.Kind+" "+c.Key] = c.Class()
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: class %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("changes %v, want exactly %v", got, want)
	}
	var b strings.Builder
	_ = d.Fprint(&b)
	if !strings.Contains(b.String(), "2 regressions, 4 no longer checked, 0 not checked (unfinished), 2 fixed, 2 new, 0 other changes") {
		t.Errorf("summary line:\n%s", b.String())
	}
	if d := Compare(before, before); len(d.Changes) != 0 {
		t.Errorf("a report differs from itself: %v", d.Changes)
	}
}

// An interrupted run's unfinished specs are "not checked", never regressions, and the
// summary names neither them nor their behaviours as failing.
func TestInterruptedSpecsAreNotVerdicts(t *testing.T) {
	stopped := diffCase("a", "passed", "RI-ERR-001")
	stopped.Error = &Result{Type: TypeInterrupted, Message: "Interrupted by User"}
	before := Suites{Suites: []Suite{{Name: "S", Cases: []Case{diffCase("a", "passed", "RI-ERR-001")}}}}
	after := Suites{Suites: []Suite{{Name: "S", Cases: []Case{stopped}}}}
	d := Compare(before, after)
	if d.Count("regression") != 0 || d.Count("not checked (unfinished)") != 2 {
		t.Errorf("an interrupted spec diffed as %+v", d.Changes)
	}
	s := Summarize(after)
	var b strings.Builder
	_ = s.Fprint(&b)
	if !s.OK() || !s.WasInterrupted() || len(s.Failures) != 0 || !strings.HasPrefix(b.String(), "INTERRUPTED: 1 tests, 0 passed, 0 failed, 0 errors, 0 skipped, 1 unfinished") ||
		strings.Contains(b.String(), "failing behaviours") {
		t.Errorf("summary of an interrupted run:\n%s", b.String())
	}
}

// Suite names carry the target (merged reports of two targets stay apart), classnames do
// not, and diff lines two targets' runs up by the plain suite name.
func TestSuiteNamesCarryTheTarget(t *testing.T) {
	opts := sampleOptions()
	opts.TargetTag = "endpoint 127.0.0.1:8090"
	s := FromGinkgo(sampleReport(), opts)
	su := s.Suites[0]
	if su.Name != "Conformance @ endpoint 127.0.0.1:8090" || strings.Contains(su.Cases[0].Classname, "@") {
		t.Errorf("suite %q, classname %q", su.Name, su.Cases[0].Classname)
	}
	opts.TargetTag = "embedded"
	if d := Compare(s, FromGinkgo(sampleReport(), opts)); len(d.Changes) != 0 {
		t.Errorf("the same verdicts on two targets differ: %+v", d.Changes)
	}
}
