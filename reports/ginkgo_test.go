package reports

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const (
	leakSig    = "abc%2B"
	leakSecret = "hunter2secret"
	leakToken  = "STStoken123"
)

func loc(line int) types.CodeLocation {
	return types.CodeLocation{FileName: "/src/suites/conformance/state_test.go", LineNumber: line}
}

func entry(name string, v any) types.ReportEntry {
	return types.ReportEntry{Name: name, Value: types.WrapEntryValue(v), Location: loc(1)}
}

func it(containers []string, containerLabels [][]string, text string, labels []string, st types.SpecState) types.SpecReport {
	return types.SpecReport{
		ContainerHierarchyTexts: containers, ContainerHierarchyLabels: containerLabels,
		LeafNodeType: types.NodeTypeIt, LeafNodeText: text, LeafNodeLabels: labels, LeafNodeLocation: loc(10),
		State: st, StartTime: t0, EndTime: t0.Add(250 * time.Millisecond), RunTime: 250 * time.Millisecond,
		NumAttempts: 1,
	}
}

// sampleReport covers every spec state, labels, entries, output and secrets.
func sampleReport() types.Report {
	state := []string{"RebootInstance", "state"}
	stateLabels := [][]string{{"area:state"}, {}}

	passed := it(state, stateLabels, "reboots a running instance", []string{"RI-STATE-001"}, types.SpecStatePassed)
	passed.ReportEntries = types.ReportEntries{entry("RequestId", "REQ-0001")}
	passed.CapturedGinkgoWriterOutput = "POST /?Action=RebootInstance&SignatureMethod=HMAC-SHA1&Signature=" + leakSig + "\n"

	failed := it(state, stateLabels, "rejects a stopped instance", []string{"RI-STATE-002", "slow"}, types.SpecStateFailed)
	failed.Failure = types.Failure{
		Message:         "expected IncorrectInstanceStatus, got 200\nrequest: Signature=" + leakSig + "&AccessKeySecret=" + leakSecret,
		Location:        loc(42),
		FailureNodeType: types.NodeTypeIt, FailureNodeLocation: loc(40),
	}
	failed.ReportEntries = types.ReportEntries{
		entry("RequestId", "REQ-0002"),
		entry("transcript", "POST / HTTP/1.1\nx-acs-security-token: "+leakToken+"\n\nSecurityToken="+leakToken+"&Signature="+leakSig+"\n\nHTTP/1.1 200 OK\n{\"RequestId\":\"REQ-0002\"}"),
	}
	failed.CapturedGinkgoWriterOutput = "step 1\nstep 2\n"
	failed.SpecEvents = types.SpecEvents{
		{SpecEventType: types.SpecEventByStart, Message: "stop the instance", CodeLocation: loc(41)},
		{SpecEventType: types.SpecEventByEnd, Message: "stop the instance", CodeLocation: loc(41)},
		{SpecEventType: types.SpecEventSpecRetry, Attempt: 1},
	}
	failed.NumAttempts = 2

	skipped := it([]string{"RebootInstance", "auth"}, [][]string{{"area:auth"}, {}}, "rejects an expired token", []string{"RI-AUTH-003"}, types.SpecStateSkipped)
	skipped.Failure = types.Failure{Message: "needs the emulator control API", Location: loc(50)}
	skipped2 := it([]string{"RebootInstance", "auth"}, [][]string{{"area:auth"}, {}}, "rejects a bad signature RI-AUTH-004", []string{"RI-AUTH-004"}, types.SpecStateSkipped)
	skipped2.Failure = types.Failure{Message: "needs the emulator control API", Location: loc(51)}
	filtered := it([]string{"RebootInstance"}, [][]string{{}}, "filtered out", nil, types.SpecStateSkipped)

	pending := it([]string{"RebootInstance"}, [][]string{{}}, "handles ForceStop later", []string{"area:params"}, types.SpecStatePending)

	panicked := it(state, stateLabels, "survives a weird response", []string{"RI-STATE-001"}, types.SpecStatePanicked)
	panicked.Failure = types.Failure{
		Message: "Test Panicked", ForwardedPanic: "runtime error: index out of range [3] with length 3",
		Location: types.CodeLocation{FileName: "/src/x.go", LineNumber: 7, FullStackTrace: "goroutine 1 [running]:\nmain.f()\n\t/src/x.go:7"},
	}
	interrupted := it(state, stateLabels, "waits for Running", []string{"RI-STATE-003"}, types.SpecStateInterrupted)
	interrupted.Failure = types.Failure{Message: "Interrupted by User", Location: loc(60)}
	timedout := it(state, stateLabels, "eventually stops", []string{"RI-STATE-004"}, types.SpecStateTimedout)
	timedout.Failure = types.Failure{Message: "A spec timeout occurred", Location: loc(70)}

	fuzzy := it([]string{"RebootInstance", "fuzz"}, [][]string{{"area:fuzz"}, {}}, "odd \x00 input \x1b[31m", []string{"RI-FUZZ-001"}, types.SpecStateFailed)
	fuzzy.Failure = types.Failure{Message: "bad byte \x00\x07 and \xff\xfe and \uFFFE", Location: loc(80)}

	beforeSuite := types.SpecReport{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStatePassed, LeafNodeLocation: loc(5)}
	afterSuite := types.SpecReport{LeafNodeType: types.NodeTypeAfterSuite, State: types.SpecStateFailed, LeafNodeLocation: loc(6),
		Failure: types.Failure{Message: "cleanup failed: instance i-123 still exists", Location: loc(6), FailureNodeType: types.NodeTypeAfterSuite, FailureNodeLocation: loc(6)}}

	return types.Report{
		SuitePath: "/src/suites/conformance", SuiteDescription: "Conformance",
		StartTime: t0, EndTime: t0.Add(3 * time.Second), RunTime: 3 * time.Second,
		SuiteConfig: types.SuiteConfig{RandomSeed: 1234, LabelFilter: "!slow"},
		SpecReports: types.SpecReports{beforeSuite, passed, failed, skipped, skipped2, filtered, pending,
			panicked, interrupted, timedout, fuzzy, afterSuite},
	}
}

func sampleOptions() Options {
	return Options{
		TargetKind: "endpoint", TargetEndpoint: "http://admin:pw123@127.0.0.1:8080/?AccessKeySecret=" + leakSecret,
		Seed: "42", HarnessVersion: "v0.1.0-test",
		Properties: map[string]string{"region": "cn-hangzhou"},
	}
}

func caseNamed(t *testing.T, s Suites, prefix string) Case {
	t.Helper()
	for _, su := range s.Suites {
		for _, c := range su.Cases {
			if strings.HasPrefix(c.Name, prefix) {
				return c
			}
		}
	}
	t.Fatalf("no testcase named %q...", prefix)
	return Case{}
}

func prop(s Suite, name string) (string, bool) {
	for _, p := range s.Properties {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

func TestFromGinkgoWritesValidJUnit(t *testing.T) {
	s := FromGinkgo(sampleReport(), sampleOptions())
	path := filepath.Join(t.TempDir(), "nested", "dir", "junit.xml")
	if err := WriteFile(path, s); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{leakSig, leakSecret, leakToken, "pw123"} {
		if strings.Contains(string(doc), secret) {
			t.Errorf("report leaks %q", secret)
		}
	}
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*")); len(matches) > 0 {
		t.Errorf("temp files left behind: %v", matches)
	}
	mustValidate(t, path)
}

func TestFromGinkgoContent(t *testing.T) {
	s := FromGinkgo(sampleReport(), sampleOptions())
	if len(s.Suites) != 1 {
		t.Fatalf("want 1 testsuite, got %d", len(s.Suites))
	}
	su := s.Suites[0]
	// 10 Its + the failed AfterSuite; the passed BeforeSuite is dropped.
	if su.Name != "Conformance" || su.Tests != 11 || su.Failures != 3 || su.Errors != 3 || su.Skipped != 4 {
		t.Errorf("suite counts: name=%q tests=%d failures=%d errors=%d skipped=%d", su.Name, su.Tests, su.Failures, su.Errors, su.Skipped)
	}
	if s.Tests != 11 || s.Failures != 3 || s.Errors != 3 || su.Timestamp != "2026-01-02T03:04:05Z" {
		t.Errorf("root: tests=%d failures=%d errors=%d timestamp=%q", s.Tests, s.Failures, s.Errors, su.Timestamp)
	}

	pass := caseNamed(t, s, "RebootInstance state reboots a running instance")
	if pass.Name != "RebootInstance state reboots a running instance [RI-STATE-001]" || pass.Classname != "Conformance.state" || pass.Status() != "passed" {
		t.Errorf("passed case: %+v", pass)
	}
	if got := pass.Behaviours(); len(got) != 1 || got[0] != "RI-STATE-001" || pass.Area() != "state" {
		t.Errorf("passed case behaviours=%v area=%q", got, pass.Area())
	}
	if !strings.Contains(pass.SystemOut, "--- entry: RequestId ---\nREQ-0001") || !strings.Contains(pass.SystemOut, "Signature=REDACTED") {
		t.Errorf("passed system-out:\n%s", pass.SystemOut)
	}

	fail := caseNamed(t, s, "RebootInstance state rejects a stopped instance")
	if fail.Failure == nil || fail.Failure.Type != "failed" || !strings.HasPrefix(fail.Failure.Message, "expected IncorrectInstanceStatus, got 200") {
		t.Fatalf("failed case: %+v", fail.Failure)
	}
	if !strings.HasPrefix(fail.Failure.Text, "location: /src/suites/conformance/state_test.go:42\n") {
		t.Errorf("failure text lacks the location first:\n%s", fail.Failure.Text)
	}
	for _, want := range []string{"behaviours: RI-STATE-002\n", "labels: area:state, RI-STATE-002, slow\n", "state: failed\n", "attempts: 2\n",
		"--- entry: transcript ---", "x-acs-security-token: REDACTED", "--- GinkgoWriter ---\nstep 1\nstep 2",
		"--- steps ---\nSTEP: stop the instance (/src/suites/conformance/state_test.go:41)\nRETRY: attempt 1\n"} {
		if !strings.Contains(fail.SystemOut, want) {
			t.Errorf("failed system-out lacks %q:\n%s", want, fail.SystemOut)
		}
	}

	skip := caseNamed(t, s, "RebootInstance auth rejects an expired token")
	if skip.Skipped == nil || skip.Skipped.Message != "needs the emulator control API" || skip.Classname != "Conformance.auth" {
		t.Errorf("skipped case: %+v %+v", skip, skip.Skipped)
	}
	if c := caseNamed(t, s, "RebootInstance auth rejects a bad signature"); c.Name != "RebootInstance auth rejects a bad signature RI-AUTH-004" {
		t.Errorf("an ID already in the text must not be appended again: %q", c.Name)
	}
	if c := caseNamed(t, s, "RebootInstance filtered out"); c.Skipped == nil || c.Skipped.Message != "skipped" {
		t.Errorf("reasonless skip: %+v", c.Skipped)
	}
	if c := caseNamed(t, s, "RebootInstance handles ForceStop later"); c.Skipped == nil || c.Skipped.Message != "pending" || c.Area() != "params" {
		t.Errorf("pending: %+v", c.Skipped)
	}

	for prefix, typ := range map[string]string{
		"RebootInstance state survives a weird response": "panicked",
		"RebootInstance state waits for Running":         "interrupted",
		"RebootInstance state eventually stops":          "timedout",
	} {
		c := caseNamed(t, s, prefix)
		if c.Error == nil || c.Error.Type != typ || c.Failure != nil {
			t.Errorf("%s: want <error type=%q>, got error=%+v failure=%+v", prefix, typ, c.Error, c.Failure)
		}
	}
	if c := caseNamed(t, s, "RebootInstance state survives"); c.Error.Message != "runtime error: index out of range [3] with length 3" ||
		!strings.Contains(c.Error.Text, "goroutine 1 [running]") {
		t.Errorf("panic case: %+v", c.Error)
	}
	if c := caseNamed(t, s, "[AfterSuite]"); c.Failure == nil || !strings.Contains(c.Failure.Text, "in: [AfterSuite]") {
		t.Errorf("AfterSuite case: %+v", c)
	}
	if c := caseNamed(t, s, "RebootInstance fuzz odd"); c.Name != `RebootInstance fuzz odd \x00 input \x1B[31m [RI-FUZZ-001]` ||
		c.Failure.Message != `bad byte \x00\x07 and \xFF\xFE and \uFFFE` {
		t.Errorf("invalid XML chars not escaped: name=%q message=%q", c.Name, c.Failure.Message)
	}

	for name, want := range map[string]string{
		PropTargetKind: "endpoint", PropTargetEndpoint: "http://admin@127.0.0.1:8080/?AccessKeySecret=REDACTED",
		PropSeed: "42", PropHarnessVersion: "v0.1.0-test", PropStartTime: "2026-01-02T03:04:05Z",
		"ginkgo.random_seed": "1234", "region": "cn-hangzhou",
		"behaviour.RI-STATE-001": "error", "behaviour.RI-STATE-002": "failed", "behaviour.RI-AUTH-003": "skipped",
	} {
		if got, ok := prop(su, name); !ok || got != want {
			t.Errorf("property %s = %q (present %v), want %q", name, got, ok, want)
		}
	}
}

func TestFromGinkgoSuiteFailureOutsideSpecs(t *testing.T) {
	r := types.Report{SuiteDescription: "Props", SpecialSuiteFailureReasons: []string{"Interrupted by User"},
		SpecReports: types.SpecReports{it(nil, nil, "ok", nil, types.SpecStatePassed)}}
	s := FromGinkgo(r, Options{})
	c := caseNamed(t, s, "[SuiteFailure]")
	if c.Error == nil || c.Error.Message != "Interrupted by User" || s.Errors != 1 {
		t.Errorf("a suite that failed outside specs must show an error: %+v, errors=%d", c.Error, s.Errors)
	}
	path := filepath.Join(t.TempDir(), "props.xml")
	if err := WriteFile(path, s); err != nil {
		t.Fatal(err)
	}
	mustValidate(t, path)
}

func TestFromGinkgoOptions(t *testing.T) {
	r := sampleReport()
	s := FromGinkgo(r, Options{
		SuiteName: "custom", MaxOutputBytes: 200, OmitPassedOutput: true,
		Redact: func(s string) string { return strings.ReplaceAll(s, "REQ-0002", "REQ-XXXX") },
	})
	if s.Suites[0].Name != "custom" || s.Name != "custom" {
		t.Errorf("SuiteName not applied: %q", s.Suites[0].Name)
	}
	if v, _ := prop(s.Suites[0], PropSeed); v != "1234" {
		t.Errorf("seed should default to Ginkgo's RandomSeed, got %q", v)
	}
	pass := caseNamed(t, s, "RebootInstance state reboots")
	if strings.Contains(pass.SystemOut, "GinkgoWriter") || !strings.Contains(pass.SystemOut, "REQ-0001") {
		t.Errorf("OmitPassedOutput must drop output but keep entries:\n%s", pass.SystemOut)
	}
	fail := caseNamed(t, s, "RebootInstance state rejects")
	if strings.Contains(fail.SystemOut, "REQ-0002") {
		t.Errorf("custom redactor not applied:\n%s", fail.SystemOut)
	}
	if !strings.HasPrefix(fail.SystemOut, "behaviours: RI-STATE-002\nspec: RebootInstance state rejects a stopped instance\narea: state\nlabels: area:state, RI-STATE-002, slow\nstate: failed\nattempts: 2\n\n") {
		t.Errorf("truncation must keep the metadata whole:\n%s", fail.SystemOut)
	}
	if len(fail.SystemOut) > 320 || !strings.Contains(fail.SystemOut, "bytes truncated") {
		t.Errorf("MaxOutputBytes not applied (%d bytes):\n%s", len(fail.SystemOut), fail.SystemOut)
	}
}

// Specs a label filter or focus left out are not in the report (Ginkgo reports them as
// reasonless skips); a spec that skipped itself, with a reason, stays.
func TestFilteredSpecsAreLeftOut(t *testing.T) {
	spec := func(text string, labels []string, msg string) types.SpecReport {
		return types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: text, LeafNodeLabels: labels,
			State: types.SpecStateSkipped, Failure: types.Failure{Message: msg}}
	}
	r := types.Report{SuiteDescription: "S", SuiteConfig: types.SuiteConfig{LabelFilter: "state", FocusStrings: []string{`keep`}},
		SpecReports: types.SpecReports{
			spec("keep me", []string{"state"}, ""), spec("keep filtered label", []string{"errors"}, ""),
			spec("drop unfocused", []string{"state"}, ""), spec("self-skip outside", []string{"errors"}, "needs the control API"),
		}}
	var names []string
	for _, c := range FromGinkgo(r, Options{}).Suites[0].Cases {
		names = append(names, c.Name)
	}
	if want := "keep me,self-skip outside"; strings.Join(names, ",") != want {
		t.Errorf("cases %v, want %s", names, want)
	}
}

// The message attribute is a one-line reason; the whole text (redacted) stays in the body,
// so viewers that show both do not show the failure twice.
func TestFailureMessageIsOneLine(t *testing.T) {
	s := FromGinkgo(sampleReport(), sampleOptions())
	fail := caseNamed(t, s, "RebootInstance state rejects a stopped instance")
	if fail.Failure.Message != "expected IncorrectInstanceStatus, got 200" ||
		!strings.Contains(fail.Failure.Text, "Signature=REDACTED&AccessKeySecret=REDACTED") {
		t.Errorf("message %q, body:\n%s", fail.Failure.Message, fail.Failure.Text)
	}
	for _, su := range s.Suites {
		for _, c := range su.Cases {
			if r := firstResult(c); r != nil && strings.ContainsAny(r.Message, "\n\r") {
				t.Errorf("%s: multi-line message %q", c.Name, r.Message)
			}
		}
	}
}

// A property names what its minimal case broke in an EntryBehaviours entry: the IDs join the
// testcase's behaviours and the suite's verdicts, and its name stays the one it has passing.
func TestEntryBehavioursJoinTheCase(t *testing.T) {
	failed := it([]string{"RebootInstance properties"}, [][]string{{"area:fuzz"}}, "answers as the model allows", []string{"model-agreement"}, types.SpecStateFailed)
	failed.Failure = types.Failure{Message: "step 2 (reboot): got 200", Location: loc(3), FailureNodeType: types.NodeTypeIt}
	failed.ReportEntries = types.ReportEntries{entry(EntryBehaviours, "RI-ERR-002, RI-STATE-005,not-an-id")}
	r := sampleReport()
	r.SpecReports = append(r.SpecReports, failed)
	s := FromGinkgo(r, sampleOptions())
	c := caseNamed(t, s, "RebootInstance properties answers as the model allows")
	if got := c.Behaviours(); !slices.Equal(got, []string{"RI-ERR-002", "RI-STATE-005"}) {
		t.Errorf("behaviours %v, want [RI-ERR-002 RI-STATE-005]", got)
	}
	props := map[string]string{}
	for _, p := range s.Suites[0].Properties {
		props[p.Name] = p.Value
	}
	if props[PropBehaviourPrefix+"RI-STATE-005"] != "failed" {
		t.Errorf("behaviour.RI-STATE-005 = %q, want failed", props[PropBehaviourPrefix+"RI-STATE-005"])
	}
}
