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
	if n, err := rg.addPage(out, page, run); err != nil || n != 2 {
		t.Fatalf("addPage: %d, %v", n, err)
	}
	if _, ok := out["i-sibling"]; ok || out["i-foreign"] != "Running" {
		t.Fatalf("account %v: want i-foreign watched and the sibling's i-sibling left out", out)
	}
}
