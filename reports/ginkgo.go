package reports

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"
	"github.com/rebootconf/rebootconf/fixtures/vocab"
)

// Options carries what a Ginkgo report does not know about the run.
type Options struct {
	SuiteName string // testsuite name; default Report.SuiteDescription
	// TargetTag names the target in the testsuite name ("<suite> @ <tag>"), so reports of
	// two targets merged by any tool stay apart; classnames keep the plain suite name.
	TargetTag      string
	TargetKind     string            // "emulator", "endpoint", "cloud" ...
	TargetEndpoint string            // recorded with userinfo and secrets redacted
	Seed           string            // harness seed; default Ginkgo's RandomSeed
	HarnessVersion string            // rebootconf version
	StartTime      time.Time         // default Report.StartTime
	Hostname       string            // optional testsuite hostname
	Properties     map[string]string // extra suite-level properties
	// Redact runs on every string before the built-in RedactSecrets (which
	// always runs); the CLI passes protocol.Redact.
	Redact func(string) string
	// MaxOutputBytes caps each testcase's system-out and failure text:
	// 0 means 256 KiB, negative means unlimited.
	MaxOutputBytes int
	// OmitPassedOutput drops captured output of passed specs (report entries
	// and metadata are kept).
	OmitPassedOutput bool
}

const (
	defaultMaxOutput = 256 << 10
	maxMessage       = 300 // runes of the one-line message attribute; the full text is in the body
)

// IsBehaviourID reports whether a label has the shape of a row ID a report counts: a
// catalogue behaviour (RI-STATE-001), an SDK row (SDK-ERR-001) ... (vocab.IsRowID).
func IsBehaviourID(label string) bool { return vocab.IsRowID(label) }

// HarnessVersion is this rebootconf release, stamped on every report so a nightly diff can
// tell a harness change from a target change.
const HarnessVersion = "0.1.0"

// Property names written by FromGinkgo.
const (
	PropTargetKind     = "target.kind"
	PropTargetEndpoint = "target.endpoint"
	PropSeed           = "seed"
	PropHarnessVersion = "harness.version"
	PropStartTime      = "start.time"
	// PropBehaviourPrefix + ID holds the behaviour's verdict over all its
	// testcases: error > failed > passed > skipped.
	PropBehaviourPrefix = "behaviour."
)

// EntryBehaviours names a report entry whose value lists, comma-separated, behaviours a
// spec found broken at run time (a property failure names what its minimal case broke).
// They join the spec's label IDs in its metadata and verdicts, never its name, so the
// testcase keeps one name whether it passes or fails.
const EntryBehaviours = "behaviours"

// FromGinkgo converts a Ginkgo report into one testsuite. Each It becomes a
// testcase; suite-level and setup nodes appear only when they did not pass.
// Behaviour IDs and area go into the testcase system-out metadata (the schema
// has no testcase properties) and are aggregated into suite properties.
func FromGinkgo(r types.Report, opts Options) Suites {
	c := cleaner{redact: opts.Redact}
	max := opts.MaxOutputBytes
	if max == 0 {
		max = defaultMaxOutput
	}
	name := opts.SuiteName
	if name == "" {
		name = r.SuiteDescription
	}
	if name == "" {
		name = "rebootconf"
	}
	start := opts.StartTime
	if start.IsZero() {
		start = r.StartTime
	}
	full := name
	if opts.TargetTag != "" {
		full += SuiteTargetSep + opts.TargetTag
	}
	su := Suite{Name: c.text(full), Time: SecondsOf(r.RunTime), Hostname: c.text(opts.Hostname), Package: c.text(r.SuitePath)}
	if !start.IsZero() {
		su.Timestamp = start.UTC().Format("2006-01-02T15:04:05Z")
	}

	verdicts := map[string]string{}
	selected := selection(r)
	for _, spec := range r.SpecReports {
		if spec.LeafNodeType != types.NodeTypeIt && spec.State.Is(types.SpecStatePassed|types.SpecStateSkipped|types.SpecStatePending) {
			continue
		}
		if !selected(spec) {
			continue // left out by --label-filter or --focus: not run, not a skip
		}
		tc := specCase(spec, c.text(name), c, max, opts.OmitPassedOutput)
		for _, id := range specBehaviours(spec) {
			verdicts[id] = worse(verdicts[id], tc.Verdict())
		}
		su.Cases = append(su.Cases, tc)
	}
	if len(r.SpecialSuiteFailureReasons) > 0 && !slices.ContainsFunc(su.Cases, func(tc Case) bool {
		return tc.Error != nil || tc.Failure != nil
	}) {
		// Without this a suite that failed outside any spec (interrupt, focus,
		// fail-on-pending) would look green in CI.
		msg := strings.Join(r.SpecialSuiteFailureReasons, "; ")
		typ := "suite-failure"
		if interruptedSuite(r.SpecialSuiteFailureReasons) {
			typ = TypeInterrupted // stopped, not failed: diff and the summary say "unfinished"
		}
		su.Cases = append(su.Cases, Case{
			Name: "[SuiteFailure] " + su.Name, Classname: c.text(name), Time: SecondsOf(r.RunTime),
			Error:     &Result{Type: typ, Message: c.text(msg), Text: c.text(msg)},
			SystemOut: composeOut([]kv{{metaBehaviours, ""}, {metaState, "suite-failure"}}, nil),
		})
	}
	su.Properties = suiteProperties(r, opts, start, verdicts, c)

	out := Suites{Name: su.Name, Suites: []Suite{su}}
	out.recount()
	return out
}

func specCase(spec types.SpecReport, suite string, c cleaner, max int, omitPassed bool) Case {
	labels := spec.Labels()
	ids := behaviourIDs(labels)
	area := areaOf(labels)
	text := spec.FullText()

	name := text
	if spec.LeafNodeType != types.NodeTypeIt || name == "" {
		name = strings.TrimSpace("[" + spec.LeafNodeType.String() + "] " + name)
	}
	var missing []string
	for _, id := range ids {
		if !strings.Contains(text, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		name += " [" + strings.Join(missing, ", ") + "]"
	}
	classname := suite
	if area != "" {
		// "suite.area": JUnit viewers split the classname on its last dot into
		// package and class, so specs group by suite, then area.
		classname += "." + area
	}

	tc := Case{Name: c.text(name), Classname: c.text(classname), Time: SecondsOf(spec.RunTime)}
	switch st := spec.State; {
	case st.Is(types.SpecStatePassed):
	case st.Is(types.SpecStateSkipped | types.SpecStatePending):
		msg := "pending"
		if st.Is(types.SpecStateSkipped) {
			msg = firstLine(spec.Failure.Message)
			if msg == "" {
				msg = "skipped"
			}
		}
		body := ""
		if spec.Failure.Message != "" {
			body = spec.Failure.Message + "\n\nat " + spec.Failure.Location.String()
		}
		tc.Skipped = &Result{Type: st.String(), Message: c.text(msg), Text: c.long(body, max)}
	case st.Is(types.SpecStateFailed):
		tc.Failure = &Result{Type: st.String(), Message: c.text(reason(spec.Failure.Message)), Text: c.long(failureText(spec), max)}
	default: // panicked, interrupted, timedout, aborted, invalid
		msg := spec.Failure.Message
		if st.Is(types.SpecStatePanicked) && spec.Failure.ForwardedPanic != "" {
			msg = spec.Failure.ForwardedPanic
		}
		if msg == "" {
			msg = st.String()
		}
		tc.Error = &Result{Type: st.String(), Message: c.text(reason(msg)), Text: c.long(failureText(spec), max)}
	}

	meta := caseMeta(spec, specBehaviours(spec), area, labels, text)
	var sections []kv
	for _, e := range spec.ReportEntries {
		sections = append(sections, kv{"entry: " + e.Name, e.StringRepresentation()})
	}
	if !omitPassed || !spec.State.Is(types.SpecStatePassed) {
		sections = append(sections,
			kv{"steps", steps(spec.SpecEvents)},
			kv{"GinkgoWriter", spec.CapturedGinkgoWriterOutput},
			kv{"stdout/stderr", spec.CapturedStdOutErr})
	}
	// Only the sections are capped: the metadata must survive truncation.
	head := c.text(composeMeta(meta))
	rest := max - len(head)
	if max > 0 && rest < 1 {
		rest = 1
	}
	tc.SystemOut = head + c.long(composeSections(sections), rest)
	return tc
}

// caseMeta is a testcase's metadata lines: behaviours, spec text, area, labels, state.
func caseMeta(spec types.SpecReport, ids []string, area string, labels []string, text string) []kv {
	meta := []kv{{metaBehaviours, strings.Join(ids, ",")}}
	if spec.LeafNodeType == types.NodeTypeIt && text != "" {
		meta = append(meta, kv{metaSpec, text}) // what -ginkgo.focus matches, for reproduce lines
	}
	if area != "" {
		meta = append(meta, kv{metaArea, area})
	}
	if len(labels) > 0 {
		meta = append(meta, kv{metaLabels, strings.Join(labels, ", ")})
	}
	meta = append(meta, kv{metaState, spec.State.String()})
	if spec.NumAttempts > 1 {
		meta = append(meta, kv{metaAttempts, strconv.Itoa(spec.NumAttempts)})
	}
	return meta
}

// steps lists By() steps and retries, the spec's own narrative of what it did.
func steps(events types.SpecEvents) string {
	var b strings.Builder
	for _, e := range events {
		switch {
		case e.SpecEventType.Is(types.SpecEventByStart):
			fmt.Fprintf(&b, "STEP: %s (%s)\n", e.Message, e.CodeLocation)
		case e.SpecEventType.Is(types.SpecEventSpecRetry | types.SpecEventSpecRepeat):
			fmt.Fprintf(&b, "%s: attempt %d\n", strings.ToUpper(e.SpecEventType.String()), e.Attempt)
		}
	}
	return b.String()
}

// failureText is the failure body: location first (Summarize reads it), then
// the message, the panic and its stack, and any later failures.
func failureText(spec types.SpecReport) string {
	f := spec.Failure
	var b strings.Builder
	fmt.Fprintf(&b, "location: %s\n", f.Location)
	if f.FailureNodeType != types.NodeTypeInvalid && f.FailureNodeType != types.NodeTypeIt {
		fmt.Fprintf(&b, "in: [%s] at %s\n", f.FailureNodeType, f.FailureNodeLocation)
	}
	if f.Message != "" {
		fmt.Fprintf(&b, "\n%s\n", strings.TrimRight(f.Message, "\n"))
	}
	if f.ForwardedPanic != "" {
		fmt.Fprintf(&b, "\npanic: %s\n", f.ForwardedPanic)
	}
	if f.Location.FullStackTrace != "" {
		fmt.Fprintf(&b, "\nstack:\n%s\n", strings.TrimRight(f.Location.FullStackTrace, "\n"))
	}
	for _, af := range spec.AdditionalFailures {
		fmt.Fprintf(&b, "\nthen [%s] at %s: %s\n", af.State, af.Failure.Location, af.Failure.Message)
	}
	return b.String()
}

func suiteProperties(r types.Report, opts Options, start time.Time, verdicts map[string]string, c cleaner) []Property {
	seed := opts.Seed
	if seed == "" {
		seed = strconv.FormatInt(r.SuiteConfig.RandomSeed, 10)
	}
	var props []Property
	add := func(name, value string) {
		props = append(props, Property{Name: c.text(name), Value: c.text(value)})
	}
	add(PropTargetKind, opts.TargetKind)
	add(PropTargetEndpoint, redactEndpoint(opts.TargetEndpoint))
	add(PropSeed, seed)
	add(PropHarnessVersion, opts.HarnessVersion)
	if !start.IsZero() {
		add(PropStartTime, start.UTC().Format(time.RFC3339Nano))
	}
	add("ginkgo.random_seed", strconv.FormatInt(r.SuiteConfig.RandomSeed, 10))
	add("ginkgo.label_filter", r.SuiteConfig.LabelFilter)
	add("ginkgo.suite_succeeded", strconv.FormatBool(r.SuiteSucceeded))
	if len(r.SpecialSuiteFailureReasons) > 0 {
		add("ginkgo.suite_failure_reasons", strings.Join(r.SpecialSuiteFailureReasons, "; "))
	}
	for _, k := range slices.Sorted(maps.Keys(opts.Properties)) {
		add(k, opts.Properties[k])
	}
	for _, id := range slices.Sorted(maps.Keys(verdicts)) {
		add(PropBehaviourPrefix+id, verdicts[id])
	}
	return props
}

// redactEndpoint drops userinfo passwords; query secrets go to the redactor.
func redactEndpoint(ep string) string {
	if u, err := url.Parse(ep); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	return ep
}

// severity orders verdicts for "the worst testcase of a behaviour" (the JUnit
// properties and the diff of two reports both rank by it).
var severity = map[string]int{TypeInterrupted: 1, "skipped": 2, "passed": 3, "failed": 4, "error": 5}

// worse is the worse of two verdicts ("" is better than any).
func worse(a, b string) string {
	if severity[b] > severity[a] {
		return b
	}
	return a
}

// SuiteTargetSep separates a testsuite's name from the target it ran against.
const SuiteTargetSep = " @ "

// BaseSuiteName is a testsuite name without its target: what diff lines two runs up by.
func BaseSuiteName(name string) string {
	base, _, _ := strings.Cut(name, SuiteTargetSep)
	return base
}

// selection reports whether a spec of r was selected by its label filter and focus.
func selection(r types.Report) func(types.SpecReport) bool {
	return Selected(r.SuiteConfig, r.SuiteDescription)
}

// Selected reports whether a spec was selected by the suite's label filter and focus, so
// specs the filters left out (Ginkgo reports them as skipped, without a reason) are not
// mistaken for specs that could not run. A spec skipped with a reason is always kept.
func Selected(cfg types.SuiteConfig, suiteDescription string) func(types.SpecReport) bool {
	var focus *regexp.Regexp
	if len(cfg.FocusStrings) > 0 {
		focus, _ = regexp.Compile(strings.Join(cfg.FocusStrings, "|"))
	}
	return func(s types.SpecReport) bool {
		if !s.State.Is(types.SpecStateSkipped) || s.Failure.Message != "" || s.LeafNodeType != types.NodeTypeIt {
			return true
		}
		if ok, err := s.MatchesLabelFilter(cfg.LabelFilter); err == nil && !ok {
			return false
		}
		return focus == nil || focus.MatchString(suiteDescription+" "+s.FullText())
	}
}

// reason is a failure message as the one-line JUnit message attribute: its first non-empty
// line, clipped. Viewers show the message beside the body, so the whole text would show twice.
func reason(msg string) string {
	for line := range strings.Lines(msg) {
		if line = strings.TrimSpace(line); line != "" {
			return clip(line, maxMessage)
		}
	}
	return ""
}

// interruptedSuite reports whether Ginkgo's suite failure reasons are only interrupts
// ("Interrupted by User", "Interrupted by Other Ginkgo Process").
func interruptedSuite(reasons []string) bool {
	for _, r := range reasons {
		if !strings.HasPrefix(r, "Interrupted by ") {
			return false
		}
	}
	return len(reasons) > 0
}

// specBehaviours is a spec's behaviours: its ID labels, then those its EntryBehaviours
// entries name, without repeats.
func specBehaviours(spec types.SpecReport) []string {
	ids := behaviourIDs(spec.Labels())
	for _, e := range spec.ReportEntries {
		if e.Name != EntryBehaviours {
			continue
		}
		for _, id := range strings.Split(entryValue(e.StringRepresentation()), ",") {
			if id = strings.TrimSpace(id); IsBehaviourID(id) && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

func behaviourIDs(labels []string) []string {
	var ids []string
	for _, l := range labels {
		if IsBehaviourID(l) {
			ids = append(ids, l)
		}
	}
	return ids
}

// areaOf returns the last "area:" label, so a leaf label overrides its container's.
func areaOf(labels []string) string {
	area := ""
	for _, l := range labels {
		if a, ok := strings.CutPrefix(l, areaLabelPrefix); ok {
			area = a
		}
	}
	return area
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}
