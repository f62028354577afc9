// Package clients owns the clients list and the client profile: search,
// Overview, the Client Alert (at most 500 characters), the client's
// appointments and Documents on File.
//
// It must never list message content; the Messages tab belongs to messaging
// and attachments.
package clients

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/attachments"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/limits"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
)

// MaxAlert is the longest Client Alert, in characters.
const MaxAlert = limits.MaxAlert

// UnreadCounter gives per-client unread counts for the signed-in staff member.
type UnreadCounter interface {
	UnreadForClients(tx *gorm.DB, a access.Actor, clientIDs []string) (map[string]int, error)
}

// Service carries the dependencies of client screens.
type Service struct {
	DB     *store.DB
	Rec    *sync.Recorder
	Audit  audit.Log
	Clock  clock.Clock
	Unread UnreadCounter
}

// Search lists clients whose name, email or phone contains every word of
// query (all clients for an empty query), by last name.
func (s *Service) Search(a access.Actor, query string, limit int) ([]dto.ClientSummary, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(query) > 100 {
		return nil, apperr.Invalid("query", "That search is too long.")
	}
	// Control characters (a pasted NUL, say) separate words: SQLite's LIKE
	// would stop reading a pattern at a NUL and match more than was typed.
	query = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, query)
	q := s.DB.Model(&store.Client{})
	for _, w := range strings.Fields(query) {
		like := "%" + escapeLike(w) + "%"
		q = q.Where(`(first_name LIKE ? ESCAPE '\' OR last_name LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\' OR phone LIKE ? ESCAPE '\' OR date_of_birth LIKE ? ESCAPE '\')`, like, like, like, like, like)
	}
	if limit <= 0 || limit > 50000 {
		limit = 50000
	}
	// The clients list shows 20,000 clients for an empty query: only the
	// columns it needs, each row packed into one column (see
	// store.PackedRows), in the order of idx_clients_name.
	type listed struct {
		store.Client
		hasAlert bool
	}
	var cs []listed
	err := store.Packed(q.Select("json_array(id, first_name, last_name, date_of_birth, alert <> '')").
		Order("last_name COLLATE NOCASE, first_name COLLATE NOCASE, id").Limit(limit), func(r *store.Row) error {
		cs = append(cs, listed{Client: store.Client{ID: r.Str(), FirstName: r.Str(), LastName: r.Str(), DateOfBirth: r.Str()}, hasAlert: r.Bool()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	next, err := s.nextAppointments(ids)
	if err != nil {
		return nil, err
	}
	unread, err := s.Unread.UnreadForClients(s.DB.DB, a, ids)
	if err != nil {
		return nil, err
	}
	out := make([]dto.ClientSummary, 0, len(cs))
	for _, c := range cs {
		out = append(out, dto.ClientSummary{ID: c.ID, Name: c.FullName(), DateOfBirth: c.DateOfBirth, NextAppointment: next[c.ID],
			HasAlert: c.hasAlert, Unread: unread[c.ID]})
	}
	return out, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (s *Service) nextAppointments(ids []string) (map[string]string, error) {
	out := map[string]string{}
	now := s.Clock.Now()
	if len(ids) > 1000 {
		// The whole clients list: one pass over upcoming appointments
		// (idx_appointments_start) instead of one IN query per 500 clients.
		want := make(map[string]bool, len(ids))
		for _, id := range ids {
			want[id] = true
		}
		// No GROUP BY: SQLite would walk idx_appointments_client_start over
		// every appointment ever booked; the range on starts_at reads only
		// upcoming ones, and the earliest per client is kept here.
		next := map[string]string{}
		err := store.Packed(s.DB.Raw(`SELECT json_array(client_id, starts_at) FROM appointments
			WHERE starts_at >= ? AND status != 'cancelled'`, now), func(r *store.Row) error {
			id, at := r.Str(), r.Str()
			if cur, ok := next[id]; want[id] && (!ok || at < cur) {
				next[id] = at
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		for id, at := range next {
			if t, err := parseDBTime(at); err == nil {
				out[id] = clock.RFC3339(t)
			}
		}
		return out, nil
	}
	for _, part := range store.Chunk(ids, 500) {
		var rows []struct {
			ClientID string
			Next     string
		}
		err := s.DB.Raw(`SELECT client_id, MIN(starts_at) AS next FROM appointments
			WHERE client_id IN ? AND starts_at >= ? AND status != 'cancelled' GROUP BY client_id`, part, now).Scan(&rows).Error
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if t, err := parseDBTime(r.Next); err == nil {
				out[r.ClientID] = clock.RFC3339(t)
			}
		}
	}
	return out, nil
}

// parseDBTime reads a time SQLite returned as text from an aggregate.
func parseDBTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, apperr.New(apperr.Internal, "unreadable time")
}

func (s *Service) get(tx *gorm.DB, id string) (store.Client, error) {
	var c store.Client
	if err := tx.Where("id = ?", id).Limit(1).Find(&c).Error; err != nil {
		return c, err
	}
	if c.ID == "" {
		return c, apperr.New(apperr.NotFound, "That client could not be found.")
	}
	return c, nil
}

// Profile returns the client's header and Overview.
func (s *Service) Profile(a access.Actor, id string) (dto.ClientProfile, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return dto.ClientProfile{}, err
	}
	c, err := s.get(s.DB.DB, id)
	if err != nil {
		return dto.ClientProfile{}, err
	}
	return s.profile(a, c)
}

func (s *Service) profile(a access.Actor, c store.Client) (dto.ClientProfile, error) {
	next, err := s.nextAppointments([]string{c.ID})
	if err != nil {
		return dto.ClientProfile{}, err
	}
	unread, err := s.Unread.UnreadForClients(s.DB.DB, a, []string{c.ID})
	if err != nil {
		return dto.ClientProfile{}, err
	}
	return dto.ClientProfile{ID: c.ID, FirstName: c.FirstName, LastName: c.LastName, Name: c.FullName(), DateOfBirth: c.DateOfBirth,
		Email: c.Email, Phone: c.Phone, Alert: c.Alert, NextAppointment: next[c.ID], Unread: unread[c.ID]}, nil
}

// SetAlert replaces the Client Alert (empty clears it).
func (s *Service) SetAlert(a access.Actor, id, text string) (dto.ClientProfile, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return dto.ClientProfile{}, err
	}
	text = strings.TrimSpace(strings.ToValidUTF8(text, "\uFFFD"))
	if err := limits.Alert(text); err != nil {
		return dto.ClientProfile{}, err
	}
	var c store.Client
	err := s.DB.Tx(func(tx *gorm.DB) error {
		var err error
		if c, err = s.get(tx, id); err != nil {
			return err
		}
		if c.Alert == text {
			return nil
		}
		c.Alert, c.UpdatedAt = text, s.Clock.Now()
		if err := tx.Model(&store.Client{}).Where("id = ?", id).Updates(map[string]any{"alert": c.Alert, "updated_at": c.UpdatedAt}).Error; err != nil {
			return err
		}
		if err := s.Rec.Record(tx, "client", id, sync.OpUpdate, c); err != nil {
			return err
		}
		return s.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: audit.ActAlertChanged, ClientID: id, Detail: map[string]any{"length": utf8.RuneCountInString(text)}})
	})
	if err != nil {
		return dto.ClientProfile{}, err
	}
	return s.profile(a, c)
}

// Documents lists the client's Documents on File, newest first.
func (s *Service) Documents(a access.Actor, clientID string) ([]dto.Document, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return nil, err
	}
	if _, err := s.get(s.DB.DB, clientID); err != nil {
		return nil, err
	}
	var docs []store.Document
	if err := s.DB.Where("client_id = ?", clientID).Order("created_at DESC, id DESC").Find(&docs).Error; err != nil {
		return nil, err
	}
	keys := make([]store.PersonKey, len(docs))
	for i, d := range docs {
		keys[i] = store.PersonKey{Kind: store.KindStaff, ID: d.AddedByStaffID}
	}
	names, err := store.Names(s.DB.DB, keys)
	if err != nil {
		return nil, err
	}
	out := make([]dto.Document, 0, len(docs))
	for _, d := range docs {
		out = append(out, attachments.DocumentDTO(d, names[store.PersonKey{Kind: store.KindStaff, ID: d.AddedByStaffID}]))
	}
	return out, nil
}
