package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rebootconf/rebootconf/fixtures/emulator"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
)

func TestServeListVariants(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if got := serve(t.Context(), []string{"--list-variants"}, &stdout, &stderr, os.LookupEnv); got != 0 {
		t.Fatalf("list-variants: exit %d; stderr %s", got, stderr.String())
	}
	for _, name := range emulator.VariantNames() {
		if !strings.Contains(stdout.String(), name+" ") {
			t.Errorf("--list-variants does not list %s:\n%s", name, stdout.String())
		}
	}
	stdout.Reset()
	if got := serve(t.Context(), []string{"--variant", "typo-variant"}, &stdout, &stderr, os.LookupEnv); got != 2 || !strings.Contains(stderr.String(), `unknown variant "typo-variant"`) {
		t.Fatalf("unknown variant: exit %d, stderr %q", got, stderr.String())
	}
}

// A variant given to serve is the one the emulator runs, with or without the control API.
func TestServeVariant(t *testing.T) {
	world := filepath.Join(t.TempDir(), "w.json")
	if err := os.WriteFile(world, []byte(`{"instances":[{"instanceId":"i-a","status":"Running"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	url, stop, code := startServe(t, func(ctx context.Context, stdout io.Writer) int {
		return serve(ctx, []string{"--world", world, "--no-control", "--variant", "sign-parsed-params"}, stdout, &stderr, os.LookupEnv)
	})
	c := &protocol.Client{Endpoint: url, Credentials: protocol.Credentials{AccessKeyID: emulator.DefaultAccessKeyID, AccessKeySecret: emulator.DefaultAccessKeySecret}}
	ex, err := c.Do(t.Context(), protocol.Call{Action: "RebootInstance", Params: map[string][]string{"InstanceId": {"i-a", "i-a"}, "DryRun": {"true"}}})
	if err != nil || ex.Response.Code != "SignatureDoesNotMatch" {
		t.Fatalf("repeated InstanceId under sign-parsed-params: %v %+v", err, ex.Response)
	}
	stop()
	if got := <-code; got != 0 {
		t.Fatalf("exit %d after cancel; stderr %s", got, stderr.String())
	}
}
