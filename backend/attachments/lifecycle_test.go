package attachments_test

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/attachments"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

// clinic is a desk with an owner, a manager, two clinicians and a front desk,
// two clients, and Records Deletion on.
type clinic struct {
	d                      *desk.Desk
	clk                    *clock.Fixed
	owner, manager, sender access.Actor
	colleague, frontDesk   access.Actor
	client, client2        store.Client
}

func newClinic(t *testing.T) clinic {
	d, clk := testutil.Desk(t, false)
	c := clinic{d: d, clk: clk,
		owner:     testutil.Actor(testutil.AddStaff(t, d, "Owen", store.RoleOwner)),
		manager:   testutil.Actor(testutil.AddStaff(t, d, "Mia", store.RoleManager)),
		sender:    testutil.Actor(testutil.AddStaff(t, d, "Sana", store.RoleClinician)),
		colleague: testutil.Actor(testutil.AddStaff(t, d, "Cole", store.RoleClinician)),
		frontDesk: testutil.Actor(testutil.AddStaff(t, d, "Fran", store.RoleFrontDesk)),
		client:    testutil.AddClient(t, d, "Casey"),
		client2:   testutil.AddClient(t, d, "Drew"),
	}
	if _, err := d.Settings.SetRecordsDeletion(c.owner, true); err != nil {
		t.Fatal(err)
	}
	return c
}

// send composes a thread from the sending clinician to the clients with one
// file and returns the thread and the attachment.
func (c clinic) send(t *testing.T, name string, data []byte, clients ...string) (dto.Thread, dto.Attachment) {
	t.Helper()
	sf := stage(t, c.d, c.sender, name, data)
	if len(clients) == 0 {
		clients = []string{c.client.ID}
	}
	th, err := c.d.Messages.Compose(c.sender, dto.ComposeRequest{ClientID: clients[0], OtherClientIDs: clients[1:], Subject: "Files",
		Body: "see attached", Files: []dto.OutgoingFile{{Token: sf.Token, Name: name}}})
	must(t, err)
	c.clk.Advance(time.Minute)
	return th, th.Messages[0].Attachments[0]
}

func (c clinic) row(t *testing.T, id string) store.Attachment {
	t.Helper()
	var a store.Attachment
	must(t, c.d.DB.First(&a, "id = ?", id).Error)
	return a
}

func listed(t *testing.T, d *desk.Desk, a access.Actor, clientID, id string) bool {
	t.Helper()
	list, err := d.Attachments.ForClient(a, clientID)
	must(t, err)
	for _, x := range list {
		if x.ID == id {
			return true
		}
	}
	return false
}

func readDocument(t *testing.T, d *desk.Desk, a access.Actor, id string) []byte {
	t.Helper()
	rc, _, err := d.Attachments.OpenDocument(a, id, "view")
	must(t, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	must(t, err)
	return b
}

func TestDocumentCopySurvivesDeletingAndPurgingTheAttachment(t *testing.T) {
	c := newClinic(t)
	data := []byte("worksheet for the formal record\n")
	_, att := c.send(t, "worksheet.txt", data)
	doc, err := c.d.Attachments.CopyToDocuments(c.sender, att.ID, "")
	must(t, err)
	must(t, c.d.Attachments.Delete(c.sender, att.ID))

	docs, err := c.d.Clients.Documents(c.frontDesk, c.client.ID)
	must(t, err)
	if len(docs) != 1 || docs[0].ID != doc.ID || !docs[0].FromAttachment {
		t.Fatalf("documents after deleting the attachment: %+v", docs)
	}
	if got := readDocument(t, c.d, c.frontDesk, doc.ID); string(got) != string(data) {
		t.Fatalf("document bytes = %q", got)
	}

	c.clk.Advance(attachments.RestoreWindow + time.Hour)
	n, err := c.d.Attachments.Purge()
	must(t, err)
	if n != 1 {
		t.Fatalf("purged %d, want 1", n)
	}
	sha := c.row(t, att.ID).BlobSHA256
	if c.row(t, att.ID).PurgedAt == nil {
		t.Error("attachment not marked purged")
	}
	if !c.d.Blobs.Has(sha) {
		t.Fatal("purge removed bytes a Documents on File copy still uses")
	}
	if got := readDocument(t, c.d, c.owner, doc.ID); string(got) != string(data) {
		t.Fatalf("document bytes after purge = %q", got)
	}
}

func TestDeletedAttachmentCanBeRestoredWithin30DaysByOwnerOrManagerOnly(t *testing.T) {
	c := newClinic(t)
	_, att := c.send(t, "note.txt", []byte("restore me\n"))
	must(t, c.d.Attachments.Delete(c.sender, att.ID))
	c.clk.Advance(attachments.RestoreWindow - time.Minute)

	for _, a := range []access.Actor{c.sender, c.colleague, c.frontDesk} {
		if err := c.d.Attachments.Restore(a, att.ID); !apperr.Is(err, apperr.OwnerOrManagerOnly) {
			t.Errorf("restore by %s: %v, want owner_or_manager_only", a.Role, err)
		}
		if _, err := c.d.Attachments.Deleted(a); !apperr.Is(err, apperr.OwnerOrManagerOnly) {
			t.Errorf("recently deleted list for %s: %v", a.Role, err)
		}
	}
	if c.row(t, att.ID).DeletedAt == nil {
		t.Fatal("a refused restore brought the attachment back")
	}
	del, err := c.d.Attachments.Deleted(c.owner)
	must(t, err)
	if len(del) != 1 || del[0].ID != att.ID || del[0].DeletedBy != c.sender.Name {
		t.Fatalf("recently deleted = %+v", del)
	}

	must(t, c.d.Attachments.Restore(c.owner, att.ID))
	if !listed(t, c.d, c.sender, c.client.ID, att.ID) {
		t.Fatal("restored attachment is not listed again")
	}
	r := c.row(t, att.ID)
	if r.DeletedAt != nil || r.DeletedByStaffID != nil {
		t.Errorf("restored row still marked deleted: %+v", r)
	}
	if err := c.d.Attachments.Restore(c.owner, att.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("restoring a live attachment: %v, want not_found", err)
	}
	// A manager may restore too.
	must(t, c.d.Attachments.Delete(c.sender, att.ID))
	must(t, c.d.Attachments.Restore(c.manager, att.ID))
}

func TestRestoreAfter30DaysIsRefused(t *testing.T) {
	c := newClinic(t)
	_, att := c.send(t, "late.txt", []byte("too late\n"))
	must(t, c.d.Attachments.Delete(c.sender, att.ID))
	// At exactly 30 days the attachment is due for purge, so it is no
	// longer restorable either (and no longer in Recently deleted).
	c.clk.Advance(attachments.RestoreWindow)
	if err := c.d.Attachments.Restore(c.owner, att.ID); !apperr.Is(err, apperr.RestoreWindowExpired) {
		t.Fatalf("restore at 30 days: %v, want restore_window_expired", err)
	}
	if del, _ := c.d.Attachments.Deleted(c.owner); len(del) != 0 {
		t.Errorf("recently deleted after 30 days: %+v", del)
	}
	c.clk.Advance(time.Hour)
	if _, err := c.d.Attachments.Purge(); err != nil {
		t.Fatal(err)
	}
	if err := c.d.Attachments.Restore(c.manager, att.ID); !apperr.Is(err, apperr.RestoreWindowExpired) {
		t.Fatalf("restore after purge: %v, want restore_window_expired", err)
	}
	if c.row(t, att.ID).DeletedAt == nil {
		t.Fatal("refused restore changed the row")
	}
}

func TestPurgeRemovesBytesOnlyWhenNothingElseUsesThem(t *testing.T) {
	c := newClinic(t)
	shared := []byte("same content in two messages\n")
	_, lone := c.send(t, "lone.txt", []byte("used once\n"))
	_, first := c.send(t, "first.txt", shared)
	_, second := c.send(t, "second.txt", shared)
	loneSHA, sharedSHA := c.row(t, lone.ID).BlobSHA256, c.row(t, first.ID).BlobSHA256
	if c.row(t, second.ID).BlobSHA256 != sharedSHA {
		t.Fatal("same content was stored twice")
	}
	must(t, c.d.Attachments.Delete(c.sender, lone.ID))
	must(t, c.d.Attachments.Delete(c.sender, first.ID))

	// Not yet due: nothing happens.
	c.clk.Advance(attachments.RestoreWindow - time.Hour)
	if n, err := c.d.Attachments.Purge(); err != nil || n != 0 {
		t.Fatalf("purge before 30 days: n=%d err=%v", n, err)
	}
	c.clk.Advance(2 * time.Hour)
	n, err := c.d.Attachments.Purge()
	if err != nil {
		t.Fatalf("purge: %v", err)
	}
	if n != 2 {
		t.Fatalf("purged %d, want 2", n)
	}
	if c.d.Blobs.Has(loneSHA) {
		t.Error("bytes nothing uses were kept")
	}
	if rep, err := c.d.Attachments.StoreCheck(context.Background()); err != nil || !rep.OK() {
		t.Errorf("store check after purge: %+v, %v", rep, err)
	}
	if !c.d.Blobs.Has(sharedSHA) {
		t.Fatal("purge removed bytes another attachment still uses")
	}
	if !listed(t, c.d, c.sender, c.client.ID, second.ID) {
		t.Fatal("the other attachment of the same content is gone")
	}
	rc, _, err := c.d.Attachments.Open(c.sender, second.ID, "preview")
	must(t, err)
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(b) != string(shared) {
		t.Fatalf("other attachment bytes: %q, %v", b, err)
	}
	// A second purge has nothing left to do.
	if n, err := c.d.Attachments.Purge(); err != nil || n != 0 {
		t.Fatalf("second purge: n=%d err=%v", n, err)
	}
	// Once the last user is deleted and purged, the bytes go.
	must(t, c.d.Attachments.Delete(c.sender, second.ID))
	c.clk.Advance(attachments.RestoreWindow + time.Hour)
	if _, err := c.d.Attachments.Purge(); err != nil {
		t.Fatal(err)
	}
	if c.d.Blobs.Has(sharedSHA) {
		t.Error("bytes kept after their last attachment was purged")
	}
	// The same content can be sent again after its bytes were purged.
	_, again := c.send(t, "again.txt", shared)
	if c.row(t, again.ID).BlobSHA256 != sharedSHA || !c.d.Blobs.Has(sharedSHA) {
		t.Fatal("content purged earlier could not be sent again")
	}
}

func TestDeletedAttachmentVanishesForEveryoneAndShowsRemovedInTheThread(t *testing.T) {
	c := newClinic(t)
	th, att := c.send(t, "gone.txt", []byte("soon removed\n"))
	_, err := c.d.Attachments.SetShared(c.sender, att.ID, true)
	must(t, err)
	everyone := []access.Actor{c.owner, c.manager, c.sender, c.colleague, c.frontDesk}
	for _, a := range everyone {
		if !listed(t, c.d, a, c.client.ID, att.ID) {
			t.Fatalf("shared attachment not listed for %s before delete", a.Role)
		}
	}
	must(t, c.d.Attachments.Delete(c.sender, att.ID))
	for _, a := range everyone {
		if listed(t, c.d, a, c.client.ID, att.ID) {
			t.Errorf("deleted attachment still listed for %s", a.Role)
		}
		if _, err := c.d.Attachments.ViewCopy(a, att.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("view of a deleted attachment by %s: %v", a.Role, err)
		}
	}
	view, err := c.d.Messages.Open(c.sender, th.ID)
	must(t, err)
	got := view.Messages[0].Attachments
	if len(got) != 1 || !got[0].Removed || got[0].ID != att.ID {
		t.Fatalf("thread view attachments = %+v", got)
	}
	if got[0].Name == "gone.txt" || got[0].Size != 0 || got[0].CanCopy || got[0].CanDelete {
		t.Errorf("removed placeholder leaks the file or offers actions: %+v", got[0])
	}
	if err := c.d.Attachments.Delete(c.owner, att.ID); err == nil {
		t.Error("an attachment was deleted twice")
	}
}

func TestDeleteAuditEntryHoldsNameSizeAndSHA256(t *testing.T) {
	c := newClinic(t)
	data := []byte("audited bytes\n")
	th, att := c.send(t, "audited.txt", data)
	must(t, c.d.Attachments.Delete(c.sender, att.ID))
	var ev store.AuditEvent
	must(t, c.d.DB.Where("action = ? AND attachment_id = ?", "delete", att.ID).First(&ev).Error)
	var detail struct {
		Name   string `json:"name"`
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
	}
	must(t, json.Unmarshal([]byte(ev.Detail), &detail))
	if detail.Name != "audited.txt" || detail.Size != int64(len(data)) || detail.SHA256 != c.row(t, att.ID).BlobSHA256 {
		t.Errorf("audit detail = %+v", detail)
	}
	if ev.StaffID != c.sender.StaffID || ev.ClientID != c.client.ID || ev.ThreadID != th.ID || !ev.At.Equal(c.clk.Now()) {
		t.Errorf("audit who/what/when = %+v", ev)
	}
}

func TestCopyToDocumentsInAGroupThreadNeedsAClientOfTheThread(t *testing.T) {
	c := newClinic(t)
	outsider := testutil.AddClient(t, c.d, "Outsider")
	_, att := c.send(t, "group.txt", []byte("for both\n"), c.client.ID, c.client2.ID)
	before := countDocs(t, c.d)
	if _, err := c.d.Attachments.CopyToDocuments(c.sender, att.ID, ""); !apperr.Is(err, apperr.InvalidInput) {
		t.Fatalf("copy without a client in a group thread: %v, want invalid_input", err)
	}
	if _, err := c.d.Attachments.CopyToDocuments(c.sender, att.ID, outsider.ID); !apperr.Is(err, apperr.InvalidInput) {
		t.Fatalf("copy to a client not in the thread: %v, want invalid_input", err)
	}
	if countDocs(t, c.d) != before {
		t.Fatal("a refused copy wrote a document")
	}
	doc, err := c.d.Attachments.CopyToDocuments(c.sender, att.ID, c.client2.ID)
	must(t, err)
	docs, err := c.d.Clients.Documents(c.sender, c.client2.ID)
	must(t, err)
	if len(docs) != 1 || docs[0].ID != doc.ID {
		t.Fatalf("client2 documents = %+v", docs)
	}
	if docs, _ := c.d.Clients.Documents(c.sender, c.client.ID); len(docs) != 0 {
		t.Fatalf("the other client got a copy too: %+v", docs)
	}
}

func countDocs(t *testing.T, d *desk.Desk) int64 {
	var n int64
	must(t, d.DB.Model(&store.Document{}).Count(&n).Error)
	return n
}

func TestShareToggleRecordsWhoAndWhenAndClearsThemWhenPrivate(t *testing.T) {
	c := newClinic(t)
	_, att := c.send(t, "share.txt", []byte("share me\n"))
	sharedAt := c.clk.Now()
	got, err := c.d.Attachments.SetShared(c.sender, att.ID, true)
	must(t, err)
	r := c.row(t, att.ID)
	if !r.SharedWithStaff || r.SharedByStaffID == nil || *r.SharedByStaffID != c.sender.StaffID || r.SharedAt == nil || !r.SharedAt.Equal(sharedAt) {
		t.Fatalf("shared row = %+v", r)
	}
	if !got.Shared || got.SharedBy != c.sender.Name || got.SharedAt != clock.RFC3339(sharedAt) {
		t.Errorf("shared DTO = %+v", got)
	}
	if !listed(t, c.d, c.frontDesk, c.client.ID, att.ID) {
		t.Error("shared attachment not visible to a non-participant")
	}
	c.clk.Advance(time.Hour)
	got, err = c.d.Attachments.SetShared(c.sender, att.ID, false)
	must(t, err)
	r = c.row(t, att.ID)
	if r.SharedWithStaff || r.SharedByStaffID != nil || r.SharedAt != nil {
		t.Fatalf("private row still carries sharing: %+v", r)
	}
	if got.Shared || got.SharedBy != "" || got.SharedAt != "" {
		t.Errorf("private DTO = %+v", got)
	}
	var actions []string
	c.d.DB.Model(&store.AuditEvent{}).Where("attachment_id = ?", att.ID).Order("seq").Pluck("action", &actions)
	if len(actions) != 2 || actions[0] != "share" || actions[1] != "unshare" {
		t.Errorf("audit actions = %v", actions)
	}
}

func TestViewCopyIsReadOnly(t *testing.T) {
	c := newClinic(t)
	data := []byte("look but don't touch\n")
	_, att := c.send(t, "readonly.txt", data)
	path, err := c.d.Attachments.ViewCopy(c.sender, att.ID)
	must(t, err)
	fi, err := os.Stat(path)
	must(t, err)
	// Read-only for everyone; on Unix readable by this user only (Windows has
	// only the read-only attribute, which Go shows as 0444).
	want := os.FileMode(0o400)
	if runtime.GOOS == "windows" {
		want = 0o444
	}
	if fi.Mode().Perm() != want {
		t.Errorf("view copy mode = %v, want %v", fi.Mode().Perm(), want)
	}
	if filepath.Base(path) != "readonly.txt" {
		t.Errorf("view copy name = %s", filepath.Base(path))
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != string(data) {
		t.Fatalf("view copy content %q, %v", b, err)
	}
	// Viewing again replaces the read-only copy instead of failing.
	if _, err := c.d.Attachments.ViewCopy(c.sender, att.ID); err != nil {
		t.Fatalf("second view: %v", err)
	}
}

func TestCorruptBlobMakesViewCopyFailAndLeavesNoCopy(t *testing.T) {
	c := newClinic(t)
	_, att := c.send(t, "corrupt.txt", []byte("these bytes will rot on disk\n"))
	p := c.d.Blobs.Path(c.row(t, att.ID).BlobSHA256)
	must(t, os.Chmod(p, 0o600))
	b, err := os.ReadFile(p)
	must(t, err)
	b[3] ^= 0xff
	must(t, os.WriteFile(p, b, 0o600))

	if _, err := c.d.Attachments.ViewCopy(c.sender, att.ID); !apperr.Is(err, apperr.FileCorrupt) {
		t.Fatalf("view of a corrupt blob: %v, want file_corrupt", err)
	}
	var left []string
	filepath.WalkDir(c.d.Attachments.ViewDir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	if len(left) != 0 {
		t.Fatalf("a corrupt view left files behind: %v", left)
	}
}
