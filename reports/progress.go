package reports

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"strings"

	"github.com/onsi/ginkgo/v2/types"
)

// A suite process appends one line per finished spec to its progress file (the JUnit report
// is written only when the suite ends): "<verdict>\t<spec text>\n". `rebootconf run` counts
// the lines to show progress while suites run.

// EnvProgress names a suite process's progress file (set by `rebootconf run`).
const EnvProgress = "REBOOTCONF_PROGRESS"

// ProgressLine is the progress-file line for one finished spec.
func ProgressLine(state types.SpecState, text string) string {
	v := "passed"
	switch {
	case state.Is(types.SpecStateInterrupted):
		v = TypeInterrupted
	case state.Is(types.SpecStateFailureStates):
		v = "failed"
	case state.Is(types.SpecStateSkipped | types.SpecStatePending):
		v = "skipped"
	}
	return v + "\t" + strings.Join(strings.Fields(text), " ") + "\n"
}

// Progress counts a suite's finished specs.
type Progress struct{ Done, Failed, Skipped int }

// ReadProgress counts the lines of a progress file; a file not yet written counts nothing.
// A half-written last line is not counted.
func ReadProgress(path string) (Progress, error) {
	var p Progress
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return p, nil // EOF, or a line still being written
		}
		verdict, _, _ := strings.Cut(line, "\t")
		p.Done++
		switch verdict {
		case "failed":
			p.Failed++
		case "skipped":
			p.Skipped++
		}
	}
}
