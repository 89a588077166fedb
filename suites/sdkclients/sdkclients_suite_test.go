// Package sdkclients_test drives a target with the real clients people use, each a testee of
// the client-under-test protocol (docs/client-protocol.md): the legacy Go SDK and the Tea SDK
// v7 (ACS3 and v1 signing) through cmd/rebootconf-testee, npm @alicloud/pop-core and the Tea
// TypeScript SDK @alicloud/ecs20140526 through node/testee.js, and every testee named in
// $REBOOTCONF_CLIENTS (rebootconf run --client). Every operation the harness relies on must
// succeed through each of them, and every documented RebootInstance error must reach the
// caller with its Code, HTTP status and RequestId. The Go SDKs also run in process, on the
// guard as their transport, for the row only they can check (SDK-SAFE-001). The target comes
// from the REBOOTCONF_* environment (default: an embedded emulator); the JUnit report goes to
// $REBOOTCONF_JUNIT when set.
package sdkclients_test

import (
	"encoding/json"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/fixtures/testee"
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

// shared is what the first process hands every process: the run ID and the Go testee.
type shared struct{ RunID, GoTestee string }

var _ = SynchronizedBeforeSuite(func(ctx SpecContext) []byte {
	// Build (or find) the Go testee once for every parallel process.
	goTestee, err := findGoTestee(GinkgoT().TempDir())
	Expect(err).NotTo(HaveOccurred(), "the Go testee")
	b, _ := json.Marshal(shared{RunID: string(bootstrap.RunID(ctx)), GoTestee: goTestee})
	return b
}, func(ctx SpecContext, data []byte) {
	Expect(externalsErr).NotTo(HaveOccurred())
	var sh shared
	Expect(json.Unmarshal(data, &sh)).To(Succeed())
	var err error
	rg, err = rig.Open(ctx, sh.RunID)
	Expect(err).NotTo(HaveOccurred(), "open the target named by the REBOOTCONF_* environment")
	DeferCleanup(rg.Close)
	AddReportEntry("target", rg.T.Describe())
	// Before any client is built: each takes this transport (the legacy SDK wraps the guard).
	rg.T.HTTPClient().Transport = recording(rg.T.HTTPClient().Transport)

	fw, err := testee.StartForwarder(rg.T)
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
	for _, c := range startTestees(ctx, rg.T, fw.URL, append(builtinPrograms(sh.GoTestee), externals...)) {
		Expect(clients).NotTo(HaveKey(c.name), "two clients are named %q", c.name)
		clients[c.name] = c
		if c.drv != nil {
			DeferCleanup(c.drv.Close)
		}
	}
}, NodeTimeout(2*time.Minute))

var _ = ReportAfterSuite("junit", func(r Report) {
	var t *target.Target
	if rg != nil {
		t = rg.T
	}
	bootstrap.WriteJUnit(r, suiteName, t)
})
