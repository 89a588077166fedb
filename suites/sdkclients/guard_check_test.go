package sdkclients_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/rebootconf/rebootconf/fixtures/target"
)

// SDK-SAFE-001 has no emulator mutant: the guard refuses inside this process, before any
// byte reaches the target, so no target can make it let a call through. This test is its
// mutant-free teeth: the row's check must fail on every shape in which a client reports a
// call that was sent, and pass on every shape in which it reports the guard's refusal.
func TestGuardRefusedCheckFailsOnSentCalls(t *testing.T) {
	refused := &target.RefusedError{Action: "RebootInstance", IDs: []string{"i-abc"}, Reason: "instance \"i-abc\" is neither owned by this run nor verified absent"}
	refusals := map[string]result{
		"wrapped (Tea, errors.As)":      {Err: fmt.Errorf("tea: %w", refused)},
		"flattened (legacy SDK string)": {Err: errors.New("[SDK.HTTPError] " + refused.Error())},
		"forwarder answer (pop-core)":   {Code: guardRefusedCode, Message: refused.Error(), HTTPStatus: 403},
	}
	for name, r := range refusals {
		if err := guardRefused(r); err != nil {
			t.Errorf("%s: a refusal was not recognised: %v", name, err)
		}
	}
	other := &target.RefusedError{Action: "StopInstance", IDs: []string{"i-abc"}, Reason: "not owned"}
	sent := map[string]result{
		"accepted":                  {HTTPStatus: 200, RequestID: "0E2B6C4A-1111-4000-8000-000000000000"},
		"target error":              {HTTPStatus: 404, Code: "InvalidInstanceId.NotFound", Message: "The specified InstanceId does not exist."},
		"transport failure":         {Err: errors.New("dial tcp 127.0.0.1:1: connect: connection refused")},
		"another action refused":    {Err: fmt.Errorf("tea: %w", other)},
		"forwarder transport error": {Code: "Rebootconf.ForwardError", Message: "EOF", HTTPStatus: 502},
		"nothing surfaced":          {},
	}
	for name, r := range sent {
		r.Client = clientLegacy
		if err := guardRefused(r); err == nil {
			t.Errorf("%s: the check passed a call that was not refused by the guard: %s", name, r)
		}
	}
}
