package reports

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The writer writes only to a new path or a regular file: a FIFO, a directory or a symbolic
// link (even to a regular file) at the path is refused and left as it was.
func TestWriteFileRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	regular := filepath.Join(dir, "elsewhere.xml")
	if err := os.WriteFile(regular, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.xml")
	if err := os.Symlink(regular, link); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for path, kind := range map[string]string{fifo: "named pipe", link: "symbolic link", sub: "directory"} {
		before, _ := os.Lstat(path)
		err := WriteFile(path, Suites{})
		if err == nil || !strings.Contains(err.Error(), kind) {
			t.Errorf("WriteFile over a %s: %v, want a refusal naming it", kind, err)
		}
		if after, _ := os.Lstat(path); after == nil || after.Mode() != before.Mode() {
			t.Errorf("the %s at %s was replaced", kind, path)
		}
	}
	if data, _ := os.ReadFile(regular); string(data) != "keep" {
		t.Errorf("the symlink's target was written: %q", data)
	}
	// A device is refused by the check alone (never written to in a test: as root, the old
	// writer replaced the device node).
	if err := CheckReportPath("/dev/null"); err == nil || !strings.Contains(err.Error(), "character device") {
		t.Errorf("/dev/null: %v, want a refusal", err)
	}
	if err := CheckReportPath(""); err == nil {
		t.Error("an empty path was accepted")
	}
	for _, ok := range []string{filepath.Join(dir, "new.xml"), regular} {
		if err := WriteFile(ok, Suites{}); err != nil {
			t.Errorf("WriteFile %s: %v", ok, err)
		}
	}
}
