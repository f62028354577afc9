package api

import (
	"slices"
	"testing"
	"time"

	"clinicdesk/backend/clock"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/events"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
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

// tableRows counts the rows of the audit log and the change log.
func tableRows(t *testing.T, b *Base) (audits, changes int64) {
	t.Helper()
	if err := b.Desk.DB.Raw(`SELECT COUNT(*) FROM audit_events`).Scan(&audits).Error; err != nil {
		t.Fatal(err)
	}
	if err := b.Desk.DB.Raw(`SELECT COUNT(*) FROM changes`).Scan(&changes).Error; err != nil {
		t.Fatal(err)
	}
	return audits, changes
}

// An open thread reloads on the changes it shows. Open on a thread the staff
// member has read (and viewed since signing in) writes no audit entry, no
// change and emits no event, so no reload can set off another; a real change
// emits exactly its kind, for its thread.
func TestOpenOfAReadThreadWritesAndEmitsNothingAndChangesEmitTheirKind(t *testing.T) {
	b, fake := signedIn(t, store.RoleClinician)
	clk := b.Desk.Clock.(*clock.Fixed)
	m := &Messages{b}
	unread, err := m.UnreadThreads()
	if err != nil || len(unread) == 0 {
		t.Fatalf("the demo clinician has no unread thread (%v)", err)
	}
	id := unread[0].ThreadID
	want := func(what string, got []events.Change, kinds ...events.Change) {
		t.Helper()
		if !slices.Equal(got, kinds) {
			t.Fatalf("%s emitted %+v, want %+v", what, got, kinds)
		}
	}

	fake.Reset()
	a0, c0 := tableRows(t, b)
	if _, err := m.Open(id); err != nil {
		t.Fatal(err)
	}
	a1, c1 := tableRows(t, b)
	if a1-a0 != 1 || c1-c0 != 1 {
		t.Fatalf("the first open wrote %d audit entries and %d changes, want 1 and 1", a1-a0, c1-c0)
	}
	want("the first open", fake.Changes(), events.Change{What: events.KindThreads, ThreadID: id})

	for i := 0; i < 3; i++ {
		clk.Advance(time.Minute)
		fake.Reset()
		if _, err := m.Open(id); err != nil {
			t.Fatal(err)
		}
		if a, c := tableRows(t, b); a != a1 || c != c1 {
			t.Fatalf("opening the read thread again wrote %d audit entries and %d changes", a-a1, c-c1)
		}
		if len(fake.Events) != 0 {
			t.Fatalf("opening the read thread again emitted %v", fake.Names())
		}
	}

	fake.Reset()
	if _, err := m.Reply(dto.ReplyRequest{ThreadID: id, Body: "Thanks, see you Tuesday."}); err != nil {
		t.Fatal(err)
	}
	want("a reply", fake.Changes(), events.Change{What: events.KindMessages, ThreadID: id})

	// Sharing a file she sent, from a client's Messages tab.
	var clients []store.Client
	if err := b.Desk.DB.Find(&clients).Error; err != nil {
		t.Fatal(err)
	}
	var att *dto.Attachment
	for _, c := range clients {
		tab, err := m.Tab(c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i := range tab.Attachments {
			if tab.Attachments[i].CanToggleShare && att == nil {
				att = &tab.Attachments[i]
			}
		}
	}
	if att == nil {
		t.Fatal("the demo clinician can share no attachment")
	}
	fake.Reset()
	if _, err := (&Attachments{b}).SetShared(att.ID, !att.Shared); err != nil {
		t.Fatal(err)
	}
	want("sharing an attachment", fake.Changes(), events.Change{What: events.KindAttachments, ThreadID: att.ThreadID})

	fake.Reset()
	if _, err := m.Open(id); err != nil {
		t.Fatal(err)
	}
	if len(fake.Events) != 0 {
		t.Fatalf("opening after my own reply emitted %v", fake.Names())
	}
}

// The sync engine (which cannot import package events) says "hub changes
// applied" on the same event name; the UI receives it as a typed sync change.
func TestHubChangesReachTheUIAsASyncChange(t *testing.T) {
	if sync.EventApplied != events.DataChanged {
		t.Fatalf("the engine emits %q, the UI listens to %q", sync.EventApplied, events.DataChanged)
	}
	fake := &events.Fake{}
	lazyEmitter{&Base{Emit: fake}}.Emit(sync.EventApplied, map[string]string{"what": "sync"})
	if got := fake.Changes(); len(got) != 1 || got[0] != (events.Change{What: events.KindSync}) {
		t.Fatalf("got %+v", got)
	}
}
