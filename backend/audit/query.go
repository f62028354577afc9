package audit

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/files"
	"clinicdesk/backend/store"
)

// SystemName is who the log names for entries no staff member made (a purge).
const SystemName = "ClinicDesk (automatic)"

// Row is one audit entry with its people's names resolved.
type Row struct {
	Seq          int64
	ID           string
	At           time.Time
	StaffID      string
	StaffName    string
	Action       string
	ClientID     string
	ClientName   string
	ThreadID     string
	AttachmentID string
	Detail       string // JSON object as stored
	Hash         string
}

// DetailMap decodes Detail; a detail that is not a JSON object comes back
// as {"raw": detail}.
func (r Row) DetailMap() map[string]any {
	m := map[string]any{}
	if r.Detail == "" {
		return m
	}
	dec := json.NewDecoder(strings.NewReader(r.Detail))
	dec.UseNumber() // sizes stay whole numbers, not 6.291456e+07
	if err := dec.Decode(&m); err != nil || m == nil {
		return map[string]any{"raw": r.Detail}
	}
	return m
}

// settingSummary says a setting change in plain words.
func settingSummary(name string, value any) string {
	switch name {
	case "records_deletion":
		if value == true {
			return "Records Deletion turned on"
		}
		return "Records Deletion turned off"
	case "max_file_bytes":
		if n, err := value.(json.Number).Int64(); err == nil {
			return fmt.Sprintf("File size limit set to %d MB", n>>20)
		}
	case "lock_after_minutes":
		return fmt.Sprintf("Lock after %v minutes of inactivity", value)
	case "scan_inbox_path":
		return fmt.Sprintf("Scan inbox folder set to %v", value)
	}
	return fmt.Sprintf("%s = %v", name, value)
}

// Summary is a short plain-words line about the entry's detail ("report.pdf",
// "lock_after_minutes = 15").
func (r Row) Summary() string {
	d := r.DetailMap()
	var parts []string
	if n, ok := d["name"].(string); ok && n != "" {
		parts = append(parts, files.DisplayName(n)) // a stored name may hold bidi controls
	}
	if s, ok := d["setting"].(string); ok {
		parts = append(parts, settingSummary(s, d["value"]))
	}
	if reason, ok := d["reason"].(string); ok {
		parts = append(parts, reason)
	}
	if rows, ok := d["rows"].(json.Number); ok {
		parts = append(parts, fmt.Sprintf("%s entries", rows))
	}
	if len(parts) == 0 {
		keys := make([]string, 0, len(d))
		for k := range d {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s: %v", k, d[k]))
		}
	}
	return strings.Join(parts, "; ")
}

// Page is one page of Query.
type Page struct {
	Rows  []Row
	Total int64 // entries matching the filter, all pages
}

// Query returns the entries matching f, newest first, f.Limit of them from
// f.Offset, with names resolved. It does not check who asks: callers check
// access.CheckReadAudit first (Reader does).
func Query(db *gorm.DB, f Filter) (Page, error) {
	if f.Limit <= 0 || f.Limit > MaxLimit {
		f.Limit = DefaultLimit
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	var page Page
	if err := f.apply(db.Model(&store.AuditEvent{})).Count(&page.Total).Error; err != nil {
		return Page{}, err
	}
	var evs []store.AuditEvent
	if err := f.apply(db.Model(&store.AuditEvent{})).Order("seq DESC").Limit(f.Limit).Offset(f.Offset).Find(&evs).Error; err != nil {
		return Page{}, err
	}
	rows, err := resolve(db, evs)
	if err != nil {
		return Page{}, err
	}
	page.Rows = rows
	return page, nil
}

// resolve attaches staff and client names to entries.
func resolve(db *gorm.DB, evs []store.AuditEvent) ([]Row, error) {
	keys := make([]store.PersonKey, 0, 2*len(evs))
	for _, ev := range evs {
		if ev.StaffID != "" {
			keys = append(keys, store.PersonKey{Kind: store.KindStaff, ID: ev.StaffID})
		}
		if ev.ClientID != "" {
			keys = append(keys, store.PersonKey{Kind: store.KindClient, ID: ev.ClientID})
		}
	}
	names, err := store.Names(db, keys)
	if err != nil {
		return nil, err
	}
	rows := make([]Row, 0, len(evs))
	for _, ev := range evs {
		r := Row{Seq: ev.Seq, ID: ev.ID, At: ev.At.UTC(), StaffID: ev.StaffID, Action: ev.Action, ClientID: ev.ClientID,
			ThreadID: ev.ThreadID, AttachmentID: ev.AttachmentID, Detail: ev.Detail, Hash: ev.Hash, StaffName: SystemName}
		if ev.StaffID != "" {
			r.StaffName = names[store.PersonKey{Kind: store.KindStaff, ID: ev.StaffID}]
		}
		if ev.ClientID != "" {
			r.ClientName = names[store.PersonKey{Kind: store.KindClient, ID: ev.ClientID}]
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// exportBatch is how many entries ExportCSV holds in memory at a time.
const exportBatch = 500

// CSVHeader is the first row of an export.
var CSVHeader = []string{"seq", "at", "staff_id", "staff_name", "action", "action_label", "client_id", "client_name",
	"thread_id", "attachment_id", "detail", "entry_hash"}

// ExportCSV writes every entry matching f (Limit and Offset are ignored),
// newest first, as CSV with a header row, times in RFC 3339 UTC, and returns
// how many entries it wrote. It streams: at most exportBatch entries are in
// memory at once. The entries written are those present when it started, so
// entries appended meanwhile do not shift the batches. Cells a spreadsheet
// would run as a formula are prefixed with ' (see SafeCell).
func ExportCSV(db *gorm.DB, f Filter, w io.Writer) (int64, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return 0, err
	}
	var top int64
	if err := db.Raw(`SELECT COALESCE(MAX(seq), 0) FROM audit_events`).Scan(&top).Error; err != nil {
		return 0, err
	}
	cursor := top + 1
	var n int64
	rec := make([]string, len(CSVHeader))
	for {
		var evs []store.AuditEvent
		if err := f.apply(db.Model(&store.AuditEvent{})).Where("seq < ?", cursor).Order("seq DESC").Limit(exportBatch).Find(&evs).Error; err != nil {
			return n, err
		}
		if len(evs) == 0 {
			break
		}
		rows, err := resolve(db, evs)
		if err != nil {
			return n, err
		}
		for _, r := range rows {
			rec[0] = fmt.Sprint(r.Seq)
			rec[1] = r.At.UTC().Format(time.RFC3339Nano)
			rec[2], rec[3] = r.StaffID, r.StaffName
			rec[4], rec[5] = r.Action, ActionLabel(r.Action)
			rec[6], rec[7] = r.ClientID, r.ClientName
			rec[8], rec[9] = r.ThreadID, r.AttachmentID
			rec[10], rec[11] = r.Detail, r.Hash
			for i := range rec {
				rec[i] = SafeCell(rec[i])
			}
			if err := cw.Write(rec); err != nil {
				return n, err
			}
			n++
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return n, err
		}
		cursor = evs[len(evs)-1].Seq
	}
	cw.Flush()
	return n, cw.Error()
}

// SafeCell defuses CSV injection: a cell starting with = + - @, a tab or a
// carriage return is prefixed with ' so a spreadsheet shows it as text
// instead of running it as a formula.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
