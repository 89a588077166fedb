package sdkclients_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

// legacyClient drives the legacy Go SDK. Its client comes from target.Legacy, so the
// ownership guard is its transport. The SDK takes no context; its read timeout is the
// target's CallTimeout.
type legacyClient struct {
	tg *target.Target
	c  *ecs.Client
}

func newLegacyClient(tg *target.Target) (sdkClient, error) {
	c, err := tg.Legacy()
	if err != nil {
		return nil, err
	}
	c.SetTransport(recording(tg.Guard)) // the target's wiring, with the exchanges recorded
	return &legacyClient{tg: tg, c: c}, nil
}

func (l *legacyClient) Name() string { return clientLegacy }
func (l *legacyClient) Skip() string { return "" }

// WithCredentials builds a client signing with creds and otherwise set up exactly like the
// target's own.
func (l *legacyClient) WithCredentials(creds protocol.Credentials) (sdkClient, error) {
	c, err := l.tg.LegacyWith(creds)
	if err != nil {
		return nil, err
	}
	c.SetTransport(recording(l.tg.Guard))
	return &legacyClient{tg: l.tg, c: c}, nil
}

func legacyBool(b *bool) requests.Boolean {
	if b == nil {
		return ""
	}
	return requests.NewBoolean(*b)
}

func legacyInt(n int) requests.Integer {
	if n == 0 {
		return ""
	}
	return requests.NewInteger(n)
}

func legacyIDs(ids []string) *[]string {
	if ids == nil {
		return nil
	}
	return &ids
}

func (l *legacyClient) Do(_ context.Context, c call) result {
	switch c.Action {
	case "RebootInstance":
		req := ecs.CreateRebootInstanceRequest()
		req.InstanceId, req.DryRun, req.ForceStop = c.InstanceID, legacyBool(c.DryRun), legacyBool(c.ForceStop)
		resp, err := l.c.RebootInstance(req)
		return legacyResult(resp.BaseResponse, resp.RequestId, err)
	case "StartInstance":
		req := ecs.CreateStartInstanceRequest()
		req.InstanceId, req.DryRun = c.InstanceID, legacyBool(c.DryRun)
		resp, err := l.c.StartInstance(req)
		return legacyResult(resp.BaseResponse, resp.RequestId, err)
	case "StopInstance":
		req := ecs.CreateStopInstanceRequest()
		req.InstanceId, req.DryRun, req.ForceStop = c.InstanceID, legacyBool(c.DryRun), legacyBool(c.ForceStop)
		resp, err := l.c.StopInstance(req)
		return legacyResult(resp.BaseResponse, resp.RequestId, err)
	case "DeleteInstance":
		req := ecs.CreateDeleteInstanceRequest()
		req.InstanceId, req.DryRun, req.Force = c.InstanceID, legacyBool(c.DryRun), legacyBool(c.Force)
		resp, err := l.c.DeleteInstance(req)
		return legacyResult(resp.BaseResponse, resp.RequestId, err)
	case "DeleteInstances":
		req := ecs.CreateDeleteInstancesRequest()
		req.InstanceId, req.DryRun, req.Force = legacyIDs(c.InstanceIDs), legacyBool(c.DryRun), legacyBool(c.Force)
		resp, err := l.c.DeleteInstances(req)
		return legacyResult(resp.BaseResponse, resp.RequestId, err)
	case "RunInstances":
		req := ecs.CreateRunInstancesRequest()
		req.Amount, req.ImageId, req.InstanceType, req.DryRun = legacyInt(c.Amount), c.ImageID, c.InstanceType, legacyBool(c.DryRun)
		var tags []ecs.RunInstancesTag
		for k, v := range c.Tags {
			tags = append(tags, ecs.RunInstancesTag{Key: k, Value: v})
		}
		req.Tag = &tags
		resp, err := l.c.RunInstances(req)
		r := legacyResult(resp.BaseResponse, resp.RequestId, err)
		r.Created = resp.InstanceIdSets.InstanceIdSet
		return r
	case "CreateInstance":
		req := ecs.CreateCreateInstanceRequest()
		req.ImageId, req.InstanceType, req.DryRun = c.ImageID, c.InstanceType, legacyBool(c.DryRun)
		var tags []ecs.CreateInstanceTag
		for k, v := range c.Tags {
			tags = append(tags, ecs.CreateInstanceTag{Key: k, Value: v})
		}
		req.Tag = &tags
		resp, err := l.c.CreateInstance(req)
		r := legacyResult(resp.BaseResponse, resp.RequestId, err)
		if resp.InstanceId != "" {
			r.Created = []string{resp.InstanceId}
		}
		return r
	case "DescribeInstances":
		req := ecs.CreateDescribeInstancesRequest()
		if c.InstanceIDs != nil {
			ids, _ := json.Marshal(c.InstanceIDs)
			req.InstanceIds = string(ids)
		}
		req.Status, req.PageNumber, req.PageSize = c.Status, legacyInt(c.PageNumber), legacyInt(c.PageSize)
		resp, err := l.c.DescribeInstances(req)
		r := legacyResult(resp.BaseResponse, resp.RequestId, err)
		r.TotalCount, r.PageNumber, r.PageSize = resp.TotalCount, resp.PageNumber, resp.PageSize
		for _, in := range resp.Instances.Instance {
			r.Listed = append(r.Listed, listed{ID: in.InstanceId, Status: in.Status})
			d := details{Tags: map[string]string{}}
			for _, l := range in.OperationLocks.LockReason {
				d.Locks = append(d.Locks, l.LockReason)
			}
			for _, t := range in.Tags.Tag {
				d.Tags[t.TagKey] = t.TagValue
			}
			r.detail(in.InstanceId, d)
		}
		return r
	case "DescribeInstanceStatus":
		req := ecs.CreateDescribeInstanceStatusRequest()
		req.InstanceId, req.PageNumber, req.PageSize = legacyIDs(c.InstanceIDs), legacyInt(c.PageNumber), legacyInt(c.PageSize)
		resp, err := l.c.DescribeInstanceStatus(req)
		r := legacyResult(resp.BaseResponse, resp.RequestId, err)
		r.TotalCount, r.PageNumber, r.PageSize = resp.TotalCount, resp.PageNumber, resp.PageSize
		for _, in := range resp.InstanceStatuses.InstanceStatus {
			r.Listed = append(r.Listed, listed{ID: in.InstanceId, Status: in.Status})
		}
		return r
	}
	return result{Err: fmt.Errorf("legacy client: action %q not mapped", c.Action)}
}

// legacyResult reads what the SDK surfaced: a *errors.ServerError for API errors (ErrorCode,
// HttpStatus, RequestId), the response's HTTP status on success.
func legacyResult(base *responses.BaseResponse, requestID string, err error) result {
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		return result{Err: err, HTTPStatus: se.HttpStatus(), Code: se.ErrorCode(), Message: se.Message(), RequestID: se.RequestId()}
	}
	r := result{Err: err, RequestID: requestID}
	if base != nil {
		r.HTTPStatus = base.GetHttpStatus()
	}
	return r
}
