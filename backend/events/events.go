// Package events names the events Go sends to the UI and hides how they are
// sent behind Emitter, so services and tests never call the Wails runtime
// (whose calls end the process when given any context but the app's own).
package events

import (
	"context"
	gosync "sync"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// Event names.
const (
	FileProgress = "files:progress" // {id, name, done, total}
	DataChanged  = "data:changed"   // Change: what changed (a Kind), and in which thread
	InboxChanged = "inbox:changed"  // {}
	Locked       = "session:locked" // {}
)

// Emitter sends an event to the UI.
type Emitter interface {
	Emit(name string, data any)
}

// Wails emits through the Wails runtime with the app's lifecycle context.
type Wails struct{ Ctx context.Context }

// Emit sends the event; it does nothing before the app has started.
func (w Wails) Emit(name string, data any) {
	if w.Ctx != nil {
		runtime.EventsEmit(w.Ctx, name, data)
	}
}

// Fake records events, for tests.
type Fake struct {
	mu     gosync.Mutex
	Events []Recorded
}

// Recorded is one event a Fake received.
type Recorded struct {
	Name string
	Data any
}

// Emit records the event.
func (f *Fake) Emit(name string, data any) {
	f.mu.Lock()
	f.Events = append(f.Events, Recorded{name, data})
	f.mu.Unlock()
}

// Changes returns the DataChanged events received so far.
func (f *Fake) Changes() []Change {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Change
	for _, e := range f.Events {
		if e.Name == DataChanged {
			c, _ := e.Data.(Change) // an untyped payload shows as What ""
			out = append(out, c)
		}
	}
	return out
}

// Reset forgets the events received so far.
func (f *Fake) Reset() {
	f.mu.Lock()
	f.Events = nil
	f.mu.Unlock()
}

// Names returns the names of the events received so far.
func (f *Fake) Names() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, len(f.Events))
	for i, e := range f.Events {
		out[i] = e.Name
	}
	return out
}

// Throttle returns a function that emits progress at most every interval,
// and always the final value (done == total).
func Throttle(e Emitter, interval time.Duration, emit func(done, total int64) (string, any)) func(done, total int64) {
	var last time.Time
	return func(done, total int64) {
		if done != total && time.Since(last) < interval {
			return
		}
		last = time.Now()
		name, data := emit(done, total)
		e.Emit(name, data)
	}
}
