package reports

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// The raw* types are lenient decoding shapes: they also accept what the schema
// forbids but Ginkgo's native JUnit writes (testcase status/owner attributes and
// testcase properties) and nested testsuites, which Parse flattens.
type rawSuites struct {
	Name   string     `xml:"name,attr"`
	Suites []rawSuite `xml:"testsuite"`
}

type rawSuite struct {
	Name       string     `xml:"name,attr"`
	Time       Seconds    `xml:"time,attr"`
	Timestamp  string     `xml:"timestamp,attr"`
	Hostname   string     `xml:"hostname,attr"`
	Package    string     `xml:"package,attr"`
	Properties []Property `xml:"properties>property"`
	Cases      []rawCase  `xml:"testcase"`
	Suites     []rawSuite `xml:"testsuite"`
	SystemOut  []string   `xml:"system-out"`
	SystemErr  []string   `xml:"system-err"`
}

type rawCase struct {
	Name       string     `xml:"name,attr"`
	Classname  string     `xml:"classname,attr"`
	Time       Seconds    `xml:"time,attr"`
	Status     string     `xml:"status,attr"`
	Skipped    []Result   `xml:"skipped"`
	Errors     []Result   `xml:"error"`
	Failures   []Result   `xml:"failure"`
	SystemOut  []string   `xml:"system-out"`
	SystemErr  []string   `xml:"system-err"`
	Properties []Property `xml:"properties>property"`
}

// ReadFile reads a JUnit file written by WriteFile or by Ginkgo's
// reporters.GenerateJUnitReport (or any similar producer).
func ReadFile(path string) (Suites, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Suites{}, fmt.Errorf("reports: %w", err)
	}
	s, err := Parse(data)
	if err != nil {
		return Suites{}, fmt.Errorf("reports: %s: %w", path, err)
	}
	return s, nil
}

// Parse decodes a JUnit document whose root is <testsuites> or <testsuite>.
// Counts are recomputed from the testcases; Ginkgo's testcase properties
// (report entries) and labels are folded into system-out in our layout.
func Parse(data []byte) (Suites, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return Suites{}, errors.New("not a JUnit report: no root element")
		}
		if err != nil {
			return Suites{}, fmt.Errorf("malformed XML: %w", err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		var raw rawSuites
		switch start.Name.Local {
		case "testsuites":
			err = dec.DecodeElement(&raw, &start)
		case "testsuite":
			var one rawSuite
			err = dec.DecodeElement(&one, &start)
			raw.Suites = []rawSuite{one}
		default:
			return Suites{}, fmt.Errorf("not a JUnit report: root element <%s>", start.Name.Local)
		}
		if err != nil {
			return Suites{}, fmt.Errorf("malformed JUnit: %w", err)
		}
		out := Suites{Name: raw.Name}
		for _, rs := range raw.Suites {
			out.Suites = appendFlat(out.Suites, rs)
		}
		out.recount()
		return out, nil
	}
}

func appendFlat(dst []Suite, rs rawSuite) []Suite {
	s := Suite{
		Name: rs.Name, Time: rs.Time, Timestamp: rs.Timestamp, Hostname: rs.Hostname, Package: rs.Package,
		Properties: rs.Properties,
		SystemOut:  strings.Join(rs.SystemOut, "\n"),
		SystemErr:  strings.Join(rs.SystemErr, "\n"),
	}
	for _, rc := range rs.Cases {
		s.Cases = append(s.Cases, rc.toCase())
	}
	if len(s.Cases) > 0 || len(rs.Suites) == 0 || s.SystemOut != "" || len(s.Properties) > 0 {
		dst = append(dst, s)
	}
	for _, nested := range rs.Suites {
		dst = appendFlat(dst, nested)
	}
	return dst
}

func (rc rawCase) toCase() Case {
	c := Case{
		Name: rc.Name, Classname: rc.Classname, Time: rc.Time,
		Skipped:   joinResults(rc.Skipped),
		Error:     joinResults(rc.Errors),
		Failure:   joinResults(rc.Failures),
		SystemOut: strings.Join(rc.SystemOut, "\n"),
		SystemErr: strings.Join(rc.SystemErr, "\n"),
	}
	if _, ours := metaValue(c.SystemOut, metaBehaviours); ours {
		return c
	}
	// A foreign case: lift labels from the name and entries from properties.
	labels := nameLabels(rc.Name)
	if len(labels) == 0 && len(rc.Properties) == 0 {
		return c
	}
	meta := []kv{{metaBehaviours, strings.Join(c.Behaviours(), ",")}}
	if area := c.Area(); area != "" {
		meta = append(meta, kv{metaArea, area})
	}
	if len(labels) > 0 {
		meta = append(meta, kv{metaLabels, strings.Join(labels, ", ")})
	}
	if rc.Status != "" {
		meta = append(meta, kv{metaState, rc.Status})
	}
	var sections []kv
	for _, p := range rc.Properties {
		sections = append(sections, kv{"entry: " + p.Name, entryValue(p.Value)})
	}
	sections = append(sections, kv{"output", c.SystemOut})
	c.SystemOut = composeOut(meta, sections)
	return c
}

// joinResults keeps the first result and appends the others' text, since our
// model holds one result of each kind per testcase.
func joinResults(rs []Result) *Result {
	if len(rs) == 0 {
		return nil
	}
	r := rs[0]
	for _, more := range rs[1:] {
		r.Text += "\n\n[" + more.Type + "] " + more.Message + "\n" + more.Text
	}
	return &r
}

// entryValue undoes the JSON encoding Ginkgo gives report entry values, so a
// transcript reads (and is redacted) as text.
func entryValue(v string) string {
	var s string
	if json.Unmarshal([]byte(v), &s) == nil {
		return s
	}
	return v
}

type kv struct{ k, v string }

// composeOut lays out a testcase system-out: "key: value" metadata lines, a
// blank line, then "--- title ---" sections (empty sections are dropped).
func composeOut(meta, sections []kv) string {
	return composeMeta(meta) + composeSections(sections)
}

// composeMeta always writes at least one line so that a section can never be
// misread as metadata.
func composeMeta(meta []kv) string {
	var b strings.Builder
	if len(meta) == 0 {
		meta = []kv{{metaBehaviours, ""}}
	}
	for _, m := range meta {
		fmt.Fprintf(&b, "%s: %s\n", m.k, oneLine(m.v))
	}
	return b.String()
}

func composeSections(sections []kv) string {
	var b strings.Builder
	for _, s := range sections {
		if strings.TrimSpace(s.v) == "" {
			continue
		}
		fmt.Fprintf(&b, "\n--- %s ---\n%s\n", oneLine(s.k), strings.TrimRight(s.v, "\n"))
	}
	return b.String()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
