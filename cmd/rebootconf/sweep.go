package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/target"
)

// sweepCmd deletes instances that earlier runs created and left behind, found by the run tag.
// It deletes only what it was explicitly told to (one run's instances, or every run's older
// than a given age), and names each instance before it deletes it.
func sweepCmd(args []string, stdout, stderr io.Writer) int {
	var o target.Options
	fs := newFlags("sweep", "--endpoint URL|--region R [flags]")
	targetFlags(fs, &o, "ECS-compatible endpoint URL (this or --region is required)")
	runID := fs.String("run-id", "", "delete the instances of this run (tagged rebootconf-run=ID)")
	list := fs.Bool("list", false, "only list the instances any run left (or those --run-id, --older-than select)")
	olderThan := fs.Duration("older-than", 0, "delete every run's instances created longer ago than this, e.g. 6h (spares runs still in progress)")
	var only multiFlag
	fs.Var(&only, "instance", "narrow to this instance id (repeatable; it must still carry a rebootconf-run tag)")
	rest, err := parseCommandLine(fs, args, 0, stdout, stderr)
	if err != nil {
		return parseFailure(err) // the help, or the problem on one line, is printed
	}
	if o.Endpoint == "" && o.Region == "" {
		fmt.Fprintln(stderr, "rebootconf sweep: name the target with --endpoint URL or --region R")
		return exitConfig
	}
	if err := sweepSelection(*runID, *olderThan, *list, len(rest)); err != nil {
		fmt.Fprintf(stderr, "rebootconf sweep: %v\n", err)
		return exitConfig
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	pf, err := preflight(ctx, o, preflightTimeout)
	if err != nil {
		fmt.Fprintf(stderr, "rebootconf sweep: %v\n", err)
		return exitConfig
	}
	defer pf.close()
	tg := pf.target
	found, err := taggedInstances(ctx, tg, *runID)
	if err != nil {
		fmt.Fprintf(stderr, "rebootconf sweep: %v\n", err)
		return exitFail
	}
	if *olderThan > 0 {
		found = olderThanCutoff(stdout, found, time.Now().Add(-*olderThan))
	}
	if len(only) > 0 {
		found = narrowTo(stdout, found, only)
	}
	fmt.Fprintf(stdout, "%d instance(s) tagged %s on %s\n", len(found), target.RunTagKey, tg.Endpoint)
	if *list || len(found) == 0 {
		for _, ti := range found {
			fmt.Fprintf(stdout, "  %s (%s=%s)\n", ti.ID, target.RunTagKey, ti.Run)
		}
		return exitPass
	}
	names := make([]string, len(found))
	for i, ti := range found {
		names[i] = fmt.Sprintf("%s (%s=%s)", ti.ID, target.RunTagKey, ti.Run)
	}
	fmt.Fprintf(stdout, "deleting %d instance(s): %s\n", len(found), strings.Join(names, ", "))
	failed := 0
	for _, ti := range found {
		// The tag proves a harness run created it: that is the only ownership sweep accepts,
		// and the guard re-reads it just before the delete.
		tg.Adopt(ti.ID, ti.Run)
		dctx, cancel := context.WithTimeout(ctx, time.Minute)
		err := tg.Release(dctx, ti.ID)
		cancel()
		if err != nil {
			failed++
			fmt.Fprintf(stdout, "  %s: %v\n", ti.ID, err)
			continue
		}
		fmt.Fprintf(stdout, "  %s: deleted\n", ti.ID)
	}
	if failed > 0 {
		return exitFail
	}
	return exitPass
}

// sweepSelection refuses a sweep that does not say what to delete: deleting every run's
// instances would take those of a run still in progress on the same account.
func sweepSelection(runID string, olderThan time.Duration, list bool, nargs int) error {
	switch {
	case nargs > 0:
		return errors.New("sweep takes no arguments (flags only)")
	case olderThan < 0:
		return errors.New("--older-than must not be negative")
	case runID != "" && !runIDPattern.MatchString(runID):
		return fmt.Errorf("--run-id %q: want 1 to 64 of a-z, A-Z, 0-9, '-', '_' or '.'", runID)
	case !list && runID == "" && olderThan == 0:
		return errors.New("say what to delete: --run-id ID (one run's instances) or --older-than D (every run's, created longer ago than D); --list only lists")
	}
	return nil
}

// narrowTo keeps the instances named by --instance and says which of those it did not find.
func narrowTo(stdout io.Writer, found []taggedInstance, only []string) []taggedInstance {
	var keep []taggedInstance
	for _, id := range only {
		i := slices.IndexFunc(found, func(ti taggedInstance) bool { return ti.ID == id })
		if i < 0 {
			fmt.Fprintf(stdout, "  %s: not among the tagged instances selected (nothing to delete)\n", id)
			continue
		}
		keep = append(keep, found[i])
	}
	return keep
}

// olderThanCutoff keeps the instances created before cutoff. One whose creation time is
// unknown is kept alive, not deleted: it may belong to a run in progress.
func olderThanCutoff(stdout io.Writer, found []taggedInstance, cutoff time.Time) []taggedInstance {
	var keep []taggedInstance
	for _, ti := range found {
		switch {
		case ti.Created.IsZero():
			fmt.Fprintf(stdout, "  %s: spared, the target gives no creation time\n", ti.ID)
		case ti.Created.After(cutoff):
			fmt.Fprintf(stdout, "  %s: spared, created %s (a run may still be using it)\n", ti.ID, ti.Created.UTC().Format(time.RFC3339))
		default:
			keep = append(keep, ti)
		}
	}
	return keep
}
