package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/rebootconf/rebootconf/reports"
)

// suiteFiles are the files one suite process writes.
type suiteFiles struct{ junit, log, stats, progress string }

// runSuite executes one prebuilt suite binary against the target and returns its exit code.
func runSuite(ctx context.Context, cfg runConfig, b suiteBinary, files suiteFiles, stdout io.Writer) (int, error) {
	cmd, err := suiteCommand(cfg, b)
	if err != nil {
		return -1, err
	}
	logf, err := os.Create(files.log)
	if err != nil {
		return -1, err
	}
	defer logf.Close()
	// The output directory is the suites' working directory: rapid writes its fail files
	// under ./testdata/rapid, and nothing lands in the install directory.
	outDir, err := filepath.Abs(cfg.outputDir)
	if err != nil {
		return -1, err
	}
	cmd.Dir = outDir
	opts := cfg.opts
	opts.StatsDir = files.stats
	cmd.Env = append(os.Environ(), opts.Env()...)
	cmd.Env = append(cmd.Env, "REBOOTCONF_JUNIT="+files.junit, reports.EnvProgress+"="+files.progress,
		envReplay+"="+filepath.Join(outDir, "replay"), envWorkDir+"="+outDir)
	cmd.Env = append(cmd.Env, cfg.ext.env()...) // --client, --deviations (clientflags.go)
	// --shard: the specs this shard runs (shard.go)
	cmd.Env = append(cmd.Env, shardEnv(cfg, b.name)...)
	if cfg.fuzz.duration > 0 {
		cmd.Env = append(cmd.Env, "REBOOTCONF_FUZZ_DURATION="+cfg.fuzz.duration.String())
	}
	if cfg.fuzz.reboots > 0 {
		cmd.Env = append(cmd.Env, fmt.Sprintf("REBOOTCONF_ALLOW_REBOOTS=%d", cfg.fuzz.reboots))
	}
	var out io.Writer = logf
	if cfg.verbose {
		out = io.MultiWriter(logf, redactingWriter{stdout})
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return -1, fmt.Errorf("start %s: %w", b.path, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		// Forward the interrupt: Ginkgo runs cleanup and writes its report, then exits.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		select {
		case err = <-done:
		case <-time.After(2 * time.Minute):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			err = <-done
		}
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), nil
	}
	if err != nil {
		return -1, err
	}
	return 0, nil
}

// suiteArgs is the command line of one suite binary run directly (one process): timeouts,
// seeds, budgets, filters.
func suiteArgs(cfg runConfig, b suiteBinary) []string {
	args := []string{"-test.timeout=0", "-ginkgo.timeout=" + cfg.timeout.String(), fmt.Sprintf("-ginkgo.seed=%d", cfg.seed), "-ginkgo.no-color"}
	if cfg.labelFilter != "" {
		args = append(args, "-ginkgo.label-filter="+cfg.labelFilter)
	}
	if cfg.focus != "" {
		args = append(args, "-ginkgo.focus="+cfg.focus)
	}
	if cfg.verbose {
		args = append(args, "-ginkgo.v")
	}
	return append(args, testBinaryArgs(cfg, b)...)
}

// testBinaryArgs are a suite binary's own flags beyond Ginkgo's: rapid's seed and budgets.
func testBinaryArgs(cfg runConfig, b suiteBinary) []string {
	if b.name != "properties" {
		return nil
	}
	// Only the properties suite links rapid, and so only it accepts rapid's flags.
	args := []string{fmt.Sprintf("-rapid.seed=%d", cfg.seed)}
	if cfg.fuzz.checks > 0 {
		args = append(args, fmt.Sprintf("-rapid.checks=%d", cfg.fuzz.checks))
	}
	if len(cfg.opts.Mutants) > 0 {
		// A planted bug is meant to fail; its rapid fail file would be re-checked
		// (and fail) on every later run from this directory.
		args = append(args, "-rapid.nofailfile")
	}
	if cfg.fuzz.steps > 0 {
		args = append(args, fmt.Sprintf("-rapid.steps=%d", cfg.fuzz.steps))
	}
	return args
}

// suiteCommand is the command that runs suite b: the binary itself with one process, the
// Ginkgo CLI running the binary's specs in cfg.procs processes otherwise.
func suiteCommand(cfg runConfig, b suiteBinary) (*exec.Cmd, error) {
	if suiteProcs(cfg, b) <= 1 {
		return exec.Command(b.path, suiteArgs(cfg, b)...), nil
	}
	args, err := ginkgoArgs(cfg, b) // procs.go
	if err != nil {
		return nil, err
	}
	return exec.Command(cfg.ginkgo, args...), nil
}
