package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	tea "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/dara"
	tealib "github.com/alibabacloud-go/tea/tea"

	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/testee"
)

// teaSDK drives github.com/alibabacloud-go/ecs-20140526/v7: ACS3-HMAC-SHA256 by default, v1
// with SignatureAlgorithm "v2".
type teaSDK struct{}

func (teaSDK) hello() testee.Hello {
	return testee.Hello{Type: testee.TypeHello, Protocol: testee.Version, Client: "go-tea",
		SDK: "github.com/alibabacloud-go/ecs-20140526/v7", Language: "go",
		Features: testee.Features{Operations: operations, SignatureVersions: []string{testee.SigACS3, testee.SigV1}}}
}

func (teaSDK) client(c testee.Command, cr protocol.Credentials) (*tea.Client, error) {
	u, err := url.Parse(c.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("endpoint %q: %w", c.Endpoint, err)
	}
	cfg := &openapiutil.Config{
		AccessKeyId: dara.String(cr.AccessKeyID), AccessKeySecret: dara.String(cr.AccessKeySecret),
		// Tea uses Endpoint verbatim as the host (no scheme) and Protocol for the scheme.
		Endpoint: dara.String(u.Host), Protocol: dara.String(u.Scheme), RegionId: dara.String(c.Region),
	}
	if cr.SecurityToken != "" {
		cfg.SecurityToken = dara.String(cr.SecurityToken)
	}
	if c.SignatureVersion == testee.SigV1 {
		cfg.SignatureAlgorithm = dara.String("v2")
	}
	return tea.NewClient(cfg)
}

func tInt(n int) *int32 {
	if n == 0 {
		return nil
	}
	return dara.Int32(int32(n))
}

func tStr(s string) *string {
	if s == "" {
		return nil
	}
	return dara.String(s)
}

func tIDs(ids []string) []*string {
	if ids == nil {
		return nil
	}
	return dara.StringSlice(ids)
}

// call maps c onto Tea's typed request. Every *WithContext method returns a non-nil
// response even on error (EnableValidate is unset).
func (s teaSDK) call(ctx context.Context, c testee.Command, cr protocol.Credentials) testee.Result {
	cl, err := s.client(c, cr)
	if err != nil {
		return clientError(err, "ClientError")
	}
	p := params(c.Params)
	rt := &dara.RuntimeOptions{ReadTimeout: dara.Int(int(c.TimeoutMs)), ConnectTimeout: dara.Int(5000)}
	region := tStr(p.str("RegionId"))
	var status *int32
	var body any
	switch c.Operation {
	case "RebootInstance":
		r, e := cl.RebootInstanceWithContext(ctx, &tea.RebootInstanceRequest{InstanceId: tStr(p.str("InstanceId")), DryRun: p.boolean("DryRun"), ForceStop: p.boolean("ForceStop")}, rt)
		status, body, err = r.StatusCode, r.Body, e
	case "StartInstance":
		r, e := cl.StartInstanceWithContext(ctx, &tea.StartInstanceRequest{InstanceId: tStr(p.str("InstanceId")), DryRun: p.boolean("DryRun")}, rt)
		status, body, err = r.StatusCode, r.Body, e
	case "StopInstance":
		r, e := cl.StopInstanceWithContext(ctx, &tea.StopInstanceRequest{InstanceId: tStr(p.str("InstanceId")), DryRun: p.boolean("DryRun"), ForceStop: p.boolean("ForceStop")}, rt)
		status, body, err = r.StatusCode, r.Body, e
	case "DeleteInstance":
		r, e := cl.DeleteInstanceWithContext(ctx, &tea.DeleteInstanceRequest{InstanceId: tStr(p.str("InstanceId")), DryRun: p.boolean("DryRun"), Force: p.boolean("Force")}, rt)
		status, body, err = r.StatusCode, r.Body, e
	case "DeleteInstances":
		r, e := cl.DeleteInstancesWithContext(ctx, &tea.DeleteInstancesRequest{RegionId: region, InstanceId: tIDs(p.strings("InstanceId")), DryRun: p.boolean("DryRun"), Force: p.boolean("Force")}, rt)
		status, body, err = r.StatusCode, r.Body, e
	case "RunInstances":
		req := &tea.RunInstancesRequest{RegionId: region, Amount: tInt(p.integer("Amount")), ImageId: tStr(p.str("ImageId")), InstanceType: tStr(p.str("InstanceType")), DryRun: p.boolean("DryRun")}
		for _, t := range p.tags() {
			req.Tag = append(req.Tag, &tea.RunInstancesRequestTag{Key: dara.String(t[0]), Value: dara.String(t[1])})
		}
		r, e := cl.RunInstancesWithContext(ctx, req, rt)
		status, body, err = r.StatusCode, r.Body, e
	case "CreateInstance":
		req := &tea.CreateInstanceRequest{RegionId: region, ImageId: tStr(p.str("ImageId")), InstanceType: tStr(p.str("InstanceType")), DryRun: p.boolean("DryRun")}
		for _, t := range p.tags() {
			req.Tag = append(req.Tag, &tea.CreateInstanceRequestTag{Key: dara.String(t[0]), Value: dara.String(t[1])})
		}
		r, e := cl.CreateInstanceWithContext(ctx, req, rt)
		status, body, err = r.StatusCode, r.Body, e
	case "DescribeInstances":
		req := &tea.DescribeInstancesRequest{RegionId: region, Status: tStr(p.str("Status")), PageNumber: tInt(p.integer("PageNumber")), PageSize: tInt(p.integer("PageSize"))}
		if ids := p.strings("InstanceIds"); ids != nil {
			b, _ := json.Marshal(ids)
			req.InstanceIds = dara.String(string(b))
		}
		r, e := cl.DescribeInstancesWithContext(ctx, req, rt)
		status, body, err = r.StatusCode, r.Body, e
	case "DescribeInstanceStatus":
		req := &tea.DescribeInstanceStatusRequest{RegionId: region, InstanceId: tIDs(p.strings("InstanceId")), PageNumber: tInt(p.integer("PageNumber")), PageSize: tInt(p.integer("PageSize"))}
		r, e := cl.DescribeInstanceStatusWithContext(ctx, req, rt)
		status, body, err = r.StatusCode, r.Body, e
	default:
		return testee.Result{Unsupported: "operation " + c.Operation + " is not mapped"}
	}
	return teaResult(status, body, err)
}

// teaResult reads what Tea surfaced: *tea.SDKError carries Code and StatusCode; the RequestId
// and the plain Message are only in Data, the JSON of the whole error map.
func teaResult(status *int32, body any, err error) testee.Result {
	var se *tealib.SDKError
	if errors.As(err, &se) && dara.StringValue(se.Code) != "" && dara.IntValue(se.StatusCode) != 0 {
		r := testee.Result{HTTPStatus: dara.IntValue(se.StatusCode), Error: &testee.Error{Kind: testee.KindAPI, Code: dara.StringValue(se.Code), Exception: "tea.SDKError"}}
		var data map[string]any
		if se.Data != nil && json.Unmarshal([]byte(*se.Data), &data) == nil {
			r.RequestID = firstString(data, "RequestId", "requestId")
			r.Error.Message = firstString(data, "Message", "message")
		}
		return r
	}
	if err != nil {
		return clientError(err, fmt.Sprintf("%T", err))
	}
	b := bodyOf(body)
	r := testee.Result{OK: true, Body: b, HTTPStatus: int(dara.Int32Value(status))}
	r.RequestID, _ = b["RequestId"].(string)
	return r
}

func firstString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}
