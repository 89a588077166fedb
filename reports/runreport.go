package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RunSchema names the version of the report.json layout (docs/report-json.md). A change
// that removes or renames a field bumps it; new fields do not.
const RunSchema = "rebootconf.run/v1"

// PropSuite is the suite property naming the suite binary a testsuite came from
// (conformance, properties, sdkclients), set by `rebootconf run`.
const PropSuite = "rebootconf.suite"

// RunTarget is what a run pointed at.
type RunTarget struct {
	Kind        string   `json:"kind"` // embedded, endpoint, cloud
	Endpoint    string   `json:"endpoint,omitempty"`
	Description string   `json:"description"`
	Mutants     []string `json:"mutants,omitempty"` // planted bugs: a teeth run, no conformance claim
}

// RunMeta is what a run knows besides its JUnit report.
type RunMeta struct {
	Target      RunTarget
	RunID       string
	Seed        int64
	LabelFilter string
	Suites      []string
	PlanSpecs   map[string]int // specs the plan selected, by suite
	Estimate    time.Duration
	Started     time.Time
	Wall        time.Duration
	Interrupted bool
	// Reproduce returns the command that re-runs just one case against the same target,
	// or "" when none can (a harness problem outside any spec).
	Reproduce func(su Suite, c Case) string
}

// RunReport is report.json: one run, every spec with its verdict, and the summary.
type RunReport struct {
	Schema         string            `json:"schema"`
	HarnessVersion string            `json:"harness_version"`
	Target         RunTarget         `json:"target"`
	RunID          string            `json:"run_id"`
	Seed           int64             `json:"seed"`
	LabelFilter    string            `json:"label_filter"`
	Suites         []string          `json:"suites"`
	Plan           RunPlan           `json:"plan"`
	Started        string            `json:"started"` // RFC 3339, UTC
	WallSeconds    float64           `json:"wall_seconds"`
	Verdict        string            `json:"verdict"` // pass, fail, interrupted
	Summary        RunSummary        `json:"summary"`
	Behaviours     map[string]string `json:"behaviours"` // ID -> worst verdict of its specs
	Specs          []RunSpec         `json:"specs"`
}

// RunPlan is what the plan selected before anything ran.
type RunPlan struct {
	Specs           map[string]int `json:"specs"`
	EstimateSeconds float64        `json:"estimate_seconds"`
}

// RunSummary counts specs by verdict; suite_seconds is summed over suites (they may run at once).
type RunSummary struct {
	Tests        int     `json:"tests"`
	Passed       int     `json:"passed"`
	Failed       int     `json:"failed"`
	Errors       int     `json:"errors"`
	Skipped      int     `json:"skipped"`
	Unfinished   int     `json:"unfinished"`
	SuiteSeconds float64 `json:"suite_seconds"`
}

// RunSpec is one testcase.
type RunSpec struct {
	Suite      string   `json:"suite"`
	Name       string   `json:"name"`
	Classname  string   `json:"classname,omitempty"`
	Area       string   `json:"area,omitempty"`
	Behaviours []string `json:"behaviours"`
	Client     string   `json:"client"`  // the SDK client ("legacy", "tea-acs3" ...), else the suite's clients ("raw+legacy" ...)
	Verdict    string   `json:"verdict"` // passed, failed, error, skipped, interrupted
	Reason     string   `json:"reason,omitempty"`
	Reproduce  string   `json:"reproduce,omitempty"`
	Seconds    float64  `json:"seconds"`
	Details    string   `json:"details,omitempty"` // failure body and the spec's output, for failures only
}

// BuildRunReport lays a merged JUnit report and the run's facts out as report.json.
func BuildRunReport(s Suites, m RunMeta) RunReport {
	sum := Summarize(s)
	m.Target.Endpoint = RedactSecrets(redactEndpoint(m.Target.Endpoint))
	r := RunReport{
		Schema: RunSchema, HarnessVersion: HarnessVersion, Target: m.Target, RunID: m.RunID, Seed: m.Seed,
		LabelFilter: m.LabelFilter, Suites: m.Suites,
		Plan:    RunPlan{Specs: m.PlanSpecs, EstimateSeconds: m.Estimate.Seconds()},
		Started: m.Started.UTC().Format(time.RFC3339), WallSeconds: m.Wall.Seconds(),
		Summary: RunSummary{Tests: sum.Tests, Passed: sum.Passed, Failed: sum.Failed, Errors: sum.Errors,
			Skipped: sum.Skipped, Unfinished: sum.Interrupted, SuiteSeconds: sum.Time.Seconds()},
		Behaviours: behaviourVerdicts(s),
		Specs:      []RunSpec{},
	}
	switch {
	case m.Interrupted || sum.WasInterrupted():
		r.Verdict = "interrupted"
	case !sum.OK():
		r.Verdict = "fail"
	default:
		r.Verdict = "pass"
	}
	for _, su := range s.Suites {
		for _, c := range su.Cases {
			rs := RunSpec{Suite: su.Name, Name: c.Name, Classname: c.Classname, Area: c.Area(),
				Behaviours: c.Behaviours(), Client: clientOf(su, c), Verdict: c.Verdict(), Seconds: float64(c.Time)}
			if rs.Behaviours == nil {
				rs.Behaviours = []string{}
			}
			if res := firstResult(c); res != nil {
				rs.Reason = oneLine(firstNonEmpty(res.Message, res.Text))
			}
			if bad := rs.Verdict == "failed" || rs.Verdict == "error"; bad {
				rs.Details = failureDetails(c)
				if m.Reproduce != nil {
					rs.Reproduce = m.Reproduce(su, c)
				}
			}
			r.Specs = append(r.Specs, rs)
		}
	}
	return r
}

// suiteClients names the clients each suite checks through when a case names none.
var suiteClients = map[string]string{"conformance": "raw+legacy", "properties": "raw", "sdkclients": "sdk"}

// clientOf is the matrix column of a case: its SDK client, else its suite's clients.
func clientOf(su Suite, c Case) string {
	if cl := c.Client(); cl != "" {
		return cl
	}
	bin := su.Property(PropSuite)
	if cl, ok := suiteClients[bin]; ok {
		return cl
	}
	return firstNonEmpty(bin, "harness")
}

func firstResult(c Case) *Result {
	for _, r := range []*Result{c.Error, c.Failure, c.Skipped} {
		if r != nil {
			return r
		}
	}
	return nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// failureDetails is the failure body followed by the spec's output (its report entries
// hold the HTTP transcripts).
func failureDetails(c Case) string {
	var b bytes.Buffer
	if r := firstResult(c); r != nil {
		b.WriteString(r.Text)
	}
	if c.SystemOut != "" {
		fmt.Fprintf(&b, "\n\n%s", c.SystemOut)
	}
	return RedactSecrets(b.String())
}

// SortedBehaviours lists the report's behaviour IDs in order.
func (r RunReport) SortedBehaviours() []string { return slices.Sorted(maps.Keys(r.Behaviours)) }

// WriteJSON writes v as indented JSON to path through a temporary file and a rename, so a
// reader never sees half a report.
func WriteJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(path, append(data, '\n'))
}

// writeAtomic writes data to path through a temporary file in the same directory.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("reports: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	return nil
}

// ReadRunReport reads a report.json, refusing another schema.
func ReadRunReport(path string) (RunReport, error) {
	var r RunReport
	data, err := os.ReadFile(path)
	if err != nil {
		return r, fmt.Errorf("reports: %w", err)
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("reports: %s: %w", path, err)
	}
	if r.Schema != RunSchema {
		return r, fmt.Errorf("reports: %s: schema %q, want %q", path, r.Schema, RunSchema)
	}
	return r, nil
}

// ToSuites turns a report.json back into testsuites (verdicts, behaviours and run facts; not
// the transcripts), so diff compares a JSON report like a JUnit one.
func (r RunReport) ToSuites() Suites {
	var out Suites
	index := map[string]int{}
	props := []Property{{PropTargetKind, r.Target.Kind}, {PropTargetEndpoint, r.Target.Endpoint},
		{"target.mutants", strings.Join(r.Target.Mutants, ",")}, {PropSeed, strconv.FormatInt(r.Seed, 10)},
		{"ginkgo.label_filter", r.LabelFilter}, {PropHarnessVersion, r.HarnessVersion}}
	for _, s := range r.Specs {
		i, ok := index[s.Suite]
		if !ok {
			i = len(out.Suites)
			index[s.Suite] = i
			out.Suites = append(out.Suites, Suite{Name: s.Suite, Properties: props})
		}
		c := Case{Name: s.Name, Classname: s.Classname, Time: Seconds(s.Seconds),
			SystemOut: composeOut([]kv{{metaBehaviours, strings.Join(s.Behaviours, ",")}, {metaArea, s.Area}}, nil)}
		res := &Result{Type: s.Verdict, Message: s.Reason}
		switch s.Verdict {
		case "failed":
			c.Failure = res
		case "error", TypeInterrupted:
			c.Error = res
		case "skipped":
			c.Skipped = res
		}
		out.Suites[i].Cases = append(out.Suites[i].Cases, c)
	}
	out.recount()
	return out
}

// ReadAny reads a run's report: report.json (by its content) or a JUnit file.
func ReadAny(path string) (Suites, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Suites{}, fmt.Errorf("reports: %w", err)
	}
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		r, err := ReadRunReport(path)
		if err != nil {
			return Suites{}, err
		}
		return r.ToSuites(), nil
	}
	return ReadFile(path)
}
