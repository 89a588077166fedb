package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/replay"
)

// The command a properties failure report prints (replay.CommandLine, flags after FILE),
// pasted into a shell against `rebootconf serve`, twice in a row: both give the same verdict
// (the first replay's world is gone before the second creates it again) and the emulator
// ends up holding what it held before. Against a serve with the bug the sequence was
// written to catch, both replays fail with exit 1.
func TestReplayPrintedCommandTwiceAgainstServe(t *testing.T) {
	cli := binaries(t)
	data, err := os.ReadFile(replayFixture)
	if err != nil {
		t.Fatal(err)
	}
	// A directory name a shell would split, so the printed command's quoting is exercised too.
	file := filepath.Join(t.TempDir(), "replays (it's here)", "prefix-id.replay.json")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	env := childEnv(t, testCreds...)
	for i, kv := range env {
		if path, ok := strings.CutPrefix(kv, "PATH="); ok {
			env[i] = "PATH=" + filepath.Dir(cli) + string(os.PathListSeparator) + path
		}
	}
	for _, tc := range []struct {
		name    string
		serve   []string
		code    int
		verdict string
	}{
		{"faithful serve", nil, exitPass, "PASS: 4 steps"},
		{"serve --mutant prefix-id-match", []string{"--mutant", "prefix-id-match"}, exitFail, "FAIL: " + file},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, ctl, _ := serveProc(t, tc.serve...)
			before := instanceIDs(t, ctl)
			line := replay.CommandLine(file, url)
			for i := 1; i <= 2; i++ {
				r := shellProc(t, env, line)
				if r.code != tc.code || !strings.Contains(r.stdout, tc.verdict) {
					t.Fatalf("replay %d: `%s`: want exit %d and %q, got %s", i, line, tc.code, tc.verdict, r)
				}
				if strings.Contains(r.stdout+r.stderr, "testsecret") {
					t.Fatalf("replay %d printed the secret:\n%s", i, r)
				}
				if after := instanceIDs(t, ctl); !slices.Equal(before, after) {
					t.Fatalf("replay %d: serve held %v before and %v after: the replay left its world behind", i, before, after)
				}
			}
		})
	}
}

// SIGINT while a replay is waiting on the target (its second reboot held by a 60 s latency
// fault) stops it promptly with exit 2, and the world it created is gone.
func TestReplayInterruptedCleansUp(t *testing.T) {
	const first, second = "i-00000000000000000001", "i-00000000000000000002"
	file := filepath.Join(t.TempDir(), "slow.replay.json")
	seq := `{"version": 1, "timing": "manual",
  "world": [{"id": "` + first + `", "status": "Running"}, {"id": "` + second + `", "status": "Running"}],
  "steps": [
    {"op": "call", "call": {"action": "RebootInstance", "params": {"InstanceId": ["` + first + `"]}}},
    {"op": "call", "call": {"action": "RebootInstance", "params": {"InstanceId": ["` + second + `"]}}}
  ]}`
	if err := os.WriteFile(file, []byte(seq), 0o600); err != nil {
		t.Fatal(err)
	}
	url, ctl, _ := serveProc(t)
	// Installed by the test, not the sequence: the emulator consumes it when the held call
	// arrives, so its disappearance says the replay is waiting on that call.
	if _, err := ctl.AddFault(context.Background(), control.Fault{Kind: control.FaultLatency, Action: "RebootInstance",
		InstanceID: second, Count: 1, LatencyMs: 60000}); err != nil {
		t.Fatal(err)
	}
	before := instanceIDs(t, ctl)
	p := startProc(t, childEnv(t, testCreds...), "replay", file, "--endpoint", url, "-q")
	waitFor(t, time.Minute, "the replay's second reboot to be held", func() bool {
		fs, err := ctl.Faults(context.Background())
		return err == nil && len(fs) == 0
	})
	if held := instanceIDs(t, ctl); len(held) != len(before)+2 {
		t.Fatalf("the replay is held but its world is not there: %v", held)
	}
	sent := time.Now()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	r := p.wait(t, time.Minute)
	if took := time.Since(sent); r.code != exitConfig || took > 20*time.Second {
		t.Fatalf("after SIGINT: want exit %d within 20s, got it after %s: %s", exitConfig, took.Round(time.Millisecond), r)
	}
	if after := instanceIDs(t, ctl); !slices.Equal(before, after) {
		t.Fatalf("serve held %v before and %v after the interrupted replay", before, after)
	}
	t.Logf("interrupted replay: %s", strings.TrimSpace(r.stderr))
}

// shellProc runs line with sh, as a user pasting it would, in a fresh directory.
func shellProc(t *testing.T, env []string, line string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", line)
	var stdout, stderr lockedBuffer
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = t.TempDir(), env, &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	if exitErr := (*exec.ExitError)(nil); err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("sh -c %q: %v", line, err)
	}
	return cliResult{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
}

func instanceIDs(t *testing.T, ctl *control.Client) []string {
	t.Helper()
	ins, err := ctl.ListInstances(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(ins))
	for _, in := range ins {
		ids = append(ids, in.InstanceID)
	}
	return ids
}
