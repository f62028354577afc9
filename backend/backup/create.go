package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/desk"
)

// Phases reported to a ProgressFunc.
const (
	PhaseDatabase = "database"
	PhaseFiles    = "files"
	PhaseVerify   = "verify"
	PhaseCheck    = "check" // PRAGMA integrity_check: Total 0, no byte count
	PhaseStage    = "stage"
	PhaseSwap     = "swap"
	PhaseDone     = "done"
)

// Progress is how far a job is: bytes done of the bytes the phase handles.
type Progress struct {
	Phase       string
	Done, Total int64
}

// ProgressFunc receives progress; it may be nil. Callers throttle it.
type ProgressFunc func(Progress)

func (p ProgressFunc) report(phase string, done, total int64) {
	if p != nil {
		p(Progress{Phase: phase, Done: done, Total: total})
	}
}

// Create writes a backup of the desk's practice into a new folder inside
// dir and returns its manifest and path. The database is copied with VACUUM
// INTO, which reads one consistent snapshot while the desk keeps writing;
// then every stored file the snapshot knows is copied with files.Store.CopyTo
// (which verifies each hash), and manifest.json is written last. The work
// happens in "<folder>.partial", renamed to its final name only when
// complete, so an interrupted backup never looks like a finished one.
// Cancelling ctx stops it and removes what it wrote. The backup is recorded
// in the audit log.
func Create(ctx context.Context, d *desk.Desk, a access.Actor, dir string, progress ProgressFunc) (Manifest, string, error) {
	if err := access.CheckBackup(a); err != nil {
		return Manifest{}, "", err
	}
	dir, err := backupTarget(dir, d.Dir)
	if err != nil {
		return Manifest{}, "", err
	}
	final := uniqueName(filepath.Join(dir, FolderPrefix+d.Clock.Now().Local().Format("2006-01-02 150405")))
	partial := final + partialSuffix
	if err := os.Mkdir(partial, 0o700); err != nil {
		return Manifest{}, "", writeErr(err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(partial)
		}
	}()
	m, err := writeBackup(ctx, d, partial, progress)
	if err != nil {
		if ctx.Err() != nil {
			return Manifest{}, "", apperr.New(apperr.Cancelled, "The backup was cancelled. Nothing was kept.")
		}
		return Manifest{}, "", err
	}
	if err := os.Rename(partial, final); err != nil {
		return Manifest{}, "", writeErr(err)
	}
	ok = true
	_ = syncDir(dir)
	err = d.DB.Tx(func(tx *gorm.DB) error {
		return d.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: audit.ActBackupCreated, Detail: map[string]any{
			"name": filepath.Base(final), "files": len(m.Files), "bytes": m.TotalBytes(), "unavailable": len(m.Unavailable)}})
	})
	if err != nil {
		return m, final, err
	}
	progress.report(PhaseDone, m.TotalBytes(), m.TotalBytes())
	return m, final, nil
}

func writeErr(err error) error {
	return apperr.Wrap(apperr.FileUnreadable, "ClinicDesk couldn't write the backup there. Check that the drive is connected and has room, then try again.", err)
}

// backupTarget checks the chosen folder: it must exist, and must not be
// inside the practice's data directory (a restore would move it away).
func backupTarget(dir, dataDir string) (string, error) {
	dir = strings.TrimSpace(dir)
	if dir == "" || strings.ContainsRune(dir, 0) || !filepath.IsAbs(dir) {
		return "", apperr.Invalid("dir", "Choose a folder for the backup.")
	}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return "", apperr.Invalid("dir", "That folder doesn't exist. Choose another folder for the backup.")
	}
	if within(dir, dataDir) {
		return "", apperr.Invalid("dir", "Choose a folder outside ClinicDesk's own data folder: a backup must survive losing the data it copies.")
	}
	return filepath.Clean(dir), nil
}

// within reports whether p is dir or inside it (after resolving links).
func within(p, dir string) bool {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		dir = r
	}
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func uniqueName(p string) string {
	cand := p
	for i := 2; ; i++ {
		_, err1 := os.Lstat(cand)
		_, err2 := os.Lstat(cand + partialSuffix)
		if errors.Is(err1, fs.ErrNotExist) && errors.Is(err2, fs.ErrNotExist) {
			return cand
		}
		cand = fmt.Sprintf("%s (%d)", p, i)
	}
}

func writeBackup(ctx context.Context, d *desk.Desk, folder string, progress ProgressFunc) (Manifest, error) {
	m := Manifest{Format: FormatName, FormatVersion: FormatVersion, CreatedAt: d.Clock.Now().UTC()}

	// The database: one consistent snapshot, whatever the desk writes meanwhile.
	var dbSize int64
	for _, p := range []string{d.DB.Path(), d.DB.Path() + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			dbSize += fi.Size()
		}
	}
	progress.report(PhaseDatabase, 0, dbSize)
	dbPath := filepath.Join(folder, DBName)
	// The copy grows as VACUUM INTO writes it: its size is the progress.
	stopWatch := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stopWatch:
				return
			case <-t.C:
				if fi, err := os.Stat(dbPath); err == nil && fi.Size() < dbSize {
					progress.report(PhaseDatabase, fi.Size(), dbSize)
				}
			}
		}
	}()
	err := d.DB.WithContext(ctx).Exec(`VACUUM INTO ?`, dbPath).Error
	close(stopWatch)
	<-watched
	if err != nil {
		return m, fmt.Errorf("copy the database: %w", err)
	}
	if err := os.Chmod(dbPath, 0o600); err != nil {
		return m, writeErr(err)
	}
	copyDB, closeDB, err := openCopy(dbPath, false)
	if err != nil {
		return m, fmt.Errorf("open the database copy: %w", err)
	}
	defer closeDB()
	if err := quickCheck(copyDB); err != nil {
		return m, fmt.Errorf("database copy: %w", err)
	}
	if m.SchemaVersion, err = schemaVersion(copyDB); err != nil {
		return m, err
	}
	if m.Counts, err = tableCounts(copyDB); err != nil {
		return m, err
	}
	if m.AuditHead, err = auditHead(copyDB); err != nil {
		return m, err
	}
	m.PracticeName = practiceName(copyDB)
	required, err := requiredBlobs(copyDB)
	if err != nil {
		return m, err
	}
	known, err := knownBlobs(copyDB)
	if err != nil {
		return m, err
	}
	closeDB()
	if err := syncFile(dbPath); err != nil {
		return m, writeErr(err)
	}
	if m.Database, err = describe(dbPath, DBName); err != nil {
		return m, err
	}
	progress.report(PhaseDatabase, dbSize, dbSize)

	// The files the snapshot knows: every referenced one must come along;
	// staged-but-unsent ones come when their bytes are still there.
	set := map[string]bool{}
	for _, s := range known {
		set[s] = true
	}
	for s := range required {
		set[s] = true
	}
	shas := make([]string, 0, len(set))
	for s := range set {
		shas = append(shas, s)
	}
	sort.Strings(shas)
	var total, done int64
	for _, s := range shas {
		if fi, err := os.Stat(d.Blobs.Path(s)); err == nil {
			total += fi.Size()
		}
	}
	progress.report(PhaseFiles, 0, total)
	dirs := map[string]bool{}
	for _, s := range shas {
		if err := ctx.Err(); err != nil {
			return m, err
		}
		dst := filepath.Join(folder, filepath.FromSlash(BlobPath(s)))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return m, writeErr(err)
		}
		dirs[filepath.Dir(dst)] = true
		if err := d.Blobs.CopyTo(ctx, s, dst); err != nil {
			if ctx.Err() != nil {
				return m, ctx.Err()
			}
			switch apperr.CodeOf(err) {
			case apperr.NotFound:
				if required[s] {
					m.Unavailable = append(m.Unavailable, Unavailable{SHA256: s, Reason: "missing"})
				}
				continue
			case apperr.FileCorrupt, apperr.FileUnreadable:
				if required[s] {
					m.Unavailable = append(m.Unavailable, Unavailable{SHA256: s, Reason: "damaged"})
				}
				continue
			}
			return m, writeErr(err)
		}
		fi, err := os.Stat(dst)
		if err != nil {
			return m, writeErr(err)
		}
		// CopyTo renamed bytes whose hash it checked: the name is their hash.
		m.Files = append(m.Files, FileEntry{Path: BlobPath(s), SHA256: s, Size: fi.Size()})
		done += fi.Size()
		progress.report(PhaseFiles, done, total)
	}
	for dir := range dirs {
		if err := syncDir(dir); err != nil {
			return m, writeErr(err)
		}
	}
	for _, dir := range []string{filepath.Join(folder, "files", "blobs"), filepath.Join(folder, "files")} {
		if _, err := os.Stat(dir); err == nil {
			_ = syncDir(dir)
		}
	}

	b, err := m.encode()
	if err != nil {
		return m, err
	}
	if err := writeFileSynced(filepath.Join(folder, ManifestName), b); err != nil {
		return m, writeErr(err)
	}
	if err := syncDir(folder); err != nil {
		return m, writeErr(err)
	}
	return m, nil
}

// describe hashes the file at p.
func describe(p, rel string) (FileEntry, error) {
	sha, size, err := hashFile(context.Background(), p, nil)
	if err != nil {
		return FileEntry{}, err
	}
	return FileEntry{Path: rel, SHA256: sha, Size: size}, nil
}

// hashFile streams the file at p through SHA-256, reporting bytes read.
func hashFile(ctx context.Context, p string, onBytes func(int64)) (string, int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := copyCtx(ctx, h, f, onBytes)
	if err != nil {
		return "", n, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// copyCtx copies src to dst in 256 KB reads, checking ctx between reads.
func copyCtx(ctx context.Context, dst io.Writer, src io.Reader, onBytes func(int64)) (int64, error) {
	buf := make([]byte, 256<<10)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		k, rerr := src.Read(buf)
		if k > 0 {
			if _, err := dst.Write(buf[:k]); err != nil {
				return n, err
			}
			n += int64(k)
			if onBytes != nil {
				onBytes(int64(k))
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}

func writeFileSynced(p string, b []byte) error {
	tmp := p + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

func syncFile(p string) error {
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// syncDir makes renames and new entries in dir durable. Windows cannot
// fsync a directory (and does not need to).
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
