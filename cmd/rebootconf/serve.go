package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/rebootconf/rebootconf/fixtures/emulator"
)

// serveCmd runs the reference emulator until SIGINT or SIGTERM.
func serveCmd(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, args, stdout, stderr, os.LookupEnv)
}

// repeated collects a repeatable string flag.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

type serveConfig struct {
	addr      string
	cfg       emulator.Config
	shutdown  time.Duration
	listMuts  bool
	listVars  bool
	remoteOK  bool
	verbose   bool
	worldPath string
	noControl bool
}

// parseServe turns flags into an emulator config; every error is a usage error (exit 2).
func parseServe(args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) (serveConfig, error) {
	var c serveConfig
	var profile, akid, secretEnv string
	var mutants, variants repeated
	fs := newFlags("serve", "[flags]")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:0", "listen address (host:port; port 0 picks a free one)")
	fs.StringVar(&c.worldPath, "world", "", "world file (JSON, see docs/world-file.md)")
	fs.StringVar(&profile, "emulator-profile", "", "transition profile: fast, realistic or immediate (default: the world's, else fast); the same flag as run's")
	// --profile is the older spelling; run's --profile names a credentials profile instead.
	fs.StringVar(&profile, "profile", "", "same as --emulator-profile")
	fs.StringVar(&akid, "access-key-id", "", "AccessKeyId to accept (default: the world's accounts, else testid)")
	fs.StringVar(&secretEnv, "access-key-secret-env", "", "environment variable holding the secret for --access-key-id")
	fs.Var(&mutants, "mutant", "enable a planted bug by name (repeatable; see --list-mutants)")
	fs.BoolVar(&c.listMuts, "list-mutants", false, "print the known mutants and exit")
	fs.Var(&variants, "variant", "enable an allowed variant by name: a faithful choice the document leaves open (repeatable; see --list-variants)")
	fs.BoolVar(&c.listVars, "list-variants", false, "print the allowed variants and exit")
	fs.BoolVar(&c.remoteOK, "allow-non-loopback", false, "allow --addr on a non-loopback interface (the ECS API is then reachable from the network)")
	fs.Float64Var(&c.cfg.Throttle, "throttle", 0, "requests per second per AccessKeyId before Throttling.User (0: off)")
	fs.IntVar(&c.cfg.MaxInstances, "max-instances", 0, "instance limit (default: the world's, else 10000)")
	fs.BoolVar(&c.verbose, "verbose", false, "log every ECS call to stderr")
	fs.BoolVar(&c.noControl, "no-control", false, "serve the ECS API only, without the control API (like an emulator that does not implement it)")
	fs.DurationVar(&c.shutdown, "shutdown-timeout", 5*time.Second, "how long to wait for in-flight requests on SIGINT/SIGTERM")
	if _, err := parseCommandLine(fs, args, 0, stdout, stderr); err != nil {
		return c, err
	}
	if c.listMuts || c.listVars {
		return c, nil
	}
	if err := checkServeNumbers(c); err != nil { // flagcheck.go
		return c, err
	}
	if err := checkLoopback(c.addr, c.remoteOK); err != nil {
		return c, err
	}
	if profile != "" {
		t, err := emulator.Profile(profile)
		if err != nil {
			return c, err
		}
		c.cfg.Transitions = t
	}
	world := &emulator.World{}
	if c.worldPath != "" {
		w, err := emulator.LoadWorld(c.worldPath)
		if err != nil {
			return c, err
		}
		world = w
	}
	switch {
	case akid == "" && secretEnv != "":
		return c, errors.New("--access-key-secret-env needs --access-key-id")
	case akid != "" && secretEnv == "":
		return c, errors.New("--access-key-id needs --access-key-secret-env (the secret is never taken from a flag)")
	case akid != "":
		secret, ok := lookupEnv(secretEnv)
		if !ok || secret == "" {
			return c, fmt.Errorf("environment variable %s (from --access-key-secret-env) is not set", secretEnv)
		}
		kept := world.Accounts[:0:0]
		for _, a := range world.Accounts {
			if a.AccessKeyID != akid {
				kept = append(kept, a)
			}
		}
		world.Accounts = append(kept, emulator.WorldAccount{AccessKeyID: akid, AccessKeySecret: secret})
	}
	c.cfg.World = world
	c.cfg.Mutants = mutants
	c.cfg.Variants = variants
	return c, nil
}

// checkLoopback refuses a non-loopback listen address unless explicitly allowed.
func checkLoopback(addr string, allowed bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %v", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	if !allowed {
		return fmt.Errorf("--addr %q is not a loopback address; pass --allow-non-loopback to listen there", addr)
	}
	return nil
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	c, err := parseServe(args, stdout, stderr, lookupEnv)
	if errors.Is(err, flag.ErrHelp) || errors.Is(err, errUsage) {
		return parseFailure(err) // parseCommandLine has printed the help or the one-line error
	}
	if err != nil {
		fmt.Fprintf(stderr, "rebootconf serve: %v\n", err)
		return 2
	}
	if c.listMuts {
		for _, name := range emulator.MutantNames() {
			m := emulator.Mutants()[name]
			fmt.Fprintf(stdout, "%-26s %s (breaks: %s)\n", name, m.Description, m.Breaks)
		}
		return 0
	}
	if c.listVars {
		for _, name := range emulator.VariantNames() {
			v := emulator.Variants[name]
			fmt.Fprintf(stdout, "%-26s %s (allowed: %s)\n", name, v.Description, v.Allowed)
		}
		return 0
	}
	if c.verbose {
		c.cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	}
	em, err := emulator.New(c.cfg)
	if err != nil {
		fmt.Fprintf(stderr, "rebootconf serve: %v\n", err)
		return 2
	}
	var srv listener
	url := ""
	if c.noControl {
		s, err := serveWithoutControl(c.addr, em)
		if err != nil {
			return listenFailed(stderr, err)
		}
		srv, url = s, s.URL
	} else {
		s, err := emulator.Serve(c.addr, em)
		if err != nil {
			return listenFailed(stderr, err)
		}
		srv, url = s, s.URL
	}
	fmt.Fprintf(stdout, "listening on %s\n", url)
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), c.shutdown)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "rebootconf serve: shutdown: %v\n", err)
		_ = srv.Close()
		return 1
	}
	return 0
}

// listenFailed reports an address serve cannot listen on (in use, not ours): the command
// line names it, so it is a usage error (exit 2), in one line.
func listenFailed(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "rebootconf serve: --addr: %v\n", err)
	return exitConfig
}
