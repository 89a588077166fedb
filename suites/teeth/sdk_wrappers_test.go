package teeth

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/emulator"
	"github.com/rebootconf/rebootconf/fixtures/errtext"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
)

// sdkWrapperMutants are planted bugs only the SDK rows exercise (create, start,
// stop, delete and the describe filters); breaks names SDK rows. An emulator
// that ignores a parameter is played by re-sending the call without it: the
// SDK's request is signed, so it cannot be edited and forwarded.
var sdkWrapperMutants = []wrapper{
	{name: "wrap:start-stop-not-applied", why: "StartInstance and StopInstance answer 200 and do nothing",
		breaks:  []string{"SDK-OP-003", "SDK-OP-004"},
		request: acknowledge("StartInstance", "StopInstance")},
	{name: "wrap:delete-not-applied", why: "DeleteInstance and DeleteInstances answer 200 and delete nothing",
		breaks:  []string{"SDK-OP-007", "SDK-OP-008"},
		request: acknowledge("DeleteInstance", "DeleteInstances")},
	{name: "wrap:run-ignores-amount", why: "RunInstances ignores Amount and creates one instance",
		breaks:  []string{"SDK-OP-005"},
		forward: reissue([]string{"RunInstances"}, func(k string) bool { return k == "Amount" })},
	{name: "wrap:create-ignores-tags", why: "RunInstances and CreateInstance ignore Tag.N: the instances carry no tags",
		breaks:  []string{"SDK-OP-005", "SDK-OP-006"},
		forward: reissue([]string{"RunInstances", "CreateInstance"}, func(k string) bool { return strings.HasPrefix(k, "Tag.") })},
	{name: "wrap:describe-ignores-ids", why: "DescribeInstances ignores InstanceIds and DescribeInstanceStatus ignores InstanceId.N: every instance is listed",
		breaks: []string{"SDK-OP-009", "SDK-OP-012"},
		forward: reissue([]string{"DescribeInstances", "DescribeInstanceStatus"}, func(k string) bool {
			return k == "InstanceIds" || strings.HasPrefix(k, "InstanceId.")
		})},
	{name: "wrap:describe-ignores-status", why: "DescribeInstances ignores the Status filter",
		breaks:  []string{"SDK-OP-010"},
		forward: reissue([]string{"DescribeInstances"}, func(k string) bool { return k == "Status" })},
	{name: "wrap:describe-ignores-pagenumber", why: "DescribeInstances and DescribeInstanceStatus ignore PageNumber: every page is the first",
		breaks:  []string{"SDK-OP-011", "SDK-OP-013"},
		forward: reissue([]string{"DescribeInstances", "DescribeInstanceStatus"}, func(k string) bool { return k == "PageNumber" })},
	{name: "wrap:describe-drops-locks", why: "DescribeInstances lists every instance with no OperationLocks",
		breaks: []string{"SDK-OP-014"},
		reply: editInstances(func(in map[string]any) {
			in["OperationLocks"] = map[string]any{"LockReason": []any{}}
		})},
	{name: "wrap:describe-drops-tags", why: "DescribeInstances lists every instance with no Tags",
		breaks: []string{"SDK-OP-014"},
		reply:  editInstances(func(in map[string]any) { in["Tags"] = map[string]any{"Tag": []any{}} })},
	{name: "wrap:throttle-as-200", why: "a throttled call answers HTTP 200 with the Throttling.User error body",
		breaks: []string{"SDK-GW-003"},
		reply: func(_ *http.Request, rp *reply) {
			if resp, err := protocol.DecodeResponse(rp.status, rp.header, rp.body); err == nil && resp.Code == "Throttling.User" {
				rp.status = http.StatusOK
			}
		}},
	{name: "wrap:unavailable-as-internal-error", why: "a temporary failure answers 500 InternalError instead of 503 ServiceUnavailable",
		breaks: []string{"SDK-GW-004"},
		reply: editError(func(e *protocol.ErrorBody) int {
			if e.Code == "ServiceUnavailable" {
				e.Code, e.Message = "InternalError", errtext.InternalAlt
				return http.StatusInternalServerError
			}
			return 0
		})},
}

// acknowledge answers the named actions 200 {RequestId} without the emulator
// (a DryRun still reaches it).
func acknowledge(actions ...string) func(*http.Request) *reply {
	return func(r *http.Request) *reply {
		action, p := params(r)
		if !slices.Contains(actions, action) || slices.Contains(p["DryRun"], "true") {
			return nil
		}
		id := newRequestID()
		body, _ := json.Marshal(map[string]string{"RequestId": id})
		return &reply{status: http.StatusOK, header: http.Header{"Content-Type": {protocol.ContentTypeJSON}, contract.RequestIDHeader: {id}}, body: body}
	}
}

// commonParams are the request parameters reissue signs afresh.
var commonParams = map[string]bool{"Action": true, "Version": true, "Format": true, "AccessKeyId": true, "Signature": true,
	"SignatureMethod": true, "SignatureVersion": true, "SignatureNonce": true, "SignatureType": true, "Timestamp": true, "SecurityToken": true}

// reissue answers a call to one of actions that carries a parameter drop
// selects by sending it to the emulator again without those parameters,
// signed afresh with the emulator's default account (the suite's too): the
// answer of an emulator that ignores them. Other calls pass through.
func reissue(actions []string, drop func(name string) bool) func(http.Handler, *http.Request) *reply {
	return func(emu http.Handler, r *http.Request) *reply {
		action, p := params(r)
		if !slices.Contains(actions, action) {
			return nil
		}
		api, dropped := url.Values{}, false
		for k, vs := range p {
			switch {
			case commonParams[k]:
			case drop(k):
				dropped = true
			default:
				api[k] = vs
			}
		}
		if !dropped {
			return nil
		}
		c := &protocol.Client{Endpoint: "http://emulator.invalid",
			Credentials: protocol.Credentials{AccessKeyID: emulator.DefaultAccessKeyID, AccessKeySecret: emulator.DefaultAccessKeySecret},
			HTTP:        &http.Client{Transport: handlerTransport{emu}}}
		ex, err := c.Do(r.Context(), protocol.Call{Action: action, Params: api})
		if err != nil && (ex == nil || ex.Response == nil) {
			return fail(http.StatusInternalServerError, "InternalError", fmt.Sprintf("teeth: re-sending %s: %v", action, err))
		}
		return &reply{status: ex.Response.Status, header: ex.Response.Header.Clone(), body: ex.Response.Body}
	}
}

// handlerTransport serves a request with a handler in process.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	req.RemoteAddr = "127.0.0.1:1"
	t.h.ServeHTTP(rec, req)
	return rec.Result(), nil
}

// editInstances edits every Instances.Instance item of a JSON DescribeInstances
// answer (recognised by its shape: the body of a request the emulator has read
// no longer names the action).
func editInstances(edit func(in map[string]any)) func(*http.Request, *reply) {
	return func(_ *http.Request, rp *reply) {
		var m map[string]any
		if rp.status != http.StatusOK || json.Unmarshal(rp.body, &m) != nil {
			return
		}
		outer, _ := m["Instances"].(map[string]any)
		list, _ := outer["Instance"].([]any)
		if len(list) == 0 {
			return
		}
		for _, x := range list {
			if in, ok := x.(map[string]any); ok {
				edit(in)
			}
		}
		rp.body, _ = json.Marshal(m)
	}
}
