package main

import (
	"context"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rebootconf/rebootconf/fixtures/emulator"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

// The end of a run deletes the instances free in the run's instance pool (instances specs
// left Running for the next one) without calling them leaks, and deletes a lease still held
// at the end (a killed process's) as one.
func TestLeakCheckDeletesFreePoolInstances(t *testing.T) {
	srv, err := emulator.Start("127.0.0.1:0", emulator.Config{Transitions: emulator.Profiles["immediate"]})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	o := target.Options{Endpoint: srv.URL, RunID: "rcpooltest", CreatedLedger: filepath.Join(dir, "created.ledger"),
		PoolFile: filepath.Join(dir, "instances.pool"), LearntDir: dir}
	ctx := context.Background()
	tg, err := target.Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	var ids []string
	for range 2 {
		ex, err := tg.Raw().Do(ctx, protocol.Call{Action: "RunInstances", Params: url.Values{"RegionId": {tg.Region}, "Amount": {"1"},
			"ImageId": {"img"}, "InstanceType": {"ecs.t6-c1m1.large"}, "Tag.1.Key": {target.RunTagKey}, "Tag.1.Value": {o.RunID}}})
		if err != nil || ex.Response.IsError() {
			t.Fatalf("RunInstances: %v %v", err, ex)
		}
		ids = append(ids, ex.Response.Fields["InstanceIdSets"].(map[string]any)["InstanceIdSet"].([]any)[0].(string))
	}
	pool := target.PoolFile{Path: o.PoolFile}
	for _, id := range ids {
		if err := pool.Put(id, "Running"); err != nil {
			t.Fatal(err)
		}
	}
	// A process leases one and is killed before it puts it back.
	held, _, err := pool.Lease("Running", "killed.1", target.CreatedLedger{Path: o.CreatedLedger})
	if err != nil || held == "" {
		t.Fatalf("lease: %q %v", held, err)
	}
	free := ids[0]
	if free == held {
		free = ids[1]
	}
	c := (&preflightResult{target: tg}).leakCheck(ctx, o)
	if !slices.Equal(c.pooled, []string{free}) || !slices.Equal(c.deleted, []string{held}) || !c.clean() {
		t.Fatalf("pooled %v (want [%s]), deleted as leaks %v (want [%s]), left %v problems %v", c.pooled, free, c.deleted, held, c.left, c.problems)
	}
	if p := c.problem(); strings.Contains(p, free) || !strings.Contains(p, held) {
		t.Errorf("the problem line must name the killed lease %s and not the free pool instance %s: %q", held, free, p)
	}
	if left, err := tg.Exists(ctx, ids); err != nil || len(left) > 0 {
		t.Errorf("after the leak check %v still exist (%v)", left, err)
	}
}
