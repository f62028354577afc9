//go:build unix

package files

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"clinicdesk/backend/apperr"
)

// unixImportRefusals are the refusals only a Unix file system can set up: a
// broken symbolic link, a FIFO (reading it would block forever), a link to a
// folder and, when not root, a file without read permission.
func unixImportRefusals(t *testing.T, dir, folder string) []importRefusal {
	broken := filepath.Join(dir, "link.pdf")
	os.Symlink(filepath.Join(dir, "gone.pdf"), broken)
	fifo := filepath.Join(dir, "pipe.pdf")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	folderLink := filepath.Join(dir, "folderlink")
	os.Symlink(folder, folderLink)
	out := []importRefusal{
		{"broken link", broken, 0, apperr.FileUnreadable},
		{"fifo", fifo, 0, apperr.FileUnreadable},
		{"link to folder", folderLink, 0, apperr.FileIsFolder},
	}
	if os.Geteuid() != 0 {
		locked := filepath.Join(dir, "locked.pdf")
		writeFile(t, locked, minimalPDF())
		os.Chmod(locked, 0)
		out = append(out, importRefusal{"no permission", locked, 0, apperr.FileUnreadable})
	}
	return out
}
