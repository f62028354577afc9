package attachments_test

import (
	"strings"
	"testing"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/dto"
)

func TestCopyingTheSameAttachmentTwiceToOneClientIsRefused(t *testing.T) {
	c := newClinic(t)
	_, att := c.send(t, "form.pdf.txt", []byte("one form\n"), c.client.ID, c.client2.ID)
	_, err := c.d.Attachments.CopyToDocuments(c.sender, att.ID, c.client.ID)
	must(t, err)
	before := countDocs(t, c.d)
	_, err = c.d.Attachments.CopyToDocuments(c.colleague, att.ID, c.client.ID) // not visible: not found first
	if !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("copy by a colleague who cannot see it: %v", err)
	}
	_, err = c.d.Attachments.CopyToDocuments(c.sender, att.ID, c.client.ID)
	if !apperr.Is(err, apperr.AlreadyInDocuments) || !strings.Contains(apperr.As(err).Message, "already in Documents on File") {
		t.Fatalf("second copy to the same client: %v, want already_in_documents", err)
	}
	if countDocs(t, c.d) != before {
		t.Fatal("a refused second copy wrote a document")
	}
	// In a group thread, the other client's record may still get its copy.
	if _, err := c.d.Attachments.CopyToDocuments(c.sender, att.ID, c.client2.ID); err != nil {
		t.Fatalf("copy to the other client of the group thread: %v", err)
	}
}

func TestDeleteNotOfferedCarriesTheRulesOwnReason(t *testing.T) {
	c := newClinic(t) // Records Deletion on
	_, att := c.send(t, "shared.txt", []byte("shared with all staff\n"))
	_, err := c.d.Attachments.SetShared(c.sender, att.ID, true)
	must(t, err)
	list, err := c.d.Attachments.ForClient(c.frontDesk, c.client.ID) // sees it (shared), not on the thread
	must(t, err)
	if len(list) != 1 || list[0].CanDelete {
		t.Fatalf("front desk list = %+v", list)
	}
	got := list[0]
	if got.DeleteBlocked != string(apperr.Forbidden) || !strings.Contains(got.DeleteBlockedReason, "owner or manager") {
		t.Errorf("delete blocked = %q, reason %q; want forbidden with the rule's words", got.DeleteBlocked, got.DeleteBlockedReason)
	}
	// The reason is exactly what Delete itself answers.
	if err := c.d.Attachments.Delete(c.frontDesk, att.ID); apperr.As(err).Message != got.DeleteBlockedReason {
		t.Errorf("Delete says %q, the list said %q", apperr.As(err).Message, got.DeleteBlockedReason)
	}
}

func TestRecentlyDeletedShowsClientAndThreadOnlyWhereTheViewerMaySee(t *testing.T) {
	c := newClinic(t)
	_, private := c.send(t, "private.txt", []byte("private\n"))
	_, shared := c.send(t, "shared.txt", []byte("shared\n"))
	_, err := c.d.Attachments.SetShared(c.sender, shared.ID, true)
	must(t, err)
	must(t, c.d.Attachments.Delete(c.sender, private.ID))
	must(t, c.d.Attachments.Delete(c.sender, shared.ID))
	list, err := c.d.Attachments.Deleted(c.manager) // not on the thread
	must(t, err)
	byID := map[string]dto.DeletedAttachment{}
	for _, d := range list {
		byID[d.ID] = d
	}
	if d := byID[shared.ID]; d.Clients != "Casey Client" || d.ThreadSubject != "Files" {
		t.Errorf("shared deleted file: clients %q, thread %q", d.Clients, d.ThreadSubject)
	}
	if d := byID[private.ID]; d.Clients != "Casey Client" || d.ThreadSubject != "" {
		t.Errorf("private file of a thread the manager is not on: clients %q, thread %q (want no subject)", d.Clients, d.ThreadSubject)
	}
	// A manager on the thread sees the subject of its private file.
	sf := stage(t, c.d, c.sender, "mine.txt", []byte("mine\n"))
	th, err := c.d.Messages.Compose(c.sender, dto.ComposeRequest{ClientID: c.client.ID, StaffIDs: []string{c.manager.StaffID},
		Subject: "With the manager", Files: []dto.OutgoingFile{{Token: sf.Token, Name: "mine.txt"}}})
	must(t, err)
	mine := th.Messages[0].Attachments[0].ID
	must(t, c.d.Attachments.Delete(c.sender, mine))
	list, err = c.d.Attachments.Deleted(c.manager)
	must(t, err)
	for _, d := range list {
		if d.ID == mine && d.ThreadSubject != "With the manager" {
			t.Errorf("manager on the thread: %+v", d)
		}
	}
}

func TestThreadSaysTheSenderRemovedHerOwnAttachment(t *testing.T) {
	c := newClinic(t)
	th, own := c.send(t, "own.txt", []byte("own\n"))
	must(t, c.d.Attachments.Delete(c.sender, own.ID))
	th2, other := c.send(t, "other.txt", []byte("other\n"))
	_, err := c.d.Attachments.SetShared(c.sender, other.ID, true) // so the owner, not on the thread, may delete it
	must(t, err)
	must(t, c.d.Attachments.Delete(c.owner, other.ID))
	for _, x := range []struct{ thread, want string }{
		{th.ID, "Attachment removed by the sender"},
		{th2.ID, "Attachment removed by the practice"},
	} {
		view, err := c.d.Messages.Open(c.sender, x.thread)
		must(t, err)
		got := view.Messages[0].Attachments
		if len(got) != 1 || !got[0].Removed || got[0].RemovedNote != x.want || got[0].Name != x.want {
			t.Errorf("thread %s shows %+v, want %q", x.thread, got, x.want)
		}
	}
}

// TestStoredNamesWithBidiControlsNeverReachTheScreen: a name stored before
// names were cleaned (or synced from elsewhere) with U+202E shows its real
// extension in every list that shows it.
func TestStoredNamesWithBidiControlsNeverReachTheScreen(t *testing.T) {
	c := newClinic(t)
	th, att := c.send(t, "card.txt", []byte("card\n"))
	const stored, shown = "card\u202Egnp.exe", "cardgnp.exe"
	must(t, c.d.DB.Exec(`UPDATE attachments SET name = ? WHERE id = ?`, stored, att.ID).Error)
	list, err := c.d.Attachments.ForClient(c.sender, c.client.ID)
	must(t, err)
	if len(list) != 1 || list[0].Name != shown {
		t.Errorf("Attachments list name = %q, want %q", list[0].Name, shown)
	}
	view, err := c.d.Messages.Open(c.sender, th.ID)
	must(t, err)
	if n := view.Messages[0].Attachments[0].Name; n != shown {
		t.Errorf("thread view name = %q", n)
	}
	doc, err := c.d.Attachments.CopyToDocuments(c.sender, att.ID, "")
	must(t, err)
	if doc.Name != shown {
		t.Errorf("copied document name = %q", doc.Name)
	}
	docs, err := c.d.Clients.Documents(c.sender, c.client.ID)
	must(t, err)
	if len(docs) != 1 || docs[0].Name != shown {
		t.Errorf("Documents on File = %+v", docs)
	}
	must(t, c.d.Attachments.Delete(c.sender, att.ID))
	del, err := c.d.Attachments.Deleted(c.owner)
	must(t, err)
	if len(del) != 1 || del[0].Name != shown {
		t.Errorf("Recently deleted = %+v", del)
	}
}

// TestOneMessageKeepsTwoNamesForTheSameBytes: the same content attached
// under two names is two attachments sharing one blob.
func TestOneMessageKeepsTwoNamesForTheSameBytes(t *testing.T) {
	c := newClinic(t)
	data := []byte("same bytes\n")
	a, b := stage(t, c.d, c.sender, "front.txt", data), stage(t, c.d, c.sender, "back.txt", data)
	th, err := c.d.Messages.Compose(c.sender, dto.ComposeRequest{ClientID: c.client.ID, Subject: "Card", Body: "both sides",
		Files: []dto.OutgoingFile{{Token: a.Token, Name: "front.txt"}, {Token: b.Token, Name: "back.txt"}}})
	must(t, err)
	got := th.Messages[0].Attachments
	if len(got) != 2 || got[0].Name == got[1].Name {
		t.Fatalf("attachments = %+v, want front.txt and back.txt", got)
	}
	if c.row(t, got[0].ID).BlobSHA256 != c.row(t, got[1].ID).BlobSHA256 {
		t.Error("the two names do not share one blob")
	}
}
