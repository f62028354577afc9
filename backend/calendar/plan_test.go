package calendar_test

import (
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/desk"
)

type query struct {
	sql  string
	vars []any
}

// captureAppointmentQueries records the SQL and arguments of every query the
// services run against appointments, so the test explains the real query
// rather than a copy of it.
func captureAppointmentQueries(t *testing.T, d *desk.Desk) *[]query {
	t.Helper()
	var got []query
	name := "test:capture-" + t.Name()
	must(t, d.DB.Callback().Query().After("gorm:query").Register(name, func(db *gorm.DB) {
		if db.Statement.Table == "appointments" {
			got = append(got, query{db.Statement.SQL.String(), append([]any(nil), db.Statement.Vars...)})
		}
	}))
	t.Cleanup(func() { d.DB.Callback().Query().Remove(name) })
	return &got
}

func plan(t *testing.T, d *desk.Desk, q query) string {
	t.Helper()
	rows, err := d.DB.Raw("EXPLAIN QUERY PLAN "+q.sql, q.vars...).Rows()
	must(t, err)
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		must(t, rows.Scan(&id, &parent, &notused, &detail))
		lines = append(lines, detail)
	}
	return strings.Join(lines, "\n")
}

func assertSearchesIndex(t *testing.T, what, p string, indexes ...string) {
	t.Helper()
	for _, idx := range indexes {
		if strings.Contains(p, "SEARCH appointments USING INDEX "+idx) || strings.Contains(p, "SEARCH appointments USING COVERING INDEX "+idx) {
			return
		}
	}
	t.Errorf("%s does not search %v:\n%s", what, indexes, p)
}

func TestRangeUsesAnIndexNotAFullScan(t *testing.T) {
	p := newPractice(t)
	for h := 8; h < 18; h++ {
		p.book(t, p.c.ID, p.doc.StaffID, at(h, 0), at(h, 50))
		p.book(t, p.c2.ID, p.doc2.StaffID, at(h, 0), at(h, 50))
	}
	got := captureAppointmentQueries(t, p.d)

	_, err := p.d.Calendar.Range(p.frontDesk, at(0, 0), at(0, 0).Add(7*24*time.Hour), "")
	must(t, err)
	_, err = p.d.Calendar.Range(p.frontDesk, at(0, 0), at(0, 0).Add(24*time.Hour), p.doc.StaffID)
	must(t, err)
	_, err = p.d.Calendar.ForClient(p.frontDesk, p.c.ID)
	must(t, err)
	_, err = p.d.Calendar.Create(p.frontDesk, input(p.c.ID, p.doc.StaffID, at(19, 0), at(19, 50))) // runs the overlap check
	must(t, err)

	for _, x := range *got {
		t.Logf("%s\n→ %s", x.sql, plan(t, p.d, x))
	}
	if len(*got) < 4 {
		t.Fatalf("captured %d appointment queries, want 4", len(*got))
	}
	q := *got
	all, one, client, overlap := plan(t, p.d, q[0]), plan(t, p.d, q[1]), plan(t, p.d, q[2]), plan(t, p.d, q[3])
	for name, pl := range map[string]string{"range": all, "range for one clinician": one, "client's appointments": client, "overlap check": overlap} {
		if strings.Contains(pl, "SCAN appointments") {
			t.Errorf("%s scans the whole table:\n%s", name, pl)
		}
	}
	assertSearchesIndex(t, "range", all, "idx_appointments_start", "idx_appointments_staff_start")
	assertSearchesIndex(t, "range for one clinician", one, "idx_appointments_staff_start")
	assertSearchesIndex(t, "client's appointments", client, "idx_appointments_client_start")
	assertSearchesIndex(t, "overlap check", overlap, "idx_appointments_staff_start")
	if !strings.Contains(q[1].sql, "staff_id") || !strings.Contains(q[3].sql, "status") {
		t.Errorf("captured the wrong queries: %q / %q", q[1].sql, q[3].sql)
	}
}
