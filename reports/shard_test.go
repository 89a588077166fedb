package reports

import (
	"slices"
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		err  string
	}{
		{"1/3", Shard{1, 3}, ""},
		{"3/3", Shard{3, 3}, ""},
		{" 1/1 ", Shard{1, 1}, ""},
		{"0/3", Shard{}, "counts from 1 to 3"},
		{"4/3", Shard{}, "counts from 1 to 3"},
		{"1/0", Shard{}, "at least 1"},
		{"a/b", Shard{}, "want i/n"},
		{"3", Shard{}, "want i/n"},
		{"", Shard{}, "want i/n"},
		{"-1/3", Shard{}, "counts from 1"},
	} {
		got, err := ParseShard(tc.in)
		if tc.err == "" && (err != nil || got != tc.want) {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("ParseShard(%q) error %v; want one saying %q", tc.in, err, tc.err)
		}
	}
}

// shardRun is one shard's report: suite "s" whose cases in mine ran (passed, or failed when
// named in failed) and whose other cases were skipped for another shard.
func shardRun(sh string, all, mine, failed []string) Suites {
	su := Suite{Name: "s", Properties: []Property{{PropSuite, "conformance"}, {PropShard, sh}}}
	for _, n := range all {
		c := Case{Name: n}
		switch {
		case !slices.Contains(mine, n):
			c.Skipped = &Result{Message: ShardSkipPrefix + "another shard than " + sh + " runs this spec"}
		case slices.Contains(failed, n):
			c.Failure = &Result{Message: "boom"}
		}
		su.Cases = append(su.Cases, c)
	}
	s := Suites{Suites: []Suite{su}}
	s.recount()
	return s
}

func TestMergeShards(t *testing.T) {
	all := []string{"a", "b", "c", "d"}
	one := shardRun("1/2", all, []string{"a", "c"}, []string{"c"})
	two := shardRun("2/2", all, []string{"b", "d"}, nil)
	m, problems := MergeShards(one, two)
	if len(problems) > 0 || len(m.Suites) != 1 {
		t.Fatalf("merge: %v, %d suites", problems, len(m.Suites))
	}
	var names []string
	for _, c := range m.Suites[0].Cases {
		names = append(names, c.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, all) || m.Tests != 4 || m.Failures != 1 || m.Suites[0].Skipped != 0 {
		t.Errorf("merged cases %v, tests %d failures %d skipped %d", names, m.Tests, m.Failures, m.Suites[0].Skipped)
	}
	if m.Suites[0].Property(PropShard) != "" {
		t.Error("the merged suite still names a shard")
	}
	for _, tc := range []struct {
		name string
		in   []Suites
		want string
	}{
		{"missing", []Suites{one}, "shard 2/2 is missing"},
		{"twice", []Suites{one, one, two}, "given more than once"},
		{"other split", []Suites{one, shardRun("2/3", all, []string{"b"}, nil)}, "split into"},
		{"overlap", []Suites{one, shardRun("2/2", all, []string{"a", "b", "d"}, nil)}, "more than one shard"},
		{"unsharded", []Suites{one, two, {Suites: []Suite{{Name: "s", Properties: []Property{{PropSuite, "x"}}}}}}, "without a shard property"},
	} {
		_, problems := MergeShards(tc.in...)
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tc.want) }) {
			t.Errorf("%s: problems %q, want one saying %q", tc.name, problems, tc.want)
		}
	}
}
