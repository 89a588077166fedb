package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/onsi/ginkgo/v2/types"
)

// errUsage is a usage mistake that has already been reported on one line.
var errUsage = errors.New("usage")

// newFlags is a command's flag set: it never prints by itself (parseCommandLine reports
// problems on one line and prints help on stdout), and -h shows synopsis and summary.
func newFlags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: rebootconf %s %s\n%s\n", name, synopsis, commandSummary(name))
		if help := commandHelp[name]; help != "" {
			fmt.Fprintln(w, help)
		}
		fmt.Fprintln(w, "flags (before or after the arguments):")
		fs.PrintDefaults()
	}
	return fs
}

// parseCommandLine parses flags on either side of the arguments (the flag package alone
// stops at the first argument) and checks the argument count: want is the number expected,
// -1 for any. Everything after "--" is an argument. -h prints the help on stdout and returns
// flag.ErrHelp; a mistake is reported on stderr in one line and returns errUsage.
func parseCommandLine(fs *flag.FlagSet, args []string, want int, stdout, stderr io.Writer) ([]string, error) {
	var pos []string
	usage := fs.Usage
	fs.Usage = func() {} // the flag package would print the whole usage on every mistake
	defer func() { fs.Usage = usage }()
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(stdout)
				usage()
				fs.SetOutput(io.Discard)
				return nil, err
			}
			return nil, usageErr(fs, stderr, err.Error())
		}
		rest := fs.Args()
		if consumed := args[:len(args)-len(rest)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	switch {
	case want == 0 && len(pos) > 0:
		return nil, usageErr(fs, stderr, fmt.Sprintf("unexpected argument %q (it takes flags only)", pos[0]))
	case want > 0 && len(pos) != want:
		return nil, usageErr(fs, stderr, fmt.Sprintf("want %d argument(s), got %d", want, len(pos)))
	}
	return pos, nil
}

// usageErr prints a one-line usage error naming where the help is.
func usageErr(fs *flag.FlagSet, stderr io.Writer, msg string) error {
	fmt.Fprintf(stderr, "rebootconf %s: %s (see 'rebootconf help %s')\n", fs.Name(), msg, fs.Name())
	return errUsage
}

// parseFailure is the exit code after a command line was refused: 0 when -h asked for help,
// else a usage error.
func parseFailure(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitPass
	}
	return exitConfig
}

var ansiRE = regexp.MustCompile("\x1b\\[[0-9;]*m")

// labelFilterError is Ginkgo's label-filter syntax error on one line without colour codes
// (Ginkgo formats it for a terminal).
func labelFilterError(err error) string {
	var ge types.GinkgoError
	if !errors.As(err, &ge) {
		return strings.Join(strings.Fields(ansiRE.ReplaceAllString(err.Error(), "")), " ")
	}
	msg := ansiRE.ReplaceAllString(ge.Message, "")
	lines := strings.Split(strings.TrimSpace(msg), "\n")
	reason := strings.TrimSpace(lines[len(lines)-1])
	return strings.TrimSpace(ge.Heading + ": " + reason)
}
