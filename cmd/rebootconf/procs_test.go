package main

import (
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rebootconf/rebootconf/fixtures/target"
)

// With procs > 1 the Ginkgo CLI runs the suite: Ginkgo's settings are its flags, the test
// binary's own (rapid's) follow "--"; procs 1 execs the suite binary as before.
func TestSuiteCommandByProcs(t *testing.T) {
	c, err := parseRunFlags([]string{"--seed", "7", "--label-filter", "state", "--focus", "x"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c.procs, c.ginkgo = 3, "/opt/ginkgo"
	props := suiteBinary{name: "properties", path: "bin/suites/properties.test"}
	cmd, err := suiteCommand(c, props)
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(props.path)
	want := []string{"/opt/ginkgo", "run", "--procs=3", "--no-color", "--seed=7", "--timeout=30m0s", "--label-filter=state", "--focus=x", abs, "--", "-rapid.seed=7"}
	if !slices.Equal(cmd.Args, want) {
		t.Fatalf("ginkgo command %q, want %q", cmd.Args, want)
	}
	c.fuzz.reboots = 2 // a per-process budget: one process keeps it for the run
	if cmd, _ = suiteCommand(c, props); cmd.Args[0] != props.path {
		t.Fatalf("--fuzz-reboots: the properties suite must run in one process, got %q", cmd.Args)
	}
	c.fuzz.reboots, c.opts.Endpoint = 0, "http://127.0.0.1:1" // a shared target: the worlds' IDs would collide
	if cmd, _ = suiteCommand(c, props); cmd.Args[0] != props.path {
		t.Fatalf("an endpoint: the properties suite must run in one process, got %q", cmd.Args)
	}
	conf := suiteBinary{name: "conformance", path: "bin/suites/conformance.test"}
	if cmd, _ = suiteCommand(c, conf); cmd.Args[0] != c.ginkgo {
		t.Fatalf("an endpoint: conformance runs in %d processes, got %q", c.procs, cmd.Args)
	}
	c.procs = 1
	if cmd, _ = suiteCommand(c, conf); cmd.Args[0] != conf.path || !strings.Contains(strings.Join(cmd.Args, " "), "-ginkgo.seed=7") {
		t.Fatalf("--procs 1 must exec the suite binary with Ginkgo's test flags, got %q", cmd.Args)
	}
}

// The default comes from the target kind; an explicit --procs stays.
func TestResolveProcsDefaults(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no ginkgo on PATH (the test binary has none next to it)
	for kind, want := range map[target.Kind]int{target.KindEmbedded: 1, target.KindEndpoint: 1, target.KindCloud: 1} {
		c := runConfig{}
		note, err := resolveProcs(&c, kind)
		if err != nil || c.procs != want || !strings.Contains(note, "no ginkgo binary") {
			t.Errorf("%s without ginkgo: procs %d, note %q, err %v; want %d with a note", kind, c.procs, note, err, want)
		}
	}
	c := runConfig{procs: 1}
	if note, err := resolveProcs(&c, target.KindEndpoint); err != nil || note != "" || c.procs != 1 {
		t.Errorf("--procs 1: procs %d, note %q, err %v", c.procs, note, err)
	}
	c = runConfig{procs: 2}
	if _, err := resolveProcs(&c, target.KindEndpoint); err == nil || !strings.Contains(err.Error(), "--procs 2") {
		t.Errorf("--procs 2 without ginkgo: err %v, want a configuration error", err)
	}
}
