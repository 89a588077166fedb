package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/cassette"
)

// committedCassette is the reviewed recording of `rebootconf serve`.
var committedCassette, _ = filepath.Abs("../../fixtures/cassette/testdata/serve.json")

// noDivergence is the summary line of a clean comparison.
const noDivergence = "0 contract-breaking, 0 compatibility changes"

// Two `serve` processes answer alike: a live baseline is recorded twice (the noise), then the
// candidate; nothing may be left.
func TestCompareServeWithServe(t *testing.T) {
	a, _, _ := serveProc(t)
	b, _, _ := serveProc(t)
	dir := t.TempDir()
	junit := filepath.Join(dir, "compare.xml")
	r := runProc(t, 2*time.Minute, childEnv(t, testCreds...), append([]string{"compare", a, b, "--junit-report", junit,
		"--json", filepath.Join(dir, "r.json"), "--html", filepath.Join(dir, "r.html"), "--strict"}, fastWaits...)...)
	if r.code != exitPass || !strings.Contains(r.stdout, noDivergence) || !strings.Contains(r.stdout, "2 recording(s)") {
		t.Fatalf("compare serve with serve: %s", r)
	}
	validateXSD(t, junit)
	rep := readReport(t, filepath.Join(dir, "r.json"))
	if rep.Cases == 0 || len(rep.Gaps) > 0 {
		t.Errorf("%d cases compared, %d not compared: %+v", rep.Cases, len(rep.Gaps), rep.Gaps)
	}
	if html, _ := os.ReadFile(filepath.Join(dir, "r.html")); !bytes.Contains(html, []byte("<h1>")) {
		t.Errorf("no HTML report written")
	}
}

// The committed cassette against a fresh `serve`: parity of our own emulator.
func TestCompareCommittedCassetteWithServe(t *testing.T) {
	url, _, _ := serveProc(t)
	r := runProc(t, 2*time.Minute, childEnv(t, testCreds...), append([]string{"compare", committedCassette, "--endpoint", url, "--strict"}, fastWaits...)...)
	if r.code != exitPass || !strings.Contains(r.stdout, noDivergence) {
		t.Fatalf("serve no longer answers like fixtures/cassette/testdata/serve.json (re-record it if the change is meant, see docs/compatibility.md): %s", r)
	}
}

// Against `serve --no-control` (what other emulators look like) the roles line up by state:
// instances come from RunInstances, the cases that need the control API are listed as not
// compared, and nothing diverges. A subset of the corpus keeps the test short: creating
// instances through the API takes a while.
func TestCompareCommittedCassetteWithNoControl(t *testing.T) {
	url, _, _ := serveProc(t, "--no-control")
	cases := "^(state/|dryrun/(pass|false|not-found|malformed)|errors/(not-found|wrong-status|missing)|forcestop/(true|stopped)|protocol/|generated/0)"
	r := runProc(t, 2*time.Minute, childEnv(t, testCreds...), append([]string{"compare", committedCassette, url, "-v", "--strict",
		"--cases", cases, "--poll-max", "20ms"}, fastWaits...)...)
	if r.code != exitPass || !strings.Contains(r.stdout, noDivergence) {
		t.Fatalf("compare against serve --no-control: %s", r)
	}
	for _, want := range []string{"candidate skipped it: role starting.1", "0 contract-breaking"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
}

// A planted bug is contract-breaking (exit 1); an accept file never accepts one.
func TestCompareServeMutant(t *testing.T) {
	url, _, _ := serveProc(t, "--mutant", "notfound-wrong-status")
	accept := filepath.Join(t.TempDir(), "accept.txt")
	if err := os.WriteFile(accept, []byte("errors/not-found*\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runProc(t, 2*time.Minute, childEnv(t, testCreds...), append([]string{"compare", committedCassette, url, "--accept", accept}, fastWaits...)...)
	if r.code != exitFail || !strings.Contains(r.stdout, "contract-breaking errors/not-found#1:contract") {
		t.Fatalf("compare against serve --mutant notfound-wrong-status: %s", r)
	}
}

func TestCompareUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"compare"},
		{"compare", "only-one.json"},
		{"compare", "a.json", "b.json", "c.json"},
		{"compare", "/nonexistent/base.json", "/nonexistent/cand.json"},
		{"compare", committedCassette, "http://127.0.0.1:1", "--poll", "5ms"},
		{"compare", committedCassette, committedCassette, "--cases", "("},
		{"record"},
		{"record", "--out", filepath.Join(t.TempDir(), "x.json"), "--endpoint", "http://127.0.0.1:1"},
	} {
		var out, errb bytes.Buffer
		if code := dispatch(args, &out, &errb); code != exitConfig {
			t.Errorf("%v: exit %d, want %d; stderr %s", args, code, exitConfig, errb.String())
		}
		if errb.Len() == 0 {
			t.Errorf("%v: no error message", args)
		}
	}
}

// A cassette compared with itself has nothing to report, and the accept file round-trips.
func TestCompareCassetteWithItself(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := dispatch([]string{"compare", committedCassette, committedCassette, "--write-accept", filepath.Join(dir, "accept.txt"), "--strict"}, &out, &errb)
	if code != exitPass || !strings.Contains(out.String(), noDivergence) {
		t.Fatalf("exit %d: %s %s", code, out.String(), errb.String())
	}
	if b, err := os.ReadFile(filepath.Join(dir, "accept.txt")); err != nil || !strings.HasPrefix(string(b), "# compatibility changes") {
		t.Errorf("accept file: %q %v", b, err)
	}
}

func readReport(t *testing.T, path string) cassette.Report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep cassette.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

// serveVariants are allowed variants `serve` can run as a separate process: compare must
// find compatibility changes at most. Add `serve --variant NAME` rows here as they land.
var serveVariants = [][]string{
	{"--emulator-profile", "immediate"},
}

func TestCompareServeVariantsBreakNothing(t *testing.T) {
	for _, args := range serveVariants {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			url, _, _ := serveProc(t, args...)
			out := filepath.Join(t.TempDir(), "r.json")
			r := runProc(t, 2*time.Minute, childEnv(t, testCreds...), append([]string{"compare", committedCassette, url, "--json", out}, fastWaits...)...)
			if r.code != exitPass {
				t.Fatalf("compare against serve %v: %s", args, r)
			}
			for _, d := range readReport(t, out).Divergences {
				if d.Class == cassette.ContractBreaking {
					t.Errorf("allowed variant judged contract-breaking: %s %q", d.Key, d.Candidate)
				}
			}
		})
	}
}
