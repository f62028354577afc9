package store_test

import (
	"testing"
	"time"

	"clinicdesk/backend/store"
)

// TestParseDBTimeReadsWhatTheDriverWrites: for times with and without
// fractions, in UTC and other zones, ParseDBTime gives back the instant
// formatted with the driver's layout.
func TestParseDBTimeReadsWhatTheDriverWrites(t *testing.T) {
	zone := time.FixedZone("x", -5*3600)
	for _, want := range []time.Time{
		time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 600000000, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2026, 2, 28, 9, 30, 0, 123, time.UTC),
		time.Date(2026, 6, 1, 8, 0, 0, 5000, zone),
	} {
		s := want.Format(store.DBTimeLayout)
		got, err := store.ParseDBTime(s)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%s: got %v, %v; want %v", s, got, err, want.UTC())
		}
	}
	for _, bad := range []string{"", "yesterday", "2026-02-31 10:00:00+00:00", "2026-13-01 10:00:00+00:00"} {
		if _, err := store.ParseDBTime(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
