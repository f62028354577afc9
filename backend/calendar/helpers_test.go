package calendar_test

import (
	"testing"
	"time"

	"clinicdesk/backend/access"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// practice has a clinician, a second clinician, a front desk, and two clients.
// Its calendar reads local time in UTC so messages are predictable.
type practice struct {
	d                    *desk.Desk
	clk                  *clock.Fixed
	doc, doc2, frontDesk access.Actor
	owner                access.Actor
	c, c2                store.Client
}

func newPractice(t *testing.T) practice {
	d, clk := testutil.Desk(t, false)
	d.Calendar.Zone = time.UTC
	return practice{d: d, clk: clk,
		doc:       testutil.Actor(testutil.AddStaff(t, d, "Priya", store.RoleClinician)),
		doc2:      testutil.Actor(testutil.AddStaff(t, d, "Sam", store.RoleClinician)),
		frontDesk: testutil.Actor(testutil.AddStaff(t, d, "Jordan", store.RoleFrontDesk)),
		owner:     testutil.Actor(testutil.AddStaff(t, d, "Olivia", store.RoleOwner)),
		c:         testutil.AddClient(t, d, "Avery"),
		c2:        testutil.AddClient(t, d, "Blake"),
	}
}

// at is testutil.Now's day at hh:mm UTC.
func at(hh, mm int) time.Time {
	n := testutil.Now
	return time.Date(n.Year(), n.Month(), n.Day(), hh, mm, 0, 0, time.UTC)
}

func input(client, staff string, from, to time.Time) dto.AppointmentInput {
	return dto.AppointmentInput{ClientID: client, StaffID: staff, StartsAt: from.Format(time.RFC3339), EndsAt: to.Format(time.RFC3339),
		Service: "Counselling", Location: "Room 1"}
}

func (p practice) book(t *testing.T, client, staff string, from, to time.Time) dto.Appointment {
	t.Helper()
	ap, err := p.d.Calendar.Create(p.frontDesk, input(client, staff, from, to))
	must(t, err)
	return ap
}

type counts struct{ appts, audit, changes int64 }

func count(t *testing.T, d *desk.Desk) counts {
	t.Helper()
	var c counts
	d.DB.Model(&store.Appointment{}).Count(&c.appts)
	d.DB.Model(&store.AuditEvent{}).Count(&c.audit)
	d.DB.Model(&store.Change{}).Count(&c.changes)
	return c
}
