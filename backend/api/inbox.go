package api

import (
	"context"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/attachments"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/events"
)

// Inbox serves the scan inbox panel: files a scanner (or anyone) saved into
// the watched folder, ready to attach to a message or file to a client.
type Inbox struct{ *Base }

// List returns the inbox folder and its waiting files.
func (x *Inbox) List() (dto.Inbox, error) {
	defer x.hold()()
	if _, err := x.actor(); err != nil {
		return dto.Inbox{}, err
	}
	out := dto.Inbox{Files: []dto.InboxFile{}}
	in := x.Desk.Inbox()
	if in == nil {
		dir, err := x.Desk.InboxPath()
		out.Folder = dir
		return out, err
	}
	out.Folder = in.Dir()
	for _, f := range in.Pending() {
		out.Files = append(out.Files, dto.InboxFile{ID: f.ID, Name: f.Name, Size: f.Size, ModTime: clock.RFC3339(f.ModTime), MIME: f.MIME,
			TypeLabel: attachments.TypeLabel(f.MIME), Problem: f.Problem})
	}
	return out, nil
}

func (x *Inbox) stage(id string) (dto.StagedFile, error) {
	a, err := x.actor()
	if err != nil {
		return dto.StagedFile{}, err
	}
	in := x.Desk.Inbox()
	if in == nil {
		return dto.StagedFile{}, apperr.New(apperr.NotFound, "The scan inbox is not running.")
	}
	sf, err := x.Desk.Attachments.StageFromInbox(context.Background(), a, in, id)
	if err == nil {
		x.changed(events.KindInbox)
	}
	return sf, err
}

// Attach takes a file out of the inbox, ready to send with a message.
func (x *Inbox) Attach(id string) (dto.StagedFile, error) {
	defer x.hold()()
	return x.stage(id)
}

// FileToDocuments takes a file out of the inbox into a client's Documents on File.
func (x *Inbox) FileToDocuments(id, clientID string) (dto.Document, error) {
	defer x.hold()()
	a, err := x.actor()
	if err != nil {
		return dto.Document{}, err
	}
	sf, err := x.stage(id)
	if err != nil {
		return dto.Document{}, err
	}
	d, err := x.Desk.Attachments.AddDocument(a, clientID, sf.Token, sf.Name)
	if err == nil {
		x.changed(events.KindDocuments)
	}
	return d, err
}

// ChooseFolder asks for a new scan inbox folder (owner or manager) and starts watching it.
func (x *Inbox) ChooseFolder() (dto.Settings, error) {
	defer x.hold()()
	a, err := x.actor()
	if err != nil {
		return dto.Settings{}, err
	}
	if x.ctx == nil {
		return dto.Settings{}, apperr.New(apperr.Internal, "Choosing a folder is only available in the desktop window.")
	}
	dir, err := runtime.OpenDirectoryDialog(x.ctx, runtime.OpenDialogOptions{Title: "Choose the scan inbox folder"})
	if err != nil || dir == "" {
		s, gerr := x.Desk.Settings.Get(a)
		if gerr != nil {
			return s, gerr
		}
		return s, err
	}
	s, err := x.Desk.Settings.SetScanInboxPath(a, dir)
	if err != nil {
		return s, err
	}
	if err := x.Desk.RestartInbox(x.ctx); err != nil {
		return s, apperr.Wrap(apperr.FileUnreadable, "ClinicDesk could not watch that folder. Choose another one.", err)
	}
	x.changed(events.KindInbox)
	return s, nil
}
