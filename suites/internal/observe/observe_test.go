package observe_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/suites/internal/observe"
)

// "Absent" needs a list that leaves the instance out; an answer without one is an error.
func TestAbsentNeedsAList(t *testing.T) {
	for body, wantAbsent := range map[string]bool{
		`{"RequestId":"R","TotalCount":0}`:                                                       false,
		`{"RequestId":"R","Instances":{}}`:                                                       false,
		`{"RequestId":"R","InstanceStatuses":null}`:                                              false,
		`{"RequestId":"R","Instances":{"Instance":[]},"InstanceStatuses":{"InstanceStatus":[]}}`: true,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(body))
		}))
		r := observe.Reader{Client: &protocol.Client{Endpoint: srv.URL, Credentials: protocol.Credentials{AccessKeyID: "id", AccessKeySecret: "s"}}, Region: "cn-hangzhou"}
		for _, src := range r.Sources() {
			st, err := src.Read(context.Background(), "i-a")
			if wantAbsent != (err == nil && st == contract.StatusAbsent) {
				t.Errorf("%s via %s: status %q, err %v; want absent=%v", body, src.Name, st, err, wantAbsent)
			}
		}
		srv.Close()
	}
}
