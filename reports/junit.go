// Package reports turns Ginkgo reports into JUnit XML that validates against the
// Jenkins xUnit schema (shared/reference/junit-10.xsd), merges JUnit files from
// separate suite processes and summarises them. Every string written passes
// through a secret redactor and an XML character filter.
package reports

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Suites is the <testsuites> root. The schema allows no skipped count here;
// per-suite skipped counts live on each Suite.
type Suites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr,omitempty"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Time     Seconds  `xml:"time,attr"`
	Suites   []Suite  `xml:"testsuite"`
}

// Suite is one <testsuite>: one Ginkgo suite process.
type Suite struct {
	Name       string     `xml:"name,attr"`
	Tests      int        `xml:"tests,attr"`
	Failures   int        `xml:"failures,attr"`
	Errors     int        `xml:"errors,attr"`
	Skipped    int        `xml:"skipped,attr"`
	Time       Seconds    `xml:"time,attr"`
	Timestamp  string     `xml:"timestamp,attr,omitempty"`
	Hostname   string     `xml:"hostname,attr,omitempty"`
	Package    string     `xml:"package,attr,omitempty"`
	Properties []Property `xml:"properties>property"`
	Cases      []Case     `xml:"testcase"`
	SystemOut  string     `xml:"system-out,omitempty"`
	SystemErr  string     `xml:"system-err,omitempty"`
}

// Property is a suite-level name/value pair (the schema has no testcase properties).
type Property struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// Case is one <testcase>. FromGinkgo sets at most one of Skipped, Error, Failure.
// SystemOut starts with metadata lines ("behaviours: RI-X-001,...", "area: x")
// followed by a blank line; Behaviours and Area read them back.
type Case struct {
	Name      string  `xml:"name,attr"`
	Classname string  `xml:"classname,attr,omitempty"`
	Time      Seconds `xml:"time,attr"`
	Skipped   *Result `xml:"skipped,omitempty"`
	Error     *Result `xml:"error,omitempty"`
	Failure   *Result `xml:"failure,omitempty"`
	SystemOut string  `xml:"system-out,omitempty"`
	SystemErr string  `xml:"system-err,omitempty"`
}

// Result is the body of <failure>, <error> or <skipped>.
type Result struct {
	Type    string `xml:"type,attr,omitempty"`
	Message string `xml:"message,attr,omitempty"`
	Text    string `xml:",cdata"`
}

// caseXML is Case as written: long text goes out as CDATA so multi-line
// transcripts stay readable in the raw file. Reading needs no twin: the
// decoder accepts text and CDATA alike.
type caseXML struct {
	Name      string  `xml:"name,attr"`
	Classname string  `xml:"classname,attr,omitempty"`
	Time      Seconds `xml:"time,attr"`
	Skipped   *Result `xml:"skipped,omitempty"`
	Error     *Result `xml:"error,omitempty"`
	Failure   *Result `xml:"failure,omitempty"`
	SystemOut *cdata  `xml:"system-out,omitempty"`
	SystemErr *cdata  `xml:"system-err,omitempty"`
}

type cdata struct {
	Text string `xml:",cdata"`
}

func asCDATA(s string) *cdata {
	if s == "" {
		return nil
	}
	return &cdata{s}
}

// MarshalXML implements xml.Marshaler.
func (c Case) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(caseXML{
		Name: viewerSafe(c.Name), Classname: viewerSafe(c.Classname), Time: c.Time,
		Skipped: c.Skipped.viewerSafe(), Error: c.Error.viewerSafe(), Failure: c.Failure.viewerSafe(),
		SystemOut: asCDATA(viewerSafe(c.SystemOut)), SystemErr: asCDATA(viewerSafe(c.SystemErr)),
	}, start)
}

// ViewerLT stands for '<' in every text a JUnit file carries. junit-viewer pastes the
// (decoded) texts into its page as HTML and stops at the first '<' that opens no tag
// ("< HTTP 400", "<?xml"), and would swallow the rest as markup; U+2039 reads the same to a
// person. report.json and report.html keep the exact bytes.
const ViewerLT = "\u2039"

func viewerSafe(s string) string { return strings.ReplaceAll(s, "<", ViewerLT) }

func (r *Result) viewerSafe() *Result {
	if r == nil {
		return nil
	}
	return &Result{Type: viewerSafe(r.Type), Message: viewerSafe(r.Message), Text: viewerSafe(r.Text)}
}

// Seconds is a duration attribute written as fixed-point seconds ("1.250"),
// the only form the schema's SUREFIRE_TIME pattern accepts (no exponent, no sign).
type Seconds float64

// SecondsOf converts a duration.
func SecondsOf(d time.Duration) Seconds { return Seconds(d.Seconds()) }

// Duration converts back.
func (s Seconds) Duration() time.Duration { return time.Duration(float64(s) * float64(time.Second)) }

// MarshalXMLAttr implements xml.MarshalerAttr.
func (s Seconds) MarshalXMLAttr(name xml.Name) (xml.Attr, error) {
	f := float64(s)
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		f = 0
	}
	return xml.Attr{Name: name, Value: strconv.FormatFloat(f, 'f', 3, 64)}, nil
}

// UnmarshalXMLAttr implements xml.UnmarshalerAttr. Foreign files may write
// "1,234.5" or exponents; anything unparsable reads as zero rather than
// failing a merge over a cosmetic field.
func (s *Seconds) UnmarshalXMLAttr(a xml.Attr) error {
	f, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(a.Value), ",", ""), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		f = 0
	}
	*s = Seconds(f)
	return nil
}

// Status is "passed", "failed", "error" or "skipped".
func (c Case) Status() string {
	switch {
	case c.Error != nil:
		return "error"
	case c.Failure != nil:
		return "failed"
	case c.Skipped != nil:
		return "skipped"
	}
	return "passed"
}

// TypeInterrupted is the result type of a spec an interrupt stopped (Ginkgo's state name).
const TypeInterrupted = "interrupted"

// Verdict is Status, except that a case stopped by an interrupt is "interrupted": it never
// finished, so it shows neither a pass nor a failure of the target.
func (c Case) Verdict() string {
	if c.Error != nil && c.Error.Type == TypeInterrupted {
		return TypeInterrupted
	}
	return c.Status()
}

// Behaviours returns the behaviour IDs recorded for the case: the
// "behaviours:" metadata line, else IDs among the bracketed label suffix of the
// name (Ginkgo's native JUnit writes "text [label, label]").
func (c Case) Behaviours() []string {
	if v, ok := metaValue(c.SystemOut, metaBehaviours); ok {
		return splitList(v)
	}
	var ids []string
	for _, l := range nameLabels(c.Name) {
		if IsBehaviourID(l) {
			ids = append(ids, l)
		}
	}
	return ids
}

// SpecText is the spec's full text (containers and leaf), what a Ginkgo focus matches, or
// "" when the report does not record it (then the name without its label suffix).
func (c Case) SpecText() string {
	if v, ok := metaValue(c.SystemOut, metaSpec); ok {
		return v
	}
	name := c.Name
	for strings.HasSuffix(name, "]") {
		i := strings.LastIndex(name, " [")
		if i < 0 {
			break
		}
		name = name[:i]
	}
	if strings.HasPrefix(name, "[") {
		return "" // a setup node ([BeforeSuite], [SuiteFailure] ...): no spec to focus
	}
	return name
}

// Labels returns the spec's labels (the "labels:" metadata line, else the name's suffix).
func (c Case) Labels() []string {
	if v, ok := metaValue(c.SystemOut, metaLabels); ok {
		return splitList(v)
	}
	return nameLabels(c.Name)
}

// Client is the client a case checked through: its "sdk:<client>" label, else "" (the
// suite's own clients).
func (c Case) Client() string {
	for _, l := range c.Labels() {
		if v, ok := strings.CutPrefix(l, "sdk:"); ok {
			return v
		}
	}
	return ""
}

// Property returns the suite property name, or "".
func (s Suite) Property(name string) string {
	for _, p := range s.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// Section returns the body of the system-out section titled title ("--- title ---"), or "".
func (c Case) Section(title string) string {
	head := "\n--- " + title + " ---\n"
	i := strings.Index(c.SystemOut, head)
	if i < 0 {
		return ""
	}
	body := c.SystemOut[i+len(head):]
	if j := strings.Index(body, "\n--- "); j >= 0 {
		body = body[:j]
	}
	return strings.TrimRight(body, "\n")
}

// Area returns the spec's area (label "area:x"), or "".
func (c Case) Area() string {
	if v, ok := metaValue(c.SystemOut, metaArea); ok {
		return v
	}
	return areaOf(nameLabels(c.Name))
}

const (
	metaBehaviours  = "behaviours"
	metaArea        = "area"
	metaLabels      = "labels"
	metaState       = "state"
	metaSpec        = "spec"
	metaAttempts    = "attempts"
	areaLabelPrefix = "area:"
)

// metaValue reads "key: value" from the metadata block at the top of system-out
// (lines up to the first blank line).
func metaValue(out, key string) (string, bool) {
	for line := range strings.Lines(out) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		if v, ok := strings.CutPrefix(line, key+": "); ok {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// nameLabels parses the trailing "[a, b]" groups of a testcase name.
func nameLabels(name string) []string {
	var out []string
	for strings.HasSuffix(name, "]") {
		open := strings.LastIndex(name, " [")
		if open < 0 {
			break
		}
		out = append(splitList(name[open+2:len(name)-1]), out...)
		name = name[:open]
	}
	return out
}

func splitList(s string) []string {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// recount derives every count from the testcases, so merged and foreign
// inputs cannot carry inconsistent totals.
func (s *Suites) recount() {
	s.Tests, s.Failures, s.Errors, s.Time = 0, 0, 0, 0
	for i := range s.Suites {
		su := &s.Suites[i]
		su.Tests, su.Failures, su.Errors, su.Skipped = len(su.Cases), 0, 0, 0
		for _, c := range su.Cases {
			switch c.Status() {
			case "error":
				su.Errors++
			case "failed":
				su.Failures++
			case "skipped":
				su.Skipped++
			}
		}
		s.Tests += su.Tests
		s.Failures += su.Failures
		s.Errors += su.Errors
		s.Time += su.Time
	}
}

// Merge concatenates the testsuites of several reports (suites of the same name
// stay separate: they are separate runs) and recomputes the totals.
func Merge(all ...Suites) Suites {
	var out Suites
	for _, s := range all {
		if out.Name == "" {
			out.Name = s.Name
		}
		out.Suites = append(out.Suites, s.Suites...)
	}
	out.recount()
	return out
}

// sanitized returns a copy with every string passed through the built-in
// redactor and XML filter: the last gate before bytes are written, which also
// covers suites read from foreign files.
func (s Suites) sanitized() Suites {
	c := cleaner{}
	out := s
	out.Name = c.text(s.Name)
	out.Suites = make([]Suite, len(s.Suites))
	for i, su := range s.Suites {
		su.Name, su.Timestamp, su.Hostname, su.Package = c.text(su.Name), c.text(su.Timestamp), c.text(su.Hostname), c.text(su.Package)
		su.SystemOut, su.SystemErr = c.text(su.SystemOut), c.text(su.SystemErr)
		props := make([]Property, len(su.Properties))
		for j, p := range su.Properties {
			props[j] = Property{Name: c.text(p.Name), Value: c.text(p.Value)}
		}
		su.Properties = props
		cases := make([]Case, len(su.Cases))
		for j, tc := range su.Cases {
			tc.Name, tc.Classname = c.text(tc.Name), c.text(tc.Classname)
			tc.SystemOut, tc.SystemErr = c.text(tc.SystemOut), c.text(tc.SystemErr)
			tc.Skipped, tc.Error, tc.Failure = c.result(tc.Skipped), c.result(tc.Error), c.result(tc.Failure)
			cases[j] = tc
		}
		su.Cases = cases
		out.Suites[i] = su
	}
	out.recount()
	return out
}

func (c cleaner) result(r *Result) *Result {
	if r == nil {
		return nil
	}
	return &Result{Type: c.text(r.Type), Message: c.text(r.Message), Text: c.text(r.Text)}
}

// Marshal renders s as an indented XML document (sanitized, counts recomputed).
func Marshal(s Suites) ([]byte, error) {
	body, err := xml.MarshalIndent(s.sanitized(), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("reports: encode junit: %w", err)
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.Write(body)
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// WriteFile writes s to path atomically (temp file in the same directory, then
// rename), creating parent directories. It writes only to a new path or over a regular
// file (CheckReportPath), checked again just before the rename.
func WriteFile(path string, s Suites) (err error) {
	if err := CheckReportPath(path); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	data, err := Marshal(s)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("reports: create report dir: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("reports: create temp file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("reports: write %s: %w", path, err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("reports: chmod %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("reports: close %s: %w", path, err)
	}
	if err = CheckReportPath(path); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("reports: rename into %s: %w", path, err)
	}
	return nil
}
