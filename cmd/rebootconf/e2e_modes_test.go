package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/reports"
)

// --plan-only prints the plan and sends read-only calls at most.
func TestPlanOnlyReadsOnly(t *testing.T) {
	foreign := foreignWorld()
	endpoint, ctl, _ := serveProc(t, "--world", worldFile(t, foreign))
	tap := tapJournal(t, ctl)
	r := runProc(t, time.Minute, childEnv(t, testCreds...), "run", "--endpoint", endpoint, "--plan-only")
	calls := tap.Calls(t)
	if r.code != exitPass || strings.Contains(r.stdout, "== suite") {
		t.Fatalf("plan-only: %s", r)
	}
	for _, want := range []string{fmt.Sprintf("behaviours: %d will run, 0 will be skipped", len(contract.Catalogue())), "    run  RI-STATE-001", "suites: conformance (", "real reboots: about",
		"instance creations:", "estimated duration: about", "control API found"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	if len(calls) == 0 {
		t.Fatal("plan-only sent no call at all: preflight did not check the target")
	}
	for _, c := range calls {
		if !reads[c.Action] {
			t.Errorf("journal #%d: plan-only sent %s", c.Seq, c.Action)
		}
	}
	ins, err := ctl.ListInstances(context.Background())
	if err != nil || len(ins) != len(foreign) {
		t.Fatalf("plan-only changed the instance set: %d instances (%v), want %d", len(ins), err, len(foreign))
	}
	checkForeignUntouched(t, ctl, foreign)
}

// --dry-run-only sends only DryRun and read calls (a recording proxy sees every request's
// parameters; the journal confirms nothing was applied) and still exits 0, with the
// disruptive specs skipped and the reason given.
func TestDryRunOnlySendsOnlyDryRuns(t *testing.T) {
	foreign := foreignWorld()
	endpoint, ctl, _ := serveProc(t, "--world", worldFile(t, foreign))
	proxy, seen := recordingProxy(t, endpoint)
	tap := tapJournal(t, ctl)
	r := runProc(t, 3*time.Minute, childEnv(t, testCreds...), append([]string{"run", "--endpoint", proxy, "--dry-run-only", "--suites", "conformance,properties"}, fastWaits...)...)
	calls := tap.Calls(t)
	if r.code != exitPass {
		t.Fatalf("dry-run-only: %s", r)
	}
	if !strings.Contains(r.stdout, "real reboots: none (--dry-run-only") {
		t.Errorf("plan does not say no real reboot:\n%s", r.stdout)
	}
	planMatchesRun(t, r)
	skips := skipMessages(r.report(t))
	if !strings.Contains(skips, "dry-run-only mode sends no mutating call") || !strings.Contains(skips, "RI-STATE-001") {
		t.Errorf("disruptive specs were not skipped with the reason; skips:\n%s", skips)
	}
	reqs := seen()
	dry := 0
	for _, q := range reqs {
		if mutating[q.action] || q.action == "RunInstances" || q.action == "CreateInstance" {
			if q.dryRun != "true" {
				t.Errorf("%s %v went out without DryRun=true (DryRun=%q)", q.action, q.ids, q.dryRun)
			}
			dry++
		}
	}
	if dry == 0 {
		t.Fatalf("the proxy saw no DryRun call among %d requests", len(reqs))
	}
	for _, c := range calls {
		if mutating[c.Action] && c.Code == "" {
			t.Errorf("journal #%d: %s %v was applied", c.Seq, c.Action, c.InstanceIDs)
		}
		// The journal agrees with the proxy: every mutating call it saw was a DryRun.
		if mutating[c.Action] && !(len(c.DryRun) == 1 && c.DryRun[0] == "true") {
			t.Errorf("journal #%d: %s %v reached the target with DryRun=%q", c.Seq, c.Action, c.InstanceIDs, c.DryRun)
		}
	}
	checkForeignUntouched(t, ctl, foreign)
}

// seenRequest is one ECS request as the proxy saw it.
type seenRequest struct {
	action, dryRun string
	ids            []string
}

// recordingProxy forwards to upstream unchanged (Host included, so ACS3 signatures hold) and
// records each ECS request's action, DryRun and instance IDs from query, form body or headers.
func recordingProxy(t *testing.T, upstream string) (string, func() []seenRequest) {
	t.Helper()
	up, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []seenRequest
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(up)
		pr.Out.Host = pr.In.Host
	}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, control.PathPrefix) {
			p := r.URL.Query()
			if r.Body != nil && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body))
				form, _ := url.ParseQuery(string(body))
				for k, vs := range form {
					p[k] = append(p[k], vs...)
				}
			}
			s := seenRequest{action: p.Get("Action"), dryRun: strings.Join(p["DryRun"], ",")}
			if s.action == "" {
				s.action = r.Header.Get("x-acs-action")
			}
			for k, vs := range p {
				if k == "InstanceId" || strings.HasPrefix(k, "InstanceId.") {
					s.ids = append(s.ids, vs...)
				}
			}
			mu.Lock()
			seen = append(seen, s)
			mu.Unlock()
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []seenRequest {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// sweepWorld holds instances earlier runs left behind (tagged) and instances no run made.
func sweepWorld() []control.Instance {
	tag := func(v string) []control.Tag { return []control.Tag{{Key: target.RunTagKey, Value: v}} }
	return []control.Instance{
		{InstanceID: "i-bp1leftover0000001", Status: "Running", Tags: tag("rcold1"), CreationTime: "2026-01-02T03:04:05Z"},
		{InstanceID: "i-bp1leftover0000002", Status: "Stopped", Tags: tag("rcold1")},
		{InstanceID: "i-bp1leftover0000003", Status: "Running", Tags: tag("rcold2")},
		{InstanceID: "i-bp1untagged0000001", Status: "Running"},
		{InstanceID: "i-bp1othertag0000001", Status: "Running", Tags: []control.Tag{{Key: "rebootconf", Value: "rcold1"}}},
	}
}

// `rebootconf sweep --endpoint URL` deletes what earlier runs left, found by the run tag, and
// nothing else; --list only lists, --run-id narrows to one run. Both with and without the
// control API (then it deletes through DeleteInstance).
func TestSweepDeletesLeftoversByTag(t *testing.T) {
	for _, mode := range []string{"control API", "ECS API only"} {
		t.Run(mode, func(t *testing.T) {
			args := []string{"--world", worldFile(t, sweepWorld())}
			if mode == "ECS API only" {
				args = append(args, "--no-control")
			}
			endpoint, _, _ := serveProc(t, args...)
			env := childEnv(t, testCreds...)
			exists := func() []string { return listIDs(t, endpoint) }
			all := exists()
			r := runProc(t, time.Minute, env, "sweep", "--endpoint", endpoint, "--list")
			if r.code != exitPass || !strings.Contains(r.stdout, "3 instance(s) tagged") || len(exists()) != len(all) {
				t.Fatalf("sweep --list: %s (instances now %v)", r, exists())
			}
			// --older-than spares what a run in progress may still use: only the January instance goes.
			r = runProc(t, time.Minute, env, "sweep", "--endpoint", endpoint, "--older-than", "6h")
			if r.code != exitPass || !strings.Contains(r.stdout, "i-bp1leftover0000001: deleted") || strings.Count(r.stdout, "spared, created") != 2 ||
				slices.Contains(exists(), "i-bp1leftover0000001") || !slices.Contains(exists(), "i-bp1leftover0000002") {
				t.Fatalf("sweep --older-than 6h: %s (instances now %v)", r, exists())
			}
			r = runProc(t, time.Minute, env, "sweep", "--endpoint", endpoint, "--run-id", "rcold2")
			if r.code != exitPass || !strings.Contains(r.stdout, "i-bp1leftover0000003: deleted") || slices.Contains(exists(), "i-bp1leftover0000003") {
				t.Fatalf("sweep --run-id rcold2: %s", r)
			}
			// Without --run-id or --older-than sweep does not guess what to delete.
			before := exists()
			r = runProc(t, time.Minute, env, "sweep", "--endpoint", endpoint)
			if r.code != exitConfig || !strings.Contains(r.stderr, "say what to delete") || !slices.Equal(exists(), before) {
				t.Fatalf("sweep without a selection: %s (instances now %v)", r, exists())
			}
			// It names what it deletes before deleting it; --instance narrows to given IDs.
			r = runProc(t, time.Minute, env, "sweep", "--endpoint", endpoint, "--run-id", "rcold1", "--instance", "i-bp1untagged0000001", "--instance", "i-bp1leftover0000002")
			want := []string{"i-bp1othertag0000001", "i-bp1untagged0000001"}
			if got := exists(); r.code != exitPass || !slices.Equal(got, want) ||
				!strings.Contains(r.stdout, "deleting 1 instance(s): i-bp1leftover0000002 (rebootconf-run=rcold1)") ||
				!strings.Contains(r.stdout, "i-bp1untagged0000001: not among the tagged instances") {
				t.Fatalf("sweep --run-id rcold1: %s\ninstances left %v, want %v", r, got, want)
			}
		})
	}
}

// listIDs lists every instance through the ECS API, sorted.
func listIDs(t *testing.T, endpoint string) []string {
	t.Helper()
	c := &protocol.Client{Endpoint: endpoint, Credentials: protocol.Credentials{AccessKeyID: "testid", AccessKeySecret: "testsecret"}}
	ex, err := c.Do(context.Background(), protocol.Call{Action: "DescribeInstances", Params: url.Values{"RegionId": {"cn-hangzhou"}, "PageSize": {"100"}}})
	if err != nil || ex.Response.IsError() {
		t.Fatalf("DescribeInstances: %v %+v", err, ex.Response)
	}
	var ids []string
	inst, _ := ex.Response.Fields["Instances"].(map[string]any)
	list, _ := inst["Instance"].([]any)
	for _, x := range list {
		m, _ := x.(map[string]any)
		id, _ := m["InstanceId"].(string)
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// --max-reboots caps the run, not each suite process: three suites in parallel share it.
func TestMaxRebootsCapsTheWholeRun(t *testing.T) {
	r := runProc(t, 3*time.Minute, childEnv(t), "run", "--max-reboots", "4", "--suites", "conformance,properties,sdkclients")
	m := regexp.MustCompile(`(\d+) real reboots`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no reboot count in the summary:\n%s", r)
	}
	if n, _ := strconv.Atoi(m[1]); n > 4 || n == 0 {
		t.Fatalf("%d real reboots with --max-reboots 4 across three suite processes; want 1..4\n%s", n, r)
	}
	if !strings.Contains(r.stdout, "real-reboot cap of 4 for this run reached") {
		t.Errorf("no spec reports the cap as its skip reason:\n%s", r)
	}
}

// planMatchesRun: the behaviours the plan said would run are exactly those the run checked
// (some spec passed or failed on them), so the plan can be trusted before a costly run.
func planMatchesRun(t *testing.T, r cliResult) {
	t.Helper()
	m := regexp.MustCompile(`(?m)^    run  ([A-Z0-9 -]+)$`).FindStringSubmatch(r.stdout)
	var planned []string
	if m != nil {
		planned = strings.Fields(m[1])
	}
	var checked []string
	for id, tally := range reports.Summarize(r.report(t)).Behaviours {
		if strings.HasPrefix(id, "RI-") && (tally.Passed > 0 || tally.Bad() > 0) {
			checked = append(checked, id)
		}
	}
	slices.Sort(planned)
	slices.Sort(checked)
	if !slices.Equal(planned, checked) {
		t.Errorf("the plan runs %v\nthe run checked %v\n%s", planned, checked, r.stdout)
	}
}

// The plan honours --suites and --label-filter: what it lists is what the run checks.
func TestPlanHonoursSelection(t *testing.T) {
	for _, args := range [][]string{
		{"--label-filter", "errors || forcestop"},
		{"--suites", "sdkclients", "--label-filter", "!disruptive"},
	} {
		r := runProc(t, 3*time.Minute, childEnv(t), append([]string{"run"}, args...)...)
		if r.code != exitPass {
			t.Fatalf("run %v: %s", args, r)
		}
		planned := regexp.MustCompile(`behaviours: (\d+) will run`).FindStringSubmatch(r.stdout)
		if planned == nil || planned[1] == "52" || planned[1] == "0" {
			t.Errorf("run %v: the plan ignores the selection:\n%s", args, r.stdout)
		}
		planMatchesRun(t, r)
	}
}
