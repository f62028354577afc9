package calendar

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/limits"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
)

// Limits on what an appointment may hold.
const (
	MaxLength    = limits.MaxApptLength // longest appointment
	HorizonYears = 2                    // appointments lie within this many years of now
	MaxService   = limits.MaxService
	MaxLocation  = limits.MaxLocation
	MaxNotes     = limits.MaxNotes
	MaxReason    = limits.MaxReason
	// maxStored is the longest appointment the queries assume when bounding
	// starts_at from below (Range and the overlap check). MaxLength keeps new
	// ones well inside it.
	maxStored = 24 * time.Hour
)

var statuses = map[string]bool{
	store.ApptScheduled: true, store.ApptArrived: true, store.ApptCompleted: true, store.ApptCancelled: true, store.ApptNoShow: true,
}

// bookable roles: a clinician, owner or manager can hold appointments
// (anyone who sees clients); the front desk books them but does not hold them.
var bookable = map[string]bool{store.RoleClinician: true, store.RoleOwner: true, store.RoleManager: true}

// zone is the time zone of "today" and of times in messages: the machine's
// local time unless the service says otherwise.
func (s *Service) zone() *time.Location {
	if s.Zone != nil {
		return s.Zone
	}
	return time.Local
}

// booking is an AppointmentInput checked and normalised (times in UTC).
type booking struct {
	clientID, staffID        string
	start, end               time.Time
	service, location, notes string
	status                   string
	allowOverlap             bool
}

func text(field, label, s string, max int) (string, error) {
	s = strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
	if err := limits.Short(field, label, s, max); err != nil {
		return "", err
	}
	return s, nil
}

func parseTime(field, label, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, apperr.Invalid(field, "The "+label+" could not be read. Please choose a date and time.")
	}
	return t.UTC(), nil
}

// check validates what can be checked without the database.
func (s *Service) check(in dto.AppointmentInput) (booking, error) {
	b := booking{clientID: strings.TrimSpace(in.ClientID), staffID: strings.TrimSpace(in.StaffID), allowOverlap: in.AllowOverlap}
	if b.clientID == "" {
		return b, apperr.Invalid("clientId", "Choose the client for this appointment.")
	}
	if b.staffID == "" {
		return b, apperr.Invalid("staffId", "Choose the clinician for this appointment.")
	}
	var err error
	if b.start, err = parseTime("startsAt", "start time", in.StartsAt); err != nil {
		return b, err
	}
	if b.end, err = parseTime("endsAt", "end time", in.EndsAt); err != nil {
		return b, err
	}
	if !b.end.After(b.start) {
		return b, apperr.Invalid("endsAt", "The appointment must end after it starts.")
	}
	if b.end.Sub(b.start) > MaxLength {
		return b, apperr.Invalid("endsAt", "An appointment can be at most 12 hours long.")
	}
	now := s.Clock.Now()
	if b.start.Before(now.AddDate(-HorizonYears, 0, 0)) || b.end.After(now.AddDate(HorizonYears, 0, 0)) {
		return b, apperr.Invalid("startsAt", "Appointments must be within two years of today.")
	}
	b.status = strings.TrimSpace(in.Status)
	if b.status == "" {
		b.status = store.ApptScheduled
	}
	if !statuses[b.status] {
		return b, apperr.Invalid("status", "That appointment status is not known.")
	}
	if b.service, err = text("service", "service", in.Service, MaxService); err != nil {
		return b, err
	}
	if b.location, err = text("location", "location", in.Location, MaxLocation); err != nil {
		return b, err
	}
	if b.notes, err = text("notes", "notes", in.Notes, MaxNotes); err != nil {
		return b, err
	}
	return b, nil
}

// checkPeople confirms the client exists and the clinician is an active
// staff member who can hold appointments.
func checkPeople(tx *gorm.DB, b booking) error {
	var n int64
	if err := tx.Model(&store.Client{}).Where("id = ?", b.clientID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return apperr.Invalid("clientId", "That client could not be found.")
	}
	var st store.Staff
	if err := tx.Where("id = ? AND active = ?", b.staffID, true).Limit(1).Find(&st).Error; err != nil {
		return err
	}
	if st.ID == "" {
		return apperr.Invalid("staffId", "That clinician could not be found.")
	}
	if !bookable[st.Role] {
		return apperr.Invalid("staffId", st.FullName()+" does not see clients, so appointments can't be booked with them.")
	}
	return nil
}

// checkOverlap refuses a booking that overlaps another non-cancelled
// appointment of the same clinician, naming the other appointment's time
// and client, unless the caller allowed it. self is the appointment being
// edited ("" for a new one).
func (s *Service) checkOverlap(tx *gorm.DB, b booking, self string) error {
	if b.allowOverlap || b.status == store.ApptCancelled {
		return nil
	}
	var others []store.Appointment
	err := tx.Where("staff_id = ? AND starts_at < ? AND starts_at > ? AND ends_at > ? AND status != ? AND id != ?",
		b.staffID, b.end, b.start.Add(-maxStored), b.start, store.ApptCancelled, self).
		Order("starts_at, id").Limit(2).Find(&others).Error
	if err != nil || len(others) == 0 {
		return err
	}
	o := others[0]
	names, err := store.Names(tx, []store.PersonKey{{Kind: store.KindStaff, ID: o.StaffID}, {Kind: store.KindClient, ID: o.ClientID}})
	if err != nil {
		return err
	}
	z := s.zone()
	from, to := o.StartsAt.In(z), o.EndsAt.In(z)
	msg := fmt.Sprintf("%s already has an appointment with %s on %s from %s to %s.",
		names[store.PersonKey{Kind: store.KindStaff, ID: o.StaffID}], names[store.PersonKey{Kind: store.KindClient, ID: o.ClientID}],
		from.Format("Mon 2 Jan 2006"), from.Format("15:04"), to.Format("15:04"))
	if len(others) > 1 {
		msg += " There are other appointments at that time too."
	}
	e := apperr.New(apperr.Conflict, msg)
	e.Field = "startsAt"
	return e
}

func (s *Service) one(a access.Actor, row store.Appointment) (dto.Appointment, error) {
	out, err := s.toDTOs(a, []store.Appointment{row})
	if err != nil {
		return dto.Appointment{}, err
	}
	return out[0], nil
}

// save writes row, its change-log entry and its audit entry inside tx.
func (s *Service) save(tx *gorm.DB, a access.Actor, row *store.Appointment, op string, detail map[string]any) error {
	var err error
	if op == sync.OpInsert {
		err = tx.Create(row).Error
	} else {
		// A map, not Save: Save would overwrite updated_at with gorm's own
		// clock instead of the service's.
		err = tx.Model(&store.Appointment{}).Where("id = ?", row.ID).Updates(map[string]any{
			"client_id": row.ClientID, "staff_id": row.StaffID, "starts_at": row.StartsAt, "ends_at": row.EndsAt,
			"service": row.Service, "location": row.Location, "status": row.Status, "notes": row.Notes, "updated_at": row.UpdatedAt,
		}).Error
	}
	if err != nil {
		return err
	}
	if err := s.Rec.Record(tx, "appointment", row.ID, op, *row); err != nil {
		return err
	}
	detail["appointment"] = row.ID
	detail["staffId"] = row.StaffID
	detail["startsAt"] = clock.RFC3339(row.StartsAt)
	detail["status"] = row.Status
	return s.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: audit.ActAppointmentSaved, ClientID: row.ClientID, Detail: detail})
}

// Create books an appointment. An overlap with another appointment of the
// same clinician is an apperr.Conflict unless in.AllowOverlap is set.
func (s *Service) Create(a access.Actor, in dto.AppointmentInput) (dto.Appointment, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return dto.Appointment{}, err
	}
	b, err := s.check(in)
	if err != nil {
		return dto.Appointment{}, err
	}
	var row store.Appointment
	err = s.DB.Tx(func(tx *gorm.DB) error {
		if err := checkPeople(tx, b); err != nil {
			return err
		}
		if err := s.checkOverlap(tx, b, ""); err != nil {
			return err
		}
		now := s.Clock.Now()
		row = store.Appointment{ID: clock.NewID(), ClientID: b.clientID, StaffID: b.staffID, StartsAt: b.start, EndsAt: b.end,
			Service: b.service, Location: b.location, Status: b.status, Notes: b.notes, CreatedAt: now, UpdatedAt: now}
		return s.save(tx, a, &row, sync.OpInsert, map[string]any{"op": "create"})
	})
	if err != nil {
		return dto.Appointment{}, err
	}
	return s.one(a, row)
}

func (s *Service) load(tx *gorm.DB, id string) (store.Appointment, error) {
	var row store.Appointment
	if err := tx.Where("id = ?", id).Limit(1).Find(&row).Error; err != nil {
		return row, err
	}
	if row.ID == "" {
		return row, apperr.New(apperr.NotFound, "That appointment could not be found.")
	}
	return row, nil
}

// Update edits or reschedules an appointment with the same checks as Create.
func (s *Service) Update(a access.Actor, id string, in dto.AppointmentInput) (dto.Appointment, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return dto.Appointment{}, err
	}
	b, err := s.check(in)
	if err != nil {
		return dto.Appointment{}, err
	}
	var row store.Appointment
	err = s.DB.Tx(func(tx *gorm.DB) error {
		var err error
		if row, err = s.load(tx, id); err != nil {
			return err
		}
		if err := checkPeople(tx, b); err != nil {
			return err
		}
		if err := s.checkOverlap(tx, b, id); err != nil {
			return err
		}
		detail := map[string]any{"op": "update"}
		if !row.StartsAt.Equal(b.start) || !row.EndsAt.Equal(b.end) || row.StaffID != b.staffID {
			detail["from"] = clock.RFC3339(row.StartsAt)
			detail["fromStaffId"] = row.StaffID
		}
		row.ClientID, row.StaffID, row.StartsAt, row.EndsAt = b.clientID, b.staffID, b.start, b.end
		row.Service, row.Location, row.Status, row.Notes = b.service, b.location, b.status, b.notes
		row.UpdatedAt = s.Clock.Now()
		return s.save(tx, a, &row, sync.OpUpdate, detail)
	})
	if err != nil {
		return dto.Appointment{}, err
	}
	return s.one(a, row)
}

// Cancel marks an appointment cancelled, freeing the clinician's time. The
// reason (optional, at most 500 characters) goes into the audit entry.
// Cancelling a cancelled appointment changes nothing.
func (s *Service) Cancel(a access.Actor, id, reason string) (dto.Appointment, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return dto.Appointment{}, err
	}
	reason, err := text("reason", "reason", reason, MaxReason)
	if err != nil {
		return dto.Appointment{}, err
	}
	var row store.Appointment
	err = s.DB.Tx(func(tx *gorm.DB) error {
		var err error
		if row, err = s.load(tx, id); err != nil {
			return err
		}
		if row.Status == store.ApptCancelled {
			return nil
		}
		if err := checkCancel(row, s.Clock.Now()); err != nil {
			return err
		}
		detail := map[string]any{"op": "cancel", "reason": reason, "was": row.Status}
		row.Status, row.UpdatedAt = store.ApptCancelled, s.Clock.Now()
		return s.save(tx, a, &row, sync.OpUpdate, detail)
	})
	if err != nil {
		return dto.Appointment{}, err
	}
	return s.one(a, row)
}

// checkCancel: an appointment can be cancelled until it is over. One that
// was completed or missed (no-show), or whose time has ended, is history:
// cancelling it would rewrite what happened.
func checkCancel(row store.Appointment, now time.Time) error {
	switch {
	case row.Status == store.ApptCompleted:
		return apperr.New(apperr.AppointmentPast, "This appointment was completed, so it can no longer be cancelled.")
	case row.Status == store.ApptNoShow:
		return apperr.New(apperr.AppointmentPast, "This appointment is marked as a no-show, so it can no longer be cancelled.")
	case !now.Before(row.EndsAt):
		return apperr.New(apperr.AppointmentPast, "This appointment is in the past, so it can no longer be cancelled.")
	}
	return nil
}

// Today lists today's appointments (midnight to midnight in the desk's local
// time): staffID's when given, otherwise the signed-in clinician's own, and
// everyone's for the front desk, owners and managers.
func (s *Service) Today(a access.Actor, staffID string) ([]dto.Appointment, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return nil, err
	}
	staffID = strings.TrimSpace(staffID)
	if staffID == "" && a.Role == store.RoleClinician {
		staffID = a.StaffID
	}
	now := s.Clock.Now().In(s.zone())
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	to := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, now.Location())
	return s.Range(a, from, to, staffID)
}
