package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
)

func TestServeNoControl(t *testing.T) {
	var stderr bytes.Buffer
	endpoint, stop, code := startServe(t, func(ctx context.Context, stdout io.Writer) int {
		return serve(ctx, []string{"--no-control"}, stdout, &stderr, os.LookupEnv)
	})
	_, err := control.NewClient(endpoint).Health(t.Context())
	var se *control.StatusError
	if !errors.As(err, &se) || se.Status != http.StatusNotFound {
		t.Fatalf("health on --no-control: %v, want HTTP 404", err)
	}
	c := &protocol.Client{Endpoint: endpoint, Credentials: protocol.Credentials{AccessKeyID: "testid", AccessKeySecret: "testsecret"}}
	ex, err := c.Do(t.Context(), protocol.Call{Action: "RunInstances", Params: url.Values{"RegionId": {"cn-hangzhou"}, "Amount": {"1"}}})
	if err != nil || ex.Response.IsError() {
		t.Fatalf("ECS API on --no-control: %v %+v", err, ex.Response)
	}
	stop()
	if got := <-code; got != 0 {
		t.Fatalf("exit %d; stderr %s", got, stderr.String())
	}
}
