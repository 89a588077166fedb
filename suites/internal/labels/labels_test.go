package labels_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/suites/internal/labels"
)

func TestFor(t *testing.T) {
	got := labels.For("RI-STATE-001", "RI-PROTO-005")
	for _, want := range []string{"RI-STATE-001", "RI-PROTO-005", "state", "area:state", "protocol", "area:protocol", labels.Disruptive} {
		if !slices.Contains(got, want) {
			t.Errorf("For(...) = %v, lacks %q", got, want)
		}
	}
	if slices.Contains(got, labels.NonDisruptive) {
		t.Errorf("For(...) = %v: both disruptive and non-disruptive", got)
	}
	if got := labels.For("RI-DRYRUN-001"); !slices.Contains(got, labels.NonDisruptive) {
		t.Errorf("For(RI-DRYRUN-001) = %v, want non-disruptive", got)
	}
	if got := labels.For("RI-NOPE-001"); !slices.Contains(got, "RI-NOPE-001") {
		t.Errorf("an unknown ID must stay visible to the coverage check: %v", got)
	}
}

func spec(text string, ls ...string) types.SpecReport {
	return types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: text, LeafNodeLabels: ls}
}

func TestCheckCoverage(t *testing.T) {
	cat := []contract.Behaviour{{ID: "RI-STATE-001"}, {ID: "RI-STATE-002"}}
	full := types.Report{SpecReports: []types.SpecReport{
		spec("a", "RI-STATE-001"), spec("b", "RI-STATE-002", "RI-STATE-001"), spec("meta", labels.Meta),
		{LeafNodeType: types.NodeTypeBeforeSuite},
	}}
	if err := labels.CheckCoverage(full, cat); err != nil {
		t.Fatalf("full coverage rejected: %v", err)
	}
	for name, tc := range map[string]struct {
		specs []types.SpecReport
		want  string
	}{
		"missing behaviour": {[]types.SpecReport{spec("a", "RI-STATE-001")}, "RI-STATE-002 has no spec"},
		"unknown behaviour": {[]types.SpecReport{spec("a", "RI-STATE-001", "RI-STATE-002", "RI-STATE-099")}, "unknown behaviour RI-STATE-099"},
		"unlabelled spec":   {[]types.SpecReport{spec("a", "RI-STATE-001", "RI-STATE-002"), spec("naked", "state")}, `"naked"`},
	} {
		err := labels.CheckCoverage(types.Report{SpecReports: tc.specs}, cat)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", name, err, tc.want)
		}
	}
}
