package calendar_test

import (
	"slices"
	"testing"
	"time"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/testutil"
)

func apptIDs(as []dto.Appointment) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

// TestTodayIsTheLocalDay: with the desk 11 hours ahead of UTC, testutil.Now
// (10:00 UTC) is 21:00 local on 25 Nov, and "today" runs from 13:00 UTC on
// 24 Nov to 13:00 UTC on 25 Nov.
func TestTodayIsTheLocalDayForTheRightPeople(t *testing.T) {
	p := newPractice(t)
	p.d.Calendar.Zone = time.FixedZone("AEDT", 11*3600)
	day := testutil.Now
	u := func(d, h int) time.Time { return time.Date(day.Year(), day.Month(), d, h, 0, 0, 0, time.UTC) }
	yesterdayLate := p.book(t, p.c.ID, p.doc.StaffID, u(24, 12), u(24, 12).Add(50*time.Minute)) // 23:00 local on the 24th
	earlyMine := p.book(t, p.c.ID, p.doc.StaffID, u(24, 14), u(24, 15))                         // 01:00 local today
	lateMine := p.book(t, p.c.ID, p.doc.StaffID, u(25, 12), u(25, 12).Add(50*time.Minute))      // 23:00 local today
	tomorrow := p.book(t, p.c.ID, p.doc.StaffID, u(25, 14), u(25, 15))                          // 01:00 local on the 26th
	colleague := p.book(t, p.c2.ID, p.doc2.StaffID, u(25, 1), u(25, 2))                         // noon local today
	_, _ = yesterdayLate, tomorrow

	mine := []string{earlyMine.ID, lateMine.ID}
	everyone := []string{earlyMine.ID, colleague.ID, lateMine.ID}
	cases := []struct {
		who   access.Actor
		staff string
		want  []string
	}{
		{p.doc, "", mine}, // a clinician sees their own day
		{p.doc2, "", []string{colleague.ID}},
		{p.frontDesk, "", everyone}, // the front desk, owner and manager see everyone
		{p.owner, "", everyone},
		{p.frontDesk, p.doc.StaffID, mine}, // unless they pick one clinician
		{p.doc, p.doc2.StaffID, []string{colleague.ID}},
	}
	for _, c := range cases {
		got, err := p.d.Calendar.Today(c.who, c.staff)
		must(t, err)
		if ids := apptIDs(got); !slices.Equal(ids, c.want) {
			t.Errorf("%s (staff %q): %v, want %v", c.who.Role, c.staff, ids, c.want)
		}
	}
	if _, err := p.d.Calendar.Today(access.Actor{}, ""); !apperr.Is(err, apperr.NotSignedIn) {
		t.Errorf("signed out: %v", err)
	}
}
