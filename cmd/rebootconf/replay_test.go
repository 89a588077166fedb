package main

import (
	"bytes"
	"io"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/rebootconf/rebootconf/fixtures/emulator"
	"github.com/rebootconf/rebootconf/fixtures/replay"
)

const replayFixture = "testdata/prefix-id.replay.json"

// The replay command must pass a sequence on the faithful emulator and fail it on the mutant
// the sequence was written to catch, printing the exchanges without secrets.
func TestReplayCommand(t *testing.T) {
	const file = replayFixture
	var out, errOut bytes.Buffer
	if code := dispatch([]string{"replay", file}, &out, &errOut); code != exitPass {
		t.Fatalf("faithful emulator: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "PASS: 4 steps") {
		t.Errorf("no PASS verdict:\n%s", out.String())
	}
	out.Reset()
	errOut.Reset()
	if code := dispatch([]string{"replay", "--mutant", "prefix-id-match", file}, &out, &errOut); code != exitFail {
		t.Fatalf("prefix-id-match mutant: exit %d, want %d\n%s%s", code, exitFail, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "FAIL:") || strings.Contains(out.String(), "testsecret") {
		t.Errorf("verdict or redaction wrong:\n%s", out.String())
	}
	for _, bad := range [][]string{{"replay"}, {"replay", "testdata/missing.json"}, {"replay", "--endpoint", "ftp://x", file}} {
		if code := dispatch(bad, &out, &errOut); code != exitConfig {
			t.Errorf("%v: exit %d, want %d", bad, code, exitConfig)
		}
	}
}

// Flags may come before or after FILE, as the properties suite prints them after it.
func TestReplayInterspersedFlags(t *testing.T) {
	rows := []struct {
		name     string
		args     []string
		ok       bool
		file     string
		endpoint string
		quiet    bool
		mutants  []string
		stderr   string // what the error output must say
	}{
		{name: "flags after FILE", args: []string{"a.json", "--endpoint", "http://h:1", "-q"}, ok: true, file: "a.json", endpoint: "http://h:1", quiet: true},
		{name: "flags before FILE", args: []string{"--endpoint=http://h:1", "-q", "a.json"}, ok: true, file: "a.json", endpoint: "http://h:1", quiet: true},
		{name: "flags on both sides", args: []string{"--mutant", "m1", "a.json", "--mutant", "m2"}, ok: true, file: "a.json", mutants: []string{"m1", "m2"}},
		{name: "after --, a dash is a file name", args: []string{"-q", "--", "-odd.json"}, ok: true, file: "-odd.json", quiet: true},
		{name: "two FILEs", args: []string{"a.json", "--endpoint", "http://h:1", "b.json"}, stderr: "want 1 argument(s), got 2"},
		{name: "two FILEs after --", args: []string{"--", "a.json", "b.json"}, stderr: "got 2"},
		{name: "no FILE", args: []string{"--endpoint", "http://h:1"}, stderr: "want 1 argument(s), got 0 (see 'rebootconf help replay')"},
		{name: "nothing", args: nil, stderr: "got 0"},
		{name: "unknown flag after FILE", args: []string{"a.json", "--nope"}, stderr: "flag provided but not defined: -nope"},
		{name: "flag value missing after FILE", args: []string{"a.json", "--endpoint"}, stderr: "flag needs an argument: -endpoint"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			var stderr bytes.Buffer
			fs := newFlags("replay", "FILE.json [flags]")
			endpoint := fs.String("endpoint", "", "")
			quiet := fs.Bool("q", false, "")
			var mutants multiFlag
			fs.Var(&mutants, "mutant", "")
			var file string
			pos, err := parseCommandLine(fs, row.args, 1, io.Discard, &stderr)
			if err == nil {
				file = pos[0]
			} else if strings.Count(stderr.String(), "\n") != 1 {
				t.Errorf("a usage error takes one line, got:\n%s", stderr.String())
			}
			if ok := err == nil; ok != row.ok || file != row.file {
				t.Fatalf("got (%q, %v), want (%q, %v); stderr:\n%s", file, ok, row.file, row.ok, stderr.String())
			}
			if err != nil {
				if !strings.Contains(stderr.String(), row.stderr) {
					t.Fatalf("stderr lacks %q:\n%s", row.stderr, stderr.String())
				}
				return
			}
			if *endpoint != row.endpoint || *quiet != row.quiet || !slices.Equal([]string(mutants), row.mutants) {
				t.Fatalf("parsed endpoint %q quiet %v mutants %q", *endpoint, *quiet, mutants)
			}
		})
	}
	// Through the command itself: -h (anywhere) is a request and exits 0 with the usage; every
	// bad form exits 2 before any target is opened.
	for _, args := range [][]string{{"-h"}, {replayFixture, "--help"}} {
		var out, errOut bytes.Buffer
		if code := dispatch(append([]string{"replay"}, args...), &out, &errOut); code != exitPass || !strings.Contains(out.String(), "usage: rebootconf replay FILE.json [flags]") {
			t.Errorf("replay %q: exit %d, want %d with the usage on stdout\n%s", args, code, exitPass, out.String())
		}
	}
	for _, args := range [][]string{{}, {"--endpoint", "http://127.0.0.1:1"}, {replayFixture, replayFixture}, {replayFixture, "-q", replayFixture}} {
		var out, errOut bytes.Buffer
		if code := dispatch(append([]string{"replay"}, args...), &out, &errOut); code != exitConfig || out.Len() != 0 {
			t.Errorf("replay %q: exit %d, want %d\n%s%s", args, code, exitConfig, out.String(), errOut.String())
		}
	}
}

// The form the properties suite prints (replay.CommandLine), run in-process against an
// emulator on loopback: the flag after FILE is honoured, and a second replay of the same
// file gives the same verdict.
func TestReplayPrintedFormInProcess(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", emulator.DefaultAccessKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", emulator.DefaultAccessKeySecret)
	for _, tc := range []struct {
		mutant string
		want   int
	}{{"", exitPass}, {"prefix-id-match", exitFail}} {
		var mutants []string
		if tc.mutant != "" {
			mutants = []string{tc.mutant}
		}
		e, err := emulator.New(emulator.Config{Mutants: mutants})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(e)
		args := strings.Fields(replay.CommandLine(replayFixture, srv.URL))[1:] // drop "rebootconf"
		for i := 1; i <= 2; i++ {
			var out, errOut bytes.Buffer
			if code := dispatch(append(args, "-q"), &out, &errOut); code != tc.want || !strings.Contains(out.String(), srv.URL) {
				t.Errorf("mutant %q, replay %d of %q: exit %d, want %d against %s\n%s%s", tc.mutant, i, args, code, tc.want, srv.URL, out.String(), errOut.String())
			}
		}
		srv.Close()
	}
}
