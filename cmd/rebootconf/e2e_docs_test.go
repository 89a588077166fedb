package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// repoFile reads a file relative to the module root (tests run in cmd/rebootconf).
func repoFile(t *testing.T, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// between returns the text after start and before the next end (end "" means to the end).
func between(t *testing.T, text, start, end string) string {
	t.Helper()
	i := strings.Index(text, start)
	if i < 0 {
		t.Fatalf("marker %q not found", start)
	}
	text = text[i+len(start):]
	if end != "" {
		j := strings.Index(text, end)
		if j < 0 {
			t.Fatalf("marker %q not found after %q", end, start)
		}
		text = text[:j]
	}
	return text
}

var fence = regexp.MustCompile("(?s)```sh\n(.*?)\n[ \t]*```")

// shellCommands lists the commands of every ```sh block, in order (comments and blank lines
// dropped, indentation from list items removed).
func shellCommands(text string) []string {
	var out []string
	for _, m := range fence.FindAllStringSubmatch(text, -1) {
		for _, line := range strings.Split(m[1], "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				out = append(out, line)
			}
		}
	}
	return out
}

// The walk-through in README.md (between the walkthrough markers), followed word for word
// against `rebootconf serve` started by hand: its commands run unchanged except for the port
// (a free one instead of 8090) and `make build` (the test built the same binaries).
func TestReadmeWalkthrough(t *testing.T) {
	readme := between(t, repoFile(t, "README.md"), "<!-- walkthrough:start -->", "<!-- walkthrough:end -->")
	cmds := shellCommands(readme)
	guide := shellCommands(between(t, repoFile(t, "docs/real-cloud.md"), "## Validating your own emulator, step by step", "\n## "))
	if !slices.Equal(cmds, guide) {
		t.Fatalf("README and docs/real-cloud.md walk-throughs differ:\nREADME: %q\nguide:  %q", cmds, guide)
	}
	const addr = "127.0.0.1:8090"
	if len(cmds) < 5 || cmds[0] != "make build" || cmds[1] != "bin/rebootconf serve --addr "+addr {
		t.Fatalf("the walk-through should build, then start serve on %s: %q", addr, cmds)
	}
	cli := binaries(t)
	endpoint, _, _ := serveProc(t, strings.Fields(strings.ReplaceAll(cmds[1], addr, "127.0.0.1:0"))[2:]...)
	hostPort := strings.TrimPrefix(endpoint, "http://")

	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	for link, dst := range map[string]string{"bin/rebootconf": cli, "bin/suites": filepath.Join(filepath.Dir(cli), "suites")} {
		if err := os.Symlink(dst, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	script := "set -eu\n"
	for _, c := range cmds[2:] {
		script += "echo '$ " + strings.ReplaceAll(c, "'", "") + "'\n" + strings.ReplaceAll(c, addr, hostPort) + "\n"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	sh := exec.CommandContext(ctx, "bash", "-c", script)
	sh.Dir, sh.Env = dir, childEnv(t)
	out, err := sh.CombinedOutput()
	if err != nil {
		t.Fatalf("walk-through failed: %v\n%s", err, out)
	}
	for _, want := range []string{"control API found", "real reboots: none (--dry-run-only", "PASS: ", "instance(s) tagged"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("walk-through output lacks %q:\n%s", want, out)
		}
	}
	if r := (cliResult{junit: filepath.Join(dir, "reports", "junit.xml")}).report(t); r.Failures != 0 || r.Errors != 0 || r.Tests < 100 {
		t.Fatalf("walk-through report: %d tests, %d failures, %d errors", r.Tests, r.Failures, r.Errors)
	}
}

// The example nightly workflow takes credentials from CI secrets into the ALIBABA_CLOUD_*
// environment and only uses flags `run` and `sweep` accept.
func TestNightlyExample(t *testing.T) {
	yml := repoFile(t, "docs/examples/nightly.yml")
	for _, v := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN"} {
		if !strings.Contains(yml, v+": ${{ secrets."+v+" }}") {
			t.Errorf("nightly.yml does not map secrets.%s into the environment", v)
		}
	}
	if strings.Contains(yml, "access-key") {
		t.Error("nightly.yml passes a credential as a flag")
	}
	cmds := workflowCommands(yml)
	var runs, sweeps int
	for _, c := range cmds {
		c = strings.NewReplacer(`"$REGION"`, "cn-hangzhou", `"$RUN_ID"`, "nightly-42-1").Replace(c)
		args := strings.Fields(strings.ReplaceAll(c, `"`, ""))[1:]
		switch args[0] {
		case "run":
			runs++
			if _, err := parseRunFlags(args[1:], io.Discard); err != nil {
				t.Errorf("nightly.yml: %q: %v", c, err)
			}
			if !slices.Contains(args, "--region") {
				t.Errorf("nightly.yml: %q does not target the real cloud", c)
			}
		case "sweep":
			// Before the run: only leftovers older than any run in progress; after: this run's.
			sweeps++
			before := []string{"--region", "cn-hangzhou", "--older-than", "3h"}
			after := []string{"--region", "cn-hangzhou", "--run-id", "nightly-42-1"}
			if want := map[int][]string{1: before, 2: after}[sweeps]; !slices.Equal(args[1:], want) {
				t.Errorf("nightly.yml: sweep #%d is %q, want flags %q", sweeps, c, want)
			}
		}
	}
	if runs != 2 || sweeps != 2 {
		t.Fatalf("nightly.yml: %d run and %d sweep commands in %q; want plan + run and a sweep before and after", runs, sweeps, cmds)
	}
}

// workflowCommands finds the bin/rebootconf commands of a workflow, joining folded (>-) blocks.
func workflowCommands(yml string) []string {
	var out []string
	lines := strings.Split(yml, "\n")
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		switch {
		case strings.HasPrefix(l, "run: bin/rebootconf "):
			out = append(out, strings.TrimPrefix(l, "run: "))
		case l == "run: >-":
			indent := len(lines[i]) - len(strings.TrimLeft(lines[i], " "))
			var parts []string
			for i+1 < len(lines) && len(lines[i+1])-len(strings.TrimLeft(lines[i+1], " ")) > indent && strings.TrimSpace(lines[i+1]) != "" {
				i++
				parts = append(parts, strings.TrimSpace(lines[i]))
			}
			if c := strings.Join(parts, " "); strings.HasPrefix(c, "bin/rebootconf ") {
				out = append(out, c)
			}
		}
	}
	return out
}

// `make fuzz` must run every native fuzz target in the module, so a new one is not forgotten.
func TestMakeFuzzListsEveryTarget(t *testing.T) {
	listed := map[string]bool{}
	for _, f := range regexp.MustCompile(`([\w/]+):(Fuzz\w+)`).FindAllStringSubmatch(between(t, repoFile(t, "Makefile"), "FUZZ_TARGETS =", "\nfuzz:"), -1) {
		listed[f[1]+":"+f[2]] = true
	}
	root := filepath.Join("..", "..")
	fuzzFunc := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(`)
	found := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		for _, m := range fuzzFunc.FindAllStringSubmatch(string(src), -1) {
			found++
			if !listed[filepath.ToSlash(rel)+":"+m[1]] {
				t.Errorf("%s:%s is not in the Makefile's FUZZ_TARGETS", filepath.ToSlash(rel), m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found != len(listed) {
		t.Errorf("FUZZ_TARGETS lists %d targets, the module has %d", len(listed), found)
	}
}
