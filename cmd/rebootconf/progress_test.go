package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestProgressText(t *testing.T) {
	for _, r := range []struct {
		done, total, failed int
		elapsed, estimate   time.Duration
		want                string
	}{
		{0, 120, 0, 2 * time.Second, time.Minute, "progress: 0/120 specs, 0 failed, 2s elapsed, about 58s left (plan estimate)"},
		{0, 120, 0, 2 * time.Minute, time.Minute, "progress: 0/120 specs, 0 failed, 2m0s elapsed, time left unknown"},
		{30, 120, 2, 10 * time.Second, time.Minute, "progress: 30/120 specs, 2 failed, 10s elapsed, about 30s left"},
		{120, 120, 2, 40 * time.Second, time.Minute, "progress: 120/120 specs, 2 failed, 40s elapsed, finishing"},
	} {
		if got := progressText(r.done, r.total, r.failed, r.elapsed, r.estimate); got != r.want {
			t.Errorf("got  %q\nwant %q", got, r.want)
		}
	}
}

// On a terminal the status line is redrawn in place and cleared around plain lines; off a
// terminal there are no control characters at all.
func TestConsole(t *testing.T) {
	var b strings.Builder
	c := &console{w: &b, tty: true}
	c.Status("progress: 1/2")
	c.Line("-- suite a: done")
	c.Status("progress: 2/2")
	c.Clear()
	if want := clearLine + "progress: 1/2" + clearLine + "-- suite a: done\nprogress: 1/2" + clearLine + "progress: 2/2" + clearLine; b.String() != want {
		t.Errorf("terminal output %q, want %q", b.String(), want)
	}
	b.Reset()
	c = &console{w: &b}
	c.Status("progress: 1/2")
	c.Line("-- suite a: done")
	c.Clear()
	if b.String() != "progress: 1/2\n-- suite a: done\n" {
		t.Errorf("plain output %q", b.String())
	}
}

// Off a terminal a plain progress line comes at most every interval, and only when a spec
// finished since the last one.
func TestProgressMonitorPlainLines(t *testing.T) {
	dir := t.TempDir()
	files := []string{filepath.Join(dir, "a"), filepath.Join(dir, "b")}
	var b strings.Builder
	now := time.Unix(1000, 0)
	m := &progressMonitor{con: &console{w: &b}, files: files, total: 4, start: now, every: 10 * time.Second, now: func() time.Time { return now }}
	appendLine := func(f, line string) {
		fh, err := os.OpenFile(f, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		fh.WriteString(line)
		fh.Close()
	}
	m.update() // nothing yet: no line
	appendLine(files[0], "passed\tx\n")
	appendLine(files[1], "failed\ty\n")
	now = now.Add(11 * time.Second)
	m.update()
	appendLine(files[0], "passed\tz\nskipped\t") // a half-written line does not count
	now = now.Add(time.Second)
	m.update() // too soon
	now = now.Add(10 * time.Second)
	m.update()
	m.update() // nothing new
	want := "progress: 2/4 specs, 1 failed, 11s elapsed, about 11s left\nprogress: 3/4 specs, 1 failed, 22s elapsed, about 7s left\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// A real run, stdout not a terminal: progress lines count against the plan's total and each
// suite's end gets a result line, all before the summary.
func TestRunShowsProgress(t *testing.T) {
	r := runProc(t, 5*time.Minute, childEnv(t), "run", "--suites", "conformance", "--label-filter", "area:dryrun", "--progress-interval", "1ms")
	if r.code != exitPass {
		t.Fatalf("run: %s", r)
	}
	m := regexp.MustCompile(`conformance \((\d+) specs`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no spec count in the plan:\n%s", r.stdout)
	}
	total, _ := strconv.Atoi(m[1])
	lines := regexp.MustCompile(`(?m)^progress: (\d+)/(\d+) specs, \d+ failed, `).FindAllStringSubmatch(r.stdout, -1)
	if len(lines) == 0 {
		t.Fatalf("no progress line:\n%s", r.stdout)
	}
	for _, l := range lines {
		if l[2] != m[1] {
			t.Errorf("progress against %s specs, the plan selected %d", l[2], total)
		}
		if done, _ := strconv.Atoi(l[1]); done > total {
			t.Errorf("progress %s/%d counts more than the selection (filtered specs counted?)", l[1], total)
		}
	}
	res := strings.Index(r.stdout, "-- suite conformance: ")
	if res < 0 || res > strings.Index(r.stdout, "PASS: ") || strings.Contains(r.stdout, "\x1b") {
		t.Errorf("want a result line for the suite before the summary and no control characters:\n%s", r.stdout)
	}
}

// The progress line counts failures as they happen. The conformance suite previews its tree
// (PreviewSpecs), which dropped the progress reporter: every line read "0 failed" while
// specs failed, counted from the preview's dry-run "passed" lines.
func TestRunProgressCountsFailures(t *testing.T) {
	r := runProc(t, 5*time.Minute, childEnv(t), "run", "--mutant", "dryrun-returns-200", "--suites", "conformance",
		"--label-filter", "area:dryrun", "--progress-interval", "1ms")
	if r.code != exitFail {
		t.Fatalf("run against a planted DryRun bug: %s", r)
	}
	final := regexp.MustCompile(`-- suite conformance: (\d+) specs, \d+ passed, (\d+) failed`).FindStringSubmatch(r.stdout)
	if final == nil || final[2] == "0" {
		t.Fatalf("want a suite result line with failures:\n%s", r.stdout)
	}
	most := 0
	for _, l := range regexp.MustCompile(`(?m)^progress: (\d+)/\d+ specs, (\d+) failed, `).FindAllStringSubmatch(r.stdout, -1) {
		n, _ := strconv.Atoi(l[2])
		most = max(most, n)
	}
	if want, _ := strconv.Atoi(final[2]); most == 0 || most > want {
		t.Errorf("progress lines counted at most %d failures; the suite had %d:\n%s", most, want, r.stdout)
	}
}
