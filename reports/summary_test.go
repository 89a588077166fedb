package reports

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	s := Summarize(FromGinkgo(sampleReport(), sampleOptions()))
	if s.Tests != 11 || s.Passed != 1 || s.Failed != 3 || s.Errors != 2 || s.Skipped != 4 || s.Interrupted != 1 || s.OK() {
		t.Errorf("totals: %+v", s.Tally)
	}
	if s.Time != 3*time.Second {
		t.Errorf("time %v", s.Time)
	}
	wantAreas := map[string]Tally{
		"state":  {Tests: 5, Passed: 1, Failed: 1, Errors: 2, Interrupted: 1},
		"auth":   {Tests: 2, Skipped: 2},
		"params": {Tests: 1, Skipped: 1},
		"fuzz":   {Tests: 1, Failed: 1},
		"":       {Tests: 2, Failed: 1, Skipped: 1},
	}
	for area, want := range wantAreas {
		if got := s.Areas[area]; got != want {
			t.Errorf("area %q: got %+v, want %+v", area, got, want)
		}
	}
	if got := s.Behaviours["RI-STATE-001"]; got != (Tally{Tests: 2, Passed: 1, Errors: 1}) {
		t.Errorf("RI-STATE-001: %+v", got)
	}
	if len(s.Behaviours) != 7 {
		t.Errorf("behaviours: %v", s.Behaviours)
	}
	if len(s.Failures) != 5 || len(s.Unfinished) != 1 {
		t.Fatalf("want 5 problems and 1 unfinished, got %d: %+v", len(s.Failures), s.Failures)
	}
	p := s.Failures[0]
	if p.Status != "failed" || p.Type != "failed" || p.Location != "/src/suites/conformance/state_test.go:42" ||
		len(p.Behaviours) != 1 || p.Behaviours[0] != "RI-STATE-002" || p.Area != "state" || p.Suite != "Conformance" ||
		p.Message != "expected IncorrectInstanceStatus, got 200" {
		t.Errorf("first problem: %+v", p)
	}
	wantSkips := []SkipGroup{{"needs the emulator control API", 2, "RI-AUTH-003"}, {"pending", 1, "RebootInstance handles ForceStop later"}, {"skipped", 1, "RebootInstance filtered out"}}
	if len(s.Skips) != len(wantSkips) {
		t.Fatalf("skips: %+v", s.Skips)
	}
	for i := range wantSkips {
		if s.Skips[i] != wantSkips[i] {
			t.Errorf("skip group %d: %+v, want %+v", i, s.Skips[i], wantSkips[i])
		}
	}
}

func TestSummaryFprint(t *testing.T) {
	var b strings.Builder
	if err := Summarize(FromGinkgo(sampleReport(), sampleOptions())).Fprint(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"INTERRUPTED: 11 tests, 1 passed, 3 failed, 2 errors, 4 skipped, 1 unfinished (suite time 3s, summed over suites)\n",
		"areas: (none) 0/2 (1 failed, 1 skipped); auth 0/2 (2 skipped); fuzz 0/1 (1 failed); params 0/1 (1 skipped); state 1/5 (1 failed, 2 errors, 1 unfinished)\n",
		"behaviours: RI-*: 7 seen, 0 passing, 4 failing, 3 only skipped\n",
		"failing behaviours: RI-FUZZ-001, RI-STATE-001, RI-STATE-002, RI-STATE-004\n",
		"  STOP  Conformance: RebootInstance state waits for Running [RI-STATE-003]: interrupted before it finished (not a verdict)\n",
		"  FAIL  RebootInstance state rejects a stopped instance [RI-STATE-002]: failed: expected IncorrectInstanceStatus, got 200 (/src/suites/conformance/state_test.go:42)\n",
		"  ERROR RebootInstance state survives a weird response [RI-STATE-001]: panicked: runtime error: index out of range [3] with length 3 (/src/x.go:7)\n",
		"  FAIL  [AfterSuite]: failed: cleanup failed",
		"  SKIP  x2 needs the emulator control API (e.g. RI-AUTH-003)\n",
		"  SKIP  x1 pending (e.g. ",
		"unchecked behaviours (every spec skipped): ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n != 5+6+3 {
		t.Errorf("want 14 lines (5 header, 6 problems, 3 skip groups), got %d:\n%s", n, out)
	}

	b.Reset()
	bare := Suites{Suites: []Suite{{Name: "x", Cases: []Case{{Name: "plain name", SystemOut: "behaviours: RI-A-001\n", Failure: &Result{Message: "boom"}}}}}}
	if err := Summarize(bare).Fprint(&b); err != nil || !strings.Contains(b.String(), "  FAIL  [RI-A-001] plain name: boom\n") {
		t.Errorf("IDs missing from the name must be shown: %q, %v", b.String(), err)
	}

	b.Reset()
	if err := Summarize(Suites{}).Fprint(&b); err != nil || b.String() != "PASS: 0 tests, 0 passed, 0 failed, 0 errors, 0 skipped (suite time 0s, summed over suites)\n" {
		t.Errorf("empty summary: %q, %v", b.String(), err)
	}
	if err := Summarize(Suites{}).Fprint(failWriter{}); err == nil {
		t.Error("Fprint must return the writer's error")
	}
}

// Skip reasons that differ only in an instance ID are one line with a count and an example.
func TestSkipReasonsGroup(t *testing.T) {
	var cases []Case
	for _, id := range []string{"i-abc123", "i-def456", "i-0f9e8d7c"} {
		cases = append(cases, Case{Name: "spec " + id, SystemOut: "behaviours: RI-STATE-001\n\n",
			Skipped: &Result{Message: "safety guard refused RebootInstance on " + id + ": not owned by this run"}})
	}
	var b strings.Builder
	_ = Summarize(Suites{Suites: []Suite{{Name: "S", Cases: cases}}}).Fprint(&b)
	if want := "  SKIP  x3 safety guard refused RebootInstance on i-…: not owned by this run (e.g. RI-STATE-001)\n"; !strings.Contains(b.String(), want) || strings.Count(b.String(), "SKIP") != 1 {
		t.Errorf("want one group %q:\n%s", want, b.String())
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
