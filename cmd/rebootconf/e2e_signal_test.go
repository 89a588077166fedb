package main

import (
	"context"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/target"
)

// SIGINT or SIGTERM in the middle of a run (reboots take 25 s on the realistic profile, so
// specs are waiting) stops it promptly, still writes the JUnit report, and deletes every
// instance the run created.
func TestInterruptCleansUpAndReports(t *testing.T) {
	url, ctl, _ := serveProc(t, "--profile", "realistic", "--world", worldFile(t, foreignWorld()))
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
			if r.code != exitFail || !strings.Contains(r.stdout, "interrupted") {
				t.Fatalf("after %s: %s", sig, r)
			}
			rep := r.report(t)
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
