package main

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/reports"
)

// verdicts lists a report's testcases as "suite binary / name: verdict", harness cases
// aside (suite names hold each embedded emulator's port).
func verdicts(s reports.Suites) map[string]string {
	out := map[string]string{}
	for _, su := range s.Suites {
		for _, c := range su.Cases {
			if bin := su.Property(reports.PropSuite); bin != "" {
				out[bin+" / "+c.Name] = c.Verdict()
			}
		}
	}
	return out
}

// TestShardsMergeToTheUnshardedRun runs the suites once whole and once as --shard 1/3, 2/3,
// 3/3 against the embedded emulator with a planted bug (so some specs fail), merges the
// shards, and checks the merged report holds the same testcases with the same verdicts, that
// every shard ran a part and diff finds no change; and that merge refuses a missing shard.
func TestShardsMergeToTheUnshardedRun(t *testing.T) {
	env := childEnv(t)
	base := []string{"run", "--suites", "conformance,properties", "--seed", "7", "--mutant", "notfound-wrong-status"}
	whole := runProc(t, 3*time.Minute, env, base...)
	if whole.code != exitFail {
		t.Fatalf("unsharded run with a planted bug: want exit %d\n%s", exitFail, whole)
	}
	want := verdicts(whole.report(t))
	var dirs []string
	for i := 1; i <= 3; i++ {
		sh := fmt.Sprintf("%d/3", i)
		r := runProc(t, 3*time.Minute, env, append(slices.Clone(base), "--shard", sh)...)
		if r.code != exitPass && r.code != exitFail {
			t.Fatalf("shard %s: %s", sh, r)
		}
		if !strings.Contains(r.stdout, "shard "+sh+": ") {
			t.Errorf("shard %s: the plan does not say which slice runs:\n%s", sh, r.stdout)
		}
		got := verdicts(r.report(t))
		if len(got) == 0 || len(got) >= len(want) {
			t.Errorf("shard %s ran %d of the %d specs: want a part", sh, len(got), len(want))
		}
		dirs = append(dirs, filepath.Dir(r.junit))
	}
	out := t.TempDir()
	m := runProc(t, time.Minute, env, append([]string{"merge", "--output-dir", out}, dirs...)...)
	if m.code != exitFail { // the planted bug fails specs in the merged run too
		t.Fatalf("merge: want exit %d\n%s", exitFail, m)
	}
	merged, err := reports.ReadFile(filepath.Join(out, junitFile))
	if err != nil {
		t.Fatal(err)
	}
	got := verdicts(merged)
	if !maps.Equal(got, want) {
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: merged %q, unsharded %q", k, got[k], v)
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("%s: in the merged report only", k)
			}
		}
	}
	if _, err := reports.ReadAny(filepath.Join(out, jsonFile)); err != nil {
		t.Errorf("merged %s: %v", jsonFile, err)
	}
	if d := runProc(t, time.Minute, env, "diff", "--strict", whole.junit, filepath.Join(out, junitFile)); d.code != exitPass {
		t.Errorf("diff of the unsharded and the merged report: %s", d)
	}
	if r := runProc(t, time.Minute, env, "merge", "--output-dir", t.TempDir(), dirs[0], dirs[1]); r.code != exitConfig || !strings.Contains(r.stderr, "3/3 is missing") {
		t.Errorf("merge without shard 3/3: %s", r)
	}
}
