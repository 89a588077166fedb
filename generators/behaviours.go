package generators

import (
	"errors"
	"slices"
	"strings"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/model"
)

// Implicated names the catalogue behaviours a property failure breaks, so a failing
// property is listed under behaviours in the reports like any conformance spec:
//   - IDs the failure cites (contract checkers prefix each problem with its behaviour);
//   - for a model disagreement, the error rows whose codes the model allowed (what the
//     target should have answered), and the acceptance behaviours when it allowed a success;
//   - for an observation the model rules out, the reboot's status path (RI-STATE-003).
//
// The result is sorted and has no repeats; nil when nothing can be named.
func Implicated(err error) []string {
	if err == nil {
		return nil
	}
	ids := cited(err.Error())
	var d *model.Disagreement
	if errors.As(err, &d) {
		ids = append(ids, disagreementIDs(d)...)
	}
	var o *model.ObservationError
	if errors.As(err, &o) {
		ids = append(ids, "RI-STATE-003")
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// cited returns the catalogue IDs written in s.
func cited(s string) []string {
	var ids []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-')
	}) {
		if _, ok := contract.Lookup(w); ok {
			ids = append(ids, w)
		}
	}
	return ids
}

// disagreementIDs maps what the model allowed to the behaviours that promise it.
func disagreementIDs(d *model.Disagreement) []string {
	var ids []string
	for _, o := range d.Allowed {
		if o.Success() {
			ids = append(ids, acceptIDs(d.Request)...)
			continue
		}
		ids = append(ids, rowsWithCode(o.Code)...)
	}
	return ids
}

// rowsWithCode returns the IDs of the rows that accept code: the operation's own rows
// (error table, DryRun, malformed booleans, deleted instance) when any does, else the
// signature and gateway rows. A generated request is signed correctly, so a missing
// InstanceId's MissingParameter.* names RI-ERR-010, not a missing common parameter.
func rowsWithCode(code string) []string {
	own := append(contract.ErrorTable(), contract.DryRunPassed, contract.ErrMalformedForceStop,
		contract.ErrMalformedDryRun, contract.ErrDeleted)
	for _, rows := range [][]contract.ErrorRow{own, contract.AllRows()} {
		var ids []string
		for _, row := range rows {
			if rowAccepts(row, code) {
				ids = append(ids, row.ID)
			}
		}
		if len(ids) > 0 {
			return ids
		}
	}
	return nil
}

// acceptIDs are the behaviours that promise a reboot request is accepted.
func acceptIDs(req model.Request) []string {
	if req.Action != "RebootInstance" {
		return nil
	}
	ids := []string{"RI-STATE-001"}
	switch strings.ToLower(req.Params.Get("ForceStop")) {
	case "true":
		ids = append(ids, "RI-FORCE-001")
	case "false":
		ids = append(ids, "RI-FORCE-002")
	default:
		ids = append(ids, "RI-FORCE-003")
	}
	if strings.EqualFold(req.Params.Get("DryRun"), "false") {
		ids = append(ids, "RI-DRYRUN-010")
	}
	return ids
}

func rowAccepts(row contract.ErrorRow, code string) bool {
	if code == "" {
		return false
	}
	if slices.Contains(row.Codes, code) {
		return true
	}
	return slices.ContainsFunc(row.CodePrefixes, func(p string) bool { return strings.HasPrefix(code, p) })
}
