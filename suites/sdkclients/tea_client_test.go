package sdkclients_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	tea "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/dara"
	tealib "github.com/alibabacloud-go/tea/tea"

	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

// teaClient drives the Tea SDK v7, with its default ACS3-HMAC-SHA256 signing or, with
// SignatureAlgorithm "v2", HMAC-SHA1. Config.HttpClient routes every exchange through the
// target's guarded HTTP client, so the ownership guard vets Tea's calls as well.
type teaClient struct {
	tg    *target.Target
	name  string
	creds protocol.Credentials
	c     *tea.Client
}

// guardedHTTP adapts the target's guarded *http.Client to Tea's dara.HttpClient. The
// transport Tea offers is ignored on purpose: it would bypass the guard. It never follows a
// redirect, and never hands Tea a 3xx (Tea would parse it as an answer): a redirect is an
// error naming its status and Location host.
type guardedHTTP struct{ c *http.Client }

func (g guardedHTTP) Call(req *http.Request, _ *http.Transport) (*http.Response, error) {
	canonicalHeaders(req.Header)
	resp, err := protocol.NoFollowClient(g.c).Do(req)
	if err == nil {
		if rerr := protocol.CheckRedirect("Tea "+req.Header.Get("X-Acs-Action"), resp); rerr != nil {
			resp.Body.Close()
			return nil, rerr
		}
	}
	return resp, err
}

// canonicalHeaders re-keys h in canonical form. Tea writes raw lowercase keys into the map
// (h["x-acs-action"]), which http.Header.Get cannot find, so the guard would not see the
// action of an ACS3 request (its only place) and would wave every such call through. Header
// names are case-insensitive on the wire and ACS3 signs them lowercased, so the signature
// is unaffected.
func canonicalHeaders(h http.Header) {
	for k, v := range h {
		if ck := http.CanonicalHeaderKey(k); ck != k {
			delete(h, k)
			h[ck] = append(h[ck], v...)
		}
	}
}

func newTeaClient(tg *target.Target, name string, creds protocol.Credentials) (sdkClient, error) {
	u, err := url.Parse(tg.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("tea client: endpoint %q: %w", tg.Endpoint, err)
	}
	cfg := &openapiutil.Config{
		AccessKeyId:     dara.String(creds.AccessKeyID),
		AccessKeySecret: dara.String(creds.AccessKeySecret),
		// Tea uses Endpoint verbatim as the host (no scheme) and Protocol for the scheme.
		Endpoint:   dara.String(u.Host),
		Protocol:   dara.String(u.Scheme),
		RegionId:   dara.String(tg.Region),
		HttpClient: guardedHTTP{c: tg.HTTPClient()},
	}
	if creds.SecurityToken != "" {
		cfg.SecurityToken = dara.String(creds.SecurityToken)
	}
	if name == clientTeaV2 {
		cfg.SignatureAlgorithm = dara.String("v2")
	}
	c, err := tea.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("tea client (%s): %w", name, err)
	}
	return &teaClient{tg: tg, name: name, creds: creds, c: c}, nil
}

func (t *teaClient) Name() string { return t.name }
func (t *teaClient) Skip() string { return "" }

func (t *teaClient) WithCredentials(creds protocol.Credentials) (sdkClient, error) {
	return newTeaClient(t.tg, t.name, creds)
}

func teaInt(n int) *int32 {
	if n == 0 {
		return nil
	}
	return dara.Int32(int32(n))
}

func teaIDs(ids []string) []*string {
	if ids == nil {
		return nil
	}
	return dara.StringSlice(ids)
}

// Do maps c onto Tea's typed request. EnableValidate stays unset (its default), so every
// *WithContext method returns a non-nil response even on error, with a nil Body.
func (t *teaClient) Do(ctx context.Context, c call) result {
	rt := &dara.RuntimeOptions{}
	region := dara.String(t.tg.Region)
	switch c.Action {
	case "RebootInstance":
		resp, err := t.c.RebootInstanceWithContext(ctx, &tea.RebootInstanceRequest{InstanceId: optString(c.InstanceID), DryRun: c.DryRun, ForceStop: c.ForceStop}, rt)
		return teaResult(resp.StatusCode, bodyID(resp.Body, func(b *tea.RebootInstanceResponseBody) *string { return b.RequestId }), err)
	case "StartInstance":
		resp, err := t.c.StartInstanceWithContext(ctx, &tea.StartInstanceRequest{InstanceId: optString(c.InstanceID), DryRun: c.DryRun}, rt)
		return teaResult(resp.StatusCode, bodyID(resp.Body, func(b *tea.StartInstanceResponseBody) *string { return b.RequestId }), err)
	case "StopInstance":
		resp, err := t.c.StopInstanceWithContext(ctx, &tea.StopInstanceRequest{InstanceId: optString(c.InstanceID), DryRun: c.DryRun, ForceStop: c.ForceStop}, rt)
		return teaResult(resp.StatusCode, bodyID(resp.Body, func(b *tea.StopInstanceResponseBody) *string { return b.RequestId }), err)
	case "DeleteInstance":
		resp, err := t.c.DeleteInstanceWithContext(ctx, &tea.DeleteInstanceRequest{InstanceId: optString(c.InstanceID), DryRun: c.DryRun, Force: c.Force}, rt)
		return teaResult(resp.StatusCode, bodyID(resp.Body, func(b *tea.DeleteInstanceResponseBody) *string { return b.RequestId }), err)
	case "DeleteInstances":
		resp, err := t.c.DeleteInstancesWithContext(ctx, &tea.DeleteInstancesRequest{RegionId: region, InstanceId: teaIDs(c.InstanceIDs), DryRun: c.DryRun, Force: c.Force}, rt)
		return teaResult(resp.StatusCode, bodyID(resp.Body, func(b *tea.DeleteInstancesResponseBody) *string { return b.RequestId }), err)
	case "RunInstances":
		req := &tea.RunInstancesRequest{RegionId: region, Amount: teaInt(c.Amount), ImageId: optString(c.ImageID), InstanceType: optString(c.InstanceType), DryRun: c.DryRun}
		for k, v := range c.Tags {
			req.Tag = append(req.Tag, &tea.RunInstancesRequestTag{Key: dara.String(k), Value: dara.String(v)})
		}
		resp, err := t.c.RunInstancesWithContext(ctx, req, rt)
		r := teaResult(resp.StatusCode, bodyID(resp.Body, func(b *tea.RunInstancesResponseBody) *string { return b.RequestId }), err)
		if resp.Body != nil && resp.Body.InstanceIdSets != nil {
			r.Created = dara.StringSliceValue(resp.Body.InstanceIdSets.InstanceIdSet)
		}
		return r
	case "CreateInstance":
		req := &tea.CreateInstanceRequest{RegionId: region, ImageId: optString(c.ImageID), InstanceType: optString(c.InstanceType), DryRun: c.DryRun}
		for k, v := range c.Tags {
			req.Tag = append(req.Tag, &tea.CreateInstanceRequestTag{Key: dara.String(k), Value: dara.String(v)})
		}
		resp, err := t.c.CreateInstanceWithContext(ctx, req, rt)
		r := teaResult(resp.StatusCode, bodyID(resp.Body, func(b *tea.CreateInstanceResponseBody) *string { return b.RequestId }), err)
		if resp.Body != nil && resp.Body.InstanceId != nil {
			r.Created = []string{*resp.Body.InstanceId}
		}
		return r
	case "DescribeInstances":
		req := &tea.DescribeInstancesRequest{RegionId: region, Status: optString(c.Status), PageNumber: teaInt(c.PageNumber), PageSize: teaInt(c.PageSize)}
		if c.InstanceIDs != nil {
			ids, _ := json.Marshal(c.InstanceIDs)
			req.InstanceIds = dara.String(string(ids))
		}
		resp, err := t.c.DescribeInstancesWithContext(ctx, req, rt)
		b := resp.Body
		r := teaResult(resp.StatusCode, bodyID(b, func(b *tea.DescribeInstancesResponseBody) *string { return b.RequestId }), err)
		if b != nil {
			r.TotalCount, r.PageNumber, r.PageSize = int(dara.Int32Value(b.TotalCount)), int(dara.Int32Value(b.PageNumber)), int(dara.Int32Value(b.PageSize))
			if b.Instances != nil {
				for _, in := range b.Instances.Instance {
					r.Listed = append(r.Listed, listed{ID: dara.StringValue(in.InstanceId), Status: dara.StringValue(in.Status)})
					r.detail(dara.StringValue(in.InstanceId), teaDetails(in))
				}
			}
		}
		return r
	case "DescribeInstanceStatus":
		req := &tea.DescribeInstanceStatusRequest{RegionId: region, InstanceId: teaIDs(c.InstanceIDs), PageNumber: teaInt(c.PageNumber), PageSize: teaInt(c.PageSize)}
		resp, err := t.c.DescribeInstanceStatusWithContext(ctx, req, rt)
		b := resp.Body
		r := teaResult(resp.StatusCode, bodyID(b, func(b *tea.DescribeInstanceStatusResponseBody) *string { return b.RequestId }), err)
		if b != nil {
			r.TotalCount, r.PageNumber, r.PageSize = int(dara.Int32Value(b.TotalCount)), int(dara.Int32Value(b.PageNumber)), int(dara.Int32Value(b.PageSize))
			if b.InstanceStatuses != nil {
				for _, in := range b.InstanceStatuses.InstanceStatus {
					r.Listed = append(r.Listed, listed{ID: dara.StringValue(in.InstanceId), Status: dara.StringValue(in.Status)})
				}
			}
		}
		return r
	}
	return result{Err: fmt.Errorf("tea client: action %q not mapped", c.Action)}
}

// teaDetails reads an instance's OperationLocks and Tags; Tea leaves absent lists nil.
func teaDetails(in *tea.DescribeInstancesResponseBodyInstancesInstance) details {
	d := details{Tags: map[string]string{}}
	if in.OperationLocks != nil {
		for _, l := range in.OperationLocks.LockReason {
			if l != nil {
				d.Locks = append(d.Locks, dara.StringValue(l.LockReason))
			}
		}
	}
	if in.Tags != nil {
		for _, t := range in.Tags.Tag {
			if t != nil {
				d.Tags[dara.StringValue(t.TagKey)] = dara.StringValue(t.TagValue)
			}
		}
	}
	return d
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return dara.String(s)
}

// bodyID reads a response body's RequestId; the body is nil when the call failed.
func bodyID[B any](b *B, get func(*B) *string) string {
	if b == nil {
		return ""
	}
	return dara.StringValue(get(b))
}

// teaResult reads what Tea surfaced: *tea.SDKError carries Code and StatusCode; the RequestId
// and the plain Message are only in Data, the JSON of the whole error map.
func teaResult(status *int32, requestID string, err error) result {
	var se *tealib.SDKError
	if errors.As(err, &se) {
		r := result{Err: err, HTTPStatus: dara.IntValue(se.StatusCode), Code: dara.StringValue(se.Code)}
		var data map[string]any
		if se.Data != nil && json.Unmarshal([]byte(*se.Data), &data) == nil {
			r.RequestID = firstString(data, "RequestId", "requestId")
			r.Message = firstString(data, "Message", "message")
		}
		return r
	}
	return result{Err: err, HTTPStatus: int(dara.Int32Value(status)), RequestID: requestID}
}

func firstString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}
