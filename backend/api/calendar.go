package api

import (
	"time"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/dto"
)

// Calendar serves Home and the Calendar.
type Calendar struct{ *Base }

// Range lists appointments overlapping [from, to) (RFC 3339), for one
// clinician when staffID is set.
func (c *Calendar) Range(from, to, staffID string) ([]dto.Appointment, error) {
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
