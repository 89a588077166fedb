package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

// preflightResult is an opened, checked target.
type preflightResult struct {
	target  *target.Target
	skew    time.Duration
	latency time.Duration // of the read-only preflight call
	notes   []string
}

func (p *preflightResult) close() { _ = p.target.Close() }

// preflightTimeout bounds the whole preflight by default: a hung endpoint fails fast with a
// clear error instead of a wall of timed-out specs.
const preflightTimeout = 10 * time.Second

// preflight opens the target and, before any mutating call, checks connectivity, credentials,
// clock skew and the fixtures file with read-only calls, all within timeout.
func preflight(ctx context.Context, o target.Options, timeout time.Duration) (*preflightResult, error) {
	if o.Timing.CallTimeout == 0 || o.Timing.CallTimeout > timeout {
		o.Timing.CallTimeout = timeout
	}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tg, err := target.Open(pctx, o)
	if err != nil {
		if pctx.Err() != nil {
			return nil, fmt.Errorf("%s did not answer within %s (%v)", endpointOf(o), timeout, err)
		}
		return nil, err
	}
	p := &preflightResult{target: tg}
	if tg.Kind == target.KindEmbedded {
		p.notes = append(p.notes, "embedded emulator: each suite process starts its own on loopback")
		return p, nil
	}
	ex, err := tg.Raw().Do(pctx, protocol.Call{Action: "DescribeInstances", Params: url.Values{"RegionId": {tg.Region}, "PageSize": {"1"}}})
	if err != nil {
		tg.Close()
		var m *protocol.MalformedError
		var redirect *protocol.RedirectError
		switch {
		case errors.As(err, &m), errors.As(err, &redirect):
			return nil, fmt.Errorf("%s does not answer like an ECS endpoint: %v", tg.Endpoint, err)
		case errors.Is(err, context.DeadlineExceeded) || pctx.Err() != nil || isTimeout(err):
			return nil, fmt.Errorf("%s did not answer within %s (read-only DescribeInstances)", tg.Endpoint, timeout)
		}
		return nil, fmt.Errorf("cannot reach %s: %v", tg.Endpoint, transportCause(err))
	}
	r := ex.Response
	p.latency = ex.Elapsed
	// The first call also opened the connection: a second one times the round trip alone.
	if again, err := tg.Raw().Do(pctx, protocol.Call{Action: "DescribeInstances", Params: url.Values{"RegionId": {tg.Region}, "PageSize": {"1"}}}); err == nil {
		p.latency = min(p.latency, again.Elapsed)
	}
	if r.RequestID == "" || (!r.IsError() && r.Fields["Instances"] == nil && r.Fields["TotalCount"] == nil) {
		tg.Close()
		return nil, fmt.Errorf("%s does not answer like an ECS endpoint: DescribeInstances got HTTP %d (%s) without a RequestId or instance list: %.120q",
			tg.Endpoint, r.Status, r.Header.Get("Content-Type"), protocol.Redact(string(r.Body)))
	}
	if r.IsError() {
		tg.Close()
		switch {
		case strings.HasPrefix(r.Code, "InvalidAccessKeyId") || strings.HasPrefix(r.Code, "SignatureDoesNotMatch") ||
			strings.HasPrefix(r.Code, "IncompleteSignature") || strings.HasPrefix(r.Code, "Forbidden") || strings.HasPrefix(r.Code, "InvalidSecurityToken"):
			return nil, fmt.Errorf("credentials rejected by %s: HTTP %d %s: %s (credentials: %s)", tg.Endpoint, r.Status, r.Code, r.Message, tg.Credentials)
		case strings.HasPrefix(r.Code, "InvalidTimeStamp"):
			return nil, fmt.Errorf("clock rejected by %s: %s: %s; fix this machine's clock", tg.Endpoint, r.Code, r.Message)
		default:
			return nil, fmt.Errorf("read-only DescribeInstances failed on %s: HTTP %d %s: %s", tg.Endpoint, r.Status, r.Code, r.Message)
		}
	}
	if d, err := http.ParseTime(r.Header.Get("Date")); err == nil {
		p.skew = time.Since(d).Round(time.Second)
		if p.skew > 5*time.Minute || p.skew < -5*time.Minute {
			p.notes = append(p.notes, fmt.Sprintf("WARNING: clock skew %s against the endpoint; signatures expire at 15 minutes", p.skew))
		}
	}
	if tg.Control != nil {
		p.notes = append(p.notes, "control API found: every condition can be produced")
	} else {
		p.notes = append(p.notes, "no control API: conditions come from the fixtures file, others are skipped")
		if tg.ControlNote != "" {
			p.notes = append(p.notes, tg.ControlNote)
		}
	}
	if err := tg.VerifyPool(pctx); err != nil {
		tg.Close()
		return nil, err
	}
	if o.FixturesFile != "" {
		p.notes = append(p.notes, "fixtures file checked against the target: "+o.FixturesFile)
	}
	return p, nil
}

func endpointOf(o target.Options) string {
	switch {
	case o.Endpoint != "":
		return o.Endpoint
	case o.Region != "":
		return "https://ecs." + o.Region + ".aliyuncs.com"
	}
	return "the embedded emulator"
}

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) && ne.Timeout()
}

// taggedInstance is an instance some run created, found by its rebootconf-run tag.
type taggedInstance struct {
	ID, Run string
	Created time.Time // zero when the target did not say or said it in an unknown form
}

// parseCreationTime reads ECS's CreationTime ("2017-12-10T04:04Z") or an RFC 3339 time.
func parseCreationTime(s string) time.Time {
	for _, layout := range []string{"2006-01-02T15:04Z", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// taggedInstances lists instances tagged rebootconf-run (=runID when runID != "").
func taggedInstances(ctx context.Context, tg *target.Target, runID string) ([]taggedInstance, error) {
	var out []taggedInstance
	for page := 1; page <= 100; page++ {
		params := url.Values{"RegionId": {tg.Region}, "PageSize": {"100"}, "PageNumber": {fmt.Sprint(page)}, "Tag.1.Key": {target.RunTagKey}}
		if runID != "" {
			params.Set("Tag.1.Value", runID)
		}
		ex, err := tg.Raw().Do(ctx, protocol.Call{Action: "DescribeInstances", Params: params})
		if err != nil {
			return out, err
		}
		if ex.Response.IsError() {
			return out, fmt.Errorf("DescribeInstances: HTTP %d %s: %s", ex.Response.Status, ex.Response.Code, ex.Response.Message)
		}
		var body struct {
			TotalCount json.Number
			Instances  struct {
				Instance []struct {
					InstanceId   string
					CreationTime string
					Tags         struct {
						Tag []struct{ TagKey, TagValue string }
					}
				}
			}
		}
		if err := json.Unmarshal(ex.Response.Body, &body); err != nil {
			return out, fmt.Errorf("DescribeInstances body: %v", err)
		}
		for _, in := range body.Instances.Instance {
			ti := taggedInstance{ID: in.InstanceId, Created: parseCreationTime(in.CreationTime)}
			for _, t := range in.Tags.Tag {
				if t.TagKey == target.RunTagKey {
					ti.Run = t.TagValue
				}
			}
			// Trust the tag as read, not the filter: a target that ignores Tag.N filters
			// must not make sweep delete what it lists.
			if ti.Run != "" && (runID == "" || ti.Run == runID) {
				out = append(out, ti)
			}
		}
		total, _ := body.TotalCount.Int64()
		if len(body.Instances.Instance) == 0 || int64(page*100) >= total {
			break
		}
	}
	return out, nil
}

// suiteBinary is one prebuilt Ginkgo suite.
type suiteBinary struct{ name, path string }

// locateSuites finds the prebuilt suite binaries (`make build` puts them in bin/suites).
func locateSuites(cfg runConfig) ([]suiteBinary, error) {
	dir := cfg.suitesDir
	if dir == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, err
		}
		dir = filepath.Join(filepath.Dir(exe), "suites")
	}
	var out []suiteBinary
	for _, name := range cfg.suites {
		p := filepath.Join(dir, name+".test")
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			return nil, fmt.Errorf("suite %q: no binary at %s; build the suites with `make build` or point --suites-dir at them", name, p)
		}
		out = append(out, suiteBinary{name: name, path: p})
	}
	return out, nil
}

// transportCause strips the signed URL that net/http puts into its errors: the cause
// ("connection refused") is what a person needs, not a query string full of parameters.
func transportCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// targetFlags registers the flags every command uses to name a target. Credentials are never
// among them: they come from the environment or a profile.
func targetFlags(fs *flag.FlagSet, o *target.Options, endpointHelp string) {
	fs.StringVar(&o.Endpoint, "endpoint", "", endpointHelp)
	fs.StringVar(&o.Region, "region", "", "real Alibaba Cloud region, e.g. cn-hangzhou (credentials from the standard chain)")
	fs.StringVar(&o.AliyunProfile, "profile", "", "~/.aliyun/config.json profile to take credentials from")
}
