package sdkclients_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rebootconf/rebootconf/fixtures/testee"
)

// Where the built-in testees live; the prebuilt suite binary may run from anywhere.
const (
	envNodeDir  = "REBOOTCONF_POPCORE_DIR" // suites/sdkclients/node: testee.js and its node_modules
	envGoTestee = "REBOOTCONF_GO_TESTEE"   // the rebootconf-testee binary
)

const (
	skipNoNode        = "node not found on PATH: the Node testees (pop-core, Tea TS) need Node.js 20+"
	skipNoNodeModules = "run .ci/install-tools (npm ci in suites/sdkclients/node)"
)

// program is one testee command line and the clients it yields: one per signature version it
// lists (named <hello client>-<version> when it lists several).
type program struct {
	argv    []string
	dir     string
	builtin bool
	names   []string // client names; for a built-in known before its hello
	sigs    []string // signature version of each name
	skip    string   // why it cannot run here ("" = it can)
	err     error    // external: its hello failed at tree construction
}

// builtinPrograms are our own testees. goTestee is the Go testee's path ("" = not found).
func builtinPrograms(goTestee string) []*program {
	nodeArgv, nodeSkip := nodeTestee()
	goSkip := ""
	if goTestee == "" {
		goSkip = fmt.Sprintf("the Go testee was not found: set %s or build it (make build)", envGoTestee)
	}
	return []*program{
		{argv: []string{goTestee, "--sdk", "legacy"}, builtin: true, names: []string{"go-legacy"}, sigs: []string{testee.SigV1}, skip: goSkip},
		{argv: []string{goTestee, "--sdk", "tea"}, builtin: true, names: []string{"go-tea-acs3", "go-tea-v1"}, sigs: []string{testee.SigACS3, testee.SigV1}, skip: goSkip},
		{argv: append(nodeArgv, "popcore"), dir: nodeDir(), builtin: true, names: []string{clientPopCore}, sigs: []string{testee.SigV1}, skip: nodeSkip},
		{argv: append(nodeArgv, "tea"), dir: nodeDir(), builtin: true, names: []string{"tea-ts-acs3", "tea-ts-v1"}, sigs: []string{testee.SigACS3, testee.SigV1}, skip: nodeSkip},
	}
}

// externalPrograms are the --client testees ($REBOOTCONF_CLIENTS). Their names come from
// their hello, so each is started once here, at tree construction, and stopped again.
func externalPrograms() ([]*program, error) {
	progs, err := testee.ClientsFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	var out []*program
	for i, pr := range progs {
		p := &program{argv: pr.Argv, dir: pr.Dir}
		d, err := testee.Start(context.Background(), testee.Config{Argv: p.argv, Dir: p.dir})
		if err != nil {
			p.err = err
			p.names, p.sigs = []string{fmt.Sprintf("client-%d", i+1)}, []string{""}
			out = append(out, p)
			continue
		}
		h := d.Hello()
		_ = d.Close()
		for _, sig := range h.Features.SignatureVersions {
			name := h.Client
			if len(h.Features.SignatureVersions) > 1 {
				name += "-" + sig
			}
			p.names, p.sigs = append(p.names, name), append(p.sigs, sig)
		}
		out = append(out, p)
	}
	return out, nil
}

// nodeTestee is the Node testee's command line up to its --sdk value, or why it cannot run.
func nodeTestee() ([]string, string) {
	node, err := exec.LookPath("node")
	if err != nil {
		return []string{"node", "testee.js", "--sdk"}, skipNoNode
	}
	if v, ok := nodeMajor(node); !ok || v < 20 {
		return nil, skipNoNode + fmt.Sprintf(" (found %s, major version %d)", node, v)
	}
	dir := nodeDir()
	script := filepath.Join(dir, "testee.js")
	if _, err := os.Stat(script); err != nil {
		return nil, fmt.Sprintf("the Node testee was not found (looked for %s): set %s to the repository's suites/sdkclients/node", script, envNodeDir)
	}
	for _, pkg := range []string{"pop-core", "ecs20140526"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "@alicloud", pkg, "package.json")); err != nil {
			return nil, skipNoNodeModules
		}
	}
	return []string{node, script, "--sdk"}, ""
}

func nodeMajor(node string) (int, bool) {
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return 0, false
	}
	major, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(string(out)), "v"), ".")
	n, err := strconv.Atoi(major)
	return n, err == nil
}

// nodeDir finds suites/sdkclients/node: the override, the package folder (go test, ginkgo),
// or above the working directory or the test binary (a prebuilt binary in bin/suites).
func nodeDir() string {
	if d := os.Getenv(envNodeDir); d != "" {
		return d
	}
	has := func(d string) bool { _, err := os.Stat(filepath.Join(d, "testee.js")); return err == nil }
	if has("node") {
		abs, _ := filepath.Abs("node")
		return abs
	}
	for _, dir := range searchStarts() {
		for range 5 {
			if d := filepath.Join(dir, "suites", "sdkclients", "node"); has(d) {
				return d
			}
			dir = filepath.Dir(dir)
		}
	}
	return "node"
}

func searchStarts() []string {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	return starts
}

// findGoTestee returns the Go testee: the override, rebootconf-testee beside or above the
// suite binary (bin/suites/x.test → bin/rebootconf-testee), or one built into dir from this
// module's source when the Go toolchain is at hand (go test, ginkgo). "" = none.
func findGoTestee(dir string) (string, error) {
	if p := os.Getenv(envGoTestee); p != "" {
		return p, nil
	}
	if exe, err := os.Executable(); err == nil {
		for _, p := range []string{filepath.Join(filepath.Dir(exe), "rebootconf-testee"), filepath.Join(filepath.Dir(exe), "..", "rebootconf-testee")} {
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				return p, nil
			}
		}
	}
	root := moduleRoot()
	if _, err := exec.LookPath("go"); err != nil || root == "" {
		return "", nil
	}
	out := filepath.Join(dir, "rebootconf-testee")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/rebootconf-testee")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/rebootconf-testee: %v\n%s", err, b)
	}
	return out, nil
}

// moduleRoot is the folder above the working directory holding this module's go.mod.
func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for range 6 {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/rebootconf/rebootconf\n") {
			return dir
		}
		dir = filepath.Dir(dir)
	}
	return ""
}
