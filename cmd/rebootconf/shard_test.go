package main

import (
	"fmt"
	"maps"
	"testing"
)

func TestAssignShards(t *testing.T) {
	specs := map[string][]plannedSpec{}
	for i := range 30 {
		n := specNeeds{instance: i%2 == 0, reboots: i % 3 / 2}
		specs["a"] = append(specs["a"], plannedSpec{key: fmt.Sprint("a", i), group: fmt.Sprint("a", i), needs: n})
	}
	for i := range 6 { // one Ordered container: six specs, one group
		specs["b"] = append(specs["b"], plannedSpec{key: fmt.Sprint("b", i), group: "b-ordered", needs: specNeeds{}})
	}
	first := assignShards(specs, 3)
	// The same list in another order gives the same split.
	rev := map[string][]plannedSpec{}
	for k, list := range specs {
		for i := len(list) - 1; i >= 0; i-- {
			rev[k] = append(rev[k], list[i])
		}
	}
	if again := assignShards(rev, 3); !maps.EqualFunc(first, again, maps.Equal) {
		t.Errorf("the split depends on the order of the list:\n%v\n%v", first, again)
	}
	load := make([]float64, 4)
	for suite, list := range specs {
		for _, s := range list {
			sh := first[suite][s.key]
			if sh < 1 || sh > 3 {
				t.Fatalf("%s: shard %d", s.key, sh)
			}
			load[sh] += s.needs.weight()
		}
	}
	for i := 1; i <= 3; i++ {
		for j := 1; j <= 3; j++ {
			if load[i]-load[j] > 6 { // at most the heaviest group apart
				t.Errorf("shard loads %v are not balanced", load[1:])
			}
		}
	}
	for _, s := range specs["b"] {
		if first["b"][s.key] != first["b"]["b0"] {
			t.Errorf("the Ordered container is split: %v", first["b"])
		}
	}
	if one := assignShards(specs, 1); one["a"]["a7"] != 1 || one["b"]["b3"] != 1 {
		t.Errorf("--shard 1/1 must run everything: %v", one)
	}
}
