package api

import (
	"time"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/events"
)

// Calendar serves Home and the Calendar.
type Calendar struct{ *Base }

// Range lists appointments overlapping [from, to) (RFC 3339), for one
// clinician when staffID is set.
func (c *Calendar) Range(from, to, staffID string) ([]dto.Appointment, error) {
	defer c.hold()()
	a, err := c.actor()
	if err != nil {
		return nil, err
	}
	f, err1 := time.Parse(time.RFC3339, from)
	t, err2 := time.Parse(time.RFC3339, to)
	if err1 != nil || err2 != nil {
		return nil, apperr.Invalid("range", "That date range could not be read.")
	}
	return c.Desk.Calendar.Range(a, f, t, staffID)
}

// Create books an appointment. A clash with another appointment of the same
// clinician is refused with code "conflict" naming it; the UI asks "book
// anyway?" and sends the input again with allowOverlap set.
func (c *Calendar) Create(input dto.AppointmentInput) (dto.Appointment, error) {
	defer c.hold()()
	a, err := c.actor()
	if err != nil {
		return dto.Appointment{}, err
	}
	out, err := c.Desk.Calendar.Create(a, input)
	if err == nil {
		c.changed(events.KindAppointments)
	}
	return out, err
}

// Update edits or reschedules an appointment, with the same checks as Create.
func (c *Calendar) Update(id string, input dto.AppointmentInput) (dto.Appointment, error) {
	defer c.hold()()
	a, err := c.actor()
	if err != nil {
		return dto.Appointment{}, err
	}
	out, err := c.Desk.Calendar.Update(a, id, input)
	if err == nil {
		c.changed(events.KindAppointments)
	}
	return out, err
}

// Cancel cancels an appointment; reason (optional) is kept in the audit log.
func (c *Calendar) Cancel(id, reason string) (dto.Appointment, error) {
	defer c.hold()()
	a, err := c.actor()
	if err != nil {
		return dto.Appointment{}, err
	}
	out, err := c.Desk.Calendar.Cancel(a, id, reason)
	if err == nil {
		c.changed(events.KindAppointments)
	}
	return out, err
}

// Today lists today's appointments in this computer's local time: staffID's
// when given, else the signed-in clinician's own, else everyone's (front
// desk, owner, manager).
func (c *Calendar) Today(staffID string) ([]dto.Appointment, error) {
	defer c.hold()()
	a, err := c.actor()
	if err != nil {
		return nil, err
	}
	return c.Desk.Calendar.Today(a, staffID)
}
