package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rebootconf/rebootconf/reports"
)

// prepareReport runs before anything else (no call has been sent): the report path must be a
// new path or a regular file (never a device, FIFO, directory or symbolic link, which the
// writer's rename would replace), its directory must be writable (a run whose report cannot
// be saved has wasted its reboots), and a report an earlier run left there is removed, so
// that a run ending early (exit 2 at preflight, a crash) never leaves an old report to be
// read as its own.
func prepareReport(path string) error {
	if err := reports.CheckReportPath(path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".rebootconf-write-check-")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	f.Close()
	if err := os.Remove(f.Name()); err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot remove the earlier report %s: %w", path, err)
	}
	return nil
}
