package fuzzteeth_test

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"pgregory.net/rapid"

	"github.com/rebootconf/rebootconf/generators"
	"github.com/rebootconf/rebootconf/suites/internal/ginkgorapid"
)

// verdict is what one property did against one target.
type verdict struct {
	property string
	failed   bool
	infra    bool   // the failure was the harness's, not the target's
	message  string // rapid's report with the minimised draws
	minimal  *generators.Case
	elapsed  time.Duration
	cases    int
	requests int
}

// run runs one property with a capturing TB, so an expected failure does not fail the spec.
func run(env generators.Env, p generators.Property, name string) verdict {
	env.Recorder = &generators.Recorder{}
	tb := ginkgorapid.Capture(name)
	start := time.Now()
	rapid.Check(tb, p.Fn(env))
	msg := tb.Message()
	return verdict{property: p.Name, failed: tb.Failed(), infra: strings.Contains(msg, "infrastructure (not a contract failure)"),
		message: msg, minimal: env.Recorder.Last(), elapsed: time.Since(start), cases: env.Recorder.Cases, requests: env.Recorder.Requests}
}

func applicable(env generators.Env, p generators.Property) bool {
	return p.Needs == "" || (p.Needs == "control" && env.Control != nil) || (p.Needs == "faults" && env.Faults)
}

// Each mutant names the property expected to catch it; others may catch it too.
var mutants = []struct{ name, catcher string }{
	{"prefix-id-match", "model agreement"},
	{"non-atomic-reboot", "concurrency"},
	{"reboot-wrong-instance", "isolation"},
	{"describe-status-disagree", "stateful"},
	{"dryrun-side-effect", "isolation"},
	// A value no Boolean parser reads has no reading in the model (feature BD-006), so
	// the properties now catch a server that reads it as false, as the conformance suite does
	// (isolation sends a drawn ForceStop spelling with every call).
	{"lenient-bool", "isolation"},
}

var _ = Describe("The properties", Label("fuzz", "teeth"), func() {
	for _, m := range mutants {
		It(fmt.Sprintf("catch the %s mutant within the default budget, with a minimal case", m.name), func(ctx SpecContext) {
			env := embedded(ctx, m.name)
			var caught []string
			for _, p := range generators.Properties() {
				if !applicable(env, p) {
					continue
				}
				v := run(env, p, "teeth "+m.name+" "+p.Name)
				Expect(v.infra).To(BeFalse(), "%s against %s failed for a harness reason:\n%s", p.Name, m.name, v.message)
				if !v.failed {
					AddReportEntry(fmt.Sprintf("%s not caught by %s", m.name, p.Name), fmt.Sprintf("%d cases, %d requests in %s", v.cases, v.requests, v.elapsed.Round(time.Millisecond)))
					continue
				}
				caught = append(caught, p.Name)
				Expect(v.minimal).NotTo(BeNil(), "%s caught %s but recorded no minimal case", p.Name, m.name)
				Expect(v.minimal.Sequence.Steps).NotTo(BeEmpty(), "the minimal case of %s has no steps", p.Name)
				AddReportEntry(fmt.Sprintf("%s caught by %s in %s: minimal case", m.name, p.Name, v.elapsed.Round(time.Millisecond)),
					fmt.Sprintf("%s\n\n%d steps; exchanges:\n%s", v.message, len(v.minimal.Sequence.Steps), v.minimal.Transcript))
			}
			Expect(caught).To(ContainElement(m.catcher), "mutant %s: caught by %v, want at least %q", m.name, caught, m.catcher)
		}, SpecTimeout(5*time.Minute))
	}

	It("pass against the faithful emulator across 20 seeds", func(ctx SpecContext) {
		env := embedded(ctx)
		old := ginkgorapid.Flag("rapid.seed")
		DeferCleanup(ginkgorapid.SetFlag, "rapid.seed", old)
		base := uint64(GinkgoRandomSeed()) * 1000003
		cases, requests, start := 0, 0, time.Now()
		for i := range 20 {
			seed := strconv.FormatUint(base+uint64(i)+1, 10)
			Expect(ginkgorapid.SetFlag("rapid.seed", seed)).To(Succeed())
			for _, p := range generators.Properties() {
				if !applicable(env, p) {
					continue
				}
				v := run(env, p, "teeth faithful "+p.Name)
				Expect(v.failed).To(BeFalse(), "faithful emulator, -rapid.seed=%s, %s:\n%s", seed, p.Name, v.message)
				cases, requests = cases+v.cases, requests+v.requests
			}
		}
		el := time.Since(start)
		AddReportEntry("faithful emulator, 20 seeds", fmt.Sprintf("seeds %d..%d: %d cases, %d requests in %s (%.0f cases/s, %.0f requests/s)",
			base+1, base+20, cases, requests, el.Round(time.Millisecond), float64(cases)/el.Seconds(), float64(requests)/el.Seconds()))
	}, SpecTimeout(10*time.Minute))
})
