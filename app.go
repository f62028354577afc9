package main

import (
	"context"
	"log"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"clinicdesk/backend/api"
	"clinicdesk/backend/backup"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/events"
	"clinicdesk/backend/files"
	"clinicdesk/backend/platform"
)

// App is the lifecycle: open the desk's data on start-up, close it on shutdown.
type App struct {
	dataDir string
	demo    bool
	base    *api.Base
	stop    context.CancelFunc
}

// NewApp prepares the app; nothing is opened until startup.
func NewApp(dataDir string, demo bool) *App {
	return &App{dataDir: dataDir, demo: demo, base: &api.Base{}}
}

func (a *App) startup(ctx context.Context) {
	dir, err := platform.DataDir(a.dataDir)
	if err == nil {
		// A restore cut short by a crash is finished or undone first, so the
		// desk never opens (or seeds a demo into) a half-swapped folder.
		err = backup.Recover(dir)
	}
	if err == nil {
		a.base.Desk, err = desk.Open(ctx, dir, desk.Options{Demo: a.demo})
	}
	if err != nil {
		log.Printf("cannot open the practice data: %v", err)
		runtime.MessageDialog(ctx, runtime.MessageDialogOptions{Type: runtime.ErrorDialog, Title: "ClinicDesk cannot start",
			Message: "ClinicDesk could not open the practice's data in " + dir + ".\n\n" + err.Error()})
		runtime.Quit(ctx)
		return
	}
	log.Printf("ClinicDesk data directory: %s", dir)
	api.Start(a.base, ctx, events.Wails{Ctx: ctx})
	bg, stop := context.WithCancel(ctx)
	a.stop = stop
	go a.purgeLoop(bg)
	api.StartDeskSync(a.base, bg)
	emit := a.base.Emit
	if err := a.base.Desk.StartInbox(bg, files.InboxOptions{Logf: log.Printf}, func() { emit.Emit(events.InboxChanged, struct{}{}) }); err != nil {
		log.Printf("scan inbox not watched: %v", err) // the app works without it; Settings shows the folder
	}
}

// purgeLoop frees the bytes of attachments deleted more than 30 days ago,
// and the bytes nothing uses any more (staged files never sent, leftovers of
// a crash) once their grace period has passed.
func (a *App) purgeLoop(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		api.Housekeeping(ctx, a.base, log.Printf)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (a *App) shutdown(ctx context.Context) {
	if a.stop != nil {
		a.stop()
	}
	api.StopDeskSync(a.base)
	if a.base.Desk != nil {
		a.base.Desk.Close()
	}
}
