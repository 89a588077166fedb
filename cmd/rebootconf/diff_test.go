package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rebootconf/rebootconf/reports"
)

func TestDiffCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, cases ...reports.Case) string {
		p := filepath.Join(dir, name)
		if err := reports.WriteFile(p, reports.Suites{Suites: []reports.Suite{{Name: "S", Cases: cases}}}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pass := reports.Case{Name: "locked [RI-ERR-003]", SystemOut: "behaviours: RI-ERR-003\n\n"}
	fail := pass
	fail.Failure = &reports.Result{Message: "got 200, want 403"}
	skip := pass
	skip.Skipped = &reports.Result{Message: "no fixture"}
	base, broken, skipped := write("base.xml", pass), write("broken.xml", fail), write("skipped.xml", skip)

	rows := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"diff", base, base}, exitPass, "no verdict changed"},
		{[]string{"diff", base, broken}, exitFail, "regression        behaviour RI-ERR-003: passed -> failed"},
		{[]string{"diff", broken, base}, exitPass, "fixed"},
		{[]string{"diff", base, skipped}, exitPass, "no longer checked"},
		{[]string{"diff", "--strict", base, skipped}, exitFail, "no longer checked"},
		{[]string{"diff", base}, exitConfig, ""},
		{[]string{"diff", base, filepath.Join(dir, "missing.xml")}, exitConfig, ""},
	}
	for _, r := range rows {
		var out, errOut bytes.Buffer
		if code := dispatch(r.args, &out, &errOut); code != r.code || !strings.Contains(out.String(), r.out) {
			t.Errorf("%v: exit %d (want %d), output:\n%s%s", r.args[1:], code, r.code, out.String(), errOut.String())
		}
	}
}

// diff says what differs between the two runs, reads report.json as well as JUnit, and
// prints JSON with --json; flags go on either side of the files.
func TestDiffHeaderAndJSON(t *testing.T) {
	dir := t.TempDir()
	write := func(name, endpoint, seed string, c reports.Case) string {
		p := filepath.Join(dir, name)
		props := []reports.Property{{Name: reports.PropTargetKind, Value: "endpoint"}, {Name: reports.PropTargetEndpoint, Value: endpoint}, {Name: reports.PropSeed, Value: seed}}
		if err := reports.WriteFile(p, reports.Suites{Suites: []reports.Suite{{Name: "S @ endpoint " + endpoint, Properties: props, Cases: []reports.Case{c}}}}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pass := reports.Case{Name: "locked [RI-ERR-003]", SystemOut: "behaviours: RI-ERR-003\n\n"}
	fail := pass
	fail.Failure = &reports.Result{Message: "got 200, want 403"}
	base, broken := write("base.xml", "http://a", "1", pass), write("broken.xml", "http://b", "2", fail)
	var out, errOut bytes.Buffer
	if code := dispatch([]string{"diff", base, broken}, &out, &errOut); code != exitFail ||
		!strings.Contains(out.String(), "the runs differ in: target.endpoint (http://a -> http://b), seed (1 -> 2)") ||
		!strings.Contains(out.String(), "regression        testcase  S › locked [RI-ERR-003]: passed -> failed") {
		t.Errorf("diff across targets: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	// The same run as report.json compares like its JUnit.
	rj := filepath.Join(dir, "broken.json")
	s, _ := reports.ReadFile(broken)
	if err := reports.WriteJSON(rj, reports.BuildRunReport(s, reports.RunMeta{Target: reports.RunTarget{Kind: "endpoint", Endpoint: "http://b"}, Seed: 2})); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := dispatch([]string{"diff", base, rj, "--json"}, &out, &errOut); code != exitFail {
		t.Fatalf("diff --json: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	var dj reports.DiffJSON
	if err := json.Unmarshal(out.Bytes(), &dj); err != nil || dj.Schema != reports.DiffSchema || dj.Counts["regression"] != 2 || !strings.Contains(strings.Join(dj.Differs, ";"), "target.endpoint (http://a -> http://b)") {
		t.Errorf("diff --json: %v\n%s", err, out.String())
	}
}
