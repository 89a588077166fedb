package main

import (
	"bytes"
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
