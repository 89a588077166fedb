package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func knownCase(name, ids, labels, status string) Case {
	c := Case{Name: name, SystemOut: "behaviours: " + ids + "\nlabels: " + labels + "\n\nbody"}
	switch status {
	case "failed":
		c.Failure = &Result{Type: "failed", Message: "want 403, got 200", Text: "transcript"}
	case "skipped":
		c.Skipped = &Result{Message: "no control API"}
	}
	return c
}

func knownRun(errStatus, popcoreStatus string) Suites {
	return Merge(Suites{Suites: []Suite{{Name: "s", Cases: []Case{
		knownCase("a", "RI-ERR-004", "RI-ERR-004, errors", errStatus),
		knownCase("b", "SDK-ERR-002,RI-ERR-002", "sdk, sdk:popcore, SDK-ERR-002", popcoreStatus),
		knownCase("c", "SDK-ERR-002,RI-ERR-002", "sdk, sdk:go-tea-v1, SDK-ERR-002", "passed"),
	}}}})
}

func mustEntries(t *testing.T, text, kind string) []Entry {
	t.Helper()
	es, err := ParseEntries([]byte(text), "known.txt", kind, kind)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestParseEntries(t *testing.T) {
	es := mustEntries(t, "# comment\n\nRI-ERR-004 disk errors not modelled https://example.com/i/1\nSDK-ERR-002@popcore: failing drops Message\n", KindFailing)
	if len(es) != 2 || es[0].Link != "https://example.com/i/1" || es[0].Reason != "disk errors not modelled" || es[1].Client != "popcore" || es[1].Pos != "known.txt:4" {
		t.Fatalf("parsed %+v", es)
	}
	for _, bad := range []string{
		"RI-ERR-004\n",                     // no reason
		"ri-err-004 reason\n",              // not an ID
		"RI-ERR-004: flaky reason\n",       // another kind
		"RI-ERR-004@ reason\n",             // empty client
		"RI-ERR-004 a\nRI-ERR-004 again\n", // duplicate
		"RI-ERR-004:\n",                    // colon without kind
	} {
		if _, err := ParseEntries([]byte(bad), "k", KindFailing, KindFailing); err == nil {
			t.Errorf("%q parsed without error", bad)
		}
	}
}

// A known failure that fails keeps the run green; one that passes turns it red.
func TestApplyKnownFailing(t *testing.T) {
	es := mustEntries(t, "RI-ERR-004 not modelled\nSDK-ERR-002@popcore drops Message\n", KindFailing)
	before := knownRun("failed", "failed")
	if Summarize(before).OK() {
		t.Fatal("the unjudged run should fail")
	}
	out, rep := ApplyKnown(before, es)
	if !Summarize(out).OK() || rep.Count("still failing") != 2 {
		t.Fatalf("still-failing entries must pass the run: %+v %+v", Summarize(out).Tally, rep)
	}
	if c := out.Suites[0].Cases[0]; c.Skipped == nil || c.Skipped.Type != TypeKnownFailing || !strings.Contains(c.Skipped.Text, "want 403") || !strings.Contains(c.Skipped.Text, "transcript") {
		t.Errorf("rewritten case: %+v", c.Skipped)
	}
	out, rep = ApplyKnown(knownRun("passed", "failed"), es)
	if Summarize(out).OK() || rep.Count("fixed") != 1 {
		t.Fatalf("a known-failing entry that passes must fail the run: %+v", rep)
	}
	if f := Summarize(out).Failures; len(f) != 1 || !strings.Contains(f[0].Message, "fixed: remove RI-ERR-004 from the file") {
		t.Errorf("failures: %+v", f)
	}
	// Per client: the go-tea-v1 case of the same row is not covered by @popcore.
	_, rep = ApplyKnown(knownRun("skipped", "passed"), es)
	if rep.Outcomes[0].State != "not run" || rep.Outcomes[1].State != "fixed" || len(rep.Outcomes[1].Cases) != 1 {
		t.Errorf("outcomes %+v", rep.Outcomes)
	}
}

func TestApplyKnownFlakyNeverDecides(t *testing.T) {
	es := mustEntries(t, "RI-ERR-004 sometimes slow\n", KindFlaky)
	for _, st := range []string{"failed", "passed", "skipped"} {
		out, rep := ApplyKnown(knownRun(st, "passed"), es)
		if !Summarize(out).OK() {
			t.Errorf("flaky case %s: the run failed: %+v", st, rep)
		}
	}
}

func TestKnownFailingFileRoundTrip(t *testing.T) {
	run := knownRun("failed", "failed")
	path := filepath.Join(t.TempDir(), "k.txt")
	if err := os.WriteFile(path, KnownFailingFile(run), 0o644); err != nil {
		t.Fatal(err)
	}
	es, err := ReadKnown(path, KindFailing)
	if err != nil {
		t.Fatalf("the written file does not read back: %v\n%s", err, KnownFailingFile(run))
	}
	if len(es) != 2 || es[0].Selector() != "RI-ERR-004" || es[1].Selector() != "SDK-ERR-002@popcore" {
		t.Fatalf("entries %+v", es)
	}
	if out, _ := ApplyKnown(run, es); !Summarize(out).OK() {
		t.Error("today's failures, written as a file, must pass today's run")
	}
}

func TestDeviations(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "d.txt")
	_ = os.WriteFile(good, []byte("RI-STATE-002: instant-transitions our reboots finish within the call\n"), 0o644)
	d, err := ReadDeviations(good)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Declared("RI-STATE-002", DeviationInstantTransitions) || d.Declared("RI-STATE-002", DeviationMessageText) || d.Declared("RI-STATE-003", DeviationInstantTransitions) {
		t.Errorf("Declared is wrong for %+v", d)
	}
	for _, bad := range []string{
		"RI-STATE-002 instant-transitions reason\n",   // no colon: no kind
		"RI-STATE-002: instant reason\n",              // unknown kind
		"RI-STATE-002@popcore: message-text reason\n", // client selector
		"SDK-ERR-002: message-text reason\n",          // not a behaviour
		"RI-STATE-002: instant-transitions\n",         // no reason
	} {
		p := filepath.Join(dir, "bad.txt")
		_ = os.WriteFile(p, []byte(bad), 0o644)
		if _, err := ReadDeviations(p); err == nil {
			t.Errorf("%q read without error", bad)
		}
	}
}
