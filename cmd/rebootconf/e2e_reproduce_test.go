package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/reports"
)

// reproMutants are planted bugs of three areas (errors, dryrun, state).
var reproMutants = []string{"notfound-wrong-status", "dryrun-returns-200", "reboot-ends-stopped"}

// A failing run against `serve --mutant` prints, for every failure, one command that —
// pasted into a shell — fails the same way (the same spec fails again, or the replay of the
// properties' sequence fails); the same run's HTML report shows the failures in headless
// Chromium, with a screenshot kept in the test's artefacts (go test -artifacts).
func TestReproduceLinesFailTheSameWay(t *testing.T) {
	var serveArgs []string
	for _, m := range reproMutants {
		serveArgs = append(serveArgs, "--mutant", m)
	}
	url, _, _ := serveProc(t, serveArgs...)
	env := childEnv(t, testCreds...)
	r := runProc(t, 10*time.Minute, env, append([]string{"run", "--endpoint", url, "--suites", "conformance,properties", "--fuzz-checks", "10"}, fastWaits...)...)
	if r.code != exitFail {
		t.Fatalf("a run against planted bugs: %s", r)
	}
	outDir := filepath.Dir(r.junit)
	rep, err := reports.ReadRunReport(filepath.Join(outDir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var failures []reports.RunSpec
	areas := map[string]bool{}
	for _, s := range rep.Specs {
		if s.Verdict == "failed" || s.Verdict == "error" {
			failures = append(failures, s)
			areas[s.Area] = true
		}
	}
	if len(areas) < 3 || !slices.Equal(rep.Target.Mutants, slices.Sorted(slices.Values(reproMutants))) {
		t.Fatalf("want failures in at least 3 areas from mutants %v, got areas %v, target %+v\n%s", reproMutants, areas, rep.Target, r.stdout)
	}
	for _, f := range failures {
		if len(f.Behaviours) == 0 {
			// A property failure names what its minimal case broke (generators.Implicated).
			t.Errorf("%s: a failure that names no behaviour", f.Name)
		}
		if f.Reproduce == "" || !strings.Contains(r.stdout, f.Reproduce) || strings.Contains(f.Reproduce, "testsecret") {
			t.Errorf("%s: reproduce line %q missing from stdout, or leaking the secret", f.Name, f.Reproduce)
			continue
		}
		t.Run(clipText(f.Name, 60), func(t *testing.T) { checkReproduces(t, env, f) })
	}
	renderInChromium(t, filepath.Join(outDir, "report.html"), failures)
}

// checkReproduces pastes f's reproduce line into sh and checks it fails the same way.
func checkReproduces(t *testing.T, env []string, f reports.RunSpec) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", f.Reproduce)
	var out bytes.Buffer
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitFail {
		t.Fatalf("%s\nexit %v, want %d:\n%s", f.Reproduce, err, exitFail, out.String())
	}
	if strings.Contains(f.Reproduce, " replay ") {
		if !strings.Contains(out.String(), "FAIL: ") {
			t.Fatalf("the replay did not report a disagreement:\n%s", out.String())
		}
		return
	}
	rerun, err := reports.ReadRunReport(filepath.Join(dir, DefaultOutputDir, rerunDir, jsonFile))
	if err != nil {
		t.Fatal(err)
	}
	var ran []string
	for _, s := range rerun.Specs {
		ran = append(ran, s.Verdict+" "+s.Name)
		if s.Name == f.Name && s.Verdict == f.Verdict {
			return
		}
	}
	t.Fatalf("%s\ndid not fail %q again; it ran %q", f.Reproduce, f.Name, ran)
}

// renderInChromium opens the report in headless Chromium and checks the matrix and every
// failure render; the screenshot stays in the test's artefacts.
func renderInChromium(t *testing.T, page string, failures []reports.RunSpec) {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium not installed: .ci/install-tools installs it")
		}
		t.Log("chromium not installed: the HTML report was not rendered (.ci/install-tools installs it; CI=true makes this a failure)")
		return
	}
	profile := t.TempDir() // chromium writes a profile; keep it out of $HOME
	run := func(args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		args = append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=" + profile}, args...)
		out, err := exec.CommandContext(ctx, bin, append(args, "file://"+page)...).Output()
		if err != nil {
			t.Fatalf("chromium %v: %v", args, err)
		}
		return string(out)
	}
	dom := run("--dump-dom")
	for _, want := range []string{`<table id="matrix">`, `<td class="failed">failed</td>`, fmt.Sprintf("Failures (%d)", len(failures)), `class="repro"`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered report lacks %q", want)
		}
	}
	if n := strings.Count(dom, `<div class="failure"`); n != len(failures) {
		t.Errorf("the rendered report shows %d failures, want %d", n, len(failures))
	}
	shot := filepath.Join(t.ArtifactDir(), "report.png")
	run("--screenshot="+shot, "--window-size=1280,2400")
	if fi, err := os.Stat(shot); err != nil || fi.Size() == 0 {
		t.Errorf("no screenshot at %s: %v", shot, err)
	}
	t.Logf("report rendered in chromium; screenshot %s", shot)
}
