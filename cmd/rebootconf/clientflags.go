package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rebootconf/rebootconf/fixtures/testee"
	"github.com/rebootconf/rebootconf/reports"
)

// runExtras are the run flags of the client-under-test protocol and the known-deviations
// files (docs/client-protocol.md, docs/deviations.md).
type runExtras struct {
	clients      []testee.Program // --client command lines, split, run from this directory
	knownFailing string
	knownFlaky   string
	writeKnown   string
	deviations   string
	entries      []reports.Entry
	devs         reports.Deviations
}

// extraFlags registers the flags on fs; finish validates them after fs.Parse.
type extraFlags struct {
	clients                                          multiFlag
	knownFailing, knownFlaky, writeKnown, deviations string
}

func addExtraFlags(fs *flag.FlagSet) *extraFlags {
	f := &extraFlags{}
	fs.Var(&f.clients, "client", "run the SDK rows through an external testee too: 'CMD ARGS' speaking docs/client-protocol.md (repeatable)")
	fs.StringVar(&f.knownFailing, "known-failing", "", "file of behaviour or row IDs expected to fail (docs/deviations.md): they run; one that passes fails the run")
	fs.StringVar(&f.knownFlaky, "known-flaky", "", "file of behaviour or row IDs that may fail: they run and are reported, never decide the exit status")
	fs.StringVar(&f.writeKnown, "write-known-failing", "", "write this run's failures to FILE as a starting --known-failing file")
	fs.StringVar(&f.deviations, "deviations", "", "target profile: deviations the document allows, per behaviour (docs/deviations.md)")
	return f
}

// knownFlags registers --known-failing and --known-flaky for diff; the function reads them.
func knownFlags(fs *flag.FlagSet) func() ([]reports.Entry, error) {
	failing := fs.String("known-failing", "", "file of behaviour or row IDs expected to fail in the new report (docs/deviations.md)")
	flaky := fs.String("known-flaky", "", "file of behaviour or row IDs whose failures are not regressions")
	return func() ([]reports.Entry, error) { return readKnownFiles(*failing, *flaky) }
}

func readKnownFiles(failing, flaky string) ([]reports.Entry, error) {
	var out []reports.Entry
	for _, kf := range []struct{ path, kind, flag string }{{failing, reports.KindFailing, "--known-failing"}, {flaky, reports.KindFlaky, "--known-flaky"}} {
		if kf.path == "" {
			continue
		}
		es, err := reports.ReadKnown(kf.path, kf.kind)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", kf.flag, err)
		}
		out = append(out, es...)
	}
	return out, nil
}

// finish checks every file and testee now, so a bad one is one clear line before anything runs.
func (f *extraFlags) finish() (runExtras, error) {
	x := runExtras{knownFailing: f.knownFailing, knownFlaky: f.knownFlaky, writeKnown: f.writeKnown, deviations: f.deviations}
	var err error
	if x.entries, err = readKnownFiles(f.knownFailing, f.knownFlaky); err != nil {
		return x, err
	}
	if f.deviations != "" {
		d, err := reports.ReadDeviations(f.deviations)
		if err != nil {
			return x, fmt.Errorf("--deviations: %v", err)
		}
		x.devs = d
	}
	if f.writeKnown != "" {
		if err := prepareReport(f.writeKnown); err != nil {
			return x, fmt.Errorf("--write-known-failing: %v", err)
		}
	}
	for _, line := range f.clients {
		argv, err := testee.SplitCommand(line)
		if err != nil {
			return x, fmt.Errorf("--client %q: %v", line, err)
		}
		if err := probeTestee(argv); err != nil {
			return x, fmt.Errorf("--client %q: %v", line, err)
		}
		wd, _ := os.Getwd()
		x.clients = append(x.clients, testee.Program{Argv: argv, Dir: wd})
	}
	return x, nil
}

// probeTestee starts a testee and reads its hello: a testee that cannot say hello would only
// fail every SDK row.
func probeTestee(argv []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), testee.DefaultHelloTimeout)
	defer cancel()
	d, err := testee.Start(ctx, testee.Config{Argv: argv})
	if err != nil {
		return err
	}
	return d.Close()
}

// env is what suite processes need: the testees and the target profile.
func (x runExtras) env() []string {
	var env []string
	if v := testee.ClientsEnv(x.clients); v != "" {
		env = append(env, v)
	}
	if x.deviations != "" {
		if abs, err := filepath.Abs(x.deviations); err == nil {
			env = append(env, reports.EnvDeviations+"="+abs)
		}
	}
	return env
}

// judge applies the known-deviations files to the merged report and records the target
// profile; it writes --write-known-failing from the report as run.
func (x runExtras) judge(merged reports.Suites, stderr io.Writer) (reports.Suites, reports.KnownReport) {
	if x.writeKnown != "" {
		if err := os.WriteFile(x.writeKnown, reports.KnownFailingFile(merged), 0o644); err != nil {
			fmt.Fprintf(stderr, "rebootconf run: --write-known-failing: %v\n", err)
		}
	}
	out, rep := reports.ApplyKnown(merged, x.entries)
	var props []reports.Property
	if len(x.entries) > 0 {
		props = append(props, rep.Properties()...)
	}
	if len(x.devs.Entries) > 0 {
		props = append(props, reports.Property{Name: "target.deviations", Value: strings.Join(x.devs.Strings(), "; ")})
	}
	for i := range out.Suites {
		out.Suites[i].Properties = append(slices.Clone(out.Suites[i].Properties), props...)
	}
	return out, rep
}
