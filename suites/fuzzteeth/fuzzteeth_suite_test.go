// Package fuzzteeth_test keeps the fuzzing honest: the properties of generators must
// catch emulators with planted bugs (fixtures/emulator mutants) that only generated
// inputs or interleavings reveal, within the default budget and with a minimal case,
// and must pass against the faithful emulator across many seeds.
package fuzzteeth_test

import (
	"context"
	"os"
	"slices"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/generators"
	"github.com/rebootconf/rebootconf/reports"
	"github.com/rebootconf/rebootconf/suites/internal/ginkgorapid"
)

const suiteName = "Fuzzing teeth"

// The budget the properties suite uses by default; teeth must bite within it.
const (
	defaultChecks = 25
	defaultSteps  = 15
)

func TestFuzzTeeth(t *testing.T) {
	if testing.Short() {
		t.Skip("teeth need the full default budget; -short divides rapid's checks by 5")
	}
	RegisterFailHandler(Fail)
	if err := ginkgorapid.Defaults(defaultChecks, defaultSteps); err != nil {
		t.Fatal(err)
	}
	// Failures here are expected; their fail files would only replay them again.
	if err := ginkgorapid.SetFlag("rapid.nofailfile", "true"); err != nil {
		t.Fatal(err)
	}
	// Bound the minimisation of each expected failure; a person reads these cases.
	if ginkgorapid.Flag("rapid.shrinktime") == "30s" && os.Getenv("RAPID_SHRINKTIME") == "" {
		if err := ginkgorapid.SetFlag("rapid.shrinktime", "10s"); err != nil {
			t.Fatal(err)
		}
	}
	RunSpecs(t, suiteName)
}

// embedded opens an embedded emulator with the given mutants and returns a property
// env for it; the target closes when the spec ends.
func embedded(ctx context.Context, mutants ...string) generators.Env {
	GinkgoHelper()
	tgt, err := target.Open(ctx, target.Options{Mutants: mutants})
	Expect(err).NotTo(HaveOccurred(), "start an embedded emulator with mutants %v", mutants)
	DeferCleanup(tgt.Close)
	Expect(tgt.Control).NotTo(BeNil(), "the embedded emulator serves the control API")
	h, err := tgt.Control.Health(ctx)
	Expect(err).NotTo(HaveOccurred())
	Expect(h.Mutants).To(ConsistOf(mutants), "the emulator runs exactly the planted bugs asked for")
	return generators.Env{Client: tgt.Raw(), Control: tgt.Control, Region: tgt.Region,
		Faults: slices.Contains(h.Capabilities, control.CapFaults),
		Guard:  tgt.Guard, Refused: target.IsRefused}
}

var _ = ReportAfterSuite("junit", func(r Report) {
	if path := os.Getenv("REBOOTCONF_JUNIT"); path != "" {
		Expect(reports.WriteFile(path, reports.FromGinkgo(r, reports.Options{SuiteName: suiteName, TargetKind: string(target.KindEmbedded), Redact: protocol.Redact}))).To(Succeed())
	}
})
