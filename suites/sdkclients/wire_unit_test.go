package sdkclients_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

type fakeRT func(*http.Request) (*http.Response, error)

func (f fakeRT) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// The recorder keeps each exchange (request, answer, a curl line with the credentials left
// to the environment) without eating either body.
func TestWireRecordsTheExchange(t *testing.T) {
	var sawBody string
	rt := recording(fakeRT(func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		sawBody = string(b)
		return &http.Response{StatusCode: 400, Body: io.NopCloser(strings.NewReader(`{"Code":"InvalidInstanceId.NotFound"}`)), Header: http.Header{}}, nil
	}))
	req, _ := http.NewRequest("POST", "http://127.0.0.1:1/?Action=RebootInstance&AccessKeyId=testid&Signature=c2VjcmV0c2ln", strings.NewReader("InstanceId=i-1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	got := wire.take()
	for _, want := range []string{"> POST http://127.0.0.1:1/?", "> InstanceId=i-1", "< HTTP 400", `InvalidInstanceId.NotFound`,
		`curl -sS -X POST "http://127.0.0.1:1/?AccessKeyId=${ALIBABA_CLOUD_ACCESS_KEY_ID}&Action=RebootInstance`, "--data-binary 'InstanceId=i-1'"} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "c2VjcmV0c2ln") || sawBody != "InstanceId=i-1" || !strings.Contains(string(answer), "NotFound") {
		t.Errorf("signature leaked or a body eaten: next saw %q, caller read %q\n%s", sawBody, answer, got)
	}
	if again := wire.take(); again != "" {
		t.Errorf("take must forget what it returned: %q", again)
	}
}
