package fuzzteeth_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/emulator"
	"github.com/rebootconf/rebootconf/fixtures/protocol"
	"github.com/rebootconf/rebootconf/fixtures/replay"
	"github.com/rebootconf/rebootconf/fixtures/target"
	"github.com/rebootconf/rebootconf/generators"
	"github.com/rebootconf/rebootconf/suites/internal/ginkgorapid"
)

// seeds is how many rapid seeds the no-control run gives the faithful emulator and each
// allowed variant. The default keeps the run near half a minute under -race; issue 8's
// bar is -seeds=20.
var seeds = flag.Int("seeds", 3, "rapid seeds per emulator in the no-control faithful-and-variants run (issue 8 asks for 20)")

// controlSeeds runs every allowed variant with its control API too (worlds, real reboots,
// faults), where a repeated DryRun or InstanceId is sent without DryRun forced; off by
// default to keep `make test` short.
var controlSeeds = flag.Int("control-seeds", 0, "rapid seeds per allowed variant with the control API (0: skip)")

// secondLong are the transitions of an emulator written by others (issue 8).
var secondLong = emulator.Transitions{Mode: emulator.ModeTimed, Pending: 300 * time.Millisecond, Starting: time.Second, Stopping: 500 * time.Millisecond}

// exchange is one ECS call as the wire carried it.
type exchange struct {
	params url.Values // query and form body merged
	status int
	code   string
}

// wire serves h without the control API (every /_rebootconf/ path answers 404, as the
// control protocol says an endpoint without it does) and keeps every ECS exchange.
type wire struct {
	h   http.Handler
	mu  sync.Mutex
	log []exchange
}

func (w *wire) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, control.PathPrefix) {
		http.NotFound(rw, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	p, _ := url.ParseQuery(r.URL.RawQuery)
	if form, err := url.ParseQuery(string(body)); err == nil && strings.Contains(r.Header.Get("Content-Type"), "form") {
		for k, vs := range form {
			p[k] = append(p[k], vs...)
		}
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, r)
	ex := exchange{params: p, status: rec.Code}
	if resp, err := protocol.DecodeResponse(rec.Code, rec.Header(), rec.Body.Bytes()); err == nil {
		ex.code = resp.Code
	}
	w.mu.Lock()
	w.log = append(w.log, ex)
	w.mu.Unlock()
	for k, vs := range rec.Header() {
		rw.Header()[k] = vs
	}
	rw.WriteHeader(rec.Code)
	_, _ = rw.Write(rec.Body.Bytes())
}

func (w *wire) exchanges() []exchange {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]exchange(nil), w.log...)
}

func repeated(p url.Values) bool {
	for _, vs := range p {
		if len(vs) > 1 {
			return true
		}
	}
	return false
}

// witnesses say an exchange showed the variant's own behaviour, and so that the run
// exercised it (and the model admitted it, since the run passed).
var witnesses = map[string]func(exchange) bool{
	"sign-parsed-params":         func(x exchange) bool { return x.code == "SignatureDoesNotMatch" },
	"repeated-key-invalid":       func(x exchange) bool { return repeated(x.params) && x.code == "InvalidParameter" },
	"last-value-wins":            func(x exchange) bool { return len(x.params["InstanceId"]) > 1 && x.status < 500 },
	"unknown-parameter-rejected": func(x exchange) bool { return x.code == "UnsupportedParameter" },
	"bool-spellings": func(x exchange) bool {
		v := x.params.Get("ForceStop")
		return v != "" && v != "true" && v != "false" && x.code == "DryRunOperation"
	},
	"empty-is-absent": func(x exchange) bool {
		vs, ok := x.params["ForceStop"]
		return ok && len(vs) == 1 && vs[0] == "" && x.code == "DryRunOperation"
	},
}

// noControl starts the emulator with the named variants behind an ECS-only listener with
// second-long transitions, and returns the env the properties suite builds for such a
// target: one Running instance made through RunInstances, DryRun-only requests.
func noControl(ctx context.Context, variants ...string) (generators.Env, *wire) {
	GinkgoHelper()
	em, err := emulator.New(emulator.Config{Variants: variants, Transitions: secondLong})
	Expect(err).NotTo(HaveOccurred())
	w := &wire{h: em}
	srv := httptest.NewServer(w)
	DeferCleanup(srv.Close)
	tgt, err := target.Open(ctx, target.Options{Endpoint: srv.URL})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(tgt.Close)
	Expect(tgt.Control).To(BeNil(), "the listener hides the control API")
	id, err := tgt.Provision(ctx, target.InstanceSpec{Status: control.StatusRunning})
	Expect(err).NotTo(HaveOccurred(), "provision a Running instance through RunInstances")
	DeferCleanup(tgt.Release, id)
	return generators.Env{Client: tgt.Raw(), Region: tgt.Region, Budget: replay.NewBudget(0), Adopt: []string{id},
		Guard: tgt.Guard, Refused: target.IsRefused}, w
}

var _ = Describe("The properties without a control API", Label("fuzz", "teeth"), func() {
	names := append([]string{""}, emulator.VariantNames()...)
	for _, name := range names {
		title := "the faithful emulator"
		if name != "" {
			title = "the " + name + " variant"
		}
		It("pass against "+title+" with second-long transitions, across -seeds seeds", func(ctx SpecContext) {
			var vs []string
			if name != "" {
				vs = []string{name}
			}
			env, w := noControl(ctx, vs...)
			old := ginkgorapid.Flag("rapid.seed")
			DeferCleanup(ginkgorapid.SetFlag, "rapid.seed", old)
			base := uint64(GinkgoRandomSeed())*1000003 + 7
			cases, start := 0, time.Now()
			for i := range *seeds {
				seed := strconv.FormatUint(base+uint64(i), 10)
				Expect(ginkgorapid.SetFlag("rapid.seed", seed)).To(Succeed())
				for _, p := range generators.Properties() {
					if !applicable(env, p) {
						continue
					}
					v := run(env, p, "teeth no-control "+name+" "+p.Name)
					Expect(v.failed).To(BeFalse(), "%s, no control API, -rapid.seed=%s, %s:\n%s", title, seed, p.Name, v.message)
					cases += v.cases
				}
			}
			xs := w.exchanges()
			if see := witnesses[name]; see != nil {
				n := 0
				for _, x := range xs {
					if see(x) {
						n++
					}
				}
				Expect(n).To(BeNumerically(">", 0), "%s: no request showed the variant's behaviour in %d exchanges: the run did not exercise it", title, len(xs))
				AddReportEntry(name+" exercised", fmt.Sprintf("%d of %d exchanges", n, len(xs)))
			}
			AddReportEntry(title+", no control API", fmt.Sprintf("%d seeds from %d: %d cases, %d exchanges in %s", *seeds, base, cases, len(xs), time.Since(start).Round(time.Millisecond)))
		}, SpecTimeout(5*time.Minute))
	}

	for _, name := range emulator.VariantNames() {
		It("pass against the "+name+" variant with its control API, across -control-seeds seeds", func(ctx SpecContext) {
			if *controlSeeds == 0 {
				Skip("-control-seeds=0")
			}
			em, err := emulator.New(emulator.Config{Variants: []string{name}})
			Expect(err).NotTo(HaveOccurred())
			srv := httptest.NewServer(em)
			DeferCleanup(srv.Close)
			tgt, err := target.Open(ctx, target.Options{Endpoint: srv.URL})
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(tgt.Close)
			Expect(tgt.Control).NotTo(BeNil())
			env := generators.Env{Client: tgt.Raw(), Control: tgt.Control, Region: tgt.Region, Faults: true, Guard: tgt.Guard, Refused: target.IsRefused}
			old := ginkgorapid.Flag("rapid.seed")
			DeferCleanup(ginkgorapid.SetFlag, "rapid.seed", old)
			base := uint64(GinkgoRandomSeed())*1000003 + 11
			for i := range *controlSeeds {
				seed := strconv.FormatUint(base+uint64(i), 10)
				Expect(ginkgorapid.SetFlag("rapid.seed", seed)).To(Succeed())
				for _, p := range generators.Properties() {
					v := run(env, p, "teeth control "+name+" "+p.Name)
					Expect(v.failed).To(BeFalse(), "the %s variant, control API, -rapid.seed=%s, %s:\n%s", name, seed, p.Name, v.message)
				}
			}
		}, SpecTimeout(5*time.Minute))
	}

	It("name a witness for every allowed variant", func() {
		for _, name := range emulator.VariantNames() {
			Expect(witnesses).To(HaveKey(name), "variant %s has no witness: its zero-failure run could pass without exercising it", name)
		}
	})
})
