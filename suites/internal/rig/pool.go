package rig

import (
	"context"
	"errors"
	"fmt"

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
// "" when the pool has none. With the run's pool file (rebootconf run) the instance is
// leased from it, exclusively, whichever process or suite put it there.
func (r *Rig) take(ctx context.Context) string {
	for {
		id := r.next()
		if id == "" {
			return ""
		}
		if r.runningNow(ctx, id) {
			r.mu.Lock()
			r.poolStats.reused++
			r.mu.Unlock()
			return id
		}
		r.retire(ctx, id)
	}
}

// next is the next free instance, leased (pool file) or taken off this process's list.
func (r *Rig) next() string {
	if r.T.SharedPool() {
		id, refused, err := r.T.LeasePooled(contract.StatusRunning)
		for _, f := range refused {
			AddReportEntry("pool: refused "+f, "the instance pool file names it, but this run's created ledger does not: never the run's to use")
		}
		if err != nil {
			AddReportEntry("pool: could not lease an instance", err.Error())
		}
		return id
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.free) == 0 {
		return ""
	}
	id := r.free[len(r.free)-1]
	r.free = r.free[:len(r.free)-1]
	return id
}

// giveBack returns id to the pool at the end of a spec when it is Running in both describe
// APIs, and deletes it otherwise.
func (r *Rig) giveBack(ctx context.Context, id string) error {
	if !r.runningNow(ctx, id) {
		return r.retireErr(ctx, id)
	}
	if r.T.SharedPool() {
		return r.T.ReturnPooled(id, contract.StatusRunning)
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
	return errors.Join(r.release(ctx, id), r.T.DropPooled(id))
}

// drainPool deletes every free pool instance of this process (at Close). The run's pool
// file is left alone: other processes may still lease its instances, and the CLI's leak
// check deletes what is free at the end.
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

// poolView is one read of which instances wait idle in the pool and which the run's pool
// file says some process holds.
type poolView struct {
	r          *Rig
	free, held map[string]bool
}

// view reads the pool once (the pool file's lock is taken once per account read, not per
// instance). An unreadable pool file holds everything in it: nothing it names is watched.
func (r *Rig) view() poolView {
	v := poolView{r: r, free: map[string]bool{}, held: map[string]bool{}}
	if !r.T.SharedPool() {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, id := range r.free {
			v.free[id] = true
		}
		return v
	}
	es, err := r.T.PoolEntries()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pooledIDs == nil {
		r.pooledIDs = map[string]bool{}
	}
	for _, e := range es {
		r.pooledIDs[e.ID] = true
		if e.Free() && err == nil {
			v.free[e.ID] = true
		} else {
			v.held[e.ID] = true
		}
	}
	// One the file no longer names was retired by whoever leased it: a spec's doing.
	for id := range r.pooledIDs {
		if !v.free[id] {
			v.held[id] = true
		}
	}
	return v
}

// idle reports whether id waited in the pool at the view.
func (v poolView) idle(id string) bool { return v.free[id] }

// inUse reports whether a spec holds id: one of this process (owned and not idle) or,
// with the run's pool file, any process's lease.
func (v poolView) inUse(id string) bool {
	return (v.r.T.Guard.Owns(id) || v.held[id]) && !v.free[id]
}
