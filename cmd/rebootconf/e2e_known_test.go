package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/reports"
)

// Known deviations end to end: a known-failing entry turns a mutant run green and a faithful
// run red ("fixed: remove it"); a flaky entry never decides; --write-known-failing writes a
// file that makes today's run pass.
func TestKnownFailingAndFlakyDecideTheExitStatus(t *testing.T) {
	requireNodeTestees(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	one := write("known-failing.txt", "# the emulator answers an unknown instance with the wrong status\n"+
		"SDK-ERR-001 notfound answers the wrong status https://example.com/issues/1\n")
	flaky := write("known-flaky.txt", "SDK-ERR-001: flaky sometimes slow https://example.com/issues/2\n")
	written := filepath.Join(dir, "written.txt")
	env := childEnv(t)
	faithful := slices.Clip(append([]string{"--suites", "sdkclients", "--label-filter", "SDK-ERR-001"}, fastWaits...))
	mutant := slices.Clip(append([]string{"--mutant", "notfound-wrong-status"}, faithful...))
	run := func(args ...string) cliResult {
		t.Helper()
		return runProc(t, 3*time.Minute, env, append([]string{"run"}, args...)...)
	}

	r := run(append(mutant, "--write-known-failing", written)...)
	if r.code != exitFail {
		t.Fatalf("the mutant run without a known-failing file must fail: %s", r)
	}
	data, err := os.ReadFile(written)
	if err != nil || !strings.Contains(string(data), "SDK-ERR-001@popcore ") {
		t.Fatalf("--write-known-failing wrote %q (%v)", data, err)
	}
	if r := run(append(mutant, "--known-failing", written)...); r.code != exitPass {
		t.Errorf("the written file must make the same run pass: %s", r)
	}

	r = run(append(mutant, "--known-failing", one)...)
	if r.code != exitPass || !strings.Contains(r.stdout, "known deviations: 1 still failing, 0 fixed") {
		t.Errorf("a one-entry known-failing file must make the mutant run pass: %s", r)
	}
	rep := r.report(t)
	if !hasSkipType(rep, reports.TypeKnownFailing) {
		t.Errorf("the JUnit report shows no %s case", reports.TypeKnownFailing)
	}
	validateXSD(t, r.junit)

	r = run(append(faithful, "--known-failing", one)...)
	if r.code != exitFail || !strings.Contains(r.stdout, "fixed: remove SDK-ERR-001 from the file") {
		t.Errorf("the same file against the faithful emulator must fail saying fixed: %s", r)
	}

	for _, args := range [][]string{mutant, faithful} {
		if r := run(append(args, "--known-flaky", flaky)...); r.code != exitPass {
			t.Errorf("a flaky entry decided the exit status (%v): %s", args, r)
		}
	}
}

func hasSkipType(rep reports.Suites, typ string) bool {
	for _, su := range rep.Suites {
		for _, c := range su.Cases {
			if c.Skipped != nil && c.Skipped.Type == typ {
				return true
			}
		}
	}
	return false
}

// diff honours the known files: a known failure in the new report is not a regression.
func TestDiffHonoursKnownFiles(t *testing.T) {
	dir := t.TempDir()
	mk := func(name, status string) string {
		c := reports.Case{Name: "SDK-ERR-001 [popcore]", SystemOut: "behaviours: SDK-ERR-001,RI-ERR-001\nlabels: sdk, sdk:popcore, SDK-ERR-001\n\n"}
		if status == "failed" {
			c.Failure = &reports.Result{Type: "failed", Message: "want 404"}
		}
		p := filepath.Join(dir, name)
		if err := reports.WriteFile(p, reports.Merge(reports.Suites{Suites: []reports.Suite{{Name: "SDK clients", Cases: []reports.Case{c}}}})); err != nil {
			t.Fatal(err)
		}
		return p
	}
	before, after := mk("before.xml", "passed"), mk("after.xml", "failed")
	known := filepath.Join(dir, "known.txt")
	_ = os.WriteFile(known, []byte("SDK-ERR-001@popcore wrong status\n"), 0o644)
	var out, errOut strings.Builder
	if code := diffCmd([]string{before, after}, &out, &errOut); code != exitFail {
		t.Fatalf("a new failure is a regression: exit %d\n%s", code, out.String())
	}
	for _, flag := range []string{"--known-failing", "--known-flaky"} {
		out.Reset()
		if code := diffCmd([]string{flag, known, before, after}, &out, &errOut); code != exitPass {
			t.Errorf("diff %s: a listed failure is no regression: exit %d\n%s%s", flag, code, out.String(), errOut.String())
		}
	}
}
