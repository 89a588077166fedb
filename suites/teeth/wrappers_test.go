package teeth

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/emulator"
	"github.com/rebootconf/rebootconf/fixtures/errtext"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
)

var parseQuery = url.ParseQuery

// variants are allowed differences from the faithful emulator: the suite
// must pass against each with zero failures and zero skips.
var variants = []wrapper{
	{name: "faithful", why: "the emulator as it is"},
	{name: "incorrect-status-free-text", why: "error table row 7: IncorrectInstanceStatus with a %s message",
		reply: editError(func(e *protocol.ErrorBody) int {
			if e.Code == "IncorrectInstanceStatus" {
				e.Message = "The instance is not in the Running state."
			}
			return 0
		})},
	{name: "internal-error-long-text", why: "error table row 9: the other InternalError text",
		reply: editError(func(e *protocol.ErrorBody) int {
			if e.Code == "InternalError" {
				e.Message = errtext.InternalAlt
			}
			return 0
		})},
	{name: "missing-instanceid-gateway", why: "notes §5.3/§5.4: gateway-style MissingInstanceId",
		reply: editError(func(e *protocol.ErrorBody) int {
			if strings.HasPrefix(e.Code, "MissingParameter") && strings.Contains(e.Message, "InstanceId") {
				e.Code, e.Message = "MissingInstanceId", "InstanceId is mandatory for this action."
			}
			return 0
		})},
	{name: "missing-parameter-dotted", why: "notes §5.4: MissingParameter.InstanceId",
		reply: editError(func(e *protocol.ErrorBody) int {
			if e.Code == "MissingParameter" && strings.Contains(e.Message, "InstanceId") {
				e.Code = "MissingParameter.InstanceId"
			}
			return 0
		})},
	{name: "reboot-via-stopping", why: "notes §6.2: Stopping before Starting is tolerated",
		control: rebootViaStopping},
	// A reboot that completes at once is correct; no check may depend on
	// seeing Starting between two polls, or on Starting outlasting a burst.
	{name: "faithful@immediate", why: "the emulator with the immediate transition profile", profile: "immediate"},
}

// faithfulRun is one target the suite must pass against: the emulator as cfg sets it
// up, behind a variant wrapper.
type faithfulRun struct {
	wrapper
	cfg emulator.Config
}

// faithfulRuns are the wrapper variants plus every allowed emulator variant
// (fixtures/emulator/variants.go, `rebootconf serve --variant`), each alone.
func faithfulRuns() []faithfulRun {
	var out []faithfulRun
	for _, w := range variants {
		out = append(out, faithfulRun{wrapper: w})
	}
	for _, name := range emulator.VariantNames() {
		out = append(out, faithfulRun{wrapper: wrapper{name: "variant:" + name, why: emulator.Variants[name].Description},
			cfg: emulator.Config{Variants: []string{name}}})
	}
	return out
}

// wrapperMutants are planted HTTP-level bugs the emulator's hooks cannot
// express; each must be caught like an emulator mutant.
var wrapperMutants = []wrapper{
	{name: "wrap:xml-error-root", why: "XML errors use the root <ErrorResponse>", breaks: []string{"RI-PROTO-004"},
		reply: func(_ *http.Request, rp *reply) {
			if rp.status >= 400 && strings.Contains(rp.header.Get("Content-Type"), "xml") {
				rp.body = bytes.ReplaceAll(rp.body, []byte("Error>"), []byte("ErrorResponse>"))
			}
		}},
	{name: "wrap:json-error-no-message", why: "JSON errors carry no Message field", breaks: []string{"RI-PROTO-003"},
		reply: func(_ *http.Request, rp *reply) {
			var m map[string]any
			if rp.status >= 400 && json.Unmarshal(rp.body, &m) == nil {
				delete(m, "Message")
				rp.body, _ = json.Marshal(m)
			}
		}},
	{name: "wrap:lowercase-requestid", why: "RequestIds are lowercase UUIDs", breaks: []string{"RI-PROTO-005"},
		reply: func(_ *http.Request, rp *reply) {
			id := rp.header.Get(contract.RequestIDHeader)
			rp.body = bytes.ReplaceAll(rp.body, []byte(id), []byte(strings.ToLower(id)))
			rp.header.Set(contract.RequestIDHeader, strings.ToLower(id))
		}},
	{name: "wrap:requestid-header-mismatch", why: "x-acs-request-id differs from the body's RequestId", breaks: []string{"RI-PROTO-007"},
		reply: func(_ *http.Request, rp *reply) { rp.header.Set(contract.RequestIDHeader, newRequestID()) }},
	{name: "wrap:internal-error-503", why: "InternalError comes back as 503 ServiceUnavailable", breaks: []string{"RI-ERR-005", "RI-ERR-009"},
		reply: editError(func(e *protocol.ErrorBody) int {
			if e.Code == "InternalError" {
				e.Code = "ServiceUnavailable"
				return http.StatusServiceUnavailable
			}
			return 0
		})},
	{name: "wrap:unknown-key-as-signature", why: "an unknown AccessKeyId answers SignatureDoesNotMatch", breaks: []string{"RI-PROTO-010"},
		reply: editError(func(e *protocol.ErrorBody) int {
			if e.Code == "InvalidAccessKeyId.NotFound" {
				e.Code, e.Message = "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."
				return http.StatusBadRequest
			}
			return 0
		})},
	{name: "wrap:missing-signature-500", why: "a request without Signature answers 500", breaks: []string{"RI-PROTO-015"},
		reply: editError(func(e *protocol.ErrorBody) int {
			if strings.HasPrefix(e.Code, "MissingParameter") && strings.Contains(e.Message, "Signature") {
				e.Code, e.Message = "InternalError", errtext.Internal
				return http.StatusInternalServerError
			}
			return 0
		})},
	{name: "wrap:reject-acs3", why: "ACS3-HMAC-SHA256 requests are refused", breaks: []string{"RI-PROTO-011"},
		request: func(r *http.Request) *reply {
			if strings.HasPrefix(r.Header.Get("Authorization"), "ACS3") {
				return fail(http.StatusBadRequest, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
			}
			return nil
		}},
	{name: "wrap:reject-get", why: "GET requests are refused", breaks: []string{"RI-PROTO-012"},
		request: func(r *http.Request) *reply {
			if r.Method == http.MethodGet {
				return fail(http.StatusForbidden, "UnsupportedHTTPMethod", "This HTTP method is not supported.")
			}
			return nil
		}},
	{name: "wrap:ignore-form-body", why: "parameters in a form body are ignored", breaks: []string{"RI-PROTO-013"},
		request: func(r *http.Request) *reply {
			if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
				_, _ = io.Copy(io.Discard, r.Body)
				r.Body = io.NopCloser(bytes.NewReader(nil))
			}
			return nil
		}},
	{name: "wrap:require-regionid", why: "RebootInstance without RegionId is refused", breaks: []string{"RI-PROTO-014"},
		request: func(r *http.Request) *reply {
			if action, p := params(r); action == "RebootInstance" && len(p["RegionId"]) == 0 {
				return fail(http.StatusBadRequest, "MissingParameter", `The input parameter "RegionId" that is mandatory for processing this request is not supplied.`)
			}
			return nil
		}},
	// The next three answer in place of the emulator: the request is signed, so
	// a wrapper cannot rewrite a parameter and forward it.
	{name: "wrap:dryrun-false-is-dryrun", why: "DryRun is read by presence: DryRun=false answers DryRunOperation and reboots nothing",
		breaks: []string{"RI-DRYRUN-010"},
		request: func(r *http.Request) *reply {
			if action, p := params(r); action == "RebootInstance" && slices.Contains(p["DryRun"], "false") {
				return fail(http.StatusBadRequest, "DryRunOperation", errtext.DryRunPassed)
			}
			return nil
		}},
	{name: "wrap:refuse-forcestop-true", why: "ForceStop=true is refused with 403 OperationDenied (no forced restarts)",
		breaks: []string{"RI-FORCE-001", "RI-DRYRUN-012", "RI-FORCE-005"},
		request: func(r *http.Request) *reply {
			if action, p := params(r); action == "RebootInstance" && slices.Contains(p["ForceStop"], "true") {
				return fail(http.StatusForbidden, "OperationDenied", "The specified operation is denied as forced restarts are not supported.")
			}
			return nil
		}},
	{name: "wrap:require-forcestop", why: "a real reboot without ForceStop answers 400 MissingParameter (before any status check, so most error specs fail too; DryRun=true is not affected)",
		breaks: []string{"RI-FORCE-003", "RI-STATE-001"},
		request: func(r *http.Request) *reply {
			action, p := params(r)
			if action == "RebootInstance" && len(p["InstanceId"]) > 0 && len(p["ForceStop"]) == 0 && !slices.Contains(p["DryRun"], "true") {
				return fail(http.StatusBadRequest, "MissingParameter", `The input parameter "ForceStop" that is mandatory for processing this request is not supplied.`)
			}
			return nil
		}},
	{name: "wrap:json-success-html", why: "JSON successes are labelled text/html", breaks: []string{"RI-PROTO-001"},
		reply: func(_ *http.Request, rp *reply) {
			if rp.status == http.StatusOK && strings.Contains(rp.header.Get("Content-Type"), "json") {
				rp.header.Set("Content-Type", "text/html;charset=utf-8")
			}
		}},
}

// rebootViaStopping sets transition.rebootViaStopping on every instance the
// harness creates through the control API (an emulator feature).
func rebootViaStopping(r *http.Request) bool {
	if r.Method != http.MethodPut || !strings.HasPrefix(r.URL.Path, control.PathPrefix+"instances/") {
		return false
	}
	changed := false
	raw, err := io.ReadAll(r.Body)
	r.Body.Close()
	var in map[string]any
	if err == nil && json.Unmarshal(raw, &in) == nil {
		tr, _ := in["transition"].(map[string]any)
		if tr == nil {
			tr = map[string]any{}
		}
		tr["rebootViaStopping"] = true
		in["transition"] = tr
		if b, err := json.Marshal(in); err == nil {
			raw, changed = b, true
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	r.ContentLength = int64(len(raw))
	r.Header.Set("Content-Length", strconv.Itoa(len(raw)))
	return changed
}
