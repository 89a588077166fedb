package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/reports"
)

// The client-under-test protocol end to end: testees run the SDK rows through `rebootconf run
// --client`, against `serve` and `serve --no-control`; lying testees fail per case, bounded.

// builtinTestees are the clients the SDK suite always runs (suites/sdkclients builtinPrograms).
var builtinTestees = []string{"go-legacy", "go-tea-acs3", "go-tea-v1", "popcore", "tea-ts-acs3", "tea-ts-v1"}

// liarArg makes this test binary a lying testee (see init): <bin> liarArg MODE REAL-TESTEE...
const liarArg = "rebootconf-e2e-liar"

func init() {
	if len(os.Args) > 3 && os.Args[1] == liarArg {
		os.Exit(lie(os.Args[2], os.Args[3:]))
	}
}

// lie runs the real testee and corrupts its RebootInstance answers by mode: "success" turns
// errors into successes, "no-request-id" drops the RequestId, "crash" exits, "hang" never
// answers, "garbage" prints a line that is not JSON.
func lie(mode string, real []string) int {
	cmd := exec.Command(real[0], real[1:]...)
	cmd.Stderr = os.Stderr
	in, _ := cmd.StdinPipe()
	outPipe, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "liar:", err)
		return 1
	}
	out := bufio.NewReader(outPipe)
	var hello map[string]any
	line, _ := out.ReadBytes('\n')
	if json.Unmarshal(line, &hello) != nil {
		return 1
	}
	hello["client"] = "liar-" + mode
	b, _ := json.Marshal(hello)
	fmt.Println(string(b))
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	for sc.Scan() {
		var c map[string]any
		_ = json.Unmarshal(sc.Bytes(), &c)
		reboot := c["operation"] == "RebootInstance"
		switch {
		case reboot && mode == "crash":
			fmt.Fprintln(os.Stderr, "liar: crashing on purpose")
			return 3
		case reboot && mode == "hang":
			time.Sleep(time.Hour) // never answers; the driver kills the process group
		case reboot && mode == "garbage":
			fmt.Println("this is not JSON {")
			continue
		}
		_, _ = in.Write(append(sc.Bytes(), '\n'))
		line, err := out.ReadBytes('\n')
		if err != nil {
			return 1
		}
		var r map[string]any
		_ = json.Unmarshal(line, &r)
		if reboot && mode == "success" && r["error"] != nil {
			delete(r, "error")
			r["ok"], r["httpStatus"], r["body"] = true, 200, map[string]any{"RequestId": r["requestId"]}
		}
		if reboot && mode == "no-request-id" {
			delete(r, "requestId")
		}
		b, _ := json.Marshal(r)
		fmt.Println(string(b))
	}
	return 0
}

// goTestee is the Go testee binaries() built.
func goTestee(t *testing.T) string {
	t.Helper()
	return filepath.Join(filepath.Dir(binaries(t)), "rebootconf-testee")
}

// requireNodeTestees fails in CI and skips elsewhere when the Node testees cannot run.
func requireNodeTestees(t *testing.T) {
	t.Helper()
	if popCoreInstalled() {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("the Node testees cannot run in CI: run .ci/install-tools --node-only")
	}
	t.Skip("the Node testees cannot run here: install Node.js 20+ and run `make node-deps`")
}

// clientsOf groups a report's SDK cases by their sdk:<client> label: client → status → count.
func clientsOf(rep reports.Suites) map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, su := range rep.Suites {
		for _, c := range su.Cases {
			for _, l := range c.Labels() {
				if name, ok := strings.CutPrefix(l, "sdk:"); ok {
					if out[name] == nil {
						out[name] = map[string]int{}
					}
					out[name][c.Status()]++
				}
			}
		}
	}
	return out
}

// Every testee, built-in and --client, passes every SDK row against serve, with and without
// the control API (then the rows needing it skip with the reason, never fail).
func TestTesteesPassAgainstServe(t *testing.T) {
	requireNodeTestees(t)
	for _, mode := range []string{"control API", "ECS API only"} {
		t.Run(mode, func(t *testing.T) {
			var args []string
			if mode == "ECS API only" {
				args = append(args, "--no-control")
			}
			url, _, serveErr := serveProc(t, args...)
			client := goTestee(t) + " --sdk tea --name ext-tea"
			r := runProc(t, 4*time.Minute, childEnv(t, testCreds...),
				append([]string{"run", "--endpoint", url, "--suites", "sdkclients", "--client", client}, fastWaits...)...)
			if r.code != exitPass {
				t.Fatalf("run: %s\nserve stderr: %s", r, serveErr)
			}
			byClient := clientsOf(r.report(t))
			for _, name := range append(slices.Clone(builtinTestees), "ext-tea-acs3", "ext-tea-v1") {
				st := byClient[name]
				if st["passed"] == 0 || st["failed"]+st["error"] > 0 {
					t.Errorf("client %s: %v, want passes and no failures", name, st)
				}
				if mode == "control API" && st["skipped"] > 0 {
					t.Errorf("client %s skipped %d rows against a full-featured serve", name, st["skipped"])
				}
			}
		})
	}
}

// A lying testee fails each case it lies in, with a message saying how, and the run ends in
// bounded time: a hang costs the call timeout plus the grace, a crashing testee is restarted
// and given up after three broken conversations.
func TestLyingTesteesFailPerCase(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	real := goTestee(t) + " --sdk legacy"
	want := map[string]string{
		"success":       "surfaced no error code",
		"no-request-id": "RequestId",
		"crash":         "exited",
		"hang":          "hung",
		"garbage":       "not a JSON result",
	}
	args := []string{"run", "--suites", "sdkclients", "--call-timeout", "1s", "--label-filter", "(SDK-ERR-001 || SDK-ERR-002) && /^sdk:liar-/"}
	for mode := range want {
		args = append(args, "--client", fmt.Sprintf("%s %s %s %s", self, liarArg, mode, real))
	}
	r := runProc(t, 3*time.Minute, childEnv(t), append(args, fastWaits...)...)
	if r.code != exitFail {
		t.Fatalf("want exit 1, got %s", r)
	}
	if r.elapsed > 2*time.Minute {
		t.Errorf("the run took %s: a lying testee must not stall it", r.elapsed)
	}
	rep := r.report(t)
	for mode, text := range want {
		name := "liar-" + mode
		for _, row := range []string{"SDK-ERR-001", "SDK-ERR-002"} {
			found := false
			for _, f := range failures(rep) {
				if strings.Contains(f, row) && strings.Contains(f, "["+name+"]") {
					found = true
					if !strings.Contains(f, text) {
						t.Errorf("%s %s failed without saying %q:\n%s", row, name, text, f)
					}
				}
			}
			if !found {
				t.Errorf("%s through %s did not fail", row, name)
			}
		}
	}
	if strings.Contains(r.stdout+r.stderr, "testsecret") {
		t.Error("the secret leaked into the output")
	}
}
