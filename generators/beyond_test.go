package generators

import (
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/rebootconf/rebootconf/fixtures/model"
)

// The model widens for requests beyond the document no further than a faithful server
// may go (model.Never): over every request the generators draw, an allowed outcome
// never changes an instance the request does not name, never changes anything when
// every DryRun value is "true", and is never a 5xx unless the world has an instance
// with the internal-error condition.
func TestBeyondTheDocumentStaysNarrow(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		insts := World(WorldOptions{Max: 4, Locks: true, Conditions: true, RunningFirst: true}).Draw(t, "world")
		ms := make([]model.Instance, len(insts))
		for i, in := range insts {
			ms[i] = in.Model()
		}
		w, err := model.NewWorld(model.ProgressFree, ms...)
		if err != nil {
			t.Fatal(err)
		}
		// Many requests a case: the extras that matter are rare draws.
		for _, req := range rapid.SliceOfN(RebootRequest(w.IDs(), RequestOptions{}), 1, 60).Draw(t, "requests") {
			checkNarrow(t, w, req)
		}
	})
}

func checkNarrow(t *rapid.T, w *model.World, req model.Request) {
	dry, named := req.Params["DryRun"], req.Params["InstanceId"]
	allTrue := len(dry) > 0 && !slices.ContainsFunc(dry, func(v string) bool { return v != "true" })
	for _, o := range w.Allowed(req) {
		switch {
		case o.Effect.Kind != model.EffectNone && allTrue:
			t.Fatalf("%s: every DryRun value is true, yet the model allows %s [%s]", req, o, o.Source)
		case o.Effect.Kind != model.EffectNone && !slices.Contains(named, o.Effect.Instance):
			t.Fatalf("%s: the model allows %s, on an instance no value names [%s]", req, o, o.Source)
		case o.Status >= 500:
			t.Fatalf("%s: the model allows %s in a world without internal errors [%s]", req, o, o.Source)
		}
	}
}
