package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"clinicdesk/backend/apperr"
)

// InboxOptions tunes an Inbox. Zero values mean the defaults.
type InboxOptions struct {
	// Settle is how long a file's size and modification time must stay the
	// same before it is offered (default 1s): scanners write files gradually.
	Settle time.Duration
	// Debounce groups bursts of change notifications into one folder scan
	// (default 100ms).
	Debounce time.Duration
	// Rescan is the interval of the full safety-net scan that catches any
	// missed notification (default 30s).
	Rescan time.Duration
	// PollMissing is how often a missing inbox folder is looked for
	// (default 1s).
	PollMissing time.Duration
	// ImportedDir is the sub-folder imported files are moved to (default
	// "Imported").
	ImportedDir string
	// MaxBytes, when > 0, makes Pending report larger files with a Problem.
	// Import enforces the limit it is given either way.
	MaxBytes int64
	// Logf receives diagnostics (never file contents). Nil discards them.
	Logf func(format string, args ...any)
}

func (o InboxOptions) withDefaults() InboxOptions {
	if o.Settle <= 0 {
		o.Settle = time.Second
	}
	if o.Debounce <= 0 {
		o.Debounce = 100 * time.Millisecond
	}
	if o.Rescan <= 0 {
		o.Rescan = 30 * time.Second
	}
	if o.PollMissing <= 0 {
		o.PollMissing = time.Second
	}
	if o.ImportedDir == "" {
		o.ImportedDir = "Imported"
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	return o
}

// InboxFile is one finished file waiting in the scan inbox.
type InboxFile struct {
	// ID is stable for a given path (a hash of it).
	ID string `json:"id"`
	// Name is the cleaned display name ("" when the name itself is unusable).
	Name string `json:"name"`
	// Path is where the file is on disk.
	Path    string    `json:"path"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"modTime"`
	// MIME is the type decided from the content, when the file can be attached.
	MIME string `json:"mime,omitempty"`
	// Problem says in plain words why the file can't be attached (wrong type,
	// empty, too large, bad name, unreadable); ProblemCode is its code.
	Problem     string      `json:"problem,omitempty"`
	ProblemCode apperr.Code `json:"problemCode,omitempty"`
}

// Inbox watches a folder (a scanner's output folder, say) and offers the
// files in it once they are completely written. It watches the folder (not
// each file) with fsnotify, rescans it on start and periodically, and keeps
// working when the folder is deleted and created again. Only ordinary files
// directly in the folder are offered; partial downloads (*.part,
// *.crdownload, *.tmp, ...), Office lock files (~$*), hidden dot-files and
// sub-folders are ignored.
//
// An Inbox is safe for concurrent use.
type Inbox struct {
	dir     string
	parent  string
	opts    InboxOptions
	watcher *fsnotify.Watcher

	mu        sync.Mutex
	entries   map[string]*inboxEntry // by base name
	importing map[string]bool        // by base name
	hidden    map[string]fingerprint // imported but could not be moved away
	missing   bool
	onChange  func()
	lastSig   string
	started   bool
	closed    bool

	// owned by the run goroutine (and Start before it runs)
	watchedStat os.FileInfo
	lastFull    time.Time

	kick     chan struct{} // ask run for a scan now
	changed  chan struct{} // ask dispatch to call onChange
	stop     chan struct{}
	runDone  chan struct{}
	wg       sync.WaitGroup
	stopOnce sync.Once
}

type fingerprint struct {
	size  int64
	mtime time.Time
}

type inboxEntry struct {
	name      string
	fp        fingerprint
	changedAt time.Time // when fp was last seen changing (or an event said so)
	lastEvent time.Time
	ready     bool
	openFails int
	mime      string
	problem   string
	code      apperr.Code
}

// NewInbox prepares an inbox on dir. The folder may not exist yet: it is
// picked up when it appears. Call Start to begin watching and Close when done.
func NewInbox(dir string, opts InboxOptions) (*Inbox, error) {
	if strings.TrimSpace(dir) == "" {
		return nil, apperr.Invalid("dir", "Choose a folder for the scan inbox.")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, apperr.Invalid("dir", "That folder can't be used for the scan inbox.")
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, apperr.Wrap(apperr.Internal, "ClinicDesk couldn't start watching the scan inbox folder.", err)
	}
	return &Inbox{
		dir:       abs,
		parent:    filepath.Dir(abs),
		opts:      opts.withDefaults(),
		watcher:   w,
		entries:   map[string]*inboxEntry{},
		importing: map[string]bool{},
		hidden:    map[string]fingerprint{},
		kick:      make(chan struct{}, 1),
		changed:   make(chan struct{}, 1),
		stop:      make(chan struct{}),
		runDone:   make(chan struct{}),
	}, nil
}

// Dir returns the watched folder.
func (in *Inbox) Dir() string { return in.dir }

// Start scans the folder once and then watches it until ctx is done or Close
// is called. It returns at once.
func (in *Inbox) Start(ctx context.Context) error {
	in.mu.Lock()
	if in.closed {
		in.mu.Unlock()
		return apperr.New(apperr.Conflict, "The scan inbox has been closed.")
	}
	if in.started {
		in.mu.Unlock()
		return apperr.New(apperr.Conflict, "The scan inbox is already running.")
	}
	in.started = true
	in.mu.Unlock()

	in.scan()
	in.wg.Add(2)
	go in.run(ctx)
	go in.dispatch()
	return nil
}

// Close stops watching and waits for the watcher to finish. It is safe to
// call more than once.
func (in *Inbox) Close() error {
	in.mu.Lock()
	started := in.started
	in.closed = true
	in.mu.Unlock()
	in.stopOnce.Do(func() { close(in.stop) })
	if started {
		in.wg.Wait()
	} else {
		in.watcher.Close()
	}
	return nil
}

// OnChange sets a function called whenever the list returned by Pending
// changes. It is called from one background goroutine, never concurrently
// with itself; bursts of changes are coalesced. It may call Pending and
// Import.
func (in *Inbox) OnChange(fn func()) {
	in.mu.Lock()
	in.onChange = fn
	in.mu.Unlock()
}

// Pending returns the files that are completely written and waiting, oldest
// first. Files the app can't attach are included with a Problem.
func (in *Inbox) Pending() []InboxFile {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.pendingLocked()
}

func (in *Inbox) pendingLocked() []InboxFile {
	out := make([]InboxFile, 0, len(in.entries))
	for _, e := range in.entries {
		if e.ready {
			out = append(out, in.fileOf(e))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].ModTime.Equal(out[j].ModTime) {
			return out[i].ModTime.Before(out[j].ModTime)
		}
		return out[i].Path < out[j].Path
	})
	return out
}

func (in *Inbox) fileOf(e *inboxEntry) InboxFile {
	p := filepath.Join(in.dir, e.name)
	name, _ := CleanName(e.name)
	return InboxFile{
		ID: inboxID(p), Name: name, Path: p, Size: e.fp.size, ModTime: e.fp.mtime,
		MIME: e.mime, Problem: e.problem, ProblemCode: e.code,
	}
}

// inboxID is stable per path.
func inboxID(path string) string {
	h := sha256.Sum256([]byte("clinicdesk-inbox\x00" + path))
	return hex.EncodeToString(h[:16])
}

// ignoredName reports whether a file in the inbox is never offered.
func ignoredName(name string) bool {
	lower := strings.ToLower(name)
	switch {
	case strings.HasPrefix(name, "."), strings.HasPrefix(name, "~$"),
		strings.HasSuffix(lower, ".part"), strings.HasSuffix(lower, ".crdownload"),
		strings.HasSuffix(lower, ".tmp"), strings.HasSuffix(lower, ".partial"),
		strings.HasSuffix(lower, ".download"), strings.HasSuffix(name, "~"),
		lower == "thumbs.db", lower == "desktop.ini":
		return true
	}
	return false
}

// run is the watching loop. All folder scans after Start happen here.
func (in *Inbox) run(ctx context.Context) {
	defer in.wg.Done()
	defer close(in.runDone)
	defer in.watcher.Close()

	due := in.nextDue(time.Now())
	timer := time.NewTimer(time.Until(due))
	defer timer.Stop()
	soon := func(d time.Duration) {
		if t := time.Now().Add(d); t.Before(due) {
			due = t
			timer.Reset(d)
		}
	}
	events, errs := in.watcher.Events, in.watcher.Errors
	for {
		select {
		case <-ctx.Done():
			return
		case <-in.stop:
			return
		case ev, ok := <-events:
			if !ok {
				events = nil // watcher gone: periodic scans still work
				continue
			}
			if in.noteEvent(ev) {
				soon(in.opts.Debounce)
			}
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			in.opts.Logf("scan inbox: watch error (rescanning): %v", err)
			soon(in.opts.Debounce)
		case <-in.kick:
			soon(0)
		case <-timer.C:
			in.scan()
			due = in.nextDue(time.Now())
			timer.Reset(time.Until(due))
		}
	}
}

// noteEvent records a change notification and reports whether a scan is
// needed.
func (in *Inbox) noteEvent(ev fsnotify.Event) bool {
	if ev.Name == in.dir {
		return true // the folder itself was removed, renamed or created
	}
	if filepath.Dir(ev.Name) != in.dir {
		return false // another entry in the parent folder
	}
	name := filepath.Base(ev.Name)
	if ignoredName(name) {
		// A rename from "x.part" to "x" arrives as a Create of "x"; nothing to do here.
		return false
	}
	if ev.Op == fsnotify.Chmod {
		return false
	}
	if ev.Has(fsnotify.Write) || ev.Has(fsnotify.Create) {
		in.mu.Lock()
		if e := in.entries[name]; e != nil {
			e.lastEvent = time.Now()
		}
		in.mu.Unlock()
	}
	return true
}

// nextDue is when the next scan should happen.
func (in *Inbox) nextDue(now time.Time) time.Time {
	in.mu.Lock()
	defer in.mu.Unlock()
	due := in.lastFull.Add(in.opts.Rescan)
	if in.missing || in.watchedStat == nil {
		due = minTime(due, now.Add(in.opts.PollMissing))
	}
	for _, e := range in.entries {
		if !e.ready {
			due = minTime(due, e.changedAt.Add(in.opts.Settle))
		}
	}
	if due.Before(now) {
		due = now
	}
	return due
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// ensureWatch (re)adds the folder and its parent to the watcher when needed.
func (in *Inbox) ensureWatch(st os.FileInfo) {
	list := in.watcher.WatchList()
	if in.watchedStat == nil || !os.SameFile(st, in.watchedStat) || !slices.Contains(list, in.dir) {
		_ = in.watcher.Remove(in.dir) // a stale watch of a deleted or moved folder
		if err := in.watcher.AddWith(in.dir, fsnotify.WithBufferSize(256<<10)); err != nil {
			in.opts.Logf("scan inbox: can't watch %s (polling instead): %v", in.dir, err)
			in.watchedStat = nil
		} else {
			in.watchedStat = st
		}
	}
	if in.parent != in.dir && !slices.Contains(list, in.parent) {
		_ = in.watcher.Add(in.parent) // best effort: speeds up noticing re-creation
	}
}

// scan lists the folder and updates the entries; files that have settled
// are sniffed and offered.
func (in *Inbox) scan() {
	now := time.Now()
	st, err := os.Stat(in.dir)
	if err != nil || !st.IsDir() {
		if in.watchedStat != nil {
			_ = in.watcher.Remove(in.dir)
			in.watchedStat = nil
		}
		if in.parent != in.dir && !slices.Contains(in.watcher.WatchList(), in.parent) {
			_ = in.watcher.Add(in.parent)
		}
		in.mu.Lock()
		in.missing = true
		in.lastFull = now
		clear(in.entries)
		in.mu.Unlock()
		in.notify()
		return
	}
	// Watch first, then list: nothing created in between is missed.
	in.ensureWatch(st)
	dirents, err := os.ReadDir(in.dir)
	if err != nil {
		in.opts.Logf("scan inbox: can't list %s: %v", in.dir, err)
		in.mu.Lock()
		in.lastFull = now
		in.mu.Unlock()
		return
	}
	seen := make(map[string]fingerprint, len(dirents))
	for _, d := range dirents {
		name := d.Name()
		if ignoredName(name) || !d.Type().IsRegular() {
			continue // folders (Imported), links, devices
		}
		fi, err := d.Info()
		if err != nil {
			continue // removed meanwhile
		}
		seen[name] = fingerprint{fi.Size(), fi.ModTime()}
	}

	var toSniff []string
	in.mu.Lock()
	in.missing = false
	in.lastFull = now
	for name := range in.entries {
		if _, ok := seen[name]; !ok {
			delete(in.entries, name)
		}
	}
	for name, h := range in.hidden {
		if fp, ok := seen[name]; !ok || fp != h {
			delete(in.hidden, name) // gone or changed: no longer the file we imported
		}
	}
	for name, fp := range seen {
		if _, ok := in.hidden[name]; ok {
			continue
		}
		e := in.entries[name]
		switch {
		case e == nil:
			in.entries[name] = &inboxEntry{name: name, fp: fp, changedAt: now}
			continue
		case e.fp != fp:
			e.fp, e.changedAt, e.ready = fp, now, false
			e.mime, e.problem, e.code, e.openFails = "", "", "", 0
			continue
		case e.lastEvent.After(e.changedAt):
			e.changedAt, e.ready = e.lastEvent, false
			continue
		}
		if !e.ready && now.Sub(e.changedAt) >= in.opts.Settle {
			toSniff = append(toSniff, name)
		}
	}
	in.mu.Unlock()

	for _, name := range toSniff {
		fp := seen[name]
		r := in.sniff(name, fp)
		in.mu.Lock()
		e := in.entries[name]
		if e != nil && e.fp == fp && !e.lastEvent.After(e.changedAt) {
			if r.retry {
				e.openFails++
				e.changedAt = time.Now() // try again after another settle interval
				if e.openFails >= 5 {
					r = sniffResult{problem: unreadableErr(name, r.err).Message, code: apperr.FileUnreadable}
				}
			}
			if !r.retry || e.openFails >= 5 {
				e.ready, e.mime, e.problem, e.code = true, r.mime, r.problem, r.code
			}
		}
		in.mu.Unlock()
	}
	in.notify()
}

type sniffResult struct {
	mime, problem string
	code          apperr.Code
	retry         bool
	err           error
}

// sniff decides what a settled file is, without reading more than the head
// (plus a zip's central directory).
func (in *Inbox) sniff(name string, fp fingerprint) sniffResult {
	problem := func(err error) sniffResult {
		e := apperr.As(err)
		return sniffResult{problem: e.Message, code: e.Code}
	}
	if _, err := CleanName(name); err != nil {
		return problem(err)
	}
	if fp.size == 0 {
		return problem(emptyErr(name))
	}
	if in.opts.MaxBytes > 0 && fp.size > in.opts.MaxBytes {
		return problem(tooLargeErr(name, fp.size, in.opts.MaxBytes))
	}
	f, err := os.Open(filepath.Join(in.dir, name))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return sniffResult{retry: true, err: err}
		}
		return sniffResult{retry: true, err: err} // locked by the scanner, say
	}
	defer f.Close()
	head := make([]byte, HeadSize)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return sniffResult{retry: true, err: err}
	}
	m, err := checkType(head[:n], name)
	if err != nil {
		return problem(err)
	}
	if isZipFamily(m) {
		m, err = checkZip(f, fp.size, m, name)
		if err != nil {
			return problem(err)
		}
	}
	return sniffResult{mime: m}
}

// dispatch calls the OnChange function after changes, one call at a time.
func (in *Inbox) dispatch() {
	defer in.wg.Done()
	for {
		select {
		case <-in.runDone:
			return
		case <-in.changed:
			in.mu.Lock()
			fn := in.onChange
			in.mu.Unlock()
			if fn != nil {
				fn()
			}
		}
	}
}

// notify asks for the OnChange function to be called when the pending list
// changed since the last call.
func (in *Inbox) notify() {
	in.mu.Lock()
	var b strings.Builder
	for _, f := range in.pendingLocked() {
		b.WriteString(f.ID)
		b.WriteByte('|')
		b.WriteString(strconv.FormatInt(f.Size, 10))
		b.WriteByte('|')
		b.WriteString(strconv.FormatInt(f.ModTime.UnixNano(), 10))
		b.WriteByte('|')
		b.WriteString(f.MIME)
		b.WriteByte('|')
		b.WriteString(f.Problem)
		b.WriteByte('\n')
	}
	sig := b.String()
	changed := sig != in.lastSig
	in.lastSig = sig
	in.mu.Unlock()
	if changed {
		select {
		case in.changed <- struct{}{}:
		default: // a call is already due; it will see the latest list
		}
	}
}

func (in *Inbox) requestScan() {
	select {
	case in.kick <- struct{}{}:
	default:
	}
}

// Import adds the pending file id to store and, only once the stored copy
// has been verified and the file did not change while being read, moves it
// into the inbox's Imported folder (as "name (2).ext" and so on when that
// name is taken there). It returns the blob and the cleaned display name.
//
// A file that is no longer waiting is apperr.NotFound; a file that is still
// changing, or already being imported, is apperr.Conflict; refusals from Put
// (type, size, ...) leave the file where it is. If the stored file is fine
// but cannot be moved away, the import still succeeds and the file is no
// longer offered (the problem is logged).
func (in *Inbox) Import(ctx context.Context, id string, store *Store, maxBytes int64) (Blob, string, error) {
	in.mu.Lock()
	var e *inboxEntry
	for _, c := range in.entries {
		if inboxID(filepath.Join(in.dir, c.name)) == id {
			e = c
			break
		}
	}
	if e == nil {
		in.mu.Unlock()
		return Blob{}, "", apperr.New(apperr.NotFound, "This scan is no longer in the scan inbox folder. It may have been moved, renamed or already added.")
	}
	name, want := e.name, e.fp
	if !e.ready {
		in.mu.Unlock()
		return Blob{}, "", apperr.New(apperr.Conflict, quoted(name)+" is still being written. Please wait a moment and try again.")
	}
	if in.importing[name] {
		in.mu.Unlock()
		return Blob{}, "", apperr.New(apperr.Conflict, quoted(name)+" is already being added.")
	}
	in.importing[name] = true
	in.mu.Unlock()
	defer func() {
		in.mu.Lock()
		delete(in.importing, name)
		in.mu.Unlock()
	}()

	display, err := CleanName(name)
	if err != nil {
		return Blob{}, "", err
	}
	src := filepath.Join(in.dir, name)
	changing := func() error {
		in.requestScan()
		return apperr.New(apperr.Conflict, quoted(name)+" is still being written or was changed. Please wait a moment and try again.")
	}

	blob, fi, err := in.putFile(ctx, src, display, want, store, maxBytes)
	if err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return Blob{}, "", changing()
		}
		return Blob{}, "", err
	}
	if err := store.Verify(blob.SHA256); err != nil {
		return Blob{}, "", err
	}
	after, err := os.Lstat(src)
	if err != nil || !os.SameFile(fi, after) || (fingerprint{after.Size(), after.ModTime()}) != want {
		// The stored bytes are consistent but may not be the finished file;
		// the blob stays unreferenced until a later Import or clean-up.
		return Blob{}, "", changing()
	}

	dst, merr := in.moveToImported(src, name)
	in.mu.Lock()
	if merr != nil {
		in.opts.Logf("scan inbox: stored %s but could not move it to %s: %v", name, in.opts.ImportedDir, merr)
		in.hidden[name] = want
	} else {
		in.opts.Logf("scan inbox: imported %s as %s", name, dst)
	}
	delete(in.entries, name)
	in.mu.Unlock()
	in.notify()
	in.requestScan()
	return blob, display, nil
}

// putFile opens src, checks it is still the file that settled, and Puts it.
func (in *Inbox) putFile(ctx context.Context, src, display string, want fingerprint, store *Store, maxBytes int64) (Blob, os.FileInfo, error) {
	f, err := os.Open(src)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			in.requestScan()
			return Blob{}, nil, apperr.New(apperr.NotFound, quoted(display)+" is no longer in the scan inbox folder.")
		}
		return Blob{}, nil, unreadableErr(display, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Blob{}, nil, unreadableErr(display, err)
	}
	if !fi.Mode().IsRegular() {
		return Blob{}, nil, apperr.New(apperr.FileUnreadable, quoted(display)+" isn't an ordinary file, so it can't be attached.")
	}
	if (fingerprint{fi.Size(), fi.ModTime()}) != want {
		return Blob{}, nil, apperr.New(apperr.Conflict, "changed")
	}
	if err := checkStat(fi, display, maxBytes); err != nil {
		return Blob{}, nil, err
	}
	blob, err := store.Put(ctx, f, display, maxBytes, nil)
	if err != nil {
		return Blob{}, nil, err
	}
	return blob, fi, nil
}

// moveToImported moves src into the Imported folder without ever replacing a
// file there, returning the new path.
func (in *Inbox) moveToImported(src, name string) (string, error) {
	dir := filepath.Join(in.dir, in.opts.ImportedDir)
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return "", err
	}
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 1; i <= 10000; i++ {
		cand := name
		if i > 1 {
			cand = stem + " (" + strconv.Itoa(i) + ")" + ext
		}
		dst := filepath.Join(dir, cand)
		err := os.Link(src, dst) // fails if dst exists: never replaces
		if err == nil {
			if err := os.Remove(src); err != nil {
				_ = os.Remove(dst)
				return "", err
			}
			_ = syncDir(dir)
			_ = syncDir(in.dir)
			return dst, nil
		}
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		// Hard links unsupported (FAT, some network shares): check, then rename.
		if _, serr := os.Lstat(dst); serr == nil {
			continue
		}
		if err := os.Rename(src, dst); err != nil {
			return "", err
		}
		_ = syncDir(dir)
		_ = syncDir(in.dir)
		return dst, nil
	}
	return "", errors.New("no free name in the Imported folder")
}
