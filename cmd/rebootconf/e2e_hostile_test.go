package main

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/control"
)

// hostile is a loopback server built to trick the harness: it redirects every ECS call but
// the describes (302 to a second loopback address, where anything that arrives is recorded),
// answers DescribeInstances with no instance list ({"RequestId":…,"TotalCount":0}, which
// proves nothing) and fakes the control API's health with a JSON 200 of another shape.
type hostile struct {
	URL, OtherHost string

	mu        sync.Mutex
	calls     []string // ECS calls that reached it: Action, ":dry" for DryRun=true
	control   []string // control-API requests beyond GET health
	elsewhere []string // anything that reached the redirect's host
}

// startHostileTarget starts one; with redirectReads, describes are redirected too.
func startHostileTarget(t *testing.T, redirectReads bool) *hostile {
	t.Helper()
	h := &hostile{}
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		ln, err = net.Listen("tcp", "127.0.0.1:0") // no second loopback address here
	}
	if err != nil {
		t.Fatal(err)
	}
	other := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.record(&h.elsewhere, r.Method+" "+r.URL.String()+" Referer="+r.Referer())
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"RequestId":"0E2B6C4A-1111-4000-8000-000000000000","InstanceIdSets":{"InstanceIdSet":["i-stolen0000000000001"]}}`))
	})}}
	other.Start()
	t.Cleanup(other.Close)
	h.OtherHost = ln.Addr().String()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		action := r.Form.Get("Action") + r.Header.Get("x-acs-action")
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == control.PathPrefix+"health":
			_, _ = w.Write([]byte(`{"status":"ok","version":"1","capabilities":["instances","faults","reset"]}`))
		case strings.HasPrefix(r.URL.Path, control.PathPrefix):
			h.record(&h.control, r.Method+" "+r.URL.Path)
			w.WriteHeader(http.StatusNoContent)
		case strings.HasPrefix(action, "Describe") && !redirectReads:
			_, _ = w.Write([]byte(`{"RequestId":"0E2B6C4A-2222-4000-8000-000000000000","TotalCount":0}`))
		default:
			if r.Form.Get("DryRun") == "true" {
				action += ":dry"
			}
			h.record(&h.calls, action)
			w.Header().Set("Location", other.URL+"/?"+r.URL.RawQuery)
			w.WriteHeader(http.StatusFound)
		}
	}))
	t.Cleanup(srv.Close)
	h.URL = srv.URL
	return h
}

func (h *hostile) record(list *[]string, s string) {
	h.mu.Lock()
	*list = append(*list, s)
	h.mu.Unlock()
}

// TestHostileTarget points `run` at a target that redirects, answers describes with nothing
// and fakes the control API. The run must not be fooled: no signed request leaves for the
// redirect's host, no real reboot goes to an ID whose absence was never proved, no instance
// is deleted (the run created none), the plan does not claim a control API, and the run
// ends 1 or 2 with a line that names the redirect.
func TestHostileTarget(t *testing.T) {
	h := startHostileTarget(t, false)
	args := append([]string{"run", "--endpoint", h.URL, "--suites", "conformance",
		"--label-filter", "RI-ERR-001 || RI-STATE-001 || RI-DRYRUN-001 || RI-DRYRUN-003 || RI-PROTO-003 || RI-PROTO-004",
		"--call-timeout", "2s", "--preflight-timeout", "5s", "--provision-timeout", "3s", "--timeout", "1m"}, fastWaits...)
	r := runProc(t, 2*time.Minute, childEnv(t, testCreds...), args...)
	h.mu.Lock()
	defer h.mu.Unlock()
	t.Logf("%s\ncalls that reached the target: %q", r, h.calls)
	if len(h.elsewhere) != 0 {
		t.Errorf("%d signed request(s) followed the redirect to %s: %q", len(h.elsewhere), h.OtherHost, h.elsewhere)
	}
	for _, c := range h.calls {
		if c == "RebootInstance" || c == "RebootInstances" {
			t.Errorf("a real (non-DryRun) %s was sent although no absence or ownership was proved", c)
		}
		if strings.HasPrefix(c, "DeleteInstance") || strings.HasPrefix(c, "StopInstance") || strings.HasPrefix(c, "StartInstance") {
			t.Errorf("%s was sent for an instance this run did not create (it created none)", c)
		}
	}
	if len(h.control) != 0 {
		t.Errorf("the fake control API was used: %q", h.control)
	}
	if strings.Contains(r.stdout, "control API found") || !strings.Contains(r.stdout, "not the rebootconf control protocol") {
		t.Errorf("the plan must say the fake health is no control API")
	}
	if r.code != exitFail && r.code != exitConfig {
		t.Errorf("exit %d, want 1 or 2", r.code)
	}
	out := r.stdout + r.stderr
	if !strings.Contains(out, "HTTP 302, a redirect to host "+h.OtherHost) {
		t.Errorf("no line names the redirect to %s", h.OtherHost)
	}
	if strings.Contains(out, "testsecret") || strings.Contains(out, "Signature=") && !strings.Contains(out, "Signature=REDACTED") {
		t.Errorf("a secret reached the output")
	}
	if r.elapsed > time.Minute {
		t.Errorf("took %s; a hostile target must fail fast", r.elapsed)
	}
}

// A target that redirects even its reads fails the read-only preflight: exit 2, one line
// naming the redirect, nothing sent anywhere else.
func TestHostileTargetRedirectingReads(t *testing.T) {
	h := startHostileTarget(t, true)
	r := runProc(t, time.Minute, childEnv(t, testCreds...), "run", "--endpoint", h.URL, "--preflight-timeout", "5s")
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.code != exitConfig || !strings.Contains(r.stderr, "HTTP 302, a redirect to host "+h.OtherHost) {
		t.Fatalf("want exit 2 naming the redirect, got %s", r)
	}
	if lines := strings.Count(strings.TrimSpace(r.stderr), "\n") + 1; lines != 1 || strings.Contains(r.stdout, "== suite") {
		t.Fatalf("want one error line and no suite, got %d:\n%s", lines, r)
	}
	if len(h.elsewhere) != 0 || strings.Contains(r.stderr, "Signature=") {
		t.Fatalf("followed or leaked: %q\n%s", h.elsewhere, r.stderr)
	}
}

// A password in the endpoint URL is refused with one line (exit 2) by every command that
// takes an endpoint, and never printed.
func TestEndpointPasswordNeverPrinted(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "")
	h := startHostileTarget(t, false)
	endpoint := strings.Replace(h.URL, "://", "://alice:hunter2pw@", 1)
	var out, errOut bytes.Buffer
	code := dispatch([]string{"sweep", "--endpoint", endpoint}, &out, &errOut)
	r := runProc(t, time.Minute, childEnv(t), "run", "--endpoint", endpoint, "--plan-only")
	for cmd, res := range map[string]cliResult{"sweep": {code: code, stdout: out.String(), stderr: errOut.String()}, "run": r} {
		all := res.stdout + res.stderr
		if res.code != exitConfig || strings.Contains(all, "hunter2pw") || !strings.Contains(all, "alice:REDACTED@") || strings.Count(strings.TrimSpace(res.stderr), "\n") != 0 {
			t.Errorf("%s: want exit 2 and one redacted line, got %s", cmd, res)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.calls) != 0 || len(h.elsewhere) != 0 {
		t.Fatalf("calls were sent: %q %q", h.calls, h.elsewhere)
	}
}
