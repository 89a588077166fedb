package reports

import (
	"bytes"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
)

func TestReadFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	first := filepath.Join(dir, "a.xml")
	if err := WriteFile(first, FromGinkgo(sampleReport(), sampleOptions())); err != nil {
		t.Fatal(err)
	}
	s, err := ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	second := filepath.Join(dir, "b.xml")
	if err := WriteFile(second, s); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(first)
	b, _ := os.ReadFile(second)
	if !bytes.Equal(a, b) {
		t.Errorf("write/read/write changed the file:\n--- first\n%s\n--- second\n%s", a, b)
	}
	c := caseNamed(t, s, "RebootInstance state rejects")
	if c.Failure == nil || len(c.Behaviours()) != 1 || c.Behaviours()[0] != "RI-STATE-002" || c.Area() != "state" {
		t.Errorf("read back: %+v behaviours=%v area=%q", c.Failure, c.Behaviours(), c.Area())
	}
	if c.Time.Duration() != 250*time.Millisecond || s.Suites[0].Time.Duration() != 3*time.Second {
		t.Errorf("times: case %v suite %v", c.Time.Duration(), s.Suites[0].Time.Duration())
	}
}

func TestMerge(t *testing.T) {
	a := FromGinkgo(sampleReport(), Options{SuiteName: "conformance"})
	props := types.Report{SuiteDescription: "properties", RunTime: 2 * time.Second, SpecReports: types.SpecReports{
		it([]string{"model"}, [][]string{{"area:model"}}, "agrees with the emulator", []string{"RI-MODEL-001"}, types.SpecStatePassed),
		it([]string{"model"}, [][]string{{"area:model"}}, "handles retries", []string{"RI-MODEL-002"}, types.SpecStateFailed),
	}}
	b := FromGinkgo(props, Options{})
	m := Merge(a, b, Suites{})
	if len(m.Suites) != 2 || m.Name != "conformance" {
		t.Fatalf("merge: %d suites, name %q", len(m.Suites), m.Name)
	}
	if m.Tests != 13 || m.Failures != 4 || m.Errors != 3 || m.Time.Duration() != 5*time.Second {
		t.Errorf("merged totals: tests=%d failures=%d errors=%d time=%v", m.Tests, m.Failures, m.Errors, m.Time.Duration())
	}
	path := filepath.Join(t.TempDir(), "merged.xml")
	if err := WriteFile(path, m); err != nil {
		t.Fatal(err)
	}
	mustValidate(t, path)
}

// Ginkgo's own JUnit does not validate (status/disabled attributes, testcase
// properties); ReadFile must still take it and WriteFile must fix it.
func TestReadGinkgoNativeJUnit(t *testing.T) {
	dir := t.TempDir()
	native := filepath.Join(dir, "ginkgo.xml")
	if err := reporters.GenerateJUnitReport(sampleReport(), native); err != nil {
		t.Fatal(err)
	}
	doc, _ := os.ReadFile(native)
	if err := checkStructure(doc); err == nil {
		t.Error("structural check accepted Ginkgo's native JUnit, which the XSD rejects")
	}
	if _, err := exec.LookPath("xmllint"); err == nil && findXSD(t) != "" {
		if xmllint(t, native) == nil {
			t.Error("xmllint accepted Ginkgo's native JUnit; is the schema the Jenkins junit-10.xsd?")
		}
	}
	s, err := ReadFile(native)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Suites) != 1 || s.Tests != 12 {
		t.Errorf("native: %d suites, %d tests", len(s.Suites), s.Tests)
	}
	c := caseNamed(t, s, "[It] RebootInstance state rejects a stopped instance")
	if ids := c.Behaviours(); len(ids) != 1 || ids[0] != "RI-STATE-002" || c.Area() != "state" || c.Status() != "failed" {
		t.Errorf("native labels not recovered: ids=%v area=%q status=%s", ids, c.Area(), c.Status())
	}
	if !strings.Contains(c.SystemOut, "--- entry: transcript ---") || !strings.Contains(c.SystemOut, "state: failed") {
		t.Errorf("native report entries not folded into system-out:\n%s", c.SystemOut)
	}
	sum := Summarize(s)
	if sum.Behaviours["RI-STATE-002"].Failed != 1 || len(sum.Failures) == 0 || sum.Failures[0].Location == "" {
		t.Errorf("summary of native report: %+v", sum.Failures)
	}

	fixed := filepath.Join(dir, "fixed.xml")
	if err := WriteFile(fixed, s); err != nil {
		t.Fatal(err)
	}
	out, _ := os.ReadFile(fixed)
	for _, secret := range []string{leakSig, leakSecret, leakToken} {
		if strings.Contains(string(out), secret) {
			t.Errorf("rewritten native report leaks %q", secret)
		}
	}
	mustValidate(t, fixed)
	again, err := ReadFile(fixed)
	if err != nil {
		t.Fatal(err)
	}
	if c := caseNamed(t, again, "[It] RebootInstance state rejects"); strings.Count(c.SystemOut, "behaviours:") != 1 {
		t.Errorf("re-reading must not add a second metadata block:\n%s", c.SystemOut)
	}
}

func TestParseForeignShapes(t *testing.T) {
	single := `<?xml version="1.0"?><testsuite name="solo" tests="9" failures="9" errors="0" time="1,000.5">
<testcase name="a" time="1e-3"><failure message="m1">t1</failure><failure message="m2" type="x">t2</failure></testcase>
<testsuite name="inner" tests="1" failures="0" errors="0"><testcase name="b"><skipped/></testcase></testsuite>
</testsuite>`
	s, err := Parse([]byte(single))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Suites) != 2 || s.Suites[0].Name != "solo" || s.Suites[1].Name != "inner" {
		t.Fatalf("nested suites not flattened: %+v", s.Suites)
	}
	if s.Tests != 2 || s.Failures != 1 || s.Suites[0].Tests != 1 || s.Suites[1].Skipped != 1 {
		t.Errorf("counts must come from testcases, not attributes: %+v", s)
	}
	if s.Suites[0].Time.Duration() != 1000500*time.Millisecond || s.Suites[0].Cases[0].Time.Duration() != time.Millisecond {
		t.Errorf("times: %v %v", s.Suites[0].Time.Duration(), s.Suites[0].Cases[0].Time.Duration())
	}
	if f := s.Suites[0].Cases[0].Failure; f.Message != "m1" || !strings.Contains(f.Text, "[x] m2\nt2") {
		t.Errorf("second failure lost: %+v", f)
	}

	for name, doc := range map[string]string{
		"empty":     "",
		"not xml":   "hello",
		"wrong":     "<report/>",
		"truncated": "<testsuites><testsuite name='x'>",
	} {
		if _, err := Parse([]byte(doc)); err == nil {
			t.Errorf("%s: Parse accepted %q", name, doc)
		}
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing.xml")); err == nil {
		t.Error("ReadFile of a missing file succeeded")
	}
}

func TestWriteFileErrors(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(filepath.Join(blocker, "x.xml"), Suites{}); err == nil {
		t.Error("WriteFile under a regular file succeeded")
	}
	// An empty report is still a valid document.
	empty := filepath.Join(dir, "empty.xml")
	if err := WriteFile(empty, Suites{}); err != nil {
		t.Fatal(err)
	}
	mustValidate(t, empty)
}

// FuzzMarshal: whatever strings reach the model, the output is well-formed,
// passes the structural check, parses back stably and holds no secret the
// redactor would still find.
func FuzzMarshal(f *testing.F) {
	f.Add("name", "msg", "out", "k", "v")
	f.Add("\x00\x01", "]]>", "<![CDATA[x]]>", "\xff", "\uFFFE\r\n\r")
	f.Add("a&b<c>", `"'`, "Signature=abc%2B&AccessKeySecret=zzz", "SecurityToken", "x-acs-security-token: t")
	f.Fuzz(func(t *testing.T, name, msg, out, k, v string) {
		s := Suites{Name: name, Suites: []Suite{{
			Name: name, Properties: []Property{{Name: k, Value: v}}, SystemOut: out,
			Cases: []Case{
				{Name: name, Classname: k, Failure: &Result{Type: k, Message: msg, Text: out}, SystemOut: out, SystemErr: msg},
				{Name: msg, Skipped: &Result{Message: v}},
			},
		}}}
		doc, err := Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkStructure(doc); err != nil {
			t.Fatalf("%v\n%s", err, doc)
		}
		back, err := Parse(doc)
		if err != nil {
			t.Fatal(err)
		}
		if back.Tests != 2 || back.Failures != 1 || back.Suites[0].Skipped != 1 {
			t.Fatalf("counts after round trip: %+v", back)
		}
		if again, _ := Marshal(back); !bytes.Equal(again, doc) {
			t.Fatalf("not stable:\n%s\n%s", doc, again)
		}
		// Nothing the redactor would still catch survives escaping, CDATA and decoding.
		c := back.Suites[0].Cases[0]
		for _, got := range []string{back.Name, back.Suites[0].Properties[0].Name, back.Suites[0].Properties[0].Value,
			back.Suites[0].SystemOut, c.Name, c.Failure.Message, c.Failure.Text, c.SystemOut, c.SystemErr} {
			if RedactSecrets(got) != got {
				t.Fatalf("unredacted secret in %q", got)
			}
		}
	})
}

// The package must stay importable by the CLI: stdlib, ginkgo/v2/types and the import-free
// fixtures/vocab (the row-ID shape) only.
func TestImportsStayLean(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == "testing" || (strings.Contains(p, ".") && p != "github.com/onsi/ginkgo/v2/types" && p != "github.com/rebootconf/rebootconf/fixtures/vocab") {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}
