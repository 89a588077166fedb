package generators

import (
	"context"
	"flag"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/emulator"
)

// fewChecks lowers -rapid.checks to n for one test unless the command line set it.
func fewChecks(t *testing.T, n string) {
	t.Helper()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
	if set {
		return
	}
	old := flag.Lookup("rapid.checks").Value.String()
	if err := flag.Set("rapid.checks", n); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = flag.Set("rapid.checks", old) })
}

// The timeout variant of the ambiguity property on the faithful emulator: every case
// times out on a reboot the emulator applied, the property passes, and the held answer
// goes away with its client, so a case costs about the step deadline, not the hold.
func TestAmbiguityTimeoutVariant(t *testing.T) {
	fewChecks(t, "12")
	client, ctl := startEmulator(t)
	rec := &Recorder{}
	env := Env{Client: client, Control: ctl, Region: emulator.DefaultRegion, Faults: true, Recorder: rec}
	start := time.Now()
	rapid.Check(t, ambiguity(env, []string{control.FaultAppliedThenHeld}))
	if rec.Cases == 0 {
		t.Fatal("no cases ran")
	}
	if per := time.Since(start) / time.Duration(rec.Cases); per > heldLatency/3 {
		t.Fatalf("%s per case over %d cases: the held answers outlive their clients", per, rec.Cases)
	}
	calls, err := ctl.Calls(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	applied := 0
	for _, c := range calls.Calls {
		if c.Fault == control.FaultAppliedThenHeld && c.Status == 200 {
			applied++
		}
	}
	if applied == 0 {
		t.Fatalf("no held reboot was applied in %d cases: the variant does not test an applied timeout", rec.Cases)
	}
	t.Logf("%d cases, %d applied-then-timed-out reboots, %s", rec.Cases, applied, time.Since(start))
}
