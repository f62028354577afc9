package attachments

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/files"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
)

// StageTTL is how long a staged file stays ready to send or file.
const StageTTL = time.Hour

// OrphanGrace is how long bytes that nothing names (no attachment, no
// document, no live staged file) are kept after they were last written or
// re-stored: a file being staged right now has no token yet, and a blob
// pulled from the hub may wait a moment for the row that names it.
const OrphanGrace = 2 * time.Hour

// stagedFile is one staged file: checked bytes in the store, ready to be
// sent or filed once, by the staff member who staged it, in the session
// they staged it in, before it expires.
//
// The token that names it is random; the content hash is never accepted
// in its place (hashes are blob file names, and appear in backups, the
// audit log and sync: they are not secrets).
type stagedFile struct {
	blob    files.Blob
	name    string
	staffID string
	session string
	expires time.Time // on the service's clock
	// stored is the wall-clock time just after the bytes were stored: a
	// later Put of the same content leaves a newer modification time, and
	// then this staged file no longer decides whether the bytes go.
	stored  time.Time
	claimed bool // taken by a send in progress
	used    bool // sent or filed: refused if offered again
}

// staging is the table of staged files of this desk. Tokens live in memory:
// they die with the session and with the app.
type staging struct {
	mu     gosync.Mutex
	tokens map[string]*stagedFile
}

// newToken returns a random token of 128 bits.
func newToken() string { return "stg_" + rand.Text() }

// issue records a stored blob as staged for a and returns it for the UI.
func (s *Service) issue(a access.Actor, b files.Blob, name string, stored time.Time) dto.StagedFile {
	tok := newToken()
	s.staged.mu.Lock()
	if s.staged.tokens == nil {
		s.staged.tokens = map[string]*stagedFile{}
	}
	s.staged.tokens[tok] = &stagedFile{blob: b, name: name, staffID: a.StaffID, session: a.Session,
		expires: s.Clock.Now().Add(StageTTL), stored: stored}
	s.staged.mu.Unlock()
	return dto.StagedFile{Token: tok, Name: name, MIME: b.MIME, TypeLabel: TypeLabel(b.MIME), Size: b.Size}
}

// Stage checks and stores a file from disk so that a can send or file it.
// Files inside the practice's data folder or a viewer folder are refused
// (apperr.FileLocationRefused) before anything is read.
func (s *Service) Stage(ctx context.Context, a access.Actor, path string, progress func(done, total int64)) (dto.StagedFile, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return dto.StagedFile{}, err
	}
	if err := s.checkStagePath(path); err != nil {
		return dto.StagedFile{}, err
	}
	set, err := store.GetSettings(s.DB.DB)
	if err != nil {
		return dto.StagedFile{}, err
	}
	b, name, err := s.Blobs.ImportPath(ctx, path, set.MaxFileBytes, progress)
	if err != nil {
		return dto.StagedFile{}, err
	}
	return s.issue(a, b, name, time.Now()), nil
}

// CheckUpload refuses, before any byte is sent, a browser file whose
// declared size is zero or over the practice's limit, or whose name cannot
// be used. The limit is enforced again while the bytes stream in, in case
// the declared size was wrong.
func (s *Service) CheckUpload(a access.Actor, name string, size int64) error {
	if err := access.CheckSignedIn(a); err != nil {
		return err
	}
	clean, err := files.CleanName(name)
	if err != nil {
		return err
	}
	set, err := store.GetSettings(s.DB.DB)
	if err != nil {
		return err
	}
	return files.CheckSize(clean, size, set.MaxFileBytes)
}

// MaxFileBytes is the practice's per-file limit, for the UI to check a file
// before sending its bytes.
func (s *Service) MaxFileBytes() (int64, error) {
	set, err := store.GetSettings(s.DB.DB)
	return set.MaxFileBytes, err
}

// StageReader checks and stores a file streamed from the UI (a browser File)
// so that a can send or file it.
func (s *Service) StageReader(ctx context.Context, a access.Actor, r io.Reader, name string, progress func(done int64)) (dto.StagedFile, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return dto.StagedFile{}, err
	}
	clean, err := files.CleanName(name)
	if err != nil {
		return dto.StagedFile{}, err
	}
	set, err := store.GetSettings(s.DB.DB)
	if err != nil {
		return dto.StagedFile{}, err
	}
	b, err := s.Blobs.Put(ctx, r, clean, set.MaxFileBytes, progress)
	if err != nil {
		return dto.StagedFile{}, err
	}
	return s.issue(a, b, clean, time.Now()), nil
}

// StageFromInbox imports a scan-inbox file into the blob store (moving it to
// Imported/ only once stored and verified) and returns it staged for a.
func (s *Service) StageFromInbox(ctx context.Context, a access.Actor, in *files.Inbox, id string) (dto.StagedFile, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return dto.StagedFile{}, err
	}
	set, err := store.GetSettings(s.DB.DB)
	if err != nil {
		return dto.StagedFile{}, err
	}
	b, name, err := in.Import(ctx, id, s.Blobs, set.MaxFileBytes)
	if err != nil {
		return dto.StagedFile{}, err
	}
	return s.issue(a, b, name, time.Now()), nil
}

// Unstage drops a staged file that will not be sent (an upload cancelled
// after its bytes were stored), removing its bytes when nothing else uses
// them. An unknown token, or one of someone else, changes nothing.
func (s *Service) Unstage(a access.Actor, token string) {
	s.staged.mu.Lock()
	sf := s.staged.tokens[token]
	if sf == nil || sf.claimed || sf.staffID != a.StaffID || sf.session != a.Session {
		s.staged.mu.Unlock()
		return
	}
	delete(s.staged.tokens, token)
	s.staged.mu.Unlock()
	s.discard(sf)
}

// Claim is the staged files one send or filing took: Blobs[i] is the
// content of the i-th file offered. Done must be called once the send is
// over: the files are then used (sent) or ready again (not sent).
type Claim struct {
	Blobs  []files.Blob
	s      *Service
	tokens []string
}

// Done ends the claim: sent marks the files used (a second send with the
// same tokens is refused); otherwise they are ready to send again.
func (c *Claim) Done(sent bool) {
	if c == nil || c.s == nil {
		return
	}
	c.s.staged.mu.Lock()
	defer c.s.staged.mu.Unlock()
	for _, t := range c.tokens {
		if sf := c.s.staged.tokens[t]; sf != nil {
			sf.claimed = false
			sf.used = sf.used || sent
		}
	}
}

// Refusal reasons of a staged file, as written in the audit log.
const (
	refusedUnknown      = "unknown_token" // never issued here (a content hash, say), or dropped
	refusedOtherStaff   = "other_staff"
	refusedOtherSession = "other_session"
	refusedExpired      = "expired"
	refusedUsed         = "already_used"
	refusedInUse        = "in_use"
)

// TakeStaged claims the staged files offered for one send or filing by a
// (where names it in the audit log: "compose", "reply", "documents"). Each
// token must have been issued to a, in a's current session, not expired and
// not yet used; otherwise nothing is claimed, the refusal is written to the
// audit log, and the error (apperr.NotFound) names the file to add again.
func (s *Service) TakeStaged(a access.Actor, where string, offered []dto.OutgoingFile) (*Claim, error) {
	c := &Claim{s: s, Blobs: make([]files.Blob, 0, len(offered))}
	if len(offered) == 0 {
		return c, nil
	}
	now := s.Clock.Now()
	var expired []*stagedFile
	reason, bad := "", -1
	s.staged.mu.Lock()
	for i, f := range offered {
		sf := s.staged.tokens[f.Token]
		switch {
		case sf == nil:
			reason = refusedUnknown
		case sf.staffID != a.StaffID:
			reason = refusedOtherStaff
		case sf.session != a.Session:
			reason = refusedOtherSession
		case !now.Before(sf.expires):
			reason = refusedExpired
			delete(s.staged.tokens, f.Token)
			expired = append(expired, sf)
		case sf.used:
			reason = refusedUsed
		case sf.claimed:
			reason = refusedInUse
		}
		if reason != "" {
			bad = i
			break
		}
		sf.claimed = true
		c.tokens = append(c.tokens, f.Token)
		c.Blobs = append(c.Blobs, sf.blob)
	}
	if bad >= 0 {
		for _, t := range c.tokens {
			s.staged.tokens[t].claimed = false
		}
	}
	s.staged.mu.Unlock()
	for _, sf := range expired {
		s.discard(sf)
	}
	if bad < 0 {
		return c, nil
	}
	name, err := files.CleanName(offered[bad].Name)
	if err != nil {
		name = "This file"
	}
	if aerr := s.DB.Tx(func(tx *gorm.DB) error {
		return s.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: audit.ActStagedFileRefused,
			Detail: map[string]any{"where": where, "reason": reason, "name": name}})
	}); aerr != nil {
		return nil, aerr
	}
	msg := "“" + name + "” is no longer ready to send. Please add it again."
	if where == "documents" {
		msg = "“" + name + "” is no longer ready to file. Please add it again."
	}
	return nil, apperr.New(apperr.NotFound, msg)
}

// EnsureBlobRow records b in the blobs table (once per content) with its
// change-log entry, in the transaction that first names it. Staging alone
// records nothing, so bytes that are never sent never reach the hub.
func (s *Service) EnsureBlobRow(tx *gorm.DB, b files.Blob) error {
	if !s.Blobs.Has(b.SHA256) {
		return apperr.New(apperr.NotFound, "A file is no longer stored on this computer. Please add it again.")
	}
	var n int64
	if err := tx.Model(&store.Blob{}).Where("sha256 = ?", b.SHA256).Count(&n).Error; err != nil || n > 0 {
		return err
	}
	row := store.Blob{SHA256: b.SHA256, Size: b.Size, MIME: b.MIME, CreatedAt: s.Clock.Now()}
	if err := tx.Create(&row).Error; err != nil {
		return err
	}
	return s.Rec.Record(tx, "blob", b.SHA256, sync.OpInsert, row)
}

// named reports whether a row names sha: a live or restorable attachment
// (deleted ones stay until purged), any document, or a blobs row that no
// attachment or document names yet (pulled from the hub ahead of the row
// that uses it).
func (s *Service) named(sha string) (bool, error) {
	var n int64
	err := s.DB.Raw(`SELECT
		EXISTS (SELECT 1 FROM attachments WHERE blob_sha256 = ? AND purged_at IS NULL) OR
		EXISTS (SELECT 1 FROM documents WHERE blob_sha256 = ?) OR
		(EXISTS (SELECT 1 FROM blobs WHERE sha256 = ?) AND NOT EXISTS (SELECT 1 FROM attachments WHERE blob_sha256 = ?))`,
		sha, sha, sha, sha).Scan(&n).Error
	return n > 0, err
}

// held reports whether a live (not expired, not used) staged file holds sha.
func (s *Service) held(sha string) bool {
	now := s.Clock.Now()
	s.staged.mu.Lock()
	defer s.staged.mu.Unlock()
	for _, sf := range s.staged.tokens {
		if sf.blob.SHA256 == sha && !sf.used && now.Before(sf.expires) {
			return true
		}
	}
	return false
}

// discard removes the bytes of a staged file that is gone, unless they were
// stored again since, a live staged file holds them, or a row names them.
func (s *Service) discard(sf *stagedFile) {
	s.Blobs.RemoveIf(sf.blob.SHA256, func(mod time.Time) bool {
		if mod.After(sf.stored) || s.held(sf.blob.SHA256) {
			return false
		}
		named, err := s.named(sf.blob.SHA256)
		return err == nil && !named
	})
}

// orphan reports whether the bytes of sha, last written at mod, are
// unreferenced: no row names them, no live staged file holds them, and they
// are older than OrphanGrace.
func (s *Service) orphan(sha string, mod time.Time) bool {
	if s.Clock.Now().Sub(mod) < OrphanGrace || s.held(sha) {
		return false
	}
	named, err := s.named(sha)
	return err == nil && !named
}

// drop forgets the staged files gone says are gone, and removes the bytes
// of those never sent when nothing else uses them.
func (s *Service) drop(gone func(*stagedFile) bool) {
	var out []*stagedFile
	s.staged.mu.Lock()
	for t, sf := range s.staged.tokens {
		if gone(sf) {
			delete(s.staged.tokens, t)
			out = append(out, sf)
		}
	}
	s.staged.mu.Unlock()
	for _, sf := range out {
		if !sf.used {
			s.discard(sf)
		}
	}
}

// EndSession drops everything bound to a's session: its staged files (their
// bytes too, when nothing else uses them) and its viewer copies. Called at
// sign-out, switch user and lock.
func (s *Service) EndSession(a access.Actor) {
	s.drop(func(sf *stagedFile) bool { return sf.staffID == a.StaffID && sf.session == a.Session })
	if s.ViewDir != "" {
		os.RemoveAll(s.sessionViewDir(a))
	}
}

// Close drops every staged file (their bytes too, when nothing else uses
// them) and removes the viewer folder of this run (app exit).
func (s *Service) Close() {
	s.drop(func(*stagedFile) bool { return true })
	if s.ViewDir != "" {
		os.RemoveAll(s.ViewDir)
	}
}

// SweepOrphans drops expired staged files and removes the bytes nothing
// uses any more (see orphan): staged files never sent, uploads cut short,
// leftovers of a crash. Blobs a row names are never touched, so deleted
// attachments stay restorable and Purge's rules are unchanged. It returns
// the hashes removed.
func (s *Service) SweepOrphans(ctx context.Context) ([]string, error) {
	now := s.Clock.Now()
	s.drop(func(sf *stagedFile) bool { return !now.Before(sf.expires) })
	var candidates []string
	err := s.Blobs.Each(ctx, func(sha string, mod time.Time) error {
		if s.orphan(sha, mod) {
			candidates = append(candidates, sha)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, sha := range candidates {
		// Asked again under the store's lock: a Put of the same content
		// since the walk refreshed its time, a send since named it.
		ok, err := s.Blobs.RemoveIf(sha, func(mod time.Time) bool { return s.orphan(sha, mod) })
		if err != nil {
			return removed, err
		}
		if ok {
			removed = append(removed, sha)
		}
	}
	return removed, nil
}

// sessionViewDir is the private folder of a's session's viewer copies.
func (s *Service) sessionViewDir(a access.Actor) string {
	h := sha256.Sum256([]byte(a.StaffID + "\x00" + a.Session))
	return filepath.Join(s.ViewDir, "s-"+hex.EncodeToString(h[:12]))
}

// ViewDirPrefix starts the name of every viewer folder in the system's temp
// folder.
const ViewDirPrefix = "clinicdesk-view-"

// checkStagePath refuses a path inside the practice's data folder, the
// blob store or any viewer folder: their files are the practice's own
// copies, and staging one would hand its bytes to whoever asks. Paths are
// compared cleaned, absolute and with links resolved.
func (s *Service) checkStagePath(p string) error {
	real, err := realPath(p)
	if err != nil {
		return nil // missing or unreadable: ImportPath says so in its own words
	}
	refuse := func() error {
		name, nerr := files.CleanName(filepath.Base(p))
		if nerr != nil {
			name = "This file"
		} else {
			name = "“" + name + "”"
		}
		return apperr.New(apperr.FileLocationRefused, name+" is one of ClinicDesk's own stored copies, so it can't be attached. Attach the original file instead.")
	}
	for _, root := range []string{s.DataDir, s.Blobs.Root(), s.ViewDir} {
		if root == "" {
			continue
		}
		if r, err := realPath(root); err == nil && within(r, real) {
			return refuse()
		}
	}
	if tmp, err := realPath(os.TempDir()); err == nil && within(tmp, real) && real != tmp {
		rel, _ := filepath.Rel(tmp, real)
		first, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
		if strings.HasPrefix(first, ViewDirPrefix) {
			return refuse()
		}
	}
	return nil
}

// realPath is p absolute, cleaned, with every link resolved.
func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	r, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", err
	}
	if r == "" {
		return "", errors.New("empty path")
	}
	return filepath.Clean(r), nil
}

// within reports whether p is root or inside it (both cleaned, absolute).
func within(root, p string) bool {
	if p == root {
		return true
	}
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
