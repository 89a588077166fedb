package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

// cleanup is what the end of a run found and did about the instances it created. Ownership
// is the created ledger (the IDs creating calls returned to this run's processes), never the
// run tag: an instance tagged with the run id that the run did not create is named, and left
// alone.
type cleanup struct {
	embedded bool
	created  []string          // recorded in the ledger
	deleted  []string          // still there at the end: deleted by the leak check
	left     []string          // not confirmed deleted
	why      map[string]string // left id → reason
	foreign  []string          // tagged with the run id, not created by the run: untouched
	problems []string          // what the check could not read: the record of created instances
	notes    []string          // what it could not tell: which tagged instances are foreign
	sweep    string            // the sweep command for this run (notDeleted narrows it)
}

// leakCheck deletes the instances this run created (o.CreatedLedger) that are still there, and says which it
// could not delete or could not confirm gone. It runs after the suites, also after an
// interrupt (with a context that is not cancelled).
func (p *preflightResult) leakCheck(ctx context.Context, o target.Options) cleanup {
	tg := p.target
	c := cleanup{embedded: tg.Kind == target.KindEmbedded, why: map[string]string{}, sweep: sweepCommand(tg, o)}
	if c.embedded {
		return c // each suite's emulator, and its instances, ended with the suite process
	}
	created, err := target.CreatedLedger{Path: o.CreatedLedger}.IDs()
	if err != nil {
		c.problems = append(c.problems, "the record of created instances could not be read: "+err.Error())
	}
	c.created = created
	exist, err := tg.Exists(ctx, created)
	if err != nil {
		for _, id := range created {
			c.leave(id, "could not check it is gone: "+transportCause(err).Error())
		}
	}
	// A target the suites saw stuck is not waited on for the full bound per instance.
	bound, _ := target.LoadLearntFrom(o.LearntDir).RebootBound(tg.Timing.RebootBound)
	for i, err := range releaseAll(ctx, tg, exist, bound) {
		if err != nil {
			c.leave(exist[i], transportCause(err).Error())
			continue
		}
		c.deleted = append(c.deleted, exist[i])
	}
	tagged, err := taggedInstances(ctx, tg, tg.RunID)
	if err != nil {
		c.notes = append(c.notes, fmt.Sprintf("instances tagged %s=%s could not be listed (%v), so instances this run did not create are not named", target.RunTagKey, tg.RunID, transportCause(err)))
	}
	for _, ti := range tagged {
		if !slices.Contains(created, ti.ID) {
			c.foreign = append(c.foreign, ti.ID)
		}
	}
	return c
}

func (c *cleanup) leave(id, why string) {
	if !slices.Contains(c.left, id) {
		c.left = append(c.left, id)
	}
	c.why[id] = why
}

// clean reports whether every created instance is confirmed gone.
func (c cleanup) clean() bool { return len(c.left) == 0 && len(c.problems) == 0 }

// problem is the leak check's entry for the report ("" when the run left nothing behind).
func (c cleanup) problem() string {
	if c.clean() && len(c.deleted) == 0 {
		return ""
	}
	var parts []string
	if len(c.deleted) > 0 {
		parts = append(parts, fmt.Sprintf("%d instance(s) this run created outlived their specs: %s (deleted now)", len(c.deleted), strings.Join(c.deleted, ",")))
	}
	if !c.clean() {
		parts = append(parts, c.notDeleted())
	}
	return strings.Join(parts, "; ")
}

// notDeleted names what is left and how to remove it.
func (c cleanup) notDeleted() string {
	var items []string
	for _, id := range c.left {
		items = append(items, id+" ("+c.why[id]+")")
	}
	items = append(items, c.problems...)
	cmd := c.sweep
	if len(c.problems) == 0 {
		for _, id := range c.left {
			cmd += " --instance " + id
		}
	}
	return fmt.Sprintf("NOT confirmed deleted: %s; remove them with: %s", strings.Join(items, "; "), cmd)
}

// sentence says, honestly, what became of the created instances.
func (c cleanup) sentence() string {
	switch {
	case c.embedded:
		return "the embedded emulators, and their instances, ended with the suite processes"
	case !c.clean():
		deleted := ""
		if n := len(c.created) - len(c.left); n > 0 {
			deleted = fmt.Sprintf("%d of the %d instance(s) this run created are deleted; ", n, len(c.created))
		}
		return deleted + c.notDeleted()
	case len(c.created) == 0:
		return "this run created no instance"
	}
	return fmt.Sprintf("every instance this run created (%d) is deleted", len(c.created))
}

// print writes the cleanup lines of the summary.
func (c cleanup) print(w io.Writer) {
	if c.embedded {
		return
	}
	fmt.Fprintln(w, "cleanup: "+protocol.Redact(c.sentence()))
	for _, n := range c.notes {
		fmt.Fprintln(w, "cleanup: "+protocol.Redact(n))
	}
	if len(c.foreign) > 0 {
		fmt.Fprintf(w, "cleanup: %d instance(s) tagged %s with this run's id were not created by this run and were left alone: %s\n",
			len(c.foreign), target.RunTagKey, strings.Join(c.foreign, ","))
	}
}

// sweepCommand is the sweep that deletes what this run may have left, by its run id.
func sweepCommand(tg *target.Target, o target.Options) string {
	cmd := "rebootconf sweep --endpoint " + tg.Endpoint
	if o.Endpoint == "" && o.Region != "" {
		cmd = "rebootconf sweep --region " + o.Region
	}
	if o.AliyunProfile != "" {
		cmd += " --profile " + o.AliyunProfile
	}
	return cmd + " --run-id " + tg.RunID
}

// releaseConcurrency bounds the leak check's deletes in flight: the target's rate limit
// (the pacer) still holds, and instances a broken target left stuck wait out their bound
// side by side instead of one after another.
const releaseConcurrency = 8

// releaseAll deletes ids (this run created them), each waited on for at most bound, and
// returns each one's error in order.
func releaseAll(ctx context.Context, tg *target.Target, ids []string, bound time.Duration) []error {
	errs := make([]error, len(ids))
	sem := make(chan struct{}, releaseConcurrency)
	var wg sync.WaitGroup
	for i, id := range ids {
		tg.Own(id) // recorded: this run created it
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			rctx, cancel := context.WithTimeout(ctx, bound)
			defer cancel()
			errs[i] = tg.Release(rctx, id)
		})
	}
	wg.Wait()
	return errs
}
