package rig

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rebootconf/rebootconf/fixtures/target"
)

func TestAccountChanges(t *testing.T) {
	before := account{"i-a": "Running", "i-b": "Stopped", "i-c": "Running", "i-held": "Running"}
	none := func(string) bool { return false }
	if err := before.check(account{"i-a": "Running", "i-b": "Stopped", "i-c": "Running", "i-held": "Running"}, "i-x", none); err != nil {
		t.Fatalf("nothing changed: %v", err)
	}
	now := account{"i-a": "Running", "i-b": "Stopped"} // i-c went transient, i-held was taken by the spec
	held := func(id string) bool { return id == "i-held" }
	err := before.check(now, "i-x", held)
	if err == nil || !strings.Contains(err.Error(), "i-c: Running →") || strings.Contains(err.Error(), "i-held") {
		t.Fatalf("want only i-c reported, got %v", err)
	}
	if !strings.HasPrefix(err.Error(), "RI-STATE-009") {
		t.Fatalf("the error must cite RI-STATE-009 first: %v", err)
	}
	if err := before.check(account{"i-a": "Running", "i-b": "Stopped", "i-held": "Running"}, "i-c", none); err != nil {
		t.Fatalf("the rebooted instance itself is left out: %v", err)
	}
}

// Parallel processes of one run act on each other's instances: what a sibling created (the
// run's created ledger) is left out of the account watch even when it carries no run tag,
// while an instance the run did not create is watched.
func TestAccountLeavesOutWhatSiblingsCreated(t *testing.T) {
	ledger := filepath.Join(t.TempDir(), "created.ledger")
	tg, err := target.Open(context.Background(), target.Options{CreatedLedger: ledger, RunID: "rctest"})
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	if err := (target.CreatedLedger{Path: ledger}).Add("i-sibling"); err != nil {
		t.Fatal(err)
	}
	run, err := tg.CreatedByRun()
	if err != nil {
		t.Fatal(err)
	}
	rg := &Rig{T: tg}
	page := map[string]any{"Instances": map[string]any{"Instance": []any{
		map[string]any{"InstanceId": "i-sibling", "Status": "Running"},
		map[string]any{"InstanceId": "i-foreign", "Status": "Running"},
	}}}
	out := account{}
	if n, err := rg.addPage(out, page, rg.view(), run); err != nil || n != 2 {
		t.Fatalf("addPage: %d, %v", n, err)
	}
	if _, ok := out["i-sibling"]; ok || out["i-foreign"] != "Running" {
		t.Fatalf("account %v: want i-foreign watched and the sibling's i-sibling left out", out)
	}
}

// With parallel processes, a pool instance another spec held when an account read left it
// out may be back in the pool by the time the read is compared: it was acted on by the run,
// not changed behind its back (the false RI-STATE-009 alarm a --procs 4 run raised).
func TestAccountCheckSkipsWhatTheReadLeftOutAsHeld(t *testing.T) {
	rg := &Rig{T: &target.Target{Guard: &target.Guard{}}}
	read := poolView{r: rg, free: map[string]bool{}, held: map[string]bool{"i-pooled": true}}
	now := poolView{r: rg, free: map[string]bool{"i-pooled": true}, held: map[string]bool{}}
	before := account{"i-pooled": "Running", "i-foreign": "Running"}
	after := account{"i-foreign": "Running"} // the read left i-pooled out: it was held
	if err := before.check(after, "i-x", read.since(now)); err != nil {
		t.Fatalf("a pool instance held at the read and free now is the run's doing: %v", err)
	}
	if err := before.check(after, "i-x", now.inUse); err == nil {
		t.Fatal("judged by the later view alone, the instance looks gone: the test no longer shows the race")
	}
	if err := before.check(account{"i-pooled": "Running", "i-foreign": "Stopped"}, "i-x", read.since(now)); err == nil {
		t.Fatal("a foreign instance that changed must still fail")
	}
}

// Free at the baseline read and free again at the check, a pool instance may have been
// leased, stopped and put back Stopped by another process in between: its lease count says
// so (the false RI-STATE-009 alarm "Running → Stopped" a --procs 4 run raised in the
// Starting probe). An idle instance nobody leased that changed still fails.
func TestAccountCheckSkipsWhatWasLeasedInBetween(t *testing.T) {
	rg := &Rig{T: &target.Target{Guard: &target.Guard{}}}
	free := map[string]bool{"i-pooled": true}
	read := poolView{r: rg, free: free, held: map[string]bool{}, leases: map[string]int{"i-pooled": 3}}
	now := poolView{r: rg, free: free, held: map[string]bool{}, leases: map[string]int{"i-pooled": 4}}
	before := account{"i-pooled": "Running"}
	after := account{"i-pooled": "Stopped"}
	if err := before.check(after, "i-x", read.since(now)); err != nil {
		t.Fatalf("a pool instance another spec leased in between: %v", err)
	}
	if err := before.check(after, "i-x", read.since(read)); err == nil {
		t.Fatal("an idle pool instance nobody leased changed: want RI-STATE-009")
	}
}
