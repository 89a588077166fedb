package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/rebootconf/rebootconf/fixtures/contract"
)

// fakeSuite writes a "suite binary" (a shell script) whose dry run reports one It per label set.
func fakeSuite(t *testing.T, name string, labelSets ...[]string) string {
	t.Helper()
	var specs []types.SpecReport
	for i, ls := range labelSets {
		specs = append(specs, types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: "spec " + string(rune('a'+i)), LeafNodeLabels: ls})
	}
	data, err := json.Marshal([]types.Report{{SuiteDescription: name, SpecReports: specs}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "report.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in -ginkgo.json-report=*) cp '" + filepath.Join(dir, "report.json") + "' \"${a#-ginkgo.json-report=}\";; esac; done\n"
	if err := os.WriteFile(filepath.Join(dir, name+".test"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// list fails on an uncovered behaviour and on a label that names no behaviour (a typo in a
// label would otherwise count for nothing, silently).
func TestListCoverageAndUnknownLabels(t *testing.T) {
	var all []string
	for _, b := range contract.Catalogue() {
		all = append(all, b.ID)
	}
	for _, r := range []struct {
		id     string
		labels [][]string
		code   int
		stderr string
	}{
		{"every behaviour covered", [][]string{all}, exitPass, ""},
		{"one uncovered", [][]string{all[1:]}, exitFail, ""},
		{"a typo'd label", [][]string{all, {"RI-STATE-999"}}, exitFail, "RI-STATE-999"},
	} {
		dir := fakeSuite(t, "fake", r.labels...)
		var out, errOut strings.Builder
		code := dispatch([]string{"list", "--suites-dir", dir, "--suites", "fake"}, &out, &errOut)
		if code != r.code || !strings.Contains(errOut.String(), r.stderr) {
			t.Errorf("%s: exit %d, want %d; stderr %q\n%s", r.id, code, r.code, errOut.String(), out.String())
		}
	}
}
