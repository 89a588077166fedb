package rig

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL

	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/suites/internal/legacy"
)

var getenv = os.Getenv

// Client names, as reports show them.
const (
	ClientRaw    = "raw"
	ClientLegacy = "legacy-sdk"
)

// Reboot is one RebootInstance request. Empty string fields are left out.
type Reboot struct {
	InstanceID string
	ForceStop  string // wire value
	DryRun     string // wire value
	Format     protocol.Format
	Method     string // "" is POST
	Signing    protocol.Signing
	InBody     bool
	Omit       []string              // common params to drop, e.g. "Signature"
	Creds      *protocol.Credentials // replaces the target's credentials
}

// rawOnly says why the legacy SDK cannot send r, or "".
func (r Reboot) rawOnly() string {
	switch {
	case r.Format == protocol.FormatXML:
		return "the legacy SDK cannot parse XML errors"
	case r.Signing == protocol.SigningACS3:
		return "the legacy SDK signs HMAC-SHA1 only"
	case r.Signing == protocol.SigningNone || len(r.Omit) > 0:
		return "the legacy SDK always signs every common parameter"
	case r.InBody:
		return "the legacy SDK sends API parameters in the query"
	}
	return ""
}

func (r Reboot) params() url.Values {
	p := url.Values{}
	for k, v := range map[string]string{"InstanceId": r.InstanceID, "ForceStop": r.ForceStop, "DryRun": r.DryRun} {
		if v != "" {
			p.Set(k, v)
		}
	}
	return p
}

// Outcome is what one client got.
type Outcome struct {
	Client     string
	Response   *protocol.Response
	Transcript string
	Err        error // transport failure, malformed body, SDK disagreeing with its body
}

// Expect asserts that check (a contract checker's result) is nil, naming the
// client and attaching the redacted transcript on failure.
func (o Outcome) Expect(check error) {
	GinkgoHelper()
	// The verdict comes first: it is the line a summary shows.
	for _, err := range []error{o.Err, check} {
		if err != nil {
			Fail(fmt.Sprintf("%s\nvia the %s client:\n%s", protocol.Redact(err.Error()), o.Client, o.Transcript))
		}
	}
}

// Send sends r through one client.
func (rg *Rig) Send(ctx context.Context, client string, r Reboot) Outcome {
	GinkgoHelper()
	var o Outcome
	switch client {
	case ClientRaw:
		o = rg.sendRaw(ctx, r)
	case ClientLegacy:
		o = rg.sendLegacy(r)
	default:
		Fail("unknown client " + client)
	}
	skipIfRefused(o)
	return o
}

// Both sends r through the raw client and, unless it cannot express r,
// through the legacy SDK. Check the result with Outcomes.Expect.
func (rg *Rig) Both(ctx context.Context, r Reboot) Outcomes {
	GinkgoHelper()
	out := Outcomes{rg.Send(ctx, ClientRaw, r)}
	if why := r.rawOnly(); why != "" {
		AddReportEntry("raw client only", why, ReportEntryVisibilityFailureOrVerbose)
		return out
	}
	return append(out, rg.Send(ctx, ClientLegacy, r))
}

// Outcomes are what each client got for the same request.
type Outcomes []Outcome

// Expect checks every client's response, naming the client that fails,
// then that the clients saw the same status and code.
func (os Outcomes) Expect(check func(*protocol.Response) error) {
	GinkgoHelper()
	for _, o := range os {
		o.Expect(check(o.Response))
	}
	ExpectSameOutcome(os)
}

// ExpectSameOutcome fails when the clients saw different statuses or codes.
func ExpectSameOutcome(outs []Outcome) {
	GinkgoHelper()
	var seen []string
	for _, o := range outs {
		if o.Response == nil {
			return // the per-client check reports the transport failure
		}
		seen = append(seen, fmt.Sprintf("%s: HTTP %d %q", o.Client, o.Response.Status, o.Response.Code))
	}
	for _, o := range outs[1:] {
		if o.Response.Status != outs[0].Response.Status || o.Response.Code != outs[0].Response.Code {
			var ts []string
			for _, x := range outs {
				ts = append(ts, x.Transcript)
			}
			Fail("the clients saw different outcomes for the same request: " + strings.Join(seen, "; ") + "\n" + strings.Join(ts, "\n"))
		}
	}
}

func (rg *Rig) sendRaw(ctx context.Context, r Reboot) Outcome {
	c := *rg.Raw
	if r.Creds != nil {
		c.Credentials = *r.Creds
	}
	call := protocol.Call{Action: "RebootInstance", Params: r.params(), Method: r.Method, Format: r.Format,
		Signing: r.Signing, InBody: r.InBody, Omit: r.Omit}
	ex, err := c.Do(ctx, call)
	return Outcome{Client: ClientRaw, Response: ex.Response, Transcript: ex.Transcript(), Err: err}
}

// sendLegacy builds a client per call: the legacy SDK client writes its
// own fields on every request, so it is not safe to share between the
// goroutines of a concurrent spec.
func (rg *Rig) sendLegacy(r Reboot) Outcome {
	c, err := rg.T.Legacy()
	if r.Creds != nil {
		c, err = rg.T.LegacyWith(*r.Creds)
	}
	if err != nil {
		return Outcome{Client: ClientLegacy, Err: err}
	}
	res, err := legacy.Do(c, rg.T.Endpoint, legacy.Reboot{InstanceID: r.InstanceID, ForceStop: r.ForceStop, DryRun: r.DryRun, Method: r.Method})
	return Outcome{Client: ClientLegacy, Response: res.Response, Transcript: res.Transcript, Err: err}
}

// skipIfRefused turns a safety-guard refusal into a skip: the harness chose
// not to send the call, so nothing was checked.
func skipIfRefused(o Outcome) {
	GinkgoHelper()
	if refused, ok := target.AsRefused(o.Err); ok {
		Skip(refused.Error())
	}
}

// Readable makes a checker's error print as its own text in a Gomega
// failure (instead of a dump of the joined error's structure):
// Expect(Readable(err)).To(Succeed(), ...).
func Readable(err error) error {
	if err == nil {
		return nil
	}
	return readable{err}
}

type readable struct{ error }

func (r readable) FormattedGomegaError() string { return r.Error() }
func (r readable) Unwrap() error                { return r.error }
