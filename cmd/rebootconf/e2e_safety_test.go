package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

// Fixtures create keys that override what the harness sets (the run tag, the region, the
// amount, deletion protection...) stop the run at preflight with one line and exit 2, before
// any call that could create or change anything; on a target without the control API, where
// RunInstances would use them, and with it.
func TestOverridingCreateKeysStopAtPreflight(t *testing.T) {
	foreign := foreignWorld()
	withControl, ctl, _ := serveProc(t, "--world", worldFile(t, foreign))
	noControl, _, serveLog := serveProc(t, "--no-control", "--verbose", "--world", worldFile(t, foreign))
	tap := tapJournal(t, ctl)
	env := childEnv(t, testCreds...)
	rows := []struct{ name, create, key string }{
		{"another run tag", `{"Tag.1.Value":"someoneelse"}`, "Tag.1.Value"},
		{"another region", `{"RegionId":"cn-beijing"}`, "RegionId"},
		{"many instances", `{"amount":"5"}`, "amount"},
		{"deletion protection", `{"DeletionProtection":"true"}`, "DeletionProtection"},
		{"prepaid", `{"InstanceChargeType":"PrePaid"}`, "InstanceChargeType"},
		{"fixed client token", `{"ClientToken":"abc"}`, "ClientToken"},
	}
	for _, row := range rows {
		for name, endpoint := range map[string]string{"control API": withControl, "ECS API only": noControl} {
			t.Run(row.name+"/"+name, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "fixtures.json")
				body := `{"create":` + strings.Replace(row.create, "{", `{"ImageId":"m-1",`, 1) + `}`
				if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
				r := runProc(t, time.Minute, env, "run", "--endpoint", endpoint, "--fixtures", path, "--suites", "conformance")
				if r.code != exitConfig || !strings.Contains(r.stderr, "create."+row.key+" is refused") || r.elapsed > 15*time.Second {
					t.Fatalf("want exit 2 refusing create.%s within 15s, got %s", row.key, r)
				}
				if strings.Contains(r.stdout, "== suite") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
					t.Fatalf("want one error line and no suite started:\n%s", r)
				}
			})
		}
	}
	for _, c := range tap.Calls(t) {
		if !reads[c.Action] {
			t.Errorf("journal #%d: %s %v sent although every run stopped at preflight", c.Seq, c.Action, c.InstanceIDs)
		}
	}
	for _, line := range strings.Split(serveLog.String(), "\n") {
		if strings.Contains(line, `msg="ecs call"`) && !strings.Contains(line, "action=Describe") {
			t.Errorf("serve --no-control saw a call other than a read: %s", line)
		}
	}
	checkForeignUntouched(t, ctl, foreign)
}

// preTagged is someone else's instance that already carries the run tag of the run about to
// start (a reused --run-id): the run did not create it, so it must survive untouched.
func preTagged(runID string) control.Instance {
	return control.Instance{InstanceID: "i-bp1pretagged000001", Status: "Running", Tags: []control.Tag{{Key: target.RunTagKey, Value: runID}}}
}

// A reused run id: `run --run-id X` against a serve (a separate process, its call journal
// audited) that already holds an instance tagged rebootconf-run=X. The final leak check names
// it as not created by this run and leaves it alone (it used to delete it as a straggler).
func TestReusedRunIDLeavesPreTaggedInstanceAlone(t *testing.T) {
	const runID = "rcreused1"
	foreign := append(foreignWorld(), preTagged(runID))
	url, ctl, serveErr := serveProc(t, "--world", worldFile(t, foreign))
	tap := tapJournal(t, ctl)
	r := runProc(t, 4*time.Minute, childEnv(t, testCreds...), append([]string{"run", "--endpoint", url, "--run-id", runID, "--suites", "conformance"}, fastWaits...)...)
	calls := tap.Calls(t)
	if r.code != exitPass {
		t.Fatalf("run with a reused run id: %s\nserve stderr: %s", r, serveErr)
	}
	for _, want := range []string{"cleanup: every instance this run created", "were not created by this run and were left alone: " + preTagged(runID).InstanceID} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	auditJournal(t, calls, tap, foreign, runID)
	checkForeignUntouched(t, ctl, foreign)
	checkOnlyForeignTagged(t, ctl, runID, preTagged(runID).InstanceID)
}

// The same without the control API: the harness created its instances with RunInstances and
// deletes them with DeleteInstance; the serve log shows no mutating call on the pre-tagged one.
func TestReusedRunIDWithoutControlAPI(t *testing.T) {
	const runID = "rcreused2"
	pre := preTagged(runID)
	endpoint, _, serveLog := serveProc(t, "--no-control", "--verbose", "--world", worldFile(t, append(foreignWorld(), pre)))
	r := runProc(t, 4*time.Minute, childEnv(t, testCreds...), append([]string{"run", "--endpoint", endpoint, "--run-id", runID, "--suites", "conformance"}, fastWaits...)...)
	if r.code != exitPass || !strings.Contains(r.stdout, "left alone: "+pre.InstanceID) {
		t.Fatalf("run with a reused run id, no control API: %s", r)
	}
	created := 0
	for _, c := range parseServeLog(t, serveLog.String()) {
		if c.Action == "RunInstances" && c.Status == 200 {
			created++
		}
		if mutating[c.Action] && slices.Contains(c.InstanceIDs, pre.InstanceID) && c.Code != "DryRunOperation" {
			t.Errorf("%s sent for the pre-tagged instance (HTTP %d %s)", c.Action, c.Status, c.Code)
		}
	}
	if created == 0 {
		t.Fatal("no RunInstances in the serve log: the run created nothing, so the leak check judged nothing")
	}
	if left := taggedViaECS(t, endpoint, runID); len(left) != 1 || left[0].ID != pre.InstanceID || left[0].Status != "Running" {
		t.Fatalf("instances tagged %s after the run: %v, want only the pre-tagged one, Running", runID, left)
	}
}

// checkOnlyForeignTagged: the only instance left with the run's tag is the foreign one.
func checkOnlyForeignTagged(t *testing.T, ctl *control.Client, runID, foreignID string) {
	t.Helper()
	ins, err := ctl.ListInstances(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range ins {
		for _, tg := range in.Tags {
			if tg.Key == target.RunTagKey && tg.Value == runID && in.InstanceID != foreignID {
				t.Errorf("instance %s tagged with run %s outlived the run (status %s)", in.InstanceID, runID, in.Status)
			}
		}
	}
}
