// Package sdkclients_test drives a target with the real clients people use: the legacy Go SDK,
// the Tea SDK v7 (ACS3 and v2 signing) and npm @alicloud/pop-core. Every operation the
// harness relies on must succeed through each of them, and every documented RebootInstance
// error must reach the caller with its Code, HTTP status and RequestId. The target comes from
// the REBOOTCONF_* environment (default: an embedded emulator); the JUnit report goes to
// $REBOOTCONF_JUNIT when set.
package sdkclients_test

import (
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/suites/internal/bootstrap"
	"github.com/rebootconf/rebootconf/suites/internal/rig"
)

const suiteName = "SDK clients"

var (
	// rg is this process's target; set in SynchronizedBeforeSuite, read-only after.
	rg *rig.Rig
	// clients by name; built once per process, read-only after.
	clients map[string]sdkClient
)

func TestSDKClients(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, suiteName)
}

var _ = SynchronizedBeforeSuite(bootstrap.RunID, func(ctx SpecContext, runID []byte) {
	var err error
	rg, err = rig.Open(ctx, string(runID))
	Expect(err).NotTo(HaveOccurred(), "open the target named by the REBOOTCONF_* environment")
	DeferCleanup(rg.Close)
	AddReportEntry("target", rg.T.Describe())
	// Before any client is built: each takes this transport (the legacy SDK wraps the guard).
	rg.T.HTTPClient().Transport = recording(rg.T.HTTPClient().Transport)

	fw, err := startForwarder(rg.T)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(fw.Close)

	clients = map[string]sdkClient{}
	legacy, err := newLegacyClient(rg.T)
	Expect(err).NotTo(HaveOccurred())
	clients[clientLegacy] = legacy
	for _, name := range []string{clientTeaACS3, clientTeaV2} {
		c, err := newTeaClient(rg.T, name, rg.T.Credentials)
		Expect(err).NotTo(HaveOccurred())
		clients[name] = c
	}
	clients[clientPopCore] = newPopCoreClient(rg.T, fw.URL)
}, NodeTimeout(time.Minute))

var _ = ReportAfterSuite("junit", func(r Report) {
	var t *target.Target
	if rg != nil {
		t = rg.T
	}
	bootstrap.WriteJUnit(r, suiteName, t)
})
