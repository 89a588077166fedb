package conformance_test

import (
	"errors"
	. "github.com/onsi/ginkgo/v2"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/suites/internal/labels"
	"github.com/rebootconf/rebootconf/suites/internal/rig"
)

// errorEntries builds one entry per condition of the error table, labelled
// with every row the condition may answer with (row 2 or 7; row 5 or 9).
func errorEntries() []TableEntry {
	var out []TableEntry
	seen := map[contract.Condition]bool{}
	for _, r := range contract.ErrorTable() {
		if seen[r.Condition] {
			continue
		}
		seen[r.Condition] = true
		rows := contract.RowsFor(r.Condition)
		var ids []string
		for _, x := range rows {
			ids = append(ids, x.ID)
		}
		out = append(out, Entry(string(r.Condition)+": "+rows[0].Want(), labels.For(ids...), r.Condition))
	}
	return out
}

var _ = Describe("RebootInstance errors", func() {
	DescribeTable("answers each row of the error table in JSON and XML and changes nothing",
		func(ctx SpecContext, c contract.Condition) {
			rows := contract.RowsFor(c)
			for _, s := range subjectsFor(ctx, c) {
				for _, f := range []protocol.Format{protocol.FormatJSON, protocol.FormatXML} {
					By(string(f) + " on " + describeSubject(s))
					rg.Both(ctx, rig.Reboot{InstanceID: s.ID, Format: f}).Expect(func(r *protocol.Response) error {
						return errors.Join(contract.CheckFormat(r, f), contract.CheckErrorAny(r, rows...))
					})
				}
				if s.Status != "" {
					rg.Unchanged(ctx, contract.MustLookup(rows[0].ID), s.ID, s.Status)
				}
			}
		},
		errorEntries(),
	)
})
