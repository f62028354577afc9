package audit

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/dto"
)

// Page sizes of Query.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
	maxOffset    = 1 << 30
	maxIDLen     = 64
	maxActionLen = 40
)

// Filter selects audit entries. Zero fields match everything.
type Filter struct {
	ClientID string
	StaffID  string
	Action   string
	// From is inclusive and To exclusive; zero means no bound.
	From, To time.Time
	// Limit is Query's page size (0 means DefaultLimit); Offset skips that
	// many of the newest matching entries. ExportCSV ignores both: an export
	// holds every matching entry.
	Limit, Offset int
}

// ParseFilter checks a filter sent by the UI and converts it. Dates are
// RFC 3339 times or calendar days (YYYY-MM-DD) in loc: From is the start of
// its day, To takes in the whole of its day; an RFC 3339 To is inclusive.
// Anything wrong is apperr.InvalidInput naming the field.
func ParseFilter(in dto.AuditFilter, loc *time.Location) (Filter, error) {
	if loc == nil {
		loc = time.Local
	}
	var f Filter
	var err error
	if f.ClientID, err = cleanID("clientId", in.ClientID); err != nil {
		return Filter{}, err
	}
	if f.StaffID, err = cleanID("staffId", in.StaffID); err != nil {
		return Filter{}, err
	}
	f.Action = strings.TrimSpace(in.Action)
	if !validAction(f.Action) {
		return Filter{}, apperr.Invalid("action", "Choose an action from the list.")
	}
	if f.From, err = parseBound("from", in.From, loc, false); err != nil {
		return Filter{}, err
	}
	if f.To, err = parseBound("to", in.To, loc, true); err != nil {
		return Filter{}, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return Filter{}, apperr.Invalid("to", "The end date must be after the start date.")
	}
	switch {
	case in.Limit < 0 || in.Limit > MaxLimit:
		return Filter{}, apperr.Invalid("limit", "Show between 1 and 1000 entries per page.")
	case in.Limit == 0:
		f.Limit = DefaultLimit
	default:
		f.Limit = in.Limit
	}
	if in.Offset < 0 || in.Offset > maxOffset {
		return Filter{}, apperr.Invalid("offset", "That page does not exist.")
	}
	f.Offset = in.Offset
	return f, nil
}

func cleanID(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > maxIDLen || !utf8.ValidString(s) {
		return "", apperr.Invalid(field, "That choice is not valid.")
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", apperr.Invalid(field, "That choice is not valid.")
		}
	}
	return s, nil
}

// validAction accepts "" and names shaped like the stored ones (lowercase
// words joined by "_"), so entries of a newer desk synced here can still be
// filtered.
func validAction(a string) bool {
	if len(a) > maxActionLen {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

func parseBound(field, s string, loc *time.Location, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	bad := apperr.Invalid(field, "Enter a date like 2026-11-25.")
	if len(s) > 40 {
		return time.Time{}, bad
	}
	if d, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d.UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, bad
	}
	t = t.UTC()
	if t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, bad
	}
	if end {
		// Entries are stored to the microsecond: "at or before t" is
		// "before t's microsecond plus one".
		t = t.Truncate(time.Microsecond).Add(time.Microsecond)
	}
	return t, nil
}

// apply adds the filter's conditions to q (a query on audit_events).
func (f Filter) apply(q *gorm.DB) *gorm.DB {
	if f.ClientID != "" {
		q = q.Where("client_id = ?", f.ClientID)
	}
	if f.StaffID != "" {
		q = q.Where("staff_id = ?", f.StaffID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To.UTC())
	}
	return q
}
