package rig

import (
	"context"
	"fmt"
	"slices"
	"sync"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL
	. "github.com/onsi/gomega"    //nolint:revive // Gomega DSL

	"github.com/rebootconf/rebootconf/fixtures/control"
)

// CanHold reports whether the target can freeze an instance in a transient
// status (the control API's transitions capability), and why not.
func (rg *Rig) CanHold(ctx context.Context) (bool, string) {
	if rg.T.Control == nil {
		return false, "the target serves no control API"
	}
	h, err := rg.T.Control.Health(ctx)
	if err != nil {
		return false, "the control API's health could not be read: " + err.Error()
	}
	if !slices.Contains(h.Capabilities, control.CapTransitions) {
		return false, "the control API lacks the " + control.CapTransitions + " capability"
	}
	return true, ""
}

// Hold freezes id in the next transient status it enters (a per-instance
// stuck transition), so a spec can act while a reboot is in progress however
// fast the target would otherwise complete it. The returned release restores
// the instance's own transition settings, which lets the held status move on;
// it is idempotent and also runs at cleanup. ok is false, with the reason,
// when the target cannot hold; nothing is changed then.
func (rg *Rig) Hold(ctx context.Context, id string) (release func(), ok bool, why string) {
	GinkgoHelper()
	if ok, why := rg.CanHold(ctx); !ok {
		return func() {}, false, why
	}
	in, err := rg.T.Control.GetInstance(ctx, id)
	Expect(Readable(err)).To(Succeed(), "read instance %s through the control API", id)
	// Keep the instance's other settings (a variant may reboot via Stopping).
	own := control.InstanceTransition{}
	if in.Transition != nil {
		own = *in.Transition
	}
	stuck := own
	stuck.Mode = control.ModeStuck
	_, err = rg.T.Control.PatchInstance(ctx, id, control.InstancePatch{Transition: &stuck})
	Expect(Readable(err)).To(Succeed(), "hold instance %s in its next transient status", id)
	var once sync.Once
	release = func() {
		GinkgoHelper()
		once.Do(func() {
			// An empty transition removes the override, as the instance had none.
			_, err := rg.T.Control.PatchInstance(context.WithoutCancel(ctx), id, control.InstancePatch{Transition: &own})
			Expect(Readable(err)).To(Succeed(), "release instance %s", id)
		})
	}
	DeferCleanup(release)
	By(fmt.Sprintf("holding %s in its next transient status", id))
	return release, true, ""
}
