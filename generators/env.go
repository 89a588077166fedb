package generators

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"pgregory.net/rapid"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/replay"
)

// Env is what properties run against.
type Env struct {
	Client  *protocol.Client
	Control *control.Client // nil: no control API (live target, foreign emulator)
	Region  string          // RegionId for Describe calls
	// Faults says the control API can inject faults (capability "faults").
	Faults bool
	// Budget caps calls that may change an instance (nil: no cap; live targets get
	// REBOOTCONF_ALLOW_REBOOTS, default 0).
	Budget *replay.Budget
	// Adopt lists existing instances to use when there is no control API.
	Adopt []string
	// Recorder keeps the last failing case for the report; may be nil.
	Recorder *Recorder
	// Guard (fixtures/target's) learns which instances a drawn world owns and which
	// IDs name nothing; Refused recognises its refusals as "not sent".
	Guard   replay.Guard
	Refused func(error) bool
}

// Manual reports whether the env can hold transitions (and so check strictly).
func (e Env) Manual() bool { return e.Control != nil }

// Safe reports whether requests must avoid changing instances.
func (e Env) Safe() bool { return e.Budget != nil && e.Budget.Left() == 0 }

// Case is a failing case as the report shows it.
type Case struct {
	Sequence   replay.Sequence
	Transcript string // the exchanges of the case, redacted
	Failure    string
	Behaviours []string // what the failure broke (Implicated)
}

// Recorder keeps the most recent failing case (rapid runs the minimal one last) and
// counts what the properties sent, for throughput figures.
type Recorder struct {
	mu       sync.Mutex
	last     *Case
	Cases    int
	Requests int
}

// Last returns the most recent failing case, or nil.
func (rec *Recorder) Last() *Case {
	if rec == nil {
		return nil
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.last
}

// Reset forgets the last case and the counts.
func (rec *Recorder) Reset() {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.last, rec.Cases, rec.Requests = nil, 0, 0
}

func (rec *Recorder) finish(r *replay.Runner, failed bool, failure string) {
	if rec == nil {
		return
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.Cases++
	rec.Requests += len(r.Exchanges)
	if failed {
		rec.last = &Case{Sequence: r.Sequence(), Transcript: r.Transcript(0), Failure: failure}
		if r.LastFailure != nil {
			rec.last.Behaviours = Implicated(r.LastFailure)
		}
	}
}

// Start draws a world (or adopts the env's instances) and returns a runner for it.
// The world is torn down, and a failing case recorded, when the case ends.
func (e Env) Start(t *rapid.T, opts WorldOptions) *replay.Runner {
	r := &replay.Runner{Client: e.Client, Control: e.Control, Region: e.Region, Budget: e.Budget,
		CountReboots: e.Control != nil, Refused: e.Refused, Guard: e.Guard}
	ctx := context.Background()
	t.Cleanup(func() {
		failure := ""
		if r.LastFailure != nil {
			failure = r.LastFailure.Error()
		}
		e.Recorder.finish(r, t.Failed(), failure)
		if err := r.Teardown(ctx); err != nil {
			t.Logf("teardown: %v", err)
		}
	})
	switch {
	case e.Control != nil:
		world := World(opts).Draw(t, "world")
		if err := r.Setup(ctx, "manual", world); err != nil {
			t.Fatalf("infrastructure: %v", err)
		}
	case len(e.Adopt) > 0:
		if err := r.Adopt(ctx, e.Adopt); err != nil {
			t.Fatalf("infrastructure: %v", err)
		}
	default:
		if err := r.Adopt(ctx, nil); err != nil {
			t.Fatalf("infrastructure: %v", err)
		}
	}
	return r
}

// Do runs one step and turns its outcome into the rapid verdict: a contract failure
// fails the case (the exchanges that showed it are logged); a refused call skips.
func Do(t *rapid.T, r *replay.Runner, st replay.Step) {
	t.Helper()
	before := len(r.Exchanges)
	err := r.Run(context.Background(), st)
	var f *replay.Failure
	switch {
	case err == nil:
	case errors.Is(err, replay.ErrSkipped):
		t.Skip("reboot budget spent (REBOOTCONF_ALLOW_REBOOTS)")
	case errors.As(err, &f):
		// rapid shrinks only while the failure message stays the same, so the message
		// carries nothing that varies between runs (RequestIds, nonces, timings): the
		// exchanges go to the log, which rapid prints for the minimal case.
		t.Logf("exchanges of the failing step:\n%s", exchangesSince(r, before))
		t.Fatalf("%v", f)
	default:
		t.Fatalf("infrastructure (not a contract failure): %v", err)
	}
}

func exchangesSince(r *replay.Runner, i int) string {
	if i > len(r.Exchanges) {
		i = len(r.Exchanges)
	}
	var b []byte
	for _, ex := range r.Exchanges[i:] {
		if ex != nil {
			b = fmt.Appendf(b, "%s\n", ex.Transcript())
		}
	}
	return string(b)
}

// CallStep wraps a call as a step.
func CallStep(c replay.Call) replay.Step { return replay.Step{Op: replay.OpCall, Call: &c} }

// DescribeStep observes every instance.
func DescribeStep() replay.Step { return replay.Step{Op: replay.OpDescribe} }

// SettleStep completes every transition.
func SettleStep() replay.Step { return replay.Step{Op: replay.OpSettle} }
