// Package labels turns catalogue behaviour IDs into Ginkgo labels and checks,
// from a PreviewSpecs report, that the suite covers the catalogue exactly.
package labels

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/rebootconf/rebootconf/fixtures/contract"
)

// Label values besides IDs and areas.
const (
	Disruptive    = "disruptive"
	NonDisruptive = "non-disruptive"
	// Meta marks specs about the suite itself (catalogue coverage); they
	// name no behaviour.
	Meta = "meta"
)

// AreaPrefix marks the area label the JUnit writer reads ("area:state");
// the bare area ("state") is added too, for --label-filter=state.
const AreaPrefix = "area:"

// For labels a spec with its behaviour IDs, their areas (bare and
// "area:"-prefixed), and disruptive or non-disruptive (disruptive when any
// ID really reboots). Unknown IDs are kept so the coverage check reports
// them.
func For(ids ...string) ginkgo.Labels {
	out := ginkgo.Labels{}
	disruptive := false
	for _, id := range ids {
		out = append(out, id)
		if b, ok := contract.Lookup(id); ok {
			out = append(out, string(b.Area), AreaPrefix+string(b.Area))
			disruptive = disruptive || b.Disruptive
		}
	}
	if disruptive {
		out = append(out, Disruptive)
	} else {
		out = append(out, NonDisruptive)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// IDs returns the behaviour-ID labels among labels.
func IDs(labels []string) []string {
	var out []string
	for _, l := range labels {
		if strings.HasPrefix(l, "RI-") {
			out = append(out, l)
		}
	}
	return out
}

// CheckCoverage fails when a catalogue behaviour has no spec, a spec names an
// unknown behaviour, or a spec carries no behaviour at all.
func CheckCoverage(r types.Report, catalogue []contract.Behaviour) error {
	known := map[string]bool{}
	for _, b := range catalogue {
		known[b.ID] = true
	}
	covered := map[string]bool{}
	var errs []error
	for _, s := range r.SpecReports {
		if s.LeafNodeType != types.NodeTypeIt || slices.Contains(s.Labels(), Meta) {
			continue
		}
		ids := IDs(s.Labels())
		if len(ids) == 0 {
			errs = append(errs, fmt.Errorf("spec %q (%s) names no behaviour", s.FullText(), s.LeafNodeLocation))
		}
		for _, id := range ids {
			if !known[id] {
				errs = append(errs, fmt.Errorf("spec %q (%s) names unknown behaviour %s", s.FullText(), s.LeafNodeLocation, id))
			}
			covered[id] = true
		}
	}
	for _, b := range catalogue {
		if !covered[b.ID] {
			errs = append(errs, fmt.Errorf("behaviour %s has no spec: %s", b.ID, b.Statement))
		}
	}
	return errors.Join(errs...)
}
