package sdkclients_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/fixtures/testee"
	"github.com/rebootconf/rebootconf/reports"
)

// Client names; each is also the suffix of the spec's "sdk:" label. The in-process clients
// run the Go SDKs on the guard as their transport; every other client is a testee (a program
// speaking docs/client-protocol.md) whose calls reach the guard through the forwarder.
const (
	clientLegacy  = "legacy"   // github.com/aliyun/alibaba-cloud-sdk-go/services/ecs, in process
	clientTeaACS3 = "tea-acs3" // github.com/alibabacloud-go/ecs-20140526/v7, default ACS3-HMAC-SHA256, in process
	clientTeaV2   = "tea-v2"   // the same SDK with SignatureAlgorithm "v2" (HMAC-SHA1), in process
	clientPopCore = "popcore"  // npm @alicloud/pop-core 1.8.0, the Node testee (node/testee.js --sdk popcore)
)

var inProcessNames = []string{clientLegacy, clientTeaACS3, clientTeaV2}

// builtinTesteeNames are our own testees' clients (testees_test.go builtinPrograms).
var builtinTesteeNames = []string{"go-legacy", "go-tea-acs3", "go-tea-v1", clientPopCore, "tea-ts-acs3", "tea-ts-v1"}

// externals are the --client testees, started once at tree construction for their names.
var externals, externalsErr = externalPrograms()

// signsACS3 reports whether the named client signs with ACS3-HMAC-SHA256 (the others sign v1).
func signsACS3(name string) bool {
	if name == clientTeaACS3 || name == "go-tea-acs3" || name == "tea-ts-acs3" {
		return true
	}
	for _, p := range externals {
		if i := slices.Index(p.names, name); i >= 0 {
			return p.sigs[i] == testee.SigACS3
		}
	}
	return false
}

// testeeNames is every testee client, built-in first.
func testeeNames() []string {
	names := slices.Clone(builtinTesteeNames)
	for _, p := range externals {
		names = append(names, p.names...)
	}
	return names
}

// call is one ECS operation in SDK-neutral terms; each client maps it onto its own request
// type. Zero values are not sent.
type call struct {
	Action     string
	InstanceID string // RebootInstance, StartInstance, StopInstance, DeleteInstance
	// InstanceIDs: DeleteInstances and DescribeInstanceStatus (InstanceId.N),
	// DescribeInstances (the InstanceIds JSON array).
	InstanceIDs           []string
	DryRun, ForceStop     *bool
	Force                 *bool
	Amount                int // RunInstances
	Status                string
	PageNumber, PageSize  int
	Tags                  map[string]string // RunInstances, CreateInstance
	ImageID, InstanceType string            // RunInstances, CreateInstance
}

// result is what a client surfaced: for an API error Code is set; for a failure below the API
// (transport, guard refusal, unparsable body) only Err is.
type result struct {
	Client string
	Action string
	Err    error
	// HTTPStatus as the client exposes it (legacy HttpStatus(), Tea StatusCode, pop-core
	// entry.response.statusCode).
	HTTPStatus               int
	Code, Message, RequestID string
	Created                  []string // RunInstances, CreateInstance
	TotalCount               int
	PageNumber, PageSize     int
	Listed                   []listed // DescribeInstances, DescribeInstanceStatus, in answer order
	// Details holds, per InstanceId a DescribeInstances answer listed, what the client
	// surfaced of its OperationLocks and Tags.
	Details map[string]details
}

type listed struct{ ID, Status string }

// details is an instance's OperationLocks.LockReason[].LockReason values, in answer order,
// and its Tags.Tag[] as TagKey → TagValue.
type details struct {
	Locks []string
	Tags  map[string]string
}

// detail records d for id.
func (r *result) detail(id string, d details) {
	if r.Details == nil {
		r.Details = map[string]details{}
	}
	r.Details[id] = d
}

func (r result) String() string {
	s := fmt.Sprintf("%s %s: HTTP %d", r.Client, r.Action, r.HTTPStatus)
	if r.Code != "" {
		s += fmt.Sprintf(" Code=%q Message=%q", r.Code, r.Message)
	}
	s += fmt.Sprintf(" RequestId=%q", r.RequestID)
	if len(r.Details) > 0 {
		s += fmt.Sprintf(" Details=%v", r.Details)
	}
	if r.Err != nil {
		s += "\nclient error: " + r.Err.Error()
	}
	return protocol.Redact(s)
}

func (r result) ids() []string {
	out := make([]string, len(r.Listed))
	for i, l := range r.Listed {
		out[i] = l.ID
	}
	return out
}

// sdkClient is one real SDK aimed at the target.
type sdkClient interface {
	Name() string
	// Skip returns why this client cannot run here ("" = it can).
	Skip() string
	Do(ctx context.Context, c call) result
	// WithCredentials returns the same client signing with other credentials.
	WithCredentials(creds protocol.Credentials) (sdkClient, error)
}

// use returns the named client for this spec, skipping when it cannot run here.
func use(name string) sdkClient {
	GinkgoHelper()
	c, ok := clients[name]
	Expect(ok).To(BeTrue(), "client %q was not built", name)
	if why := c.Skip(); why != "" {
		Skip(why)
	}
	return c
}

// do sends c and turns a safety-guard refusal into a skip: the harness chose not to send.
func do(ctx context.Context, cl sdkClient, c call) result {
	GinkgoHelper()
	_ = wire.take() // what the rig sent before this call (provisioning) is not its transcript
	r := cl.Do(ctx, c)
	r.Client, r.Action = cl.Name(), c.Action
	if ex := wire.take(); ex != "" {
		AddReportEntry(r.Client+" "+r.Action+": HTTP exchanges", ex, ReportEntryVisibilityFailureOrVerbose)
	}
	if msg := refusal(r); msg != "" {
		Skip(protocol.Redact(msg))
	}
	AddReportEntry(r.Client+" "+r.Action, r.String(), ReportEntryVisibilityFailureOrVerbose)
	return r
}

// guardRefusedCode is what the forwarder answers when the guard refuses a testee's call.
const guardRefusedCode = testee.GuardRefusedCode

func refusal(r result) string {
	var refused *target.RefusedError
	switch {
	case errors.As(r.Err, &refused):
		return refused.Error()
	case r.Err != nil && strings.Contains(r.Err.Error(), "safety guard refused"):
		// The legacy SDK and Tea wrap the transport error without Unwrap.
		return r.Err.Error()
	case r.Code == guardRefusedCode:
		return r.Message
	}
	return ""
}

// expectOK asserts the client reports success with HTTP 200 and an uppercase-UUID RequestId.
func expectOK(r result) {
	GinkgoHelper()
	Expect(r.Err).NotTo(HaveOccurred(), "%s", r)
	Expect(r.Code).To(BeEmpty(), "%s", r)
	Expect(r.HTTPStatus).To(Equal(200), "the client must surface the HTTP status; %s", r)
	Expect(contract.CheckRequestID(&protocol.Response{RequestID: r.RequestID})).To(Succeed(), "%s", r)
}

// expectError asserts the client surfaced an API error that one of rows accepts: its HTTP
// status, Code and Message, plus an uppercase-UUID RequestId.
func expectError(r result, rows ...contract.ErrorRow) {
	GinkgoHelper()
	Expect(r.Code).NotTo(BeEmpty(), "want %s, but the client surfaced no error code; %s", wants(rows), r)
	Expect(matchRows(r, rows)).To(Succeed(), "%s", r)
	Expect(contract.CheckRequestID(&protocol.Response{RequestID: r.RequestID})).To(Succeed(),
		"the client must surface the error's RequestId; %s", r)
}

func wants(rows []contract.ErrorRow) string {
	w := make([]string, len(rows))
	for i, row := range rows {
		w[i] = row.Want()
	}
	return strings.Join(w, " or ")
}

// matchRows passes when any row accepts the surfaced status, code and message. It mirrors the
// contract's row semantics: Codes or CodePrefixes when given (else any code not in NotCodes),
// Messages when given (else any non-empty text; also when the target profile declares
// message-text for the row's behaviour).
func matchRows(r result, rows []contract.ErrorRow) error {
	var misses []string
	for _, row := range rows {
		var why []string
		if !slices.Contains(row.Statuses, r.HTTPStatus) {
			why = append(why, fmt.Sprintf("HTTP status %d", r.HTTPStatus))
		}
		if !codeAccepted(row, r.Code) {
			why = append(why, fmt.Sprintf("Code %q", r.Code))
		}
		if len(row.Messages) > 0 && !slices.Contains(row.Messages, r.Message) && !otherText(row.ID) || r.Message == "" {
			why = append(why, fmt.Sprintf("Message %q", r.Message))
		}
		if len(why) == 0 {
			return nil
		}
		misses = append(misses, fmt.Sprintf("%s wants %s; got %s", row, row.Want(), strings.Join(why, ", ")))
	}
	return errors.New(strings.Join(misses, "\n"))
}

// otherText reports whether the target profile declares its own message text for the
// behaviour (docs/deviations.md, message-text): any non-empty Message is then accepted.
var otherText = func(behaviourID string) bool {
	return reports.Declared(behaviourID, reports.DeviationMessageText)
}

func codeAccepted(row contract.ErrorRow, code string) bool {
	if code == "" || slices.Contains(row.NotCodes, code) {
		return false
	}
	if len(row.Codes) == 0 && len(row.CodePrefixes) == 0 || slices.Contains(row.Codes, code) {
		return true
	}
	for _, p := range row.CodePrefixes {
		if strings.HasPrefix(code, p) && len(code) > len(p) {
			return true
		}
	}
	return false
}

func ptr[T any](v T) *T { return &v }
