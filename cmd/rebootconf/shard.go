package main

import (
	"cmp"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/rebootconf/rebootconf/reports"
)

// envShardFile names the file of the specs a suite process runs under --shard (read by
// suites/internal/bootstrap, which the CLI must not import).
const envShardFile = "REBOOTCONF_SHARD_FILE"

// shardFlag is --shard i/n (the zero Shard when not given).
type shardFlag struct{ s *reports.Shard }

func (f shardFlag) String() string {
	if f.s == nil || f.s.Count == 0 {
		return ""
	}
	return f.s.String()
}

func (f shardFlag) Set(v string) error {
	s, err := reports.ParseShard(v)
	if err != nil {
		return err
	}
	*f.s = s
	return nil
}

// plannedSpec is one selected spec as the plan sees it: its shard key, the group it must
// run with (the specs of one Ordered container stay together) and its expected cost.
type plannedSpec struct {
	key, group string
	text       string // the spec's full text (a testcase's name, less a missing-ID suffix)
	needs      specNeeds
}

// planned describes spec s of suite for sharding and the estimate.
func planned(suite string, s types.SpecReport, needs specNeeds) plannedSpec {
	key := reports.ShardKey(s)
	group := suite + "\x00" + key
	if s.IsInOrderedContainer && len(s.ContainerHierarchyTexts) > 0 {
		// The outermost container holds the Ordered one: keeping it whole keeps that together.
		loc := s.ContainerHierarchyLocations[0]
		group = suite + "\x00" + s.ContainerHierarchyTexts[0] + " @" + filepath.Base(loc.FileName) + ":" + strconv.Itoa(loc.LineNumber)
	}
	return plannedSpec{key: key, group: group, text: s.FullText(), needs: needs}
}

// assignShards splits the specs of every suite into n shards balanced by expected cost:
// groups longest first, each to the least loaded shard (the lowest index on a tie); groups of
// equal cost go in the order of a stable hash of their names. The same spec list always gives
// the same split, whatever the seed. It returns each spec key's shard (1..n) by suite.
func assignShards(specs map[string][]plannedSpec, n int) map[string]map[string]int {
	type group struct {
		suite, name string
		hash        uint64
		cost        float64
		keys        []string
	}
	index := map[string]*group{}
	var groups []*group
	for _, suite := range slices.Sorted(maps.Keys(specs)) {
		for _, s := range specs[suite] {
			g := index[s.group]
			if g == nil {
				h := fnv.New64a()
				_, _ = h.Write([]byte(s.group))
				g = &group{suite: suite, name: s.group, hash: h.Sum64()}
				index[s.group] = g
				groups = append(groups, g)
			}
			g.cost += s.needs.weight()
			g.keys = append(g.keys, s.key)
		}
	}
	slices.SortFunc(groups, func(a, b *group) int {
		return cmp.Or(cmp.Compare(b.cost, a.cost), cmp.Compare(a.hash, b.hash), cmp.Compare(a.name, b.name))
	})
	load := make([]float64, n)
	out := map[string]map[string]int{}
	for _, g := range groups {
		best := 0
		for i := range load {
			if load[i] < load[best] {
				best = i
			}
		}
		load[best] += g.cost
		if out[g.suite] == nil {
			out[g.suite] = map[string]int{}
		}
		for _, k := range g.keys {
			out[g.suite][k] = best + 1
		}
	}
	return out
}

// shardSpecs keeps the specs of each suite that shard sh runs.
func shardSpecs(specs map[string][]plannedSpec, sh reports.Shard) map[string][]plannedSpec {
	assign := assignShards(specs, sh.Count)
	out := map[string][]plannedSpec{}
	for suite, list := range specs {
		out[suite] = []plannedSpec{}
		for _, s := range list {
			if assign[suite][s.key] == sh.Index {
				out[suite] = append(out[suite], s)
			}
		}
	}
	return out
}

// writeShardFiles writes, in dir, each suite's list of the specs this shard runs.
func writeShardFiles(dir string, sh reports.Shard, specs map[string][]plannedSpec) error {
	for suite, list := range specs {
		f := reports.ShardFile{Shard: sh.String(), Specs: []string{}}
		for _, s := range list {
			f.Specs = append(f.Specs, s.key)
		}
		if err := reports.WriteJSON(shardFilePath(dir, suite), f); err != nil {
			return err
		}
	}
	return nil
}

func shardFilePath(dir, suite string) string { return filepath.Join(dir, "shard-"+suite+".json") }

// shardEnv is the variable naming suite's shard file, or nothing for an unsharded run.
func shardEnv(cfg runConfig, suite string) []string {
	if cfg.shard.Count == 0 || cfg.shardDir == "" {
		return nil
	}
	p := shardFilePath(cfg.shardDir, suite)
	if _, err := os.Stat(p); err != nil {
		// Without its list a suite process would run every spec: a shard must not.
		p = filepath.Join(cfg.shardDir, "missing-"+suite)
	}
	return []string{envShardFile + "=" + p}
}

var errNoShardList = errors.New("--shard: the plan could not list every suite's specs, so it cannot split them")

// shardNote is the plan's line about the slice this run runs.
func shardNote(sh reports.Shard, all, mine int) string {
	return fmt.Sprintf("shard %s: %d of the %d selected specs (the same split on every run of these suites; 'rebootconf merge' joins the shards' outputs)", sh, mine, all)
}

// applyShard keeps the specs shard sh runs of every suite's selected ones (all of them in
// total), counts them in the plan and prints which slice runs.
func (rp *runPlan) applyShard(w io.Writer, sh reports.Shard, run map[string][]plannedSpec, all int) map[string][]plannedSpec {
	run = shardSpecs(run, sh)
	mine := 0
	for name, list := range run {
		rp.specs[name] = len(list)
		mine += len(list)
	}
	rp.shard = run
	fmt.Fprintf(w, "  %s\n", shardNote(sh, all, mine))
	return run
}
