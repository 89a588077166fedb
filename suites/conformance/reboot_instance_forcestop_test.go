package conformance_test

import (
	"errors"

	. "github.com/onsi/ginkgo/v2"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/suites/internal/labels"
	"github.com/rebootconf/rebootconf/suites/internal/rig"
)

var _ = Describe("RebootInstance ForceStop", func() {
	DescribeTable("reboots a Running instance along the legal path",
		func(ctx SpecContext, force string) {
			id := rg.Provision(ctx, target.InstanceSpec{})
			for _, c := range clients {
				By("rebooting with ForceStop=" + force + " through the " + c + " client")
				o := rg.Send(ctx, c, rig.Reboot{InstanceID: id, ForceStop: force})
				o.Expect(contract.CheckSuccess(o.Response, protocol.FormatJSON))
				rg.WatchReboot(ctx, id, nil)
			}
		},
		Entry("ForceStop=true", labels.For("RI-FORCE-001"), "true"),
		Entry("ForceStop=false", labels.For("RI-FORCE-002"), "false"),
		Entry("ForceStop absent", labels.For("RI-FORCE-003"), ""),
	)

	It("rejects a ForceStop that is not a boolean with 400 and changes nothing", labels.For("RI-FORCE-004"), func(ctx SpecContext) {
		id := rg.Provision(ctx, target.InstanceSpec{})
		for _, v := range malformedBooleans {
			By("ForceStop=" + v)
			rg.Both(ctx, rig.Reboot{InstanceID: id, ForceStop: v}).Expect(func(r *protocol.Response) error {
				return errors.Join(contract.CheckError(r, contract.ErrMalformedForceStop), garbageBool.Admits("ForceStop", r.Status, r.Code))
			})
		}
		rg.Unchanged(ctx, contract.MustLookup("RI-FORCE-004"), id, contract.StatusRunning)
	})

	It("does not let ForceStop=true reboot a Stopped instance", labels.For("RI-FORCE-005"), func(ctx SpecContext) {
		id := rg.Provision(ctx, target.InstanceSpec{Status: contract.StatusStopped})
		rg.Both(ctx, rig.Reboot{InstanceID: id, ForceStop: "true"}).Expect(func(r *protocol.Response) error {
			return contract.CheckErrorAny(r, wrongStatusRows...)
		})
		rg.Unchanged(ctx, contract.MustLookup("RI-FORCE-005"), id, contract.StatusStopped)
	})
})
