package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
)

var listening = regexp.MustCompile(`^listening on (http://127\.0\.0\.1:[0-9]+)\n$`)

// startServe runs serve in the background and returns its URL, a stop function and the exit
// code channel.
func startServe(t *testing.T, run func(ctx context.Context, stdout io.Writer) int) (string, context.CancelFunc, <-chan int) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, pw)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	m := listening.FindStringSubmatch(line)
	if err != nil || m == nil {
		cancel()
		t.Fatalf("first stdout line %q (%v), want %q", line, err, "listening on http://127.0.0.1:PORT")
	}
	return m[1], cancel, code
}

func TestServeStartsAndStops(t *testing.T) {
	world := filepath.Join(t.TempDir(), "w.json")
	if err := os.WriteFile(world, []byte(`{"instances":[{"instanceId":"i-a","status":"Running"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"MY_SECRET": "s3cret"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	var stderr bytes.Buffer
	url, stop, code := startServe(t, func(ctx context.Context, stdout io.Writer) int {
		return serve(ctx, []string{"--world", world, "--profile", "immediate", "--access-key-id", "me",
			"--access-key-secret-env", "MY_SECRET", "--mutant", "lenient-bool", "--mutant", "constant-requestid"}, stdout, &stderr, lookup)
	})
	h, err := control.NewClient(url).Health(t.Context())
	if err != nil || len(h.Mutants) != 2 {
		t.Fatalf("health: %+v %v", h, err)
	}
	st, _ := control.NewClient(url).Transitions(t.Context())
	if st.Mode != "immediate" {
		t.Fatalf("profile not applied: %+v", st)
	}
	c := &protocol.Client{Endpoint: url, Credentials: protocol.Credentials{AccessKeyID: "me", AccessKeySecret: "s3cret"}}
	ex, err := c.Do(t.Context(), protocol.Call{Action: "RebootInstance", Params: map[string][]string{"InstanceId": {"i-a"}}})
	if err != nil || ex.Response.Status != 200 {
		t.Fatalf("reboot through serve: %v %+v", err, ex.Response)
	}
	stop()
	if got := <-code; got != 0 {
		t.Fatalf("exit %d after cancel; stderr %s", got, stderr.String())
	}
}

func TestServeSignal(t *testing.T) {
	var stderr bytes.Buffer
	url, stop, code := startServe(t, func(_ context.Context, stdout io.Writer) int {
		return serveCmd([]string{"--addr", "127.0.0.1:0"}, stdout, &stderr)
	})
	defer stop()
	if _, err := control.NewClient(url).Health(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-code:
		if got != 0 {
			t.Fatalf("exit %d on SIGTERM; stderr %s", got, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
}

func TestServeUsageErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"instances":[{"instanceId":"i-a","status":"Sleeping"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	none := func(string) (string, bool) { return "", false }
	cases := map[string]struct {
		args []string
		want string
	}{
		"unknown flag":      {[]string{"--bogus"}, "flag provided but not defined: -bogus"},
		"secret as flag":    {[]string{"--access-key-secret", "x"}, "not defined"},
		"stray argument":    {[]string{"extra"}, "unexpected argument"},
		"bad profile":       {[]string{"--profile", "warp"}, `unknown transition profile "warp"`},
		"bad world":         {[]string{"--world", bad}, `unknown status "Sleeping"`},
		"missing world":     {[]string{"--world", filepath.Join(dir, "nope.json")}, "nope.json"},
		"unknown mutant":    {[]string{"--mutant", "nope"}, `unknown mutant "nope"`},
		"non-loopback":      {[]string{"--addr", "0.0.0.0:0"}, "--allow-non-loopback"},
		"bad addr":          {[]string{"--addr", "nonsense"}, "--addr"},
		"id without env":    {[]string{"--access-key-id", "me"}, "needs --access-key-secret-env"},
		"env without id":    {[]string{"--access-key-secret-env", "X"}, "needs --access-key-id"},
		"env unset":         {[]string{"--access-key-id", "me", "--access-key-secret-env", "UNSET_VAR"}, "UNSET_VAR"},
		"negative max":      {[]string{"--max-instances", "-1"}, "--max-instances -1"},
		"negative throttle": {[]string{"--throttle", "-1"}, "--throttle -1"},
		"NaN throttle":      {[]string{"--throttle", "NaN"}, "--throttle NaN"},
		"infinite throttle": {[]string{"--throttle", "Inf"}, "--throttle +Inf"},
		"negative shutdown": {[]string{"--shutdown-timeout", "-1s"}, "--shutdown-timeout -1s"},
		"zero shutdown":     {[]string{"--shutdown-timeout", "0s"}, "--shutdown-timeout 0s"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if got := serve(t.Context(), c.args, &stdout, &stderr, none); got != 2 {
				t.Fatalf("exit %d, want 2; stderr %s", got, stderr.String())
			}
			if !strings.Contains(stderr.String(), c.want) || stdout.Len() != 0 {
				t.Fatalf("stderr %q, want it to mention %q (stdout %q)", stderr.String(), c.want, stdout.String())
			}
		})
	}
}

func TestServeListMutantsAndDispatch(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if got := serve(t.Context(), []string{"--list-mutants"}, &stdout, &stderr, os.LookupEnv); got != 0 || !strings.Contains(stdout.String(), "reboot-any-status") {
		t.Fatalf("list-mutants: %d %q", got, stdout.String())
	}
	stderr.Reset()
	if got := dispatch([]string{"frobnicate"}, &stdout, &stderr); got != 2 || !strings.Contains(stderr.String(), `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: %d %q", got, stderr.String())
	}
	if got := dispatch(nil, &stdout, &stderr); got != 2 {
		t.Fatalf("no command: %d", got)
	}
}

// An address already in use is a mistake on the command line: exit 2 with one line, with and
// without the control API.
func TestServePortInUseIsAUsageError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	none := func(string) (string, bool) { return "", false }
	for _, extra := range [][]string{nil, {"--no-control"}} {
		var stdout, stderr bytes.Buffer
		code := serve(t.Context(), append([]string{"--addr", ln.Addr().String()}, extra...), &stdout, &stderr, none)
		if code != exitConfig || strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), "address already in use") || stdout.Len() != 0 {
			t.Errorf("serve %v on a port in use: exit %d, stderr %q; want exit 2 and one line", extra, code, stderr.String())
		}
	}
}
