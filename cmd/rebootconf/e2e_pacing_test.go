package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Against an endpoint that throttles at 10 requests/s: without a client-side limit the raw
// client's throttled calls are retried with backoff and counted in the summary and the
// JUnit properties; with --rate under the endpoint's limit nothing is throttled at all.
func TestPacingAgainstAThrottlingEndpoint(t *testing.T) {
	env := childEnv(t, testCreds...)
	// A fresh emulator for each run, so the second does not start on a bucket the first emptied.
	run := func(extra ...string) cliResult {
		endpoint, _, _ := serveProc(t, "--throttle", "10")
		args := append([]string{"run", "--endpoint", endpoint, "--suites", "conformance", "--label-filter", "RI-STATE-001 || RI-DRYRUN-001 || RI-ERR-001"}, fastWaits...)
		return runProc(t, 2*time.Minute, env, append(args, extra...)...)
	}

	r := run()
	throttled, retried := statsFigures(t, r.stdout)
	if throttled == 0 || retried == 0 {
		t.Fatalf("no throttling seen without --rate (the endpoint allows 10/s): %s", r)
	}
	if got := suiteProperty(t, r, "rebootconf.retries"); got == "" || got == "0" {
		t.Fatalf("JUnit property rebootconf.retries = %q, want the retries", got)
	}

	r = run("--rate", "8")
	if throttled, _ := statsFigures(t, r.stdout); r.code != exitPass || throttled != 0 || !strings.Contains(r.stdout, "waited for the rate limit") {
		t.Fatalf("--rate 8 under a 10/s limit: want a green run with nothing throttled, got %s", r)
	}
}

var statsRE = regexp.MustCompile(`calls: \d+ sent, (\d+) throttled \((\d+) retried`)

func statsFigures(t *testing.T, stdout string) (throttled, retried int) {
	t.Helper()
	m := statsRE.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("no calls line in the summary:\n%s", stdout)
	}
	throttled, _ = strconv.Atoi(m[1])
	retried, _ = strconv.Atoi(m[2])
	return throttled, retried
}

func suiteProperty(t *testing.T, r cliResult, name string) string {
	t.Helper()
	for _, su := range r.report(t).Suites {
		for _, p := range su.Properties {
			if p.Name == name {
				return p.Value
			}
		}
	}
	return ""
}
