package api

import (
	"context"

	"gorm.io/gorm"

	"clinicdesk/backend/access"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/events"
	"clinicdesk/backend/sync"
)

// Sync serves the sync status indicator and Settings → Sync: join a practice
// hub with its address and a one-time code, leave it, sync now, read the
// notices of changes the hub undid.
//
// Create it with NewSync, start its background loop with StartSync from the
// app's startup and stop it with StopSync at shutdown (plain functions, so
// Wails does not bind them). Events: sync:status (sync.Status), sync:progress
// ({phase, done, total}) and data:changed {what: "sync"} after hub changes
// were applied, or the desk joined or left a hub.
type Sync struct {
	*Base
	eng *sync.Engine
}

// lazyEmitter forwards to the Base's emitter as it is when the event fires
// (the Wails emitter is set after the bindings are built). The engine cannot
// import package events (it imports Wails), so its "hub changes applied"
// becomes the typed sync change here.
type lazyEmitter struct{ b *Base }

func (l lazyEmitter) Emit(name string, data any) {
	if l.b.Emit == nil {
		return
	}
	if name == sync.EventApplied {
		data = events.Change{What: events.KindSync}
	}
	l.b.Emit.Emit(name, data)
}

// NewSync builds the desk's sync engine over b.Desk.
func NewSync(b *Base) *Sync {
	d := b.Desk
	return &Sync{Base: b, eng: sync.NewEngine(d.DB, d.Blobs, d.Rec, sync.Options{Emitter: lazyEmitter{b}, Clock: d.Clock})}
}

// StartSync starts the background push/pull loop (it idles until the desk
// joins a hub).
func StartSync(s *Sync, ctx context.Context) { s.eng.Start(ctx) }

// StopSync stops the background loop and waits for it.
func StopSync(s *Sync) { s.eng.Stop() }

// Status returns online/offline, pending changes, last sync and last error.
func (s *Sync) Status() (sync.Status, error) {
	defer s.hold()()
	if _, err := s.actor(); err != nil {
		return sync.Status{}, err
	}
	return s.eng.Status(), nil
}

// Join connects this desk to a hub with an enrollment code (owner or
// manager). A desk that holds a practice seeds an empty hub; a desk joining a
// hub that has a practice must be empty.
func (s *Sync) Join(hubURL, code string) (sync.Status, error) {
	defer s.hold()()
	a, err := s.actor()
	if err != nil {
		return sync.Status{}, err
	}
	if err := access.CheckJoinHub(a); err != nil {
		return sync.Status{}, err
	}
	ctx := s.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if err := s.eng.Join(ctx, hubURL, code); err != nil {
		return s.eng.Status(), err
	}
	s.audit(a, "sync_joined", map[string]any{"hub": s.eng.Status().HubURL})
	return s.eng.Status(), nil
}

// Leave stops syncing with the hub; this desk keeps its data (owner or manager).
func (s *Sync) Leave() (sync.Status, error) {
	defer s.hold()()
	a, err := s.actor()
	if err != nil {
		return sync.Status{}, err
	}
	if err := access.CheckJoinHub(a); err != nil {
		return sync.Status{}, err
	}
	hub := s.eng.Status().HubURL
	if err := s.eng.Leave(context.Background()); err != nil {
		return s.eng.Status(), err
	}
	s.audit(a, "sync_left", map[string]any{"hub": hub})
	return s.eng.Status(), nil
}

// SyncNow asks for a sync round at once.
func (s *Sync) SyncNow() (sync.Status, error) {
	defer s.hold()()
	if _, err := s.actor(); err != nil {
		return sync.Status{}, err
	}
	s.eng.SyncNow()
	return s.eng.Status(), nil
}

// Notices lists the changes the hub undid, newest first.
func (s *Sync) Notices() ([]sync.Notice, error) {
	defer s.hold()()
	if _, err := s.actor(); err != nil {
		return nil, err
	}
	return s.eng.Notices()
}

// DismissNotice hides one notice.
func (s *Sync) DismissNotice(id string) error {
	defer s.hold()()
	if _, err := s.actor(); err != nil {
		return err
	}
	return s.eng.DismissNotice(id)
}

// NewEnrollCode asks the hub for a one-time code to join another desk; the
// hub gives one only to an owner.
func (s *Sync) NewEnrollCode() (sync.EnrollCodeResponse, error) {
	defer s.hold()()
	if _, err := s.actor(); err != nil {
		return sync.EnrollCodeResponse{}, err
	}
	return s.eng.NewEnrollCode(context.Background(), s.Desk.Session)
}

func (s *Sync) audit(a access.Actor, action string, detail map[string]any) {
	s.Desk.DB.Tx(func(tx *gorm.DB) error {
		return s.Desk.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: action, Detail: detail})
	})
	s.changed(events.KindSync)
}
