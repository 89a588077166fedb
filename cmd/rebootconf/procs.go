package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/rebootconf/rebootconf/fixtures/target"
)

// maxProcs bounds --procs: every process opens its own clients (and, on the embedded
// emulator, its own emulator), and the specs of one suite number in the tens.
const maxProcs = 64

// Default processes per suite, by target kind. Even the embedded emulator's specs mostly wait
// (its fast profile's transitions): three processes a suite took the main job from 7.0 s to
// 3.3 s on a loaded 2-core box (4 were no faster). An emulator endpoint is waited on, not worked: several specs can wait at once. The real
// cloud gets a few, inside the run's one request-rate budget (--rate).
var defaultProcs = map[target.Kind]int{target.KindEmbedded: 3, target.KindEndpoint: 4, target.KindCloud: 2}

// envWorkDir tells a suite process where to work: the Ginkgo CLI starts a suite's processes
// in the directory of its binary, and rapid writes its fail files relative to the working
// directory (suites/internal/bootstrap changes into it).
const envWorkDir = "REBOOTCONF_WORKDIR"

// checkProcs validates --procs (0: the target kind's default).
func checkProcs(n int) error {
	if n < 0 || n > maxProcs {
		return fmt.Errorf("--procs %d: want 1 to %d processes per suite (0: the default for the target kind)", n, maxProcs)
	}
	return nil
}

// findGinkgo is the Ginkgo CLI that runs a suite's specs in parallel processes: bin/ginkgo
// next to this executable (make build puts it there), else ginkgo on PATH.
func findGinkgo() (string, error) {
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), "ginkgo")
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if p, err := exec.LookPath("ginkgo"); err == nil {
		return filepath.Abs(p)
	}
	return "", errors.New("no ginkgo binary next to rebootconf or on PATH (`make build` puts one in bin/; or `go install github.com/onsi/ginkgo/v2/ginkgo`)")
}

// needGinkgo is the configuration error of an explicit --procs n > 1 without the Ginkgo CLI.
func needGinkgo(n int, err error) error {
	return fmt.Errorf("--procs %d: %v; --procs 1 runs each suite in one process without it", n, err)
}

// resolveProcs settles how many processes run each suite, once the target's kind is known:
// an explicit --procs N > 1 needs the Ginkgo CLI (a configuration error without it); the
// default falls back to one process, with a note, when there is none.
func resolveProcs(cfg *runConfig, kind target.Kind) (note string, err error) {
	explicit := cfg.procs > 0
	if !explicit {
		cfg.procs = max(defaultProcs[kind], 1)
	}
	if cfg.procs == 1 {
		return "", nil
	}
	// An explicit --procs found the Ginkgo CLI when the flags were read.
	if cfg.ginkgo == "" {
		cfg.ginkgo, err = findGinkgo()
	}
	if err != nil {
		if explicit {
			return "", needGinkgo(cfg.procs, err)
		}
		cfg.procs = 1
		return fmt.Sprintf("procs 1 (the default for %s is %d): %v", kind, defaultProcs[kind], err), nil
	}
	if slices.Contains(cfg.suites, "properties") && suiteProcs(*cfg, suiteBinary{name: "properties"}) == 1 {
		return "the properties suite runs in one process (a shared target, or --fuzz-reboots: its worlds and budget are per process)", nil
	}
	return "", nil
}

// ginkgoArgs is the Ginkgo CLI's command line for running suite b's specs in cfg.procs
// processes: Ginkgo's own settings become CLI flags (the CLI hands them to every process,
// with each one's place in the parallel run); the rest go to the test binary after "--".
func ginkgoArgs(cfg runConfig, b suiteBinary) ([]string, error) {
	bin, err := filepath.Abs(b.path)
	if err != nil {
		return nil, err
	}
	args := []string{"run", "--procs=" + strconv.Itoa(cfg.procs), "--no-color", "--seed=" + strconv.FormatInt(cfg.seed, 10),
		"--timeout=" + cfg.timeout.String()}
	if cfg.labelFilter != "" {
		args = append(args, "--label-filter="+cfg.labelFilter)
	}
	if cfg.focus != "" {
		args = append(args, "--focus="+cfg.focus)
	}
	if cfg.verbose {
		args = append(args, "-v")
	}
	return append(append(args, bin, "--"), testBinaryArgs(cfg, b)...), nil
}

// suiteProcs is how many processes run suite b. The properties suite keeps one off the
// embedded emulator (where every process has an emulator of its own): its worlds' instance
// IDs are drawn from the run's seed, so two processes would put the same IDs on one shared
// target, and --fuzz-reboots is a budget each process would keep for itself.
func suiteProcs(cfg runConfig, b suiteBinary) int {
	embedded := cfg.opts.Endpoint == "" && cfg.opts.Region == ""
	if b.name == "properties" && (!embedded || cfg.fuzz.reboots > 0) {
		return 1
	}
	return cfg.procs
}
