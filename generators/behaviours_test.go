package generators

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/rebootconf/rebootconf/fixtures/model"
	"github.com/rebootconf/rebootconf/fixtures/replay"
)

func TestImplicatedNamesWhatAFailureBroke(t *testing.T) {
	stopped := &model.Disagreement{
		Request: model.Request{Action: "RebootInstance", Params: url.Values{"InstanceId": {"i-1"}}},
		Got:     model.Result{Status: http.StatusOK},
		Allowed: []model.Outcome{{Status: http.StatusForbidden, Code: "IncorrectInstanceStatus"}},
	}
	refused := &model.Disagreement{
		Request: model.Request{Action: "RebootInstance", Params: url.Values{"InstanceId": {"i-1"}, "ForceStop": {"true"}}},
		Got:     model.Result{Status: http.StatusForbidden, Code: "IncorrectInstanceStatus"},
		Allowed: []model.Outcome{{Status: http.StatusOK}},
	}
	missing := &model.Disagreement{
		Request: model.Request{Action: "RebootInstance"},
		Got:     model.Result{Status: http.StatusBadRequest, Code: "DryRunOperation"},
		Allowed: []model.Outcome{{Status: http.StatusBadRequest, Code: "MissingParameter.InstanceId"}},
	}
	for name, tc := range map[string]struct {
		err  error
		want []string
	}{
		"wrong status accepted":  {&replay.Failure{Step: 2, Op: "reboot", Err: stopped}, []string{"RI-ERR-002", "RI-ERR-007"}},
		"running refused":        {refused, []string{"RI-FORCE-001", "RI-STATE-001"}},
		"code by prefix":         {missing, []string{"RI-ERR-010"}},
		"cited by a checker":     {fmt.Errorf("step 1: %w", errors.New("RI-PROTO-005 (notes §3): RequestId \"x\" is not a UUID")), []string{"RI-PROTO-005"}},
		"status off the path":    {&model.ObservationError{ID: "i-1", Saw: "Stopped", Possible: "Starting|Running"}, []string{"RI-STATE-003"}},
		"not an ID, just shaped": {errors.New("RI-NOPE-001 broke"), nil},
		"nothing to go on":       {errors.New("infrastructure: dial tcp: refused"), nil},
		"no failure":             {nil, nil},
	} {
		if got := Implicated(tc.err); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Implicated = %v, want %v", name, got, tc.want)
		}
	}
}
