package reports

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// xsdRule is one element of shared/reference/junit-10.xsd, transcribed so the
// structural check has teeth without xmllint.
type xsdRule struct {
	attrs    []string // allowed attributes
	required []string // required attributes
	children []string // allowed child elements (any order, any count)
	text     bool     // character data allowed (mixed or xs:string)
}

var (
	rerunRule = xsdRule{attrs: []string{"message", "type"}, required: []string{"type"},
		children: []string{"stackTrace", "system-out", "system-err"}, text: true}
	resultRule = xsdRule{attrs: []string{"type", "message"}, text: true}
	stringRule = xsdRule{text: true}
	xsdRules   = map[string]xsdRule{
		"testsuites": {attrs: []string{"name", "time", "tests", "failures", "errors"}, children: []string{"testsuite"}},
		"testsuite": {
			attrs: []string{"name", "tests", "failures", "errors", "group", "time", "skipped", "timestamp",
				"hostname", "id", "package", "file", "log", "url"},
			required: []string{"name", "tests", "failures", "errors"},
			children: []string{"testsuite", "properties", "testcase", "system-out", "system-err"},
		},
		"properties": {children: []string{"property"}},
		"property":   {attrs: []string{"name", "value"}, required: []string{"name", "value"}},
		"testcase": {
			attrs: []string{"name", "time", "classname", "group"}, required: []string{"name"},
			children: []string{"skipped", "error", "failure", "rerunFailure", "rerunError", "flakyFailure",
				"flakyError", "system-out", "system-err"},
		},
		"failure": resultRule, "error": resultRule, "skipped": resultRule,
		"system-out": stringRule, "system-err": stringRule, "stackTrace": stringRule,
		"rerunFailure": rerunRule, "rerunError": rerunRule, "flakyFailure": rerunRule, "flakyError": rerunRule,
	}
	// SUREFIRE_TIME, the type of testsuite/@time and testsuites/@time.
	surefireTime = regexp.MustCompile(`^(?:(?:[0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(?:\.[0-9]*)?$`)
)

// checkStructure parses doc strictly (well-formed XML 1.0, legal characters)
// and checks every element, attribute and text node against xsdRules.
func checkStructure(doc []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	dec.Strict = true
	var stack []string
	roots := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("not well-formed: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			rule, ok := xsdRules[name]
			if !ok {
				return fmt.Errorf("element <%s> is not in the schema", name)
			}
			if len(stack) == 0 {
				roots++
				if name != "testsuites" && name != "testsuite" {
					return fmt.Errorf("root <%s> is not testsuites or testsuite", name)
				}
			} else if parent := stack[len(stack)-1]; !contains(xsdRules[parent].children, name) {
				return fmt.Errorf("<%s> is not allowed inside <%s>", name, parent)
			}
			seen := map[string]bool{}
			for _, a := range t.Attr {
				if !contains(rule.attrs, a.Name.Local) {
					return fmt.Errorf("attribute %s is not allowed on <%s>", a.Name.Local, name)
				}
				seen[a.Name.Local] = true
				if a.Name.Local == "time" && (name == "testsuite" || name == "testsuites") && !surefireTime.MatchString(a.Value) {
					return fmt.Errorf("<%s time=%q> does not match SUREFIRE_TIME", name, a.Value)
				}
			}
			for _, r := range rule.required {
				if !seen[r] {
					return fmt.Errorf("<%s> lacks required attribute %s", name, r)
				}
			}
			stack = append(stack, name)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 && !xsdRules[stack[len(stack)-1]].text && strings.TrimSpace(string(t)) != "" {
				return fmt.Errorf("text %q is not allowed inside <%s>", clip(string(t), 40), stack[len(stack)-1])
			}
		}
	}
	if roots != 1 {
		return fmt.Errorf("want exactly one root element, got %d", roots)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// findXSD walks up from the package directory to shared/reference/junit-10.xsd.
func findXSD(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "reference", "junit-10.xsd")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// xmllint validates path against the XSD; it skips when xmllint or the XSD is
// missing (CI installs libxml2-utils).
func xmllint(t *testing.T, path string) error {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not installed (apt-get install libxml2-utils); XSD validation skipped, structural check still ran")
	}
	xsd := findXSD(t)
	if xsd == "" {
		t.Skip("shared/reference/junit-10.xsd not found above the package dir; XSD validation skipped")
	}
	out, err := exec.Command(bin, "--noout", "--schema", xsd, path).CombinedOutput()
	if err != nil {
		return fmt.Errorf("xmllint rejects %s: %v\n%s", filepath.Base(path), err, out)
	}
	return nil
}

// mustValidate runs both checks on a written file.
func mustValidate(t *testing.T, path string) {
	t.Helper()
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkStructure(doc); err != nil {
		t.Fatalf("structural check: %v\n%s", err, clip(string(doc), 4000))
	}
	if err := xmllint(t, path); err != nil {
		t.Fatal(err)
	}
}

func TestCheckStructureHasTeeth(t *testing.T) {
	bad := map[string]string{
		"ginkgo status attr":      `<testsuites><testsuite name="a" tests="1" failures="0" errors="0"><testcase name="x" status="passed"/></testsuite></testsuites>`,
		"disabled on testsuites":  `<testsuites disabled="0"/>`,
		"skipped on testsuites":   `<testsuites skipped="1"/>`,
		"testcase properties":     `<testsuite name="a" tests="1" failures="0" errors="0"><testcase name="x"><properties/></testcase></testsuite>`,
		"missing errors":          `<testsuite name="a" tests="1" failures="0"/>`,
		"exponent time":           `<testsuite name="a" tests="1" failures="0" errors="0" time="1e-06"/>`,
		"text in testcase":        `<testsuite name="a" tests="1" failures="0" errors="0"><testcase name="x">hi</testcase></testsuite>`,
		"property without value":  `<testsuite name="a" tests="0" failures="0" errors="0"><properties><property name="k"/></properties></testsuite>`,
		"control char":            "<testsuite name=\"a\x01\" tests=\"0\" failures=\"0\" errors=\"0\"/>",
		"unknown root":            `<report/>`,
		"rerunFailure needs type": `<testsuite name="a" tests="1" failures="0" errors="0"><testcase name="x"><rerunFailure/></testcase></testsuite>`,
	}
	for name, doc := range bad {
		if err := checkStructure([]byte(doc)); err == nil {
			t.Errorf("%s: accepted %s", name, doc)
		}
	}
	good := `<testsuites tests="1"><testsuite name="a" tests="1" failures="0" errors="0" time="1,234.5"><testcase name="x"><system-out>o</system-out><failure type="f">t</failure></testcase></testsuite></testsuites>`
	if err := checkStructure([]byte(good)); err != nil {
		t.Errorf("rejected a valid document: %v", err)
	}
}
