// Package desk wires one desk's services together over a data directory: the
// database, the blob store, the change log, the audit log and every service.
// app.go opens one Desk at start-up; tests open one in a temp directory.
//
// It holds no rules of its own and never imports Wails.
package desk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gorm.io/gorm"

	"clinicdesk/backend/attachments"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/auth"
	"clinicdesk/backend/calendar"
	"clinicdesk/backend/clients"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/demo"
	"clinicdesk/backend/files"
	"clinicdesk/backend/messaging"
	"clinicdesk/backend/settings"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
)

// Options tune Open.
type Options struct {
	// Demo creates the demo practice when the database is empty.
	Demo bool
	// Clock defaults to the system clock.
	Clock clock.Clock
}

// Desk is everything one desk runs on.
type Desk struct {
	Dir         string
	DB          *store.DB
	Blobs       *files.Store
	Rec         *sync.Recorder
	Audit       audit.Log
	Clock       clock.Clock
	Session     *auth.Session
	Auth        *auth.Service
	Clients     *clients.Service
	Messages    *messaging.Service
	Attachments *attachments.Service
	Settings    *settings.Service
	Calendar    *calendar.Service

	inbox InboxWatcher
}

// Open opens (creating if needed) the desk in dir.
func Open(ctx context.Context, dir string, opt Options) (*Desk, error) {
	if opt.Clock == nil {
		opt.Clock = clock.System{}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory %s: %w", dir, err)
	}
	origin, err := deskID(dir)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(filepath.Join(dir, "clinicdesk.db"))
	if err != nil {
		return nil, err
	}
	blobs, err := files.NewStore(filepath.Join(dir, "files"))
	if err != nil {
		db.Close()
		return nil, err
	}
	// Viewer copies live in a private temp folder of this run (0700), one
	// subfolder per session, removed when the session ends and on Close;
	// the folders of earlier runs on this data folder (a crash, a kill)
	// are removed first.
	viewDir, err := openViewDir(dir)
	if err != nil {
		db.Close()
		return nil, err
	}
	// A desk that joined a hub goes by the id the hub gave it.
	if joined, err := sync.JoinedDeskID(db.DB); err != nil {
		db.Close()
		return nil, err
	} else if joined != "" {
		origin = joined
	}
	d := &Desk{Dir: dir, DB: db, Blobs: blobs, Rec: sync.NewRecorder(origin, opt.Clock), Audit: audit.Log{Clock: opt.Clock}, Clock: opt.Clock,
		Session: &auth.Session{}}
	// Every transaction signs the changes it recorded as the signed-in
	// staff member, just before it commits (docs/sync.md).
	db.BeforeCommit = func(tx *gorm.DB) error { return d.Rec.Seal(tx, d.Session) }
	d.Auth = &auth.Service{DB: db, Audit: d.Audit, Clock: d.Clock, Session: d.Session, Rec: d.Rec}
	d.Attachments = &attachments.Service{DB: db, Rec: d.Rec, Audit: d.Audit, Clock: d.Clock, Blobs: blobs, ViewDir: viewDir, DataDir: dir}
	d.Auth.SessionEnded = d.Attachments.EndSession
	d.Messages = &messaging.Service{DB: db, Rec: d.Rec, Audit: d.Audit, Clock: d.Clock, Attachments: d.Attachments, Views: d.Session}
	d.Clients = &clients.Service{DB: db, Rec: d.Rec, Audit: d.Audit, Clock: d.Clock, Unread: d.Messages}
	d.Settings = &settings.Service{DB: db, Rec: d.Rec, Audit: d.Audit, Clock: d.Clock}
	d.Calendar = &calendar.Service{DB: db, Rec: d.Rec, Audit: d.Audit, Clock: d.Clock, Unread: d.Messages}
	if opt.Demo {
		err := demo.Generate(ctx, db, blobs, d.Clock.Now())
		if err != nil && !errors.Is(err, demo.ErrNotEmpty) {
			d.Close()
			return nil, fmt.Errorf("create demo practice: %w", err)
		}
	}
	if _, err := store.GetSettings(db.DB); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// Close closes the database, drops the staged files that were never sent
// and removes the viewer copies.
func (d *Desk) Close() error {
	d.stopInbox()
	d.Attachments.Close()
	return d.DB.Close()
}

// openViewDir removes the viewer folders earlier runs on the data folder dir
// left behind, and creates this run's. Their names start with
// attachments.ViewDirPrefix and a key of dir, so a desk never removes the
// folders of another data folder's running desk (one process owns a data
// folder).
func openViewDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256([]byte(abs))
	prefix := attachments.ViewDirPrefix + hex.EncodeToString(h[:6]) + "-"
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), prefix+"*"))
	for _, p := range old {
		os.RemoveAll(p)
	}
	return os.MkdirTemp("", prefix)
}

// deskID returns this desk's id, kept in the data directory, creating it once.
func deskID(dir string) (string, error) {
	p := filepath.Join(dir, "desk-id")
	b, err := os.ReadFile(p)
	if err == nil && len(strings.TrimSpace(string(b))) >= 8 {
		return strings.TrimSpace(string(b)), nil
	}
	id := clock.NewID()
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(id+"\n"), 0o600); err != nil {
		return "", err
	}
	return id, os.Rename(tmp, p)
}
