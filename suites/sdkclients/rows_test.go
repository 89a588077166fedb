package sdkclients_test

import (
	"fmt"
	"net/http"
	"slices"

	. "github.com/onsi/ginkgo/v2"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/suites/internal/labels"
)

// row is one line of the SDK table: every row runs once through every client.
type row struct {
	ID     string // SDK-OP-*, SDK-ERR-*, SDK-GW-*, SDK-SAFE-*
	What   string // the operation or error
	Source string // where the expectation comes from ("spec", "notes" as in docs/behaviours.md)
	// Behaviours are catalogue IDs the row also evidences (labels, so reports aggregate them);
	// ACS3 replaces them for the ACS3-signing clients when set.
	Behaviours, ACS3 []string
	Disruptive       bool // changes instance state: reboots, starts, stops, creates, deletes
	// InProcess also runs the row through the in-process Go clients: it checks what only they
	// can show (the guard as their own transport). Every row runs through every testee.
	InProcess bool
	Run       func(ctx SpecContext, c sdkClient)
}

var (
	running = target.InstanceSpec{Status: control.StatusRunning}
	stopped = target.InstanceSpec{Status: control.StatusStopped}
	// stoppedMine is a Stopped instance the spec may start or delete: never a lent one.
	stoppedMine = target.InstanceSpec{Status: control.StatusStopped, Mutable: true}
)

// rows is the table. Operations first (a success through each client), then every documented
// RebootInstance error, then the gateway's errors (bad signatures, throttling, a temporary
// failure), then the harness's own safety: the guard must sit under every client.
var rows = []row{
	{ID: "SDK-OP-001", What: "RebootInstance ForceStop=false is accepted and the instance comes back Running",
		Source: "spec §Description, §Response parameters; notes §3.2-§3.4 (success)", Behaviours: []string{"RI-STATE-001", "RI-FORCE-002"},
		Disruptive: true, Run: opReboot(ptr(false))},
	{ID: "SDK-OP-002", What: "RebootInstance ForceStop=true is accepted and the instance comes back Running",
		Source: "spec §Request parameters (ForceStop); notes §8", Behaviours: []string{"RI-FORCE-001"},
		Disruptive: true, Run: opReboot(ptr(true))},
	{ID: "SDK-OP-003", What: "StartInstance starts a Stopped instance",
		Source: "notes §6.2 (StartInstance)", Disruptive: true, Run: opStart},
	{ID: "SDK-OP-004", What: "StopInstance ForceStop=true stops a Running instance",
		Source: "notes §6.2 (StopInstance), §8", Disruptive: true, Run: opStop},
	{ID: "SDK-OP-005", What: "RunInstances Amount=2 creates two tagged instances that reach Running",
		Source: "notes §6.1 (RunInstances), §6.5", Disruptive: true, Run: opRunInstances},
	{ID: "SDK-OP-006", What: "CreateInstance creates one tagged instance that ends Stopped",
		Source: "notes §6.1 (CreateInstance), §6.5", Disruptive: true, Run: opCreateInstance},
	{ID: "SDK-OP-007", What: "DeleteInstance deletes a Stopped instance",
		Source: "notes §6.2 (DeleteInstance), §6.5", Disruptive: true, Run: opDeleteInstance},
	{ID: "SDK-OP-008", What: "DeleteInstances Force=true deletes two Running instances",
		Source: "notes §6.5 (DeleteInstances)", Disruptive: true, Run: opDeleteInstances},
	{ID: "SDK-OP-009", What: "DescribeInstances with an InstanceIds JSON array lists exactly those instances and their status",
		Source: "notes §6.3 (InstanceIds)", Run: opDescribeByIDs},
	{ID: "SDK-OP-010", What: "DescribeInstances with a Status filter lists only instances in that status",
		Source: "notes §6.3 (Status filter)", Run: opDescribeStatusFilter},
	{ID: "SDK-OP-011", What: "DescribeInstances pages with PageNumber and PageSize",
		Source: "notes §6.3 (PageNumber, PageSize)", Run: opDescribePaging},
	{ID: "SDK-OP-012", What: "DescribeInstanceStatus with InstanceId.N lists those instances and their status",
		Source: "notes §6.4 (InstanceId.N)", Run: opStatusByIDs},
	{ID: "SDK-OP-013", What: "DescribeInstanceStatus pages with PageNumber and PageSize",
		Source: "notes §6.4 (PageNumber, PageSize)", Run: opStatusPaging},
	{ID: "SDK-OP-014", What: "DescribeInstances shows OperationLocks.LockReason and Tags of a locked, tagged instance",
		Source: "notes §6.3; docs/control-protocol.md (lockReasons, tags)", Run: opDescribeLocksAndTags},

	{ID: "SDK-ERR-001", What: "RebootInstance of an unknown InstanceId surfaces 404 InvalidInstanceId.NotFound",
		Source: contract.ErrNotFound.Source, Behaviours: []string{"RI-ERR-001"}, Run: rebootError(nil, contract.ErrNotFound)},
	{ID: "SDK-ERR-002", What: "RebootInstance of a Stopped instance surfaces 403 IncorrectInstanceStatus",
		Source: contract.ErrIncorrectStatus.Source + "; " + contract.ErrIncorrectStatusAny.Source, Behaviours: []string{"RI-ERR-002", "RI-ERR-007"},
		Run: rebootError(&stopped, contract.ErrIncorrectStatus, contract.ErrIncorrectStatusAny)},
	{ID: "SDK-ERR-003", What: "RebootInstance of a security-locked instance surfaces 403 InstanceLockedForSecurity",
		Source: contract.ErrLockedForSecurity.Source, Behaviours: []string{"RI-ERR-003"},
		Run: rebootError(&target.InstanceSpec{LockReasons: []string{"security"}}, contract.ErrLockedForSecurity)},
	{ID: "SDK-ERR-004", What: "RebootInstance of an expired or in-arrears instance surfaces 403 InstanceExpiredOrInArrears",
		Source: contract.ErrExpiredOrInArrears.Source, Behaviours: []string{"RI-ERR-006"},
		Run: rebootError(&target.InstanceSpec{LockReasons: []string{"financial"}}, contract.ErrExpiredOrInArrears)},
	{ID: "SDK-ERR-005", What: "RebootInstance of an instance with a disk error surfaces 403 DiskError",
		Source: contract.ErrDisk.Source, Behaviours: []string{"RI-ERR-004"},
		Run: rebootError(&target.InstanceSpec{Conditions: []string{control.ConditionDiskError}}, contract.ErrDisk)},
	{ID: "SDK-ERR-006", What: "RebootInstance when ECS may not use the KMS key surfaces 403 InvalidParameter.KMSKeyId.KMSUnauthorized",
		Source: contract.ErrKMS.Source, Behaviours: []string{"RI-ERR-008"},
		Run: rebootError(&target.InstanceSpec{Conditions: []string{control.ConditionKMSUnauthorized}}, contract.ErrKMS)},
	{ID: "SDK-ERR-007", What: "RebootInstance on an internal failure surfaces 500 InternalError (either documented text)",
		Source: contract.ErrInternal.Source + "; " + contract.ErrInternalAlt.Source, Behaviours: []string{"RI-ERR-005", "RI-ERR-009"},
		Run: rebootError(&target.InstanceSpec{Conditions: []string{control.ConditionInternalError}}, contract.ErrInternal, contract.ErrInternalAlt)},
	{ID: "SDK-ERR-008", What: "RebootInstance DryRun=true of a Running instance surfaces 400 DryRunOperation and changes nothing",
		Source: contract.DryRunPassed.Source, Behaviours: []string{"RI-DRYRUN-001"}, Run: rebootDryRun},
	{ID: "SDK-ERR-009", What: "RebootInstance without InstanceId surfaces 400 MissingParameter or MissingInstanceId",
		Source: contract.ErrMissingInstanceID.Source, Behaviours: []string{"RI-ERR-010"}, Run: rebootMissingID},

	{ID: "SDK-GW-001", What: "a wrong AccessKeySecret surfaces 400 SignatureDoesNotMatch",
		Source: contract.ErrSignatureV1.Source, Behaviours: []string{"RI-PROTO-008"}, ACS3: []string{"RI-PROTO-009"}, Run: gwWrongSecret},
	{ID: "SDK-GW-002", What: "an unknown AccessKeyId surfaces InvalidAccessKeyId.NotFound (400 or 404)",
		Source: contract.ErrUnknownAccessKey.Source, Behaviours: []string{"RI-PROTO-010"}, Run: gwUnknownKey},
	{ID: "SDK-GW-003", What: "a throttled call surfaces 400 Throttling.User with its code",
		Source: errThrottled.Source + "; docs/control-protocol.md (fault throttle)", Run: gwFault(control.Fault{Kind: control.FaultThrottle}, errThrottled)},
	{ID: "SDK-GW-004", What: "a temporary server failure surfaces as a 503 server error with code ServiceUnavailable",
		Source: errUnavailable.Source + "; docs/control-protocol.md (fault error)",
		Run:    gwFault(control.Fault{Kind: control.FaultError, Status: http.StatusServiceUnavailable}, errUnavailable)},

	{ID: "SDK-SAFE-001", What: "the ownership guard refuses, before sending, a reboot of an instance the run neither owns nor verified absent",
		Source: "DESIGN.md (fixtures/target: ownership guard)", InProcess: true, Run: safeGuardRefuses},
}

func (r row) labels(client string) Labels {
	l := Labels{"sdk", "sdk:" + client, r.ID, labels.AreaPrefix + "sdk"}
	if signsACS3(client) && r.ACS3 != nil {
		l = append(l, r.ACS3...)
	} else {
		l = append(l, r.Behaviours...)
	}
	if r.Disruptive {
		return append(l, labels.Disruptive)
	}
	return append(l, labels.NonDisruptive)
}

// entries makes one spec per row × client.
func entries() []TableEntry {
	var out []TableEntry
	for _, r := range rows {
		names := testeeNames()
		if r.InProcess {
			names = append(slices.Clone(inProcessNames), names...)
		}
		for _, c := range names {
			out = append(out, Entry(fmt.Sprintf("%s [%s] %s (%s)", r.ID, c, r.What, r.Source), r.labels(c), r, c))
		}
	}
	return out
}

var _ = DescribeTable("Real SDK clients against the target",
	func(ctx SpecContext, r row, client string) { r.Run(ctx, use(client)) },
	entries(),
)
