// Package calendar owns appointments: the queries behind Home and the
// Calendar (by time range, optionally one clinician), the client's
// Appointments tab, and booking, rescheduling and cancelling, checked in Go
// (people exist, sane times, no double-booking of a clinician unless asked).
//
// It must never show message content; unread counts come from messaging
// through a small interface.
package calendar

import (
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
)

// MaxRange is the longest span one query may cover.
const MaxRange = 62 * 24 * time.Hour

// UnreadCounter gives per-client unread counts for the signed-in staff member.
type UnreadCounter interface {
	UnreadForClients(tx *gorm.DB, a access.Actor, clientIDs []string) (map[string]int, error)
}

// Service answers appointment queries and books, edits and cancels
// appointments.
type Service struct {
	DB     *store.DB
	Rec    *sync.Recorder
	Audit  audit.Log
	Clock  clock.Clock
	Unread UnreadCounter
	// Zone is the time zone of "today" and of times named in messages; nil
	// means the machine's local time.
	Zone *time.Location
}

// Range lists appointments that overlap [from, to), for one clinician when
// staffID is set, in start order. Uses idx_appointments_start or
// idx_appointments_staff_start.
func (s *Service) Range(a access.Actor, from, to time.Time, staffID string) ([]dto.Appointment, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return nil, err
	}
	if !to.After(from) {
		return nil, apperr.Invalid("to", "The end of the range must be after its start.")
	}
	if to.Sub(from) > MaxRange {
		return nil, apperr.Invalid("to", "Choose a range of at most two months.")
	}
	// An appointment overlaps when it starts before `to` and ends after `from`.
	// Appointments are at most a day long (maxStored), so bounding starts_at from below
	// keeps the index range tight.
	q := s.DB.Where("starts_at < ? AND starts_at >= ? AND ends_at > ?", to.UTC(), from.UTC().Add(-maxStored), from.UTC())
	if staffID != "" {
		q = q.Where("staff_id = ?", staffID)
	}
	var rows []store.Appointment
	if err := q.Order("starts_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	return s.toDTOs(a, rows)
}

// ForClient lists a client's appointments, newest first.
func (s *Service) ForClient(a access.Actor, clientID string) ([]dto.Appointment, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return nil, err
	}
	var rows []store.Appointment
	if err := s.DB.Where("client_id = ?", clientID).Order("starts_at DESC, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	return s.toDTOs(a, rows)
}

func (s *Service) toDTOs(a access.Actor, rows []store.Appointment) ([]dto.Appointment, error) {
	out := make([]dto.Appointment, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	var keys []store.PersonKey
	var clientIDs []string
	for _, r := range rows {
		keys = append(keys, store.PersonKey{Kind: store.KindStaff, ID: r.StaffID}, store.PersonKey{Kind: store.KindClient, ID: r.ClientID})
		clientIDs = append(clientIDs, r.ClientID)
	}
	names, err := store.Names(s.DB.DB, keys)
	if err != nil {
		return nil, err
	}
	unread, err := s.Unread.UnreadForClients(s.DB.DB, a, clientIDs)
	if err != nil {
		return nil, err
	}
	alerts := map[string]bool{}
	for _, ids := range store.Chunk(clientIDs, 500) {
		var withAlert []string
		if err := s.DB.Model(&store.Client{}).Where("id IN ? AND alert != ''", ids).Pluck("id", &withAlert).Error; err != nil {
			return nil, err
		}
		for _, id := range withAlert {
			alerts[id] = true
		}
	}
	now := s.Clock.Now()
	for _, r := range rows {
		out = append(out, dto.Appointment{CanCancel: r.Status != store.ApptCancelled && checkCancel(r, now) == nil, ID: r.ID, ClientID: r.ClientID, ClientName: names[store.PersonKey{Kind: store.KindClient, ID: r.ClientID}],
			StaffID: r.StaffID, StaffName: names[store.PersonKey{Kind: store.KindStaff, ID: r.StaffID}],
			StartsAt: clock.RFC3339(r.StartsAt), EndsAt: clock.RFC3339(r.EndsAt), Service: r.Service, Location: r.Location,
			Status: r.Status, Notes: r.Notes, HasAlert: alerts[r.ClientID], Unread: unread[r.ClientID]})
	}
	return out, nil
}
