package main

import (
	"bufio"
	"context"
	"strings"
	"testing"

	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/testee"
)

// stub records what it was asked and answers success.
type stub struct{ got *[]protocol.Credentials }

func (s stub) hello() testee.Hello { return legacySDK{}.hello() }
func (s stub) call(_ context.Context, c testee.Command, cr protocol.Credentials) testee.Result {
	*s.got = append(*s.got, cr)
	return testee.Result{OK: true, HTTPStatus: 200, RequestID: "R"}
}

func TestServeSpeaksTheProtocol(t *testing.T) {
	t.Setenv("K_ID", "id-from-env")
	t.Setenv("K_SECRET", "secret-from-env")
	in := strings.Join([]string{
		`{"type":"call","id":"a","operation":"RebootInstance","credentials":{"source":"env","accessKeyIdEnv":"K_ID","accessKeySecretEnv":"K_SECRET"},"timeoutMs":100}`,
		``,
		`{"type":"call","id":"b","operation":"RebootInstance","credentials":{"source":"inline","accessKeyId":"x","accessKeySecret":"y"},"timeoutMs":100}`,
		`{"type":"call","id":"c","operation":"RebootInstance","credentials":{"source":"env","accessKeyIdEnv":"UNSET_ID","accessKeySecretEnv":"UNSET_SECRET"}}`,
		`{"type":"call","id":"d","operation":"RebootInstance","method":"GET","credentials":{"source":"inline"}}`,
	}, "\n")
	var got []protocol.Credentials
	var out strings.Builder
	name := named{stub{&got}, "renamed"}
	if err := serve(strings.NewReader(in), &out, name); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	sc.Scan()
	if h, err := testee.ParseHello(sc.Bytes()); err != nil || h.Client != "renamed" {
		t.Fatalf("hello %q: %v", sc.Text(), err)
	}
	want := map[string]func(testee.Result) bool{
		"a": func(r testee.Result) bool { return r.OK },
		"b": func(r testee.Result) bool { return r.OK },
		"c": func(r testee.Result) bool { return r.Error != nil && r.Error.Kind == testee.KindClient },
		"d": func(r testee.Result) bool { return r.Unsupported != "" },
	}
	for _, id := range []string{"a", "b", "c", "d"} {
		if !sc.Scan() {
			t.Fatalf("no result for %s:\n%s", id, out.String())
		}
		r, err := testee.ParseResult(sc.Bytes(), id)
		if err != nil || !want[id](r) {
			t.Errorf("result %s: %s (%v)", id, sc.Text(), err)
		}
	}
	if len(got) != 2 || got[0].AccessKeySecret != "secret-from-env" || got[1].AccessKeyID != "x" {
		t.Errorf("credentials reached the SDK as %v", got)
	}
	if strings.Contains(out.String(), "secret-from-env") {
		t.Error("the secret was printed")
	}
	if err := serve(strings.NewReader("not json\n"), &out, name); err == nil {
		t.Error("a garbled command line was answered")
	}
}
