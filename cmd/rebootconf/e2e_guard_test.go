package main

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/reports"
)

// A fixtures file that is wrong about the target stops the run at preflight with one clear
// error (exit 2), before any mutating call.
func TestMisconfiguredFixturesStopAtPreflight(t *testing.T) {
	foreign := foreignWorld()
	url, ctl, _ := serveProc(t, "--world", worldFile(t, foreign))
	env := childEnv(t, testCreds...)
	rows := []struct{ name, body, want string }{
		{"claims a status it does not have", `{"instances":[{"id":"i-bp1foreignrunning01","status":"Stopped"}]}`, "i-bp1foreignrunning01 is Running, not Stopped"},
		{"claims a lock it does not have", `{"instances":[{"id":"i-bp1foreignrunning01","status":"Running","lockReasons":["security"]}]}`, "i-bp1foreignrunning01 has operation locks [], not [security]"},
		{"hides a lock it has", `{"instances":[{"id":"i-bp1foreignlocked001","status":"Running"}]}`, "i-bp1foreignlocked001 has operation locks [security], not []"},
		{"lists an absent id", `{"instances":[{"id":"i-bp1nosuchinstance01","status":"Running","rebootable":true}]}`, "i-bp1nosuchinstance01 is listed but DescribeInstances does not find it"},
		{"is malformed", `{"instances":[{"id":"i-bp1foreignrunning01",`, "fixtures file"},
		{"names an unknown lock", `{"instances":[{"id":"i-bp1foreignrunning01","status":"Running","lockReasons":["frozen"]}]}`, `lock reason "frozen"`},
	}
	tap := tapJournal(t, ctl)
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "fixtures.json")
			if err := os.WriteFile(path, []byte(row.body), 0o600); err != nil {
				t.Fatal(err)
			}
			r := runProc(t, time.Minute, env, "run", "--endpoint", url, "--fixtures", path, "--suites", "conformance")
			if r.code != exitConfig || !strings.Contains(r.stderr, row.want) || r.elapsed > 15*time.Second {
				t.Fatalf("want exit 2 naming %q within 15s, got %s", row.want, r)
			}
			if strings.Contains(r.stdout, "== suite") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
				t.Fatalf("want one error line and no suite started:\n%s", r)
			}
		})
	}
	for _, c := range tap.Calls(t) {
		if !reads[c.Action] {
			t.Errorf("journal #%d: %s %v sent although every run stopped at preflight", c.Seq, c.Action, c.InstanceIDs)
		}
	}
	checkForeignUntouched(t, ctl, foreign)
}

// Against an emulator without the control API the harness provisions through RunInstances,
// takes conditions from the fixtures file and skips the rest with reasons. A lent instance is
// really rebooted only when the target must refuse it (it is locked) or the file says it is
// rebootable. One lent instance here claims a disk error it does not have (a condition no
// read can see): its DryRun spec fails saying so, its real reboot is refused and skipped,
// and it is never rebooted.
func TestNoControlEndpointWithFixtures(t *testing.T) {
	foreign := foreignWorld()
	lentDisk := control.Instance{InstanceID: "i-bp1lentdiskerror01", Status: "Running"} // no real disk error
	world := append(foreignWorld(), lentDisk)
	endpoint, _, serveLog := serveProc(t, "--no-control", "--verbose", "--world", worldFile(t, world))
	fixtures := writeJSON(t, "fixtures.json", target.Pool{Instances: []target.PoolInstance{
		{ID: "i-bp1foreignlocked001", Status: "Running", LockReasons: []string{"security"}},
		{ID: lentDisk.InstanceID, Status: "Running", Conditions: []string{"disk-error"}},
	}})
	env := childEnv(t, testCreds...)
	r := runProc(t, 3*time.Minute, env, append([]string{"run", "--endpoint", endpoint, "--fixtures", fixtures, "--suites", "conformance"}, fastWaits...)...)
	if r.code != exitFail {
		t.Fatalf("want exit 1 (the lie about the disk error is a failure), got %s", r)
	}
	for _, want := range []string{"no control API", "fixtures file checked against the target"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	rep := r.report(t)
	for _, f := range failures(rep) {
		if !strings.Contains(f, "RI-DRYRUN-007") || !strings.Contains(f, lentDisk.InstanceID) || !strings.Contains(f, "DiskError") {
			t.Errorf("unexpected failure (only the DryRun of the lent disk-error instance may fail, naming it and DiskError):\n%s", f)
		}
	}
	skips := skipMessages(rep)
	for _, want := range []string{lentDisk.InstanceID + " is Running without an operation lock", `"rebootable": true`} {
		if !strings.Contains(skips, want) {
			t.Errorf("no skip says %q; skips:\n%s", want, skips)
		}
	}
	// No target needs a control API for a Stopping instance: the spec stops one itself.
	if !passed(rep, "RI-STATE-007") {
		t.Errorf("RI-STATE-007 did not pass: StopInstance on a created instance makes the Stopping it needs")
	}
	if !passed(rep, "RI-ERR-003") || !passed(rep, "RI-DRYRUN-005") {
		t.Errorf("the security-lock behaviours did not pass on the lent locked instance")
	}
	calls := parseServeLog(t, serveLog.String())
	created := 0
	isForeign := map[string]bool{lentDisk.InstanceID: true}
	for _, in := range foreign {
		isForeign[in.InstanceID] = true
	}
	for _, c := range calls {
		if c.Action == "RunInstances" && c.Status == 200 {
			created++
		}
		if !mutating[c.Action] {
			continue
		}
		for _, id := range c.InstanceIDs {
			// A lent, locked instance may be sent a real reboot: the target refuses it (403).
			if isForeign[id] && (c.Status == 200 || c.Code == "") {
				t.Errorf("%s was applied to foreign instance %s", c.Action, id)
			}
		}
	}
	if created == 0 {
		t.Fatalf("no RunInstances in the serve log: the harness did not provision through the ECS API")
	}
	checkNoneTaggedViaAPI(t, endpoint, r.runID(t))
}

// loggedCall is one line of `serve --verbose`.
type loggedCall struct {
	Action      string
	InstanceIDs []string
	Status      int
	Code        string
}

var logLine = regexp.MustCompile(`msg="ecs call" action=(\S+) instanceIds="?\[([^\]]*)\]"? status=(\d+) code=("[^"]*"|\S*)`)

func parseServeLog(t *testing.T, log string) []loggedCall {
	t.Helper()
	var out []loggedCall
	for _, line := range strings.Split(log, "\n") {
		m := logLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		c := loggedCall{Action: m[1], InstanceIDs: strings.Fields(m[2]), Code: strings.Trim(m[4], `"`)}
		_ = json.Unmarshal([]byte(m[3]), &c.Status)
		out = append(out, c)
	}
	if len(out) == 0 {
		t.Fatalf("serve --verbose logged no calls:\n%s", log)
	}
	return out
}

// checkNoneTaggedViaAPI asks the ECS API (no control API needed) for instances of the run.
func checkNoneTaggedViaAPI(t *testing.T, endpoint, runID string) {
	t.Helper()
	c := &protocol.Client{Endpoint: endpoint, Credentials: protocol.Credentials{AccessKeyID: "testid", AccessKeySecret: "testsecret"}}
	ex, err := c.Do(context.Background(), protocol.Call{Action: "DescribeInstances", Params: url.Values{
		"RegionId": {"cn-hangzhou"}, "Tag.1.Key": {target.RunTagKey}, "Tag.1.Value": {runID}}})
	if err != nil || ex.Response.IsError() {
		t.Fatalf("DescribeInstances by tag: %v %+v", err, ex.Response)
	}
	if n, _ := ex.Response.Fields["TotalCount"].(float64); n != 0 {
		t.Fatalf("%v instance(s) tagged %s=%s outlived the run: %s", n, target.RunTagKey, runID, ex.Response.Body)
	}
}

// failures renders each failed case as its name, message and text.
func failures(rep reports.Suites) []string {
	var out []string
	for _, su := range rep.Suites {
		for _, c := range su.Cases {
			for _, res := range []*reports.Result{c.Failure, c.Error} {
				if res != nil {
					out = append(out, c.Name+": "+res.Message+"\n"+res.Text)
				}
			}
		}
	}
	return out
}

func skipMessages(rep reports.Suites) string {
	var b strings.Builder
	for _, su := range rep.Suites {
		for _, c := range su.Cases {
			if c.Skipped != nil {
				b.WriteString(c.Name + ": " + c.Skipped.Message + "\n")
			}
		}
	}
	return b.String()
}

// passed reports whether some case labelled with behaviour id passed.
func passed(rep reports.Suites, id string) bool {
	for _, su := range rep.Suites {
		for _, c := range su.Cases {
			for _, b := range c.Behaviours() {
				if b == id && c.Status() == "passed" {
					return true
				}
			}
		}
	}
	return false
}
