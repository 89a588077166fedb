package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rebootconf/rebootconf/reports"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = dispatch(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// --version and version agree; help is on stdout with exit 0 and a line per command;
// help CMD is that command's help, not the top-level one.
func TestVersionAndHelp(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}, {"-version"}} {
		if code, out, _ := runCLI(args...); code != exitPass || !strings.HasPrefix(out, "rebootconf "+reports.HarnessVersion+" ") {
			t.Errorf("%v: exit %d, stdout %q", args, code, out)
		}
	}
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		code, out, errOut := runCLI(args...)
		if code != exitPass || errOut != "" {
			t.Errorf("%v: exit %d, stderr %q (help goes to stdout)", args, code, errOut)
		}
		for name, c := range commands {
			if !strings.Contains(out, name+"  ") || !strings.Contains(out, c.summary) || c.summary == "" {
				t.Errorf("%v does not list %s with its description:\n%s", args, name, out)
			}
		}
	}
	for name := range commands {
		code, out, errOut := runCLI("help", name)
		if code != exitPass || !strings.HasPrefix(out, "usage: rebootconf "+name) || errOut != "" {
			t.Errorf("help %s: exit %d\nstdout:\n%s\nstderr:\n%s", name, code, out, errOut)
		}
		if code, out2, _ := runCLI(name, "-h"); code != exitPass || out2 != out {
			t.Errorf("%s -h differs from help %s (exit %d)", name, name, code)
		}
	}
	if code, _, errOut := runCLI("help", "nope"); code != exitConfig || strings.Count(errOut, "\n") != 1 {
		t.Errorf("help nope: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := runCLI(); code != exitConfig || !strings.Contains(errOut, "commands:") {
		t.Errorf("no command: exit %d, stderr %q", code, errOut)
	}
}

// A bad flag, an extra argument or a bad label filter is one line on stderr (no flag dump,
// no repeat, no colour codes) and exit 2, for every command.
func TestUsageErrorsAreOneLine(t *testing.T) {
	var rows [][]string
	for name := range commands {
		rows = append(rows, []string{name, "--no-such-flag"})
	}
	rows = append(rows,
		[]string{"list", "extra-arg"}, []string{"run", "extra-arg"}, []string{"version", "extra"},
		[]string{"sweep", "extra"}, []string{"serve", "extra"},
		[]string{"diff", "a.xml"}, []string{"diff", "a.xml", "b.xml", "c.xml"}, []string{"replay"},
		[]string{"run", "--label-filter", "((RI-STATE-001"}, []string{"nope"},
		[]string{"merge"}, []string{"run", "--shard", "0/3"}, []string{"run", "--shard", "4/3"}, []string{"run", "--shard", "a/b"},
		[]string{"run", "--shard", "3"}, []string{"run", "--shard", "1/0"},
	)
	for _, args := range rows {
		code, out, errOut := runCLI(args...)
		if code != exitConfig || out != "" || strings.Count(errOut, "\n") != 1 || strings.Contains(errOut, "\x1b") {
			t.Errorf("%v: exit %d (want %d), want one line on stderr without colour codes:\nstdout:\n%s\nstderr:\n%s", args, code, exitConfig, out, errOut)
		}
	}
}

// Flags go either side of the arguments for every command that takes arguments.
func TestFlagsEitherSideOfArguments(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, c reports.Case) string {
		p := filepath.Join(dir, name)
		if err := reports.WriteFile(p, reports.Suites{Suites: []reports.Suite{{Name: "S", Cases: []reports.Case{c}}}}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pass := reports.Case{Name: "x [RI-ERR-003]", SystemOut: "behaviours: RI-ERR-003\n\n"}
	skip := pass
	skip.Skipped = &reports.Result{Message: "no fixture"}
	a, b := write("a.xml", pass), write("b.xml", skip)
	for _, args := range [][]string{{"diff", "--strict", a, b}, {"diff", a, b, "--strict"}, {"diff", a, "--strict", b}} {
		if code, out, errOut := runCLI(args...); code != exitFail || !strings.Contains(out, "no longer checked") {
			t.Errorf("%v: exit %d (want %d: --strict honoured)\n%s%s", args, code, exitFail, out, errOut)
		}
	}
}
