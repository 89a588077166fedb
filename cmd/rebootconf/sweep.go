package main

import (
	"context"
	"errors"
	"flag"
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
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Endpoint, "endpoint", "", "ECS-compatible endpoint URL")
	fs.StringVar(&o.Region, "region", "", "real Alibaba Cloud region")
	fs.StringVar(&o.AliyunProfile, "profile", "", "~/.aliyun/config.json profile")
	runID := fs.String("run-id", "", "delete only instances of this run (default: every run's)")
	list := fs.Bool("list", false, "only list what would be deleted")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitConfig
		}
		fmt.Fprintf(stderr, "rebootconf sweep: %v\n", err)
		return exitConfig
	}
	if o.Endpoint == "" && o.Region == "" {
		fmt.Fprintln(stderr, "rebootconf sweep: name the target with --endpoint URL or --region R")
		return exitConfig
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	pf, err := preflight(ctx, o)
	if err != nil {
		fmt.Fprintf(stderr, "rebootconf sweep: %v\n", err)
		return exitConfig
	}
	defer pf.close()
	tg := pf.target
	ids, err := taggedInstances(ctx, tg, *runID)
	if err != nil {
		fmt.Fprintf(stderr, "rebootconf sweep: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stdout, "%d instance(s) tagged %s on %s\n", len(ids), target.RunTagKey, tg.Endpoint)
	if *list || len(ids) == 0 {
		for _, id := range ids {
			fmt.Fprintln(stdout, "  "+id)
		}
		return exitPass
	}
	// The tag proves this harness created them: that is the only ownership sweep accepts.
	tg.Guard.Own(ids...)
	failed := 0
	for _, id := range ids {
		dctx, cancel := context.WithTimeout(ctx, time.Minute)
		err := tg.Release(dctx, id)
		cancel()
		if err != nil {
			failed++
			fmt.Fprintf(stdout, "  %s: %v\n", id, err)
			continue
		}
		fmt.Fprintf(stdout, "  %s: deleted\n", id)
	}
	if failed > 0 {
		return exitFail
	}
	return exitPass
}
