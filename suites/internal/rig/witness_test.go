package rig

import (
	"strings"
	"testing"

	"github.com/rebootconf/rebootconf/fixtures/control"
)

func TestRecordDiff(t *testing.T) {
	running := control.StatusChange{Status: control.StatusRunning, At: "2026-01-02T03:04:05.000000001Z", Cause: "control"}
	base := record{ok: true, changes: 1, last: running}
	later := control.StatusChange{Status: control.StatusRunning, At: "2026-01-02T03:04:06Z", Cause: "transition"}
	for _, tc := range []struct {
		name string
		base record
		now  record
		want []string // substrings; none means no difference
	}{
		{"nothing happened", base, base, nil},
		{"no baseline", record{}, record{ok: true, reboots: 1}, nil},
		{"unreadable now", base, record{}, nil},
		{"an immediate reboot", base, record{ok: true, reboots: 1, changes: 3, last: later, starts: 1},
			[]string{"rebootCount went from 0 to 1", "from 1 to 3 entries", "Running at 2026-01-02T03:04:06Z"}},
		{"a change with no reboot counted", base, record{ok: true, changes: 2, last: later}, []string{"from 1 to 2 entries"}},
		// The emulator keeps 64 entries: a full history changes its last one, not its length.
		{"a capped history", record{ok: true, changes: 64, last: running}, record{ok: true, changes: 64, last: later},
			[]string{"from 64 to 64 entries"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.base.diff(tc.now)
			if len(tc.want) == 0 && got != "" {
				t.Fatalf("diff = %q, want none", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("diff = %q, want it to contain %q", got, w)
				}
			}
		})
	}
}
