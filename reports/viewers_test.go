package reports

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

// viewersDir holds the npm packages of the JUnit viewers users point at our reports
// (.ci/install-tools runs npm ci there).
const viewersDir = "testdata/viewers"

// viewerReport is a failing report with what broke the viewers: curl-style "< HTTP 400"
// lines and an XML body in the transcript, a multi-line failure message.
func viewerReport(t *testing.T) string {
	r := sampleReport()
	failed := it([]string{"RebootInstance errors"}, [][]string{{"area:errors"}}, "answers a nonexistent instance", []string{"RI-ERR-001"}, types.SpecStateFailed)
	failed.Failure = types.Failure{Message: "RI-ERR-001: got 400 <Error> instead of 404\n< HTTP 400 (text/xml;charset=utf-8)\n< <?xml version=\"1.0\"?><Error><Message>a < b & c</Message></Error>\nExpected <string>: not to be empty", Location: loc(7), FailureNodeType: types.NodeTypeIt}
	failed.ReportEntries = types.ReportEntries{entry("transcript", "> POST /?Action=RebootInstance HTTP/1.1\n< HTTP 400 (text/xml;charset=utf-8) in 90µs\n"+
		"< <?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>Bad</Code><Message>a < b & c</Message></Error>")}
	r.SpecReports = append(r.SpecReports, failed)
	path := filepath.Join(t.TempDir(), "junit.xml")
	if err := WriteFile(path, FromGinkgo(r, sampleOptions())); err != nil {
		t.Fatal(err)
	}
	return path
}

// viewerBin finds an installed viewer; outside CI a missing one skips the test.
func viewerBin(t *testing.T, name string) string {
	t.Helper()
	bin, err := filepath.Abs(filepath.Join(viewersDir, "node_modules", ".bin", name))
	if err == nil {
		if _, err = os.Stat(bin); err == nil {
			if _, err = exec.LookPath("node"); err == nil {
				return bin
			}
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not installed (.ci/install-tools installs it): %v", name, err)
	}
	t.Skipf("%s not installed (.ci/install-tools installs it; CI=true makes this a failure): %v", name, err)
	return ""
}

func runViewer(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = viewersDir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", filepath.Base(name), args, err, clip(string(out), 2000))
	}
	return string(out)
}

// junit-viewer pastes the texts into its page as HTML: a '<' that opens no tag stopped it
// with "Parse Error: < HTTP 400". It renders our failing report, every testcase named.
func TestJUnitViewerRendersOurReports(t *testing.T) {
	bin := viewerBin(t, "junit-viewer")
	report := viewerReport(t)
	page := filepath.Join(t.TempDir(), "junit-viewer.html")
	runViewer(t, bin, "--results="+report, "--save="+page)
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"answers a nonexistent instance", "rejects a stopped instance", ViewerLT + " HTTP 400", "a " + ViewerLT + " b", "got 400 " + ViewerLT + "Error>"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("junit-viewer's page lacks %q", want)
		}
	}
	if strings.Contains(string(html), "<Error>") || strings.Contains(string(html), leakSecret) {
		t.Error("junit-viewer's page holds the transcript as markup, or a secret")
	}
}

// xunit-viewer lists a testcase's message attribute, type and body as separate entries: a
// message that repeated the whole body showed each failure twice. Its own parser reads our
// report with a one-line message and no entry twice.
func TestXUnitViewerShowsEachFailureOnce(t *testing.T) {
	viewerBin(t, "xunit-viewer")
	out := runViewer(t, "node", "xunit-parse.mjs", viewerReport(t))
	var tests []struct {
		Name, Status string
		Messages     []string
	}
	if err := json.Unmarshal([]byte(out), &tests); err != nil {
		t.Fatalf("xunit-viewer's parser: %v\n%s", err, clip(out, 2000))
	}
	failed := 0
	for _, tc := range tests {
		if tc.Status != "failure" && tc.Status != "error" {
			continue
		}
		failed++
		seen := map[string]bool{}
		for _, m := range tc.Messages {
			if seen[m] {
				t.Errorf("%s: xunit-viewer shows %q twice", tc.Name, clip(m, 2000))
			}
			seen[m] = true
		}
	}
	if failed < 2 {
		t.Fatalf("xunit-viewer saw %d failing tests, want the report's failures:\n%s", failed, clip(out, 2000))
	}
}
