package api

import (
	"context"
	"log"
	"path/filepath"
	gosync "sync"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"
	"gorm.io/gorm"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/backup"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/events"
	"clinicdesk/backend/files"
)

// BackupProgress is the event Settings → Backup follows: dto.BackupProgress,
// at most every 100 ms per job, and at every change of phase.
const BackupProgress = "backup:progress"

// Backup serves Settings → Backup (owner or manager): back up the practice
// to a folder, check a backup, restore from one. One job runs at a time;
// Cancel stops it.
type Backup struct {
	*Base
	mu     gosync.Mutex
	cancel context.CancelFunc
}

// start claims the single job slot.
func (x *Backup) start() (context.Context, func(), error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.cancel != nil {
		return nil, nil, apperr.New(apperr.Conflict, "A backup or restore is already running. Wait for it to finish or cancel it.")
	}
	ctx, cancel := context.WithCancel(context.Background())
	x.cancel = cancel
	return ctx, func() {
		x.mu.Lock()
		x.cancel = nil
		x.mu.Unlock()
		cancel()
	}, nil
}

// Cancel stops the running backup, check or restore. A restore can be
// cancelled until its new data is swapped in; after that it finishes.
func (x *Backup) Cancel() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.cancel != nil {
		x.cancel()
	}
	return nil
}

// progress turns backup progress into throttled events.
func (x *Backup) progress(job string) backup.ProgressFunc {
	if x.Emit == nil {
		return nil
	}
	var last time.Time
	var phase string
	return func(p backup.Progress) {
		if p.Phase == phase && p.Done != p.Total && time.Since(last) < 100*time.Millisecond {
			return
		}
		last, phase = time.Now(), p.Phase
		x.Emit.Emit(BackupProgress, dto.BackupProgress{Job: job, Phase: p.Phase, Done: p.Done, Total: p.Total})
	}
}

// manager returns the signed-in owner or manager, refused by check (each
// backup action says what it was).
func (x *Backup) manager(check func(access.Actor) error) (access.Actor, error) {
	a, err := x.actor()
	if err != nil {
		return a, err
	}
	return a, check(a)
}

func (x *Backup) chooseFolder(title string, check func(access.Actor) error) (string, error) {
	if _, err := x.manager(check); err != nil {
		return "", err
	}
	if x.ctx == nil {
		return "", apperr.New(apperr.Internal, "Choosing a folder is only available in the desktop window.")
	}
	return runtime.OpenDirectoryDialog(x.ctx, runtime.OpenDialogOptions{Title: title, CanCreateDirectories: true})
}

// ChooseFolder shows the native folder dialog for where to save a backup
// ("" when cancelled).
func (x *Backup) ChooseFolder() (string, error) {
	defer x.hold()()
	return x.chooseFolder("Choose where to save the backup (an external drive is best)", access.CheckBackup)
}

// ChooseBackup shows the native folder dialog for a backup to restore
// ("" when cancelled).
func (x *Backup) ChooseBackup() (string, error) {
	defer x.hold()()
	return x.chooseFolder("Choose a \""+backup.FolderPrefix+"…\" folder", access.CheckInspectBackup)
}

// Create backs up the practice into a new folder inside dir while the desk
// keeps working.
func (x *Backup) Create(dir string) (dto.BackupInfo, error) {
	defer x.hold()()
	a, err := x.manager(access.CheckBackup)
	if err != nil {
		return dto.BackupInfo{}, err
	}
	ctx, done, err := x.start()
	if err != nil {
		return dto.BackupInfo{}, err
	}
	defer done()
	m, folder, err := backup.Create(ctx, x.Desk, a, dir, x.progress("backup"))
	if err != nil {
		return dto.BackupInfo{}, err
	}
	x.changed(events.KindAudit)
	return backup.Info(folder, m), nil
}

// Inspect verifies a backup folder in full and describes it, so the UI can
// show what a restore would bring back before asking to confirm.
func (x *Backup) Inspect(dir string) (dto.BackupInfo, error) {
	defer x.hold()()
	if _, err := x.manager(access.CheckInspectBackup); err != nil {
		return dto.BackupInfo{}, err
	}
	ctx, done, err := x.start()
	if err != nil {
		return dto.BackupInfo{}, err
	}
	defer done()
	m, err := backup.Verify(ctx, dir, x.progress("verify"))
	if err != nil {
		return dto.BackupInfo{}, err
	}
	return backup.Info(dir, m), nil
}

// Restore replaces the practice with the backup in dir: it verifies the
// backup and copies it beside the data while the desk keeps working, then
// closes the desk, swaps the data in, reopens it and records the restore in
// the (restored) audit log. Everyone is signed out afterwards; the UI
// receives data:changed {kind: "restore"}.
func (x *Backup) Restore(dir string) (dto.RestoreResult, error) {
	// Not held for the whole call like the others: it takes the write side
	// for the swap. Until then it holds the read side like any call.
	release := x.hold()
	a, err := x.manager(access.CheckRestoreBackup)
	if err != nil {
		release()
		return dto.RestoreResult{}, err
	}
	ctx, done, err := x.start()
	if err != nil {
		release()
		return dto.RestoreResult{}, err
	}
	defer done()
	prog := x.progress("restore")
	dataDir, clk := x.Desk.Dir, x.Desk.Clock
	st, err := backup.Stage(ctx, a, dir, dataDir, prog)
	release()
	if err != nil {
		return dto.RestoreResult{}, err
	}
	defer st.Discard()
	if err := ctx.Err(); err != nil {
		return dto.RestoreResult{}, apperr.New(apperr.Cancelled, "The restore was cancelled. Nothing was changed.")
	}

	// Calls that arrive now wait for the swap; the ones already running
	// finish first (the write lock waits for them). Sync and the scan inbox
	// stop with the old desk and start again on the restored practice.
	x.swap.Lock()
	hadSync := x.sync != nil && x.sync.eng != nil
	if hadSync {
		StopDeskSync(x.Base)
	}
	x.Desk.Close()
	res, commitErr := st.Commit(prog)
	nd, openErr := desk.Open(context.Background(), dataDir, desk.Options{Clock: clk})
	if openErr == nil {
		x.Desk = nd
		if x.ctx != nil { // the desktop app (tests have no lifecycle context)
			x.startBackground(hadSync)
		}
	}
	x.swap.Unlock()
	if openErr != nil {
		return dto.RestoreResult{}, apperr.Wrap(apperr.Internal, "ClinicDesk could not open the practice after the restore. Close ClinicDesk and start it again.", openErr)
	}
	x.changed(events.KindRestore)
	if commitErr != nil {
		return dto.RestoreResult{}, commitErr
	}
	err = nd.DB.Tx(func(tx *gorm.DB) error {
		return nd.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: audit.ActBackupRestored, Detail: map[string]any{
			"name": filepath.Base(dir), "backupCreatedAt": clock.RFC3339(res.Manifest.CreatedAt), "previous": filepath.Base(res.PreviousData)}})
	})
	if err != nil {
		return dto.RestoreResult{}, err
	}
	return dto.RestoreResult{Backup: backup.Info(dir, res.Manifest), PreviousData: res.PreviousData}, nil
}

// startBackground starts sync (when it ran before) and the scan inbox on the
// restored desk; the caller holds the swap lock.
func (x *Backup) startBackground(withSync bool) {
	if withSync {
		StartDeskSync(x.Base, x.ctx)
	}
	emit := x.Emit
	if err := x.Desk.StartInbox(x.ctx, files.InboxOptions{Logf: log.Printf}, func() {
		if emit != nil {
			emit.Emit(events.InboxChanged, struct{}{})
		}
	}); err != nil {
		log.Printf("scan inbox not watched after the restore: %v", err)
	}
}
