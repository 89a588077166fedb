package generators

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/rebootconf/rebootconf/fixtures/cassette"
	"github.com/rebootconf/rebootconf/fixtures/replay"
)

// The record/compare corpus embeds a sample drawn from these generators: the CLI never
// links rapid, so the sample is drawn here and committed (fixtures/cassette/corpus).
var updateCorpus = flag.Bool("update", false, "rewrite fixtures/cassette/corpus/generated.json")

const (
	corpusPath  = "../fixtures/cassette/corpus/generated.json"
	corpusCases = 48
	// Stand-ins for the world's instances while drawing; cassette.Template turns every value
	// derived from one (a prefix, a case change, whitespace around it) into a placeholder.
	standInRunning = "i-rcstandin0running01"
	standInStopped = "i-rcstandin0stopped01"
)

// generatedCorpus draws the sample: seed i gives case i, a RebootInstance request over a
// Running and a Stopped instance through one transport, then a watch of the Running one.
func generatedCorpus() ([]cassette.Case, error) {
	ids := []string{standInRunning, standInStopped}
	var out []cassette.Case
	for i := 1; i <= corpusCases; i++ {
		req := RebootRequest(ids, RequestOptions{}).Example(i)
		call := CallFor(req).Example(i)
		for k, vs := range call.Params {
			for j, v := range vs {
				v = cassette.Template(standInRunning, "running.1", v)
				call.Params[k][j] = cassette.Template(standInStopped, "stopped.1", v)
			}
		}
		out = append(out, cassette.Case{
			ID: fmt.Sprintf("generated/%02d", i), Title: call.Model().String() + " (" + transportName(call) + ")", Origin: cassette.OriginGenerated,
			World: []cassette.Role{{Name: "running.1", Status: "Running"}, {Name: "stopped.1", Status: "Stopped"}},
			Steps: []cassette.Step{{Step: replay.Step{Op: replay.OpCall, Call: &call}, Watch: "running.1"}},
		})
	}
	return out, cassette.Validate(out)
}

// TestCorpus keeps the committed sample equal to what the generators draw; -update rewrites it.
func TestCorpus(t *testing.T) {
	cs, err := generatedCorpus()
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.MarshalIndent(cs, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	if *updateCorpus {
		if err := os.WriteFile(corpusPath, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(corpusPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is out of date with the generators: run `go test ./generators -run TestCorpus -update` and review the diff", corpusPath)
	}
	for _, s := range []string{standInRunning, standInStopped} {
		if bytes.Contains(got, []byte(s)) {
			t.Errorf("the corpus still names the stand-in %s: a drawn shape has no placeholder", s)
		}
	}
}

func transportName(c replay.Call) string {
	name := c.Method
	if name == "" {
		name = "POST"
	}
	if c.InBody {
		name += " body"
	}
	if c.Signing == "acs3" {
		return name + " ACS3"
	}
	return name + " v1"
}
