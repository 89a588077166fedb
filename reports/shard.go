package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/onsi/ginkgo/v2/types"
)

// Shards: `rebootconf run --shard i/n` runs a slice of every suite; the specs of the other
// slices are skipped with a reason that starts with ShardSkipPrefix, and `rebootconf merge`
// (MergeShards) drops those skips and joins the slices into one report.

// ShardSkipPrefix starts the skip reason of a spec another shard runs.
const ShardSkipPrefix = "rebootconf shard: "

// PropShard is the suite property naming a sharded run's slice ("2/3").
const PropShard = "rebootconf.shard"

// Shard is one slice of a run: Index of Count, counted from 1.
type Shard struct{ Index, Count int }

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// ParseShard reads "i/n" with 1 <= i <= n.
func ParseShard(v string) (Shard, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(v), "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	switch {
	case !ok || err1 != nil || err2 != nil:
		return Shard{}, errors.New("want i/n, two whole numbers such as 2/3")
	case n < 1:
		return Shard{}, errors.New("the shard count n of i/n must be at least 1")
	case i < 1 || i > n:
		return Shard{}, fmt.Errorf("the shard index i of i/n counts from 1 to %d", n)
	}
	return Shard{Index: i, Count: n}, nil
}

// IsShardSkip reports whether c was skipped only because another shard runs it.
func IsShardSkip(c Case) bool {
	return c.Skipped != nil && strings.HasPrefix(c.Skipped.Message, ShardSkipPrefix)
}

// DropShardSkips removes the cases other shards run and recounts.
func DropShardSkips(s Suites) Suites {
	out := s
	out.Suites = make([]Suite, len(s.Suites))
	for i, su := range s.Suites {
		su.Cases = slices.DeleteFunc(slices.Clone(su.Cases), IsShardSkip)
		out.Suites[i] = su
	}
	out.recount()
	return out
}

// MergeShards joins the reports of a sharded run's slices: the cases other shards ran are
// dropped, testsuites of one suite binary (else of one name) become one (cases in the order the shards are given, the
// suite time the longest shard's, the shard property gone). It returns, besides the merged
// report, the shards' problems: a shard missing, given twice, from another split, or a case
// that more than one shard ran.
func MergeShards(all ...Suites) (Suites, []string) {
	var out Suites
	var problems []string
	index := map[string]int{}
	type ran struct {
		input int
		shard string
	}
	seen := map[string]ran{} // suite + case name -> the report and shard that ran it
	shards := map[string]bool{}
	count := 0
	for k, s := range all {
		if out.Name == "" {
			out.Name = s.Name
		}
		for _, su := range DropShardSkips(s).Suites {
			sh := su.Property(PropShard)
			if su.Property(PropSuite) != "" { // not the harness's own problems
				problems = append(problems, checkShard(sh, &count, shards)...)
			}
			name := su.Property(PropSuite) // the suite binary: a suite name may hold an emulator's port
			if name == "" {
				name = su.Name
			}
			i, ok := index[name]
			if !ok {
				i = len(out.Suites)
				index[name] = i
				base := su
				base.Cases = nil
				base.Properties = slices.DeleteFunc(slices.Clone(su.Properties), func(p Property) bool { return p.Name == PropShard })
				out.Suites = append(out.Suites, base)
			}
			m := &out.Suites[i]
			m.Time = max(m.Time, su.Time)
			for _, c := range su.Cases {
				key := name + "\x00" + c.Name
				switch prev, dup := seen[key]; {
				case dup && prev.input != k && prev.shard == sh && sh != "":
					problems = append(problems, fmt.Sprintf("shard %s is given more than once", sh))
				case dup && prev.input != k:
					problems = append(problems, fmt.Sprintf("%q ran in more than one shard (%s and %s): were the shards built from one commit?", c.Name, prev.shard, sh))
				}
				seen[key] = ran{k, sh}
				m.Cases = append(m.Cases, c)
			}
		}
	}
	for i := 1; i <= count; i++ {
		if !shards[Shard{i, count}.String()] {
			problems = append(problems, fmt.Sprintf("shard %d/%d is missing: pass every shard's output", i, count))
		}
	}
	out.recount()
	return out, dedupe(problems)
}

// checkShard records suite property value sh ("i/n", or "" for an unsharded run).
func checkShard(sh string, count *int, shards map[string]bool) []string {
	if sh == "" {
		return []string{"a report without a shard property: not the output of 'run --shard i/n'"}
	}
	s, err := ParseShard(sh)
	if err != nil {
		return []string{fmt.Sprintf("shard property %q: %v", sh, err)}
	}
	shards[sh] = true
	if *count == 0 {
		*count = s.Count
	}
	if s.Count != *count {
		return []string{fmt.Sprintf("shard %s is from a split into %d, another report from a split into %d", sh, s.Count, *count)}
	}
	return nil
}

func dedupe(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// ShardKey names a spec in a shard assignment: its full text and where its It is (the base
// file name and line, so binaries built in different directories agree).
func ShardKey(s types.SpecReport) string {
	loc := s.LeafNodeLocation
	return s.FullText() + " @" + filepath.Base(loc.FileName) + ":" + strconv.Itoa(loc.LineNumber)
}

// ShardFile is what `run --shard` hands a suite process: the keys of the specs it runs.
type ShardFile struct {
	Shard string   `json:"shard"`
	Specs []string `json:"specs"`
}

// ReadShardFile reads a shard assignment.
func ReadShardFile(path string) (ShardFile, error) {
	var f ShardFile
	data, err := os.ReadFile(path)
	if err != nil {
		return f, fmt.Errorf("reports: shard file: %w", err)
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return f, fmt.Errorf("reports: shard file %s: %w", path, err)
	}
	if _, err := ParseShard(f.Shard); err != nil {
		return f, fmt.Errorf("reports: shard file %s: %w", path, err)
	}
	return f, nil
}
