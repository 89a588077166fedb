package rig

import (
	"strings"
	"testing"
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
