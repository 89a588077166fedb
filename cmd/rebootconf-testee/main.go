// Command rebootconf-testee is the Go testee of the client-under-test protocol
// (docs/client-protocol.md): it runs each command the harness sends through a real Go SDK,
// the legacy SDK (--sdk legacy) or the Tea SDK v7 (--sdk tea), and prints what the SDK
// surfaced. Usage: rebootconf run --client 'bin/rebootconf-testee --sdk tea'.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/testee"
)

// sdk is one Go SDK behind the protocol.
type sdk interface {
	hello() testee.Hello
	// call runs c with creds and returns the result (ID and Type are set by the caller).
	call(ctx context.Context, c testee.Command, creds protocol.Credentials) testee.Result
}

// operations every Go SDK here maps.
var operations = []string{"RebootInstance", "StartInstance", "StopInstance", "RunInstances", "CreateInstance",
	"DeleteInstance", "DeleteInstances", "DescribeInstances", "DescribeInstanceStatus"}

func main() {
	fs := flag.NewFlagSet("rebootconf-testee", flag.ContinueOnError)
	which := fs.String("sdk", "", "the Go SDK to drive: legacy (alibaba-cloud-sdk-go) or tea (ecs-20140526/v7)")
	name := fs.String("name", "", "client name in the hello (default go-legacy or go-tea): two runs of one SDK need two names")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	var s sdk
	switch *which {
	case "legacy":
		s = legacySDK{}
	case "tea":
		s = teaSDK{}
	default:
		fmt.Fprintf(os.Stderr, "rebootconf-testee: --sdk %q: want legacy or tea\n", *which)
		os.Exit(2)
	}
	if err := serve(os.Stdin, os.Stdout, named{s, *name}); err != nil {
		fmt.Fprintln(os.Stderr, "rebootconf-testee:", protocol.Redact(err.Error()))
		os.Exit(1)
	}
}

// named renames an SDK's client in its hello.
type named struct {
	sdk
	name string
}

func (n named) hello() testee.Hello {
	h := n.sdk.hello()
	if n.name != "" {
		h.Client = n.name
	}
	return h
}

// serve prints the hello, then answers one result line per command line until stdin ends.
func serve(in io.Reader, out io.Writer, s sdk) error {
	enc := json.NewEncoder(out)
	if err := enc.Encode(s.hello()); err != nil {
		return err
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), testee.MaxLine)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var c testee.Command
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			return fmt.Errorf("stdin line is not a command: %w", err)
		}
		r := run(s, c)
		r.Type, r.ID = testee.TypeResult, c.ID
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return sc.Err()
}

func run(s sdk, c testee.Command) testee.Result {
	creds, err := credentials(c.Credentials)
	if err != nil {
		return clientError(err, "CredentialsError")
	}
	if c.Method != "" || (c.Format != "" && c.Format != "JSON") {
		return testee.Result{Unsupported: "this testee uses the SDK's own method and format only"}
	}
	timeout := time.Duration(c.TimeoutMs) * time.Millisecond
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return s.call(ctx, c, creds)
}

// credentials resolves the command's credential source.
func credentials(c testee.Credentials) (protocol.Credentials, error) {
	switch c.Source {
	case testee.CredsInline:
		return protocol.Credentials{AccessKeyID: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret}, nil
	case testee.CredsEnv:
		get := func(name string) string {
			if name == "" {
				return ""
			}
			return os.Getenv(name)
		}
		cr := protocol.Credentials{AccessKeyID: get(c.AccessKeyIDEnv), AccessKeySecret: get(c.AccessKeySecretEnv), SecurityToken: get(c.SecurityTokenEnv)}
		if cr.AccessKeyID == "" || cr.AccessKeySecret == "" {
			return cr, fmt.Errorf("credentials: %s and %s must be set in the environment", c.AccessKeyIDEnv, c.AccessKeySecretEnv)
		}
		return cr, nil
	}
	return protocol.Credentials{}, fmt.Errorf("credentials source %q: want %q or %q", c.Source, testee.CredsEnv, testee.CredsInline)
}

func clientError(err error, exception string) testee.Result {
	return testee.Result{Error: &testee.Error{Kind: testee.KindClient, Message: protocol.Redact(err.Error()), Exception: exception}}
}

// bodyOf turns an SDK response struct into the API-named JSON object the protocol carries.
func bodyOf(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// params reads the SDK-neutral parameters of a command.
type params map[string]any

func (p params) str(k string) string {
	s, _ := p[k].(string)
	return s
}

func (p params) boolean(k string) *bool {
	b, ok := p[k].(bool)
	if !ok {
		return nil
	}
	return &b
}

func (p params) integer(k string) int {
	f, _ := p[k].(float64)
	return int(f)
}

func (p params) strings(k string) []string {
	list, ok := p[k].([]any)
	if !ok {
		return nil
	}
	out := []string{}
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// tags reads Tag: [{Key, Value}].
func (p params) tags() [][2]string {
	list, _ := p["Tag"].([]any)
	var out [][2]string
	for _, x := range list {
		m, _ := x.(map[string]any)
		k, _ := m["Key"].(string)
		v, _ := m["Value"].(string)
		out = append(out, [2]string{k, v})
	}
	return out
}
