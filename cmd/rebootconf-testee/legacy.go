package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/testee"
)

// legacySDK drives github.com/aliyun/alibaba-cloud-sdk-go/services/ecs (v1 signatures only).
type legacySDK struct{}

func (legacySDK) hello() testee.Hello {
	return testee.Hello{Type: testee.TypeHello, Protocol: testee.Version, Client: "go-legacy",
		SDK: "github.com/aliyun/alibaba-cloud-sdk-go/services/ecs", Language: "go",
		Features: testee.Features{Operations: operations, SignatureVersions: []string{testee.SigV1}}}
}

func (legacySDK) client(c testee.Command, cr protocol.Credentials) (*ecs.Client, error) {
	var cl *ecs.Client
	var err error
	if cr.SecurityToken != "" {
		cl, err = ecs.NewClientWithStsToken(c.Region, cr.AccessKeyID, cr.AccessKeySecret, cr.SecurityToken)
	} else {
		cl, err = ecs.NewClientWithAccessKey(c.Region, cr.AccessKeyID, cr.AccessKeySecret)
	}
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(c.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("endpoint %q: %w", c.Endpoint, err)
	}
	cl.Domain = u.Host
	cl.GetConfig().Scheme = strings.ToUpper(u.Scheme)
	cl.GetConfig().AutoRetry = false
	cl.SetReadTimeout(time.Duration(c.TimeoutMs) * time.Millisecond)
	cl.SetConnectTimeout(5 * time.Second)
	return cl, nil
}

func lBool(b *bool) requests.Boolean {
	if b == nil {
		return ""
	}
	return requests.NewBoolean(*b)
}

func lInt(n int) requests.Integer {
	if n == 0 {
		return ""
	}
	return requests.NewInteger(n)
}

func lIDs(ids []string) *[]string {
	if ids == nil {
		return nil
	}
	return &ids
}

func (s legacySDK) call(_ context.Context, c testee.Command, cr protocol.Credentials) testee.Result {
	if c.SignatureVersion != "" && c.SignatureVersion != testee.SigV1 {
		return testee.Result{Unsupported: "the legacy SDK signs with v1 only"}
	}
	cl, err := s.client(c, cr)
	if err != nil {
		return clientError(err, "ClientError")
	}
	p := params(c.Params)
	var resp any
	var base *responses.BaseResponse
	switch c.Operation {
	case "RebootInstance":
		req := ecs.CreateRebootInstanceRequest()
		req.InstanceId, req.DryRun, req.ForceStop = p.str("InstanceId"), lBool(p.boolean("DryRun")), lBool(p.boolean("ForceStop"))
		r, e := cl.RebootInstance(req)
		resp, base, err = r, r.BaseResponse, e
	case "StartInstance":
		req := ecs.CreateStartInstanceRequest()
		req.InstanceId, req.DryRun = p.str("InstanceId"), lBool(p.boolean("DryRun"))
		r, e := cl.StartInstance(req)
		resp, base, err = r, r.BaseResponse, e
	case "StopInstance":
		req := ecs.CreateStopInstanceRequest()
		req.InstanceId, req.DryRun, req.ForceStop = p.str("InstanceId"), lBool(p.boolean("DryRun")), lBool(p.boolean("ForceStop"))
		r, e := cl.StopInstance(req)
		resp, base, err = r, r.BaseResponse, e
	case "DeleteInstance":
		req := ecs.CreateDeleteInstanceRequest()
		req.InstanceId, req.DryRun, req.Force = p.str("InstanceId"), lBool(p.boolean("DryRun")), lBool(p.boolean("Force"))
		r, e := cl.DeleteInstance(req)
		resp, base, err = r, r.BaseResponse, e
	case "DeleteInstances":
		req := ecs.CreateDeleteInstancesRequest()
		req.RegionId, req.InstanceId, req.DryRun, req.Force = p.str("RegionId"), lIDs(p.strings("InstanceId")), lBool(p.boolean("DryRun")), lBool(p.boolean("Force"))
		r, e := cl.DeleteInstances(req)
		resp, base, err = r, r.BaseResponse, e
	case "RunInstances":
		req := ecs.CreateRunInstancesRequest()
		req.RegionId, req.Amount, req.ImageId, req.InstanceType, req.DryRun = p.str("RegionId"), lInt(p.integer("Amount")), p.str("ImageId"), p.str("InstanceType"), lBool(p.boolean("DryRun"))
		tags := []ecs.RunInstancesTag{}
		for _, t := range p.tags() {
			tags = append(tags, ecs.RunInstancesTag{Key: t[0], Value: t[1]})
		}
		req.Tag = &tags
		r, e := cl.RunInstances(req)
		resp, base, err = r, r.BaseResponse, e
	case "CreateInstance":
		req := ecs.CreateCreateInstanceRequest()
		req.RegionId, req.ImageId, req.InstanceType, req.DryRun = p.str("RegionId"), p.str("ImageId"), p.str("InstanceType"), lBool(p.boolean("DryRun"))
		tags := []ecs.CreateInstanceTag{}
		for _, t := range p.tags() {
			tags = append(tags, ecs.CreateInstanceTag{Key: t[0], Value: t[1]})
		}
		req.Tag = &tags
		r, e := cl.CreateInstance(req)
		resp, base, err = r, r.BaseResponse, e
	case "DescribeInstances":
		req := ecs.CreateDescribeInstancesRequest()
		if ids := p.strings("InstanceIds"); ids != nil {
			b, _ := json.Marshal(ids)
			req.InstanceIds = string(b)
		}
		req.RegionId, req.Status, req.PageNumber, req.PageSize = p.str("RegionId"), p.str("Status"), lInt(p.integer("PageNumber")), lInt(p.integer("PageSize"))
		r, e := cl.DescribeInstances(req)
		resp, base, err = r, r.BaseResponse, e
	case "DescribeInstanceStatus":
		req := ecs.CreateDescribeInstanceStatusRequest()
		req.RegionId, req.InstanceId, req.PageNumber, req.PageSize = p.str("RegionId"), lIDs(p.strings("InstanceId")), lInt(p.integer("PageNumber")), lInt(p.integer("PageSize"))
		r, e := cl.DescribeInstanceStatus(req)
		resp, base, err = r, r.BaseResponse, e
	default:
		return testee.Result{Unsupported: "operation " + c.Operation + " is not mapped"}
	}
	return legacyResult(resp, base, err)
}

// legacyResult reads what the SDK surfaced: a *errors.ServerError for API errors, a
// ClientError below the API, the typed response on success.
func legacyResult(resp any, base *responses.BaseResponse, err error) testee.Result {
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		return testee.Result{HTTPStatus: se.HttpStatus(), RequestID: se.RequestId(),
			Error: &testee.Error{Kind: testee.KindAPI, Code: se.ErrorCode(), Message: se.Message(), Exception: "errors.ServerError"}}
	}
	if err != nil {
		return clientError(err, fmt.Sprintf("%T", err))
	}
	body := bodyOf(resp)
	r := testee.Result{OK: true, Body: body}
	r.RequestID, _ = body["RequestId"].(string)
	if base != nil {
		r.HTTPStatus = base.GetHttpStatus()
	}
	return r
}
