package reports

import (
	"cmp"
	"fmt"
	"slices"
)

// RunFacts are what a report records about its run, by fact name: the target, its planted
// bugs, the seed, the label filter and the harness version.
type RunFacts map[string]string

// runFactNames are the suite properties a diff compares, in the order it lists them.
var runFactNames = []string{PropTargetKind, PropTargetEndpoint, "target.mutants", PropSeed, "ginkgo.label_filter", PropHarnessVersion}

// FactsOf reads a report's run facts from its testsuites' properties (the first suite that
// records each wins; the harness's own suite records none).
func FactsOf(s Suites) RunFacts {
	f := RunFacts{}
	for _, name := range runFactNames {
		for _, su := range s.Suites {
			if v := su.Property(name); v != "" {
				f[name] = v
				break
			}
		}
	}
	return f
}

// Differs lists the facts whose values differ between f and g.
func (f RunFacts) Differs(g RunFacts) []string {
	var out []string
	for _, name := range runFactNames {
		if f[name] != g[name] {
			out = append(out, fmt.Sprintf("%s (%s -> %s)", name, cmp.Or(f[name], "unset"), cmp.Or(g[name], "unset")))
		}
	}
	return out
}

// String is the facts on one line.
func (f RunFacts) String() string {
	kind := cmp.Or(f[PropTargetKind], "unknown target")
	s := kind
	if ep := f[PropTargetEndpoint]; ep != "" {
		s += " " + ep
	}
	if m := f["target.mutants"]; m != "" {
		s += " (mutants " + m + ")"
	}
	return s + fmt.Sprintf(", seed %s, label filter %q, harness %s", cmp.Or(f[PropSeed], "?"), f["ginkgo.label_filter"], cmp.Or(f[PropHarnessVersion], "?"))
}

// DiffSchema names the version of `diff --json`'s layout.
const DiffSchema = "rebootconf.diff/v1"

// DiffJSON is `rebootconf diff --json`.
type DiffJSON struct {
	Schema  string         `json:"schema"`
	Before  RunFacts       `json:"baseline"`
	After   RunFacts       `json:"new"`
	Differs []string       `json:"differs"`
	Changes []ChangeJSON   `json:"changes"`
	Counts  map[string]int `json:"counts"` // by class
}

// ChangeJSON is one change with its class.
type ChangeJSON struct {
	Kind   string `json:"kind"`
	Key    string `json:"key"`
	Before string `json:"before"`
	After  string `json:"after"`
	Class  string `json:"class"`
}

// JSON lays the diff out for `diff --json`.
func (d Diff) JSON() DiffJSON {
	out := DiffJSON{Schema: DiffSchema, Before: d.Before, After: d.After, Differs: slices.Clip(d.Before.Differs(d.After)),
		Changes: []ChangeJSON{}, Counts: map[string]int{}}
	if out.Differs == nil {
		out.Differs = []string{}
	}
	for _, class := range diffClasses {
		out.Counts[class] = d.Count(class)
	}
	for _, c := range d.Changes {
		out.Changes = append(out.Changes, ChangeJSON{c.Kind, c.Key, c.Before, c.After, c.Class()})
	}
	return out
}
