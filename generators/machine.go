package generators

import (
	"net/url"

	"pgregory.net/rapid"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/model"
	"github.com/rebootconf/rebootconf/fixtures/replay"
)

// Machine is the stateful property: random interleavings of reboot, forced reboot,
// DryRun, fuzzed reboot, start, stop, describe, settle (wait), lost responses and
// concurrent reboots over several instances. The runner checks every response
// against the model; Check observes every instance after every action.
type Machine struct {
	env Env
	r   *replay.Runner
	ids []string
}

// NewMachine draws a world and returns a machine over it.
func NewMachine(t *rapid.T, env Env) *Machine {
	r := env.Start(t, WorldOptions{Min: 1, Max: 4, Locks: true, Conditions: true, RunningFirst: true})
	return &Machine{env: env, r: r, ids: r.World.IDs()}
}

// Runner exposes the runner (sequence, exchanges) for reports.
func (m *Machine) Runner() *replay.Runner { return m.r }

func (m *Machine) id(t *rapid.T) string {
	if len(m.ids) == 0 {
		t.Skip("no instances")
	}
	return rapid.SampledFrom(m.ids).Draw(t, "InstanceId")
}

func (m *Machine) call(t *rapid.T, action string, p url.Values) {
	p.Set("Format", "JSON")
	Do(t, m.r, CallStep(replay.FromModel(model.Request{Action: action, Params: p})))
}

// Reboot sends a plain reboot of an existing instance.
func (m *Machine) Reboot(t *rapid.T) {
	p := url.Values{"InstanceId": {m.id(t)}}
	if rapid.Bool().Draw(t, "explicit ForceStop=false") {
		p.Set("ForceStop", "false")
	}
	m.call(t, model.ActionReboot, p)
}

// ForceReboot sends ForceStop=true.
func (m *Machine) ForceReboot(t *rapid.T) {
	m.call(t, model.ActionReboot, url.Values{"InstanceId": {m.id(t)}, "ForceStop": {"true"}})
}

// DryRun sends DryRun=true (ForceStop drawn).
func (m *Machine) DryRun(t *rapid.T) {
	p := url.Values{"InstanceId": {m.id(t)}, "DryRun": {"true"}}
	if s := BoolSpelling("ForceStop").Draw(t, "ForceStop"); s.Present {
		p.Set("ForceStop", s.Value)
	}
	m.call(t, model.ActionReboot, p)
}

// Fuzz sends a drawn RebootInstance request over a drawn transport.
func (m *Machine) Fuzz(t *rapid.T) {
	req := RebootRequest(m.ids, RequestOptions{SafeOnly: m.env.Safe()}).Draw(t, "request")
	Do(t, m.r, CallStep(CallFor(req).Draw(t, "call")))
}

// Start sends StartInstance.
func (m *Machine) Start(t *rapid.T) {
	m.call(t, model.ActionStart, url.Values{"InstanceId": {m.id(t)}})
}

// Stop sends StopInstance.
func (m *Machine) Stop(t *rapid.T) {
	p := url.Values{"InstanceId": {m.id(t)}}
	if rapid.Bool().Draw(t, "ForceStop=true") {
		p.Set("ForceStop", "true")
	}
	m.call(t, model.ActionStop, p)
}

// Describe observes every instance through both read APIs.
func (m *Machine) Describe(t *rapid.T) { Do(t, m.r, DescribeStep()) }

// Settle waits for every transition to complete (manual timing) or lets time pass.
func (m *Machine) Settle(t *rapid.T) { Do(t, m.r, SettleStep()) }

// Lost injects a fault into the next reboot of an instance: its answer is lost
// after (or before) it was applied. The model forks; describes settle it.
func (m *Machine) Lost(t *rapid.T) {
	if !m.env.Faults {
		t.Skip("no fault injection")
	}
	id := m.id(t)
	kind := rapid.SampledFrom([]string{control.FaultAppliedThenDropped, control.FaultReset, control.FaultError,
		control.FaultMalformed, control.FaultThrottle, control.FaultLatency}).Draw(t, "fault")
	f := &replay.Fault{Kind: kind, Action: model.ActionReboot, InstanceID: id}
	if kind == control.FaultLatency {
		f.LatencyMs = int64(rapid.IntRange(1, 20).Draw(t, "latencyMs"))
	}
	Do(t, m.r, replay.Step{Op: replay.OpFault, Fault: f})
	m.call(t, model.ActionReboot, url.Values{"InstanceId": {id}})
}

// Concurrent sends 2-4 identical reboots of one instance at once.
func (m *Machine) Concurrent(t *rapid.T) {
	id := m.id(t)
	n := rapid.IntRange(2, 4).Draw(t, "concurrent reboots")
	c := replay.FromModel(model.Request{Action: model.ActionReboot, Params: url.Values{"InstanceId": {id}, "Format": {"JSON"}}})
	calls := make([]replay.Call, n)
	for i := range calls {
		calls[i] = c
	}
	Do(t, m.r, replay.Step{Op: replay.OpConcurrent, Calls: calls})
}

// Check observes every instance after every action, so a change to the wrong
// instance or a disagreement between the read APIs shows at the step that made it.
func (m *Machine) Check(t *rapid.T) {
	if len(m.ids) > 0 {
		Do(t, m.r, DescribeStep())
	}
}
