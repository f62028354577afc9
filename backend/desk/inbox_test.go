package desk_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"clinicdesk/backend/files"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

func TestDemoPracticeStoreCheckIsClean(t *testing.T) {
	d, _ := testutil.Desk(t, true)
	r, err := d.Attachments.StoreCheck(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.Blobs == 0 || len(r.Unreferenced) != 0 {
		t.Fatalf("store check on the demo practice: %+v", r)
	}
}

func TestScanInboxFileGoesToDocumentsOnFileAndLeavesTheInbox(t *testing.T) {
	d, _ := testutil.Desk(t, false)
	inboxDir := filepath.Join(t.TempDir(), "Scans")
	owner := testutil.AddStaff(t, d, "Owner", store.RoleOwner)
	client := testutil.AddClient(t, d, "Robin")
	if _, err := d.Settings.SetScanInboxPath(testutil.Actor(owner), inboxDir); err != nil {
		t.Fatal(err)
	}
	changed := make(chan struct{}, 16)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := d.StartInbox(ctx, files.InboxOptions{Settle: 50 * time.Millisecond, Debounce: 20 * time.Millisecond}, func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(inboxDir, "insurance card.txt"), []byte("Member 0001 (demo)\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var pending []files.InboxFile
	deadline := time.After(10 * time.Second)
	for len(pending) == 0 {
		select {
		case <-changed:
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatal("the file never appeared in the inbox")
		}
		pending = d.Inbox().Pending()
	}
	sf, err := d.Attachments.StageFromInbox(ctx, testutil.Actor(owner), d.Inbox(), pending[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := d.Attachments.AddDocument(testutil.Actor(owner), client.ID, sf.Token, sf.Name)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Name != "insurance card.txt" || doc.Size != int64(len("Member 0001 (demo)\n")) {
		t.Fatalf("document: %+v", doc)
	}
	if _, err := os.Stat(filepath.Join(inboxDir, "Imported", "insurance card.txt")); err != nil {
		t.Fatalf("imported file not moved to Imported/: %v", err)
	}
	if _, err := os.Stat(filepath.Join(inboxDir, "insurance card.txt")); !os.IsNotExist(err) {
		t.Fatalf("file still in the inbox: %v", err)
	}
	docs, err := d.Clients.Documents(testutil.Actor(owner), client.ID)
	if err != nil || len(docs) != 1 {
		t.Fatalf("documents: %v %+v", err, docs)
	}
}
