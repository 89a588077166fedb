package sdkclients_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/fixtures/testee"
)

// redirectingTarget answers DescribeInstances with an empty list and redirects every other
// call (302) to a second loopback listener, which records whatever reaches it.
func redirectingTarget(t *testing.T) (endpoint, otherHost string, elsewhere func() []string) {
	t.Helper()
	var mu sync.Mutex
	var got []string
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	other := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.String()+" Referer="+r.Referer())
		mu.Unlock()
		_, _ = w.Write([]byte(`{"RequestId":"0E2B6C4A-1111-4000-8000-000000000000"}`))
	})}}
	other.Start()
	t.Cleanup(other.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		if r.Form.Get("Action") == "DescribeInstances" {
			_, _ = w.Write([]byte(`{"RequestId":"R","TotalCount":0,"Instances":{"Instance":[]}}`))
			return
		}
		if strings.HasPrefix(r.URL.Path, "/_rebootconf/") {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("Location", other.URL+"/?"+r.URL.RawQuery)
		w.WriteHeader(http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, ln.Addr().String(), func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

// No SDK client follows a redirect: the legacy SDK, Tea (both signings) and pop-core through
// the forwarder each report the 302 with its Location host, and nothing reaches that host,
// neither the signed call nor a Referer carrying it.
func TestNoSDKClientFollowsRedirects(t *testing.T) {
	endpoint, otherHost, elsewhere := redirectingTarget(t)
	t.Setenv(target.EnvAccessKeyID, "")
	t.Setenv(target.EnvAccessKeySecret, "")
	tg, err := target.Open(context.Background(), target.Options{Endpoint: endpoint})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tg.Close() })
	fw, err := testee.StartForwarder(tg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fw.Close() })
	all := []sdkClient{}
	legacy, err := newLegacyClient(tg)
	if err != nil {
		t.Fatal(err)
	}
	all = append(all, legacy)
	for _, name := range []string{clientTeaACS3, clientTeaV2} {
		c, err := newTeaClient(tg, name, tg.Credentials)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, c)
	}
	// Every testee (pop-core, Tea TS, the Go testee when built) goes through the forwarder.
	for _, c := range startTestees(context.Background(), tg, fw.URL, builtinPrograms(os.Getenv(envGoTestee))) {
		if c.drv != nil {
			t.Cleanup(func() { _ = c.drv.Close() })
		}
		all = append(all, c)
	}
	for _, c := range all {
		if why := c.Skip(); why != "" {
			t.Logf("%s: skipped: %s", c.Name(), why)
			continue
		}
		for _, action := range []string{"RebootInstance", "RunInstances"} {
			r := c.Do(context.Background(), call{Action: action, InstanceID: "i-any", DryRun: ptr(true), Amount: 1})
			if r.Err == nil || !strings.Contains(r.Err.Error(), "HTTP 302") || !strings.Contains(r.Err.Error(), otherHost) {
				t.Errorf("%s %s: want an error naming the 302 to %s, got %s", c.Name(), action, otherHost, r)
			}
		}
	}
	if got := elsewhere(); len(got) != 0 {
		t.Fatalf("%d request(s) reached the redirect's host: %q", len(got), got)
	}
}
