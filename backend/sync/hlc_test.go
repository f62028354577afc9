package sync_test

import (
	"testing"
	"time"

	"clinicdesk/backend/clock"
	"clinicdesk/backend/sync"
)

var start = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func TestHLCIsMonotonicEvenWhenTheWallClockGoesBackwards(t *testing.T) {
	c := clock.NewFixed(start)
	h := sync.NewHLC(c)
	prev := h.Now()
	steps := []time.Duration{0, time.Millisecond, -time.Hour, 0, -time.Millisecond, 2 * time.Hour, -24 * time.Hour, time.Nanosecond}
	for i, d := range steps {
		c.Advance(d)
		for j := 0; j < 3; j++ {
			ts := h.Now()
			if ts <= prev {
				t.Fatalf("step %d (%v): %s does not sort after %s", i, d, ts, prev)
			}
			prev = ts
		}
	}
	// While the wall clock is behind, stamps keep the highest wall time seen.
	if got := sync.WallTime(prev); !got.Equal(start.Add(time.Hour)) { // +1ms -1h -1ms +2h
		t.Errorf("wall part = %v", got)
	}
	// Once the wall clock passes it again, stamps follow the wall clock.
	c.Advance(48 * time.Hour)
	ts := h.Now()
	if ts <= prev || !sync.WallTime(ts).Equal(c.Now().Truncate(time.Millisecond)) {
		t.Errorf("after the clock caught up: %s (prev %s)", ts, prev)
	}
}

func TestObservingALaterRemoteStampMakesTheNextLocalStampSortAfterIt(t *testing.T) {
	c := clock.NewFixed(start)
	local := sync.NewHLC(c)
	local.MaxAhead = 4 * time.Hour // this practice allows clocks hours apart
	mine := local.Now()

	// A desk whose clock runs an hour ahead.
	ahead := sync.NewHLC(clock.NewFixed(start.Add(time.Hour)))
	var remote string
	for i := 0; i < 5; i++ {
		remote = ahead.Now()
	}
	if remote <= mine {
		t.Fatalf("setup: remote %s not after local %s", remote, mine)
	}
	if err := local.Observe(remote); err != nil {
		t.Fatal(err)
	}
	next := local.Now()
	if next <= remote {
		t.Fatalf("next local stamp %s does not sort after observed %s", next, remote)
	}
	// Observing an older stamp never moves the clock back.
	if err := local.Observe(mine); err != nil {
		t.Fatal(err)
	}
	if again := local.Now(); again <= next {
		t.Fatalf("%s after observing an old stamp does not sort after %s", again, next)
	}
	// Same wall time, higher counter: still after.
	same := sync.NewHLC(clock.NewFixed(start.Add(3 * time.Hour)))
	var hi string
	for i := 0; i < 50; i++ {
		hi = same.Now()
	}
	must(t, local.Observe(hi))
	if n := local.Now(); n <= hi {
		t.Fatalf("%s does not sort after %s", n, hi)
	}
}

func TestObserveRefusesMalformedStamps(t *testing.T) {
	h := sync.NewHLC(clock.NewFixed(start))
	before := h.Now()
	for _, bad := range []string{"", "not-a-stamp", "12-abc"} {
		if err := h.Observe(bad); err == nil {
			t.Errorf("Observe(%q) accepted", bad)
		}
	}
	if after := h.Now(); after <= before {
		t.Errorf("%s after malformed stamps", after)
	}
}

func TestObserveRefusesFarFutureAndOverlongStampsAndKeepsItsClock(t *testing.T) {
	c := clock.NewFixed(start)
	h := sync.NewHLC(c)
	before := h.Now()
	tenYears := sync.FormatHLC(start.AddDate(10, 0, 0).UnixMilli(), 0)
	for _, bad := range []string{"9999999999999-999999", tenYears, before + "0", "0" + before, sync.FormatHLC(start.Add(6*time.Minute).UnixMilli(), 0),
		"+764669600000-000000", "1764669600000-00000x", "1764669600000_000000"} {
		if err := h.Observe(bad); err == nil {
			t.Errorf("Observe(%q) accepted", bad)
		}
	}
	// Within the bound (4 minutes ahead) is fine.
	near := sync.FormatHLC(start.Add(4*time.Minute).UnixMilli(), 7)
	must(t, h.Observe(near))
	next := h.Now()
	if next <= near || len(next) != sync.HLCLen {
		t.Fatalf("after observing %s: %s", near, next)
	}
	if sync.WallTime(next).After(start.Add(5 * time.Minute)) {
		t.Errorf("the clock moved past the bound: %s", next)
	}
}

func TestTheCounterNeverGrowsASeventhDigit(t *testing.T) {
	c := clock.NewFixed(start)
	h := sync.NewHLC(c)
	must(t, h.Observe(sync.FormatHLC(start.UnixMilli(), 999998)))
	prev := ""
	for i := 0; i < 5; i++ {
		ts := h.Now()
		if len(ts) != sync.HLCLen || ts <= prev {
			t.Fatalf("stamp %d: %q (prev %q)", i, ts, prev)
		}
		if _, _, err := sync.ParseHLC(ts); err != nil {
			t.Fatal(err)
		}
		prev = ts
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
