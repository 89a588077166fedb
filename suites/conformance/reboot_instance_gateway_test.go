package conformance_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/suites/internal/labels"
	"github.com/rebootconf/rebootconf/suites/internal/rig"
)

// The gateway rules of the common parameters and the deleted instance of the catalogue audit
// (docs/behaviours-audit.md). The legacy SDK sets every common parameter itself, so the
// tampered requests go through the raw client only.
var _ = Describe("RebootInstance gateway", func() {
	DescribeTable("rejects a request that breaks a rule of the common parameters and changes nothing",
		func(ctx SpecContext, row contract.ErrorRow, tamper func(*protocol.Call)) {
			id := rg.Provision(ctx, target.InstanceSpec{})
			call := gatewayCall(id)
			tamper(&call)
			expectRaw(ctx, call, row)
			rg.Unchanged(ctx, contract.MustLookup(row.ID), id, contract.StatusRunning)
		},
		Entry("a Timestamp 20 minutes behind", labels.For("RI-PROTO-017"), contract.ErrTimestampExpired, timestampAt(-20*time.Minute)),
		Entry("a Timestamp 20 minutes ahead", labels.For("RI-PROTO-017"), contract.ErrTimestampExpired, timestampAt(20*time.Minute)),
		Entry("a Timestamp in RFC 1123", labels.For("RI-PROTO-018"), contract.ErrTimestampFormat, func(c *protocol.Call) {
			c.Common = url.Values{"Timestamp": {time.Now().UTC().Format(time.RFC1123)}}
		}),
		Entry("Version 2099-01-01", labels.For("RI-PROTO-019"), contract.ErrWrongVersion, commonParam("Version", "2099-01-01")),
		Entry("Action rebootinstance", labels.For("RI-PROTO-020"), contract.ErrUnknownAction, func(c *protocol.Call) { c.Action = "rebootinstance" }),
		Entry("SignatureMethod HMAC-SHA256", labels.For("RI-PROTO-021"), contract.ErrSignatureMethod, commonParam("SignatureMethod", "HMAC-SHA256")),
		Entry("Format YAML", labels.For("RI-PROTO-022"), contract.ErrBadFormat, commonParam("Format", "YAML")),
		Entry("no Action", labels.For("RI-PROTO-023"), contract.ErrMissingCommon, omitParam("Action")),
		Entry("no Version", labels.For("RI-PROTO-023"), contract.ErrMissingCommon, omitParam("Version")),
		Entry("no AccessKeyId", labels.For("RI-PROTO-023"), contract.ErrMissingCommon, omitParam("AccessKeyId")),
		Entry("no Timestamp", labels.For("RI-PROTO-023"), contract.ErrMissingCommon, omitParam("Timestamp")),
		Entry("no SignatureNonce", labels.For("RI-PROTO-023"), contract.ErrMissingCommon, omitParam("SignatureNonce")),
		Entry("HTTP PUT", labels.For("RI-PROTO-024"), contract.ErrHTTPMethod, func(c *protocol.Call) { c.Method = http.MethodPut }),
	)

	It("rejects an ACS3 request whose x-acs-date is 20 minutes off and changes nothing", labels.For("RI-PROTO-017"), func(ctx SpecContext) {
		id := rg.Provision(ctx, target.InstanceSpec{})
		for _, d := range []time.Duration{-20 * time.Minute, 20 * time.Minute} {
			By("x-acs-date " + d.String() + " from the client clock")
			c := *rg.Raw
			c.Now = func() time.Time { return time.Now().Add(d) }
			call := gatewayCall(id)
			call.Signing = protocol.SigningACS3
			expectWith(ctx, &c, call, contract.ErrTimestampExpired)
		}
		rg.Unchanged(ctx, contract.MustLookup(contract.ErrTimestampExpired.ID), id, contract.StatusRunning)
	})

	It("rejects a request that reuses a SignatureNonce and changes nothing", labels.For("RI-PROTO-016"), func(ctx SpecContext) {
		id := rg.Provision(ctx, target.InstanceSpec{})
		nonce := freshNonce()
		By("a DryRun that spends nonce " + nonce)
		first := protocol.Call{Action: "RebootInstance", Params: url.Values{"InstanceId": {id}, "DryRun": {"true"}},
			Common: url.Values{"SignatureNonce": {nonce}}}
		expectRaw(ctx, first, contract.DryRunPassed)
		By("the same nonce again")
		replay := gatewayCall(id)
		replay.Common = url.Values{"SignatureNonce": {nonce}}
		expectRaw(ctx, replay, contract.ErrNonceUsed)
		rg.Unchanged(ctx, contract.MustLookup(contract.ErrNonceUsed.ID), id, contract.StatusRunning)
	})

	It("answers 404 for an instance deleted before the call and changes no other", labels.For("RI-STATE-011"), func(ctx SpecContext) {
		id := rg.Provision(ctx, target.InstanceSpec{})
		bystander := rg.Provision(ctx, target.InstanceSpec{})
		if !rg.T.Owns(id) {
			Skip("instance " + id + " is lent by the fixtures file, not created by this run: it is not deleted")
		}
		deleteInstance(ctx, id)
		By("a DryRun of the deleted instance")
		rg.Both(ctx, rig.Reboot{InstanceID: id, DryRun: "true"}).Expect(func(r *protocol.Response) error {
			return contract.CheckError(r, contract.ErrDeleted)
		})
		// A real call is sent where the safety guard allows one: it refuses to mutate an
		// instance DescribeInstances no longer lists on any target it cannot vouch for.
		ex, err := rg.Raw.Do(ctx, protocol.Call{Action: "RebootInstance", Params: url.Values{"InstanceId": {id}}})
		if target.IsRefused(err) {
			AddReportEntry("real call not sent", protocol.Redact(err.Error()), ReportEntryVisibilityFailureOrVerbose)
		} else {
			By("a real call for the deleted instance")
			rig.Outcome{Client: rig.ClientRaw, Response: ex.Response, Transcript: ex.Transcript(), Err: err}.
				Expect(contract.CheckError(ex.Response, contract.ErrDeleted))
		}
		rg.Unchanged(ctx, contract.MustLookup(contract.ErrDeleted.ID), bystander, contract.StatusRunning)
	})
})

// gatewayCall is a RebootInstance of id: a real call, or a DryRun under --dry-run-only (the
// gateway checks precede DryRun, so it meets the same rejection).
func gatewayCall(id string) protocol.Call {
	p := url.Values{"InstanceId": {id}}
	if rg.T.DryRunOnly() {
		p.Set("DryRun", "true")
	}
	return protocol.Call{Action: "RebootInstance", Params: p}
}

// expectRaw sends call through the raw client and checks the answer against row; a call the
// safety guard refuses skips the spec.
func expectRaw(ctx context.Context, call protocol.Call, row contract.ErrorRow) {
	GinkgoHelper()
	expectWith(ctx, rg.Raw, call, row)
}

// expectWith is expectRaw through client c (a copy of the raw client with its clock moved, say).
func expectWith(ctx context.Context, c *protocol.Client, call protocol.Call, row contract.ErrorRow) {
	GinkgoHelper()
	ex, err := c.Do(ctx, call)
	if target.IsRefused(err) {
		Skip(protocol.Redact(err.Error()))
	}
	rig.Outcome{Client: rig.ClientRaw, Response: ex.Response, Transcript: ex.Transcript(), Err: err}.
		Expect(contract.CheckError(ex.Response, row))
}

// deleteInstance deletes id (Force) and waits until DescribeInstances no longer lists it.
func deleteInstance(ctx context.Context, id string) {
	GinkgoHelper()
	By("deleting " + id)
	ex, err := rg.Raw.Do(ctx, protocol.Call{Action: "DeleteInstance", Params: url.Values{"InstanceId": {id}, "Force": {"true"}}})
	if target.IsRefused(err) {
		Skip(protocol.Redact(err.Error()))
	}
	Expect(rig.Readable(err)).To(Succeed(), "DeleteInstance %s", id)
	Expect(ex.Response.IsError()).To(BeFalse(), "DeleteInstance %s: %d %s\n%s", id, ex.Response.Status, ex.Response.Code, ex.Transcript())
	tm := rg.T.Timing
	Eventually(ctx, func(g Gomega) {
		_, found, err := rg.T.Status(ctx, id)
		g.Expect(rig.Readable(err)).To(Succeed())
		g.Expect(found).To(BeFalse(), "DescribeInstances still lists deleted instance %s", id)
	}).WithTimeout(tm.ProvisionBound).WithPolling(tm.Poll).Should(Succeed())
}

func commonParam(name, value string) func(*protocol.Call) {
	return func(c *protocol.Call) { c.Common = url.Values{name: {value}} }
}

func omitParam(name string) func(*protocol.Call) {
	return func(c *protocol.Call) { c.Omit = []string{name} }
}

// timestampAt sets Timestamp to the client clock plus d, computed when the request is built.
func timestampAt(d time.Duration) func(*protocol.Call) {
	return func(c *protocol.Call) {
		c.Common = url.Values{"Timestamp": {time.Now().Add(d).UTC().Format(protocol.TimestampFormat)}}
	}
}

// freshNonce is a nonce no other request of any run has used: 32 random hex digits, like the SDKs'.
func freshNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
