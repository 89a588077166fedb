package main

// Helpers for the two-process tests: the CLI and the suite binaries are built once into a
// temporary directory; `rebootconf serve` and `rebootconf run` then run as separate
// processes, exactly as a user runs them.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/reports"
)

// e2eSuites are the suite binaries the two-process tests build.
var e2eSuites = []string{"conformance", "properties", "sdkclients"}

var built struct {
	once sync.Once
	dir  string // holds rebootconf and suites/*.test
	err  error
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// binaries builds the CLI and the suites once per test binary and returns the CLI's path.
// Under -short the two-process tests are skipped: they build four binaries and run suites.
func binaries(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("two-process test: builds the CLI and the suite binaries and runs them against `rebootconf serve`; skipped under -short")
	}
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "rebootconf-e2e-")
		if built.err != nil {
			return
		}
		jobs := [][]string{{"build", "-o", filepath.Join(built.dir, "rebootconf"), "github.com/rebootconf/rebootconf/cmd/rebootconf"},
			{"build", "-o", filepath.Join(built.dir, "rebootconf-testee"), "github.com/rebootconf/rebootconf/cmd/rebootconf-testee"},
			// run --procs N > 1 (the default for every target kind) runs suites through it.
			{"build", "-o", filepath.Join(built.dir, "ginkgo"), "github.com/onsi/ginkgo/v2/ginkgo"}}
		for _, s := range e2eSuites {
			jobs = append(jobs, []string{"test", "-c", "-o", filepath.Join(built.dir, "suites", s+".test"), "github.com/rebootconf/rebootconf/suites/" + s})
		}
		errs := make(chan error, len(jobs))
		for _, args := range jobs {
			go func() {
				out, err := exec.Command("go", args...).CombinedOutput()
				if err != nil {
					err = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				errs <- err
			}()
		}
		for range jobs {
			if err := <-errs; err != nil && built.err == nil {
				built.err = err
			}
		}
	})
	if built.err != nil {
		t.Fatalf("building the binaries: %v", built.err)
	}
	return filepath.Join(built.dir, "rebootconf")
}

// childEnv is a clean environment for the CLI: no REBOOTCONF_* or ALIBABA_CLOUD_* leaks in
// from the developer's shell, HOME is empty (no ~/.aliyun/config.json), extra is appended.
func childEnv(t *testing.T, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "REBOOTCONF_") || strings.HasPrefix(kv, "ALIBABA_CLOUD_") || strings.HasPrefix(kv, "HOME=") {
			continue
		}
		env = append(env, kv)
	}
	// The suite binaries are built into a temporary directory, so point the pop-core client
	// at the repository's installed node client (make test installs it).
	if dir, err := filepath.Abs(filepath.Join("..", "..", "suites", "sdkclients", "node")); err == nil {
		env = append(env, "REBOOTCONF_POPCORE_DIR="+dir)
	}
	return append(append(env, "HOME="+t.TempDir()), extra...)
}

// popCoreInstalled reports whether `make node-deps` has run, so the pop-core client can run.
func popCoreInstalled() bool {
	_, err := os.Stat(filepath.Join("..", "..", "suites", "sdkclients", "node", "node_modules", "@alicloud", "pop-core"))
	_, nodeErr := exec.LookPath("node")
	return err == nil && nodeErr == nil
}

// testCreds are the emulator's default account, given the way users give credentials.
var testCreds = []string{"ALIBABA_CLOUD_ACCESS_KEY_ID=testid", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret"}

// fastWaits suit the reference emulator's fast profile.
var fastWaits = []string{"--poll", "5ms", "--observe-window", "150ms"}

var listenLine = regexp.MustCompile(`^listening on (http://127\.0\.0\.1:[0-9]+)$`)

// serveProc starts `rebootconf serve` as its own process and returns its URL and a journal
// reader. It is stopped with SIGTERM when the test ends; stderr is kept for failures.
func serveProc(t *testing.T, args ...string) (string, *control.Client, *lockedBuffer) {
	t.Helper()
	cli := binaries(t)
	cmd := exec.Command(cli, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = childEnv(t)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	m := listenLine.FindStringSubmatch(strings.TrimSpace(line))
	if err != nil || m == nil {
		t.Fatalf("serve %v: first line %q (%v); stderr %s", args, line, err, stderr)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return m[1], control.NewClient(m[1]), stderr
}

// lockedBuffer is a buffer safe for a writer goroutine and a reader. (It must not embed
// bytes.Buffer: io.Copy would find its ReadFrom and bypass the lock.)
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// cliResult is one finished CLI process.
type cliResult struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
	junit          string // the --junit-report path the helper chose
}

// runProc runs the CLI to completion (bounded by limit) in a fresh directory.
func runProc(t *testing.T, limit time.Duration, env []string, args ...string) cliResult {
	t.Helper()
	p := startProc(t, env, args...)
	return p.wait(t, limit)
}

// proc is a CLI process still running.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr *lockedBuffer
	start          time.Time
	junit          string
	exited         chan struct{} // closed once Wait returned
}

// startProc starts the CLI; for `run` it adds --junit-report in a temporary directory.
func startProc(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	cli := binaries(t)
	dir := t.TempDir()
	p := &proc{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, exited: make(chan struct{})}
	if len(args) > 0 && args[0] == "run" {
		p.junit = filepath.Join(dir, "reports", "junit.xml")
		args = append(args, "--junit-report", p.junit)
	}
	p.cmd = exec.Command(cli, args...)
	p.cmd.Dir, p.cmd.Env = dir, env
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	p.start = time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

func (p *proc) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

func (p *proc) wait(t *testing.T, limit time.Duration) cliResult {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(limit):
		_ = p.cmd.Process.Signal(syscall.SIGQUIT)
		<-p.exited
		t.Fatalf("%v did not finish within %s\nstdout:\n%s\nstderr:\n%s", p.cmd.Args[1:], limit, p.stdout, p.stderr)
	}
	return cliResult{code: p.cmd.ProcessState.ExitCode(), stdout: p.stdout.String(), stderr: p.stderr.String(),
		elapsed: time.Since(p.start), junit: p.junit}
}

// waitOutput waits until the process's stdout contains s.
func (p *proc) waitOutput(t *testing.T, s string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !strings.Contains(p.stdout.String(), s) {
		if time.Now().After(deadline) || !p.running() {
			t.Fatalf("stdout never showed %q:\n%s\nstderr:\n%s", s, p.stdout, p.stderr)
		}
		time.Sleep(20 * time.Millisecond) // polling a child's output: there is no event to wait on
	}
}

func (r cliResult) String() string {
	return fmt.Sprintf("exit %d after %s\nstdout:\n%s\nstderr:\n%s", r.code, r.elapsed.Round(time.Millisecond), r.stdout, r.stderr)
}

// runID reads the run id the plan printed.
func (r cliResult) runID(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`run id: (\S+)`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no run id in the plan:\n%s", r.stdout)
	}
	return m[1]
}

// report reads and parses the run's merged JUnit report.
func (r cliResult) report(t *testing.T) reports.Suites {
	t.Helper()
	s, err := reports.ReadFile(r.junit)
	if err != nil {
		t.Fatalf("JUnit report %s: %v\n%s", r.junit, err, r)
	}
	return s
}

// writeJSON writes v to a file in a temporary directory and returns its path.
func writeJSON(t *testing.T, name string, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// journalTap drains the emulator's call journal (a ring buffer) while a run goes on, so no
// entry is lost, and snapshots the instances with their tags.
type journalTap struct {
	c      *control.Client
	stop   chan struct{}
	done   chan struct{}
	mu     sync.Mutex
	calls  []control.Call
	last   uint64
	gap    error
	tags   map[string]map[string]string // instance → tags, as last seen
	polled int
}

func tapJournal(t *testing.T, c *control.Client) *journalTap {
	j := &journalTap{c: c, stop: make(chan struct{}), done: make(chan struct{}), tags: map[string]map[string]string{}}
	if cl, err := c.Calls(context.Background(), 0); err == nil && len(cl.Calls) > 0 {
		j.last = cl.Calls[len(cl.Calls)-1].Seq // only what happens from now on
	}
	go func() {
		defer close(j.done)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			j.poll()
			select {
			case <-j.stop:
				j.poll()
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(j.finish)
	return j
}

func (j *journalTap) poll() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := j.c.Calls(ctx, j.last)
	ins, ierr := j.c.ListInstances(ctx)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.polled++
	if err == nil {
		for _, c := range cl.Calls {
			if c.Seq != j.last+1 && j.gap == nil {
				j.gap = fmt.Errorf("journal entries %d..%d were evicted before they were read", j.last+1, c.Seq-1)
			}
			j.last = c.Seq
			j.calls = append(j.calls, c)
		}
	}
	if ierr == nil {
		for _, in := range ins {
			m := map[string]string{}
			for _, tg := range in.Tags {
				m[tg.Key] = tg.Value
			}
			j.tags[in.InstanceID] = m
		}
	}
}

func (j *journalTap) finish() {
	select {
	case <-j.stop:
	default:
		close(j.stop)
	}
	<-j.done
}

// Calls stops the tap and returns every call seen; a lost entry fails the test.
func (j *journalTap) Calls(t *testing.T) []control.Call {
	t.Helper()
	j.finish()
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.gap != nil {
		t.Fatal(j.gap)
	}
	return j.calls
}

// mutating are the actions the guard vets.
var mutating = map[string]bool{"RebootInstance": true, "StartInstance": true, "StopInstance": true, "DeleteInstance": true, "DeleteInstances": true}

// reads are the read-only actions the harness may send.
var reads = map[string]bool{"DescribeInstances": true, "DescribeInstanceStatus": true}

// validateXSD checks a written report against the Jenkins xUnit schema with xmllint. Without
// xmllint or the schema it says so in the log; the reports package's structural check covers it.
func validateXSD(t *testing.T, path string) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		t.Log("xmllint not installed: JUnit XSD validation not run (make tools installs it)")
		return
	}
	var xsd string
	for dir, _ := os.Getwd(); ; dir = filepath.Dir(dir) {
		if p := filepath.Join(dir, "shared", "reference", "junit-10.xsd"); fileExists(p) {
			xsd = p
			break
		}
		if dir == filepath.Dir(dir) {
			t.Log("shared/reference/junit-10.xsd not found: JUnit XSD validation not run")
			return
		}
	}
	if out, err := exec.Command(bin, "--noout", "--schema", xsd, path).CombinedOutput(); err != nil {
		t.Fatalf("the merged JUnit report does not validate against %s: %v\n%s", xsd, err, out)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
