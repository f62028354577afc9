package files

import (
	"archive/zip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"clinicdesk/backend/apperr"
)

// Blob describes one stored file content.
type Blob struct {
	// SHA256 is the lowercase hex SHA-256 of the content; it is the blob's
	// identity and the only thing its path is built from.
	SHA256 string
	// Size is the content length in bytes.
	Size int64
	// MIME is the canonical type decided from the content (no parameters).
	MIME string
}

// Store is a content-addressed blob store rooted at a directory:
//
//	root/blobs/ab/cd/<sha256>   finished, verified-on-read blobs
//	root/tmp/                   files being written
//
// One process owns a store directory. A Store is safe for concurrent use, and
// several Stores in the same process may share a root.
type Store struct {
	root  string
	blobs string
	tmp   string
	locks *shardLocks // shared by every Store on the same root in this process
}

// shardLocks serialise, per first byte of the hash, a Put's commit against
// Remove, so a Put that found its content already stored never has it removed
// underneath.
type shardLocks [256]sync.Mutex

// rootLocks maps an absolute store root to its locks, so two Stores opened on
// the same root (by two services, say) still exclude each other.
var rootLocks sync.Map

const (
	dirPerm        = 0o700
	copyBufSize    = 256 << 10
	progressPeriod = 100 * time.Millisecond
	tmpPrefix      = "put-"
)

// procToken marks temporary files created by this process so that NewStore,
// which removes leftovers of earlier (crashed) runs, never removes a file a
// Store in this same process is still writing.
var procToken = randomHex(8)

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("files: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// NewStore opens (creating if needed) the store at root: it creates root/blobs
// and root/tmp and removes files left in root/tmp by earlier runs (an import
// killed mid-way leaves its partial file there; it never reaches blobs).
func NewStore(root string) (*Store, error) { return openStore(root, 0) }

// OpenShared opens a store that other processes may be writing to at the
// same time (the practice hub's: a running hub receives uploads while
// `clinicdesk-hub enroll-code` opens the same store, and several hubs may
// share one). It removes only temporary files untouched for olderThan (a
// crashed upload's leftovers), never one being written now.
func OpenShared(root string, olderThan time.Duration) (*Store, error) {
	return openStore(root, olderThan)
}

func openStore(root string, olderThan time.Duration) (*Store, error) {
	if root == "" {
		return nil, apperr.Wrap(apperr.Internal, "The file storage folder is not set.", errors.New("files: empty root"))
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, storageErr(err)
	}
	locks, _ := rootLocks.LoadOrStore(abs, new(shardLocks))
	s := &Store{root: abs, blobs: filepath.Join(abs, "blobs"), tmp: filepath.Join(abs, "tmp"), locks: locks.(*shardLocks)}
	for _, d := range []string{abs, s.blobs, s.tmp} {
		if err := os.MkdirAll(d, dirPerm); err != nil {
			return nil, storageErr(err)
		}
	}
	if err := s.cleanTmp(olderThan); err != nil {
		return nil, storageErr(err)
	}
	return s, nil
}

// Root returns the store's root directory.
func (s *Store) Root() string { return s.root }

// cleanTmp removes everything in tmp not being written by this process and,
// when olderThan > 0, untouched for olderThan.
func (s *Store) cleanTmp(olderThan time.Duration) error {
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		return err
	}
	mine := tmpPrefix + procToken + "-"
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), mine) {
			continue
		}
		if olderThan > 0 {
			if fi, err := e.Info(); err != nil || time.Since(fi.ModTime()) < olderThan {
				continue
			}
		}
		if err := os.RemoveAll(filepath.Join(s.tmp, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// ValidSHA256 reports whether sha is 64 lowercase hex digits, the only form
// of hash the store accepts.
func ValidSHA256(sha string) bool {
	if len(sha) != 64 {
		return false
	}
	for i := 0; i < len(sha); i++ {
		c := sha[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func badSHA() *apperr.Error {
	return apperr.Invalid("sha256", "That file reference is not valid.")
}

// Path returns where the blob for sha is (or would be) on disk, for copying to
// a viewer's temporary folder. It returns "" when sha is not a valid hash.
// Bytes read through this path are not verified; prefer Open, ReadAll or
// CopyTo.
func (s *Store) Path(sha string) string {
	if !ValidSHA256(sha) {
		return ""
	}
	return s.pathOf(sha)
}

func (s *Store) pathOf(sha string) string {
	return filepath.Join(s.blobs, sha[0:2], sha[2:4], sha)
}

func (s *Store) lockFor(sha string) *sync.Mutex {
	b, _ := hex.DecodeString(sha[:2])
	return &s.locks[b[0]]
}

// Has reports whether a blob for sha is stored. It does not verify the content.
func (s *Store) Has(sha string) bool {
	if !ValidSHA256(sha) {
		return false
	}
	fi, err := os.Stat(s.pathOf(sha))
	return err == nil && fi.Mode().IsRegular()
}

// Remove deletes the blob for sha (used by purge). A missing blob is not an
// error. The caller must be sure nothing references sha any more, including
// a reference being recorded right now for a Put of the same content (hold
// the lock used to record references while deciding and removing).
func (s *Store) Remove(sha string) error {
	if !ValidSHA256(sha) {
		return badSHA()
	}
	mu := s.lockFor(sha)
	mu.Lock()
	defer mu.Unlock()
	p := s.pathOf(sha)
	if err := os.Remove(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return storageErr(err)
	}
	_ = syncDir(filepath.Dir(p))
	return nil
}

// Put streams r into the store and returns the stored blob.
//
// The bytes go to a new file in root/tmp under a random name while being
// hashed (the content is never held whole in memory), the file is fsynced and
// renamed to root/blobs/ab/cd/<sha256>, and the directory is fsynced. When the
// same content is already stored (and still verifies) the new copy is dropped;
// when the stored copy is damaged it is replaced by the new one.
//
// name is the display name, used only to refine text types and for messages.
// maxBytes > 0 refuses content longer than maxBytes (apperr.FileTooLarge);
// empty content is apperr.FileEmpty; the type is decided from the content
// (see CheckType), with zip-based office files confirmed from the whole
// archive and office files with macros refused. progress, when not nil, is
// called with the bytes done at most every 100ms and once at the end.
// Cancelling ctx stops the copy with apperr.Cancelled (checked between reads:
// a Read that blocks forever cannot be interrupted here). Whatever the
// refusal, nothing is left behind in the store.
func (s *Store) Put(ctx context.Context, r io.Reader, name string, maxBytes int64, progress func(done int64)) (Blob, error) {
	return s.put(ctx, r, name, maxBytes, progress, "")
}

// PutExpected is Put for bytes that must hash to sha (a file sent by another
// computer under its name): content that hashes to anything else is refused
// with apperr.FileCorrupt and not kept, under any name.
func (s *Store) PutExpected(ctx context.Context, r io.Reader, sha string, maxBytes int64) (Blob, error) {
	if !ValidSHA256(sha) {
		return Blob{}, badSHA()
	}
	return s.put(ctx, r, "", maxBytes, nil, sha)
}

func (s *Store) put(ctx context.Context, r io.Reader, name string, maxBytes int64, progress func(done int64), expect string) (Blob, error) {
	if err := ctx.Err(); err != nil {
		return Blob{}, cancelledErr(name)
	}

	// The head decides the type before anything touches the disk.
	head := make([]byte, HeadSize)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return Blob{}, readErr(name, err)
	}
	head = head[:n]
	if n == 0 {
		return Blob{}, emptyErr(name)
	}
	if maxBytes > 0 && int64(n) > maxBytes {
		return Blob{}, tooLargeErr(name, -1, maxBytes)
	}
	mimeType, err := checkType(head, name)
	if err != nil {
		return Blob{}, err
	}
	if err := ctx.Err(); err != nil {
		return Blob{}, cancelledErr(name)
	}

	f, err := os.CreateTemp(s.tmp, tmpPrefix+procToken+"-*.tmp")
	if err != nil {
		return Blob{}, storageErr(err)
	}
	tmpPath := f.Name()
	committed := false
	defer func() {
		if !committed {
			f.Close()
			os.Remove(tmpPath)
		}
	}()

	h := sha256.New()
	w := io.MultiWriter(f, h)
	if _, err := w.Write(head); err != nil {
		return Blob{}, storageErr(err)
	}
	done := int64(n)
	last := time.Now()
	if n == HeadSize { // there may be more
		buf := make([]byte, copyBufSize)
		for {
			if err := ctx.Err(); err != nil {
				return Blob{}, cancelledErr(name)
			}
			k, rerr := r.Read(buf)
			if k > 0 {
				if maxBytes > 0 && done+int64(k) > maxBytes {
					return Blob{}, tooLargeErr(name, -1, maxBytes)
				}
				if _, err := w.Write(buf[:k]); err != nil {
					return Blob{}, storageErr(err)
				}
				done += int64(k)
				if progress != nil && time.Since(last) >= progressPeriod {
					last = time.Now()
					progress(done)
				}
			}
			if rerr == io.EOF {
				break
			}
			if rerr != nil {
				return Blob{}, readErr(name, rerr)
			}
		}
	}
	if err := f.Sync(); err != nil {
		return Blob{}, storageErr(err)
	}

	if isZipFamily(mimeType) {
		mimeType, err = checkZip(f, done, mimeType, name)
		if err != nil {
			return Blob{}, err
		}
	}
	if err := f.Close(); err != nil {
		return Blob{}, storageErr(err)
	}
	if err := ctx.Err(); err != nil {
		return Blob{}, cancelledErr(name)
	}

	sha := hex.EncodeToString(h.Sum(nil))
	if expect != "" && sha != expect {
		return Blob{}, apperr.Newf(apperr.FileCorrupt, "A file arrived damaged (expected SHA-256 %s…, got %s…); it was not kept.", expect[:12], sha[:12])
	}
	blob := Blob{SHA256: sha, Size: done, MIME: mimeType}
	if err := s.commit(tmpPath, sha, done); err != nil {
		return Blob{}, err
	}
	committed = true
	if progress != nil {
		progress(done)
	}
	return blob, nil
}

// commit moves the finished temporary file to its blob path, or drops it when
// an intact copy is already there.
func (s *Store) commit(tmpPath, sha string, size int64) error {
	mu := s.lockFor(sha)
	mu.Lock()
	defer mu.Unlock()

	dst := s.pathOf(sha)
	if fi, err := os.Stat(dst); err == nil && fi.Mode().IsRegular() && fi.Size() == size {
		if verifyFile(dst, sha) == nil {
			os.Remove(tmpPath)
			// Mark the blob as just used, so RemoveUnreferenced (working from an
			// older Check) leaves it alone while the caller records its reference.
			now := time.Now()
			_ = os.Chtimes(dst, now, now)
			return nil
		}
		// The stored copy is damaged: the fresh bytes replace it below.
	}
	dir := filepath.Dir(dst)
	if err := mkdirAllSynced(s.blobs, dir); err != nil {
		return storageErr(err)
	}
	if err := os.Rename(tmpPath, dst); err != nil {
		return storageErr(err)
	}
	if err := syncDir(dir); err != nil {
		return storageErr(err)
	}
	_ = syncDir(s.tmp)
	return nil
}

// mkdirAllSynced creates dir (under base) and fsyncs the parent of every
// directory it creates, so a new ab/cd directory survives a power cut.
func mkdirAllSynced(base, dir string) error {
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != base && len(parent) > len(base) {
		if err := mkdirAllSynced(base, parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, dirPerm); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return syncDir(parent)
}

// syncDir fsyncs a directory so renames and removals in it are durable.
// Windows cannot fsync directories (and does not need to); errors are ignored
// there.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// verifyFile hashes the file at path and compares with sha.
func verifyFile(path, sha string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyBuffer(h, f, make([]byte, copyBufSize)); err != nil {
		return err
	}
	if hex.EncodeToString(h.Sum(nil)) != sha {
		return corruptErr()
	}
	return nil
}

// Open returns a reader of the blob for sha that verifies the SHA-256 as it
// is read: instead of io.EOF its last Read returns an apperr.FileCorrupt
// error when the bytes do not match. Callers must read to the end and check
// the error before treating the bytes as good (ReadAll and CopyTo do this).
// A missing blob is apperr.NotFound.
func (s *Store) Open(sha string) (io.ReadCloser, error) {
	if !ValidSHA256(sha) {
		return nil, badSHA()
	}
	f, err := os.Open(s.pathOf(sha))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, notFoundErr()
		}
		return nil, apperr.Wrap(apperr.FileUnreadable, "This file couldn't be read from this computer's storage.", err)
	}
	return &verifyingReader{f: f, h: sha256.New(), want: sha}, nil
}

// Verify reads the whole blob for sha and checks its hash: nil when intact,
// apperr.FileCorrupt when the bytes no longer match, apperr.NotFound when it
// is missing.
func (s *Store) Verify(sha string) error {
	rc, err := s.Open(sha)
	if err != nil {
		return err
	}
	defer rc.Close()
	if _, err := io.CopyBuffer(io.Discard, rc, make([]byte, copyBufSize)); err != nil {
		return err
	}
	return nil
}

type verifyingReader struct {
	f    *os.File
	h    hash.Hash
	want string
	err  error // sticky final result
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.f.Read(p)
	if n > 0 {
		v.h.Write(p[:n])
	}
	switch {
	case err == io.EOF:
		if hex.EncodeToString(v.h.Sum(nil)) != v.want {
			v.err = corruptErr()
		} else {
			v.err = io.EOF
		}
		return n, v.err
	case err != nil:
		v.err = apperr.Wrap(apperr.FileUnreadable, "This file couldn't be read from this computer's storage.", err)
		return n, v.err
	}
	return n, nil
}

func (v *verifyingReader) Close() error { return v.f.Close() }

// ReadAll returns the whole verified content of a blob. It is meant for small
// files (previews); the bytes are returned only after the hash matched.
func (s *Store) ReadAll(sha string) ([]byte, error) {
	rc, err := s.Open(sha)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// CopyTo writes the verified content of a blob to dst (for a viewer's
// temporary folder or a user's export). The bytes go to a temporary file next
// to dst that is renamed to dst only once the hash matched, so dst never holds
// unverified bytes. dst is created with owner-only permissions; an existing
// dst is replaced.
func (s *Store) CopyTo(ctx context.Context, sha, dst string) error {
	rc, err := s.Open(sha)
	if err != nil {
		return err
	}
	defer rc.Close()
	f, err := os.CreateTemp(filepath.Dir(dst), ".clinicdesk-copy-*")
	if err != nil {
		return storageErr(err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	buf := make([]byte, copyBufSize)
	for {
		if ctx.Err() != nil {
			return cancelledErr("")
		}
		n, rerr := rc.Read(buf)
		if n > 0 {
			if _, err := f.Write(buf[:n]); err != nil {
				return storageErr(err)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	if err := f.Sync(); err != nil {
		return storageErr(err)
	}
	if err := f.Close(); err != nil {
		return storageErr(err)
	}
	if err := os.Rename(f.Name(), dst); err != nil {
		return storageErr(err)
	}
	ok = true
	return nil
}

// ImportPath checks the file at path and Puts it, returning the blob and the
// cleaned display name. A folder is apperr.FileIsFolder; a missing file, a
// broken link or anything that is not a regular readable file is
// apperr.FileUnreadable; an empty file is apperr.FileEmpty; a file larger than
// maxBytes (when > 0) is apperr.FileTooLarge, checked before reading and again
// while streaming (the file may grow). progress, when not nil, gets bytes done
// and the size found when the file was checked.
func (s *Store) ImportPath(ctx context.Context, path string, maxBytes int64, progress func(done, total int64)) (Blob, string, error) {
	name, err := CleanName(filepath.Base(path))
	if err != nil {
		return Blob{}, "", err
	}
	if err := ctx.Err(); err != nil {
		return Blob{}, "", cancelledErr(name)
	}
	fi, err := os.Stat(path) // follows links: a broken link fails here
	if err != nil {
		return Blob{}, "", unreadableErr(name, err)
	}
	if err := checkStat(fi, name, maxBytes); err != nil {
		return Blob{}, "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return Blob{}, "", unreadableErr(name, err)
	}
	defer f.Close()
	// The file may have been swapped between Stat and Open: check what was opened.
	fi, err = f.Stat()
	if err != nil {
		return Blob{}, "", unreadableErr(name, err)
	}
	if err := checkStat(fi, name, maxBytes); err != nil {
		return Blob{}, "", err
	}
	total := fi.Size()
	var p func(int64)
	if progress != nil {
		p = func(done int64) { progress(done, total) }
	}
	blob, err := s.Put(ctx, f, name, maxBytes, p)
	if err != nil {
		return Blob{}, "", err
	}
	return blob, name, nil
}

// CheckSize refuses, before any byte moves, a file declared empty (size 0 or
// less: apperr.FileEmpty) or larger than maxBytes when maxBytes > 0
// (apperr.FileTooLarge). name is the cleaned display name, for the message.
func CheckSize(name string, size, maxBytes int64) error {
	switch {
	case size <= 0:
		return emptyErr(name)
	case maxBytes > 0 && size > maxBytes:
		return tooLargeErr(name, size, maxBytes)
	}
	return nil
}

func checkStat(fi fs.FileInfo, name string, maxBytes int64) error {
	switch {
	case fi.IsDir():
		return apperr.New(apperr.FileIsFolder, quoted(name)+" is a folder. Please open it and choose the files inside instead.")
	case !fi.Mode().IsRegular():
		return apperr.New(apperr.FileUnreadable, quoted(name)+" isn't an ordinary file, so it can't be attached.")
	case fi.Size() == 0:
		return emptyErr(name)
	case maxBytes > 0 && fi.Size() > maxBytes:
		return tooLargeErr(name, fi.Size(), maxBytes)
	}
	return nil
}

// isZipFamily reports whether m is stored in a zip container.
func isZipFamily(m string) bool {
	return m == mimeZip || m == MIMEDocx || m == MIMEXlsx || m == MIMEODT
}

// checkZip looks at the whole archive (its central directory) to confirm
// what the head suggested: a plain zip is accepted only when it is really a
// Word, Excel or OpenDocument text file; office files with macros are refused.
func checkZip(f *os.File, size int64, headMIME, name string) (string, error) {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		if headMIME == mimeZip {
			return "", typeRefused(name, "other")
		}
		return headMIME, nil // damaged office file: stored as is, the office app will say so
	}
	var hasContentTypes, hasWord, hasXl bool
	var odfMime string
	for _, zf := range zr.File {
		n := zf.Name
		lower := strings.ToLower(n)
		switch {
		case strings.HasSuffix(lower, "vbaproject.bin"),
			strings.HasPrefix(n, "Basic/"), strings.HasPrefix(n, "Scripts/"):
			return "", typeRefused(name, "macro")
		case n == "[Content_Types].xml":
			hasContentTypes = true
		case strings.HasPrefix(n, "word/"):
			hasWord = true
		case strings.HasPrefix(n, "xl/"):
			hasXl = true
		case n == "mimetype" && zf.UncompressedSize64 < 256:
			if rc, err := zf.Open(); err == nil {
				b, _ := io.ReadAll(io.LimitReader(rc, 256))
				rc.Close()
				odfMime = strings.TrimSpace(string(b))
			}
		}
	}
	if headMIME != mimeZip {
		return headMIME, nil
	}
	switch {
	case hasContentTypes && hasWord:
		return MIMEDocx, nil
	case hasContentTypes && hasXl:
		return MIMEXlsx, nil
	case odfMime == MIMEODT:
		return MIMEODT, nil
	}
	return "", typeRefused(name, "other")
}

// Error constructors with plain-words messages.

func tooLargeErr(name string, size, max int64) *apperr.Error {
	if size > 0 {
		return apperr.New(apperr.FileTooLarge, quoted(name)+" is too large to attach ("+humanSize(size)+"). The limit is "+humanSize(max)+" per file.")
	}
	return apperr.New(apperr.FileTooLarge, quoted(name)+" is too large to attach. The limit is "+humanSize(max)+" per file.")
}

func readErr(name string, err error) *apperr.Error {
	return apperr.Wrap(apperr.FileUnreadable, quoted(name)+" couldn't be read. It may have been moved, or it may be open in another program.", err)
}

func unreadableErr(name string, err error) *apperr.Error {
	if errors.Is(err, fs.ErrNotExist) {
		return apperr.Wrap(apperr.FileUnreadable, quoted(name)+" couldn't be found. It may have been moved or deleted, or it may be a shortcut to a file that no longer exists.", err)
	}
	if errors.Is(err, fs.ErrPermission) {
		return apperr.Wrap(apperr.FileUnreadable, quoted(name)+" couldn't be opened because this computer account isn't allowed to read it.", err)
	}
	return readErr(name, err)
}

func cancelledErr(name string) *apperr.Error {
	if c, err := CleanName(name); err == nil {
		return apperr.New(apperr.Cancelled, "Adding “"+c+"” was cancelled. Nothing was saved.")
	}
	return apperr.New(apperr.Cancelled, "Cancelled. Nothing was saved.")
}

func corruptErr() *apperr.Error {
	return apperr.New(apperr.FileCorrupt, "The saved copy of this file is damaged and can't be opened. Please tell your practice manager; the file may need to be restored from a backup.")
}

func notFoundErr() *apperr.Error {
	return apperr.New(apperr.NotFound, "This file is no longer stored on this computer.")
}

func storageErr(err error) *apperr.Error {
	return apperr.Wrap(apperr.Internal, "ClinicDesk couldn't save or read a file in its storage folder. Check that the computer's disk isn't full, then try again.", err)
}
