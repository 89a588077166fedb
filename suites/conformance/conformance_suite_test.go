// Package conformance_test checks a RebootInstance target against the
// behaviour catalogue in fixtures/contract. The target comes from the
// REBOOTCONF_* environment (default: an embedded emulator); the JUnit report
// goes to $REBOOTCONF_JUNIT when set.
package conformance_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/reports"
	"github.com/rebootconf/rebootconf/suites/internal/labels"
	"github.com/rebootconf/rebootconf/suites/internal/rig"
)

const suiteName = "RebootInstance conformance"

// EnvJUnit names the JUnit report file.
const EnvJUnit = "REBOOTCONF_JUNIT"

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
	coverage = labels.CheckCoverage(PreviewSpecs(suiteName), contract.Catalogue())
	previewing = false
	RunSpecs(t, suiteName)
}

var _ = SynchronizedBeforeSuite(func(ctx SpecContext) []byte {
	// One run ID for every parallel process, so one sweep finds all instances.
	id := os.Getenv("REBOOTCONF_RUN_ID")
	if id == "" {
		id = "rc" + strconv.FormatInt(time.Now().UnixNano()%1e12, 36)
	}
	return []byte(id)
}, func(ctx SpecContext, runID []byte) {
	var err error
	rg, err = rig.Open(ctx, string(runID))
	Expect(err).NotTo(HaveOccurred(), "open the target named by the REBOOTCONF_* environment")
	DeferCleanup(rg.Close)
	AddReportEntry("target", rg.T.Describe())
}, NodeTimeout(time.Minute))

var _ = ReportAfterSuite("junit", func(r Report) {
	path := os.Getenv(EnvJUnit)
	if path == "" || previewing {
		return
	}
	opts := reports.Options{SuiteName: suiteName, Redact: protocol.Redact}
	if rg != nil {
		opts.TargetKind, opts.TargetEndpoint = string(rg.T.Kind), rg.T.Endpoint
	}
	Expect(reports.WriteFile(path, reports.FromGinkgo(r, opts))).To(Succeed(), "write the JUnit report to %s", path)
})

var _ = Describe("The behaviour catalogue", Label(labels.Meta), func() {
	It("has a spec for every behaviour and names no unknown behaviour", func() {
		if coverage != nil {
			Fail(coverage.Error())
		}
	})
})
