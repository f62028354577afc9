// Package clock gives services an injectable notion of "now" (UTC) and new
// UUIDv7 ids. It must never hold state beyond what a test clock needs.
package clock

import (
	"sync"
	"time"

	"github.com/google/uuid"
)

// Clock tells the time. Services take one so tests can fix it.
type Clock interface{ Now() time.Time }

// System is the real clock, in UTC.
type System struct{}

// Now is time.Now in UTC.
func (System) Now() time.Time { return time.Now().UTC() }

// Fixed is a settable clock for tests.
type Fixed struct {
	mu sync.Mutex
	t  time.Time
}

// NewFixed returns a clock stopped at t.
func NewFixed(t time.Time) *Fixed { return &Fixed{t: t.UTC()} }

// Now returns the clock's time.
func (f *Fixed) Now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }

// Advance moves the clock forward by d.
func (f *Fixed) Advance(d time.Duration) { f.mu.Lock(); f.t = f.t.Add(d); f.mu.Unlock() }

// NewID returns a new UUIDv7 as a string: time-ordered, so ids sort by creation.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// RFC3339 formats t for the UI ("" for the zero time).
func RFC3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// RFC3339Ptr is RFC3339 for an optional time.
func RFC3339Ptr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return RFC3339(*t)
}
