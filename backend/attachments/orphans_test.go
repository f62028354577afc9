package attachments_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"clinicdesk/backend/attachments"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

// Unreferenced bytes (a staged file never sent, a leftover of a crash) are
// removed once OrphanGrace has passed, and the store check reports them
// only then; bytes a row names (a sent attachment, a deleted one still
// restorable, a document, a blob row waiting for its attachment) are never
// touched. The desk's clock starts at the real time because the store
// judges age by the files' modification times; it then moves on its own.
func TestSweepRemovesOnlyUnreferencedBytesAfterTheGrace(t *testing.T) {
	clk := clock.NewFixed(time.Now())
	d, err := desk.Open(context.Background(), t.TempDir(), desk.Options{Clock: clk})
	must(t, err)
	defer d.Close()
	owner := testutil.AddStaff(t, d, "Owen", store.RoleOwner)
	client := testutil.AddClient(t, d, "Casey")
	a, err := d.Auth.SignIn(owner.ID, testutil.PIN)
	must(t, err)
	_, err = d.Settings.SetRecordsDeletion(a, true)
	must(t, err)
	ctx := context.Background()

	send := func(name string) (string, string) {
		sf := stage(t, d, a, name, []byte("sent: "+name+"\n"))
		th, err := d.Messages.Compose(a, dto.ComposeRequest{ClientID: client.ID, Subject: name, Files: []dto.OutgoingFile{{Token: sf.Token, Name: sf.Name}}})
		must(t, err)
		att := th.Messages[0].Attachments[0]
		var row store.Attachment
		must(t, d.DB.First(&row, "id = ?", att.ID).Error)
		return att.ID, row.BlobSHA256
	}
	_, sent := send("sent.txt")
	deletedID, deleted := send("deleted.txt")
	must(t, d.Attachments.Delete(a, deletedID))
	docFile := stage(t, d, a, "doc.txt", []byte("filed\n"))
	doc, err := d.Attachments.AddDocument(a, client.ID, docFile.Token, docFile.Name)
	must(t, err)
	var docRow store.Document
	must(t, d.DB.First(&docRow, "id = ?", doc.ID).Error)
	pulled := storeBlob(t, d, "pulled.txt", []byte("row from the hub, attachment on its way\n")).SHA256
	stage(t, d, a, "unsent.txt", []byte("staged, never sent\n"))
	crashed, err := d.Blobs.Put(ctx, bytes.NewReader([]byte("stored, then the app died\n")), "crash.txt", 0, nil)
	must(t, err)
	unsentSHA := shaHexOf([]byte("staged, never sent\n"))

	// Young bytes are no orphans: nothing is removed, nothing reported.
	removed, err := d.Attachments.SweepOrphans(ctx)
	must(t, err)
	if len(removed) != 0 {
		t.Fatalf("young bytes removed: %v", removed)
	}
	rep, err := d.Attachments.StoreCheck(ctx)
	must(t, err)
	want := []string{crashed.SHA256, unsentSHA}
	slices.Sort(want)
	if !rep.OK() || !slices.Equal(rep.Pending, want) {
		t.Fatalf("store check right after staging: %+v, want pending %v", rep, want)
	}

	// The files were written a moment after the clock was read: a minute
	// more than the grace makes every one of them older than it.
	clk.Advance(attachments.OrphanGrace + time.Minute)
	rep, err = d.Attachments.StoreCheck(ctx)
	must(t, err)
	if !slices.Equal(rep.Unreferenced, want) || len(rep.Pending) != 0 {
		t.Fatalf("orphans reported %v, want the unsent and the crashed file %v", rep.Unreferenced, want)
	}
	removed, err = d.Attachments.SweepOrphans(ctx)
	must(t, err)
	for _, sha := range want {
		if d.Blobs.Has(sha) {
			t.Errorf("orphan %s survived the sweep (removed %v)", sha, removed)
		}
	}
	for name, sha := range map[string]string{"sent": sent, "deleted, restorable": deleted, "document": docRow.BlobSHA256, "pulled": pulled} {
		if !d.Blobs.Has(sha) {
			t.Errorf("the %s file's bytes were removed", name)
		}
	}
	rep, err = d.Attachments.StoreCheck(ctx)
	must(t, err)
	if !rep.OK() || len(rep.Pending) != 0 {
		t.Fatalf("store check after the sweep: %+v", rep)
	}
	must(t, d.Attachments.Restore(a, deletedID))
}

// A live staged file holds its bytes past the grace of their first write
// when the same content is staged again later: the sweep asks at removal
// time, and a Put of the same bytes refreshes them.
func TestSweepKeepsBytesStagedAgain(t *testing.T) {
	clk := clock.NewFixed(time.Now())
	d, err := desk.Open(context.Background(), t.TempDir(), desk.Options{Clock: clk})
	must(t, err)
	defer d.Close()
	owner := testutil.AddStaff(t, d, "Owen", store.RoleOwner)
	client := testutil.AddClient(t, d, "Casey")
	a, err := d.Auth.SignIn(owner.ID, testutil.PIN)
	must(t, err)
	data := []byte("the same letter twice\n")
	stage(t, d, a, "first.txt", data)
	clk.Advance(attachments.OrphanGrace + time.Minute)
	again := stage(t, d, a, "again.txt", data)
	if _, err := d.Attachments.SweepOrphans(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Messages.Compose(a, dto.ComposeRequest{ClientID: client.ID, Subject: "x", Files: []dto.OutgoingFile{{Token: again.Token, Name: again.Name}}}); err != nil {
		t.Fatalf("the file staged again lost its bytes: %v", err)
	}
}

func shaHexOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
