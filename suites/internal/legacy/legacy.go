// Package legacy sends RebootInstance through the legacy Go SDK
// (github.com/aliyun/alibaba-cloud-sdk-go/services/ecs) and hands back the
// raw response it received, decoded the same way as the raw client's, so
// one checker judges both. It also checks that the SDK's own view of the
// answer (ServerError fields, response RequestId) agrees with the body.
package legacy

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

// Reboot is a RebootInstance as the legacy SDK can send it. Empty fields are
// left out of the request (the SDK skips empty values).
type Reboot struct {
	InstanceID string
	ForceStop  string // wire value: "true", "false", or something malformed
	DryRun     string
	Method     string // "" is the SDK's POST
}

// Result is one legacy round trip.
type Result struct {
	Response   *protocol.Response // decoded from the body the SDK received; nil on transport failure
	SDKErr     error              // what the SDK returned
	Transcript string             // request and response, secrets redacted
}

// Do sends r to endpoint (http://host:port) through c. The error is a
// transport failure, an SDK panic, a redirect (*protocol.RedirectError), a body
// that does not decode, or an SDK view that disagrees with the body. Build c with
// target.LegacyWith: the SDK's own http.Client follows redirects, and only the
// target's guard under it keeps a signed call from following one.
func Do(c *ecs.Client, endpoint string, r Reboot) (res Result, err error) {
	u, perr := url.Parse(endpoint)
	if perr != nil || u.Host == "" {
		return res, fmt.Errorf("legacy SDK: endpoint %q is not an absolute URL", endpoint)
	}
	req := ecs.CreateRebootInstanceRequest()
	req.Domain = u.Host
	req.Scheme = u.Scheme
	req.InstanceId = r.InstanceID
	req.ForceStop = requests.Boolean(r.ForceStop)
	req.DryRun = requests.Boolean(r.DryRun)
	if r.Method != "" {
		req.Method = r.Method
	}
	// The SDK type-asserts body fields and panics on a numeric RequestId or Code.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("legacy SDK panicked: %v", p)
			res.Transcript = transcript(req, nil, res.SDKErr)
		}
	}()
	resp, sdkErr := c.RebootInstance(req)
	res.SDKErr = sdkErr
	res.Transcript = transcript(req, resp, sdkErr)
	if resp == nil || resp.GetHttpStatus() == 0 {
		if sdkErr == nil {
			sdkErr = errors.New("no response")
		}
		if refused, ok := target.AsRefused(sdkErr); ok {
			return res, fmt.Errorf("legacy SDK: no HTTP response: %w", refused) // the guard's text names no secret
		}
		return res, fmt.Errorf("legacy SDK: no HTTP response: %s", protocol.Redact(sdkErr.Error()))
	}
	h := http.Header(resp.GetHttpHeaders())
	if protocol.IsRedirect(resp.GetHttpStatus()) {
		// ECS never redirects; the SDK's client may have been given one to parse as an answer
		// (behind the target's guard it never is). Report it, never judge it.
		return res, &protocol.RedirectError{Action: "legacy SDK RebootInstance", Status: resp.GetHttpStatus(), LocationHost: protocol.LocationHost(h.Get("Location"))}
	}
	decoded, derr := protocol.DecodeResponse(resp.GetHttpStatus(), h, resp.GetHttpContentBytes())
	res.Response = decoded
	if derr != nil {
		return res, fmt.Errorf("legacy SDK: %w", derr)
	}
	return res, agree(decoded, resp, sdkErr)
}

// agree checks the SDK's parsed view against the decoded body.
func agree(body *protocol.Response, resp *ecs.RebootInstanceResponse, sdkErr error) error {
	ok := body.Status >= 200 && body.Status < 300
	if ok {
		if sdkErr != nil {
			return fmt.Errorf("legacy SDK: HTTP %d but the SDK returned an error: %s", body.Status, protocol.Redact(sdkErr.Error()))
		}
		if body.Format == protocol.FormatJSON && resp.RequestId != body.RequestID {
			return fmt.Errorf("legacy SDK: parsed RequestId %q, body has %q", resp.RequestId, body.RequestID)
		}
		return nil
	}
	var se *sdkerrors.ServerError
	if !errors.As(sdkErr, &se) {
		return fmt.Errorf("legacy SDK: HTTP %d but the SDK returned %T, want *errors.ServerError", body.Status, sdkErr)
	}
	var diffs []string
	if se.HttpStatus() != body.Status {
		diffs = append(diffs, fmt.Sprintf("HttpStatus %d, body %d", se.HttpStatus(), body.Status))
	}
	if body.Format == protocol.FormatJSON {
		if se.ErrorCode() != body.Code {
			diffs = append(diffs, fmt.Sprintf("ErrorCode %q, body %q", se.ErrorCode(), body.Code))
		}
		if se.RequestId() != body.RequestID {
			diffs = append(diffs, fmt.Sprintf("RequestId %q, body %q", se.RequestId(), body.RequestID))
		}
		if _, has := body.Fields["Message"]; has && se.Message() != body.Message {
			diffs = append(diffs, fmt.Sprintf("Message %q, body %q", se.Message(), body.Message))
		}
	}
	if len(diffs) > 0 {
		return fmt.Errorf("legacy SDK view disagrees with the body: %s", strings.Join(diffs, "; "))
	}
	return nil
}

func transcript(req *ecs.RebootInstanceRequest, resp *ecs.RebootInstanceResponse, sdkErr error) string {
	var b strings.Builder
	q := url.Values{}
	for k, v := range req.GetQueryParams() {
		q.Set(k, v)
	}
	fmt.Fprintf(&b, "> [legacy SDK] %s %s://%s/?%s\n", req.Method, strings.ToLower(req.Scheme), req.Domain, protocol.Redact(q.Encode()))
	if resp != nil && resp.GetHttpStatus() != 0 {
		h := resp.GetHttpHeaders()
		keys := make([]string, 0, len(h))
		for k := range h {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(&b, "< HTTP %d\n", resp.GetHttpStatus())
		for _, k := range keys {
			fmt.Fprintf(&b, "< %s: %s\n", k, protocol.Redact(strings.Join(h[k], ", ")))
		}
		fmt.Fprintf(&b, "< %s\n", protocol.Redact(resp.GetHttpContentString()))
	}
	if sdkErr != nil {
		fmt.Fprintf(&b, "! SDK error: %s\n", protocol.Redact(firstLines(sdkErr.Error(), 5)))
	}
	return b.String()
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, " | ")
}
