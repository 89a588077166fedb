package conformance_test

import (
	"errors"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/suites/internal/labels"
	"github.com/rebootconf/rebootconf/suites/internal/rig"
)

var _ = Describe("RebootInstance protocol", func() {
	DescribeTable("answers an accepted reboot in the requested format",
		func(ctx SpecContext, f protocol.Format) {
			id := rg.Provision(ctx, target.InstanceSpec{})
			cs := clients
			if f == protocol.FormatXML {
				cs = []string{rig.ClientRaw} // the legacy SDK is checked in JSON
			}
			for _, c := range cs {
				By(string(f) + " through the " + c + " client")
				o := rg.Send(ctx, c, rig.Reboot{InstanceID: id, Format: f})
				o.Expect(contract.CheckSuccess(o.Response, f))
				o.Expect(contract.CheckRequestIDHeader(o.Response))
				rg.WatchReboot(ctx, id, nil)
			}
		},
		Entry("JSON", labels.For("RI-PROTO-001"), protocol.FormatJSON),
		Entry("XML", labels.For("RI-PROTO-002"), protocol.FormatXML),
	)

	DescribeTable("wraps errors in the format's envelope",
		func(ctx SpecContext, f protocol.Format) {
			id := rg.Nonexistent(ctx)
			rg.Both(ctx, rig.Reboot{InstanceID: id, Format: f}).Expect(func(r *protocol.Response) error {
				return errors.Join(contract.CheckFormat(r, f), contract.CheckErrorEnvelope(r))
			})
		},
		Entry("JSON", labels.For("RI-PROTO-003"), protocol.FormatJSON),
		Entry("XML", labels.For("RI-PROTO-004"), protocol.FormatXML),
	)

	It("gives every response a fresh uppercase-UUID RequestId echoed in x-acs-request-id",
		labels.For("RI-PROTO-005", "RI-PROTO-006", "RI-PROTO-007"), func(ctx SpecContext) {
			id := rg.Provision(ctx, target.InstanceSpec{})
			absent := rg.Nonexistent(ctx)
			var ids []string
			for _, r := range []rig.Reboot{
				{InstanceID: id, DryRun: "true"},
				{InstanceID: id, DryRun: "true", Format: protocol.FormatXML},
				{InstanceID: absent},
				{InstanceID: absent, Format: protocol.FormatXML},
				{},
			} {
				outs := rg.Both(ctx, r)
				outs.Expect(func(r *protocol.Response) error {
					return errors.Join(contract.CheckRequestID(r), contract.CheckRequestIDHeader(r))
				})
				for _, o := range outs {
					ids = append(ids, o.Response.RequestID)
				}
			}
			Expect(rig.Readable(contract.CheckUniqueRequestIDs(ids))).To(Succeed())
		})

	DescribeTable("rejects a request that fails authentication and changes nothing",
		func(ctx SpecContext, row contract.ErrorRow, tamper func(*rig.Reboot)) {
			id := rg.Provision(ctx, target.InstanceSpec{})
			r := rig.Reboot{InstanceID: id}
			if rg.T.DryRunOnly() {
				// Authentication precedes DryRun, so a DryRun checks the same rejection
				// without a real reboot on the wire; otherwise the stronger real call is sent.
				r.DryRun = "true"
			}
			tamper(&r)
			rg.Both(ctx, r).Expect(func(r *protocol.Response) error {
				return contract.CheckError(r, row)
			})
			rg.Unchanged(ctx, contract.MustLookup(row.ID), id, contract.StatusRunning)
		},
		Entry("a wrong HMAC-SHA1 signature", labels.For("RI-PROTO-008"), contract.ErrSignatureV1,
			func(r *rig.Reboot) { r.Creds = wrongSecret() }),
		Entry("a wrong ACS3-HMAC-SHA256 signature", labels.For("RI-PROTO-009"), contract.ErrSignatureACS3,
			func(r *rig.Reboot) { r.Creds, r.Signing = wrongSecret(), protocol.SigningACS3 }),
		Entry("an unknown AccessKeyId", labels.For("RI-PROTO-010"), contract.ErrUnknownAccessKey,
			func(r *rig.Reboot) { c := rg.T.Credentials; c.AccessKeyID = "rebootconf-unknown-key"; r.Creds = &c }),
		Entry("no Signature", labels.For("RI-PROTO-015"), contract.ErrMissingSignature,
			func(r *rig.Reboot) { r.Omit = []string{"Signature"} }),
	)

	DescribeTable("accepts the request shapes real SDKs send",
		func(ctx SpecContext, shape func(*rig.Reboot)) {
			id := rg.Provision(ctx, target.InstanceSpec{})
			r := rig.Reboot{InstanceID: id, DryRun: "true"}
			shape(&r)
			rg.Both(ctx, r).Expect(contract.CheckDryRunPassed)
		},
		Entry("ACS3-HMAC-SHA256 (Tea v7 default)", labels.For("RI-PROTO-011"), func(r *rig.Reboot) { r.Signing = protocol.SigningACS3 }),
		Entry("GET (pop-core default)", labels.For("RI-PROTO-012"), func(r *rig.Reboot) { r.Method = http.MethodGet }),
		Entry("a form-encoded body", labels.For("RI-PROTO-013"), func(r *rig.Reboot) { r.InBody = true }),
		// The raw client never sends RegionId; the Omit makes that explicit.
		Entry("no RegionId (Tea v7, pop-core without it)", labels.For("RI-PROTO-014"), func(r *rig.Reboot) { r.Omit = []string{"RegionId"} }),
	)
})

// wrongSecret is the target's AccessKeyId with a secret that is not its own.
func wrongSecret() *protocol.Credentials {
	c := rg.T.Credentials
	c.AccessKeySecret += "-not-the-secret"
	return &c
}
