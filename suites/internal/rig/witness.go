package rig

import (
	"context"
	"fmt"
	"strings"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/control"
)

// record is what a target's control API says happened to an instance: the
// reboots it accepted and its status history. Polling the public describe
// APIs can miss a transition that is over between two polls (an immediate
// reboot always is); the record cannot. The zero record (ok false) witnesses
// nothing: no control API, or it could not be read.
type record struct {
	ok      bool
	reboots int // accepted RebootInstance calls
	changes int // status history entries (the emulator keeps the last 64)
	last    control.StatusChange
	starts  int // Starting entries in the history
}

// readRecord reads id's record through the control API.
func (rg *Rig) readRecord(ctx context.Context, id string) record {
	if rg.T.Control == nil {
		return record{}
	}
	in, err := rg.T.Control.GetInstance(ctx, id)
	if err != nil {
		return record{}
	}
	r := record{ok: true, reboots: in.RebootCount, changes: len(in.History)}
	if n := len(in.History); n > 0 {
		r.last = in.History[n-1]
	}
	for _, c := range in.History {
		if c.Status == control.StatusStarting {
			r.starts++
		}
	}
	return r
}

// diff describes how now differs from r, or "" when nothing happened. A
// capped history keeps its length, so its last entry is compared too.
func (r record) diff(now record) string {
	if !r.ok || !now.ok {
		return ""
	}
	var out []string
	if now.reboots != r.reboots {
		out = append(out, fmt.Sprintf("rebootCount went from %d to %d", r.reboots, now.reboots))
	}
	if now.changes != r.changes || now.last != r.last {
		out = append(out, fmt.Sprintf("the status history grew from %d to %d entries, the latest %s at %s (cause %q)",
			r.changes, now.changes, now.last.Status, now.last.At, now.last.Cause))
	}
	return strings.Join(out, "; ")
}

// baseline is id's record when this process last knew nothing was under
// way: after provisioning it or after watching its reboot to the end.
func (rg *Rig) baseline(id string) record {
	rg.mu.Lock()
	defer rg.mu.Unlock()
	return rg.seen[id]
}

func (rg *Rig) noteBaseline(id string, r record) {
	if !r.ok {
		return
	}
	rg.mu.Lock()
	defer rg.mu.Unlock()
	if rg.seen == nil {
		rg.seen = map[string]record{}
	}
	rg.seen[id] = r
}

// checkRecordUnchanged is the control API's side of "nothing changed": id's
// record must equal its baseline. nil when there is nothing to compare.
func (rg *Rig) checkRecordUnchanged(ctx context.Context, b contract.Behaviour, id, want string) error {
	if d := rg.baseline(id).diff(rg.readRecord(ctx, id)); d != "" {
		return fmt.Errorf("%s: instance %s changed although every status read was %s: the control API shows %s",
			b, id, want, d)
	}
	return nil
}
