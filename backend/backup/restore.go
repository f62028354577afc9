package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/clock"
)

// Names beside and inside the data directory during a restore.
const (
	stageMarker  = ".clinicdesk-restore-stage" // inside a staged copy until it is in place
	stageInfix   = ".restore-"                 // .<data dir name>.restore-<id>
	journalInfix = ".restore-journal.json"     // .<data dir name>.restore-journal.json
	deskIDName   = "desk-id"
)

// Result is what a restore did.
type Result struct {
	Manifest Manifest
	// PreviousData is where the replaced practice was moved ("" when there
	// was none). It is kept so a mistaken restore can be undone by hand.
	PreviousData string
}

// Staged is a verified backup copied beside the data directory, ready to
// be swapped in by Commit while the desk is closed.
type Staged struct {
	Manifest  Manifest
	backupDir string
	dataDir   string
	stage     string
	done      bool
}

// journal records a swap in progress so Recover can finish or undo it.
type journal struct {
	Stage    string `json:"stage"`
	Previous string `json:"previous"`
}

// crashAt lets tests stop a restore after a step, as a crash would.
var crashAt func(step string) bool

var errSimulatedCrash = errors.New("backup: simulated crash")

func step(name string) error {
	if crashAt != nil && crashAt(name) {
		return errSimulatedCrash
	}
	return nil
}

// Restore replaces the practice in dataDir with the backup in backupDir:
// it copies the backup into a sibling folder checking every file's size and
// SHA-256 against the manifest as it copies, flushes it to disk, runs
// PRAGMA integrity_check and the manifest checks on the staged database, and
// only then swaps the folders by rename. A crash leaves either the old or the new practice in
// dataDir (see Recover). The desk on dataDir must be closed.
func Restore(ctx context.Context, a access.Actor, backupDir, dataDir string, progress ProgressFunc) (Result, error) {
	st, err := Stage(ctx, a, backupDir, dataDir, progress)
	if err != nil {
		return Result{}, err
	}
	defer st.Discard()
	return st.Commit(progress)
}

// Stage copies the backup beside dataDir and verifies the copy (see
// Restore); a damaged backup is refused and the copy removed. The desk may
// keep running meanwhile; nothing in dataDir changes. Call Commit (with the
// desk closed) or Discard.
func Stage(ctx context.Context, a access.Actor, backupDir, dataDir string, progress ProgressFunc) (*Staged, error) {
	if err := access.CheckRestoreBackup(a); err != nil {
		return nil, err
	}
	if !filepath.IsAbs(dataDir) || !filepath.IsAbs(strings.TrimSpace(backupDir)) {
		return nil, apperr.Invalid("dir", "Choose a ClinicDesk backup folder.")
	}
	dataDir = filepath.Clean(dataDir)
	backupDir = filepath.Clean(strings.TrimSpace(backupDir))
	if err := Recover(dataDir); err != nil {
		return nil, err
	}
	// Verification happens on the copy that will be put in place: every
	// file's size and hash while it is copied, then the database checks on
	// the staged database. Each byte is read once, and what is checked is
	// exactly what the swap installs.
	m, err := readManifest(backupDir)
	if err != nil {
		return nil, err
	}
	parent, base := filepath.Split(dataDir)
	stage := filepath.Join(parent, "."+base+stageInfix+clock.NewID())
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, writeErr(err)
	}
	if err := os.Mkdir(stage, 0o700); err != nil {
		return nil, writeErr(err)
	}
	st := &Staged{Manifest: m, backupDir: backupDir, dataDir: dataDir, stage: stage}
	err = st.copyIn(ctx, progress)
	if err == nil {
		progress.report(PhaseCheck, 0, 0)
		err = checkDatabase(filepath.Join(stage, DBName), m)
	}
	if err != nil {
		st.Discard()
		if ctx.Err() != nil {
			return nil, apperr.New(apperr.Cancelled, "The restore was cancelled. Nothing was changed.")
		}
		return nil, err
	}
	return st, nil
}

func (st *Staged) copyIn(ctx context.Context, progress ProgressFunc) error {
	if err := writeFileSynced(filepath.Join(st.stage, stageMarker), []byte("a ClinicDesk restore is being prepared here\n")); err != nil {
		return writeErr(err)
	}
	total, done := st.Manifest.TotalBytes(), int64(0)
	onBytes := func(n int64) { done += n; progress.report(PhaseStage, done, total) }
	progress.report(PhaseStage, 0, total)
	dirs := map[string]bool{st.stage: true}
	entries := append([]FileEntry{st.Manifest.Database}, st.Manifest.Files...)
	for _, e := range entries {
		dst := filepath.Join(st.stage, filepath.FromSlash(e.Path))
		for d := filepath.Dir(dst); len(d) > len(st.stage); d = filepath.Dir(d) {
			dirs[d] = true
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return writeErr(err)
		}
		if err := copyVerified(ctx, filepath.Join(st.backupDir, filepath.FromSlash(e.Path)), dst, e, onBytes); err != nil {
			return err
		}
	}
	for _, d := range []string{filepath.Join(st.stage, "files", "blobs"), filepath.Join(st.stage, "files", "tmp")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return writeErr(err)
		}
		dirs[d], dirs[filepath.Dir(d)] = true, true
	}
	// The desk keeps its own identity (its sync origin), not the backup's.
	if b, err := os.ReadFile(filepath.Join(st.dataDir, deskIDName)); err == nil {
		if err := writeFileSynced(filepath.Join(st.stage, deskIDName), b); err != nil {
			return writeErr(err)
		}
	}
	// Deepest first, so each directory's entry in its parent is durable too.
	list := make([]string, 0, len(dirs))
	for d := range dirs {
		list = append(list, d)
	}
	sort.Slice(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
	for _, d := range list {
		if err := syncDir(d); err != nil {
			return writeErr(err)
		}
	}
	return syncDir(filepath.Dir(st.stage))
}

// copyVerified copies src to dst, hashing as it goes; dst is flushed to
// disk and keeps its name only when size and hash match e.
func copyVerified(ctx context.Context, src, dst string, e FileEntry, onBytes func(int64)) error {
	in, err := os.Open(src)
	if err != nil {
		return damaged(e.Path + " is missing")
	}
	defer in.Close()
	if fi, err := in.Stat(); err != nil || !fi.Mode().IsRegular() {
		return damaged(e.Path + " is not an ordinary file")
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return writeErr(err)
	}
	ok := false
	defer func() {
		if !ok {
			out.Close()
			os.Remove(dst)
		}
	}()
	h := sha256.New()
	n, err := copyCtx(ctx, io.MultiWriter(out, h), in, onBytes)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return writeErr(err)
	}
	if n != e.Size || hex.EncodeToString(h.Sum(nil)) != e.SHA256 {
		return damaged(e.Path + " changed after it was checked")
	}
	if err := out.Sync(); err != nil {
		return writeErr(err)
	}
	if err := out.Close(); err != nil {
		return writeErr(err)
	}
	ok = true
	return nil
}

// Discard removes the staged copy unless it was committed.
func (st *Staged) Discard() {
	if st != nil && !st.done {
		os.RemoveAll(st.stage)
		st.done = true
	}
}

// Commit swaps the staged copy in as the data directory. The desk on it
// must be closed. The replaced practice is kept beside it, named
// "<data dir> before restore <time>".
func (st *Staged) Commit(progress ProgressFunc) (Result, error) {
	if st.done {
		return Result{}, apperr.New(apperr.Conflict, "This restore was already finished or abandoned.")
	}
	progress.report(PhaseSwap, 0, 1)
	prev, err := swapIn(st.stage, st.dataDir)
	if err != nil {
		if errors.Is(err, errSimulatedCrash) {
			st.done = true // a crash cleans up nothing
			return Result{}, err
		}
		return Result{}, apperr.Wrap(apperr.Internal, "The practice could not be replaced by the backup; it was left as it was.", err)
	}
	st.done = true
	progress.report(PhaseSwap, 1, 1)
	return Result{Manifest: st.Manifest, PreviousData: prev}, nil
}

func journalPath(dataDir string) string {
	parent, base := filepath.Split(dataDir)
	return filepath.Join(parent, "."+base+journalInfix)
}

// swapIn puts stage in dataDir's place and returns where the old data went.
func swapIn(stage, dataDir string) (string, error) {
	parent, base := filepath.Split(dataDir)
	parent = filepath.Clean(parent)
	if _, err := os.Lstat(dataDir); errors.Is(err, fs.ErrNotExist) {
		// Nothing to replace (a new computer): one rename.
		if err := os.Rename(stage, dataDir); err != nil {
			return "", err
		}
		if err := syncDir(parent); err != nil {
			return "", err
		}
		return "", finish(dataDir)
	}
	prev := uniqueName(filepath.Join(parent, base+" before restore "+time.Now().Format("2006-01-02 150405")))
	b, _ := json.Marshal(journal{Stage: stage, Previous: prev})
	if err := writeFileSynced(journalPath(dataDir), b); err != nil {
		return "", err
	}
	if err := syncDir(parent); err != nil {
		return "", err
	}
	if err := step("journal"); err != nil {
		return "", err
	}
	err := exchange(stage, dataDir)
	switch {
	case err == nil:
		// dataDir is the new practice; stage holds the old one.
		if err := syncDir(parent); err != nil {
			return "", err
		}
		if err := step("exchange"); err != nil {
			return "", err
		}
		if err := os.Rename(stage, prev); err != nil {
			return "", err
		}
	case errors.Is(err, errNoExchange):
		if err := os.Rename(dataDir, prev); err != nil {
			return "", err
		}
		if err := syncDir(parent); err != nil {
			return "", err
		}
		if err := step("move-old"); err != nil {
			return "", err
		}
		if err := os.Rename(stage, dataDir); err != nil {
			// Put the old practice back.
			if err2 := os.Rename(prev, dataDir); err2 != nil {
				return "", errors.Join(err, err2)
			}
			os.Remove(journalPath(dataDir))
			return "", err
		}
	default:
		os.Remove(journalPath(dataDir))
		return "", err
	}
	if err := syncDir(parent); err != nil {
		return "", err
	}
	if err := step("swapped"); err != nil {
		return "", err
	}
	if err := finish(dataDir); err != nil {
		return "", err
	}
	return prev, nil
}

// finish removes the stage marker from the data directory now in place and
// the journal.
func finish(dataDir string) error {
	if err := os.Remove(filepath.Join(dataDir, stageMarker)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := syncDir(dataDir); err != nil {
		return err
	}
	if err := os.Remove(journalPath(dataDir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return syncDir(filepath.Dir(dataDir))
}

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

// Recover finishes or undoes a restore a crash interrupted, so dataDir
// holds either the old or the new practice, whole; and removes staged
// copies no swap ever used. Call it before opening the desk (Stage calls it
// too). It never deletes a folder that may hold a practice: a replaced
// practice is moved to its "before restore" name, not removed.
func Recover(dataDir string) error {
	dataDir = filepath.Clean(dataDir)
	jp := journalPath(dataDir)
	b, err := os.ReadFile(jp)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// Without a journal, a marker in the data directory is left from a
		// restore onto a new computer that crashed just before finishing.
		if exists(filepath.Join(dataDir, stageMarker)) {
			if err := os.Remove(filepath.Join(dataDir, stageMarker)); err != nil {
				return err
			}
		}
	case err != nil:
		return err
	default:
		var j journal
		if err := json.Unmarshal(b, &j); err != nil || j.Stage == "" || j.Previous == "" ||
			filepath.Dir(j.Stage) != filepath.Dir(dataDir) || filepath.Dir(j.Previous) != filepath.Dir(dataDir) {
			// A torn journal is written before any rename: nothing moved yet.
			os.Remove(jp)
			break
		}
		newInPlace := exists(filepath.Join(dataDir, stageMarker))
		switch {
		case !exists(dataDir) && exists(j.Stage):
			// Old moved away, new not yet in: roll forward (the stage is complete and flushed).
			if err := os.Rename(j.Stage, dataDir); err != nil {
				return err
			}
		case !exists(dataDir) && exists(j.Previous):
			if err := os.Rename(j.Previous, dataDir); err != nil {
				return err
			}
		case newInPlace && exists(j.Stage):
			// Exchanged: the stage name holds the old practice.
			if err := os.Rename(j.Stage, j.Previous); err != nil {
				return err
			}
		}
		if err := syncDir(filepath.Dir(dataDir)); err != nil {
			return err
		}
		if exists(filepath.Join(dataDir, stageMarker)) {
			if err := finish(dataDir); err != nil {
				return err
			}
		} else {
			os.Remove(jp)
		}
	}
	// Staged copies never swapped in carry the marker; anything else with a
	// stage name is left alone.
	parent, base := filepath.Split(dataDir)
	ents, err := os.ReadDir(filepath.Clean(parent))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	for _, e := range ents {
		if e.IsDir() && strings.HasPrefix(e.Name(), "."+base+stageInfix) {
			p := filepath.Join(parent, e.Name())
			if exists(filepath.Join(p, stageMarker)) {
				os.RemoveAll(p)
			}
		}
	}
	return nil
}
