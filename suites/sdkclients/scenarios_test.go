package sdkclients_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

// Operations: each succeeds through the client, and its effect is confirmed through the raw
// client (a second opinion that does not share the SDK's parsing).

func opReboot(force *bool) func(SpecContext, sdkClient) {
	return func(ctx SpecContext, c sdkClient) {
		id := rg.Provision(ctx, running)
		expectOK(do(ctx, c, call{Action: "RebootInstance", InstanceID: id, ForceStop: force}))
		waitStatus(ctx, id, control.StatusRunning)
	}
}

func opStart(ctx SpecContext, c sdkClient) {
	id := rg.Provision(ctx, stoppedMine)
	expectOK(do(ctx, c, call{Action: "StartInstance", InstanceID: id}))
	waitStatus(ctx, id, control.StatusRunning)
}

func opStop(ctx SpecContext, c sdkClient) {
	id := rg.Provision(ctx, running)
	expectOK(do(ctx, c, call{Action: "StopInstance", InstanceID: id, ForceStop: ptr(true)}))
	waitStatus(ctx, id, control.StatusStopped)
}

func opRunInstances(ctx SpecContext, c sdkClient) {
	r := do(ctx, c, createCall("RunInstances", 2))
	own(r.Created)
	expectOK(r)
	Expect(r.Created).To(HaveLen(2), "RunInstances Amount=2: InstanceIdSets.InstanceIdSet; %s", r)
	for _, id := range r.Created {
		waitStatus(ctx, id, control.StatusRunning)
		expectRunTag(ctx, id)
	}
}

func opCreateInstance(ctx SpecContext, c sdkClient) {
	r := do(ctx, c, createCall("CreateInstance", 0))
	own(r.Created)
	expectOK(r)
	Expect(r.Created).To(HaveLen(1), "CreateInstance: InstanceId; %s", r)
	waitStatus(ctx, r.Created[0], control.StatusStopped)
	expectRunTag(ctx, r.Created[0])
}

func opDeleteInstance(ctx SpecContext, c sdkClient) {
	id := rg.Provision(ctx, stoppedMine)
	expectOK(do(ctx, c, call{Action: "DeleteInstance", InstanceID: id}))
	waitStatus(ctx, id, contract.StatusAbsent)
}

func opDeleteInstances(ctx SpecContext, c sdkClient) {
	ids := []string{rg.Provision(ctx, running), rg.Provision(ctx, running)}
	expectOK(do(ctx, c, call{Action: "DeleteInstances", InstanceIDs: ids, Force: ptr(true)}))
	for _, id := range ids {
		waitStatus(ctx, id, contract.StatusAbsent)
	}
}

// The by-ID rows provision a bystander the filter leaves out: "exactly those" must not pass
// because the target happens to hold nothing else.

func opDescribeByIDs(ctx SpecContext, c sdkClient) {
	a, b := rg.Provision(ctx, running), rg.Provision(ctx, stopped)
	rg.Provision(ctx, running)
	r := do(ctx, c, call{Action: "DescribeInstances", InstanceIDs: []string{a, b}})
	expectOK(r)
	Expect(r.TotalCount).To(Equal(2), "TotalCount; %s", r)
	Expect(r.Listed).To(ConsistOf(listed{a, control.StatusRunning}, listed{b, control.StatusStopped}), "Instances.Instance; %s", r)
}

func opDescribeStatusFilter(ctx SpecContext, c sdkClient) {
	a, b := rg.Provision(ctx, running), rg.Provision(ctx, stopped)
	for _, want := range []listed{{a, control.StatusRunning}, {b, control.StatusStopped}} {
		r := do(ctx, c, call{Action: "DescribeInstances", InstanceIDs: []string{a, b}, Status: want.Status})
		expectOK(r)
		Expect(r.Listed).To(ConsistOf(want), "Status=%s; %s", want.Status, r)
		Expect(r.TotalCount).To(Equal(1), "TotalCount with Status=%s; %s", want.Status, r)
	}
}

func opDescribePaging(ctx SpecContext, c sdkClient) {
	ids := provisionN(ctx, 3)
	pages := pageThrough(ctx, c, call{Action: "DescribeInstances", InstanceIDs: ids})
	Expect(pages).To(ConsistOf(ids[0], ids[1], ids[2]), "the pages together list every instance once")
}

func opStatusByIDs(ctx SpecContext, c sdkClient) {
	a, b := rg.Provision(ctx, running), rg.Provision(ctx, stopped)
	rg.Provision(ctx, running)
	r := do(ctx, c, call{Action: "DescribeInstanceStatus", InstanceIDs: []string{a, b}})
	expectOK(r)
	Expect(r.TotalCount).To(Equal(2), "TotalCount; %s", r)
	Expect(r.Listed).To(ConsistOf(listed{a, control.StatusRunning}, listed{b, control.StatusStopped}), "InstanceStatuses.InstanceStatus; %s", r)
}

func opStatusPaging(ctx SpecContext, c sdkClient) {
	ids := provisionN(ctx, 3)
	pages := pageThrough(ctx, c, call{Action: "DescribeInstanceStatus", InstanceIDs: ids})
	Expect(pages).To(ConsistOf(ids[0], ids[1], ids[2]), "the pages together list every instance once")
}

// pageThrough reads the 3 instances of base two at a time: page 1 holds 2, page 2 holds 1,
// each page echoes its PageNumber and PageSize and the full TotalCount. It returns every ID
// listed, in page order.
func pageThrough(ctx SpecContext, c sdkClient, base call) []string {
	GinkgoHelper()
	var all []string
	for _, pw := range [][2]int{{1, 2}, {2, 1}} {
		page, want := pw[0], pw[1]
		q := base
		q.PageNumber, q.PageSize = page, 2
		r := do(ctx, c, q)
		expectOK(r)
		Expect(r.TotalCount).To(Equal(3), "TotalCount on page %d; %s", page, r)
		Expect([]int{r.PageNumber, r.PageSize}).To(Equal([]int{page, 2}), "PageNumber, PageSize echoed on page %d; %s", page, r)
		Expect(r.Listed).To(HaveLen(want), "items on page %d of 3 items by 2; %s", page, r)
		all = append(all, r.ids()...)
	}
	return all
}

// The documented RebootInstance errors.

// rebootError provisions spec (nil: a verified-absent ID) and expects one of rows. A
// condition the target cannot produce skips with the reason (rig.Provision).
func rebootError(spec *target.InstanceSpec, rows ...contract.ErrorRow) func(SpecContext, sdkClient) {
	return func(ctx SpecContext, c sdkClient) {
		var id string
		if spec == nil {
			id = rg.Nonexistent(ctx)
		} else {
			id = rg.Provision(ctx, *spec)
		}
		expectError(do(ctx, c, call{Action: "RebootInstance", InstanceID: id}), rows...)
	}
}

func rebootDryRun(ctx SpecContext, c sdkClient) {
	id := rg.Provision(ctx, running)
	expectError(do(ctx, c, call{Action: "RebootInstance", InstanceID: id, DryRun: ptr(true)}), contract.DryRunPassed)
	Expect(rg.StatusNow(ctx, id)).To(Equal(control.StatusRunning), "a passing DryRun changes nothing")
}

func rebootMissingID(ctx SpecContext, c sdkClient) {
	expectError(do(ctx, c, call{Action: "RebootInstance"}), contract.ErrMissingInstanceID)
}

// Gateway errors: the same client with bad credentials. The call is a DryRun on a verified-
// absent ID, so even a target that wrongly accepted the signature would change nothing.

func gwWrongSecret(ctx SpecContext, c sdkClient) {
	creds := protocol.Credentials{AccessKeyID: rg.T.Credentials.AccessKeyID, AccessKeySecret: "rebootconf-wrong-" + randomHex()}
	row := contract.ErrSignatureV1
	if signsACS3(c.Name()) {
		row = contract.ErrSignatureACS3
	}
	expectError(badCredsDryRun(ctx, c, creds), row)
}

func gwUnknownKey(ctx SpecContext, c sdkClient) {
	creds := protocol.Credentials{AccessKeyID: "rebootconf-unknown-" + randomHex(), AccessKeySecret: "rebootconf-" + randomHex()}
	expectError(badCredsDryRun(ctx, c, creds), contract.ErrUnknownAccessKey)
}

func badCredsDryRun(ctx SpecContext, c sdkClient, creds protocol.Credentials) result {
	GinkgoHelper()
	id := rg.Nonexistent(ctx)
	bad, err := c.WithCredentials(creds)
	Expect(err).NotTo(HaveOccurred())
	return do(ctx, bad, call{Action: "RebootInstance", InstanceID: id, DryRun: ptr(true)})
}

// safeGuardRefuses proves the guard sits under the client: a real reboot of a random ID that
// is neither owned nor verified absent must be refused before it leaves the process. Were the
// guard bypassed, the target would see a reboot of an ID that almost surely does not exist.
func safeGuardRefuses(ctx SpecContext, c sdkClient) {
	r := c.Do(ctx, call{Action: "RebootInstance", InstanceID: target.NewInstanceID()})
	r.Client, r.Action = c.Name(), "RebootInstance"
	Expect(guardRefused(r)).To(Succeed())
}

// guardRefused passes only for the guard's refusal of a reboot, in whichever shape the client
// surfaces it: any answer from the target, or a failure elsewhere, means it was not refused.
func guardRefused(r result) error {
	if strings.Contains(refusal(r), "safety guard refused RebootInstance") {
		return nil
	}
	return fmt.Errorf("the %s client's reboot of an instance the run neither owns nor verified absent must be refused by the ownership guard before it is sent; %s", r.Client, r)
}

// Helpers.

// waitStatus polls DescribeInstances through the raw client until id shows want
// (contract.StatusAbsent: no longer listed), within the target's bounds as the run has
// learnt them (a target whose reboots never came back in the conformance suite is not
// waited on for the full bound again).
func waitStatus(ctx context.Context, id, want string) {
	GinkgoHelper()
	bound, why := rg.TransitionBound()
	Eventually(ctx, rg.Backoff(func() error {
		st, err := rg.Reader.ViaDescribeInstances(ctx, id)
		if err == nil && st != want {
			err = fmt.Errorf("status of %s is %q, want %q (\"\" = not listed)", id, st, want)
		}
		return err
	})).WithTimeout(bound).WithPolling(rg.T.Timing.Poll).Should(Succeed(), "within %s %s", bound, why)
}

func provisionN(ctx SpecContext, n int) []string {
	GinkgoHelper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = rg.Provision(ctx, running)
	}
	return ids
}

// createCall builds RunInstances/CreateInstance with the run tag, so `rebootconf sweep` finds
// what a crashed run left. The real cloud is skipped: creating there needs the fixtures file's
// image, type and network, and costs money; the harness provisions there with the raw client.
func createCall(action string, amount int) call {
	GinkgoHelper()
	if rg.T.Kind == target.KindCloud {
		Skip(action + " through each SDK is not run on the real cloud: it needs the fixtures file's create parameters and costs money")
	}
	return call{Action: action, Amount: amount, ImageID: "rebootconf-image", InstanceType: "ecs.t6-c1m1.large",
		Tags: map[string]string{target.RunTagKey: rg.T.RunID}}
}

// own registers instances an SDK created with the guard and, after the spec, with the
// instance pool (rig.Keep: released where there is none).
func own(ids []string) {
	for _, id := range slices.Compact(slices.Sorted(slices.Values(ids))) {
		if id == "" {
			continue
		}
		rg.Keep(id)
	}
}

func randomHex() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
