package teeth

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
)

// A wrapper sits between the suite and a faithful emulator and changes
// what goes over the wire: an allowed variant (the suite must pass) or an
// HTTP-level mutant (the suite must catch it). Wrappers need no emulator
// hooks, so behaviours the emulator's mutants cannot reach get teeth too.
type wrapper struct {
	name   string
	why    string
	breaks []string // behaviours a wrapper mutant violates; empty for a variant
	// profile is the emulator's transition profile ("" is the default, fast).
	profile string
	// request may edit an ECS request; a non-nil reply answers it without
	// the emulator.
	request func(r *http.Request) *reply
	// forward, when request did not answer, may answer in the emulator's
	// place, calling it on its own (a non-nil reply is the answer).
	forward func(emu http.Handler, r *http.Request) *reply
	// control may edit a control-API request; it reports whether it did.
	control func(r *http.Request) bool
	// reply may edit the emulator's ECS answer.
	reply func(r *http.Request, rp *reply)
	// hideControl answers every control-API request 404, like an emulator without one.
	hideControl bool
}

// reply is an HTTP answer being edited.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// wrap serves next through w's edits, counting in hits the requests or
// answers it changed (a variant that never fires proves nothing).
func (w wrapper) wrap(next http.Handler, hits *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, control.PathPrefix) {
			if w.hideControl {
				hits.Add(1)
				http.NotFound(rw, r)
				return
			}
			if w.control != nil && w.control(r) {
				hits.Add(1)
			}
			next.ServeHTTP(rw, r)
			return
		}
		if w.request == nil && w.forward == nil && w.reply == nil {
			next.ServeHTTP(rw, r)
			return
		}
		var rp *reply
		if w.request != nil {
			if rp = w.request(r); rp != nil {
				hits.Add(1)
			}
		}
		if rp == nil && w.forward != nil {
			if rp = w.forward(next, r); rp != nil {
				hits.Add(1)
			}
		}
		if rp == nil {
			rec := &recorder{header: http.Header{}, status: http.StatusOK}
			next.ServeHTTP(rec, r)
			rp = &reply{status: rec.status, header: rec.header, body: rec.body.Bytes()}
			if w.reply != nil {
				before := rp.snapshot()
				w.reply(r, rp)
				if rp.snapshot() != before {
					hits.Add(1)
				}
			}
		}
		rp.header.Set("Content-Length", strconv.Itoa(len(rp.body)))
		for k, vs := range rp.header {
			rw.Header()[k] = vs
		}
		rw.WriteHeader(rp.status)
		_, _ = rw.Write(rp.body)
	})
}

func (rp *reply) snapshot() string {
	return fmt.Sprint(rp.status, rp.header.Get("Content-Type"), rp.header.Get("X-Acs-Request-Id"), string(rp.body))
}

// editError re-encodes an error answer after edit; edit returns the new HTTP
// status, or 0 to keep it.
func editError(edit func(e *protocol.ErrorBody) int) func(*http.Request, *reply) {
	return func(_ *http.Request, rp *reply) {
		resp, err := protocol.DecodeResponse(rp.status, rp.header, rp.body)
		if err != nil || !resp.IsError() {
			return
		}
		e := protocol.ErrorBody{RequestID: resp.RequestID, HostID: resp.HostID, Code: resp.Code, Message: resp.Message}
		e.Recommend, _ = resp.Fields["Recommend"].(string)
		if st := edit(&e); st != 0 {
			rp.status = st
		}
		ct, body := protocol.EncodeError(resp.Format, e)
		rp.header.Set("Content-Type", ct)
		rp.body = body
	}
}

// fail answers an ECS request with an error, as a gateway would.
func fail(status int, code, msg string) *reply {
	id := newRequestID()
	ct, body := protocol.EncodeError(protocol.FormatJSON, protocol.ErrorBody{RequestID: id, HostID: "ecs.aliyuncs.com", Code: code, Message: msg})
	return &reply{status: status, header: http.Header{"Content-Type": {ct}, "X-Acs-Request-Id": {id}}, body: body}
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%X-%X-%X-%X-%X", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// params reads an ECS request's parameters (query and form body) without
// consuming the body.
func params(r *http.Request) (action string, p map[string][]string) {
	p = r.URL.Query()
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") && r.Body != nil {
		raw, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(raw))
		if form, err := parseQuery(string(raw)); err == nil {
			for k, vs := range form {
				p[k] = append(p[k], vs...)
			}
		}
	}
	action = r.Header.Get("x-acs-action")
	if vs := p["Action"]; len(vs) > 0 {
		action = vs[0]
	}
	return action, p
}

// recorder buffers an answer so a wrapper can edit it.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(s int) {
	if !r.wrote {
		r.status, r.wrote = s, true
	}
}
