package sdkclients_test

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/rebootconf/rebootconf/fixtures/protocol"
)

// wireLog keeps the HTTP exchanges the clients send, so a failing spec's report shows what
// went over the wire: the SDKs surface only their own view of an answer. Specs in one
// process run one at a time, so "the exchanges since the last take" belong to one call.
type wireLog struct {
	mu      sync.Mutex
	entries []string
}

// maxWireEntries bounds the log between two takes (a retrying SDK sends a few at most).
const maxWireEntries = 8

var wire = &wireLog{}

// take returns the exchanges recorded since the last take, redacted, and forgets them.
func (w *wireLog) take() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := strings.Join(w.entries, "\n")
	w.entries = nil
	return out
}

func (w *wireLog) add(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.entries) == maxWireEntries {
		w.entries = w.entries[1:]
	}
	w.entries = append(w.entries, protocol.Redact(s))
}

// recording wraps next so every exchange through it lands in the wire log.
func recording(next http.RoundTripper) http.RoundTripper { return recorder{next: next} }

type recorder struct{ next http.RoundTripper }

// maxWireBody caps each body shown.
const maxWireBody = 4 << 10

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", req.Method, req.URL)
	if req.Body != nil && req.Body != http.NoBody {
		body, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		fmt.Fprintf(&b, "> %s\n", clipBody(body))
	}
	fmt.Fprintf(&b, "curl: %s\n", curlLine(req, reqBody(req)))
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		fmt.Fprintf(&b, "! %v\n", err)
		wire.add(b.String())
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	fmt.Fprintf(&b, "< HTTP %d\n< %s\n", resp.StatusCode, clipBody(body))
	if rerr != nil {
		fmt.Fprintf(&b, "! reading the answer: %v\n", rerr)
	}
	wire.add(b.String())
	return resp, nil
}

// reqBody is the (already buffered) request body, or nil.
func reqBody(req *http.Request) []byte {
	if req.GetBody == nil {
		return nil
	}
	rc, err := req.GetBody()
	if err != nil {
		return nil
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return b
}

// secretParams are query parameters a curl line leaves to the environment.
var secretParams = map[string]string{"AccessKeyId": "${ALIBABA_CLOUD_ACCESS_KEY_ID}",
	"SecurityToken": "${ALIBABA_CLOUD_SECURITY_TOKEN}", "Signature": "${SIGNATURE}"}

// curlLine is the exchange as a curl command, credentials and signature left as environment
// variables. It shows the request in a familiar form; to send it again, sign it afresh
// (SignatureNonce and Timestamp, or x-acs-signature-nonce and x-acs-date, are single-use).
func curlLine(req *http.Request, body []byte) string {
	u := *req.URL
	q := u.Query()
	var sub []string
	for k, v := range secretParams {
		if q.Has(k) {
			q.Set(k, "SECRETPLACEHOLDER"+k)
			sub = append(sub, "SECRETPLACEHOLDER"+k, v)
		}
	}
	u.RawQuery = q.Encode()
	line := strings.NewReplacer(sub...).Replace(u.String())
	out := fmt.Sprintf("curl -sS -X %s \"%s\"", req.Method, line)
	for _, k := range slices.Sorted(maps.Keys(req.Header)) {
		vs, lk := req.Header[k], strings.ToLower(k)
		switch {
		case lk == "authorization":
			out += ` -H "Authorization: ${ACS3_AUTHORIZATION}"`
		case strings.HasPrefix(lk, "x-acs-") && lk != "x-acs-security-token", lk == "content-type":
			out += fmt.Sprintf(" -H '%s: %s'", k, strings.Join(vs, ","))
		case lk == "x-acs-security-token":
			out += ` -H "x-acs-security-token: ${ALIBABA_CLOUD_SECURITY_TOKEN}"`
		}
	}
	if len(body) > 0 {
		out += " --data-binary '" + strings.ReplaceAll(string(body), "'", `'\''`) + "'"
	}
	return out
}

func clipBody(b []byte) string {
	if len(b) > maxWireBody {
		return string(b[:maxWireBody]) + fmt.Sprintf("... (%d bytes)", len(b))
	}
	return string(b)
}
