// Package sdkclients_test drives a target with the real clients people use: the legacy Go SDK,
// the Tea SDK v7 (ACS3 and v2 signing) and npm @alicloud/pop-core. Every operation the
// harness relies on must succeed through each of them, and every documented RebootInstance
// error must reach the caller with its Code, HTTP status and RequestId. The target comes from
// the REBOOTCONF_* environment (default: an embedded emulator); the JUnit report goes to
// $REBOOTCONF_JUNIT when set.
package sdkclients_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/reports"
	"github.com/rebootconf/rebootconf/suites/internal/rig"
)

const suiteName = "SDK clients"

// EnvJUnit names the JUnit report file.
const EnvJUnit = "REBOOTCONF_JUNIT"

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
	path := os.Getenv(EnvJUnit)
	if path == "" {
		return
	}
	opts := reports.Options{SuiteName: suiteName, Redact: protocol.Redact}
	if rg != nil {
		opts.TargetKind, opts.TargetEndpoint = string(rg.T.Kind), rg.T.Endpoint
	}
	Expect(reports.WriteFile(path, reports.FromGinkgo(r, opts))).To(Succeed(), "write the JUnit report to %s", path)
})
