package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rebootconf/rebootconf/fixtures/testee"
	"github.com/rebootconf/rebootconf/reports"
)

// Bad --client, known-deviations and deviations input is one clear error at flag parsing
// (exit 2 in runCmd), naming the flag.
func TestExtraFlagsRejectBadInput(t *testing.T) {
	dir := t.TempDir()
	file := func(name, text string) string {
		p := filepath.Join(dir, name)
		_ = os.WriteFile(p, []byte(text), 0o644)
		return p
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--client", "node 'unterminated"}, "--client"},
		{[]string{"--client", "/nonexistent/testee --sdk x"}, "start"},
		{[]string{"--client", "true"}, "no hello"},
		{[]string{"--known-failing", file("kf", "RI-ERR-004\n")}, "--known-failing: " + filepath.Join(dir, "kf") + ":1"},
		{[]string{"--known-flaky", file("fl", "RI-ERR-004: failing wrong kind\n")}, "--known-flaky"},
		{[]string{"--known-failing", filepath.Join(dir, "absent")}, "--known-failing"},
		{[]string{"--deviations", file("dv", "RI-STATE-002: fast reason\n")}, "--deviations"},
		{[]string{"--write-known-failing", dir}, "--write-known-failing"},
	} {
		_, err := parseRunFlags(c.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: %v, want one line saying %q", c.args, err, c.want)
		}
	}
}

// The testees and the target profile reach the suite processes' environment.
func TestExtraFlagsReachTheSuites(t *testing.T) {
	dir := t.TempDir()
	dev := filepath.Join(dir, "deviations.txt")
	_ = os.WriteFile(dev, []byte("RI-STATE-002: instant-transitions reboots finish within the call\n"), 0o644)
	// A testee that only says hello: flag parsing starts it to read its hello.
	fake := filepath.Join(dir, "fake-testee")
	_ = os.WriteFile(fake, []byte("#!/bin/sh\necho '{\"type\":\"hello\",\"protocol\":\"rebootconf-client/1\",\"client\":\"sh\",\"features\":{\"operations\":[\"RebootInstance\"],\"signatureVersions\":[\"v1\"]}}'\ncat >/dev/null\n"), 0o755)
	c, err := parseRunFlags([]string{"--client", fake + " --flag 'a b'", "--deviations", dev}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, kv := range c.ext.env() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	progs, err := testee.ClientsFromEnv(func(k string) string { return env[k] })
	if err != nil || len(progs) != 1 || strings.Join(progs[0].Argv, "|") != fake+"|--flag|a b" || progs[0].Dir == "" {
		t.Errorf("%s = %q: %+v %v", testee.EnvClients, env[testee.EnvClients], progs, err)
	}
	if env[reports.EnvDeviations] != dev {
		t.Errorf("%s = %q, want %q", reports.EnvDeviations, env[reports.EnvDeviations], dev)
	}
}
