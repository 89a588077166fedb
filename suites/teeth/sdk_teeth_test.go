package teeth

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rebootconf/rebootconf/fixtures/emulator"
	"github.com/rebootconf/rebootconf/reports"
)

// sdkBreaks names, per reused mutant (an emulator mutant or a conformance
// wrapper mutant), the SDK rows it breaks; the SDK-only wrapper mutants carry
// theirs (sdk_wrappers_test.go). A run against a mutant selects only those
// rows, and each must fail through every client.
var sdkBreaks = map[string][]string{
	"false-is-malformed":            {"SDK-OP-001"},
	"stuck-starting":                {"SDK-OP-001", "SDK-OP-002"},
	"notfound-wrong-status":         {"SDK-ERR-001"},
	"reboot-any-status":             {"SDK-ERR-002"},
	"ignore-security-lock":          {"SDK-ERR-003"},
	"ignore-financial-lock":         {"SDK-ERR-004"},
	"ignore-disk-error":             {"SDK-ERR-005"},
	"ignore-kms":                    {"SDK-ERR-006"},
	"dryrun-returns-200":            {"SDK-ERR-008"},
	"dryrun-side-effect":            {"SDK-ERR-008"},
	"missing-instanceid-500":        {"SDK-ERR-009"},
	"skip-signature-check":          {"SDK-GW-001"},
	"wrap:refuse-forcestop-true":    {"SDK-OP-002"},
	"wrap:internal-error-503":       {"SDK-ERR-007"},
	"wrap:unknown-key-as-signature": {"SDK-GW-002"},
}

// sdkProfiles run a mutant under another transition profile for the SDK rows.
var sdkProfiles = map[string]string{
	// The row reads the status once, right after the DryRun answer; a fast reboot may be
	// over by then (pop-core's node process exits first), a realistic one is not.
	"dryrun-side-effect": "realistic",
}

// sdkMutantFree are rows no target can break, with the checks that give them
// teeth instead.
var sdkMutantFree = map[string]string{
	"SDK-SAFE-001": "the ownership guard refuses inside the suite process, before any byte reaches the target; " +
		"teeth: TestSDKGuardRefusesBeforeSending (nothing reached the wire) and suites/sdkclients " +
		"TestGuardRefusedCheckFailsOnSentCalls (the check fails on every shape of a sent call)",
}

// sdkSpec is one row run through one client.
type sdkSpec struct{ row, client string }

func (s sdkSpec) String() string { return s.row + " [" + s.client + "]" }

func sdkMutants() ([]mutant, error) {
	var out []mutant
	names := make([]string, 0, len(sdkBreaks))
	for n := range sdkBreaks {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		m := mutant{name: name, breaks: sdkBreaks[name], mapped: true, wrap: variants[0]}
		if em, ok := emulator.Mutants()[name]; ok {
			m.description, m.cfg = em.Description, emulator.Config{Mutants: []string{name}}
		} else if i := slices.IndexFunc(wrapperMutants, func(w wrapper) bool { return w.name == name }); i >= 0 {
			m.description, m.wrap = wrapperMutants[i].why, wrapperMutants[i]
		} else {
			return nil, fmt.Errorf("sdkBreaks maps %q, which is neither an emulator mutant nor a wrapper mutant", name)
		}
		if p := sdkProfiles[name]; p != "" {
			m.wrap.profile = p
			m.name += "@" + p
		}
		out = append(out, m)
	}
	for _, w := range sdkWrapperMutants {
		out = append(out, mutant{name: w.name, description: w.why, wrap: w, breaks: w.breaks, mapped: len(w.breaks) > 0})
	}
	return out, nil
}

// sdkSpecs lists every row × client the SDK suite holds (a Ginkgo dry run).
func sdkSpecs(t *testing.T) []sdkSpec {
	t.Helper()
	junit := filepath.Join(t.TempDir(), "junit.xml")
	cmd := exec.Command(sdkSuite.binary, "-ginkgo.no-color", "-ginkgo.dry-run")
	cmd.Dir = filepath.FromSlash(sdkSuite.dir)
	cmd.Env = append(childEnv(), "REBOOTCONF_JUNIT="+junit)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dry run of the SDK suite: %v\n%s", err, tail(string(out), 30))
	}
	suites, err := reports.ReadFile(junit)
	if err != nil {
		t.Fatalf("dry run of the SDK suite wrote no JUnit report: %v", err)
	}
	var specs []sdkSpec
	for _, su := range suites.Suites {
		for _, c := range su.Cases {
			if s, ok := specOf(c); ok {
				specs = append(specs, s)
			}
		}
	}
	if len(specs) == 0 {
		t.Fatal("the SDK suite's dry run lists no row × client specs")
	}
	return specs
}

// specOf reads a case's row and client from its labels (the "labels:" line of
// the metadata block FromGinkgo writes at the top of system-out).
func specOf(c reports.Case) (sdkSpec, bool) {
	var s sdkSpec
	for line := range strings.Lines(c.SystemOut) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		v, ok := strings.CutPrefix(line, "labels: ")
		if !ok {
			continue
		}
		for l := range strings.SplitSeq(v, ",") {
			l = strings.TrimSpace(l)
			if client, ok := strings.CutPrefix(l, "sdk:"); ok {
				s.client = client
			} else if strings.HasPrefix(l, "SDK-") {
				s.row = l
			}
		}
	}
	return s, s.row != "" && s.client != ""
}

// failedSpecs are the row × client specs that failed or errored in r.
func failedSpecs(r run) map[sdkSpec]bool {
	out := map[sdkSpec]bool{}
	for _, c := range r.cases {
		if st := c.Status(); st == "failed" || st == "error" {
			if s, ok := specOf(c); ok {
				out[s] = true
			}
		}
	}
	return out
}

func specStatus(r run, s sdkSpec) string {
	for _, c := range r.cases {
		if got, ok := specOf(c); ok && got == s {
			return c.Status()
		}
	}
	return "not run"
}

// requirePopCore fails in CI and skips elsewhere when the Node testees (pop-core,
// Tea TS) cannot run: SDK teeth without them prove too little. It also builds the
// Go testee beside the suite binary, where the suite looks for it first.
func requirePopCore(t *testing.T) {
	t.Helper()
	buildGoTestee(t)
	why := popCoreMissing()
	if why == "" {
		return
	}
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		t.Fatalf("the pop-core client cannot run in CI (%s), so the SDK teeth would prove only three clients: run .ci/install-tools --node-only", why)
	}
	t.Skipf("skipping the SDK teeth: the pop-core client cannot run here (%s); install Node.js 20+ and run `make node-deps` (under CI=true this fails instead)", why)
}

func popCoreMissing() string {
	node, err := exec.LookPath("node")
	if err != nil {
		return "node is not on PATH"
	}
	out, err := exec.Command(node, "--version").Output()
	major, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(string(out)), "v"), ".")
	if n, convErr := strconv.Atoi(major); err != nil || convErr != nil || n < 20 {
		return fmt.Sprintf("node %q is not Node.js 20+", strings.TrimSpace(string(out)))
	}
	for _, name := range []string{"pop-core", "ecs20140526"} {
		pkg := filepath.Join(filepath.FromSlash(sdkSuite.dir), "node", "node_modules", "@alicloud", name, "package.json")
		if _, err := os.Stat(pkg); err != nil {
			return "suites/sdkclients/node/node_modules holds no @alicloud/" + name
		}
	}
	return ""
}

var goTestee struct {
	once sync.Once
	err  error
}

// buildGoTestee builds cmd/rebootconf-testee once, beside the SDK suite binary (TestMain's
// temporary directory), so no suite run builds its own.
func buildGoTestee(t *testing.T) {
	t.Helper()
	goTestee.once.Do(func() {
		out := filepath.Join(filepath.Dir(sdkSuite.binary), "rebootconf-testee")
		b, err := exec.Command("go", "build", "-o", out, "github.com/rebootconf/rebootconf/cmd/rebootconf-testee").CombinedOutput()
		if err != nil {
			goTestee.err = fmt.Errorf("building the Go testee: %v\n%s", err, b)
		}
	})
	if goTestee.err != nil {
		t.Fatal(goTestee.err)
	}
}

func TestSDKMutantsAreCaught(t *testing.T) {
	if sdkSuite.binary == "" {
		t.Skip("-short: the SDK teeth run the SDK suite once per mutant")
	}
	requirePopCore(t)
	specs := sdkSpecs(t)
	mutants, err := sdkMutants()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	caughtBy := map[sdkSpec][]string{}
	ran := 0
	t.Run("mutant", func(t *testing.T) {
		for _, m := range mutants {
			t.Run(m.name, func(t *testing.T) {
				t.Parallel()
				r := runSuiteOf(t, sdkSuite, m.cfg, m.wrap, "-ginkgo.label-filter="+strings.Join(m.breaks, " || "))
				failed := failedSpecs(r)
				mu.Lock()
				ran++
				for s := range failed {
					if slices.Contains(m.breaks, s.row) {
						caughtBy[s] = append(caughtBy[s], m.name)
					}
				}
				mu.Unlock()
				var ee *exec.ExitError
				if !errors.As(r.exitErr, &ee) {
					t.Errorf("the SDK suite against mutant %s did not fail (exit: %v): %s", m.name, r.exitErr, m.description)
				}
				if (m.wrap.request != nil || m.wrap.forward != nil || m.wrap.reply != nil) && r.hits == 0 {
					t.Errorf("wrapper mutant %s never changed a request or answer: the rows it claims to break did not exercise it", m.name)
				}
				var missed []string
				for _, s := range specs {
					if slices.Contains(m.breaks, s.row) && !failed[s] {
						missed = append(missed, fmt.Sprintf("%s (%s)", s, specStatus(r, s)))
					}
				}
				if len(missed) > 0 {
					t.Errorf("mutant %s (%s) breaks %v, but these specs did not fail: %v\n%s",
						m.name, m.description, m.breaks, missed, tail(r.log, 40))
				}
			})
		}
	})
	t.Log("\n" + sdkTable(mutants, specs, caughtBy))
	if ran < len(mutants) {
		t.Logf("row coverage not checked: -run selected %d of %d mutants", ran, len(mutants))
		return
	}
	for _, s := range specs {
		if _, free := sdkMutantFree[s.row]; !free && len(caughtBy[s]) == 0 {
			t.Errorf("%s has no catching mutant: no mutant that declares %s made it fail", s, s.row)
		}
	}
}

// sdkTable renders mutant → the specs of its rows it made fail, per row as
// failed/run through the clients.
func sdkTable(mutants []mutant, specs []sdkSpec, caughtBy map[sdkSpec][]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-36s  %s\n", "MUTANT", "ROWS CAUGHT (clients that failed / clients)")
	for _, m := range mutants {
		var cells []string
		for _, row := range m.breaks {
			n, of := 0, 0
			for _, s := range specs {
				if s.row == row {
					of++
					if slices.Contains(caughtBy[s], m.name) {
						n++
					}
				}
			}
			cells = append(cells, fmt.Sprintf("%s %d/%d", row, n, of))
		}
		fmt.Fprintf(&b, "%-36s  %s\n", m.name, strings.Join(cells, ", "))
	}
	return b.String()
}

// TestSDKBreaksNameRows keeps the maps honest: a typo in a row ID would select
// no spec, and a mutant-free row must exist to be exempt.
func TestSDKBreaksNameRows(t *testing.T) {
	if sdkSuite.binary == "" {
		t.Skip("-short: needs the SDK suite binary")
	}
	rows := map[string]bool{}
	for _, s := range sdkSpecs(t) {
		rows[s.row] = true
	}
	mutants, err := sdkMutants()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, m := range mutants {
		if seen[m.name] {
			t.Errorf("two SDK mutants are named %s", m.name)
		}
		seen[m.name] = true
		if len(m.breaks) == 0 {
			t.Errorf("mutant %s breaks no SDK row", m.name)
		}
		for _, id := range m.breaks {
			if !rows[id] {
				t.Errorf("mutant %s breaks %q, which is no SDK row", m.name, id)
			}
			if _, free := sdkMutantFree[id]; free {
				t.Errorf("mutant %s breaks %s, a row listed as mutant-free", m.name, id)
			}
		}
	}
	for id := range sdkMutantFree {
		if !rows[id] {
			t.Errorf("sdkMutantFree names %q, which is no SDK row", id)
		}
	}
}

// The faithful emulator and every allowed variant pass every row through every
// client: no skip (pop-core included), no failure.
func TestSDKFaithfulAndVariantsPass(t *testing.T) {
	if sdkSuite.binary == "" {
		t.Skip("-short: the SDK teeth run the SDK suite once per variant")
	}
	requirePopCore(t)
	specs := sdkSpecs(t)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			r := runSuiteOf(t, sdkSuite, emulator.Config{}, v)
			if r.exitErr != nil || r.tally.Bad() > 0 {
				t.Errorf("variant %s (%s): exit %v, %d failed, %d errors; failed %v\n%s",
					v.name, v.why, r.exitErr, r.tally.Failed, r.tally.Errors, r.failed, tail(r.log, 80))
			}
			if len(r.skipped) > 0 {
				t.Errorf("variant %s: %d specs skipped against an emulator that can produce every fixture: %v", v.name, len(r.skipped), r.skipped)
			}
			if (v.reply != nil || v.request != nil || v.control != nil) && r.hits == 0 {
				t.Errorf("variant %s never changed a request or answer: the SDK suite did not exercise it", v.name)
			}
			if passed := r.tally.Passed; passed != len(specs) {
				t.Errorf("variant %s: %d specs passed, want all %d row × client specs", v.name, passed, len(specs))
			}
		})
	}
}

// SDK-SAFE-001 is mutant-free (sdkMutantFree): no target can make the guard let
// a call through. What the target can show is that the refused reboots never
// reached it: run only that row and count the RebootInstance requests on the
// wire. SDK-ERR-001, a reboot every client sends, shows the count sees them.
func TestSDKGuardRefusesBeforeSending(t *testing.T) {
	if sdkSuite.binary == "" {
		t.Skip("-short: runs the SDK suite")
	}
	requirePopCore(t)
	specs := sdkSpecs(t)
	for _, c := range []struct {
		row     string
		reached func(n, clients int) bool
		want    string
	}{
		{"SDK-SAFE-001", func(n, _ int) bool { return n == 0 }, "none: the guard refused them in the suite process"},
		{"SDK-ERR-001", func(n, clients int) bool { return n >= clients }, "one per client at least: the count sees reboots on the wire"},
	} {
		t.Run(c.row, func(t *testing.T) {
			var mine []sdkSpec
			for _, s := range specs {
				if s.row == c.row {
					mine = append(mine, s)
				}
			}
			if len(mine) == 0 {
				t.Fatalf("the SDK suite holds no %s spec", c.row)
			}
			var reboots atomic.Int64
			w := wrapper{name: "count-reboots", request: func(r *http.Request) *reply {
				if action, _ := params(r); strings.EqualFold(action, "RebootInstance") {
					reboots.Add(1)
				}
				return nil
			}}
			r := runSuiteOf(t, sdkSuite, emulator.Config{}, w, "-ginkgo.label-filter="+c.row)
			for _, s := range mine {
				if st := specStatus(r, s); st != "passed" {
					t.Errorf("%s %s against the faithful emulator (exit %v)\n%s", s, st, r.exitErr, tail(r.log, 60))
				}
			}
			if n := reboots.Load(); !c.reached(int(n), len(mine)) {
				t.Errorf("%d RebootInstance requests reached the target while only %s ran through %d clients; want %s", n, c.row, len(mine), c.want)
			}
		})
	}
}
