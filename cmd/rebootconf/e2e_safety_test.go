package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Fixtures create keys that override what the harness sets (the run tag, the region, the
// amount, deletion protection...) stop the run at preflight with one line and exit 2, before
// any call that could create or change anything; on a target without the control API, where
// RunInstances would use them, and with it.
func TestOverridingCreateKeysStopAtPreflight(t *testing.T) {
	foreign := foreignWorld()
	withControl, ctl, _ := serveProc(t, "--world", worldFile(t, foreign))
	noControl, _, serveLog := serveProc(t, "--no-control", "--verbose", "--world", worldFile(t, foreign))
	tap := tapJournal(t, ctl)
	env := childEnv(t, testCreds...)
	rows := []struct{ name, create, key string }{
		{"another run tag", `{"Tag.1.Value":"someoneelse"}`, "Tag.1.Value"},
		{"another region", `{"RegionId":"cn-beijing"}`, "RegionId"},
		{"many instances", `{"amount":"5"}`, "amount"},
		{"deletion protection", `{"DeletionProtection":"true"}`, "DeletionProtection"},
		{"prepaid", `{"InstanceChargeType":"PrePaid"}`, "InstanceChargeType"},
		{"fixed client token", `{"ClientToken":"abc"}`, "ClientToken"},
	}
	for _, row := range rows {
		for name, endpoint := range map[string]string{"control API": withControl, "ECS API only": noControl} {
			t.Run(row.name+"/"+name, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "fixtures.json")
				body := `{"create":` + strings.Replace(row.create, "{", `{"ImageId":"m-1",`, 1) + `}`
				if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
				r := runProc(t, time.Minute, env, "run", "--endpoint", endpoint, "--fixtures", path, "--suites", "conformance")
				if r.code != exitConfig || !strings.Contains(r.stderr, "create."+row.key+" is refused") || r.elapsed > 15*time.Second {
					t.Fatalf("want exit 2 refusing create.%s within 15s, got %s", row.key, r)
				}
				if strings.Contains(r.stdout, "== suite") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
					t.Fatalf("want one error line and no suite started:\n%s", r)
				}
			})
		}
	}
	for _, c := range tap.Calls(t) {
		if !reads[c.Action] {
			t.Errorf("journal #%d: %s %v sent although every run stopped at preflight", c.Seq, c.Action, c.InstanceIDs)
		}
	}
	for _, line := range strings.Split(serveLog.String(), "\n") {
		if strings.Contains(line, `msg="ecs call"`) && !strings.Contains(line, "action=Describe") {
			t.Errorf("serve --no-control saw a call other than a read: %s", line)
		}
	}
	checkForeignUntouched(t, ctl, foreign)
}
