package reports

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// CheckReportPath accepts a path a report may be written to: a new path or a regular file.
// Anything else already at the path (a directory, a device such as /dev/full, a FIFO, a
// socket, a symbolic link, even one to a regular file) is refused: WriteFile renames over
// the path, which would replace a device node or the link itself, or write where the link
// points.
func CheckReportPath(path string) error {
	if path == "" {
		return errors.New("no path given")
	}
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.Mode().IsRegular():
		return nil
	}
	return fmt.Errorf("%s is %s, not a regular file: give a new path or a regular file", path, describeMode(fi.Mode()))
}

func describeMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}
