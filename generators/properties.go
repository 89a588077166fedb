package generators

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"time"

	"pgregory.net/rapid"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/model"
	"github.com/rebootconf/rebootconf/fixtures/replay"
)

// Property is a named rapid property over an Env.
type Property struct {
	Name string
	// Needs says what the target must offer: "" (anything), "control" (worlds and
	// held transitions), "faults" (fault injection).
	Needs string
	Fn    func(Env) func(*rapid.T)
	// Behaviours are what the property checks as a whole (RI-STATE-010 for concurrency); a
	// failure names them with what its minimal case broke (Implicated).
	Behaviours []string
}

// Properties lists every property, in the order the suite runs them. The slice is a copy.
func Properties() []Property { return slices.Clone(properties) }

var properties = []Property{
	{Name: "model agreement", Fn: ModelAgreement},
	{Name: "envelope", Fn: Envelope},
	{Name: "isolation", Needs: "control", Fn: Isolation, Behaviours: []string{"RI-STATE-009", "RI-DRYRUN-002"}},
	{Name: "stateful", Fn: Stateful},
	{Name: "concurrency", Needs: "control", Fn: Concurrency, Behaviours: []string{"RI-STATE-010"}},
	{Name: "ambiguity", Needs: "faults", Fn: Ambiguity},
}

// ModelAgreement: every response to a drawn request, valid or not, is an outcome the
// model allows for its input and the world, and every instance then shows a status
// the model allows.
func ModelAgreement(env Env) func(*rapid.T) {
	return func(t *rapid.T) {
		r := env.Start(t, WorldOptions{Max: 4, Locks: true, Conditions: true, InternalErrors: true, RunningFirst: true})
		reqs := rapid.SliceOfN(RebootRequest(r.World.IDs(), RequestOptions{SafeOnly: env.Safe()}), 1, 8).Draw(t, "requests")
		for _, req := range reqs {
			Do(t, r, CallStep(replay.FromModel(req)))
			Do(t, r, DescribeStep())
		}
	}
}

// Envelope: over every transport (GET/POST, query/body, v1/ACS3) and format, no
// answer is a 5xx when no fault was injected, and every body parses with a
// RequestId (and Code and Message on errors).
func Envelope(env Env) func(*rapid.T) {
	return func(t *rapid.T) {
		r := env.Start(t, WorldOptions{Max: 3, Locks: true, Conditions: true, RunningFirst: true})
		reqs := rapid.SliceOfN(RebootRequest(r.World.IDs(), RequestOptions{SafeOnly: env.Safe()}), 1, 5).Draw(t, "requests")
		for _, req := range reqs {
			Do(t, r, CallStep(CallFor(req).Draw(t, "call")))
		}
		for i, ex := range r.Exchanges {
			if ex.Response != nil && ex.Response.Status >= 500 {
				t.Logf("%s", ex.Transcript())
				t.Fatalf("exchange %d (%s): HTTP %d %s without an injected fault", i+1, ex.Request.Action, ex.Response.Status, ex.Response.Code)
			}
		}
	}
}

// Isolation: a DryRun never changes any instance, and an accepted RebootInstance
// changes only the instance it names (statuses from DescribeInstances of every
// instance, reboot counts from the control API). Checked directly, not only through
// the model, with transitions held, so it needs a control API.
func Isolation(env Env) func(*rapid.T) {
	return func(t *rapid.T) {
		r := env.Start(t, WorldOptions{Min: 2, Max: 5, Locks: true, RunningFirst: true})
		ids := r.World.IDs()
		before := snapshot(t, r)
		kinds := []string{"dry run", "reboot"}
		if env.Safe() {
			kinds = kinds[:1]
		}
		for range rapid.IntRange(1, 5).Draw(t, "operations") {
			kind := rapid.SampledFrom(kinds).Draw(t, "operation")
			p := url.Values{"Format": {"JSON"}}
			if kind == "dry run" {
				p.Set("InstanceId", InstanceIDOf(ids).Draw(t, "InstanceId"))
				p.Set("DryRun", "true")
			} else {
				p.Set("InstanceId", rapid.SampledFrom(ids).Draw(t, "InstanceId"))
			}
			if s := BoolSpelling("ForceStop").Draw(t, "ForceStop"); s.Present {
				p.Set("ForceStop", s.Value)
			}
			Do(t, r, CallStep(replay.FromModel(model.Request{Action: model.ActionReboot, Params: p})))
			got := r.Steps[len(r.Steps)-1].Got[0]
			after := snapshot(t, r)
			named := p.Get("InstanceId")
			for _, id := range ids {
				changed := after[id] != before[id]
				switch {
				case changed && kind == "dry run":
					t.Fatalf("DryRun of %q (answer %d %s) changed %s: %+v -> %+v", named, got.Status, got.Code, id, before[id], after[id])
				case changed && id != named:
					t.Fatalf("RebootInstance of %s (answer %d %s) changed another instance %s: %+v -> %+v", named, got.Status, got.Code, id, before[id], after[id])
				case changed && got.Status != 200:
					t.Fatalf("rejected RebootInstance of %s (answer %d %s) changed it: %+v -> %+v", named, got.Status, got.Code, before[id], after[id])
				case id == named && kind == "reboot" && got.Status == 200 && after[id].Reboots >= 0 && after[id].Reboots != before[id].Reboots+1:
					t.Fatalf("accepted RebootInstance of %s: rebootCount went %d -> %d, want +1", id, before[id].Reboots, after[id].Reboots)
				}
			}
			before = after
		}
		Do(t, r, DescribeStep())
	}
}

func snapshot(t *rapid.T, r *replay.Runner) map[string]replay.Snapshot {
	s, err := r.Snapshot(context.Background())
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return s
}

// Stateful runs the state machine: random interleavings over several instances,
// every response and every observation checked against the model.
func Stateful(env Env) func(*rapid.T) {
	return func(t *rapid.T) {
		t.Repeat(rapid.StateMachineActions(NewMachine(t, env)))
	}
}

// Concurrency: N concurrent reboots of one Running instance (transitions held):
// exactly one is accepted, the rest get 403 IncorrectInstanceStatus, and the
// instance reboots once. Needs a control API.
func Concurrency(env Env) func(*rapid.T) {
	return func(t *rapid.T) {
		r := env.Start(t, WorldOptions{Max: 3, RunningFirst: true})
		id := r.World.IDs()[0]
		n := rapid.IntRange(2, 6).Draw(t, "concurrent reboots")
		calls := make([]replay.Call, n)
		for i := range calls {
			calls[i] = replay.FromModel(model.Request{Action: model.ActionReboot, Params: url.Values{"InstanceId": {id}, "Format": {"JSON"}}})
		}
		Do(t, r, replay.Step{Op: replay.OpConcurrent, Calls: calls})
		ok := 0
		for i, got := range r.Steps[len(r.Steps)-1].Got {
			switch {
			case got.Status == 200:
				ok++
			case got.Status != 403 || got.Code != "IncorrectInstanceStatus":
				t.Fatalf("concurrent reboot %d of %d: got %d %s %s, want 200 or 403 IncorrectInstanceStatus", i+1, n, got.Status, got.Code, got.Error)
			}
		}
		if ok != 1 {
			t.Fatalf("%d concurrent reboots of %s: %d accepted, want exactly 1", n, id, ok)
		}
		if s := snapshot(t, r)[id]; s.Reboots != 1 {
			t.Fatalf("%d concurrent reboots of %s: rebootCount +%d, want +1", n, id, s.Reboots)
		}
		Do(t, r, DescribeStep())
	}
}

// The timeout variant of Ambiguity: the emulator applies the reboot and holds its answer
// far longer than the step waits, so the client times out. The hold ends as soon as the
// client gives up, so the case costs about heldTimeout. The deadline may be short: the
// runner waits for the emulator's journal before observing, so a call the server reaches
// only after the client gave up is still settled correctly.
const (
	heldLatency = 2 * time.Second
	heldTimeout = 50 * time.Millisecond
)

// Ambiguity: a reboot whose answer is lost (reset after apply, reset before, a 5xx, a
// client-side timeout while the reboot is applied) counts as "maybe applied": never a
// failure by itself, and settled by the next observations. Needs fault injection.
func Ambiguity(env Env) func(*rapid.T) { return ambiguity(env, ambiguityFaults) }

// ambiguityFaults are the ways Ambiguity loses a reboot's answer.
var ambiguityFaults = []string{control.FaultAppliedThenDropped, control.FaultReset, control.FaultError, control.FaultAppliedThenHeld}

// ambiguity is Ambiguity over the given fault kinds.
func ambiguity(env Env, kinds []string) func(*rapid.T) {
	return func(t *rapid.T) {
		r := env.Start(t, WorldOptions{Max: 3, RunningFirst: true})
		id := r.World.IDs()[0]
		kind := rapid.SampledFrom(kinds).Draw(t, "fault")
		f := &replay.Fault{Kind: kind, Action: model.ActionReboot, InstanceID: id}
		reboot := replay.FromModel(model.Request{Action: model.ActionReboot, Params: url.Values{"InstanceId": {id}, "Format": {"JSON"}}})
		lost := CallStep(reboot)
		if kind == control.FaultAppliedThenHeld {
			f.LatencyMs, lost.TimeoutMs = heldLatency.Milliseconds(), heldTimeout.Milliseconds()
		}
		Do(t, r, replay.Step{Op: replay.OpFault, Fault: f})
		Do(t, r, lost)
		if r.Unknown != 1 {
			got := r.Steps[len(r.Steps)-1].Got[0]
			t.Fatalf("the %s fault on RebootInstance %s left no unknown outcome (got HTTP %d %s)", kind, id, got.Status, got.Code)
		}
		for range rapid.IntRange(0, 3).Draw(t, "more steps") {
			switch rapid.SampledFrom([]string{"describe", "settle", "reboot"}).Draw(t, "step") {
			case "describe":
				Do(t, r, DescribeStep())
			case "settle":
				Do(t, r, SettleStep())
			default:
				Do(t, r, CallStep(reboot))
			}
		}
		Do(t, r, DescribeStep())
		if w := r.World.Width(); w != 1 {
			t.Fatalf("after observing every instance the lost reboot is still unsettled (%d possible states):\n%s", w, r.World)
		}
	}
}

// Describe renders a property list for docs and errors.
func (p Property) String() string {
	if p.Needs == "" {
		return p.Name
	}
	return fmt.Sprintf("%s (needs %s)", p.Name, p.Needs)
}
