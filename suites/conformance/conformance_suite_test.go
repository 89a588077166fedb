// Package conformance_test checks a RebootInstance target against the
// behaviour catalogue in fixtures/contract. The target comes from the
// REBOOTCONF_* environment (default: an embedded emulator); the JUnit report
// goes to $REBOOTCONF_JUNIT when set.
package conformance_test

import (
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/suites/internal/bootstrap"
	"github.com/rebootconf/rebootconf/suites/internal/labels"
	"github.com/rebootconf/rebootconf/suites/internal/rig"
)

const suiteName = "RebootInstance conformance"

var (
	// rg is this process's target; set in SynchronizedBeforeSuite, read-only after.
	rg *rig.Rig
	// coverage is the catalogue check computed from PreviewSpecs before the run.
	coverage   error
	previewing bool
)

func TestConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	previewing = true
	coverage = labels.CheckCoverage(bootstrap.Preview(suiteName), contract.Catalogue())
	previewing = false
	RunSpecs(t, suiteName)
}

var _ = SynchronizedBeforeSuite(bootstrap.RunID, func(ctx SpecContext, runID []byte) {
	var err error
	rg, err = rig.Open(ctx, string(runID))
	Expect(err).NotTo(HaveOccurred(), "open the target named by the REBOOTCONF_* environment")
	DeferCleanup(rg.Close)
	AddReportEntry("target", rg.T.Describe())
}, NodeTimeout(time.Minute))

var _ = ReportAfterSuite("junit", func(r Report) {
	if previewing {
		return
	}
	var t *target.Target
	if rg != nil {
		t = rg.T
	}
	bootstrap.WriteJUnit(r, suiteName, t)
})

var _ = Describe("The behaviour catalogue", Label(labels.Meta), func() {
	It("has a spec for every behaviour and names no unknown behaviour", func() {
		if coverage != nil {
			Fail(coverage.Error())
		}
	})
})
