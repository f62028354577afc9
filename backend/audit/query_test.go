package audit_test

import (
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

func appendEntry(t *testing.T, d *desk.Desk, e audit.Entry) {
	t.Helper()
	must(t, d.DB.Tx(func(tx *gorm.DB) error { return d.Audit.Append(tx, e) }))
}

func reader(d *desk.Desk) audit.Reader {
	return audit.Reader{DB: d.DB, Log: d.Audit, Loc: time.UTC}
}

func TestOnlyOwnersAndManagersReadExportAndVerifyTheAuditLog(t *testing.T) {
	d, _ := testutil.Desk(t, false)
	r := reader(d)
	out := filepath.Join(t.TempDir(), "log.csv")
	for _, role := range []string{store.RoleClinician, store.RoleFrontDesk, ""} {
		a := access.Actor{}
		want := apperr.NotSignedIn
		if role != "" {
			a = testutil.Actor(testutil.AddStaff(t, d, "S"+role, role))
			want = apperr.OwnerOrManagerOnly
		}
		_, err := r.List(a, dto.AuditFilter{})
		if !apperr.Is(err, want) {
			t.Errorf("%q List: %v, want %s", role, err, want)
		}
		if _, err := r.Export(a, dto.AuditFilter{}, out); !apperr.Is(err, want) {
			t.Errorf("%q Export: %v, want %s", role, err, want)
		}
		if _, err := r.VerifyChain(a); !apperr.Is(err, want) {
			t.Errorf("%q VerifyChain: %v, want %s", role, err, want)
		}
		if _, err := r.Actions(a); !apperr.Is(err, want) {
			t.Errorf("%q Actions: %v, want %s", role, err, want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("a refused export left a file")
	}
	for _, role := range []string{store.RoleOwner, store.RoleManager} {
		a := testutil.Actor(testutil.AddStaff(t, d, "M"+role, role))
		if _, err := r.List(a, dto.AuditFilter{}); err != nil {
			t.Errorf("%s List: %v", role, err)
		}
	}
}

func TestAuditListFiltersByClientStaffActionAndDateNewestFirstWithNames(t *testing.T) {
	d, clk := testutil.Desk(t, false)
	owner := testutil.Actor(testutil.AddStaff(t, d, "Olive", store.RoleOwner))
	sam := testutil.AddStaff(t, d, "Sam", store.RoleClinician)
	cas := testutil.AddClient(t, d, "Casey")
	rob := testutil.AddClient(t, d, "Robin")
	start := clk.Now()
	// Day 0: Sam views Casey's file; day 1: Sam shares Robin's; day 2: a purge.
	appendEntry(t, d, audit.Entry{StaffID: sam.ID, Action: audit.ActView, ClientID: cas.ID, Detail: map[string]any{"name": "a.pdf"}})
	clk.Advance(24 * time.Hour)
	appendEntry(t, d, audit.Entry{StaffID: sam.ID, Action: audit.ActShare, ClientID: rob.ID, Detail: map[string]any{"name": "b.pdf"}})
	clk.Advance(24 * time.Hour)
	appendEntry(t, d, audit.Entry{Action: audit.ActPurge, Detail: map[string]any{"name": "c.pdf"}})
	r := reader(d)

	all, err := r.List(owner, dto.AuditFilter{})
	must(t, err)
	if all.Total != 3 || len(all.Entries) != 3 || all.Limit != audit.DefaultLimit {
		t.Fatalf("all: total %d, %d entries, limit %d", all.Total, len(all.Entries), all.Limit)
	}
	if all.Entries[0].Action != audit.ActPurge || all.Entries[2].Action != audit.ActView {
		t.Fatalf("not newest first: %s … %s", all.Entries[0].Action, all.Entries[2].Action)
	}
	if e := all.Entries[2]; e.StaffName != "Sam Test" || e.ClientName != "Casey Client" || e.Summary != "a.pdf" ||
		e.ActionLabel == "" || e.Detail["name"] != "a.pdf" || e.At != start.Format(time.RFC3339) {
		t.Fatalf("names not resolved: %+v", e)
	}
	if e := all.Entries[0]; e.StaffName != audit.SystemName || e.ClientName != "" {
		t.Fatalf("system entry: %+v", e)
	}

	cases := []struct {
		name string
		f    dto.AuditFilter
		want []string
	}{
		{"client", dto.AuditFilter{ClientID: rob.ID}, []string{audit.ActShare}},
		{"staff", dto.AuditFilter{StaffID: sam.ID}, []string{audit.ActShare, audit.ActView}},
		{"action", dto.AuditFilter{Action: audit.ActPurge}, []string{audit.ActPurge}},
		{"from day", dto.AuditFilter{From: start.AddDate(0, 0, 1).Format("2006-01-02")}, []string{audit.ActPurge, audit.ActShare}},
		{"to day is inclusive", dto.AuditFilter{To: start.AddDate(0, 0, 1).Format("2006-01-02")}, []string{audit.ActShare, audit.ActView}},
		{"to instant is inclusive", dto.AuditFilter{To: start.Format(time.RFC3339)}, []string{audit.ActView}},
		{"one day", dto.AuditFilter{From: start.AddDate(0, 0, 1).Format("2006-01-02"), To: start.AddDate(0, 0, 1).Format("2006-01-02")}, []string{audit.ActShare}},
		{"staff and client", dto.AuditFilter{StaffID: sam.ID, ClientID: cas.ID}, []string{audit.ActView}},
		{"nothing", dto.AuditFilter{ClientID: "nobody"}, nil},
	}
	for _, c := range cases {
		page, err := r.List(owner, c.f)
		must(t, err)
		var got []string
		for _, e := range page.Entries {
			got = append(got, e.Action)
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") || page.Total != int64(len(c.want)) {
			t.Errorf("%s: got %v (total %d), want %v", c.name, got, page.Total, c.want)
		}
	}

	p1, err := r.List(owner, dto.AuditFilter{Limit: 2})
	must(t, err)
	p2, err := r.List(owner, dto.AuditFilter{Limit: 2, Offset: 2})
	must(t, err)
	if len(p1.Entries) != 2 || len(p2.Entries) != 1 || p1.Total != 3 || p2.Total != 3 || p2.Entries[0].Action != audit.ActView {
		t.Fatalf("paging: %d + %d entries", len(p1.Entries), len(p2.Entries))
	}
}

func TestAuditFilterRefusesBadInputWithTheField(t *testing.T) {
	for _, c := range []struct {
		f     dto.AuditFilter
		field string
	}{
		{dto.AuditFilter{From: "yesterday"}, "from"},
		{dto.AuditFilter{To: "2026-13-01"}, "to"},
		{dto.AuditFilter{From: "2026-11-26", To: "2026-11-25"}, "to"},
		{dto.AuditFilter{Action: "DROP TABLE"}, "action"},
		{dto.AuditFilter{Limit: -1}, "limit"},
		{dto.AuditFilter{Limit: audit.MaxLimit + 1}, "limit"},
		{dto.AuditFilter{Offset: -5}, "offset"},
		{dto.AuditFilter{ClientID: strings.Repeat("x", 65)}, "clientId"},
		{dto.AuditFilter{StaffID: "a\x00b"}, "staffId"},
	} {
		_, err := audit.ParseFilter(c.f, time.UTC)
		if e := apperr.As(err); err == nil || e.Code != apperr.InvalidInput || e.Field != c.field {
			t.Errorf("%+v: %v, want invalid %s", c.f, err, c.field)
		}
	}
	f, err := audit.ParseFilter(dto.AuditFilter{From: "2026-11-25", To: "2026-11-25"}, time.FixedZone("EST", -5*3600))
	must(t, err)
	if want := time.Date(2026, 11, 25, 5, 0, 0, 0, time.UTC); !f.From.Equal(want) || !f.To.Equal(want.Add(24*time.Hour)) {
		t.Fatalf("a day in the desk's zone: %v – %v", f.From, f.To)
	}
}

func TestSafeCellDefusesFormulas(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "+1": "'+1", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "report.pdf": "report.pdf", "": "", "a=b": "a=b", "{\"a\":1}": "{\"a\":1}",
	} {
		if got := audit.SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// firstWriteHook runs fn on the first Write, then passes every write on.
type firstWriteHook struct {
	w      io.Writer
	fn     func()
	writes int
}

func (h *firstWriteHook) Write(p []byte) (int, error) {
	if h.writes == 0 {
		h.fn()
	}
	h.writes++
	return h.w.Write(p)
}

func TestExportCSVStreamsEveryEntryPresentAtStartWithHeaderAndRFC3339(t *testing.T) {
	d, _ := testutil.Desk(t, false)
	owner := testutil.AddStaff(t, d, "Olive", store.RoleOwner)
	evil := testutil.AddClient(t, d, "=cmd")
	appendEntry(t, d, audit.Entry{StaffID: owner.ID, Action: audit.ActView, ClientID: evil.ID, Detail: map[string]any{"name": "-x.pdf"}})
	n := int(fill(t, d, 1234))
	var buf bytes.Buffer
	// An entry appended while the export runs is not part of it, and the
	// first bytes leave before the last batch is read.
	hook := &firstWriteHook{w: &buf, fn: func() { appendEntry(t, d, audit.Entry{StaffID: "late", Action: audit.ActView}) }}
	rows, err := audit.ExportCSV(d.DB.DB, audit.Filter{}, hook)
	must(t, err)
	if rows != int64(n) {
		t.Fatalf("exported %d rows, want %d", rows, n)
	}
	if hook.writes < 3 {
		t.Fatalf("%d writes: the export was not streamed in batches", hook.writes)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	must(t, err)
	if len(recs) != n+1 || strings.Join(recs[0], ",") != strings.Join(audit.CSVHeader, ",") {
		t.Fatalf("%d records, header %v", len(recs), recs[0])
	}
	if recs[1][0] != "1235" || recs[len(recs)-1][0] != "1" {
		t.Fatalf("not newest first: %s … %s", recs[1][0], recs[len(recs)-1][0])
	}
	for _, rec := range recs[1:] {
		if _, err := time.Parse(time.RFC3339Nano, rec[1]); err != nil {
			t.Fatalf("time %q: %v", rec[1], err)
		}
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Fatalf("unsafe cell %q", cell)
			}
		}
	}
	first := recs[len(recs)-1]
	if first[7] != "'=cmd Client" || first[3] != "Olive Test" {
		t.Fatalf("the client's name was not defused or resolved: %q", first)
	}
}

func TestExportWritesTheFileAndAuditsItselfKeepingTheChain(t *testing.T) {
	d, _ := testutil.Desk(t, false)
	owner := testutil.Actor(testutil.AddStaff(t, d, "Olive", store.RoleOwner))
	c := testutil.AddClient(t, d, "Casey")
	appendEntry(t, d, audit.Entry{StaffID: owner.StaffID, Action: audit.ActView, ClientID: c.ID})
	appendEntry(t, d, audit.Entry{StaffID: owner.StaffID, Action: audit.ActView, ClientID: "other"})
	dir := t.TempDir()
	out, err := reader(d).Export(owner, dto.AuditFilter{ClientID: c.ID}, filepath.Join(dir, "casey"))
	must(t, err)
	if out.Rows != 1 || out.Path != filepath.Join(dir, "casey.csv") {
		t.Fatalf("export = %+v", out)
	}
	b, err := os.ReadFile(out.Path)
	must(t, err)
	if lines := strings.Count(string(b), "\n"); lines != 2 {
		t.Fatalf("file has %d lines:\n%s", lines, b)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".clinicdesk-audit-*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	var last store.AuditEvent
	must(t, d.DB.Order("seq DESC").First(&last).Error)
	if last.Action != audit.ActExport || last.StaffID != owner.StaffID || !strings.Contains(last.Detail, `"rows":1`) || !strings.Contains(last.Detail, "casey.csv") {
		t.Fatalf("export not audited: %+v", last)
	}
	chain, err := reader(d).VerifyChain(owner)
	must(t, err)
	if !chain.OK || chain.Entries != 3 {
		t.Fatalf("chain = %+v", chain)
	}
	for _, bad := range []string{"", "relative.csv", dir} {
		if _, err := reader(d).Export(owner, dto.AuditFilter{}, bad); !apperr.Is(err, apperr.InvalidInput) {
			t.Errorf("Export to %q: %v", bad, err)
		}
	}
}

func TestVerifyChainReportsWhereTheLogWasTamperedWith(t *testing.T) {
	d, _ := testutil.Desk(t, false)
	owner := testutil.Actor(testutil.AddStaff(t, d, "Olive", store.RoleOwner))
	fill(t, d, 30)
	tamper(t, d, `UPDATE audit_events SET staff_id = 'someone' WHERE seq = 12`)
	chain, err := reader(d).VerifyChain(owner)
	must(t, err)
	if chain.OK || chain.BrokenAt != 12 || chain.Entries != 30 || chain.Reason == "" {
		t.Fatalf("chain = %+v", chain)
	}
}
