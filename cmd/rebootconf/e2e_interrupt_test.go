package main

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/emulator"
)

// hangingProxy forwards to an endpoint until hang is called; from then on every request
// hangs (the client's call timeout ends it) until resume.
type hangingProxy struct {
	URL     string
	mu      sync.Mutex
	stuck   chan struct{} // non-nil while hanging; closed by resume
	forward http.Handler
}

func newHangingProxy(t *testing.T, endpoint string) *hangingProxy {
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	p := &hangingProxy{forward: httputil.NewSingleHostReverseProxy(u)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		stuck := p.stuck
		p.mu.Unlock()
		if stuck != nil {
			select {
			case <-stuck:
			case <-r.Context().Done():
				return
			}
		}
		p.forward.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(p.resume) // before srv.Close: let hung handlers return
	p.URL = srv.URL
	return p
}

func (p *hangingProxy) hang() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stuck == nil {
		p.stuck = make(chan struct{})
	}
}

func (p *hangingProxy) resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stuck != nil {
		close(p.stuck)
		p.stuck = nil
	}
}

var sweepLine = regexp.MustCompile(`remove them with: (rebootconf sweep [^;\n]*)`)

// SIGINT while the target hangs: the run cannot delete (or even check) what it created, so it
// must not say it did. It names every instance it could not confirm deleted, prints the sweep
// command that removes them, and exits non-zero; that command, once the target answers again,
// leaves nothing of the run behind.
func TestInterruptWhileTargetHangsIsHonest(t *testing.T) {
	starting, short := int64(4000), int64(300)
	world := writeJSON(t, "world.json", emulator.World{Instances: foreignWorld(),
		Transitions: &control.Transitions{Profile: "realistic", StartingMs: &starting, PendingMs: &short, StoppingMs: &short}})
	endpoint, _, _ := serveProc(t, "--no-control", "--world", world)
	proxy := newHangingProxy(t, endpoint)
	env := childEnv(t, testCreds...)
	p := startProc(t, env, "run", "--endpoint", proxy.URL, "--suites", "conformance", "--poll", "50ms", "--call-timeout", "1s")
	p.waitOutput(t, "== suite conformance", time.Minute)
	runID := regexp.MustCompile(`run id: (\S+)`).FindStringSubmatch(p.stdout.String())[1]
	waitFor(t, time.Minute, "an instance the run created, rebooting", func() bool {
		for _, in := range taggedViaECS(t, endpoint, runID) {
			if in.Status == "Starting" {
				return true
			}
		}
		return false
	})
	proxy.hang()
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	r := p.wait(t, 3*time.Minute)
	left := taggedViaECS(t, endpoint, runID)
	if len(left) == 0 {
		t.Fatalf("the hang did not keep any instance alive; the test proves nothing:\n%s", r)
	}
	if r.code == exitPass || strings.Contains(r.stdout, "were released") || strings.Contains(r.stdout, "every instance this run created") {
		t.Fatalf("after SIGINT on a hanging target the run claims a clean release (%d left: %v):\n%s", len(left), left, r)
	}
	for _, in := range left {
		if !strings.Contains(r.stdout, "NOT confirmed deleted") || !strings.Contains(r.stdout, in.ID+" (") {
			t.Errorf("instance %s (%s) is still there but the run does not name it as not deleted", in.ID, in.Status)
		}
	}
	m := sweepLine.FindStringSubmatch(r.stdout)
	if m == nil || !strings.Contains(m[1], "--run-id "+runID) {
		t.Fatalf("no sweep command for run %s in:\n%s", runID, r.stdout)
	}
	proxy.resume()
	args := strings.Fields(m[1])[1:]
	out, err := exec.Command(binaries(t), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("the printed sweep %q: %v\n%s", m[1], err, out)
	}
	if rest := taggedViaECS(t, endpoint, runID); len(rest) != 0 {
		t.Fatalf("after the printed sweep %q, instances of the run remain: %v\n%s", m[1], rest, out)
	}
	t.Logf("left after the interrupt: %v; %q removed them\n%s", left, m[1], r.stdout)
}
