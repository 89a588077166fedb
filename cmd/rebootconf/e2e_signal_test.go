package main

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/emulator"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/reports"
)

// SIGINT or SIGTERM in the middle of a run (reboots take 25 s on the realistic profile, so
// specs are waiting) stops it promptly, still writes the JUnit report, and deletes every
// instance the run created.
func TestInterruptCleansUpAndReports(t *testing.T) {
	url, ctl, _ := serveProc(t, "--emulator-profile", "realistic", "--world", worldFile(t, foreignWorld()))
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			p := startProc(t, childEnv(t, testCreds...), "run", "--endpoint", url, "--suites", "conformance", "--poll", "50ms")
			p.waitOutput(t, "== suite conformance", time.Minute)
			runID := regexp.MustCompile(`run id: (\S+)`).FindStringSubmatch(p.stdout.String())[1]
			// Mid-run: an instance of the run exists and one of its reboots was accepted, so a
			// spec is waiting out a 25 s Starting phase.
			waitFor(t, time.Minute, "an accepted reboot of an instance the run created", func() bool {
				ins, err := ctl.ListInstances(context.Background())
				if err != nil {
					return false
				}
				for _, in := range ins {
					for _, tg := range in.Tags {
						if tg.Key == target.RunTagKey && tg.Value == runID && in.RebootCount > 0 {
							return true
						}
					}
				}
				return false
			})
			sent := time.Now()
			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			r := p.wait(t, 90*time.Second)
			if took := time.Since(sent); took > 60*time.Second {
				t.Errorf("exited %s after %s, want within 60s", sig, took)
			}
			if r.code != exitInterrupted || !strings.Contains(r.stdout, "INTERRUPTED: ") || strings.Contains(r.stdout, "failing behaviours") {
				t.Fatalf("after %s: want exit %d, an INTERRUPTED summary and no behaviour named failing: %s", sig, exitInterrupted, r)
			}
			rep := r.report(t)
			if s := reports.Summarize(rep); !s.WasInterrupted() {
				t.Errorf("the report after %s does not say the run was interrupted", sig)
			}
			if rep.Tests == 0 {
				t.Fatalf("the JUnit report after %s holds no test case:\n%s", sig, r)
			}
			checkNothingTagged(t, ctl, runID)
			t.Logf("%s: exit %d %s after the signal, %d cases in the report", sig, r.code, time.Since(sent).Round(time.Millisecond), rep.Tests)
		})
	}
}

// waitFor polls cond (a child process's effect: there is no event to wait on).
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The same on a target without the control API: the run created its instances through
// RunInstances, so the cleanup after the signal goes through DeleteInstance(s) alone.
func TestInterruptCleansUpWithoutControlAPI(t *testing.T) {
	// Starting lasts 4 s: long enough to signal mid-reboot, short enough to wait out.
	starting, short := int64(4000), int64(300)
	world := writeJSON(t, "world.json", emulator.World{Instances: foreignWorld(),
		Transitions: &control.Transitions{Profile: "realistic", StartingMs: &starting, PendingMs: &short, StoppingMs: &short}})
	endpoint, _, _ := serveProc(t, "--no-control", "--world", world)
	p := startProc(t, childEnv(t, testCreds...), "run", "--endpoint", endpoint, "--suites", "conformance", "--poll", "50ms")
	p.waitOutput(t, "== suite conformance", time.Minute)
	runID := regexp.MustCompile(`run id: (\S+)`).FindStringSubmatch(p.stdout.String())[1]
	waitFor(t, time.Minute, "an instance the run created, rebooting", func() bool {
		for _, in := range taggedViaECS(t, endpoint, runID) {
			if in.Status == "Starting" || in.Status == "Stopping" {
				return true
			}
		}
		return false
	})
	sent := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	r := p.wait(t, 90*time.Second)
	if r.code != exitInterrupted || !strings.Contains(r.stdout, "interrupted") || r.report(t).Tests == 0 {
		t.Fatalf("after SIGINT: %s", r)
	}
	if left := taggedViaECS(t, endpoint, runID); len(left) != 0 {
		t.Fatalf("after SIGINT (%s) the run left %d instance(s) tagged %s: %v", time.Since(sent).Round(time.Millisecond), len(left), runID, left)
	}
	if got := listIDs(t, endpoint); len(got) != len(foreignWorld()) {
		t.Errorf("instances after the run: %v, want only the %d foreign ones", got, len(foreignWorld()))
	}
}

type ecsInstance struct{ ID, Status string }

// taggedViaECS lists, through DescribeInstances only, the instances tagged with runID.
func taggedViaECS(t *testing.T, endpoint, runID string) []ecsInstance {
	t.Helper()
	c := &protocol.Client{Endpoint: endpoint, Credentials: protocol.Credentials{AccessKeyID: "testid", AccessKeySecret: "testsecret"}}
	ex, err := c.Do(context.Background(), protocol.Call{Action: "DescribeInstances", Params: url.Values{"RegionId": {"cn-hangzhou"}, "PageSize": {"100"},
		"Tag.1.Key": {target.RunTagKey}, "Tag.1.Value": {runID}}})
	if err != nil || ex.Response.IsError() {
		t.Fatalf("DescribeInstances: %v %+v", err, ex.Response)
	}
	var body struct {
		Instances struct {
			Instance []struct{ InstanceId, Status string }
		}
	}
	if err := json.Unmarshal(ex.Response.Body, &body); err != nil {
		t.Fatal(err)
	}
	var out []ecsInstance
	for _, in := range body.Instances.Instance {
		out = append(out, ecsInstance{in.InstanceId, in.Status})
	}
	return out
}
