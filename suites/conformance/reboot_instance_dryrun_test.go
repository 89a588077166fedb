package conformance_test

import (
	"errors"

	. "github.com/onsi/ginkgo/v2"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/model"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/suites/internal/labels"
	"github.com/rebootconf/rebootconf/suites/internal/rig"
)

// garbageBool is the model's beyond-the-document feature for a Boolean no parser
// reads (BD-006): its examples are what these specs send, and its rejections are
// the answers they allow, so the specs and the properties judge them alike.
// Spellings a lenient target might take (TRUE, 1) are BD-005, not here.
var garbageBool, _ = model.LookupFeature(model.FeatBoolGarbage)

var malformedBooleans = garbageBool.Examples

var _ = Describe("RebootInstance DryRun", func() {
	It("answers 400 DryRunOperation for a Running instance and changes nothing",
		labels.For("RI-DRYRUN-001", "RI-DRYRUN-002"), func(ctx SpecContext) {
			id := rg.Provision(ctx, target.InstanceSpec{})
			rg.Both(ctx, rig.Reboot{InstanceID: id, DryRun: "true"}).Expect(contract.CheckDryRunPassed)
			rg.Unchanged(ctx, contract.MustLookup("RI-DRYRUN-002"), id, contract.StatusRunning)
		})

	It("changes nothing with ForceStop=true either", labels.For("RI-DRYRUN-012"), func(ctx SpecContext) {
		id := rg.Provision(ctx, target.InstanceSpec{})
		rg.Both(ctx, rig.Reboot{InstanceID: id, DryRun: "true", ForceStop: "true"}).Expect(contract.CheckDryRunPassed)
		rg.Unchanged(ctx, contract.MustLookup("RI-DRYRUN-012"), id, contract.StatusRunning)
	})

	DescribeTable("returns the error the real call would, and changes nothing, when a check fails",
		func(ctx SpecContext, id string, c contract.Condition) {
			b := contract.MustLookup(id)
			for _, s := range subjectsFor(ctx, c) {
				By("DryRun=true on " + describeSubject(s))
				rg.Both(ctx, rig.Reboot{InstanceID: s.ID, DryRun: "true"}).Expect(func(r *protocol.Response) error {
					return contract.CheckErrorAny(r, contract.RowsFor(c)...)
				})
				if s.Status != "" {
					rg.Unchanged(ctx, b, s.ID, s.Status)
				}
			}
		},
		Entry("a nonexistent InstanceId", labels.For("RI-DRYRUN-003"), "RI-DRYRUN-003", contract.CondNotFound),
		Entry("a Stopped instance", labels.For("RI-DRYRUN-004"), "RI-DRYRUN-004", contract.CondWrongStatus),
		Entry("an instance locked for security", labels.For("RI-DRYRUN-005"), "RI-DRYRUN-005", contract.CondSecurityLock),
		Entry("an instance under a financial lock", labels.For("RI-DRYRUN-006"), "RI-DRYRUN-006", contract.CondFinancialLock),
		Entry("an instance with a disk error", labels.For("RI-DRYRUN-007"), "RI-DRYRUN-007", contract.CondDiskError),
		Entry("an instance whose KMS key ECS may not use", labels.For("RI-DRYRUN-008"), "RI-DRYRUN-008", contract.CondKMSUnauthorized),
		Entry("no InstanceId", labels.For("RI-DRYRUN-009"), "RI-DRYRUN-009", contract.CondMissingInstanceID),
	)

	It("reboots normally with DryRun=false", labels.For("RI-DRYRUN-010"), func(ctx SpecContext) {
		id := rg.Provision(ctx, target.InstanceSpec{})
		for _, c := range clients {
			By("rebooting with DryRun=false through the " + c + " client")
			o := rg.Send(ctx, c, rig.Reboot{InstanceID: id, DryRun: "false"})
			o.Expect(contract.CheckSuccess(o.Response, protocol.FormatJSON))
			rg.WatchReboot(ctx, id, nil)
		}
	})

	It("rejects a DryRun that is not a boolean with 400 and changes nothing", labels.For("RI-DRYRUN-011"), func(ctx SpecContext) {
		id := rg.Provision(ctx, target.InstanceSpec{})
		for _, v := range malformedBooleans {
			By("DryRun=" + v)
			rg.Both(ctx, rig.Reboot{InstanceID: id, DryRun: v}).Expect(func(r *protocol.Response) error {
				return errors.Join(contract.CheckError(r, contract.ErrMalformedDryRun), garbageBool.Admits("DryRun", r.Status, r.Code))
			})
		}
		rg.Unchanged(ctx, contract.MustLookup("RI-DRYRUN-011"), id, contract.StatusRunning)
	})
})

func describeSubject(s subject) string {
	switch {
	case s.ID == "":
		return "a request without InstanceId"
	case s.Status == "":
		return "InstanceId " + s.ID + " (absent)"
	}
	return "instance " + s.ID + " (" + s.Status + ")"
}
