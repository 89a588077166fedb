package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/reports"
)

// --procs 2 against serve --no-control (second-long transitions) runs the same testcases
// with the same verdicts as --procs 1, and its plan says how many processes run a suite.
func TestProcsTwoRunsTheSameCases(t *testing.T) {
	world, err := filepath.Abs(filepath.Join("..", "..", "suites", "teeth", "testdata", "nocontrol-world.json"))
	if err != nil {
		t.Fatal(err)
	}
	fixtures, _ := filepath.Abs(filepath.Join("..", "..", "suites", "teeth", "testdata", "nocontrol-fixtures.json"))
	run := func(procs string) (cliResult, []string) {
		endpoint, _, _ := serveProc(t, "--no-control", "--world", world)
		r := runProc(t, 5*time.Minute, childEnv(t), "run", "--endpoint", endpoint, "--fixtures", fixtures, "--suites", "conformance",
			"--label-filter", "area:dryrun || area:forcestop", "--seed", "11", "--procs", procs)
		if r.code != exitPass || !strings.Contains(r.stdout, "procs "+procs+" per suite") {
			t.Fatalf("--procs %s: want a green run whose plan names the procs, got %s", procs, r)
		}
		return r, caseVerdicts(r.report(t))
	}
	_, one := run("1")
	r2, two := run("2")
	if len(one) == 0 || !slices.Equal(one, two) {
		t.Fatalf("--procs 2 ran other cases or verdicts than --procs 1:\n1: %v\n2: %v", one, two)
	}
	if log, err := os.ReadFile(filepath.Join(filepath.Dir(r2.junit), "logs", "conformance.log")); err != nil || !strings.Contains(string(log), "Running in parallel across 2 processes") {
		t.Fatalf("the conformance log does not show Ginkgo's parallel run (%v):\n%s", err, log)
	}
}

// caseVerdicts is every testcase of s as "name: verdict", sorted.
func caseVerdicts(s reports.Suites) []string {
	var out []string
	for _, su := range s.Suites {
		for _, c := range su.Cases {
			v := "passed"
			switch {
			case c.Failure != nil:
				v = "failed"
			case c.Error != nil:
				v = "error"
			case c.Skipped != nil:
				v = "skipped"
			}
			out = append(out, c.Name+": "+v)
		}
	}
	slices.Sort(out)
	return out
}

// Without a ginkgo binary next to rebootconf or on PATH, --procs 2 is a configuration error
// (exit 2) that says what is missing; the default (several procs) falls back to one process
// per suite and says so in the plan.
func TestProcsWithoutGinkgo(t *testing.T) {
	cli := binaries(t)
	bin := filepath.Join(t.TempDir(), "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	lone := filepath.Join(bin, "rebootconf")
	if out, err := exec.Command("cp", cli, lone).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	env := append(childEnv(t), "PATH="+bin)
	run := func(args ...string) cliResult {
		cmd := exec.Command(lone, append([]string{"run", "--suites-dir", filepath.Join(filepath.Dir(cli), "suites"), "--suites", "conformance",
			"--label-filter", "RI-DRYRUN-001", "--output-dir", t.TempDir()}, args...)...)
		cmd.Env = env
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		_ = cmd.Run()
		return cliResult{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
	}
	r := run("--procs", "2")
	if r.code != exitConfig || !strings.Contains(r.stderr, "--procs 2: no ginkgo binary next to rebootconf or on PATH") || strings.Contains(r.stdout, "rebootconf plan") {
		t.Fatalf("--procs 2 without ginkgo: want exit 2 naming the missing binary before any preflight, got %s", r)
	}
	r = run()
	if r.code != exitPass || !strings.Contains(r.stdout, "note: procs 1 (the default for embedded is 3)") || !strings.Contains(r.stdout, "procs 1 per suite") {
		t.Fatalf("default procs without ginkgo: want a green one-process run that says why, got %s", r)
	}
}
