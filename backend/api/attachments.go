package api

import (
	"clinicdesk/backend/dto"
	"clinicdesk/backend/events"
	"clinicdesk/backend/platform"
)

// Attachments serves the actions on one message attachment.
type Attachments struct{ *Base }

// SetShared shares the attachment with all staff or makes it private.
func (x *Attachments) SetShared(attachmentID string, shared bool) (dto.Attachment, error) {
	defer x.hold()()
	a, err := x.actor()
	if err != nil {
		return dto.Attachment{}, err
	}
	out, err := x.Desk.Attachments.SetShared(a, attachmentID, shared)
	if err == nil {
		x.changedIn(events.KindAttachments, out.ThreadID)
	}
	return out, err
}

// View opens the attachment in the system's default viewer, from a verified
// read-only copy, and returns the in-app preview URL when there is one.
func (x *Attachments) View(attachmentID string) (dto.ViewResult, error) {
	defer x.hold()()
	a, err := x.actor()
	if err != nil {
		return dto.ViewResult{}, err
	}
	path, err := x.Desk.Attachments.ViewCopy(a, attachmentID)
	if err != nil {
		return dto.ViewResult{}, err
	}
	if err := platform.OpenFile(path); err != nil {
		return dto.ViewResult{Path: path, Preview: PreviewURL("attachment", attachmentID)}, nil
	}
	return dto.ViewResult{Opened: true, Path: path, Preview: PreviewURL("attachment", attachmentID)}, nil
}

// ViewDocument opens a Documents on File entry in the system viewer.
func (x *Attachments) ViewDocument(documentID string) (dto.ViewResult, error) {
	defer x.hold()()
	a, err := x.actor()
	if err != nil {
		return dto.ViewResult{}, err
	}
	path, err := x.Desk.Attachments.ViewDocumentCopy(a, documentID)
	if err != nil {
		return dto.ViewResult{}, err
	}
	opened := platform.OpenFile(path) == nil
	return dto.ViewResult{Opened: opened, Path: path, Preview: PreviewURL("document", documentID)}, nil
}

// Delete removes the attachment for everyone (Records Deletion must be on).
func (x *Attachments) Delete(attachmentID string) error {
	defer x.hold()()
	a, err := x.actor()
	if err != nil {
		return err
	}
	err = x.Desk.Attachments.Delete(a, attachmentID)
	if err == nil {
		x.changed(events.KindAttachments)
	}
	return err
}

// CopyToDocuments copies the attachment into the client's Documents on File.
// clientID may be "" when the thread has one client.
func (x *Attachments) CopyToDocuments(attachmentID, clientID string) (dto.Document, error) {
	defer x.hold()()
	a, err := x.actor()
	if err != nil {
		return dto.Document{}, err
	}
	d, err := x.Desk.Attachments.CopyToDocuments(a, attachmentID, clientID)
	if err == nil {
		x.changed(events.KindDocuments)
	}
	return d, err
}

// RecentlyDeleted lists attachments an owner or manager can still restore.
func (x *Attachments) RecentlyDeleted() ([]dto.DeletedAttachment, error) {
	defer x.hold()()
	a, err := x.actor()
	if err != nil {
		return nil, err
	}
	return x.Desk.Attachments.Deleted(a)
}

// Restore brings back a deleted attachment (owner or manager, within 30 days).
func (x *Attachments) Restore(attachmentID string) error {
	defer x.hold()()
	a, err := x.actor()
	if err != nil {
		return err
	}
	err = x.Desk.Attachments.Restore(a, attachmentID)
	if err == nil {
		x.changed(events.KindAttachments)
	}
	return err
}
