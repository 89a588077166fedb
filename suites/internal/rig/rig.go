// Package rig is the Ginkgo side of a conformance run: it opens the target,
// provisions per-spec instances (cleanup registered right after acquiring),
// sends RebootInstance through the raw client and the legacy SDK, and runs
// the state oracle with Eventually/Consistently. Checks stay in
// fixtures/contract; this package only adapts them to Ginkgo.
package rig

import (
	"context"
	"errors"
	"fmt"
	"sync"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/suites/internal/observe"
)

// Rig is one process's view of the target. Specs may share it.
type Rig struct {
	T      *target.Target
	Raw    *protocol.Client
	Reader observe.Reader

	mu        sync.Mutex
	seen      map[string]record  // per instance: its control-API record after provisioning or the last watched reboot
	accounts  map[string]account // per provisioned Running instance: the account's other instances just after
	learn     target.Learnt      // what this run has seen of the target's reboots
	free      []pooledInstance   // this process's own pool's idle instances, without a pool file (pool.go)
	poolStats poolStats
	pooledIDs map[string]bool // every instance this process has seen in the run's pool file
}

// Open opens the target the environment names. runID, when non-empty, is
// shared by every parallel process so one sweep finds all their instances.
func Open(ctx context.Context, runID string) (*Rig, error) {
	o, err := target.OptionsFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	if runID != "" {
		o.RunID = runID
	}
	t, err := target.Open(ctx, o)
	if err != nil {
		return nil, err
	}
	if _, err := t.Legacy(); err != nil {
		t.Close()
		return nil, err
	}
	raw := t.Raw()
	return &Rig{T: t, Raw: raw, Reader: observe.Reader{Client: raw, Region: t.Region}, learn: t.LoadLearnt()}, nil
}

// Close deletes the pool's instances and closes the target.
func (r *Rig) Close() error {
	return errors.Join(r.drainPool(context.Background()), r.T.Close())
}

// Provision returns a fresh instance for this spec and registers its release.
// A fixture the target cannot produce skips the spec with the reason.
func (r *Rig) Provision(ctx context.Context, s target.InstanceSpec) string {
	GinkgoHelper()
	if r.pooled(s) {
		if id := r.take(ctx, describeStatus(s)); id != "" {
			DeferCleanup(r.giveBack, id)
			By(fmt.Sprintf("took %s from the instance pool (read %s in both describe APIs)", id, describeStatus(s)))
			if describeStatus(s) == contract.StatusRunning {
				r.noteAccount(ctx, id)
			}
			return id
		}
	}
	id, err := r.T.Provision(ctx, s)
	if id != "" && r.pooled(s) && err == nil {
		DeferCleanup(r.giveBack, id)
	} else if id != "" {
		DeferCleanup(r.release, id)
	}
	if errors.Is(err, target.ErrUnsupported) {
		Skip(fmt.Sprintf("target %s cannot provide %s: %v", r.T.Kind, describeSpec(s), err))
	}
	if err != nil {
		// The cause is the one-line reason (a redirect, an unproven absence...), not Gomega's wrapper.
		Fail(fmt.Sprintf("provision %s: %s", describeSpec(s), protocol.Redact(err.Error())))
	}
	By(fmt.Sprintf("provisioned %s as %s", describeSpec(s), id))
	r.noteBaseline(id, r.readRecord(ctx, id))
	if s.Status == "" || s.Status == contract.StatusRunning {
		r.noteAccount(ctx, id)
	}
	return id
}

// release deletes id at cleanup, waiting for a transitional status to end
// no longer than a reboot is waited for: an instance a broken target left
// stuck is reported as not released, not waited on for the flag's ceiling.
func (r *Rig) release(ctx context.Context, id string) error {
	bound, _ := r.rebootBound()
	ctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	return r.T.Release(ctx, id)
}

// Nonexistent returns an instance ID verified absent on the target.
func (r *Rig) Nonexistent(ctx context.Context) string {
	GinkgoHelper()
	id, err := r.T.NonexistentID(ctx)
	if err != nil {
		Fail("find a nonexistent instance id: " + protocol.Redact(err.Error()))
	}
	return id
}

// describeStatus is the status s asks for (Running when it names none).
func describeStatus(s target.InstanceSpec) string {
	if s.Status == "" {
		return contract.StatusRunning
	}
	return s.Status
}

func describeSpec(s target.InstanceSpec) string {
	out := "a " + describeStatus(s) + " instance"
	for _, l := range s.LockReasons {
		out += " locked for " + l
	}
	for _, c := range s.Conditions {
		out += " with " + c
	}
	if s.InternalErrorMessage != "" {
		out += " (" + s.InternalErrorMessage + " InternalError text)"
	}
	return out
}
