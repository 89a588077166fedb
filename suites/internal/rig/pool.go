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
// call (minutes and money on the real cloud), so a plain Running or Stopped instance a spec
// leaves in that state goes back to the pool for the next spec instead of being deleted. A
// spec that wants a Stopped instance gets a pool instance stopped, one that wants Running a
// stopped one started, before anything is created. Each is re-read through both describe
// APIs before each use and on return; one that is not stable (the same Running or Stopped
// in both) is retired (deleted). One spec at a time holds an instance.
//
// Under rebootconf run the pool is the run's pool file (target.PoolFile), shared by every
// suite process, and what is free at the end is deleted by the CLI's leak check. A
// Ginkgo-native run has no such file: the pool is this process's own, and Close deletes it.

// pooled says whether s is served from the pool: a plain Running or Stopped instance on a
// target whose instances cost a RunInstances call (a Stopped one the fixtures file lends
// comes from there, as before).
func (r *Rig) pooled(s target.InstanceSpec) bool {
	if r.T.Control != nil || r.T.NoPool || len(s.LockReasons) > 0 || len(s.Conditions) > 0 || s.InternalErrorMessage != "" || s.RebootViaStopping {
		return false
	}
	switch s.Status {
	case "", contract.StatusRunning:
		return true
	case contract.StatusStopped:
		return !r.T.Lends(s) || s.Mutable
	}
	return false
}

// pooledInstance is one instance of this process's own pool, as it was given back.
type pooledInstance struct{ id, status string }

// take hands out a free pool instance in status want, read in that status through both
// describe APIs now, retiring any that is not stable; "" when the pool has none. One in
// the other stable status is started or stopped first.
func (r *Rig) take(ctx context.Context, want string) string {
	for {
		id, st := r.next(want)
		if id == "" {
			return ""
		}
		if r.stableNow(ctx, id) != st {
			r.retire(ctx, id)
			continue
		}
		if st != want {
			if err := r.T.Settle(ctx, id, want); err != nil {
				AddReportEntry("pool: could not make "+id+" "+want, err.Error())
				r.retire(ctx, id)
				continue
			}
			if r.stableNow(ctx, id) != want {
				r.retire(ctx, id)
				continue
			}
		}
		r.mu.Lock()
		r.poolStats.reused++
		r.mu.Unlock()
		return id
	}
}

// next is the next free instance, in status want if any is, leased (pool file) or taken
// off this process's list.
func (r *Rig) next(want string) (id, status string) {
	order := []string{want, contract.StatusStopped}
	if want == contract.StatusStopped {
		order[1] = contract.StatusRunning
	}
	if r.T.SharedPool() {
		for _, st := range order {
			id, refused, err := r.T.LeasePooled(st)
			for _, f := range refused {
				AddReportEntry("pool: refused "+f, "the instance pool file names it, but this run's created ledger does not: never the run's to use")
			}
			if err != nil {
				AddReportEntry("pool: could not lease an instance", err.Error())
				return "", ""
			}
			if id != "" {
				return id, st
			}
		}
		return "", ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, st := range order {
		for i := len(r.free) - 1; i >= 0; i-- {
			if in := r.free[i]; in.status == st {
				r.free = slices.Delete(r.free, i, i+1)
				return in.id, st
			}
		}
	}
	return "", ""
}

// giveBack returns id to the pool at the end of a spec when it is Running or Stopped in both
// describe APIs, and deletes it otherwise.
func (r *Rig) giveBack(ctx context.Context, id string) error {
	st := r.settled(ctx, id)
	if st == "" {
		return r.retireErr(ctx, id)
	}
	if r.T.SharedPool() {
		return r.T.ReturnPooled(id, st)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.free = append(r.free, pooledInstance{id, st})
	return nil
}

// settled waits, backing off, for id to read stable (a spec may end with it mid-reboot or
// stopping): no longer than a reboot is waited for, which deleting it would wait for too.
// "" when it did not settle.
func (r *Rig) settled(ctx context.Context, id string) string {
	r.mu.Lock()
	stuck := r.learn.Stuck != ""
	r.mu.Unlock()
	if stuck {
		// A target seen not to come back is not waited on twice (settle, then delete).
		return r.stableNow(ctx, id)
	}
	bound, _ := r.rebootBound()
	ctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	st := ""
	_ = r.T.Timing.Wait(ctx, bound, "instance "+id+" to settle", func(ctx context.Context) (bool, error) {
		if st = r.stableNow(ctx, id); st != "" {
			return true, nil
		}
		_, found, err := r.T.Status(ctx, id)
		return err == nil && !found, nil // gone (a spec deleted it): nothing to wait for
	})
	return st
}

// stableNow reads id through both describe APIs: Running or Stopped when both say so, ""
// otherwise (a transient status, a disagreement, an error).
func (r *Rig) stableNow(ctx context.Context, id string) string {
	got := ""
	for _, s := range r.Reader.Sources() {
		st, err := s.Read(ctx, id)
		if err != nil || (st != contract.StatusRunning && st != contract.StatusStopped) || (got != "" && st != got) {
			return ""
		}
		got = st
	}
	return got
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
	for _, in := range free {
		if err := r.release(ctx, in.id); err != nil {
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
	leases     map[string]int // the pool file's lease count of each entry
}

// view reads the pool once (the pool file's lock is taken once per account read, not per
// instance). An unreadable pool file holds everything in it: nothing it names is watched.
func (r *Rig) view() poolView {
	v := poolView{r: r, free: map[string]bool{}, held: map[string]bool{}, leases: map[string]int{}}
	if !r.T.SharedPool() {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, in := range r.free {
			v.free[in.id] = true
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
		v.leases[e.ID] = e.Leases
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

// since is the account check's skip for a read taken with v: an instance some spec held
// when the read left it out, or holds now, or leased and put back in between (free in both
// views, but with another lease count: a spec of another process stopped it, say) was acted
// on by the run, not changed behind its back.
func (v poolView) since(now poolView) func(string) bool {
	return func(id string) bool {
		return v.inUse(id) || now.inUse(id) || v.leases[id] != now.leases[id]
	}
}

// inUse reports whether a spec holds id: one of this process (owned and not idle) or,
// with the run's pool file, any process's lease.
func (v poolView) inUse(id string) bool {
	return (v.r.T.Owns(id) || v.held[id]) && !v.free[id]
}

// Keep takes an instance the spec itself created (RunInstances through an SDK, say) as the
// run's: owned now, and at the end of the spec given to the pool when it is stable (deleted
// otherwise, and always where there is no pool), so the next spec need not create one.
func (r *Rig) Keep(id string) {
	GinkgoHelper()
	r.T.Own(id)
	if r.T.Control == nil && !r.T.NoPool {
		DeferCleanup(r.giveBack, id)
		return
	}
	DeferCleanup(r.T.Release, id)
}
