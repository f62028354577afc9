package audit_test

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/testutil"
)

// Seed corpus: testdata/fuzz/FuzzAuditFilter. Run longer with:
// go test -run '^$' -fuzz '^FuzzAuditFilter$' ./backend/audit

// The audit log's filter comes from the UI: ParseFilter either refuses it
// with InvalidInput naming a field, or returns a filter within bounds that
// Query runs without error. It never panics.
func FuzzAuditFilter(f *testing.F) {
	for _, s := range []dto.AuditFilter{
		{}, {ClientID: "c", StaffID: "s", Action: audit.ActView, From: "2026-11-01", To: "2026-11-30", Limit: 50, Offset: 10},
		{From: "2026-11-25T10:00:00Z", To: "2026-11-25T10:00:00.000001Z"}, {From: "2026-11-25", To: "2026-11-24"},
		{To: "9999-12-31"}, {From: "0000-01-01T00:00:00Z"}, {From: "2026-02-30"}, {Action: "view' OR 1=1 --"},
		{ClientID: "' OR 1=1 --"}, {Limit: -1}, {Limit: 1001}, {Offset: -1}, {Offset: 1 << 40}, {From: "2026-11-25T10:00:00+14:00"},
		{StaffID: "\u202e"}, {From: " 2026-11-25 "}, {To: "2026-11-25T24:00:00Z"},
	} {
		f.Add(s.ClientID, s.StaffID, s.Action, s.From, s.To, s.Limit, s.Offset)
	}
	d, _ := testutil.Desk(f, false)
	must(f, d.DB.Exec(`INSERT INTO staff (id, first_name, last_name, role, created_at, updated_at) VALUES ('s', 'S', 'T', 'owner', ?, ?)`, testutil.Now, testutil.Now).Error)
	for i := 0; i < 30; i++ {
		must(f, d.DB.Tx(func(tx *gorm.DB) error {
			return d.Audit.Append(tx, audit.Entry{StaffID: "s", Action: audit.ActView, ClientID: "c", Detail: map[string]any{"i": i}})
		}))
	}
	f.Fuzz(func(t *testing.T, clientID, staffID, action, from, to string, limit, offset int) {
		in := dto.AuditFilter{ClientID: clientID, StaffID: staffID, Action: action, From: from, To: to, Limit: limit, Offset: offset}
		flt, err := audit.ParseFilter(in, time.UTC)
		if err != nil {
			if e := apperr.As(err); e.Code != apperr.InvalidInput || e.Field == "" {
				t.Fatalf("ParseFilter(%+v) = %v", in, err)
			}
			return
		}
		if flt.Limit < 1 || flt.Limit > audit.MaxLimit || flt.Offset < 0 {
			t.Fatalf("ParseFilter(%+v) = limit %d offset %d", in, flt.Limit, flt.Offset)
		}
		if !flt.From.IsZero() && !flt.To.IsZero() && !flt.From.Before(flt.To) {
			t.Fatalf("ParseFilter(%+v) = empty range %v – %v", in, flt.From, flt.To)
		}
		page, err := audit.Query(d.DB.DB, flt)
		if err != nil {
			t.Fatalf("Query(%+v): %v", flt, err)
		}
		if int64(len(page.Rows)) > page.Total || len(page.Rows) > flt.Limit {
			t.Fatalf("Query(%+v): %d rows of %d", flt, len(page.Rows), page.Total)
		}
		for _, r := range page.Rows {
			if (flt.StaffID != "" && r.StaffID != flt.StaffID) || (flt.Action != "" && r.Action != flt.Action) ||
				(!flt.From.IsZero() && r.At.Before(flt.From)) || (!flt.To.IsZero() && !r.At.Before(flt.To)) {
				t.Fatalf("Query(%+v) returned %+v", flt, r)
			}
		}
	})
}
