package audit

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/store"
)

// Reader serves Settings → Audit log: reading, exporting and verifying the
// log, for owners and managers only (access.CheckReadAudit).
type Reader struct {
	DB  *store.DB
	Log Log
	// Loc is the time zone calendar days in filters are read in (default: the
	// computer's).
	Loc *time.Location
}

// List returns one page of entries matching the filter, newest first.
func (r Reader) List(a access.Actor, in dto.AuditFilter) (dto.AuditPage, error) {
	if err := access.CheckReadAudit(a); err != nil {
		return dto.AuditPage{}, err
	}
	f, err := ParseFilter(in, r.Loc)
	if err != nil {
		return dto.AuditPage{}, err
	}
	page, err := Query(r.DB.DB, f)
	if err != nil {
		return dto.AuditPage{}, err
	}
	out := dto.AuditPage{Entries: make([]dto.AuditEntry, 0, len(page.Rows)), Total: page.Total, Limit: f.Limit, Offset: f.Offset}
	for _, row := range page.Rows {
		out.Entries = append(out.Entries, EntryDTO(row))
	}
	return out, nil
}

// EntryDTO converts a row for the UI.
func EntryDTO(r Row) dto.AuditEntry {
	return dto.AuditEntry{Seq: r.Seq, At: clock.RFC3339(r.At), StaffID: r.StaffID, StaffName: r.StaffName, Action: r.Action,
		ActionLabel: ActionLabel(r.Action), ClientID: r.ClientID, ClientName: r.ClientName, ThreadID: r.ThreadID,
		AttachmentID: r.AttachmentID, Summary: r.Summary(), Detail: r.DetailMap()}
}

// Actions lists the actions the filter offers, with their labels.
func (r Reader) Actions(a access.Actor) ([]dto.AuditAction, error) {
	if err := access.CheckReadAudit(a); err != nil {
		return nil, err
	}
	acts := Actions()
	out := make([]dto.AuditAction, 0, len(acts))
	for _, act := range acts {
		out = append(out, dto.AuditAction{Value: act, Label: ActionLabel(act)})
	}
	return out, nil
}

// Export writes every entry matching the filter to path as CSV. The file is
// written beside path under a temporary name, flushed to disk, and put in
// place inside the transaction that records the export in the log: a
// finished export file always has its audit entry.
func (r Reader) Export(a access.Actor, in dto.AuditFilter, path string) (dto.AuditExport, error) {
	if err := access.CheckReadAudit(a); err != nil {
		return dto.AuditExport{}, err
	}
	f, err := ParseFilter(in, r.Loc)
	if err != nil {
		return dto.AuditExport{}, err
	}
	path, err = exportPath(path)
	if err != nil {
		return dto.AuditExport{}, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".clinicdesk-audit-*.csv")
	if err != nil {
		return dto.AuditExport{}, apperr.Wrap(apperr.FileUnreadable, "ClinicDesk couldn't write to that folder. Choose another place to save the export.", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 64<<10)
	n, err := ExportCSV(r.DB.DB, f, bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if err == nil {
		err = tmp.Close()
	}
	if err != nil {
		return dto.AuditExport{}, apperr.Wrap(apperr.Internal, "The audit log could not be exported. Check that the disk isn't full, then try again.", err)
	}
	err = r.DB.Tx(func(tx *gorm.DB) error {
		if err := r.Log.Append(tx, Entry{StaffID: a.StaffID, Action: ActExport, ClientID: f.ClientID, Detail: map[string]any{
			"what": "audit_log", "rows": n, "file": filepath.Base(path), "filter": filterDetail(f)}}); err != nil {
			return err
		}
		return os.Rename(tmp.Name(), path)
	})
	if err != nil {
		return dto.AuditExport{}, apperr.Wrap(apperr.Internal, "The audit log could not be exported. Please try again.", err)
	}
	done = true
	return dto.AuditExport{Path: path, Rows: n}, nil
}

func filterDetail(f Filter) map[string]any {
	m := map[string]any{}
	if f.ClientID != "" {
		m["clientId"] = f.ClientID
	}
	if f.StaffID != "" {
		m["staffId"] = f.StaffID
	}
	if f.Action != "" {
		m["action"] = f.Action
	}
	if !f.From.IsZero() {
		m["from"] = f.From.UTC().Format(time.RFC3339Nano)
	}
	if !f.To.IsZero() {
		m["to"] = f.To.UTC().Format(time.RFC3339Nano)
	}
	return m
}

// exportPath checks where an export goes: an absolute path to a file (not a
// folder) in an existing folder; ".csv" is added when missing.
func exportPath(p string) (string, error) {
	p = strings.TrimSpace(p)
	bad := apperr.Invalid("path", "Choose where to save the export.")
	if p == "" || strings.ContainsRune(p, 0) || !filepath.IsAbs(p) {
		return "", bad
	}
	p = filepath.Clean(p)
	isDir := func(p string) bool { fi, err := os.Stat(p); return err == nil && fi.IsDir() }
	if isDir(p) {
		return "", apperr.Invalid("path", "That is a folder. Type a file name for the export.")
	}
	if !strings.EqualFold(filepath.Ext(p), ".csv") {
		p += ".csv"
	}
	if !isDir(filepath.Dir(p)) {
		return "", apperr.Invalid("path", "That folder doesn't exist. Choose another place to save the export.")
	}
	if isDir(p) {
		return "", apperr.Invalid("path", "That is a folder. Type a file name for the export.")
	}
	return p, nil
}

// VerifyChain checks the whole log's hash chain.
func (r Reader) VerifyChain(a access.Actor) (dto.AuditChain, error) {
	if err := access.CheckReadAudit(a); err != nil {
		return dto.AuditChain{}, err
	}
	return CheckChain(r.DB.DB)
}

// CheckChain runs Verify and reports the result for the UI: a broken chain
// is a result (ok false, where and why), not an error.
func CheckChain(db *gorm.DB) (dto.AuditChain, error) {
	var out dto.AuditChain
	if err := db.Model(&store.AuditEvent{}).Count(&out.Entries).Error; err != nil {
		return out, err
	}
	err := Verify(db)
	var ce *ChainError
	switch {
	case err == nil:
		out.OK = true
	case errors.As(err, &ce):
		out.BrokenAt, out.Reason = ce.Seq, ce.Reason
	default:
		return out, err
	}
	return out, nil
}
