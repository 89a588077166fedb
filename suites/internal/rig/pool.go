package rig

import (
	"context"
	"errors"
	"fmt"
	"slices"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

// The instance pool: on a target without the control API every instance is a RunInstances
// call (minutes and money on the real cloud), so a plain Running instance a spec leaves
// Running goes back to this process's pool for the next spec instead of being deleted. It is
// re-read through both describe APIs before each use and on return; one that is not Running
// in both is retired (deleted). One spec at a time holds an instance; Close deletes the rest.

// pooled says whether s is served from the pool: a plain Running instance on a target whose
// instances cost a RunInstances call.
func (r *Rig) pooled(s target.InstanceSpec) bool {
	return r.T.Control == nil && !r.T.NoPool && (s.Status == "" || s.Status == contract.StatusRunning) &&
		len(s.LockReasons) == 0 && len(s.Conditions) == 0 && s.InternalErrorMessage == "" && !s.RebootViaStopping
}

// take hands out a free pool instance that reads Running now, retiring any that do not;
// "" when the pool has none.
func (r *Rig) take(ctx context.Context) string {
	for {
		r.mu.Lock()
		if len(r.free) == 0 {
			r.mu.Unlock()
			return ""
		}
		id := r.free[len(r.free)-1]
		r.free = r.free[:len(r.free)-1]
		r.mu.Unlock()
		if r.runningNow(ctx, id) {
			r.poolStats.reused++
			return id
		}
		r.retire(ctx, id)
	}
}

// giveBack returns id to the pool at the end of a spec when it is Running in both describe
// APIs, and deletes it otherwise.
func (r *Rig) giveBack(ctx context.Context, id string) error {
	if !r.runningNow(ctx, id) {
		return r.retireErr(ctx, id)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.free = append(r.free, id)
	return nil
}

// runningNow reads id through both describe APIs; an error reads as not Running.
func (r *Rig) runningNow(ctx context.Context, id string) bool {
	for _, s := range r.Reader.Sources() {
		if st, err := s.Read(ctx, id); err != nil || st != contract.StatusRunning {
			return false
		}
	}
	return true
}

func (r *Rig) retire(ctx context.Context, id string) {
	if err := r.retireErr(ctx, id); err != nil {
		AddReportEntry("pool: could not delete "+id, err.Error())
	}
}

func (r *Rig) retireErr(ctx context.Context, id string) error {
	r.mu.Lock()
	r.poolStats.retired++
	r.mu.Unlock()
	return r.release(ctx, id)
}

// drainPool deletes every free pool instance (at Close).
func (r *Rig) drainPool(ctx context.Context) error {
	r.mu.Lock()
	free := r.free
	r.free = nil
	r.mu.Unlock()
	var errs []error
	for _, id := range free {
		if err := r.release(ctx, id); err != nil {
			errs = append(errs, err)
		}
	}
	if r.poolStats.reused > 0 || r.poolStats.retired > 0 {
		fmt.Fprintf(GinkgoWriter, "instance pool: %d hand-outs reused an instance, %d instances retired, %d deleted at the end\n",
			r.poolStats.reused, r.poolStats.retired, len(free))
	}
	return errors.Join(errs...)
}

type poolStats struct{ reused, retired int }

// idle reports whether id waits in this process's pool.
func (r *Rig) idle(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Contains(r.free, id)
}

// held reports whether a spec of this process holds id: owned and not idle.
func (r *Rig) held(id string) bool { return r.T.Guard.Owns(id) && !r.idle(id) }
