package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/vocab"
)

// listCmd prints the behaviour catalogue with the specs that cover each behaviour, read from
// the suite binaries themselves (a Ginkgo dry run: nothing is sent anywhere).
func listCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("list", "[flags]")
	suitesDir := fs.String("suites-dir", "", "directory with prebuilt suite binaries (default: bin/suites next to this binary)")
	suites := fs.String("suites", "conformance,properties,sdkclients", "suites to read coverage from")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if _, err := parseCommandLine(fs, args, 0, stdout, stderr); err != nil {
		return parseFailure(err)
	}
	bins, err := locateSuites(runConfig{suitesDir: *suitesDir, suites: splitList(*suites)})
	if err != nil {
		fmt.Fprintf(stderr, "rebootconf list: %v\n", err)
		return exitConfig
	}
	covered := map[string][]string{} // behaviour ID → spec texts
	sdkRows := map[string][]string{} // SDK row ID → the clients whose specs check it
	var unknown []string             // behaviour-shaped labels the catalogue does not know
	for _, b := range bins {
		specs, err := dryRunSpecs(b)
		if err != nil {
			fmt.Fprintf(stderr, "rebootconf list: %s: %v\n", b.name, err)
			return exitFail
		}
		for _, s := range specs {
			for _, l := range s.Labels() {
				if _, ok := contract.Lookup(l); ok {
					covered[l] = append(covered[l], b.name+": "+s.FullText())
				} else if vocab.IsSDKRowID(l) {
					sdkRows[l] = append(sdkRows[l], sdkClient(s.Labels()))
				} else if strings.HasPrefix(l, vocab.BehaviourPrefix) {
					unknown = append(unknown, fmt.Sprintf("%s (%s: %s)", l, b.name, s.FullText()))
				}
			}
		}
	}
	type row struct {
		ID, Area, Level, Statement, Source string
		Disruptive                         bool
		Specs                              []string
	}
	var rows []row
	uncovered := 0
	for _, b := range contract.Catalogue() {
		rows = append(rows, row{b.ID, string(b.Area), string(b.Level), b.Statement, b.Source, b.Disruptive, covered[b.ID]})
		if len(covered[b.ID]) == 0 {
			uncovered++
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rows)
	} else {
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tAREA\tDISRUPTIVE\tSPECS\tSTATEMENT")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%v\t%d\t%s\n", r.ID, r.Area, r.Disruptive, len(r.Specs), clipText(r.Statement, 90))
		}
		_ = tw.Flush()
		fmt.Fprintf(stdout, "\n%d behaviours, %d covered by at least one spec, %d uncovered\n", len(rows), len(rows)-uncovered, uncovered)
		printSDKRows(stdout, sdkRows)
	}
	if len(unknown) > 0 {
		fmt.Fprintf(stderr, "rebootconf list: %d spec labels name no catalogue behaviour (a typo counts nothing):\n  %s\n", len(unknown), strings.Join(unknown, "\n  "))
		return exitFail
	}
	if uncovered > 0 {
		return exitFail
	}
	return exitPass
}

// sdkClient is the client a spec's "sdk:<client>" label names, or "".
func sdkClient(labels []string) string {
	for _, l := range labels {
		if c, ok := strings.CutPrefix(l, "sdk:"); ok {
			return c
		}
	}
	return ""
}

// printSDKRows lists the SDK rows with the clients that check each (docs/labels.md).
func printSDKRows(w io.Writer, rows map[string][]string) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "\nSDK rows (how each SDK client surfaces the contract; see docs/labels.md):\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSPECS\tCLIENTS")
	for _, id := range slices.Sorted(maps.Keys(rows)) {
		clients := slices.Compact(slices.Sorted(slices.Values(rows[id])))
		fmt.Fprintf(tw, "%s\t%d\t%s\n", id, len(rows[id]), strings.Join(clients, " "))
	}
	_ = tw.Flush()
}

// dryRunSpecs asks a suite binary for its spec tree without running anything.
// dryRunSpecs lists b's specs with a Ginkgo dry run; extraEnv (the --client testees, whose
// rows exist only once their hello is read) shapes the tree.
func dryRunSpecs(b suiteBinary, extraEnv ...string) ([]types.SpecReport, error) {
	dir, err := os.MkdirTemp("", "rebootconf-list-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	report := filepath.Join(dir, "report.json")
	cmd := exec.Command(b.path, "-ginkgo.dry-run", "-ginkgo.json-report="+report, "-ginkgo.no-color")
	cmd.Dir = filepath.Dir(b.path)
	// A dry run must not need a target: keep it away from any configured endpoint.
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "REBOOTCONF_") })
	cmd.Env = append(cmd.Env, "REBOOTCONF_JUNIT="+filepath.Join(dir, "junit.xml"))
	cmd.Env = append(cmd.Env, extraEnv...)
	if out, err := cmd.CombinedOutput(); err != nil {
		if _, statErr := os.Stat(report); statErr != nil {
			return nil, fmt.Errorf("dry run failed: %v\n%s", err, clipText(string(out), 2000))
		}
	}
	data, err := os.ReadFile(report)
	if err != nil {
		return nil, err
	}
	var reps []types.Report
	if err := json.Unmarshal(data, &reps); err != nil {
		return nil, fmt.Errorf("reading dry-run report: %v", err)
	}
	var specs []types.SpecReport
	for _, r := range reps {
		for _, s := range r.SpecReports {
			if s.LeafNodeType == types.NodeTypeIt {
				specs = append(specs, s)
			}
		}
	}
	return specs, nil
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
