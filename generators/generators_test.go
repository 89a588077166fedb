package generators

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"pgregory.net/rapid"

	"github.com/rebootconf/rebootconf/fixtures/model"
	"github.com/rebootconf/rebootconf/fixtures/replay"
)

var existing = []string{"i-abcdefghijklmnopqr00", "i-stuvwxyz0123456789a01"}

// Every odd shape names no instance, and each has the form its name promises.
func TestOddInstanceIDNamesNothing(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		shape := rapid.SampledFrom(IDShapes[1:]).Draw(t, "shape")
		base := rapid.SampledFrom(existing).Draw(t, "base")
		id := IDOfShape(t, shape, base)
		if slices.Contains(existing, id) {
			t.Fatalf("shape %s of %q is an existing ID %q", shape, base, id)
		}
		switch shape {
		case ShapePrefix:
			if !strings.HasPrefix(base, id) || len(id) >= len(base) || id == "" {
				t.Fatalf("prefix %q of %q is not a proper prefix", id, base)
			}
		case ShapeExtension:
			if !strings.HasPrefix(id, base) || len(id) <= len(base) {
				t.Fatalf("extension %q of %q", id, base)
			}
		case ShapeCase:
			if !strings.EqualFold(id, base) {
				t.Fatalf("case change %q of %q differs in more than case", id, base)
			}
		case ShapeWhitespace:
			if strings.TrimSpace(strings.ReplaceAll(id, "\u00a0", " ")) != base {
				t.Fatalf("whitespace shape %q of %q", id, base)
			}
		case ShapeUnicode:
			if !utf8.ValidString(id) || isASCII(id) && !strings.Contains(id, "\u200b") {
				t.Fatalf("unicode shape %q has no non-ASCII rune", id)
			}
		case ShapeLong:
			if len(id) <= 64 {
				t.Fatalf("long shape has %d bytes", len(id))
			}
		case ShapeEmpty:
			if id != "" {
				t.Fatalf("empty shape %q", id)
			}
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// rapid issue #39: assert that generators reach every branch.
func TestRebootRequestReachesEveryOddity(t *testing.T) {
	want := map[string]bool{}
	for _, k := range []string{"prefix", "extension", "case", "whitespace", "unicode", "empty", "long",
		"missing InstanceId", "repeated InstanceId", "lower-case key", "RegionId", "unknown", "odd DryRun", "odd ForceStop",
		"odd Format", "DryRun=true", "plain"} {
		want[k] = false
	}
	g := RebootRequest(existing, RequestOptions{})
	for i := range 3000 {
		req := g.Example(i)
		p := req.Params
		id := p.Get("InstanceId")
		switch {
		case p["InstanceId"] == nil && p["instanceId"] == nil:
			want["missing InstanceId"] = true
		case p["instanceId"] != nil:
			want["lower-case key"] = true
		case len(p["InstanceId"]) > 1:
			want["repeated InstanceId"] = true
		case id == "":
			want["empty"] = true
		case len(id) > 64:
			want["long"] = true
		case !isASCII(id):
			want["unicode"] = true
		case strings.TrimSpace(id) != id:
			want["whitespace"] = true
		}
		for _, e := range existing {
			switch {
			case id != e && strings.HasPrefix(e, id) && id != "":
				want["prefix"] = true
			case id != e && strings.HasPrefix(id, e):
				want["extension"] = true
			case id != e && strings.EqualFold(id, e):
				want["case"] = true
			}
		}
		if p["RegionId"] != nil {
			want["RegionId"] = true
		}
		for _, k := range []string{"Bogus", "Force", "ClientToken", "InstanceIds"} {
			if p[k] != nil {
				want["unknown"] = true
			}
		}
		for _, name := range []string{"DryRun", "ForceStop"} {
			if v, ok := p[name]; ok && (len(v) != 1 || (v[0] != "true" && v[0] != "false")) {
				want["odd "+name] = true
			}
		}
		if f, ok := p["Format"]; !ok || f[0] != "JSON" {
			want["odd Format"] = true
		}
		if slices.Equal(p["DryRun"], []string{"true"}) {
			want["DryRun=true"] = true
		}
		if slices.Contains(existing, id) && len(p) <= 3 {
			want["plain"] = true
		}
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("3000 drawn requests never had %s", k)
		}
	}
}

func TestSafeRequestsAreDryRuns(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		req := RebootRequest(existing, RequestOptions{SafeOnly: true}).Draw(t, "request")
		if !slices.Equal(req.Params["DryRun"], []string{"true"}) {
			t.Fatalf("safe request has DryRun=%q", req.Params["DryRun"])
		}
	})
}

// A call carries exactly the Format the request has (or none), whatever transport.
func TestCallForKeepsTheRequest(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		req := RebootRequest(existing, RequestOptions{}).Draw(t, "request")
		c := CallFor(req).Draw(t, "call")
		got := c.Model()
		if !equalValues(got.Params, req.Params) {
			t.Fatalf("call %+v carries %v, want %v", c, got.Params, req.Params)
		}
	})
}

func equalValues(a, b url.Values) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestWorldRunningFirst(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := World(WorldOptions{Min: 2, Max: 5, Locks: true, Conditions: true, RunningFirst: true}).Draw(t, "world")
		if len(w) < 2 || len(w) > 5 {
			t.Fatalf("%d instances", len(w))
		}
		if w[0].Status != string(model.Running) || w[0].Locks != nil || w[0].Conditions != nil {
			t.Fatalf("first instance %+v is not a plain Running one", w[0])
		}
		seen := map[string]bool{}
		for _, in := range w {
			if seen[in.ID] || !model.WellFormedID(in.ID) {
				t.Fatalf("bad or duplicate ID %q", in.ID)
			}
			seen[in.ID] = true
		}
		if _, err := (replay.Sequence{Version: replay.FormatVersion, World: w}).ModelWorld(""); err != nil {
			t.Fatal(err)
		}
	})
}
