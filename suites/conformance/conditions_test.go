package conformance_test

import (
	"context"

	. "github.com/onsi/ginkgo/v2"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

// subject is the instance a condition is checked on: the ID to send (empty
// for a missing InstanceId) and, when it exists, the status it must keep.
type subject struct {
	ID     string
	Status string // "" when no instance is named
}

// subjectsFor provisions what condition c needs. Not-found yields two IDs:
// a random one and a strict prefix of an existing instance's ID (an exact
// match is required, so that one does not exist either).
func subjectsFor(ctx context.Context, c contract.Condition) []subject {
	GinkgoHelper()
	switch c {
	case contract.CondMissingInstanceID:
		return []subject{{}}
	case contract.CondNotFound:
		existing := rg.Provision(ctx, target.InstanceSpec{})
		prefix := existing[:len(existing)-2]
		out := []subject{{ID: rg.Nonexistent(ctx)}}
		if st := rg.StatusNow(ctx, prefix); st == contract.StatusAbsent {
			rg.T.MarkAbsent(prefix)
			out = append(out, subject{ID: prefix})
		}
		return out
	}
	rows := contract.RowsFor(c)
	if len(rows) == 0 {
		Fail("no error row for condition " + string(c))
	}
	in, ok := rows[0].Instance()
	if !ok {
		Fail("error row " + rows[0].ID + " names no instance")
	}
	return []subject{{ID: rg.Provision(ctx, target.SpecFor(in)), Status: string(in.StatusOrRunning())}}
}
