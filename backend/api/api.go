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
	// data in and reopens it; every call passes it (in actor) first, so no
	// call starts on a desk that is closing or half swapped in.
	swap sync.RWMutex
}

// Start gives the bound structs the app's lifecycle context (for dialogs) and
// the event emitter. A package function, not a method, so it is not bound.
func Start(b *Base, ctx context.Context, emit events.Emitter) { b.ctx, b.Emit = ctx, emit }

func (b *Base) actor() (access.Actor, error) {
	b.swap.RLock()
	defer b.swap.RUnlock()
	a := b.Desk.Session.Actor()
	return a, access.CheckSignedIn(a)
}

func (b *Base) changed(what string) {
	if b.Emit != nil {
		b.Emit.Emit(events.DataChanged, map[string]string{"what": what})
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
