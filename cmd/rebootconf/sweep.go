package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/target"
)

// sweepCmd deletes instances that earlier runs created and left behind, found by the run tag.
func sweepCmd(args []string, stdout, stderr io.Writer) int {
	var o target.Options
	fs := newFlags("sweep", "--endpoint URL|--region R [flags]")
	targetFlags(fs, &o, "ECS-compatible endpoint URL (this or --region is required)")
	runID := fs.String("run-id", "", "delete only instances of this run (default: every run's)")
	list := fs.Bool("list", false, "only list what would be deleted")
	olderThan := fs.Duration("older-than", 0, "delete only instances created longer ago than this, e.g. 6h (spares runs still in progress)")
	if _, err := parseCommandLine(fs, args, 0, stdout, stderr); err != nil {
		return parseFailure(err) // the help, or the problem on one line, is printed
	}
	if o.Endpoint == "" && o.Region == "" {
		fmt.Fprintln(stderr, "rebootconf sweep: name the target with --endpoint URL or --region R")
		return exitConfig
	}
	if *olderThan < 0 {
		fmt.Fprintln(stderr, "rebootconf sweep: --older-than must not be negative")
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
	fmt.Fprintf(stdout, "%d instance(s) tagged %s on %s\n", len(found), target.RunTagKey, tg.Endpoint)
	if *list || len(found) == 0 {
		for _, ti := range found {
			fmt.Fprintf(stdout, "  %s (%s=%s)\n", ti.ID, target.RunTagKey, ti.Run)
		}
		return exitPass
	}
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
