package calendar_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
	"clinicdesk/backend/testutil"
)

func TestCreateBooksAnAppointmentWithAChangeAndAnAuditEntry(t *testing.T) {
	p := newPractice(t)
	before := count(t, p.d)
	in := input(p.c.ID, p.doc.StaffID, at(14, 0), at(14, 50))
	in.Notes, in.Service = "  first visit  ", " Intake "
	ap, err := p.d.Calendar.Create(p.frontDesk, in)
	must(t, err)
	if ap.ID == "" || ap.ClientName != p.c.FullName() || ap.StaffName != p.doc.Name || ap.Status != store.ApptScheduled ||
		ap.StartsAt != clock.RFC3339(at(14, 0)) || ap.EndsAt != clock.RFC3339(at(14, 50)) || ap.Notes != "first visit" || ap.Service != "Intake" {
		t.Fatalf("created = %+v", ap)
	}
	after := count(t, p.d)
	if after != (counts{before.appts + 1, before.audit + 1, before.changes + 1}) {
		t.Fatalf("writes %+v → %+v, want one appointment, audit entry and change", before, after)
	}
	chs, err := sync.Pending(p.d.DB.DB, 1000)
	must(t, err)
	last := chs[len(chs)-1]
	if last.Entity != "appointment" || last.EntityID != ap.ID || last.Op != sync.OpInsert {
		t.Errorf("change = %+v", last)
	}
	var ev store.AuditEvent
	must(t, p.d.DB.Order("seq DESC").First(&ev).Error)
	if ev.Action != "appointment_saved" || ev.StaffID != p.frontDesk.StaffID || ev.ClientID != p.c.ID || !strings.Contains(ev.Detail, ap.ID) {
		t.Errorf("audit = %+v", ev)
	}
	// It shows on the Calendar and the client's Appointments tab.
	got, err := p.d.Calendar.Range(p.doc, at(0, 0), at(23, 59), p.doc.StaffID)
	must(t, err)
	if len(got) != 1 || got[0].ID != ap.ID {
		t.Fatalf("range = %+v", got)
	}
	// Owners and managers can hold appointments too.
	if _, err := p.d.Calendar.Create(p.frontDesk, input(p.c.ID, p.owner.StaffID, at(9, 0), at(9, 50))); err != nil {
		t.Fatalf("booking with an owner: %v", err)
	}
}

// TestCreateRefusesInvalidInputAndWritesNothing: every refusal is a typed
// error naming the field, and leaves the database as it was.
func TestCreateRefusesInvalidInputAndWritesNothing(t *testing.T) {
	p := newPractice(t)
	gone := testutil.AddStaff(t, p.d, "Gone", store.RoleClinician)
	must(t, p.d.DB.Model(&store.Staff{}).Where("id = ?", gone.ID).Update("active", false).Error)
	now := p.clk.Now()
	ok := func(mod func(*dto.AppointmentInput)) dto.AppointmentInput {
		in := input(p.c.ID, p.doc.StaffID, at(15, 0), at(16, 0))
		mod(&in)
		return in
	}
	cases := []struct {
		name  string
		in    dto.AppointmentInput
		field string
	}{
		{"no client", ok(func(in *dto.AppointmentInput) { in.ClientID = " " }), "clientId"},
		{"unknown client", ok(func(in *dto.AppointmentInput) { in.ClientID = "no-such-client" }), "clientId"},
		{"no clinician", ok(func(in *dto.AppointmentInput) { in.StaffID = "" }), "staffId"},
		{"unknown clinician", ok(func(in *dto.AppointmentInput) { in.StaffID = "no-such-staff" }), "staffId"},
		{"front desk as clinician", ok(func(in *dto.AppointmentInput) { in.StaffID = p.frontDesk.StaffID }), "staffId"},
		{"inactive clinician", ok(func(in *dto.AppointmentInput) { in.StaffID = gone.ID }), "staffId"},
		{"unreadable start", ok(func(in *dto.AppointmentInput) { in.StartsAt = "tomorrow at 3" }), "startsAt"},
		{"start without zone", ok(func(in *dto.AppointmentInput) { in.StartsAt = "2026-11-25T15:00:00" }), "startsAt"},
		{"unreadable end", ok(func(in *dto.AppointmentInput) { in.EndsAt = "" }), "endsAt"},
		{"ends when it starts", ok(func(in *dto.AppointmentInput) { in.EndsAt = in.StartsAt }), "endsAt"},
		{"ends before it starts", ok(func(in *dto.AppointmentInput) { in.EndsAt = at(14, 0).Format(time.RFC3339) }), "endsAt"},
		{"longer than 12 hours", ok(func(in *dto.AppointmentInput) {
			in.EndsAt = at(15, 0).Add(12*time.Hour + time.Minute).Format(time.RFC3339)
		}), "endsAt"},
		{"more than 2 years ahead", ok(func(in *dto.AppointmentInput) {
			in.StartsAt, in.EndsAt = now.AddDate(2, 0, 1).Format(time.RFC3339), now.AddDate(2, 0, 1).Add(time.Hour).Format(time.RFC3339)
		}), "startsAt"},
		{"more than 2 years ago", ok(func(in *dto.AppointmentInput) {
			in.StartsAt, in.EndsAt = now.AddDate(-2, 0, -1).Format(time.RFC3339), now.AddDate(-2, 0, -1).Add(time.Hour).Format(time.RFC3339)
		}), "startsAt"},
		{"unknown status", ok(func(in *dto.AppointmentInput) { in.Status = "maybe" }), "status"},
		{"status in the wrong case", ok(func(in *dto.AppointmentInput) { in.Status = "Scheduled" }), "status"},
		{"service too long", ok(func(in *dto.AppointmentInput) { in.Service = strings.Repeat("s", 101) }), "service"},
		{"location too long", ok(func(in *dto.AppointmentInput) { in.Location = strings.Repeat("l", 101) }), "location"},
		{"notes too long", ok(func(in *dto.AppointmentInput) { in.Notes = strings.Repeat("n", 2001) }), "notes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := count(t, p.d)
			_, err := p.d.Calendar.Create(p.frontDesk, c.in)
			if !apperr.Is(err, apperr.InvalidInput) {
				t.Fatalf("got %v, want invalid_input", err)
			}
			if f := apperr.As(err).Field; f != c.field {
				t.Errorf("field = %q, want %q", f, c.field)
			}
			if after := count(t, p.d); after != before {
				t.Errorf("refused create wrote: %+v → %+v", before, after)
			}
		})
	}
	if _, err := p.d.Calendar.Create(access.Actor{}, ok(func(*dto.AppointmentInput) {})); !apperr.Is(err, apperr.NotSignedIn) {
		t.Errorf("signed out: %v", err)
	}
}

func TestCreateAcceptsTheLimitsExactly(t *testing.T) {
	p := newPractice(t)
	now := p.clk.Now()
	long := input(p.c.ID, p.doc.StaffID, at(6, 0), at(18, 0)) // exactly 12 hours
	if _, err := p.d.Calendar.Create(p.frontDesk, long); err != nil {
		t.Errorf("12-hour appointment: %v", err)
	}
	far := input(p.c.ID, p.doc.StaffID, now.AddDate(2, 0, 0).Add(-time.Hour), now.AddDate(2, 0, 0))
	if _, err := p.d.Calendar.Create(p.frontDesk, far); err != nil {
		t.Errorf("appointment ending exactly two years ahead: %v", err)
	}
	past := input(p.c.ID, p.doc.StaffID, now.AddDate(-2, 0, 0), now.AddDate(-2, 0, 0).Add(time.Hour))
	if _, err := p.d.Calendar.Create(p.frontDesk, past); err != nil {
		t.Errorf("appointment starting exactly two years ago: %v", err)
	}
	// Other zones are read correctly and stored in UTC.
	zoned := input(p.c2.ID, p.doc2.StaffID, at(0, 0), at(0, 0))
	zoned.StartsAt, zoned.EndsAt = "2026-11-25T21:00:00+11:00", "2026-11-25T21:30:00+11:00"
	ap, err := p.d.Calendar.Create(p.frontDesk, zoned)
	must(t, err)
	if ap.StartsAt != "2026-11-25T10:00:00Z" {
		t.Errorf("zoned start stored as %s", ap.StartsAt)
	}
	for _, st := range []string{store.ApptArrived, store.ApptCompleted, store.ApptNoShow, store.ApptCancelled} {
		in := input(p.c.ID, p.doc2.StaffID, at(19, 0), at(19, 30))
		in.Status, in.AllowOverlap = st, true
		if _, err := p.d.Calendar.Create(p.frontDesk, in); err != nil {
			t.Errorf("status %s: %v", st, err)
		}
	}
}

// TestDoubleBookingAClinicianIsAConflictUnlessAllowed: an overlapping
// non-cancelled appointment of the same clinician is a Conflict naming its
// time and client; "book anyway" goes through.
func TestDoubleBookingAClinicianIsAConflictUnlessAllowed(t *testing.T) {
	p := newPractice(t)
	first := p.book(t, p.c.ID, p.doc.StaffID, at(10, 0), at(11, 0))

	before := count(t, p.d)
	for _, span := range [][2]time.Time{
		{at(10, 30), at(11, 30)}, // overlaps the end
		{at(9, 30), at(10, 1)},   // overlaps the start
		{at(10, 15), at(10, 45)}, // inside
		{at(9, 0), at(12, 0)},    // around
		{at(10, 0), at(11, 0)},   // the same slot
	} {
		_, err := p.d.Calendar.Create(p.frontDesk, input(p.c2.ID, p.doc.StaffID, span[0], span[1]))
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("%v–%v: %v, want conflict", span[0], span[1], err)
		}
		msg := apperr.As(err).Message
		for _, want := range []string{p.c.FullName(), "10:00", "11:00", "Wed 25 Nov 2026", p.doc.Name} {
			if !strings.Contains(msg, want) {
				t.Errorf("conflict message %q does not name %q", msg, want)
			}
		}
	}
	if after := count(t, p.d); after != before {
		t.Fatalf("conflicts wrote: %+v → %+v", before, after)
	}

	// Back to back, another clinician, or "book anyway" are fine.
	p.book(t, p.c2.ID, p.doc.StaffID, at(11, 0), at(12, 0))
	p.book(t, p.c2.ID, p.doc.StaffID, at(9, 0), at(10, 0))
	p.book(t, p.c2.ID, p.doc2.StaffID, at(10, 0), at(11, 0))
	anyway := input(p.c2.ID, p.doc.StaffID, at(10, 30), at(11, 30))
	anyway.AllowOverlap = true
	if _, err := p.d.Calendar.Create(p.frontDesk, anyway); err != nil {
		t.Fatalf("book anyway: %v", err)
	}

	// A cancelled appointment frees its time.
	_, err := p.d.Calendar.Cancel(p.frontDesk, first.ID, "")
	must(t, err)
	other := p.book(t, p.c.ID, p.doc2.StaffID, at(15, 0), at(16, 0))
	_, err = p.d.Calendar.Cancel(p.frontDesk, other.ID, "")
	must(t, err)
	p.book(t, p.c2.ID, p.doc2.StaffID, at(15, 0), at(16, 0))
}

func TestConflictMessageUsesLocalTime(t *testing.T) {
	p := newPractice(t)
	p.d.Calendar.Zone = time.FixedZone("AEDT", 11*3600)
	p.book(t, p.c.ID, p.doc.StaffID, at(10, 0), at(10, 50))
	_, err := p.d.Calendar.Create(p.frontDesk, input(p.c2.ID, p.doc.StaffID, at(10, 30), at(11, 0)))
	if msg := apperr.As(err).Message; !apperr.Is(err, apperr.Conflict) || !strings.Contains(msg, "21:00 to 21:50") {
		t.Fatalf("conflict in local time: %v", err)
	}
}

func TestUpdateReschedulesWithTheSameChecks(t *testing.T) {
	p := newPractice(t)
	ap := p.book(t, p.c.ID, p.doc.StaffID, at(10, 0), at(11, 0))
	p.book(t, p.c2.ID, p.doc.StaffID, at(13, 0), at(14, 0))

	// Editing notes keeps its own slot: it does not conflict with itself.
	in := input(p.c.ID, p.doc.StaffID, at(10, 0), at(11, 0))
	in.Notes = "bring the forms"
	got, err := p.d.Calendar.Update(p.frontDesk, ap.ID, in)
	must(t, err)
	if got.Notes != "bring the forms" {
		t.Fatalf("notes = %q", got.Notes)
	}
	// Moving onto another appointment is a conflict and changes nothing.
	before := count(t, p.d)
	_, err = p.d.Calendar.Update(p.frontDesk, ap.ID, input(p.c.ID, p.doc.StaffID, at(13, 30), at(14, 30)))
	if !apperr.Is(err, apperr.Conflict) || !strings.Contains(apperr.As(err).Message, p.c2.FullName()) {
		t.Fatalf("reschedule onto another: %v", err)
	}
	if count(t, p.d) != before {
		t.Fatal("a refused reschedule wrote")
	}
	// A free slot works, with one change and one audit entry.
	p.clk.Advance(time.Minute)
	got, err = p.d.Calendar.Update(p.frontDesk, ap.ID, input(p.c.ID, p.doc.StaffID, at(15, 0), at(15, 50)))
	must(t, err)
	after := count(t, p.d)
	if got.StartsAt != clock.RFC3339(at(15, 0)) || after != (counts{before.appts, before.audit + 1, before.changes + 1}) {
		t.Fatalf("reschedule: %+v, writes %+v → %+v", got, before, after)
	}
	var row store.Appointment
	must(t, p.d.DB.First(&row, "id = ?", ap.ID).Error)
	if !row.UpdatedAt.Equal(p.clk.Now()) || !row.StartsAt.Equal(at(15, 0)) {
		t.Errorf("row = %+v", row)
	}
	var ev store.AuditEvent
	must(t, p.d.DB.Order("seq DESC").First(&ev).Error)
	var detail map[string]any
	must(t, json.Unmarshal([]byte(ev.Detail), &detail))
	if detail["op"] != "update" || detail["from"] != clock.RFC3339(at(10, 0)) {
		t.Errorf("audit detail = %v", detail)
	}
	// The same input checks apply.
	if _, err := p.d.Calendar.Update(p.frontDesk, ap.ID, input(p.c.ID, p.frontDesk.StaffID, at(15, 0), at(16, 0))); !apperr.Is(err, apperr.InvalidInput) {
		t.Errorf("reschedule to the front desk: %v", err)
	}
	if _, err := p.d.Calendar.Update(p.frontDesk, "no-such-appointment", in); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown appointment: %v", err)
	}
}

func TestCancelRecordsTheReasonAndIsIdempotent(t *testing.T) {
	p := newPractice(t)
	ap := p.book(t, p.c.ID, p.doc.StaffID, at(10, 0), at(11, 0))
	before := count(t, p.d)
	if _, err := p.d.Calendar.Cancel(p.frontDesk, ap.ID, strings.Repeat("r", 501)); !apperr.Is(err, apperr.InvalidInput) {
		t.Fatalf("long reason: %v", err)
	}
	if _, err := p.d.Calendar.Cancel(p.frontDesk, "no-such-appointment", ""); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("unknown appointment: %v", err)
	}
	if _, err := p.d.Calendar.Cancel(access.Actor{}, ap.ID, ""); !apperr.Is(err, apperr.NotSignedIn) {
		t.Fatalf("signed out: %v", err)
	}
	if count(t, p.d) != before {
		t.Fatal("refused cancels wrote")
	}
	got, err := p.d.Calendar.Cancel(p.frontDesk, ap.ID, "  client is unwell ")
	must(t, err)
	if got.Status != store.ApptCancelled {
		t.Fatalf("status = %s", got.Status)
	}
	after := count(t, p.d)
	if after != (counts{before.appts, before.audit + 1, before.changes + 1}) {
		t.Fatalf("writes %+v → %+v", before, after)
	}
	var ev store.AuditEvent
	must(t, p.d.DB.Order("seq DESC").First(&ev).Error)
	var detail map[string]any
	must(t, json.Unmarshal([]byte(ev.Detail), &detail))
	if ev.Action != "appointment_saved" || detail["op"] != "cancel" || detail["reason"] != "client is unwell" || detail["was"] != store.ApptScheduled {
		t.Errorf("audit = %+v %v", ev, detail)
	}
	if _, err := p.d.Calendar.Cancel(p.frontDesk, ap.ID, "again"); err != nil {
		t.Fatal(err)
	}
	if count(t, p.d) != after {
		t.Error("cancelling twice wrote again")
	}
}

// TestAPastOrCompletedAppointmentCannotBeCancelled: once an appointment is
// over (its time has ended, or it was completed or missed) Cancel is refused
// with appointment_past, writes nothing, and CanCancel says so beforehand.
func TestAPastOrCompletedAppointmentCannotBeCancelled(t *testing.T) {
	p := newPractice(t)
	now := p.clk.Now()
	future := p.book(t, p.c.ID, p.doc.StaffID, now.Add(time.Hour), now.Add(2*time.Hour))
	past := p.book(t, p.c.ID, p.doc.StaffID, now.Add(-3*time.Hour), now.Add(-2*time.Hour))
	doneIn := input(p.c.ID, p.doc2.StaffID, now.Add(time.Hour), now.Add(2*time.Hour))
	doneIn.Status = store.ApptCompleted
	done, err := p.d.Calendar.Create(p.frontDesk, doneIn)
	must(t, err)
	if !future.CanCancel || past.CanCancel || done.CanCancel {
		t.Fatalf("CanCancel: future %v, past %v, completed %v", future.CanCancel, past.CanCancel, done.CanCancel)
	}
	before := count(t, p.d)
	for name, ap := range map[string]dto.Appointment{"past": past, "completed": done} {
		if _, err := p.d.Calendar.Cancel(p.frontDesk, ap.ID, ""); !apperr.Is(err, apperr.AppointmentPast) {
			t.Errorf("cancel %s appointment: %v, want appointment_past", name, err)
		}
	}
	if count(t, p.d) != before {
		t.Fatal("a refused cancel wrote")
	}
	got, err := p.d.Calendar.Cancel(p.frontDesk, future.ID, "")
	must(t, err)
	if got.Status != store.ApptCancelled || got.CanCancel {
		t.Errorf("cancelled future appointment = %+v", got)
	}
}
