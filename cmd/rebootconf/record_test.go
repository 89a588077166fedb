package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/cassette"
)

// record against `serve` as a separate process writes a cassette with IDs by role.
func TestRecordServe(t *testing.T) {
	url, ctl, _ := serveProc(t)
	out := filepath.Join(t.TempDir(), "serve.json")
	r := runProc(t, 2*time.Minute, childEnv(t, testCreds...), append([]string{"record", "--endpoint", url, "--out", out}, fastWaits...)...)
	if r.code != exitPass || !strings.Contains(r.stdout, "0 skipped, 0 contract violations") || !strings.Contains(r.stdout, "witness history") {
		t.Fatalf("record: %s", r)
	}
	c, err := cassette.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	if bytes.Contains(b, []byte("testsecret")) {
		t.Error("the cassette holds the secret")
	}
	calls, err := ctl.Calls(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	corpus, _ := cassette.Corpus()
	literal, _ := json.Marshal(corpus) // the generated sample names a few absent IDs literally
	named := 0
	for _, call := range calls.Calls {
		for _, id := range call.InstanceIDs {
			if len(id) > 8 && bytes.Contains(b, []byte(id)) && !bytes.Contains(literal, []byte(id)) {
				t.Errorf("the cassette names instance %s: IDs must be roles", id)
			}
			named++
		}
	}
	if named == 0 {
		t.Error("the journal names no instance: the check proves nothing")
	}
	if c.Steps() == 0 || !bytes.Contains(b, []byte("$instance.running.1")) {
		t.Errorf("no steps or no role placeholders in the cassette")
	}
}

// --dry-run-only records the safe subset: every case that sends a real reboot is skipped
// with the reason, and no call that is not a DryRun reaches an instance.
func TestRecordDryRunOnly(t *testing.T) {
	var stdout, stderr bytes.Buffer
	out := filepath.Join(t.TempDir(), "dry.json")
	if code := dispatch([]string{"record", "--dry-run-only", "--out", out, "--cases", "^(state/accept|dryrun/pass|errors/not-found)"}, &stdout, &stderr); code != exitPass {
		t.Fatalf("exit %d: %s %s", code, stdout.String(), stderr.String())
	}
	c, err := cassette.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	recorded := 0
	for _, cr := range c.Cases {
		switch {
		case strings.HasPrefix(cr.ID, "state/accept"):
			if !strings.Contains(cr.Skipped, "--dry-run-only") {
				t.Errorf("%s: recorded under --dry-run-only (skipped %q)", cr.ID, cr.Skipped)
			}
		case cr.Skipped == "":
			recorded++
		}
	}
	if recorded == 0 {
		t.Errorf("nothing recorded under --dry-run-only: %s", stdout.String())
	}
}
