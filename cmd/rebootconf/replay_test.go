package main

import (
	"bytes"
	"strings"
	"testing"
)

// The replay command must pass a sequence on the faithful emulator and fail it on the mutant
// the sequence was written to catch, printing the exchanges without secrets.
func TestReplayCommand(t *testing.T) {
	const file = "testdata/prefix-id.replay.json"
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
