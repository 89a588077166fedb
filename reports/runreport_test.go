package reports

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// report.json carries the run's facts, every spec with its verdict and a one-line reason,
// the reproduce line of each failure and the summary; report.html renders it standalone.
func TestRunReportJSONAndHTML(t *testing.T) {
	s := FromGinkgo(sampleReport(), sampleOptions())
	s.Suites[0].Properties = append(s.Suites[0].Properties, Property{Name: PropSuite, Value: "conformance"})
	meta := RunMeta{Target: RunTarget{Kind: "endpoint", Endpoint: "http://u:pw@127.0.0.1:1", Description: "endpoint x", Mutants: []string{"m"}},
		RunID: "rc1", Seed: 7, Suites: []string{"conformance"}, PlanSpecs: map[string]int{"conformance": 11},
		Started: time.Unix(0, 0), Wall: time.Second,
		Reproduce: func(su Suite, c Case) string { return "rebootconf run --focus " + c.SpecText() }}
	r := BuildRunReport(s, meta)
	if r.Schema != RunSchema || r.Verdict != "interrupted" || r.Summary.Failed != 3 || r.Summary.Unfinished != 1 ||
		len(r.Specs) != r.Summary.Tests || strings.Contains(r.Target.Endpoint, "pw") {
		t.Fatalf("report: %+v", r)
	}
	var failed *RunSpec
	for i, sp := range r.Specs {
		if sp.Verdict == "failed" && failed == nil {
			failed = &r.Specs[i]
		}
		if strings.Contains(sp.Reason, "\n") {
			t.Errorf("multi-line reason %q", sp.Reason)
		}
		if (sp.Verdict == "failed" || sp.Verdict == "error") != (sp.Details != "") {
			t.Errorf("%s (%s): details only for failures", sp.Name, sp.Verdict)
		}
	}
	if failed == nil || failed.Reproduce != "rebootconf run --focus RebootInstance state rejects a stopped instance" || failed.Client != "raw+legacy" ||
		strings.Join(failed.Behaviours, ",") != "RI-STATE-002" {
		t.Fatalf("first failure: %+v", failed)
	}
	dir := t.TempDir()
	if err := WriteJSON(filepath.Join(dir, "report.json"), r); err != nil {
		t.Fatal(err)
	}
	back, err := ReadRunReport(filepath.Join(dir, "report.json"))
	if err != nil || len(back.Specs) != len(r.Specs) {
		t.Fatalf("read back: %v", err)
	}
	if err := WriteHTML(filepath.Join(dir, "report.html"), r); err != nil {
		t.Fatal(err)
	}
	page, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	for _, want := range []string{`<table id="matrix">`, `<tr data-id="RI-STATE-002"><th>RI-STATE-002</th><td class="failed">failed</td>`,
		"rebootconf run --focus RebootInstance state rejects a stopped instance", "REDACTED"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`(?i)(src|href)=["']?https?:`).FindString(string(page)); m != "" || strings.Contains(string(page), leakSecret) {
		t.Errorf("report.html fetches from the network (%q) or leaks a secret", m)
	}
}
