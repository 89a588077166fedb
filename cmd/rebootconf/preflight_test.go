package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/target"
)

// Preflight warns about a skewed clock (signatures expire at 15 minutes) and refuses, with
// the fix named, when the endpoint already rejects this machine's timestamps.
func TestPreflightClock(t *testing.T) {
	for _, r := range []struct {
		id, date, body, want string
		status               int
		fails                bool
	}{
		{"skewed 10 minutes", time.Now().Add(-10 * time.Minute).UTC().Format(http.TimeFormat),
			`{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E","TotalCount":0,"Instances":{"Instance":[]}}`, "WARNING: clock skew 10m", 200, false}, // the Date header has whole seconds
		{"in step", time.Now().UTC().Format(http.TimeFormat),
			`{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E","TotalCount":0,"Instances":{"Instance":[]}}`, "", 200, false},
		{"rejected", time.Now().UTC().Format(http.TimeFormat),
			`{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E","Code":"InvalidTimeStamp.Expired","Message":"Specified time stamp or date value is expired."}`, "fix this machine's clock", 400, true},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if strings.HasPrefix(req.URL.Path, "/_rebootconf/") {
				http.NotFound(w, req)
				return
			}
			w.Header().Set("Date", r.date)
			w.Header().Set("Content-Type", "application/json;charset=utf-8")
			w.WriteHeader(r.status)
			_, _ = w.Write([]byte(r.body))
		}))
		t.Setenv(target.EnvAccessKeyID, "AK")
		t.Setenv(target.EnvAccessKeySecret, "SK")
		pf, err := preflight(context.Background(), target.Options{Endpoint: srv.URL}, 10*time.Second)
		srv.Close()
		switch {
		case r.fails:
			if err == nil || !strings.Contains(err.Error(), r.want) {
				t.Errorf("%s: err %v, want one saying %q", r.id, err, r.want)
			}
		case err != nil:
			t.Errorf("%s: %v", r.id, err)
		default:
			notes := strings.Join(pf.notes, "\n")
			pf.close()
			if strings.Contains(notes, "clock skew") != (r.want != "") || !strings.Contains(notes, r.want) {
				t.Errorf("%s: notes %q, want %q", r.id, notes, r.want)
			}
		}
	}
}
