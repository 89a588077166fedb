package sdkclients_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

// forwarder is a loopback reverse proxy in front of the target whose transport is the
// target's guard. It exists for pop-core, which runs in a node process and cannot take a Go
// transport: every call it makes is vetted by the same guard as the Go clients' calls. The
// signatures pop-core makes (HMAC-SHA1, v1) do not cover the Host, so forwarding keeps them
// valid; the request is otherwise passed on unchanged. A redirect is never followed nor passed
// on: it becomes a 502 redirectCode answer naming the status and Location host.
// redirectCode is what the forwarder answers (HTTP 502, no Location) when the target
// redirected a call: never followed, never passed on.
const redirectCode = "Rebootconf.Redirect"

type forwarder struct {
	URL string
	srv *http.Server
}

func startForwarder(tg *target.Target) (*forwarder, error) {
	up, err := url.Parse(tg.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("forwarder: target endpoint %q: %w", tg.Endpoint, err)
	}
	rp := &httputil.ReverseProxy{
		Rewrite:   func(pr *httputil.ProxyRequest) { pr.SetURL(up) },
		Transport: tg.HTTPClient().Transport,
		// The guard already turns a 3xx into an error; should one get here anyway, it must
		// not reach node with a Location pop-core (or anything after it) could follow.
		ModifyResponse: func(resp *http.Response) error {
			return protocol.CheckRedirect("forwarded "+resp.Request.URL.Query().Get("Action"), resp)
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			// Answer in the ECS error shape so pop-core throws with a code the suite recognises.
			code, status := "Rebootconf.ForwardError", http.StatusBadGateway
			var refused *target.RefusedError
			var redirect *protocol.RedirectError
			switch {
			case errors.As(err, &refused):
				code, status = guardRefusedCode, http.StatusForbidden
			case errors.As(err, &redirect):
				code = redirectCode
			}
			body, _ := json.Marshal(map[string]string{"Code": code, "Message": protocol.Redact(err.Error()), "RequestId": ""})
			w.Header().Set("Content-Type", protocol.ContentTypeJSON)
			w.WriteHeader(status)
			_, _ = w.Write(body)
		},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("forwarder: listen: %w", err)
	}
	f := &forwarder{URL: "http://" + ln.Addr().String(), srv: &http.Server{Handler: rp, ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

// Close stops the forwarder, waiting briefly for calls in flight.
func (f *forwarder) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return f.srv.Shutdown(ctx)
}
