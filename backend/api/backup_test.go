package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	gosync "sync"
	"sync/atomic"
	"testing"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/demo"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/events"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

func signedIn(t *testing.T, role string) (*Base, *events.Fake) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ClinicDesk")
	d, err := desk.Open(context.Background(), dir, desk.Options{Demo: true, Clock: clock.NewFixed(testutil.Now)})
	if err != nil {
		t.Fatal(err)
	}
	fake := &events.Fake{}
	b := &Base{Desk: d, Emit: fake}
	t.Cleanup(func() { b.Desk.Close() })
	var s store.Staff
	if err := d.DB.Where("role = ?", role).Order("first_name").First(&s).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := (&Session{b}).SignIn(s.ID, demo.PIN); err != nil {
		t.Fatal(err)
	}
	return b, fake
}

func TestBackupRestoreSwapsTheDeskSignsEveryoneOutAndIsAudited(t *testing.T) {
	b, fake := signedIn(t, store.RoleOwner)
	// As in the app: a lifecycle context, sync running, the scan inbox watched.
	if _, err := b.Desk.Settings.SetScanInboxPath(b.Desk.Session.Actor(), t.TempDir()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { StopDeskSync(b); cancel() })
	Start(b, ctx, fake)
	StartDeskSync(b, ctx)
	x := &Backup{Base: b}
	info, err := x.Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if info.Files == 0 || info.Counts["clients"] != 40 || info.CreatedAt == "" {
		t.Fatalf("info %+v", info)
	}
	if got, err := x.Inspect(info.Path); err != nil || got.Bytes != info.Bytes {
		t.Fatalf("Inspect: %+v %v", got, err)
	}
	var c store.Client
	b.Desk.DB.First(&c)
	th, err := (&Messages{b}).Compose(dto.ComposeRequest{ClientID: c.ID, Subject: "after the backup", Body: "x"})
	if err != nil {
		t.Fatal(err)
	}
	old := b.Desk

	res, err := x.Restore(info.Path)
	if err != nil {
		t.Fatal(err)
	}
	if b.Desk == old || res.PreviousData == "" || res.Backup.Path != info.Path {
		t.Fatalf("desk not swapped: %+v", res)
	}
	if _, err := SyncOf(b).Status(); err == nil {
		t.Fatal("sync status answered while signed out")
	}
	if b.sync.eng == nil {
		t.Fatal("sync did not restart on the restored practice")
	}
	var n int64
	b.Desk.DB.Model(&store.Thread{}).Where("id = ?", th.ID).Count(&n)
	if n != 0 {
		t.Fatal("the restored practice has the thread made after the backup")
	}
	if cur, _ := (&Session{b}).Current(); cur.Staff != nil {
		t.Fatal("still signed in after a restore")
	}
	var last store.AuditEvent
	b.Desk.DB.Order("seq DESC").First(&last)
	if last.Action != audit.ActBackupRestored {
		t.Fatalf("restore not audited: %+v", last)
	}
	if err := audit.Verify(b.Desk.DB.DB); err != nil {
		t.Fatal(err)
	}
	progress, restored := 0, false
	for _, e := range fake.Events {
		switch e.Name {
		case BackupProgress:
			progress++
		case events.DataChanged:
			if c, ok := e.Data.(events.Change); ok && c.What == events.KindRestore {
				restored = true
			}
		}
	}
	if progress == 0 || !restored {
		t.Fatalf("events: %v", fake.Names())
	}
	if _, err := os.Stat(filepath.Join(res.PreviousData, "clinicdesk.db")); err != nil {
		t.Fatalf("replaced practice not kept: %v", err)
	}
}

func TestBackupIsRefusedToClinicians(t *testing.T) {
	b, _ := signedIn(t, store.RoleClinician)
	x := &Backup{Base: b}
	if _, err := x.Create(t.TempDir()); !apperr.Is(err, apperr.OwnerOrManagerOnly) {
		t.Fatalf("Create: %v", err)
	}
	if _, err := x.Restore(t.TempDir()); !apperr.Is(err, apperr.OwnerOrManagerOnly) {
		t.Fatalf("Restore: %v", err)
	}
	if _, err := x.ChooseFolder(); !apperr.Is(err, apperr.OwnerOrManagerOnly) {
		t.Fatalf("ChooseFolder: %v", err)
	}
	if _, err := (&Audit{b}).List(dto.AuditFilter{}); !apperr.Is(err, apperr.OwnerOrManagerOnly) {
		t.Fatalf("Audit.List: %v", err)
	}
}

// Calls keep coming while Restore runs, bound calls and in-app previews
// alike: each one runs on one open desk from start to end (the old one or the
// restored one), never on a desk that is closing or half swapped in. Under
// -race this also proves nothing reads the desk without holding it.
func TestCallsKeepComingWhileRestoreRuns(t *testing.T) {
	b, _ := signedIn(t, store.RoleOwner)
	x := &Backup{Base: b}
	info, err := x.Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	preview := PreviewHandler(b)
	get := func(id string) int {
		rec := httptest.NewRecorder()
		preview.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, PreviewURL("attachment", id), nil))
		return rec.Code
	}
	var atts []store.Attachment
	b.Desk.DB.Where("mime IN ?", []string{"image/png", "application/pdf"}).Find(&atts)
	var att string
	for _, a := range atts {
		if get(a.ID) == http.StatusOK {
			att = a.ID
			break
		}
	}
	if att == "" {
		t.Fatal("no attachment the owner may preview in the demo")
	}

	stop := make(chan struct{})
	problems := make(chan error, 8)
	var wg gosync.WaitGroup
	var calls atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				calls.Add(1)
				if _, err := (&Clients{b}).Search("a"); err != nil && !apperr.Is(err, apperr.NotSignedIn) {
					problems <- fmt.Errorf("Clients.Search during the restore: %w", err)
					return
				}
				if code := get(att); code != http.StatusOK && code != http.StatusUnauthorized {
					problems <- fmt.Errorf("preview during the restore answered %d", code)
					return
				}
			}
		}()
	}
	before := calls.Load()
	_, rerr := x.Restore(info.Path)
	close(stop)
	wg.Wait()
	close(problems)
	for p := range problems {
		t.Error(p)
	}
	if rerr != nil {
		t.Fatal(rerr)
	}
	if calls.Load() == before {
		t.Fatal("no call ran while the restore ran: the test proves nothing")
	}
	// Everyone is signed out on the restored practice.
	if _, err := (&Clients{b}).Search(""); !apperr.Is(err, apperr.NotSignedIn) {
		t.Fatalf("after the restore: %v (want not signed in)", err)
	}
}
