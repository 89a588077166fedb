package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/rebootconf/rebootconf/fixtures/target"
)

// Every numeric flag of run is checked before anything runs: exit 2 with one line naming it.
func TestNumericFlagsAreUsageErrors(t *testing.T) {
	rows := [][]string{
		{"--rate", "NaN"}, {"--rate", "-1"}, {"--rate", "+Inf"}, {"--rate", "-Inf"},
		{"--poll", "-1s"}, {"--poll-max", "-5ms"}, {"--call-timeout", "-1s"}, {"--reboot-timeout", "-1m"},
		{"--observe-window", "-1s"}, {"--provision-timeout", "-1s"}, {"--max-reboots", "-1"},
		{"--fuzz-checks", "-1"}, {"--fuzz-steps", "-2"}, {"--fuzz-reboots", "-1"}, {"--fuzz-duration", "-1s"},
		{"--timeout", "0s"}, {"--preflight-timeout", "-1s"}, {"--junit-report", ""},
	}
	for _, args := range rows {
		var stderr strings.Builder
		code := dispatch(append([]string{"run", "--plan-only"}, args...), io.Discard, &stderr)
		line := strings.TrimSpace(stderr.String())
		rest, named := strings.CutPrefix(line, "rebootconf run: "+args[0])
		if code != exitConfig || !named || !strings.HasPrefix(rest, " ") && !strings.HasPrefix(rest, ":") || strings.Contains(line, "\n") {
			t.Errorf("run %v: exit %d, stderr %q; want exit 2 and one line naming the flag", args, code, line)
		}
	}
}

// The CLI and the suite processes apply one set of rules: a value is refused as a flag
// exactly when it is refused as the REBOOTCONF_* variable the CLI would hand down.
func TestFlagsAndEnvShareRules(t *testing.T) {
	flags := map[string]string{"--rate": target.EnvRate, "--max-reboots": target.EnvMaxReboots, "--poll": target.EnvPoll,
		"--poll-max": target.EnvPollMax, "--reboot-timeout": target.EnvRebootBound, "--observe-window": target.EnvObserveWindow,
		"--provision-timeout": target.EnvProvisionBound, "--call-timeout": target.EnvCallTimeout}
	values := map[string][]string{"--rate": {"NaN", "-1", "Inf", "0", "0.5", "5"}, "--max-reboots": {"-1", "0", "3"}}
	for flag, env := range flags {
		vals := values[flag]
		if vals == nil {
			vals = []string{"-1s", "-1ns", "0s", "1ms", "2m"}
		}
		for _, v := range vals {
			_, ferr := parseRunFlags([]string{flag, v}, io.Discard)
			_, eerr := target.OptionsFromEnv(func(k string) string { return map[string]string{env: v}[k] })
			if (ferr == nil) != (eerr == nil) {
				t.Errorf("%s %s: flag %v, %s %v: the CLI and the suites disagree", flag, v, ferr, env, eerr)
			}
		}
	}
}

// The report path is checked before anything runs: a device, a FIFO, a directory or a
// symbolic link is refused with one line (exit 2) and left as it was; a stale report from an
// earlier run does not survive a run that stops at exit 2.
func TestJUnitReportPathCheckedBeforeAnything(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	regular := filepath.Join(dir, "old.xml")
	if err := os.WriteFile(regular, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.xml")
	if err := os.Symlink(regular, link); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/dev/null", fifo, link, dir} {
		before, _ := os.Lstat(path)
		var stderr strings.Builder
		code := dispatch([]string{"run", "--junit-report", path}, io.Discard, &stderr)
		line := strings.TrimSpace(stderr.String())
		if code != exitConfig || !strings.HasPrefix(line, "rebootconf run: --junit-report: ") || !strings.Contains(line, "not a regular file") || strings.Contains(line, "\n") {
			t.Errorf("--junit-report %s: exit %d, stderr %q; want exit 2 and one line refusing it", path, code, line)
		}
		if after, _ := os.Lstat(path); after == nil || after.Mode() != before.Mode() {
			t.Errorf("%s was replaced", path)
		}
	}
	stale := filepath.Join(dir, "reports", "junit.xml")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("<testsuites/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	if code := dispatch([]string{"run", "--junit-report", stale, "--suites-dir", filepath.Join(dir, "none")}, io.Discard, &stderr); code != exitConfig {
		t.Fatalf("run without suite binaries: exit %d, want 2: %s", code, stderr.String())
	}
	if _, err := os.Stat(stale); err == nil {
		t.Errorf("the stale report from an earlier run is still at %s after an exit-2 run", stale)
	}
}
