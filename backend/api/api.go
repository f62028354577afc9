// Package api holds the structs bound to the Wails window. Each method takes
// the signed-in staff member from the desk's session, checks and converts its
// input, calls a service and returns DTOs or a typed error. It holds no rules:
// the services and package access decide.
//
// Only this package, events and platform import Wails.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"sync"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/events"
)

// Base is shared by every bound struct: the desk, the event emitter and the
// app's lifecycle context (set at start-up).
type Base struct {
	Desk *desk.Desk
	Emit events.Emitter
	ctx  context.Context
	sync *Sync // the one Sync binding over this Base; its engine starts with the desk

	// swap is held for writing while a restore closes the desk, swaps the
	// data in and reopens it. Every bound call holds its read side for the
	// whole call (hold), so a call works on one open desk from start to end.
	swap sync.RWMutex
}

// Start gives the bound structs the app's lifecycle context (for dialogs) and
// the event emitter. A package function, not a method, so it is not bound.
func Start(b *Base, ctx context.Context, emit events.Emitter) { b.ctx, b.Emit = ctx, emit }

// hold keeps the desk from being swapped until the returned function is
// called. Every bound method starts with `defer x.hold()()` (a test checks
// it) and never calls another bound method, since a read lock taken twice
// deadlocks when a restore waits between the two.
func (b *Base) hold() func() {
	b.swap.RLock()
	return b.swap.RUnlock
}

// actor returns the signed-in staff member; callers hold the desk.
func (b *Base) actor() (access.Actor, error) {
	a := b.Desk.Session.Actor()
	return a, access.CheckSignedIn(a)
}

// changed tells the UI that data of this kind changed; call it only after a
// change was written.
func (b *Base) changed(what events.Kind) { b.changedIn(what, "") }

// changedIn is changed for a change in one thread.
func (b *Base) changedIn(what events.Kind, threadID string) {
	if b.Emit != nil {
		b.Emit.Emit(events.DataChanged, events.Change{What: what, ThreadID: threadID})
	}
}

// FormatError is the Wails ErrorFormatter. Wails 2.15 rejects the promise
// with new Error(formatted), so the formatted value is a JSON string
// {code, message, field} that src/api/ parses; internal details stay in the log.
func FormatError(err error) any {
	var e *apperr.Error
	if !errors.As(err, &e) {
		log.Printf("internal error: %v", err)
	}
	out := apperr.As(err)
	b, _ := json.Marshal(map[string]string{"code": string(out.Code), "message": out.Message, "field": out.Field})
	return string(b)
}

// Bindings returns every bound struct over one desk, sharing one Base.
func Bindings(b *Base) []any {
	return []any{&Session{b}, &Clients{b}, &Messages{b}, &Attachments{b}, &Files{Base: b}, &Settings{b}, &Calendar{b}, &Inbox{b}, &Audit{b}, SyncOf(b), &Backup{Base: b}, &About{b}}
}

// Housekeeping frees the bytes of attachments deleted more than 30 days ago
// and the bytes nothing uses any more once their grace period has passed
// (the app's hourly loop), with the desk held like a bound call. A package
// function, so it is not bound.
func Housekeeping(ctx context.Context, b *Base, logf func(string, ...any)) {
	defer b.hold()()
	if n, err := b.Desk.Attachments.Purge(); err != nil {
		logf("purge: %v", err)
	} else if n > 0 {
		logf("purged %d deleted attachment(s)", n)
	}
	if gone, err := b.Desk.Attachments.SweepOrphans(ctx); err != nil {
		logf("sweep unreferenced files: %v", err)
	} else if len(gone) > 0 {
		logf("removed %d unreferenced stored file(s)", len(gone))
	}
}

// SyncOf returns the Sync binding of b (one per Base). It is bound before the
// desk is opened; StartDeskSync gives it its engine.
func SyncOf(b *Base) *Sync {
	if b.sync == nil {
		b.sync = &Sync{Base: b}
	}
	return b.sync
}

// StartDeskSync builds the sync engine over the opened desk and starts its
// background loop (app start-up, after the desk is open).
func StartDeskSync(b *Base, ctx context.Context) {
	s := SyncOf(b)
	s.eng = NewSync(b).eng
	StartSync(s, ctx)
}

// StopDeskSync stops the loop StartDeskSync started, if it did.
func StopDeskSync(b *Base) {
	if b.sync != nil && b.sync.eng != nil {
		StopSync(b.sync)
	}
}
