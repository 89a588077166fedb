package sdkclients_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

// envPopCoreDir overrides where node/popcore.js and its node_modules live (the prebuilt suite
// binary may run from anywhere).
const envPopCoreDir = "REBOOTCONF_POPCORE_DIR"

const (
	skipNoNode        = "node not found on PATH: pop-core client checks need Node.js 20+"
	skipNoNodeModules = "run .ci/install-tools (npm ci in suites/sdkclients/node)"
)

// popCoreClient drives npm @alicloud/pop-core through node/popcore.js, one node process per
// call; the secret travels on stdin, never in argv or the environment. The node process
// cannot take the guard as a transport, so it talks to a loopback forwarder whose transport
// is the guard (forwarder_test.go): its calls are vetted like every other client's.
type popCoreClient struct {
	tg       *target.Target
	endpoint string // the forwarder's URL
	creds    protocol.Credentials
	node     string // node executable
	script   string // popcore.js
	skip     string
}

func newPopCoreClient(tg *target.Target, forwarderURL string) *popCoreClient {
	c := &popCoreClient{tg: tg, endpoint: forwarderURL, creds: tg.Credentials}
	node, err := exec.LookPath("node")
	if err != nil {
		c.skip = skipNoNode
		return c
	}
	if v, ok := nodeMajor(node); !ok || v < 20 {
		c.skip = skipNoNode + fmt.Sprintf(" (found %s, major version %d)", node, v)
		return c
	}
	dir := popCoreDir()
	if !has(dir) {
		c.skip = fmt.Sprintf("pop-core client script not found (looked for %s): set %s to the repository's suites/sdkclients/node",
			filepath.Join(dir, "popcore.js"), envPopCoreDir)
		return c
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@alicloud", "pop-core", "package.json")); err != nil {
		c.skip = skipNoNodeModules
		return c
	}
	c.node, c.script = node, filepath.Join(dir, "popcore.js")
	return c
}

func nodeMajor(node string) (int, bool) {
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return 0, false
	}
	v := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	major, _, _ := strings.Cut(v, ".")
	n, err := strconv.Atoi(major)
	return n, err == nil
}

// popCoreDir finds the folder holding popcore.js: the override, the package folder (go test,
// ginkgo), or suites/sdkclients/node above the working directory or the test binary (a
// prebuilt binary that `rebootconf run` starts in bin/suites).
func popCoreDir() string {
	if d := os.Getenv(envPopCoreDir); d != "" {
		return d
	}
	if has("node") {
		return "node"
	}
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, dir := range starts {
		for range 5 {
			if d := filepath.Join(dir, "suites", "sdkclients", "node"); has(d) {
				return d
			}
			dir = filepath.Dir(dir)
		}
	}
	return "node"
}

func has(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "popcore.js"))
	return err == nil
}

func (p *popCoreClient) Name() string { return clientPopCore }
func (p *popCoreClient) Skip() string { return p.skip }

func (p *popCoreClient) WithCredentials(creds protocol.Credentials) (sdkClient, error) {
	q := *p
	q.creds = creds
	return &q, nil
}

// popCoreRequest is popcore.js's stdin.
type popCoreRequest struct {
	Endpoint        string         `json:"endpoint"`
	AccessKeyID     string         `json:"accessKeyId"`
	AccessKeySecret string         `json:"accessKeySecret"`
	SecurityToken   string         `json:"securityToken,omitempty"`
	Action          string         `json:"action"`
	Params          map[string]any `json:"params"`
	Method          string         `json:"method"`
	TimeoutMs       int64          `json:"timeoutMs"`
}

// popCoreAnswer is popcore.js's one stdout line.
type popCoreAnswer struct {
	OK         bool           `json:"ok"`
	Code       string         `json:"code"`
	Message    string         `json:"message"`
	StatusCode int            `json:"statusCode"`
	RequestID  string         `json:"requestId"`
	Data       map[string]any `json:"data"`
}

// params maps c onto pop-core params. Arrays become Name.N (and Tag.N.Key) inside pop-core.
func (p *popCoreClient) params(c call) map[string]any {
	m := map[string]any{}
	set := func(k string, v any, ok bool) {
		if ok {
			m[k] = v
		}
	}
	set("InstanceId", c.InstanceID, c.InstanceID != "")
	for k, b := range map[string]*bool{"DryRun": c.DryRun, "ForceStop": c.ForceStop, "Force": c.Force} {
		if b != nil {
			m[k] = *b
		}
	}
	switch c.Action {
	case "DescribeInstances":
		if c.InstanceIDs != nil {
			ids, _ := json.Marshal(c.InstanceIDs)
			m["InstanceIds"] = string(ids)
		}
	case "DeleteInstances", "DescribeInstanceStatus":
		set("InstanceId", c.InstanceIDs, c.InstanceIDs != nil)
	}
	switch c.Action {
	case "DescribeInstances", "DescribeInstanceStatus", "DeleteInstances", "RunInstances", "CreateInstance":
		// pop-core does no region lookup; these APIs take RegionId as a parameter.
		m["RegionId"] = p.tg.Region
	}
	set("Status", c.Status, c.Status != "")
	set("PageNumber", c.PageNumber, c.PageNumber != 0)
	set("PageSize", c.PageSize, c.PageSize != 0)
	set("Amount", c.Amount, c.Amount != 0)
	set("ImageId", c.ImageID, c.ImageID != "")
	set("InstanceType", c.InstanceType, c.InstanceType != "")
	if len(c.Tags) > 0 {
		var tags []map[string]string
		for k, v := range c.Tags {
			tags = append(tags, map[string]string{"Key": k, "Value": v})
		}
		m["Tag"] = tags
	}
	return m
}

func (p *popCoreClient) Do(ctx context.Context, c call) result {
	// pop-core's default is GET; writes go as POST so the form-body path is exercised too.
	method := "POST"
	if strings.HasPrefix(c.Action, "Describe") {
		method = "GET"
	}
	in, err := json.Marshal(popCoreRequest{Endpoint: p.endpoint, AccessKeyID: p.creds.AccessKeyID, AccessKeySecret: p.creds.AccessKeySecret,
		SecurityToken: p.creds.SecurityToken, Action: c.Action, Params: p.params(c), Method: method, TimeoutMs: p.tg.Timing.CallTimeout.Milliseconds()})
	if err != nil {
		return result{Err: fmt.Errorf("pop-core: encode request: %w", err)}
	}
	cmd := exec.CommandContext(ctx, p.node, p.script)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	line := strings.TrimSpace(stdout.String())
	if i := strings.LastIndexByte(line, '\n'); i >= 0 {
		line = line[i+1:]
	}
	var a popCoreAnswer
	if err := json.Unmarshal([]byte(line), &a); err != nil {
		return result{Err: fmt.Errorf("pop-core: node %s gave no JSON answer (exit: %v): %s %s",
			p.script, runErr, protocol.Redact(line), protocol.Redact(stderr.String()))}
	}
	r := result{HTTPStatus: a.StatusCode, RequestID: a.RequestID}
	if !a.OK {
		r.Code, r.Message = a.Code, a.Message
		if strings.HasPrefix(a.Code, "Rebootconf.") && a.Code != guardRefusedCode {
			// A failure below the API (transport, unparsable body): no API error to check.
			r.Code, r.Err = "", fmt.Errorf("pop-core: %s: %s", a.Code, a.Message)
		}
		return r
	}
	if ids := stringItems(a.Data, "InstanceIdSets", "InstanceIdSet"); ids != nil {
		r.Created = ids
	} else if id, ok := a.Data["InstanceId"].(string); ok {
		r.Created = []string{id}
	}
	r.TotalCount, r.PageNumber, r.PageSize = toInt(a.Data["TotalCount"]), toInt(a.Data["PageNumber"]), toInt(a.Data["PageSize"])
	for _, outer := range [][2]string{{"Instances", "Instance"}, {"InstanceStatuses", "InstanceStatus"}} {
		for _, it := range objectItems(a.Data, outer[0], outer[1]) {
			id, _ := it["InstanceId"].(string)
			st, _ := it["Status"].(string)
			r.Listed = append(r.Listed, listed{ID: id, Status: st})
			if outer[0] == "Instances" {
				r.detail(id, detailsOf(it))
			}
		}
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

// toInt reads a JSON number, or a number sent as a string (json-bigint passes big ones so).
func toInt(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case string:
		i, _ := strconv.Atoi(n)
		return i
	}
	return 0
}
