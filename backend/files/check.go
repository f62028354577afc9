package files

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"clinicdesk/backend/apperr"
)

// StaleTempAge is how old a temporary file of this process must be before
// Check reports it as stale (files of other processes are always stale: one
// process owns a store, and NewStore removes them).
const StaleTempAge = time.Hour

// Report is the result of Store.Check. Lists of hashes are sorted.
type Report struct {
	// Blobs is how many blobs were found and verified; Bytes their total size.
	Blobs int
	Bytes int64
	// Missing are expected hashes with no blob.
	Missing []string
	// Corrupt are blobs whose content no longer matches their hash (or that
	// could not be read).
	Corrupt []string
	// Unreferenced are intact blobs for which referenced returned false.
	Unreferenced []string
	// InvalidExpected are entries of expected that are not valid hashes.
	InvalidExpected []string
	// Stray are files under blobs/ that are not where a blob would be (paths
	// relative to the store root); the store never reads them.
	Stray []string
	// StaleTemp are leftover files in tmp/ (paths relative to the store root).
	StaleTemp []string
}

// OK reports whether the check found nothing to act on.
func (r Report) OK() bool {
	return len(r.Missing) == 0 && len(r.Corrupt) == 0 && len(r.Unreferenced) == 0 &&
		len(r.InvalidExpected) == 0 && len(r.Stray) == 0 && len(r.StaleTemp) == 0
}

// Check walks the whole store, verifying every blob's hash, and reports
// expected blobs that are missing, blobs that are corrupt, intact blobs that
// referenced says nothing uses (referenced may be nil: then none are
// reported), stray files and stale temporary files. It changes nothing.
// Cancelling ctx stops the walk with apperr.Cancelled.
func (s *Store) Check(ctx context.Context, expected []string, referenced func(sha string) bool) (Report, error) {
	var rep Report
	found := map[string]bool{}
	err := filepath.WalkDir(s.blobs, func(p string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while walking
			}
			return err
		}
		rel, _ := filepath.Rel(s.root, p)
		if d.IsDir() {
			if p != s.blobs && !validShardDir(s.blobs, p) {
				rep.Stray = append(rep.Stray, rel)
				return filepath.SkipDir
			}
			return nil
		}
		sha := d.Name()
		if !d.Type().IsRegular() || !ValidSHA256(sha) || s.pathOf(sha) != p {
			rep.Stray = append(rep.Stray, rel)
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		switch verr := verifyFile(p, sha); {
		case verr == nil:
		case errors.Is(verr, fs.ErrNotExist):
			return nil
		default:
			found[sha] = true
			rep.Corrupt = append(rep.Corrupt, sha)
			return nil
		}
		found[sha] = true
		rep.Blobs++
		rep.Bytes += fi.Size()
		if referenced != nil && !referenced(sha) {
			rep.Unreferenced = append(rep.Unreferenced, sha)
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return Report{}, apperr.New(apperr.Cancelled, "The storage check was cancelled.")
		}
		return Report{}, storageErr(err)
	}

	seen := map[string]bool{}
	for _, sha := range expected {
		if seen[sha] {
			continue
		}
		seen[sha] = true
		switch {
		case !ValidSHA256(sha):
			rep.InvalidExpected = append(rep.InvalidExpected, sha)
		case !found[sha]:
			rep.Missing = append(rep.Missing, sha)
		}
	}

	stale, err := s.staleTemp(time.Now())
	if err != nil {
		return Report{}, storageErr(err)
	}
	rep.StaleTemp = stale

	for _, l := range [][]string{rep.Missing, rep.Corrupt, rep.Unreferenced, rep.InvalidExpected, rep.Stray, rep.StaleTemp} {
		sort.Strings(l)
	}
	return rep, nil
}

// validShardDir reports whether p is blobs/xx or blobs/xx/yy with hex xx, yy.
func validShardDir(blobs, p string) bool {
	rel, err := filepath.Rel(blobs, p)
	if err != nil {
		return false
	}
	parts := strings.Split(filepath.ToSlash(rel), "/")
	if len(parts) > 2 {
		return false
	}
	for _, part := range parts {
		if len(part) != 2 || !ValidSHA256(strings.Repeat(part, 32)) {
			return false
		}
	}
	return true
}

// staleTemp lists temp files that no running Put of this process owns.
func (s *Store) staleTemp(now time.Time) ([]string, error) {
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		return nil, err
	}
	mine := tmpPrefix + procToken + "-"
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), mine) {
			fi, err := e.Info()
			if err != nil || now.Sub(fi.ModTime()) < StaleTempAge {
				continue // probably a Put in progress
			}
		}
		out = append(out, filepath.Join("tmp", e.Name()))
	}
	return out, nil
}

// UnreferencedGrace is how long after a blob was last written or re-Put
// RemoveUnreferenced leaves it alone, whatever mayRemove says: a Put's
// caller records its reference only after Put returns.
const UnreferencedGrace = 10 * time.Minute

// RemoveUnreferenced removes the blobs listed in shas (typically
// Report.Unreferenced) for which mayRemove returns true, asking again at
// removal time so a blob that gained a reference since the check is kept.
// Blobs written or re-Put within UnreferencedGrace are kept.
// mayRemove must not be nil: the store never decides on its own that a blob
// is garbage. It returns the hashes removed; invalid hashes are skipped.
func (s *Store) RemoveUnreferenced(ctx context.Context, shas []string, mayRemove func(sha string) bool) ([]string, error) {
	if mayRemove == nil {
		return nil, apperr.Invalid("mayRemove", "Nothing was removed: no rule says which files may be removed.")
	}
	var removed []string
	for _, sha := range shas {
		if ctx.Err() != nil {
			return removed, apperr.New(apperr.Cancelled, "Cleaning up stored files was cancelled.")
		}
		if !ValidSHA256(sha) {
			continue
		}
		ok, err := s.removeIf(sha, func(fi fs.FileInfo) bool {
			return time.Since(fi.ModTime()) >= UnreferencedGrace && mayRemove(sha)
		})
		if err != nil {
			return removed, err
		}
		if ok {
			removed = append(removed, sha)
		}
	}
	return removed, nil
}

// removeIf removes the blob for sha when it exists and cond approves, under
// the same lock Put uses to commit, so a concurrent Put of the same content
// either sees the blob gone (and writes it again) or refreshes it first.
func (s *Store) removeIf(sha string, cond func(fs.FileInfo) bool) (bool, error) {
	mu := s.lockFor(sha)
	mu.Lock()
	defer mu.Unlock()
	p := s.pathOf(sha)
	fi, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, storageErr(err)
	}
	if !cond(fi) {
		return false, nil
	}
	if err := os.Remove(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, storageErr(err)
	}
	_ = syncDir(filepath.Dir(p))
	return true, nil
}

// RemoveStaleTemp deletes the temporary files Check reports as stale and
// returns how many it removed.
func (s *Store) RemoveStaleTemp() (int, error) {
	stale, err := s.staleTemp(time.Now())
	if err != nil {
		return 0, storageErr(err)
	}
	n := 0
	for _, rel := range stale {
		if err := os.RemoveAll(filepath.Join(s.root, rel)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, storageErr(err)
		}
		n++
	}
	return n, nil
}

// RemoveIf removes the blob for sha when it exists and keep, asked under the
// lock Put commits under, returns false given the blob's modification time
// (a Put of the same content refreshes it). It reports whether the blob was
// removed. The store never decides on its own that a blob is garbage: cond
// must not be nil.
func (s *Store) RemoveIf(sha string, cond func(modTime time.Time) bool) (bool, error) {
	if !ValidSHA256(sha) {
		return false, badSHA()
	}
	if cond == nil {
		return false, apperr.Invalid("cond", "Nothing was removed: no rule says which files may be removed.")
	}
	return s.removeIf(sha, func(fi fs.FileInfo) bool { return cond(fi.ModTime()) })
}

// ModTime returns when the blob for sha was last written or re-Put, and
// whether it is stored.
func (s *Store) ModTime(sha string) (time.Time, bool) {
	if !ValidSHA256(sha) {
		return time.Time{}, false
	}
	fi, err := os.Stat(s.pathOf(sha))
	if err != nil || !fi.Mode().IsRegular() {
		return time.Time{}, false
	}
	return fi.ModTime(), true
}

// Each calls fn with the hash and modification time of every blob in the
// store, without reading their bytes (Check verifies; this only lists).
// Files that are not where a blob would be are skipped. An error from fn
// stops the walk and is returned; cancelling ctx stops it with
// apperr.Cancelled.
func (s *Store) Each(ctx context.Context, fn func(sha string, modTime time.Time) error) error {
	err := filepath.WalkDir(s.blobs, func(p string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return apperr.New(apperr.Cancelled, "Listing the stored files was cancelled.")
		}
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return storageErr(err)
		}
		if d.IsDir() {
			if p != s.blobs && !validShardDir(s.blobs, p) {
				return filepath.SkipDir
			}
			return nil
		}
		sha := d.Name()
		if !d.Type().IsRegular() || !ValidSHA256(sha) || s.pathOf(sha) != p {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return storageErr(err)
		}
		return fn(sha, fi.ModTime())
	})
	return err
}
