package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/rebootconf/rebootconf/reports"
)

// console serialises what a run prints while its suites run: plain lines (a suite starting,
// a suite's result) and, on a terminal, one status line redrawn in place under them.
type console struct {
	mu     sync.Mutex
	w      io.Writer
	tty    bool
	status string // drawn on a terminal; "" when none is
}

// isTerminal reports whether w is a terminal that can redraw a line (not TERM=dumb).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

const clearLine = "\r\x1b[K"

// Line prints one plain line; on a terminal the status line is cleared first and redrawn after.
func (c *console) Line(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tty && c.status != "" {
		io.WriteString(c.w, clearLine)
	}
	fmt.Fprintf(c.w, format+"\n", args...)
	if c.tty && c.status != "" {
		io.WriteString(c.w, c.status)
	}
}

// Status redraws the status line on a terminal; elsewhere it prints it as a plain line.
func (c *console) Status(s string) {
	if !c.tty {
		c.Line("%s", s)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status = s
	io.WriteString(c.w, clearLine+s)
}

// Clear removes the status line (before the summary).
func (c *console) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tty && c.status != "" {
		io.WriteString(c.w, clearLine)
	}
	c.status = ""
}

// progressMonitor reads the suites' progress files and keeps the status up to date: every
// second on a terminal, every `every` (when something changed) elsewhere.
type progressMonitor struct {
	con      *console
	files    []string // one progress file per suite
	total    int      // specs the plan selected
	estimate time.Duration
	start    time.Time
	every    time.Duration // plain-line interval off a terminal; 0: none
	now      func() time.Time

	lastDone  int
	lastPlain time.Time
}

// run updates the status until stop is closed.
func (m *progressMonitor) run(stop <-chan struct{}) {
	refresh := time.Second
	if !m.con.tty {
		if m.every <= 0 {
			return
		}
		refresh = min(refresh, m.every)
	}
	tick := time.NewTicker(refresh)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			m.update()
		}
	}
}

// update reads the progress files and shows the status if it is due.
func (m *progressMonitor) update() {
	var sum reports.Progress
	for _, f := range m.files {
		p, _ := reports.ReadProgress(f)
		sum.Done += p.Done
		sum.Failed += p.Failed
	}
	now := m.now()
	if !m.con.tty && (sum.Done == m.lastDone || now.Sub(m.lastPlain) < m.every) {
		return
	}
	m.lastDone, m.lastPlain = sum.Done, now
	m.con.Status(progressText(sum.Done, m.total, sum.Failed, now.Sub(m.start), m.estimate))
}

// progressText is the status line: specs done of the plan's total, failures so far, elapsed
// time and the time left (from the pace so far, or from the plan's estimate before the first
// spec ends).
func progressText(done, total, failed int, elapsed, estimate time.Duration) string {
	left := "time left unknown"
	switch {
	case done >= total:
		left = "finishing"
	case done > 0:
		left = "about " + roundDur(elapsed*time.Duration(total-done)/time.Duration(done)).String() + " left"
	case estimate > elapsed:
		left = "about " + roundDur(estimate-elapsed).String() + " left (plan estimate)"
	}
	return fmt.Sprintf("progress: %d/%d specs, %d failed, %s elapsed, %s", done, total, failed, roundDur(elapsed), left)
}

// suiteResultLine is the line printed when a suite ends.
func suiteResultLine(name string, r suiteResult, logPath string) string {
	if r.suites.Suites == nil {
		return fmt.Sprintf("-- suite %s: no report; see %s", name, logPath)
	}
	s := reports.Summarize(r.suites)
	line := fmt.Sprintf("-- suite %s: %d specs, %d passed, %d failed, %d errors, %d skipped", name, s.Tests, s.Passed, s.Failed, s.Errors, s.Skipped)
	if s.Interrupted > 0 {
		line += fmt.Sprintf(", %d unfinished", s.Interrupted)
	}
	return line + fmt.Sprintf(" (%s)", s.Time.Round(time.Millisecond))
}
