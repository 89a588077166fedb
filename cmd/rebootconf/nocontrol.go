package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/control"
	"github.com/rebootconf/rebootconf/fixtures/emulator"
)

// listener is what serve needs of a running server.
type listener interface {
	Shutdown(ctx context.Context) error
	Close() error
}

// ecsOnlyServer serves the emulator's ECS API with the control API switched off, so it looks
// like an emulator that does not implement the control protocol (or like the real cloud):
// the harness must provision through RunInstances and skip what it cannot produce.
type ecsOnlyServer struct {
	URL  string
	srv  *http.Server
	done chan error
}

func serveWithoutControl(addr string, em *emulator.Emulator) (*ecsOnlyServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, control.PathPrefix) {
			// What the control protocol says an endpoint without it answers.
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"the control API is disabled (serve --no-control)"}`))
			return
		}
		em.ServeHTTP(w, r)
	})
	a := ln.Addr().(*net.TCPAddr)
	host := a.IP
	if host.IsUnspecified() {
		host = net.IPv4(127, 0, 0, 1)
	}
	s := &ecsOnlyServer{URL: "http://" + net.JoinHostPort(host.String(), strconv.Itoa(a.Port)),
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}, done: make(chan error, 1)}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

func (s *ecsOnlyServer) Shutdown(ctx context.Context) error { return s.wait(s.srv.Shutdown(ctx)) }
func (s *ecsOnlyServer) Close() error                       { return s.wait(s.srv.Close()) }

func (s *ecsOnlyServer) wait(stopErr error) error {
	if err := <-s.done; stopErr == nil && err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return stopErr
}
