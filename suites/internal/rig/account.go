package rig

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/rebootconf/rebootconf/fixtures/contract"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/target"
)

// accountPageSize is DescribeInstances' largest page (notes §6.3).
const accountPageSize = 100

// maxAccountPages bounds one account read: a target that pages forever
// (TotalCount growing, or pages that never shrink) is an error, not a hang.
const maxAccountPages = 50

// account is one read of every instance the account's region lists: ID →
// status, for the instances the run has no hand in.
type account map[string]string

// WatchesAccount says whether disruptive specs watch every instance the
// account can see, and why not. The real cloud is left out: other people's
// instances in a shared account change for reasons of their own.
func (rg *Rig) WatchesAccount() (bool, string) {
	if rg.T.Kind == target.KindCloud {
		return false, "on the real cloud other users' instances change for their own reasons; only the run's bystanders are watched"
	}
	return true, ""
}

// readAccount lists every instance in the region (paged, read-only
// DescribeInstances) that is stable (Running or Stopped) and that no spec
// acts on: instances the run did not create, and this process's idle pool
// instances. Those must not change while a spec acts on others. What the
// run's other processes created (the created ledger) is theirs to act on,
// tagged or not: parallel specs reboot and delete those at any time.
func (rg *Rig) readAccount(ctx context.Context) (account, error) {
	out := account{}
	total := -1
	siblings, err := rg.T.CreatedByRun()
	if err != nil {
		return nil, err
	}
	for page := 1; ; page++ {
		if page > maxAccountPages {
			return nil, fmt.Errorf("DescribeInstances: more than %d pages of %d for TotalCount %d", maxAccountPages, accountPageSize, total)
		}
		p := url.Values{"RegionId": {rg.T.Region}, "PageSize": {strconv.Itoa(accountPageSize)}, "PageNumber": {strconv.Itoa(page)}}
		ex, err := rg.Raw.Do(ctx, protocol.Call{Action: "DescribeInstances", Params: p})
		if err != nil {
			return nil, fmt.Errorf("DescribeInstances page %d: %w", page, err)
		}
		if ex.Response.IsError() {
			return nil, fmt.Errorf("DescribeInstances page %d: HTTP %d %s", page, ex.Response.Status, ex.Response.Code)
		}
		n, err := rg.addPage(out, ex.Response.Fields, siblings)
		if err != nil {
			return nil, fmt.Errorf("DescribeInstances page %d: %w", page, err)
		}
		if tc, ok := ex.Response.Fields["TotalCount"].(float64); ok {
			total = int(tc)
		}
		if n < accountPageSize || total >= 0 && page*accountPageSize >= total {
			return out, nil
		}
	}
}

// addPage adds one page's instances to out and returns how many it listed; run holds what
// the run's processes created.
func (rg *Rig) addPage(out account, fields map[string]any, run map[string]bool) (int, error) {
	outer, ok := fields["Instances"].(map[string]any)
	if !ok {
		return 0, fmt.Errorf("no Instances object in the answer")
	}
	var list []any
	switch v := outer["Instance"].(type) {
	case []any:
		list = v
	case map[string]any:
		list = []any{v}
	case nil:
	default:
		return 0, fmt.Errorf("Instances.Instance is %T, want a list", v)
	}
	for _, it := range list {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		id, _ := m["InstanceId"].(string)
		status, _ := m["Status"].(string)
		if id == "" || (rg.held(id) || run[id] || carriesTag(m, target.RunTagKey, rg.T.RunID)) && !rg.idle(id) {
			continue
		}
		if status == contract.StatusRunning || status == contract.StatusStopped {
			out[id] = status
		}
	}
	return len(list), nil
}

// carriesTag reports whether a DescribeInstances item has tag key=value.
func carriesTag(m map[string]any, key, value string) bool {
	tags, _ := m["Tags"].(map[string]any)
	var list []any
	switch v := tags["Tag"].(type) {
	case []any:
		list = v
	case map[string]any:
		list = []any{v}
	}
	for _, t := range list {
		tm, _ := t.(map[string]any)
		if tm["TagKey"] == key && tm["TagValue"] == value {
			return true
		}
	}
	return false
}

// changes lists, in ID order, every instance of before that now reads
// otherwise: another status, or gone. actedOn, and instances a spec took
// from the pool since, are left out (skip).
func (before account) changes(now account, actedOn string, skip func(string) bool) []string {
	var out []string
	for id, was := range before {
		if id == actedOn || skip(id) {
			continue
		}
		if is, ok := now[id]; !ok || is != was {
			if !ok {
				is = "<not listed as Running or Stopped>"
			}
			out = append(out, fmt.Sprintf("%s: %s → %s", id, was, is))
		}
	}
	sort.Strings(out)
	return out
}

// check is RI-STATE-009 for the whole account: nil when no instance of
// before changed in now.
func (before account) check(now account, actedOn string, skip func(string) bool) error {
	if ch := before.changes(now, actedOn, skip); len(ch) > 0 {
		return fmt.Errorf("%s: while rebooting %s, %d instance(s) the run did not act on changed: %s",
			bBystander, actedOn, len(ch), strings.Join(ch, "; "))
	}
	return nil
}
