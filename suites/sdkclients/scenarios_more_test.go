package sdkclients_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

// What DescribeInstances shows besides the status, and gateway answers the control API's
// faults provoke on demand.

// opDescribeLocksAndTags: a security-locked instance carrying the run tag and a second,
// spec-specific tag shows both in OperationLocks and Tags through the client.
func opDescribeLocksAndTags(ctx SpecContext, c sdkClient) {
	ctl := controlAPI(ctx, "", "tag a locked instance")
	id := rg.Provision(ctx, target.InstanceSpec{LockReasons: []string{"security"}})
	key, value := "rebootconf-check", randomHex()
	tags := []control.Tag{{Key: target.RunTagKey, Value: rg.T.RunID}, {Key: key, Value: value}}
	_, err := ctl.PatchInstance(ctx, id, control.InstancePatch{Tags: &tags})
	Expect(err).NotTo(HaveOccurred(), "tag %s through the control API", id)

	r := do(ctx, c, call{Action: "DescribeInstances", InstanceIDs: []string{id}})
	expectOK(r)
	d, ok := r.Details[id]
	Expect(ok).To(BeTrue(), "DescribeInstances must list %s; %s", id, r)
	Expect(d.Locks).To(ConsistOf("security"), "OperationLocks.LockReason[].LockReason; %s", r)
	Expect(d.Tags).To(And(HaveKeyWithValue(target.RunTagKey, rg.T.RunID), HaveKeyWithValue(key, value)), "Tags.Tag[] (TagKey → TagValue); %s", r)
}

// expectRunTag reads id back with the raw client (a second opinion that does not share the
// SDK's parsing): an instance an SDK created carries the run tag it sent as Tag.N.
func expectRunTag(ctx context.Context, id string) {
	GinkgoHelper()
	p := url.Values{"RegionId": {rg.T.Region}, "InstanceIds": {fmt.Sprintf("[%q]", id)}}
	ex, err := rg.Raw.Do(ctx, protocol.Call{Action: "DescribeInstances", Params: p})
	Expect(err).NotTo(HaveOccurred(), "DescribeInstances(%s) with the raw client", id)
	Expect(ex.Response.IsError()).To(BeFalse(), "DescribeInstances(%s): HTTP %d %s", id, ex.Response.Status, ex.Response.Code)
	var tags map[string]string
	for _, it := range objectItems(ex.Response.Fields, "Instances", "Instance") {
		if it["InstanceId"] == id {
			tags = detailsOf(it).Tags
		}
	}
	Expect(tags).To(HaveKeyWithValue(target.RunTagKey, rg.T.RunID),
		"%s must carry the run tag sent on create (Tags.Tag read with the raw client)", id)
}

// Gateway answers a control API fault provokes: the call is a DryRun of a Running instance the
// run owns, scoped by the fault to this instance, so a target that ignored the fault would
// still change nothing.
var (
	errThrottled = contract.ErrorRow{ID: "SDK-GW-003", Source: "notes §5.3 (Throttling.User)",
		Statuses: []int{http.StatusBadRequest}, Codes: []string{"Throttling.User"}, Messages: []string{"Request was denied due to user flow control."}}
	errUnavailable = contract.ErrorRow{ID: "SDK-GW-004", Source: "notes §5.2 (ServiceUnavailable)",
		Statuses: []int{http.StatusServiceUnavailable}, Codes: []string{"ServiceUnavailable"},
		Messages: []string{"The request has failed due to a temporary failure of the server."}}
)

func gwFault(f control.Fault, row contract.ErrorRow) func(SpecContext, sdkClient) {
	return func(ctx SpecContext, c sdkClient) {
		ctl := controlAPI(ctx, control.CapFaults, "make it answer "+row.Want())
		id := rg.Provision(ctx, running)
		f.Action, f.InstanceID, f.Count = "RebootInstance", id, -1
		got, err := ctl.AddFault(ctx, f)
		Expect(err).NotTo(HaveOccurred(), "install a %s fault", f.Kind)
		DeferCleanup(func(ctx SpecContext) error { return ctl.DeleteFault(ctx, got.ID) })
		expectError(do(ctx, c, call{Action: "RebootInstance", InstanceID: id, DryRun: ptr(true)}), row)
		Expect(rg.StatusNow(ctx, id)).To(Equal(control.StatusRunning), "a DryRun the gateway refused changes nothing")
	}
}

// controlAPI returns the target's control client, skipping the spec when the target serves
// none or lacks capability (when given): why says what the spec needed it for.
func controlAPI(ctx SpecContext, capability, why string) *control.Client {
	GinkgoHelper()
	ctl := rg.T.Control
	if ctl == nil {
		Skip("the target serves no control API, needed to " + why)
	}
	if capability != "" {
		h, err := ctl.Health(ctx)
		Expect(err).NotTo(HaveOccurred(), "control API health")
		if !slices.Contains(h.Capabilities, capability) {
			Skip(fmt.Sprintf("the target's control API lacks the %q capability, needed to %s", capability, why))
		}
	}
	return ctl
}
