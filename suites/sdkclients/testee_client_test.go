package sdkclients_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"

	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/fixtures/testee"
)

// testeeClient is one client of a testee program: its calls go to the testee as protocol
// commands, the testee's SDK sends them to the forwarder (whose transport is the guard), and
// the result line is read back into a result. A protocol failure (crash, hang, garbage)
// fails the spec on the spot with what the driver saw.
type testeeClient struct {
	name, sig string
	prog      *program
	drv       *testee.Driver // nil when the program could not start
	startErr  error
	fwURL     string
	tg        *target.Target
	inline    *protocol.Credentials // harness-made throwaway credentials (gateway rows)
}

var commandSeq atomic.Int64

// startTestees starts every program's driver with the run's credentials in its environment
// (under the standard names, never on argv or stdin) and returns one client per name.
func startTestees(ctx context.Context, tg *target.Target, fwURL string, progs []*program) []*testeeClient {
	env := []string{target.EnvAccessKeyID + "=" + tg.Credentials.AccessKeyID, target.EnvAccessKeySecret + "=" + tg.Credentials.AccessKeySecret}
	if tg.Credentials.SecurityToken != "" {
		env = append(env, target.EnvSecurityToken+"="+tg.Credentials.SecurityToken)
	}
	var out []*testeeClient
	for _, p := range progs {
		var drv *testee.Driver
		err := p.err
		if p.skip == "" && err == nil {
			drv, err = testee.Start(ctx, testee.Config{Argv: p.argv, Dir: p.dir, Env: env,
				Secrets: []string{tg.Credentials.AccessKeySecret, tg.Credentials.SecurityToken}})
			if err == nil && p.builtin && !slices.Contains(p.names, drv.Hello().Client) && !strings.HasPrefix(p.names[0], drv.Hello().Client+"-") {
				err = fmt.Errorf("testee %q says hello as %q, want %v", strings.Join(p.argv, " "), drv.Hello().Client, p.names)
			}
		}
		for i, name := range p.names {
			out = append(out, &testeeClient{name: name, sig: p.sigs[i], prog: p, drv: drv, startErr: err, fwURL: fwURL, tg: tg})
		}
	}
	return out
}

func (t *testeeClient) Name() string { return t.name }
func (t *testeeClient) Skip() string { return t.prog.skip }

// ready fails the spec when the testee could not start: a broken client is a failure, not a
// skip (only missing prerequisites skip).
func (t *testeeClient) ready() {
	GinkgoHelper()
	if t.startErr != nil {
		Fail(fmt.Sprintf("client %s: %s", t.name, protocol.Redact(t.startErr.Error())))
	}
}

func (t *testeeClient) WithCredentials(creds protocol.Credentials) (sdkClient, error) {
	q := *t
	q.inline = &creds
	return &q, nil
}

func (t *testeeClient) credentials() testee.Credentials {
	if t.inline != nil {
		return testee.Credentials{Source: testee.CredsInline, AccessKeyID: t.inline.AccessKeyID, AccessKeySecret: t.inline.AccessKeySecret}
	}
	c := testee.Credentials{Source: testee.CredsEnv, AccessKeyIDEnv: target.EnvAccessKeyID, AccessKeySecretEnv: target.EnvAccessKeySecret}
	if t.tg.Credentials.SecurityToken != "" {
		c.SecurityTokenEnv = target.EnvSecurityToken
	}
	return c
}

func (t *testeeClient) Do(ctx context.Context, c call) result {
	GinkgoHelper()
	t.ready()
	h := t.drv.Hello()
	if !h.Features.Supports(c.Action) {
		Skip(fmt.Sprintf("client %s does not support %s (its hello lists %v)", t.name, c.Action, h.Features.Operations))
	}
	if t.sig == testee.SigACS3 && t.tg.Kind == target.KindCloud {
		Skip("ACS3 signs the Host header, and a testee reaches the real cloud only through the loopback forwarder: ACS3 testees run against emulators only")
	}
	cmd := testee.Command{ID: fmt.Sprintf("%s#%d", t.name, commandSeq.Add(1)), Operation: c.Action, Params: apiParams(c, t.tg.Region),
		Endpoint: t.fwURL, Region: t.tg.Region, SignatureVersion: t.sig, Credentials: t.credentials(), TimeoutMs: t.tg.Timing.CallTimeout.Milliseconds()}
	if len(h.Features.Methods) > 0 {
		// Reads as GET, writes as POST: both the query and the form-body paths are exercised.
		cmd.Method = "POST"
		if strings.HasPrefix(c.Action, "Describe") && slices.Contains(h.Features.Methods, "GET") {
			cmd.Method = "GET"
		}
	}
	r, err := t.drv.Do(ctx, cmd)
	if err != nil {
		Fail(fmt.Sprintf("client %s, case %s (%s): testee protocol failure: %s", t.name, cmd.ID, c.Action, protocol.Redact(err.Error())))
	}
	if r.Unsupported != "" {
		Skip(fmt.Sprintf("client %s cannot run %s: %s", t.name, c.Action, r.Unsupported))
	}
	if r.Exchange != nil {
		AddReportEntry(t.name+" exchange", protocol.Redact(r.Exchange.Request+"\n\n"+r.Exchange.Response), ReportEntryVisibilityFailureOrVerbose)
	}
	return fromTestee(r)
}

// apiParams renders c in the protocol's SDK-neutral parameters: API names, JSON types, lists
// as arrays (InstanceId.N, InstanceIds, Tag.N.Key/Value as [{Key, Value}]).
func apiParams(c call, region string) map[string]any {
	m := map[string]any{}
	set := func(k string, v any, ok bool) {
		if ok {
			m[k] = v
		}
	}
	set("InstanceId", c.InstanceID, c.InstanceID != "")
	for k, b := range map[string]*bool{"DryRun": c.DryRun, "ForceStop": c.ForceStop, "Force": c.Force} {
		set(k, b != nil && *b, b != nil)
	}
	switch c.Action {
	case "DescribeInstances":
		set("InstanceIds", c.InstanceIDs, c.InstanceIDs != nil)
	case "DeleteInstances", "DescribeInstanceStatus":
		set("InstanceId", c.InstanceIDs, c.InstanceIDs != nil)
	}
	switch c.Action {
	case "DescribeInstances", "DescribeInstanceStatus", "DeleteInstances", "RunInstances", "CreateInstance":
		m["RegionId"] = region
	}
	set("Status", c.Status, c.Status != "")
	set("PageNumber", c.PageNumber, c.PageNumber != 0)
	set("PageSize", c.PageSize, c.PageSize != 0)
	set("Amount", c.Amount, c.Amount != 0)
	set("ImageId", c.ImageID, c.ImageID != "")
	set("InstanceType", c.InstanceType, c.InstanceType != "")
	if len(c.Tags) > 0 {
		var tags []map[string]string
		for _, k := range slices.Sorted(maps.Keys(c.Tags)) {
			tags = append(tags, map[string]string{"Key": k, "Value": c.Tags[k]})
		}
		m["Tag"] = tags
	}
	return m
}

// fromTestee reads a result line into what the rows check.
func fromTestee(tr testee.Result) result {
	r := result{HTTPStatus: tr.HTTPStatus, RequestID: tr.RequestID}
	if e := tr.Error; e != nil {
		switch {
		case e.Kind == testee.KindAPI && (e.Code == testee.GuardRefusedCode || !strings.HasPrefix(e.Code, "Rebootconf.")):
			r.Code, r.Message = e.Code, e.Message
		default:
			// A failure below the API (transport, the forwarder could not reach the target).
			r.Err = fmt.Errorf("%s error %s %s: %s", e.Kind, e.Exception, e.Code, e.Message)
		}
		return r
	}
	b := tr.Body
	if ids := stringItems(b, "InstanceIdSets", "InstanceIdSet"); ids != nil {
		r.Created = ids
	} else if id, ok := b["InstanceId"].(string); ok {
		r.Created = []string{id}
	}
	r.TotalCount, r.PageNumber, r.PageSize = toInt(b["TotalCount"]), toInt(b["PageNumber"]), toInt(b["PageSize"])
	for _, outer := range [][2]string{{"Instances", "Instance"}, {"InstanceStatuses", "InstanceStatus"}} {
		for _, it := range objectItems(b, outer[0], outer[1]) {
			id, _ := it["InstanceId"].(string)
			st, _ := it["Status"].(string)
			r.Listed = append(r.Listed, listed{ID: id, Status: st})
			if outer[0] == "Instances" {
				r.detail(id, detailsOf(it))
			}
		}
	}
	if !tr.OK {
		r.Err = errors.New("result is neither ok nor an error")
	}
	return r
}

// detailsOf reads a decoded Instances.Instance item's OperationLocks and Tags.
func detailsOf(it map[string]any) details {
	d := details{Tags: map[string]string{}}
	for _, l := range objectItems(it, "OperationLocks", "LockReason") {
		reason, _ := l["LockReason"].(string)
		d.Locks = append(d.Locks, reason)
	}
	for _, t := range objectItems(it, "Tags", "Tag") {
		k, _ := t["TagKey"].(string)
		v, _ := t["TagValue"].(string)
		d.Tags[k] = v
	}
	return d
}

func objectItems(m map[string]any, outer, inner string) []map[string]any {
	o, _ := m[outer].(map[string]any)
	list, _ := o[inner].([]any)
	var out []map[string]any
	for _, x := range list {
		if it, ok := x.(map[string]any); ok {
			out = append(out, it)
		}
	}
	return out
}

func stringItems(m map[string]any, outer, inner string) []string {
	o, _ := m[outer].(map[string]any)
	list, ok := o[inner].([]any)
	if !ok {
		return nil
	}
	out := []string{}
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// toInt reads a JSON number (decoded as json.Number or float64), or a number sent as a string.
func toInt(v any) int {
	switch n := v.(type) {
	case json.Number:
		i, _ := strconv.Atoi(n.String())
		return i
	case float64:
		return int(n)
	case string:
		i, _ := strconv.Atoi(n)
		return i
	}
	return 0
}
