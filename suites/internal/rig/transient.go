package rig

import (
	"context"
	"fmt"
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL
	. "github.com/onsi/gomega"    //nolint:revive // Gomega DSL

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

// Probe is a reboot sent while an instance is in a transient status the spec
// produced itself through the public API, the way any target can: a reboot
// leaves it Starting, StopInstance Stopping, RunInstances Pending.
type Probe struct {
	ID     string
	Status string        // the transient status asked for
	Before string        // read just before the probe
	After  string        // read just after it
	Outs   Outcomes      // the probe through each client
	Span   time.Duration // the trigger sent → the last probe answered
	// Accepted counts 200 answers, the trigger's included for Starting.
	Accepted int
}

// ProbeTransient puts a fresh instance into status (Starting, Stopping or
// Pending) with the public API and sends a reboot through both clients at
// once. For Starting it first watches one reboot, so the target's reboot
// duration is known (MinDwell) before the probe is judged.
func (rg *Rig) ProbeTransient(ctx context.Context, status string) Probe {
	GinkgoHelper()
	p := Probe{Status: status}
	var t0 time.Time
	switch status {
	case contract.StatusPending:
		p.ID = rg.Provision(ctx, target.InstanceSpec{Status: contract.StatusPending})
		t0 = time.Now()
	case contract.StatusStarting:
		p.ID = rg.Provision(ctx, target.InstanceSpec{})
		rg.Calibrate(ctx, p.ID)
		t0 = time.Now()
		o := rg.Send(ctx, ClientRaw, Reboot{InstanceID: p.ID})
		o.Expect(contract.CheckSuccess(o.Response, protocol.FormatJSON))
		p.Accepted = 1
	case contract.StatusStopping:
		p.ID = rg.Provision(ctx, target.InstanceSpec{})
		t0 = time.Now()
		rg.stop(ctx, p.ID)
	default:
		Fail("ProbeTransient: no way to produce " + status)
	}
	p.Before = rg.StatusNow(ctx, p.ID)
	p.Outs = rg.Both(ctx, Reboot{InstanceID: p.ID})
	p.Span = time.Since(t0)
	p.After = rg.StatusNow(ctx, p.ID)
	for _, o := range p.Outs {
		if o.Response != nil && o.Response.Status == 200 {
			p.Accepted++
		}
	}
	AddReportEntry("probe of a "+status+" instance", fmt.Sprintf("%s read %s before and %s after the probe; %d accepted; %s",
		p.ID, p.Before, p.After, p.Accepted, contract.DwellText(p.Span, rg.MinDwell())), ReportEntryVisibilityFailureOrVerbose)
	return p
}

// Judge says whether the probe shows what the target did with a reboot of an
// instance in p.Status, and fails the spec (citing b) when it accepted one.
// It returns false, with the reason, when the instance had already moved on
// so a 200 would prove nothing; nothing is failed then.
func (p Probe) Judge(b contract.Behaviour, minDwell time.Duration) (bool, string) {
	GinkgoHelper()
	switch p.Status {
	case contract.StatusStopping:
		// Nothing the spec sent can make the instance Running again: any accept is wrong.
		if p.Before != contract.StatusStopping && p.Before != contract.StatusStopped {
			return false, fmt.Sprintf("%s read %s right after StopInstance was accepted", p.ID, p.Before)
		}
		p.failAccepted(b, "the instance read "+p.Before+" after StopInstance")
	case contract.StatusPending:
		// Pending never comes back: Pending after the probe means Pending during it.
		if p.Before != contract.StatusPending || (p.Accepted > 0 && p.After != contract.StatusPending) {
			return false, fmt.Sprintf("%s read %s before and %s after the probe: it may have been Running when the probe arrived", p.ID, p.Before, p.After)
		}
		p.failAccepted(b, "the instance read Pending before and after the probe")
	case contract.StatusStarting:
		if p.Before != contract.StatusStarting {
			return false, fmt.Sprintf("%s read %s right after the trigger reboot was accepted", p.ID, p.Before)
		}
		judged, err := contract.CheckSingleAccept(b, p.Accepted, p.Span, minDwell)
		if !judged {
			return false, contract.DwellText(p.Span, minDwell)
		}
		if err != nil {
			Fail(fmt.Sprintf("%v (a reboot of %s while it was still Starting from the previous one)\n%s", err, p.ID, p.transcripts()))
		}
	}
	return true, ""
}

// failAccepted fails on any probe answer that accepted the reboot.
func (p Probe) failAccepted(b contract.Behaviour, why string) {
	GinkgoHelper()
	for _, o := range p.Outs {
		if o.Response != nil && o.Response.Status == 200 {
			Fail(fmt.Sprintf("%s: RebootInstance of %s was accepted (HTTP 200) while %s, want 403 IncorrectInstanceStatus\nvia the %s client:\n%s",
				b, p.ID, why, o.Client, o.Transcript))
		}
	}
}

func (p Probe) transcripts() string {
	var out string
	for _, o := range p.Outs {
		out += o.Transcript + "\n"
	}
	return out
}

// Calibrate watches one reboot of id when this process has not yet seen how
// long the target's reboot stays transient.
func (rg *Rig) Calibrate(ctx context.Context, id string) {
	GinkgoHelper()
	if rg.MinDwell() > 0 {
		return
	}
	By("calibrating: one reboot of " + id + " to learn how long this target's reboot takes")
	o := rg.Send(ctx, ClientRaw, Reboot{InstanceID: id})
	o.Expect(contract.CheckSuccess(o.Response, protocol.FormatJSON))
	rg.WatchReboot(ctx, id, nil)
}

// stop sends StopInstance for id and expects it accepted.
func (rg *Rig) stop(ctx context.Context, id string) {
	GinkgoHelper()
	ex, err := rg.Raw.Do(ctx, protocol.Call{Action: "StopInstance", Params: url.Values{"InstanceId": {id}}})
	Expect(Readable(err)).To(Succeed(), "StopInstance %s", id)
	Expect(ex.Response.IsError()).To(BeFalse(), "StopInstance %s answered HTTP %d %s\n%s", id, ex.Response.Status, ex.Response.Code, ex.Transcript())
}
