package api

import (
	"testing"

	"clinicdesk/backend/dto"
	"clinicdesk/backend/store"
)

// The Messages tab's first answer and TabRest together are the client's
// whole thread and attachment lists, in order, and the totals say how long
// they are.
func TestTabAndTabRestMakeTheWholeLists(t *testing.T) {
	b, _ := signedIn(t, store.RoleClinician)
	m := &Messages{b}
	var clients []store.Client
	if err := b.Desk.DB.Find(&clients).Error; err != nil {
		t.Fatal(err)
	}
	me := b.Desk.Session.Actor()
	seenThreads, seenAtts := 0, 0
	for _, c := range clients {
		first, err := m.Tab(c.ID)
		if err != nil {
			t.Fatal(err)
		}
		threads, err := b.Desk.Messages.ThreadsWithClient(me, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		atts, err := b.Desk.Attachments.ForClient(me, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		rest, err := m.TabRest(c.ID, len(first.Threads), len(first.Attachments))
		if err != nil {
			t.Fatal(err)
		}
		if len(first.Threads) > dto.TabFirstThreads || len(first.Attachments) > dto.TabFirstAttachments ||
			first.ThreadsTotal != len(threads) || first.AttachmentsTotal != len(atts) ||
			rest.ThreadsTotal != len(threads) || rest.AttachmentsTotal != len(atts) {
			t.Fatalf("%s: first %d+%d, totals %d+%d, whole %d+%d", c.FirstName, len(first.Threads), len(first.Attachments),
				first.ThreadsTotal, first.AttachmentsTotal, len(threads), len(atts))
		}
		gotT := append(first.Threads, rest.Threads...)
		gotA := append(first.Attachments, rest.Attachments...)
		if len(gotT) != len(threads) || len(gotA) != len(atts) {
			t.Fatalf("%s: put together %d threads, %d attachments; whole %d, %d", c.FirstName, len(gotT), len(gotA), len(threads), len(atts))
		}
		for i := range threads {
			if gotT[i].ID != threads[i].ID {
				t.Fatalf("%s: thread %d differs", c.FirstName, i)
			}
		}
		for i := range atts {
			if gotA[i].ID != atts[i].ID {
				t.Fatalf("%s: attachment %d differs", c.FirstName, i)
			}
		}
		seenThreads += len(threads)
		seenAtts += len(atts)
	}
	if seenThreads == 0 || seenAtts == 0 {
		t.Fatalf("the demo clinician sees %d threads and %d attachments", seenThreads, seenAtts)
	}
	if err := (&Session{b}).SignOut(); err != nil {
		t.Fatal(err)
	}
	if _, err := m.TabRest(clients[0].ID, 0, 0); err == nil {
		t.Fatal("TabRest answered while signed out")
	}
}
