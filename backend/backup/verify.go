package backup

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/dto"
)

func damaged(what string) error {
	return apperr.New(apperr.FileCorrupt, "This backup is damaged ("+what+"), so it can't be used to restore. Nothing was changed. Try another backup.")
}

// readManifest reads dir/manifest.json (a regular file of bounded size).
func readManifest(dir string) (Manifest, error) {
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return Manifest{}, apperr.Invalid("dir", "That folder doesn't exist. Choose a ClinicDesk backup folder.")
	}
	p := filepath.Join(dir, ManifestName)
	fi, err = os.Lstat(p)
	if err != nil || !fi.Mode().IsRegular() {
		return Manifest{}, notABackup("it has no manifest.json. Choose a folder named \"" + FolderPrefix + "…\".")
	}
	if fi.Size() > maxManifestBytes {
		return Manifest{}, notABackup("its manifest is too large.")
	}
	f, err := os.Open(p)
	if err != nil {
		return Manifest{}, notABackup("its manifest cannot be read.")
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxManifestBytes+1))
	if err != nil {
		return Manifest{}, notABackup("its manifest cannot be read.")
	}
	return ParseManifest(b)
}

// checkFile checks that rel inside dir is a regular file of the manifest's
// size and hash.
func checkFile(ctx context.Context, dir string, e FileEntry, onBytes func(int64)) error {
	p := filepath.Join(dir, filepath.FromSlash(e.Path))
	fi, err := os.Lstat(p)
	if err != nil {
		return damaged(e.Path + " is missing")
	}
	if !fi.Mode().IsRegular() {
		return damaged(e.Path + " is not an ordinary file")
	}
	if fi.Size() != e.Size {
		return damaged(fmt.Sprintf("%s has %d bytes instead of %d", e.Path, fi.Size(), e.Size))
	}
	sha, _, err := hashFile(ctx, p, onBytes)
	if err != nil {
		if ctx.Err() != nil {
			return apperr.New(apperr.Cancelled, "Checking the backup was cancelled. Nothing was changed.")
		}
		return damaged(e.Path + " cannot be read")
	}
	if sha != e.SHA256 {
		return damaged(e.Path + " does not match its recorded fingerprint")
	}
	return nil
}

// Verify checks a backup folder against its manifest: the database's size
// and SHA-256, PRAGMA integrity_check on it, its schema version and row
// counts, every file's size and SHA-256, and that every file the database
// refers to is in the backup (or recorded as unavailable when it was made).
// It returns the manifest when all is well. It reads only; it never panics
// on a damaged or hostile folder.
func Verify(ctx context.Context, dir string, progress ProgressFunc) (Manifest, error) {
	m, err := readManifest(dir)
	if err != nil {
		return Manifest{}, err
	}
	total, done := m.TotalBytes(), int64(0)
	onBytes := func(n int64) { done += n; progress.report(PhaseVerify, done, total) }
	progress.report(PhaseVerify, 0, total)
	if err := checkFile(ctx, dir, m.Database, onBytes); err != nil {
		return Manifest{}, err
	}
	progress.report(PhaseCheck, 0, 0)
	if err := checkDatabase(filepath.Join(dir, DBName), m); err != nil {
		return Manifest{}, err
	}
	for _, f := range m.Files {
		if err := checkFile(ctx, dir, f, onBytes); err != nil {
			return Manifest{}, err
		}
	}
	return m, nil
}

// checkDatabase opens the copy read-only and compares it with the manifest.
func checkDatabase(p string, m Manifest) error {
	db, closeDB, err := openCopy(p, false)
	if err != nil {
		return damaged("its database cannot be opened")
	}
	defer closeDB()
	if err := integrityCheck(db); err != nil {
		return damaged("its database failed the integrity check")
	}
	v, err := schemaVersion(db)
	if err != nil || v != m.SchemaVersion {
		return damaged("its database is not the one the manifest describes")
	}
	counts, err := tableCounts(db)
	if err != nil || !sameCounts(counts, m.Counts) {
		return damaged("its database's tables do not match the manifest")
	}
	required, err := requiredBlobs(db)
	if err != nil {
		return damaged("its database cannot be read")
	}
	have := make(map[string]bool, len(m.Files)+len(m.Unavailable))
	for _, f := range m.Files {
		have[f.SHA256] = true
	}
	for _, u := range m.Unavailable {
		have[u.SHA256] = true
	}
	for s := range required {
		if !have[s] {
			return damaged("a file the practice uses is not in it")
		}
	}
	return nil
}

func sameCounts(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// Info describes a verified backup for the UI.
func Info(dir string, m Manifest) dto.BackupInfo {
	counts := make(map[string]int64, len(m.Counts))
	for k, v := range m.Counts {
		counts[k] = v
	}
	return dto.BackupInfo{Path: dir, CreatedAt: clock.RFC3339(m.CreatedAt), PracticeName: m.PracticeName, SchemaVersion: m.SchemaVersion,
		Files: len(m.Files), Bytes: m.TotalBytes(), Counts: counts, Unavailable: len(m.Unavailable)}
}
