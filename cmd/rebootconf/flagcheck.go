package main

import (
	"errors"

	"github.com/rebootconf/rebootconf/fixtures/target"
)

// checkRunNumbers validates every numeric flag of `run` once, before anything runs, with the
// rules the suites apply to the same settings (fixtures/target/limits.go): a value the
// suites would refuse is a usage error here (exit 2), not a failure of every suite later.
func checkRunNumbers(c runConfig) error {
	if err := c.opts.CheckNumbers(true); err != nil {
		return err
	}
	for _, err := range []error{
		target.CheckCount("--fuzz-checks", c.fuzz.checks),
		target.CheckCount("--fuzz-steps", c.fuzz.steps),
		target.CheckCount("--fuzz-reboots", c.fuzz.reboots),
		target.CheckWait("--fuzz-duration", c.fuzz.duration),
		target.CheckPositiveWait("--timeout", c.timeout),
		target.CheckPositiveWait("--preflight-timeout", c.preflight),
	} {
		if err != nil {
			return err
		}
	}
	if c.junit == "" {
		return errors.New(`--junit-report "": name a file for the merged JUnit report`)
	}
	return nil
}

// checkServeNumbers is the same for `serve`.
func checkServeNumbers(c serveConfig) error {
	for _, err := range []error{
		target.CheckRate("--throttle", c.cfg.Throttle),
		target.CheckCount("--max-instances", c.cfg.MaxInstances),
		target.CheckPositiveWait("--shutdown-timeout", c.shutdown),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}
