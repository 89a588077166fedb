// Package observe reads an instance's status through the public describe
// APIs with the raw client: DescribeInstances and DescribeInstanceStatus.
// An instance a describe call does not list reads as contract.StatusAbsent.
package observe

import (
	"context"
	"fmt"
	"net/url"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
)

// Describe API names, also the RebootWatch source names.
const (
	DescribeInstances      = "DescribeInstances"
	DescribeInstanceStatus = "DescribeInstanceStatus"
)

// Reader reads statuses in one region.
type Reader struct {
	Client *protocol.Client
	Region string
}

// Source is one way to read a status.
type Source struct {
	Name string
	Read func(ctx context.Context, id string) (string, error)
}

// Sources returns both describe APIs, DescribeInstances first.
func (r Reader) Sources() []Source {
	return []Source{
		{Name: DescribeInstances, Read: r.ViaDescribeInstances},
		{Name: DescribeInstanceStatus, Read: r.ViaDescribeInstanceStatus},
	}
}

// ViaDescribeInstances reads Instances.Instance[].Status for id.
func (r Reader) ViaDescribeInstances(ctx context.Context, id string) (string, error) {
	p := url.Values{"RegionId": {r.Region}, "InstanceIds": {fmt.Sprintf("[%q]", id)}}
	return r.read(ctx, DescribeInstances, p, "Instances", "Instance", id)
}

// ViaDescribeInstanceStatus reads InstanceStatuses.InstanceStatus[].Status for id.
func (r Reader) ViaDescribeInstanceStatus(ctx context.Context, id string) (string, error) {
	p := url.Values{"RegionId": {r.Region}, "InstanceId.1": {id}}
	return r.read(ctx, DescribeInstanceStatus, p, "InstanceStatuses", "InstanceStatus", id)
}

func (r Reader) read(ctx context.Context, action string, p url.Values, outer, inner, id string) (string, error) {
	ex, err := r.Client.Do(ctx, protocol.Call{Action: action, Params: p})
	if err != nil {
		return "", fmt.Errorf("%s(%s): %w\n%s", action, id, err, ex.Transcript())
	}
	resp := ex.Response
	if resp.IsError() {
		if resp.Code == "InvalidInstanceId.NotFound" {
			return contract.StatusAbsent, nil
		}
		return "", fmt.Errorf("%s(%s): HTTP %d %s: %s\n%s", action, id, resp.Status, resp.Code, resp.Message, ex.Transcript())
	}
	list, err := items(resp.Fields, outer, inner)
	if err != nil {
		return "", fmt.Errorf("%s(%s): %v\n%s", action, id, err, ex.Transcript())
	}
	for _, it := range list {
		m, ok := it.(map[string]any)
		if !ok || m["InstanceId"] != id {
			continue
		}
		s, ok := m["Status"].(string)
		if !ok {
			return "", fmt.Errorf("%s(%s): Status is %T, want a string\n%s", action, id, m["Status"], ex.Transcript())
		}
		return s, nil
	}
	return contract.StatusAbsent, nil
}

// items unwraps ECS's {"Plural":{"Singular":[...]}} list shape; a single
// XML-style element is a one-item list, an empty XML element an empty list. An
// answer without the list ({"RequestId":…,"TotalCount":0}) is an error, never
// "absent": only a list can show that an instance is not there.
func items(fields map[string]any, outer, inner string) ([]any, error) {
	o, ok := fields[outer]
	if o == "" {
		return nil, nil
	}
	if !ok || o == nil {
		return nil, fmt.Errorf("the answer has no %s list, so it shows nothing about the instance", outer)
	}
	om, ok := o.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s is %T, want an object", outer, o)
	}
	switch v := om[inner].(type) {
	case nil:
		return nil, fmt.Errorf("the answer has no %s.%s list, so it shows nothing about the instance", outer, inner)
	case []any:
		return v, nil
	case map[string]any:
		return []any{v}, nil
	default:
		return nil, fmt.Errorf("%s.%s is %T, want a list", outer, inner, v)
	}
}
