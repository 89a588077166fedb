package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/control"
)

// A target that is wrong from the start gives exactly one clear error and exit 2 within the
// preflight timeout, never a wall of failed specs.
func TestBadTargetsFailPreflight(t *testing.T) {
	url, _, _ := serveProc(t)
	closed := closedPort(t)
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body><h1>Welcome to nginx!</h1></body></html>"))
	}))
	t.Cleanup(html.Close)
	hang := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(hang); hanging.Close() })
	resetting := resetServer(t)

	rows := []struct {
		name     string
		endpoint string
		creds    []string
		want     string
		within   time.Duration
	}{
		{"wrong credentials", url, []string{"ALIBABA_CLOUD_ACCESS_KEY_ID=testid", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=wrong"}, "credentials rejected by " + url + ": HTTP 400 SignatureDoesNotMatch", 5 * time.Second},
		{"unknown access key", url, []string{"ALIBABA_CLOUD_ACCESS_KEY_ID=nobody", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=x"}, "InvalidAccessKeyId.NotFound", 5 * time.Second},
		{"half-set credentials", url, []string{"ALIBABA_CLOUD_ACCESS_KEY_ID=testid"}, "must both be set", 5 * time.Second},
		{"unreachable endpoint", closed, testCreds, "cannot reach " + closed, 5 * time.Second},
		{"garbage (HTML) endpoint", html.URL, testCreds, "does not answer like an ECS endpoint", 5 * time.Second},
		{"hanging endpoint", hanging.URL, testCreds, "did not answer within 2s", 6 * time.Second},
		{"resetting endpoint", resetting, testCreds, "connection reset by peer", 5 * time.Second},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			r := runProc(t, time.Minute, childEnv(t, row.creds...), "run", "--endpoint", row.endpoint, "--preflight-timeout", "2s")
			if r.code != exitConfig || !strings.Contains(r.stderr, row.want) || r.elapsed > row.within {
				t.Fatalf("want exit 2 naming %q within %s, got %s", row.want, row.within, r)
			}
			if lines := strings.Count(strings.TrimSpace(r.stderr), "\n") + 1; lines != 1 || strings.Contains(r.stdout, "== suite") {
				t.Fatalf("want exactly one error line and no suite, got %d lines:\n%s", lines, r)
			}
			if strings.Contains(r.stderr, "wrong") || strings.Contains(r.stderr, "testsecret") {
				t.Fatalf("a secret reached the error: %s", r.stderr)
			}
		})
	}
}

// closedPort returns a loopback URL nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return "http://" + addr
}

// resetServer accepts connections and resets them (RST) without answering.
func resetServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			_ = c.SetReadDeadline(time.Now().Add(time.Second))
			_, _ = c.Read(buf)
			_ = c.(*net.TCPConn).SetLinger(0)
			_ = c.Close()
		}
	}()
	return "http://" + ln.Addr().String()
}

// A target that goes bad after preflight (faults on RebootInstance through the control API)
// gives failures with clear messages, and the run still ends within its bounds with exit 1.
func TestTargetGoingBadMidRun(t *testing.T) {
	url, ctl, _ := serveProc(t)
	filter := "RI-STATE-001 || RI-DRYRUN-001 || RI-ERR-001"
	rows := []struct {
		fault control.Fault
		want  *regexp.Regexp
	}{
		{control.Fault{Kind: control.FaultMalformed, Action: "RebootInstance", Count: -1}, regexp.MustCompile(`malformed`)},
		{control.Fault{Kind: control.FaultReset, Action: "RebootInstance", Count: -1}, regexp.MustCompile(`connection reset by peer`)},
		// The raw client's context and net/http's client timeout word it differently.
		{control.Fault{Kind: control.FaultLatency, Action: "RebootInstance", Count: -1, LatencyMs: 3000}, regexp.MustCompile(`context deadline exceeded|Client\.Timeout exceeded`)},
	}
	for _, row := range rows {
		t.Run(row.fault.Kind, func(t *testing.T) {
			if err := ctl.ClearFaults(context.Background()); err != nil {
				t.Fatal(err)
			}
			if _, err := ctl.AddFault(context.Background(), row.fault); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"run", "--endpoint", url, "--suites", "conformance", "--label-filter", filter, "--call-timeout", "1s", "--timeout", "2m"}, fastWaits...)
			r := runProc(t, 3*time.Minute, childEnv(t, testCreds...), args...)
			if r.code != exitFail || r.elapsed > time.Minute {
				t.Fatalf("want exit 1 within a minute, got %s", r)
			}
			fails := failures(r.report(t))
			if len(fails) == 0 {
				t.Fatalf("no failure in the report:\n%s", r)
			}
			for _, f := range fails {
				if !row.want.MatchString(f) {
					t.Errorf("failure does not say %q:\n%s", row.want, f)
				}
			}
			t.Logf("%s: %d failures, run took %s", row.fault.Kind, len(fails), r.elapsed.Round(time.Millisecond))
		})
	}
}
