package legacy_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/emulator"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/suites/internal/legacy"
)

func setup(t *testing.T) (*ecs.Client, string, string) {
	t.Helper()
	srv, err := emulator.Start("127.0.0.1:0", emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if _, err := control.NewClient(srv.URL).PutInstance(t.Context(), "i-legacytest0000000001", control.Instance{Status: control.StatusRunning}); err != nil {
		t.Fatal(err)
	}
	c, err := ecs.NewClientWithAccessKey(emulator.DefaultRegion, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv.URL, "i-legacytest0000000001"
}

func TestDoDecodesWhatTheSDKReceived(t *testing.T) {
	c, url, id := setup(t)
	// In order: the real reboot comes last.
	for _, tc := range []struct {
		name   string
		r      legacy.Reboot
		status int
		code   string
	}{
		{"dry run", legacy.Reboot{InstanceID: id, DryRun: "true"}, 400, "DryRunOperation"},
		{"not found", legacy.Reboot{InstanceID: "i-nope", DryRun: "true"}, 404, "InvalidInstanceId.NotFound"},
		{"malformed", legacy.Reboot{InstanceID: id, ForceStop: "maybe"}, 400, "InvalidParameter"},
		{"missing id", legacy.Reboot{DryRun: "true"}, 400, "MissingParameter"},
		{"get", legacy.Reboot{InstanceID: id, DryRun: "true", Method: "GET"}, 400, "DryRunOperation"},
		{"reboot", legacy.Reboot{InstanceID: id}, 200, ""},
	} {
		name := tc.name
		res, err := legacy.Do(c, url, tc.r)
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, res.Transcript)
		}
		if res.Response.Status != tc.status || res.Response.Code != tc.code {
			t.Errorf("%s: got %d %q, want %d %q", name, res.Response.Status, res.Response.Code, tc.status, tc.code)
		}
		if (tc.status == 200) != (res.SDKErr == nil) {
			t.Errorf("%s: SDK error %v for HTTP %d", name, res.SDKErr, tc.status)
		}
		if !strings.Contains(res.Transcript, "Signature=REDACTED") || strings.Contains(res.Transcript, emulator.DefaultAccessKeySecret) {
			t.Errorf("%s: transcript not redacted:\n%s", name, res.Transcript)
		}
	}
}

func TestDoReportsTransportFailures(t *testing.T) {
	c, _, id := setup(t)
	c.SetConnectTimeout(200e6)
	if _, err := legacy.Do(c, "http://127.0.0.1:1", legacy.Reboot{InstanceID: id}); err == nil {
		t.Fatal("no error for a closed port")
	}
	if _, err := legacy.Do(c, "not a url", legacy.Reboot{InstanceID: id}); err == nil {
		t.Fatal("no error for a bad endpoint")
	}
}

// A 3xx the SDK hands back as its answer (net/http returns one without a Location) is
// reported as a redirect, never decoded and judged as an ECS answer.
func TestDoReportsRedirects(t *testing.T) {
	c, _, id := setup(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusFound)
		_, _ = w.Write([]byte(`{"RequestId":"0E2B6C4A-1111-4000-8000-000000000000","Code":"Found","Message":"elsewhere"}`))
	}))
	t.Cleanup(srv.Close)
	_, err := legacy.Do(c, srv.URL, legacy.Reboot{InstanceID: id, DryRun: "true"})
	var re *protocol.RedirectError
	if !errors.As(err, &re) || re.Status != http.StatusFound || !strings.Contains(err.Error(), "HTTP 302") {
		t.Fatalf("want a RedirectError for HTTP 302, got %v", err)
	}
}
