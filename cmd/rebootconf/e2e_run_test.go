package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/emulator"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/reports"
)

// foreignWorld is what someone else's emulator holds: instances the run did not create, in
// several statuses, and look-alike IDs (prefixes, extensions, case variants of shapes the
// run's generators draw), one of them tagged by another run.
func foreignWorld() []control.Instance {
	return []control.Instance{
		{InstanceID: "i-bp1foreignrunning01", Status: "Running"},
		{InstanceID: "i-bp1foreignstopped01", Status: "Stopped"},
		{InstanceID: "I-BP1FOREIGNRUNNING01", Status: "Running"},
		{InstanceID: "i-bp1foreignrunning0", Status: "Running"},
		{InstanceID: "i-bp1foreignrunning011", Status: "Running"},
		{InstanceID: "i-0000000000000000000", Status: "Running"},
		{InstanceID: "i-000000000000000000000", Status: "Stopped"},
		{InstanceID: "i-aaaaaaaaaaaaaaaaaaa", Status: "Running"},
		{InstanceID: "i-bp1foreignlocked001", Status: "Running", LockReasons: []control.Lock{{LockReason: "security"}}},
		{InstanceID: "i-bp1othersrun0000001", Status: "Running", Tags: []control.Tag{{Key: target.RunTagKey, Value: "rcsomeoneelse"}}},
	}
}

func worldFile(t *testing.T, instances []control.Instance) string {
	return writeJSON(t, "world.json", emulator.World{Instances: instances})
}

// TestTwoProcessRunIsGreenAndTouchesNothingForeign runs every suite with `rebootconf run
// --endpoint` against `rebootconf serve` in another process whose world holds foreign
// instances, then audits the emulator's journal: every behaviour passes, and no mutating
// call ever named an instance the run did not create.
func TestTwoProcessRunIsGreenAndTouchesNothingForeign(t *testing.T) {
	foreign := foreignWorld()
	url, ctl, serveErr := serveProc(t, "--world", worldFile(t, foreign))
	tap := tapJournal(t, ctl)
	env := childEnv(t, testCreds...)
	r := runProc(t, 4*time.Minute, env, append([]string{"run", "--endpoint", url}, fastWaits...)...)
	calls := tap.Calls(t)
	if r.code != exitPass {
		t.Fatalf("two-process run: %s\nserve stderr: %s", r, serveErr)
	}
	rep := r.report(t)
	if rep.Failures != 0 || rep.Errors != 0 || rep.Tests < 100 {
		t.Fatalf("report: %d tests, %d failures, %d errors\n%s", rep.Tests, rep.Failures, rep.Errors, r)
	}
	// `make test` installs node and pop-core, and serve has the control API: nothing may skip,
	// or "every client passed" would be claimed for a client that never ran.
	for _, su := range rep.Suites {
		if su.Skipped != 0 && (popCoreInstalled() || !strings.Contains(r.stdout, "pop-core")) {
			t.Errorf("suite %s skipped %d specs against a full-featured serve:\n%s", su.Name, su.Skipped, r.stdout)
		}
	}
	planMatchesRun(t, r)
	for _, want := range []string{"PASS:", "calls: ", "refused by the safety guard", "target: endpoint " + url} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	checkStatsProperties(t, rep)
	validateXSD(t, r.junit)
	runID := r.runID(t)
	auditJournal(t, calls, tap, foreign, runID)
	checkForeignUntouched(t, ctl, foreign)
	checkNothingTagged(t, ctl, runID)
}

// checkStatsProperties: every suite in the report carries the pacing and safety figures.
func checkStatsProperties(t *testing.T, rep reports.Suites) {
	t.Helper()
	for _, su := range rep.Suites {
		if su.Name == "rebootconf" {
			continue
		}
		have := map[string]bool{}
		for _, p := range su.Properties {
			have[p.Name] = true
		}
		for _, name := range []string{"rebootconf.requests", "rebootconf.retries", "rebootconf.refused", "rebootconf.real-reboots"} {
			if !have[name] {
				t.Errorf("suite %q has no %s property", su.Name, name)
			}
		}
	}
}

// auditJournal fails the test on any problem auditCalls finds, and when the run did nothing
// the audit can judge.
func auditJournal(t *testing.T, calls []control.Call, tap *journalTap, foreign []control.Instance, runID string) {
	t.Helper()
	tap.mu.Lock()
	problems, applied, tagged := auditCalls(calls, tap.tags, foreign, runID)
	tap.mu.Unlock()
	for _, p := range problems {
		t.Error(p)
	}
	if applied == 0 || tagged == 0 {
		t.Fatalf("the audit saw %d applied mutating calls, %d on instances seen with their tags: the run did nothing the audit can judge", applied, tagged)
	}
	t.Logf("audited %d calls: %d applied mutating calls, %d on instances seen tagged %s=%s", len(calls), applied, tagged, target.RunTagKey, runID)
}

// auditCalls checks that no mutating call named a foreign instance (a DryRun that passed its
// checks is the only exception: it changes nothing), and that every mutating call that
// succeeded named an instance carrying this run's tag whenever its tags were seen.
func auditCalls(calls []control.Call, tags map[string]map[string]string, foreign []control.Instance, runID string) (problems []string, applied, tagged int) {
	isForeign := map[string]bool{}
	for _, in := range foreign {
		isForeign[in.InstanceID] = true
	}
	for _, c := range calls {
		if !mutating[c.Action] {
			continue
		}
		for _, id := range c.InstanceIDs {
			if isForeign[id] && c.Code != "DryRunOperation" {
				problems = append(problems, fmt.Sprintf("journal #%d: %s on foreign instance %q answered HTTP %d %q", c.Seq, c.Action, id, c.Status, c.Code))
			}
			if c.Code != "" || c.Status != 200 {
				continue
			}
			applied++
			if tg, seen := tags[id]; seen {
				tagged++
				if tg[target.RunTagKey] != runID {
					problems = append(problems, fmt.Sprintf("journal #%d: %s applied to %q, whose tags %v do not prove this run (%s) created it", c.Seq, c.Action, id, tg, runID))
				}
			}
		}
	}
	return problems, applied, tagged
}

// The audit has teeth: a reboot of a foreign instance, or of an instance without the run's
// tag, is reported; a passing DryRun on a foreign instance is not.
func TestAuditCallsCatchesForeignMutations(t *testing.T) {
	foreign := []control.Instance{{InstanceID: "i-foreign"}}
	tags := map[string]map[string]string{"i-mine": {target.RunTagKey: "rc1"}, "i-other": {target.RunTagKey: "rc2"}}
	calls := []control.Call{
		{Seq: 1, Action: "RebootInstance", InstanceIDs: []string{"i-foreign"}, Status: 400, Code: "DryRunOperation"},
		{Seq: 2, Action: "RebootInstance", InstanceIDs: []string{"i-mine"}, Status: 200},
		{Seq: 3, Action: "DescribeInstances", InstanceIDs: []string{"i-foreign"}, Status: 200},
	}
	if p, applied, tagged := auditCalls(calls, tags, foreign, "rc1"); len(p) != 0 || applied != 1 || tagged != 1 {
		t.Fatalf("clean journal: %v %d %d", p, applied, tagged)
	}
	bad := append(calls,
		control.Call{Seq: 4, Action: "StopInstance", InstanceIDs: []string{"i-foreign"}, Status: 403, Code: "IncorrectInstanceStatus"},
		control.Call{Seq: 5, Action: "RebootInstance", InstanceIDs: []string{"i-other"}, Status: 200})
	if p, _, _ := auditCalls(bad, tags, foreign, "rc1"); len(p) != 2 {
		t.Fatalf("want 2 problems, got %q", p)
	}
}

// checkForeignUntouched: every foreign instance is as the world file made it.
func checkForeignUntouched(t *testing.T, ctl *control.Client, foreign []control.Instance) {
	t.Helper()
	for _, want := range foreign {
		got, err := ctl.GetInstance(context.Background(), want.InstanceID)
		if err != nil {
			t.Errorf("foreign instance %s: %v", want.InstanceID, err)
			continue
		}
		if got.Status != want.Status || got.RebootCount != 0 || len(got.History) != 1 || len(got.Tags) != len(want.Tags) {
			t.Errorf("foreign instance %s was touched: status %s, %d reboots, history %+v, tags %v", want.InstanceID, got.Status, got.RebootCount, got.History, got.Tags)
		}
	}
}

// checkNothingTagged: the run left no instance behind.
func checkNothingTagged(t *testing.T, ctl *control.Client, runID string) {
	t.Helper()
	ins, err := ctl.ListInstances(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range ins {
		for _, tg := range in.Tags {
			if tg.Key == target.RunTagKey && tg.Value == runID {
				t.Errorf("instance %s tagged with run %s outlived the run (status %s)", in.InstanceID, runID, in.Status)
			}
		}
	}
}
