// Package bootstrap holds what every suite's bootstrap file shares: one run ID across
// parallel processes and the JUnit report written through reports.
package bootstrap

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL
	. "github.com/onsi/gomega"    //nolint:revive // Gomega DSL

	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/reports"
)

// EnvJUnit names the JUnit report file a suite writes (set by `rebootconf run`).
const EnvJUnit = "REBOOTCONF_JUNIT"

// EnvWorkDir is the directory a suite process works in (set by `rebootconf run`): the Ginkgo
// CLI starts a suite's parallel processes in its binary's directory, and rapid writes its fail
// files under ./testdata/rapid of the working directory, which belong in the run's output.
const EnvWorkDir = "REBOOTCONF_WORKDIR"

func init() {
	if dir := os.Getenv(EnvWorkDir); dir != "" {
		if err := os.Chdir(dir); err != nil {
			fmt.Fprintf(os.Stderr, "bootstrap: %s=%s: %v\n", EnvWorkDir, dir, err)
		}
	}
}

// Every suite that imports bootstrap reports each finished spec to the progress file and,
// under --shard, skips the specs other shards run.
var (
	_ = ReportAfterEach(progress)
	_ = BeforeEach(skipOtherShards)
)

// Preview is PreviewSpecs for a suite that checks its own tree before RunSpecs. PreviewSpecs
// puts back a clone of the suite that keeps the top-level containers but not top-level nodes
// such as the ReportAfterEach above (ginkgo v2.34 internal.Suite.Clone): without registering it
// again the real run would write no progress, and only the preview's dry-run "passed" lines
// (the progress line read "0 failed" while specs failed). progress ignores a repeat.
func Preview(description string) Report {
	r := PreviewSpecs(description)
	ReportAfterEach(progress)
	BeforeEach(skipOtherShards)
	return r
}

// EnvShard names the file listing the specs this process runs (`rebootconf run --shard`).
const EnvShard = "REBOOTCONF_SHARD_FILE"

// skipOtherShards skips, under --shard, every spec another shard runs before anything else
// of it runs (bootstrap's BeforeEach is registered before any suite's), with a reason merge
// recognises.
func skipOtherShards() {
	in, shard, err := inShard(reports.ShardKey(CurrentSpecReport()))
	Expect(err).NotTo(HaveOccurred(), "read the shard assignment named by $%s", EnvShard)
	if !in {
		Skip(reports.ShardSkipPrefix + "another shard than " + shard + " runs this spec")
	}
}

// shardSet is this process's shard assignment, read once (nil set: unsharded).
type shardSet struct {
	name string
	set  map[string]bool
}

var shardOnce = sync.OnceValues(func() (shardSet, error) {
	path := os.Getenv(EnvShard)
	if path == "" {
		return shardSet{}, nil
	}
	f, err := reports.ReadShardFile(path)
	s := shardSet{name: f.Shard, set: make(map[string]bool, len(f.Specs))}
	for _, k := range f.Specs {
		s.set[k] = true
	}
	return s, err
})

// inShard reports whether this process runs the spec with key k (always, unsharded).
func inShard(k string) (bool, string, error) {
	s, err := shardOnce()
	if err != nil || s.set == nil {
		return true, "", err
	}
	return s.set[k], s.name, nil
}

func progress(r SpecReport) { writeProgress(os.Getenv(reports.EnvProgress), r) }

// written holds the specs this process has reported, so a second registration of progress
// (should Ginkgo keep the first through PreviewSpecs one day) writes no line twice.
var written sync.Map

// writeProgress appends r's line; a dry run (PreviewSpecs) and specs the label filter or
// focus left out are not progress. Each parallel process appends whole lines (O_APPEND), so
// they never interleave.
func writeProgress(path string, r SpecReport) {
	cfg, _ := GinkgoConfiguration()
	// A spec the focus left out never ran, so its text alone decides (the suite description
	// Ginkgo also matches only widens what runs).
	if path == "" || cfg.DryRun || !reports.Selected(cfg, "")(r) {
		return
	}
	if _, dup := written.LoadOrStore(r.LeafNodeLocation.String()+"\x00"+r.FullText(), true); dup {
		return
	}
	if r.State.Is(types.SpecStateSkipped) && strings.HasPrefix(r.Failure.Message, reports.ShardSkipPrefix) {
		return // another shard's spec
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return // progress is a display aid: the JUnit report is the record
	}
	defer f.Close()
	_, _ = f.WriteString(reports.ProgressLine(r.State, r.FullText()))
}

// RunID is the first function of a SynchronizedBeforeSuite: it picks one run ID for every
// parallel process ($REBOOTCONF_RUN_ID when set), so one sweep finds all their instances.
func RunID(SpecContext) []byte {
	id := os.Getenv(target.EnvRunID)
	if id == "" {
		id = "rc" + strconv.FormatInt(time.Now().UnixNano()%1e12, 36)
	}
	return []byte(id)
}

// WriteJUnit is the body of a ReportAfterSuite: it writes r to $REBOOTCONF_JUNIT, when set,
// with the target's kind and endpoint (t may be nil when the suite never opened one).
func WriteJUnit(r Report, suiteName string, t *target.Target) {
	path := os.Getenv(EnvJUnit)
	if path == "" {
		return
	}
	opts := reports.Options{SuiteName: suiteName, Redact: protocol.Redact, HarnessVersion: reports.HarnessVersion}
	if t != nil {
		opts.TargetKind, opts.TargetEndpoint = string(t.Kind), t.Endpoint
		opts.TargetTag = targetTag(t)
		if len(t.Mutants) > 0 {
			opts.Properties = map[string]string{"target.mutants": strings.Join(t.Mutants, ",")}
		}
	}
	Expect(reports.WriteFile(path, reports.FromGinkgo(r, opts))).To(Succeed(), "write the JUnit report to %s", path)
}

// targetTag names the target in suite names: its kind and host (no userinfo), the region
// for the cloud, and any planted bugs.
func targetTag(t *target.Target) string {
	tag := string(t.Kind)
	switch {
	case t.Kind == target.KindCloud:
		tag += " " + t.Region
	case t.Endpoint != "":
		if u, err := url.Parse(t.Endpoint); err == nil && u.Host != "" {
			tag += " " + u.Host
		}
	}
	if len(t.Mutants) > 0 {
		tag += " mutants " + strings.Join(t.Mutants, ",")
	}
	return tag
}
