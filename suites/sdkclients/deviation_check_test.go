package sdkclients_test

import (
	"testing"

	"github.com/rebootconf/rebootconf/fixtures/contract"
)

// A message-text deviation accepts another text for the declared behaviour only; the Code,
// the HTTP status and a non-empty Message are still required.
func TestMessageTextDeviation(t *testing.T) {
	row := contract.ErrIncorrectStatus
	other := result{HTTPStatus: row.Statuses[0], Code: row.Codes[0], Message: "the instance is Stopped, reboot refused"}
	declared := map[string]bool{}
	saved := otherText
	otherText = func(id string) bool { return declared[id] }
	defer func() { otherText = saved }()
	if len(row.Messages) == 0 {
		t.Fatalf("%s has no documented text: the check proves nothing", row)
	}
	if matchRows(other, []contract.ErrorRow{row}) == nil {
		t.Fatal("another message text passed without a declared deviation")
	}
	declared[row.ID] = true
	if err := matchRows(other, []contract.ErrorRow{row}); err != nil {
		t.Fatalf("a declared message-text deviation still failed: %v", err)
	}
	for name, r := range map[string]result{
		"empty message": {HTTPStatus: other.HTTPStatus, Code: other.Code},
		"wrong code":    {HTTPStatus: other.HTTPStatus, Code: "InvalidInstanceId.NotFound", Message: other.Message},
		"wrong status":  {HTTPStatus: 500, Code: other.Code, Message: other.Message},
	} {
		if matchRows(r, []contract.ErrorRow{row}) == nil {
			t.Errorf("%s passed under a message-text deviation", name)
		}
	}
	declared = map[string]bool{"RI-ERR-001": true}
	if matchRows(other, []contract.ErrorRow{row}) == nil {
		t.Error("a deviation declared for another behaviour was applied")
	}
}
