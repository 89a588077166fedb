package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/reports"
)

// fencedBlock is the body of the ``` block between two README markers.
func fencedBlock(t *testing.T, readme, name string) string {
	t.Helper()
	block := between(t, readme, "<!-- "+name+":start -->", "<!-- "+name+":end -->")
	block = strings.TrimSpace(block)
	block = strings.TrimPrefix(block, "```")
	block = strings.TrimSuffix(block, "```")
	return strings.Trim(block, "\n")
}

// The README's command list is what `rebootconf help` prints.
func TestReadmeCommandList(t *testing.T) {
	var b strings.Builder
	usage(&b)
	var lines []string
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(l, "  ") {
			lines = append(lines, l)
		}
	}
	if got, want := fencedBlock(t, repoFile(t, "README.md"), "commands"), strings.Join(lines, "\n"); got != want {
		t.Errorf("README command list:\n%s\nrebootconf help prints:\n%s", got, want)
	}
}

var envVarRE = regexp.MustCompile(`"(REBOOTCONF_[A-Z_]+)"`)

// Every REBOOTCONF_* variable the code reads or sets, every SDK row and every report.json
// field is documented.
func TestDocsVocabulary(t *testing.T) {
	envDoc := repoFile(t, "docs/environment.md")
	for _, dir := range []string{"fixtures", "suites", "reports", "cmd"} {
		_ = filepath.WalkDir(filepath.Join("..", "..", dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
				return nil
			}
			// Test-only variables of packages outside the suites are not user-facing.
			if strings.HasSuffix(path, "_test.go") && !strings.Contains(path, "suites") {
				return nil
			}
			data, _ := os.ReadFile(path)
			for _, m := range envVarRE.FindAllStringSubmatch(string(data), -1) {
				if !strings.Contains(envDoc, "`"+m[1]+"`") {
					t.Errorf("%s (%s) is not in docs/environment.md", m[1], path)
				}
			}
			return nil
		})
	}
	labelsDoc := repoFile(t, "docs/labels.md")
	for _, m := range regexp.MustCompile(`ID: "(SDK-[A-Z]+-[0-9]+)"`).FindAllStringSubmatch(repoFile(t, "suites/sdkclients/rows_test.go"), -1) {
		if !strings.Contains(labelsDoc, "| "+m[1]+" |") {
			t.Errorf("SDK row %s is not in docs/labels.md", m[1])
		}
	}
	schemaDoc := repoFile(t, "docs/report-json.md")
	for _, v := range []any{reports.RunReport{}, reports.RunSpec{}, reports.RunSummary{}, reports.RunPlan{}, reports.RunTarget{}, reports.DiffJSON{}, reports.ChangeJSON{}} {
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			if name != "" && !strings.Contains(schemaDoc, "`"+name+"`") {
				t.Errorf("%s.%s (json %q) is not in docs/report-json.md", rt.Name(), rt.Field(i).Name, name)
			}
		}
	}
	if !strings.Contains(schemaDoc, reports.RunSchema) || !strings.Contains(schemaDoc, reports.DiffSchema) {
		t.Errorf("docs/report-json.md does not name the schemas %s and %s", reports.RunSchema, reports.DiffSchema)
	}
}

var suiteTimeRE = regexp.MustCompile(`\(suite time [^,]+, summed over suites\)`)

// The README's summary example is what `make run` prints when every spec passes: a real run
// of every suite against the embedded emulator, with the skips it had here (no node, say)
// counted as passes, printed by the same code.
func TestReadmeSummaryExample(t *testing.T) {
	r := runProc(t, 10*time.Minute, childEnv(t), "run")
	if r.code != exitPass {
		t.Fatalf("make run's command failed: %s", r)
	}
	rep := r.report(t)
	for i := range rep.Suites {
		for j := range rep.Suites[i].Cases {
			rep.Suites[i].Cases[j].Skipped = nil
		}
	}
	var b strings.Builder
	_ = reports.Summarize(rep).Fprint(&b)
	lines := strings.SplitN(b.String(), "\n", 4)
	want := suiteTimeRE.ReplaceAllString(strings.Join(lines[:3], "\n"), "(suite time T)")
	got := suiteTimeRE.ReplaceAllString(fencedBlock(t, repoFile(t, "README.md"), "summary"), "(suite time T)")
	if got != want {
		t.Errorf("README summary example:\n%s\nan all-green run prints:\n%s", got, want)
	}
}
