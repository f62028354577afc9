package api

import (
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/events"
)

// Audit serves Settings → Audit log (owner or manager): read, filter,
// export to CSV and check the hash chain.
type Audit struct{ *Base }

func (x *Audit) reader() audit.Reader {
	return audit.Reader{DB: x.Desk.DB, Log: x.Desk.Audit}
}

// List returns one page of the log, newest first.
func (x *Audit) List(filter dto.AuditFilter) (dto.AuditPage, error) {
	defer x.hold()()
	a, err := x.actor()
	if err != nil {
		return dto.AuditPage{}, err
	}
	return x.reader().List(a, filter)
}

// Actions lists the action filter's choices.
func (x *Audit) Actions() ([]dto.AuditAction, error) {
	defer x.hold()()
	a, err := x.actor()
	if err != nil {
		return nil, err
	}
	return x.reader().Actions(a)
}

// ChooseExportPath shows the native save dialog and returns the chosen path
// ("" when cancelled).
func (x *Audit) ChooseExportPath() (string, error) {
	defer x.hold()()
	a, err := x.actor()
	if err != nil {
		return "", err
	}
	if err := access.CheckReadAudit(a); err != nil {
		return "", err
	}
	if x.ctx == nil {
		return "", apperr.New(apperr.Internal, "Saving files is only available in the desktop window.")
	}
	return runtime.SaveFileDialog(x.ctx, runtime.SaveDialogOptions{
		Title:           "Export the audit log",
		DefaultFilename: "ClinicDesk audit log " + time.Now().Format("2006-01-02") + ".csv",
		Filters:         []runtime.FileFilter{{DisplayName: "CSV (*.csv)", Pattern: "*.csv"}},
	})
}

// Export writes every entry matching filter to path as CSV and records the
// export in the log.
func (x *Audit) Export(filter dto.AuditFilter, path string) (dto.AuditExport, error) {
	defer x.hold()()
	a, err := x.actor()
	if err != nil {
		return dto.AuditExport{}, err
	}
	out, err := x.reader().Export(a, filter, path)
	if err == nil {
		x.changed(events.KindAudit)
	}
	return out, err
}

// VerifyChain checks that no entry of the log was changed or removed from
// the middle: {ok, entries, brokenAt, reason}.
func (x *Audit) VerifyChain() (dto.AuditChain, error) {
	defer x.hold()()
	a, err := x.actor()
	if err != nil {
		return dto.AuditChain{}, err
	}
	return x.reader().VerifyChain(a)
}
