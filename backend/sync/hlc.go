package sync

import (
	"fmt"
	gosync "sync"
	"time"

	"clinicdesk/backend/clock"
)

// HLC is a hybrid logical clock: wall time in milliseconds plus a counter, so
// that events from several desks order consistently even when their clocks
// drift. Timestamps format as fixed-width strings that sort correctly.
type HLC struct {
	mu      gosync.Mutex
	clock   clock.Clock
	wall    int64
	counter int64
}

// NewHLC returns an HLC driven by c.
func NewHLC(c clock.Clock) *HLC { return &HLC{clock: c} }

// Now returns the next timestamp: never smaller than any returned or observed before.
func (h *HLC) Now() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	pt := h.clock.Now().UnixMilli()
	if pt > h.wall {
		h.wall, h.counter = pt, 0
	} else {
		h.counter++
	}
	return format(h.wall, h.counter)
}

// Observe merges a timestamp received from elsewhere so later local stamps sort after it.
func (h *HLC) Observe(ts string) error {
	var wall, counter int64
	if _, err := fmt.Sscanf(ts, "%013d-%06d", &wall, &counter); err != nil {
		return fmt.Errorf("bad HLC timestamp %q: %w", ts, err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if wall > h.wall || (wall == h.wall && counter > h.counter) {
		h.wall, h.counter = wall, counter
	}
	return nil
}

func format(wall, counter int64) string { return fmt.Sprintf("%013d-%06d", wall, counter) }

// WallTime returns the wall-clock part of a timestamp.
func WallTime(ts string) time.Time {
	var wall, counter int64
	fmt.Sscanf(ts, "%013d-%06d", &wall, &counter)
	return time.UnixMilli(wall).UTC()
}
