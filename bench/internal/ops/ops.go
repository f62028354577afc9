// Package ops defines the operations measured on the large practice, once,
// for both the Go benchmarks (bench/large_test.go) and the latency harness
// (bench/cmd/latency), so both measure exactly the same calls.
//
// It is bench-only code; the app never imports it.
package ops

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	_ "github.com/glebarez/go-sqlite" // database/sql driver "sqlite", the one gorm's glebarez/sqlite uses

	"clinicdesk/backend/access"
	"clinicdesk/backend/demo"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/store"
	"clinicdesk/bench/internal/largefix"
)

// Env is a working copy of the large practice opened as a desk.
type Env struct {
	Dir   string
	Desk  *desk.Desk
	Info  demo.LargeInfo
	Heavy access.Actor // the clinician in most of the heaviest client's threads
	Light access.Actor // the owner, in few threads
	Raw   *sql.DB      // the same database through database/sql, for the floor
	// OtherClientID receives the composed threads, so the heaviest client's
	// tab does not grow while it is measured.
	OtherClientID string
	bigFile       string
	composeN      uint64
	shared        bool
}

// Open copies the cached practice into a fresh directory under
// <cache>/../work-* and opens it. It returns largefix.ErrAbsent when the
// practice has not been generated.
func Open(ctx context.Context, cache string) (*Env, error) {
	info, err := largefix.Load(cache)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(filepath.Dir(cache), "work-")
	if err != nil {
		return nil, err
	}
	if err := largefix.WorkCopy(cache, dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	d, err := desk.Open(ctx, dir, desk.Options{})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	e := &Env{Dir: dir, Desk: d, Info: info}
	if err := e.init(); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

func (e *Env) init() error {
	actor := func(id string) (access.Actor, error) {
		var s store.Staff
		if err := e.Desk.DB.Where("id = ?", id).First(&s).Error; err != nil {
			return access.Actor{}, fmt.Errorf("staff %s: %w", id, err)
		}
		return access.Actor{StaffID: s.ID, Role: s.Role, Name: s.FullName()}, nil
	}
	var err error
	if e.Heavy, err = actor(e.Info.HeavyStaffID); err != nil {
		return err
	}
	if e.Light, err = actor(e.Info.LightStaffID); err != nil {
		return err
	}
	if err := e.Desk.DB.Raw(`SELECT id FROM clients WHERE id <> ? ORDER BY id LIMIT 1`, e.Info.HeavyClientID).Scan(&e.OtherClientID).Error; err != nil {
		return err
	}
	e.Raw, err = sql.Open("sqlite", filepath.Join(e.Dir, "clinicdesk.db")+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		return err
	}
	var att struct{ SharedWithStaff bool }
	if err := e.Desk.DB.Raw(`SELECT shared_with_staff FROM attachments WHERE id = ?`, e.Info.ShareAttachmentID).Scan(&att).Error; err != nil {
		return err
	}
	e.shared = att.SharedWithStaff
	// A 10 MB text file for compose, its first line changed before each use
	// so every compose stores new content, as a new scan would. It lives
	// beside the data folder: files inside it cannot be staged.
	e.bigFile = filepath.Join(e.Dir+"-src", "Scan for compose.txt")
	if err := os.MkdirAll(filepath.Dir(e.bigFile), 0o700); err != nil {
		return err
	}
	var b bytes.Buffer
	for i := 0; b.Len() < 10<<20; i++ {
		fmt.Fprintf(&b, "line %07d of a long scanned letter, converted to text for the benchmark\n", i)
	}
	return os.WriteFile(e.bigFile, b.Bytes()[:10<<20], 0o600)
}

// Close closes the desk and removes the working copy.
func (e *Env) Close() {
	if e.Raw != nil {
		e.Raw.Close()
	}
	if e.Desk != nil {
		e.Desk.Close()
	}
	os.RemoveAll(e.Dir)
	os.RemoveAll(e.Dir + "-src")
}

// Op is one measured operation. Prepare, when set, runs before each Run
// and is not timed.
type Op struct {
	Name    string
	Prepare func() error
	Run     func() error
}

// Ops lists the operations in the order they are reported.
func (e *Env) Ops() []Op {
	ctx := context.Background()
	h := e.Heavy
	client := e.Info.HeavyClientID
	return []Op{
		{Name: "MessagesTab", Run: func() error { _, err := e.Tab(h, client); return err }},
		{Name: "MessagesTabWhole", Run: func() error { _, err := e.TabWhole(h, client); return err }},
		{Name: "MessagesTabFloorSQL", Run: func() error { _, _, err := e.TabFloor(h.StaffID, client); return err }},
		{Name: "MessagesTabFloorPacked", Run: func() error { _, _, _, err := e.TabFloorPacked(h.StaffID, client); return err }},
		{Name: "MessagesTabThreads", Run: func() error { _, err := e.Desk.Messages.ThreadsWithClient(h, client); return err }},
		{Name: "MessagesTabAttachments", Run: func() error { _, err := e.Desk.Attachments.ForClient(h, client); return err }},
		{Name: "OpenThread1000", Run: func() error { _, err := e.Desk.Messages.Open(h, e.Info.LongThreadID); return err }},
		{Name: "ClientSearch", Run: func() error { _, err := e.Desk.Clients.Search(h, "nak", 0); return err }},
		{Name: "ClientListAll", Run: func() error { _, err := e.Desk.Clients.Search(h, "", 0); return err }},
		{Name: "SearchCommonWord", Run: func() error { return e.search(h, "insurance") }},
		{Name: "SearchTwoWords", Run: func() error { return e.search(h, "sleep diary") }},
		{Name: "SearchRareWord", Run: func() error { return e.search(h, "kayak") }},
		{Name: "SearchPrefix", Run: func() error { return e.search(h, "medic") }},
		{Name: "SearchFewThreadsStaff", Run: func() error { return e.search(e.Light, "insurance") }},
		{Name: "ShareToggle", Run: func() error {
			e.shared = !e.shared
			_, err := e.Desk.Attachments.SetShared(h, e.Info.ShareAttachmentID, e.shared)
			return err
		}},
		{Name: "Compose10MB", Prepare: e.newBigFile, Run: func() error { return e.compose(ctx) }},
		{Name: "AppStart", Run: func() error { return e.start(ctx) }},
	}
}

// Tab is what api.Messages.Tab returns: the newest dto.TabFirstThreads
// threads (with unread counts) and dto.TabFirstAttachments attachments,
// with the totals (the tab draws from this, then fetches the rest).
func (e *Env) Tab(a access.Actor, clientID string) (dto.MessagesTab, error) {
	return e.tab(a, clientID, dto.TabFirstThreads, dto.TabFirstAttachments)
}

// TabWhole is the tab with every thread and attachment (what it holds once
// the rest has come, and what the floor queries select).
func (e *Env) TabWhole(a access.Actor, clientID string) (dto.MessagesTab, error) {
	return e.tab(a, clientID, 0, 0)
}

func (e *Env) tab(a access.Actor, clientID string, threadsMax, attachmentsMax int) (dto.MessagesTab, error) {
	threads, threadsTotal, err := e.Desk.Messages.ThreadsWithClientPage(a, clientID, 0, threadsMax)
	if err != nil {
		return dto.MessagesTab{}, err
	}
	atts, total, err := e.Desk.Attachments.ForClientPage(a, clientID, 0, attachmentsMax)
	if err != nil {
		return dto.MessagesTab{}, err
	}
	set, err := store.GetSettings(e.Desk.DB.DB)
	if err != nil {
		return dto.MessagesTab{}, err
	}
	return dto.MessagesTab{ClientID: clientID, Threads: threads, ThreadsTotal: threadsTotal, Attachments: atts, AttachmentsTotal: total,
		RecordsDeletion: set.RecordsDeletion}, nil
}

func (e *Env) search(a access.Actor, q string) error {
	r, err := e.Desk.Messages.Search(a, q, 50)
	if err == nil && len(r.Hits) == 0 {
		err = fmt.Errorf("search %q found nothing", q)
	}
	return err
}

func (e *Env) newBigFile() error {
	e.composeN++
	f, err := os.OpenFile(e.bigFile, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	var stamp [8]byte
	binary.BigEndian.PutUint64(stamp[:], e.composeN)
	_, err = f.WriteAt([]byte(fmt.Sprintf("%016x", stamp)), 0)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// compose stages the 10 MB file from disk (as drag-and-drop does) and sends
// it in a new thread.
func (e *Env) compose(ctx context.Context) error {
	sf, err := e.Desk.Attachments.Stage(ctx, e.Heavy, e.bigFile, nil)
	if err != nil {
		return err
	}
	_, err = e.Desk.Messages.Compose(e.Heavy, dto.ComposeRequest{ClientID: e.OtherClientID, Subject: "Scanned letter",
		Body: "Here is the letter we talked about.", Files: []dto.OutgoingFile{{Token: sf.Token, Name: sf.Name}}})
	return err
}

// start opens the practice as the app does at start-up and runs the sign-in
// screen's first query (the active staff list).
func (e *Env) start(ctx context.Context) error {
	d, err := desk.Open(ctx, e.Dir, desk.Options{})
	if err != nil {
		return err
	}
	defer d.Close()
	var staff []store.Staff
	return d.DB.Where("active = ?", true).Order("first_name, last_name").Find(&staff).Error
}

// Sample is one timed run: wall-clock time, and the CPU time the whole
// process used meanwhile (user + system, GC included). On a machine shared
// with other work, wall time grows with the load; CPU time much less.
type Sample struct{ Wall, CPU time.Duration }

// Time runs op n times after warm untimed runs.
func Time(op Op, warm, n int) ([]Sample, error) {
	out := make([]Sample, 0, n)
	for i := 0; i < warm+n; i++ {
		if op.Prepare != nil {
			if err := op.Prepare(); err != nil {
				return nil, err
			}
		}
		c0 := CPUTime()
		start := time.Now()
		if err := op.Run(); err != nil {
			return nil, fmt.Errorf("%s: %w", op.Name, err)
		}
		if i >= warm {
			out = append(out, Sample{Wall: time.Since(start), CPU: CPUTime() - c0})
		}
	}
	return out, nil
}

// CPUTime is the process's user + system CPU time so far.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
