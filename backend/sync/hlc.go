package sync

import (
	"errors"
	"fmt"
	gosync "sync"
	"time"

	"clinicdesk/backend/clock"
)

// HLC is a hybrid logical clock: wall time in milliseconds plus a counter, so
// that events from several desks order consistently even when their clocks
// drift. Timestamps format as fixed-width strings that sort correctly
// ("0001764669600000-000000": 13 digits, a dash, 6 digits; HLCLen bytes).
type HLC struct {
	mu      gosync.Mutex
	clock   clock.Clock
	wall    int64
	counter int64
	// MaxAhead bounds how far ahead of this computer's clock an observed
	// stamp may be; a stamp further ahead is refused (ErrFutureStamp) and the
	// clock does not move. Zero means DefaultMaxAhead.
	MaxAhead time.Duration
}

// HLCLen is the length of every valid timestamp.
const HLCLen = len("0000000000000-000000")

// DefaultMaxAhead is how far ahead of the receiver's clock a stamp may be
// (desks' clocks drift; a few minutes is generous, years is an attack).
const DefaultMaxAhead = 5 * time.Minute

// maxCounter is the largest counter the format holds; the wall part moves on
// by a millisecond instead of the counter growing a seventh digit.
const maxCounter = 999999

// ErrFutureStamp is the error of a stamp too far ahead of the clock.
var ErrFutureStamp = errors.New("the change is stamped too far in the future")

// NewHLC returns an HLC driven by c.
func NewHLC(c clock.Clock) *HLC { return &HLC{clock: c} }

// ParseHLC checks that ts is a well-formed timestamp (exactly HLCLen bytes:
// 13 digits, '-', 6 digits) and returns its parts.
func ParseHLC(ts string) (wall, counter int64, err error) {
	if len(ts) != HLCLen || ts[13] != '-' {
		return 0, 0, fmt.Errorf("bad HLC timestamp %.40q", ts)
	}
	for i := 0; i < HLCLen; i++ {
		if i == 13 {
			continue
		}
		c := ts[i]
		if c < '0' || c > '9' {
			return 0, 0, fmt.Errorf("bad HLC timestamp %.40q", ts)
		}
		if i < 13 {
			wall = wall*10 + int64(c-'0')
		} else {
			counter = counter*10 + int64(c-'0')
		}
	}
	return wall, counter, nil
}

// CheckHLC refuses a malformed timestamp or one more than maxAhead ahead of now.
func CheckHLC(ts string, now time.Time, maxAhead time.Duration) error {
	wall, _, err := ParseHLC(ts)
	if err != nil {
		return err
	}
	if maxAhead <= 0 {
		maxAhead = DefaultMaxAhead
	}
	if wall > now.Add(maxAhead).UnixMilli() {
		return fmt.Errorf("%w (%s, more than %s ahead of %s)", ErrFutureStamp,
			time.UnixMilli(wall).UTC().Format(time.RFC3339), maxAhead, now.UTC().Format(time.RFC3339))
	}
	return nil
}

// Now returns the next timestamp: never smaller than any returned or observed before.
func (h *HLC) Now() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	pt := h.clock.Now().UnixMilli()
	if pt > h.wall {
		h.wall, h.counter = pt, 0
	} else if h.counter >= maxCounter {
		h.wall, h.counter = h.wall+1, 0
	} else {
		h.counter++
	}
	return format(h.wall, h.counter)
}

// Observe merges a timestamp received from elsewhere so later local stamps
// sort after it. A malformed stamp, or one further ahead of this clock than
// MaxAhead, is refused and leaves the clock where it was.
func (h *HLC) Observe(ts string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := CheckHLC(ts, h.clock.Now(), h.MaxAhead); err != nil {
		return err
	}
	wall, counter, _ := ParseHLC(ts)
	if wall > h.wall || (wall == h.wall && counter > h.counter) {
		h.wall, h.counter = wall, counter
	}
	return nil
}

func format(wall, counter int64) string { return fmt.Sprintf("%013d-%06d", wall, counter) }

// FormatHLC formats a wall time in milliseconds and a counter as a timestamp.
func FormatHLC(wall, counter int64) string { return format(wall, counter) }

// WallTime returns the wall-clock part of a timestamp (the zero Unix time
// for a malformed one).
func WallTime(ts string) time.Time {
	wall, _, _ := ParseHLC(ts)
	return time.UnixMilli(wall).UTC()
}
