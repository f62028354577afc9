package backup

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/store"
)

// Seed corpus: testdata/fuzz/FuzzVerifyManifest. Run longer with:
// go test -run '^$' -fuzz '^FuzzVerifyManifest$' ./backend/backup

// A backup folder is outside input (any folder the user picks): Verify
// must never panic on an arbitrary manifest.json, must refuse it with
// InvalidInput or FileCorrupt, and may accept it only when it describes the
// files really there.
func FuzzVerifyManifest(f *testing.F) {
	d, _ := openDemo(f)
	owner := staffByRole(f, d, store.RoleOwner)
	good, folder, err := Create(context.Background(), d, owner, f.TempDir(), nil)
	must(f, err)
	orig, err := os.ReadFile(filepath.Join(folder, ManifestName))
	must(f, err)
	for _, s := range [][]byte{
		orig, []byte("{}"), []byte("null"), []byte("[]"), []byte(""), []byte(`{"format":"clinicdesk-backup"}`),
		bytes.Replace(orig, []byte(`"formatVersion": 1`), []byte(`"formatVersion": 2`), 1),
		bytes.Replace(orig, []byte(`"schemaVersion": `), []byte(`"schemaVersion": 99`), 1),
		bytes.Replace(orig, []byte(`"path": "files/blobs/`), []byte(`"path": "../../../etc/`), 1),
		bytes.Replace(orig, []byte(`"size": `), []byte(`"size": -`), 1),
		bytes.Replace(orig, []byte(`"path": "clinicdesk.db"`), []byte(`"path": "/etc/passwd"`), 1),
		append(append([]byte{}, orig...), []byte("{}")...),
		[]byte(`{"format":"clinicdesk-backup","formatVersion":1,"schemaVersion":1,"createdAt":"2026-01-01T00:00:00Z","database":{"path":"clinicdesk.db","sha256":"` + good.Database.SHA256 + `","size":1e300}}`),
	} {
		f.Add(s)
	}
	files := map[string]bool{good.Database.SHA256: true}
	for _, e := range good.Files {
		files[e.SHA256] = true
	}
	f.Fuzz(func(t *testing.T, manifest []byte) {
		if _, err := ParseManifest(manifest); err != nil {
			if !apperr.Is(err, apperr.InvalidInput) {
				t.Fatalf("ParseManifest: %v", err)
			}
			return // Verify reads the manifest with ParseManifest first
		}
		// Each input gets its own folder: the backup's files hard-linked in,
		// the fuzzed manifest beside them.
		dir := t.TempDir()
		must(t, filepath.WalkDir(folder, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(folder, p)
			if e.IsDir() {
				return os.MkdirAll(filepath.Join(dir, rel), 0o700)
			}
			if rel == ManifestName {
				return nil
			}
			return os.Link(p, filepath.Join(dir, rel))
		}))
		must(t, os.WriteFile(filepath.Join(dir, ManifestName), manifest, 0o600))
		m, err := Verify(context.Background(), dir, nil)
		if err != nil {
			if c := apperr.CodeOf(err); c != apperr.InvalidInput && c != apperr.FileCorrupt {
				t.Fatalf("Verify: %v", err)
			}
			return
		}
		if m.Database.SHA256 != good.Database.SHA256 || !sameCounts(m.Counts, good.Counts) {
			t.Fatalf("Verify accepted a manifest that does not describe the database: %+v", m)
		}
		for _, e := range m.Files {
			if !files[e.SHA256] {
				t.Fatalf("Verify accepted a file that is not in the backup: %+v", e)
			}
		}
	})
}
