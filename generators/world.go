package generators

import (
	"fmt"

	"pgregory.net/rapid"

	"github.com/rebootconf/rebootconf/fixtures/model"
	"github.com/rebootconf/rebootconf/fixtures/replay"
	"github.com/rebootconf/rebootconf/fixtures/vocab"
)

// WorldOptions shape a drawn world.
type WorldOptions struct {
	Min, Max   int  // instance count (defaults 1 and 4)
	Locks      bool // draw security/financial locks
	Conditions bool // draw the conditions of vocab.Conditions but internal-error
	// InternalErrors also draws the internal-error condition (500 InternalError, an
	// injected 5xx as far as the no-5xx property is concerned).
	InternalErrors bool
	// Statuses to draw from; default all five, Running first.
	Statuses []string
	// RunningFirst makes the first instance Running with no lock or condition, so a
	// world always has something to reboot.
	RunningFirst bool
}

func (o WorldOptions) withDefaults() WorldOptions {
	if o.Min <= 0 {
		o.Min = 1
	}
	if o.Max < o.Min {
		o.Max = max(o.Min, 4)
	}
	if len(o.Statuses) == 0 {
		o.Statuses = []string{string(model.Running), string(model.Running), string(model.Stopped),
			string(model.Starting), string(model.Stopping), string(model.Pending)}
	}
	return o
}

// InstanceID draws a real-looking instance ID; idx keeps the IDs of one world distinct.
func InstanceID(idx int) *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		return fmt.Sprintf("i-%s%02d", rapid.StringMatching(`[a-z0-9]{18}`).Draw(t, "id"), idx)
	})
}

// World draws several instances in mixed statuses, locks and conditions.
func World(opts WorldOptions) *rapid.Generator[[]replay.Instance] {
	o := opts.withDefaults()
	return rapid.Custom(func(t *rapid.T) []replay.Instance {
		n := rapid.IntRange(o.Min, o.Max).Draw(t, "instances")
		out := make([]replay.Instance, n)
		for i := range out {
			in := replay.Instance{ID: InstanceID(i).Draw(t, fmt.Sprintf("InstanceId[%d]", i)), Status: string(model.Running)}
			if i > 0 || !o.RunningFirst {
				in.Status = rapid.SampledFrom(o.Statuses).Draw(t, fmt.Sprintf("Status[%d]", i))
				if o.Locks {
					in.Locks = rapid.SampledFrom([][]string{nil, nil, nil, nil, {string(model.LockSecurity)},
						{string(model.LockFinancial)}, {string(model.LockSecurity), string(model.LockFinancial)}}).
						Draw(t, fmt.Sprintf("Locks[%d]", i))
				}
				if o.Conditions {
					conds := [][]string{nil, nil, nil, nil}
					for _, c := range vocab.Conditions() {
						if c != vocab.InternalError || o.InternalErrors {
							conds = append(conds, []string{string(c)})
						}
					}
					in.Conditions = rapid.SampledFrom(conds).Draw(t, fmt.Sprintf("Conditions[%d]", i))
				}
			}
			out[i] = in
		}
		return out
	})
}
