package attachments_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/attachments"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

// signedIn signs staff in on the desk for real (a session of its own).
func signedIn(t *testing.T, d *desk.Desk, s store.Staff) access.Actor {
	t.Helper()
	a, err := d.Auth.SignIn(s.ID, "")
	must(t, err)
	return a
}

// viewed sends a file as a and opens it in the system viewer, returning the
// copy's path and the attachment.
func viewed(t *testing.T, d *desk.Desk, a access.Actor, client store.Client, data string) (string, dto.Attachment) {
	t.Helper()
	sf := stage(t, d, a, "letter.pdf", []byte(data))
	th, err := d.Messages.Compose(a, dto.ComposeRequest{ClientID: client.ID, Subject: "Letter", Files: []dto.OutgoingFile{{Token: sf.Token, Name: sf.Name}}})
	must(t, err)
	att := th.Messages[0].Attachments[0]
	p, err := d.Attachments.ViewCopy(a, att.ID)
	must(t, err)
	return p, att
}

// privateUpTo checks that p is owner-only and every folder from it up to
// (and with) root is 0700.
func privateUpTo(t *testing.T, root, p string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		// Windows has no mode bits (Go reports 0444 or 0666 for files and
		// 0777 for folders): there the copies are private because they sit
		// in the user's own temp folder, whose access list only that user
		// and administrators pass.
		return
	}
	fi, err := os.Stat(p)
	must(t, err)
	if fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("%s is readable by others: %v", p, fi.Mode())
	}
	for dir := filepath.Dir(p); ; dir = filepath.Dir(dir) {
		fi, err := os.Stat(dir)
		must(t, err)
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("folder %s has mode %v, want 0700", dir, fi.Mode().Perm())
		}
		if dir == root || len(dir) <= len(root) {
			break
		}
	}
}

func gone(t *testing.T, p, when string) {
	t.Helper()
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("the viewer copy %s is still there after %s (%v)", p, when, err)
	}
}

// Viewer copies are private to the session that made them and removed when
// it ends: sign-out, switch user, lock and app exit.
func TestViewerCopiesArePrivateAndRemovedWhenTheSessionEnds(t *testing.T) {
	for _, end := range []string{"sign out", "switch user", "lock", "exit"} {
		t.Run(end, func(t *testing.T) {
			d, _ := testutil.Desk(t, false)
			sam := testutil.AddStaff(t, d, "Sam", store.RoleClinician)
			olga := testutil.AddStaff(t, d, "Olga", store.RoleOwner)
			client := testutil.AddClient(t, d, "Casey")
			a := signedIn(t, d, sam)
			p, att := viewed(t, d, a, client, "%PDF-1.4\n% a letter\n")
			root := d.Attachments.ViewDir
			if !strings.HasPrefix(p, root+string(filepath.Separator)) {
				t.Fatalf("copy %s is not in the viewer folder %s", p, root)
			}
			privateUpTo(t, root, p)
			if !strings.HasPrefix(filepath.Base(root), attachments.ViewDirPrefix) {
				t.Errorf("viewer folder %s is not named %s…", root, attachments.ViewDirPrefix)
			}
			// The in-app preview's copy lives in the same session folder.
			pre, err := d.Attachments.SessionCopy(a, "preview-"+att.ID, att.Name, strings.NewReader("%PDF-1.4\n"))
			must(t, err)
			switch end {
			case "sign out":
				must(t, d.Auth.SignOut())
			case "switch user":
				signedIn(t, d, olga)
			case "lock":
				must(t, d.Auth.Lock())
			case "exit":
				must(t, d.Close())
				if _, err := os.Stat(root); !os.IsNotExist(err) {
					t.Errorf("the viewer folder outlived the app: %v", err)
				}
			}
			gone(t, p, end)
			gone(t, pre, end)
		})
	}
}

// A crash (or a kill) skips Close: the next start on the same data folder
// removes the viewer folders the earlier run left, and only those.
func TestViewerFoldersOfAnEarlierRunAreRemovedAtNextStart(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	d1, err := desk.Open(context.Background(), dir, desk.Options{})
	must(t, err)
	sam := testutil.AddStaff(t, d1, "Sam", store.RoleClinician)
	client := testutil.AddClient(t, d1, "Casey")
	p, _ := viewed(t, d1, signedIn(t, d1, sam), client, "crash me\n")
	d1.DB.Close() // the process dies here: no Close, the copy stays

	elsewhere, err := desk.Open(context.Background(), other, desk.Options{})
	must(t, err)
	defer elsewhere.Close()

	d2, err := desk.Open(context.Background(), dir, desk.Options{})
	must(t, err)
	defer d2.Close()
	gone(t, p, "the next start")
	if _, err := os.Stat(d1.Attachments.ViewDir); !os.IsNotExist(err) {
		t.Errorf("the earlier run's viewer folder is still there: %v", err)
	}
	for _, keep := range []string{d2.Attachments.ViewDir, elsewhere.Attachments.ViewDir} {
		if fi, err := os.Stat(keep); err != nil || !fi.IsDir() {
			t.Errorf("a running desk's viewer folder %s was removed: %v", keep, err)
		}
	}
}

// Files.StagePaths refuses the desk's own copies: anything inside the data
// folder (database, blob store) or a viewer folder, however the path is
// written (links, "..").
func TestStagingRefusesTheDesksOwnFiles(t *testing.T) {
	d, _ := testutil.Desk(t, false)
	sam := testutil.AddStaff(t, d, "Sam", store.RoleClinician)
	client := testutil.AddClient(t, d, "Casey")
	a := signedIn(t, d, sam)
	viewCopy, att := viewed(t, d, a, client, "private letter\n")
	var row store.Attachment
	must(t, d.DB.First(&row, "id = ?", att.ID).Error)

	outside := t.TempDir()
	link := filepath.Join(outside, "innocent.txt")
	must(t, os.Symlink(viewCopy, link))
	linkDir := filepath.Join(outside, "docs")
	must(t, os.Symlink(filepath.Join(d.Dir, "files"), linkDir))
	otherRun, err := os.MkdirTemp("", attachments.ViewDirPrefix+"test-")
	must(t, err)
	defer os.RemoveAll(otherRun)
	must(t, os.WriteFile(filepath.Join(otherRun, "copy.txt"), []byte("someone's copy\n"), 0o600))

	paths := map[string]string{
		"the database":                filepath.Join(d.Dir, "clinicdesk.db"),
		"a stored blob":               d.Blobs.Path(row.BlobSHA256),
		"a viewer copy":               viewCopy,
		"a link to a viewer copy":     link,
		"a blob through a linked dir": filepath.Join(linkDir, "blobs", row.BlobSHA256[:2], row.BlobSHA256[2:4], row.BlobSHA256),
		"a path with ..":              outside + "/../" + filepath.Base(outside) + "/docs/../docs/blobs/" + row.BlobSHA256[:2] + "/" + row.BlobSHA256[2:4] + "/" + row.BlobSHA256,
		"another run's viewer folder": filepath.Join(otherRun, "copy.txt"),
		"the data folder's desk id":   filepath.Join(d.Dir, "desk-id"),
	}
	// A relative path into the data folder, where one exists (on Windows the
	// temp folder may be on another drive than the working directory).
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, filepath.Join(d.Dir, "desk-id")); err == nil {
			paths["a relative path into the dir"] = rel
		} else if runtime.GOOS != "windows" {
			t.Fatal(err)
		}
	}
	for name, p := range paths {
		t.Run(name, func(t *testing.T) {
			// The ".." path goes through the linked folder too.
			if runtime.GOOS == "windows" && (strings.Contains(name, "link") || name == "a path with ..") {
				t.Skip("links made by a test without privileges are not followed on Windows")
			}
			_, err := d.Attachments.Stage(context.Background(), a, p, nil)
			if !apperr.Is(err, apperr.FileLocationRefused) || apperr.As(err).Message == "" {
				t.Fatalf("staging %s: %v, want file_location_refused", p, err)
			}
		})
	}
	ok := filepath.Join(outside, "fine.txt")
	must(t, os.WriteFile(ok, []byte("an ordinary file\n"), 0o600))
	if _, err := d.Attachments.Stage(context.Background(), a, ok, nil); err != nil {
		t.Fatalf("an ordinary file was refused: %v", err)
	}
}

// The picker and drag-and-drop in the window stage by path: size, emptiness
// and folders are refused from the file's metadata before a byte is read or
// written. The oversize file here is sparse zeros, which the type check
// would refuse as a file of no known type had any of it been read.
func TestStagingByPathRefusesLimitsBeforeReading(t *testing.T) {
	d, _ := testutil.Desk(t, false)
	a := signedIn(t, d, testutil.AddStaff(t, d, "Sam", store.RoleClinician))
	dir := t.TempDir()
	big := filepath.Join(dir, "scan.pdf")
	f, err := os.Create(big)
	must(t, err)
	must(t, f.Truncate(60<<20))
	must(t, f.Close())
	empty := filepath.Join(dir, "empty.txt")
	must(t, os.WriteFile(empty, nil, 0o600))
	folder := filepath.Join(dir, "Scans")
	must(t, os.Mkdir(folder, 0o700))
	for p, want := range map[string]apperr.Code{big: apperr.FileTooLarge, empty: apperr.FileEmpty, folder: apperr.FileIsFolder} {
		if _, err := d.Attachments.Stage(context.Background(), a, p, nil); !apperr.Is(err, want) {
			t.Errorf("staging %s: %v, want %s", filepath.Base(p), err, want)
		}
	}
	for _, sub := range []string{"tmp", "blobs"} {
		ents, _ := os.ReadDir(filepath.Join(d.Blobs.Root(), sub))
		if len(ents) != 0 {
			t.Errorf("files/%s holds %d entries after refusals", sub, len(ents))
		}
	}
}
