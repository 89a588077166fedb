package generators

import (
	"context"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/emulator"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/replay"
)

func startEmulator(tb testing.TB) (*protocol.Client, *control.Client) {
	tb.Helper()
	e, err := emulator.New(emulator.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(e)
	tb.Cleanup(srv.Close)
	return &protocol.Client{Endpoint: srv.URL, Credentials: protocol.Credentials{AccessKeyID: emulator.DefaultAccessKeyID, AccessKeySecret: emulator.DefaultAccessKeySecret}},
		control.NewClient(srv.URL)
}

// Against a target without a control API (a live one), the properties send nothing
// that may change an instance unless the budget allows it.
func TestNoControlAPIMeansNoReboots(t *testing.T) {
	client, ctl := startEmulator(t)
	ctx := context.Background()
	ids := []string{"i-live0000000000000000", "i-live0000000000000001"}
	for _, id := range ids {
		if _, err := ctl.PutInstance(ctx, id, control.Instance{Status: control.StatusRunning}); err != nil {
			t.Fatal(err)
		}
	}
	env := Env{Client: client, Region: emulator.DefaultRegion, Budget: replay.NewBudget(0), Adopt: ids}
	for _, p := range Properties() {
		if p.Needs != "" {
			continue
		}
		t.Run(p.Name, func(t *testing.T) { rapid.Check(t, p.Fn(env)) })
	}
	for _, id := range ids {
		in, err := ctl.GetInstance(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if in.RebootCount != 0 || in.Status != control.StatusRunning {
			t.Errorf("%s: rebootCount %d, status %s after safe-only fuzzing; want 0 and Running", id, in.RebootCount, in.Status)
		}
	}
}

// With a budget, changing calls stop when it is spent.
func TestBudgetCapsChangingCalls(t *testing.T) {
	client, ctl := startEmulator(t)
	ctx := context.Background()
	id := "i-live0000000000000000"
	if _, err := ctl.PutInstance(ctx, id, control.Instance{Status: control.StatusRunning}); err != nil {
		t.Fatal(err)
	}
	env := Env{Client: client, Region: emulator.DefaultRegion, Budget: replay.NewBudget(3), Adopt: []string{id}}
	rapid.Check(t, Stateful(env))
	in, err := ctl.GetInstance(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if in.RebootCount > 3 {
		t.Fatalf("rebootCount %d with a budget of 3 changing calls", in.RebootCount)
	}
}

// BenchmarkRawCeiling is the emulator's ceiling for this harness's calls: signed
// RebootInstance DryRuns from parallel raw clients, no model, no checks.
func BenchmarkRawCeiling(b *testing.B) {
	client, ctl := startEmulator(b)
	id := "i-bench000000000000000"
	if _, err := ctl.PutInstance(context.Background(), id, control.Instance{Status: control.StatusRunning}); err != nil {
		b.Fatal(err)
	}
	call := protocol.Call{Action: "RebootInstance", Params: url.Values{"InstanceId": {id}, "DryRun": {"true"}}}
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ex, err := client.Do(context.Background(), call); err != nil || ex.Response.Code != "DryRunOperation" {
				b.Errorf("raw call: %v", err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "requests/s")
}

// BenchmarkRawSequential is the same ceiling from one client, as the harness sends.
func BenchmarkRawSequential(b *testing.B) {
	client, ctl := startEmulator(b)
	id := "i-bench000000000000000"
	if _, err := ctl.PutInstance(context.Background(), id, control.Instance{Status: control.StatusRunning}); err != nil {
		b.Fatal(err)
	}
	call := protocol.Call{Action: "RebootInstance", Params: url.Values{"InstanceId": {id}, "DryRun": {"true"}}}
	start := time.Now()
	for b.Loop() {
		if _, err := client.Do(context.Background(), call); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "requests/s")
}

// BenchmarkProperties runs each property through rapid against the emulator and
// reports cases/s and requests/s through the whole harness (generation, signing,
// model, describes, control API, teardown).
func BenchmarkProperties(b *testing.B) {
	client, ctl := startEmulator(b)
	h, err := ctl.Health(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	faults := false
	for _, c := range h.Capabilities {
		faults = faults || c == control.CapFaults
	}
	for _, p := range Properties() {
		b.Run(p.Name, func(b *testing.B) {
			rec := &Recorder{}
			env := Env{Client: client, Control: ctl, Region: emulator.DefaultRegion, Faults: faults, Recorder: rec}
			start := time.Now()
			for b.Loop() {
				rapid.Check(b, p.Fn(env))
			}
			el := time.Since(start).Seconds()
			b.ReportMetric(float64(rec.Cases)/el, "cases/s")
			b.ReportMetric(float64(rec.Requests)/el, "requests/s")
			b.ReportMetric(float64(rec.Requests)/float64(max(rec.Cases, 1)), "requests/case")
		})
	}
}
