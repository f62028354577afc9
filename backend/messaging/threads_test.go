package messaging_test

import (
	"testing"
	"time"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

func TestThreadsAreListedNewestActivityFirstAndAReplyMovesOneUp(t *testing.T) {
	p := newPractice(t)
	first := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, Subject: "first"})
	second := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, Subject: "second"})
	third := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, Subject: "third"})
	if got := ids(p.tab(t, p.s, p.c.ID)); !sameIDs(got, third.ID, second.ID, first.ID) {
		t.Fatalf("order = %v, want third, second, first", got)
	}
	p.reply(t, p.s, first.ID, "bumping the oldest")
	if got := ids(p.tab(t, p.s, p.c.ID)); !sameIDs(got, first.ID, third.ID, second.ID) {
		t.Fatalf("after a reply order = %v, want first, third, second", got)
	}
	p.clientWrites(t, p.c.ID, second.ID, "client answers")
	mine, err := p.d.Messages.MyThreads(p.s)
	must(t, err)
	if got := ids(mine); !sameIDs(got, second.ID, first.ID, third.ID) {
		t.Fatalf("my threads order = %v, want second, first, third", got)
	}
	var th store.Thread
	must(t, p.d.DB.First(&th, "id = ?", first.ID).Error)
	if !th.LastActivityAt.After(th.CreatedAt) {
		t.Errorf("reply did not move last activity: created %v, last %v", th.CreatedAt, th.LastActivityAt)
	}
}

// TestMessagesTabListsExactlyThreadsWithBothClientAndStaff: the tab of client
// C for staff S holds the threads where both take part; a group thread
// appears under every client in it; a thread of C without S is absent.
func TestMessagesTabListsExactlyThreadsWithBothClientAndStaff(t *testing.T) {
	p := newPractice(t)
	sc := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, Subject: "S and C"})
	group := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, OtherClientIDs: []string{p.c2.ID}, Subject: "S, C and D"})
	oc := p.compose(t, p.o, dto.ComposeRequest{ClientID: p.c.ID, Subject: "O and C, no S"})
	sd := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c2.ID, Subject: "S and D"})

	tabC := p.tab(t, p.s, p.c.ID)
	if got := ids(tabC); !sameIDs(got, group.ID, sc.ID) {
		t.Fatalf("C's tab for S = %v, want [group, S-C]", got)
	}
	if got := ids(p.tab(t, p.s, p.c2.ID)); !sameIDs(got, sd.ID, group.ID) {
		t.Fatalf("D's tab for S = %v, want [S-D, group]", got)
	}
	if got := ids(p.tab(t, p.o, p.c.ID)); !sameIDs(got, oc.ID) {
		t.Fatalf("C's tab for O = %v, want only O's thread", got)
	}
	if got := ids(p.tab(t, p.o, p.c2.ID)); len(got) != 0 {
		t.Fatalf("D's tab for O = %v, want none", got)
	}
	for _, ts := range tabC {
		if ts.IsGroup != (ts.ID == group.ID) {
			t.Errorf("%s: isGroup=%v", ts.Subject, ts.IsGroup)
		}
		if ts.ID == group.ID && len(ts.Participants) != 3 {
			t.Errorf("group participants = %+v", ts.Participants)
		}
	}
	if _, err := p.d.Messages.ThreadsWithClient(access.Actor{}, p.c.ID); !apperr.Is(err, apperr.NotSignedIn) {
		t.Errorf("signed out: %v", err)
	}
}

// TestUnreadCountsOthersMessagesAfterLastReadAndOpenMarksRead: a message is
// unread for S when someone else wrote it after S last read the thread; S's
// own messages never are. Opening marks read for S only.
func TestUnreadCountsOthersMessagesAfterLastReadAndOpenMarksRead(t *testing.T) {
	p := newPractice(t)
	th := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, StaffIDs: []string{p.o.StaffID}, Subject: "group with O"})
	if u := unreadOf(p.tab(t, p.s, p.c.ID), th.ID); u != 0 {
		t.Fatalf("sender's own first message is unread for them: %d", u)
	}
	if u := unreadOf(p.tab(t, p.o, p.c.ID), th.ID); u != 1 {
		t.Fatalf("O has %d unread, want 1 (S's message)", u)
	}
	p.reply(t, p.s, th.ID, "and another from S")
	p.clientWrites(t, p.c.ID, th.ID, "client says hi")
	p.clientWrites(t, p.c.ID, th.ID, "client again")
	if u := unreadOf(p.tab(t, p.s, p.c.ID), th.ID); u != 2 {
		t.Fatalf("S has %d unread, want 2 (the client's)", u)
	}
	if u := unreadOf(p.tab(t, p.o, p.c.ID), th.ID); u != 4 {
		t.Fatalf("O has %d unread, want 4", u)
	}

	if _, err := p.d.Messages.Open(p.o, th.ID); err != nil {
		t.Fatal(err)
	}
	if u := unreadOf(p.tab(t, p.o, p.c.ID), th.ID); u != 0 {
		t.Fatalf("after Open O has %d unread, want 0", u)
	}
	if u := unreadOf(p.tab(t, p.s, p.c.ID), th.ID); u != 2 {
		t.Fatalf("O's Open changed S's unread to %d, want 2", u)
	}
	// O's own reply is never unread for O; it is for S.
	p.reply(t, p.o, th.ID, "O answers")
	if u := unreadOf(p.tab(t, p.o, p.c.ID), th.ID); u != 0 {
		t.Fatalf("O's own reply is unread for O: %d", u)
	}
	if u := unreadOf(p.tab(t, p.s, p.c.ID), th.ID); u != 3 {
		t.Fatalf("S has %d unread, want 3", u)
	}
	home, err := p.d.Messages.UnreadThreads(p.s, 10)
	must(t, err)
	if len(home) != 1 || home[0].ThreadID != th.ID || home[0].Unread != 3 || home[0].ClientID != p.c.ID {
		t.Fatalf("Home unread list = %+v", home)
	}
}

func TestUnreadForClientsSumsEveryThreadWithTheClient(t *testing.T) {
	p := newPractice(t)
	one := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID})
	group := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, OtherClientIDs: []string{p.c2.ID}})
	notMine := p.compose(t, p.o, dto.ComposeRequest{ClientID: p.c.ID})
	p.clientWrites(t, p.c.ID, one.ID, "1")
	p.clientWrites(t, p.c.ID, one.ID, "2")
	p.clientWrites(t, p.c2.ID, group.ID, "3")
	p.clientWrites(t, p.c.ID, notMine.ID, "S does not see this")
	lone := testutil.AddClient(t, p.d, "Lone")

	got, err := p.d.Messages.UnreadForClients(p.d.DB.DB, p.s, []string{p.c.ID, p.c2.ID, lone.ID})
	must(t, err)
	if got[p.c.ID] != 3 || got[p.c2.ID] != 1 || got[lone.ID] != 0 {
		t.Fatalf("unread per client = %v, want C=3 (2 + the group's 1), D=1, lone=0", got)
	}
	// The clients list and the profile show the same numbers.
	prof, err := p.d.Clients.Profile(p.s, p.c.ID)
	must(t, err)
	if prof.Unread != 3 {
		t.Errorf("profile unread = %d, want 3", prof.Unread)
	}
	if _, err := p.d.Messages.Open(p.s, group.ID); err != nil {
		t.Fatal(err)
	}
	got, err = p.d.Messages.UnreadForClients(p.d.DB.DB, p.s, []string{p.c.ID, p.c2.ID})
	must(t, err)
	if got[p.c.ID] != 2 || got[p.c2.ID] != 0 {
		t.Fatalf("after opening the group: %v, want C=2, D=0", got)
	}
}

func TestOpenByNonParticipantIsRefusedAndWritesNothing(t *testing.T) {
	p := newPractice(t)
	th := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID})
	before := rowCounts(t, p.d)
	for _, id := range []string{th.ID, "no-such-thread"} {
		if _, err := p.d.Messages.Open(p.o, id); !apperr.Is(err, apperr.NotParticipant) {
			t.Errorf("Open(%s) by a non-participant: %v, want not_participant", id, err)
		}
	}
	if _, err := p.d.Messages.Open(access.Actor{}, th.ID); !apperr.Is(err, apperr.NotSignedIn) {
		t.Errorf("Open while signed out: %v", err)
	}
	assertUnchanged(t, before, rowCounts(t, p.d))
}

func TestOpenShowsEveryMessageInOrderAndWritesOneAuditEntry(t *testing.T) {
	p := newPractice(t)
	th := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, Body: "one"})
	p.clientWrites(t, p.c.ID, th.ID, "two")
	p.reply(t, p.s, th.ID, "three")
	var auditBefore int64
	p.d.DB.Model(&store.AuditEvent{}).Where("action = ?", "open_thread").Count(&auditBefore)
	got, err := p.d.Messages.Open(p.s, th.ID)
	must(t, err)
	if len(got.Messages) != 3 || got.Messages[0].Body != "one" || got.Messages[1].Body != "two" || got.Messages[2].Body != "three" {
		t.Fatalf("messages = %+v", got.Messages)
	}
	if !got.Messages[0].Mine || got.Messages[1].Mine || got.Messages[1].Author.Name != p.c.FullName() {
		t.Errorf("authors: %+v", got.Messages)
	}
	var auditAfter int64
	p.d.DB.Model(&store.AuditEvent{}).Where("action = ?", "open_thread").Count(&auditAfter)
	if auditAfter != auditBefore+1 {
		t.Errorf("open wrote %d audit entries, want 1", auditAfter-auditBefore)
	}
}

// Pages of the Messages tab's threads put back together are the whole list,
// newest activity first, and each page knows the total.
func TestThreadsWithClientPagesAreTheWholeListInOrder(t *testing.T) {
	p := newPractice(t)
	for _, s := range []string{"a", "b", "c", "d", "e"} {
		p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, Subject: s})
	}
	all := ids(p.tab(t, p.s, p.c.ID))
	var joined []string
	for offset := 0; offset < 6; offset += 2 {
		page, total, err := p.d.Messages.ThreadsWithClientPage(p.s, p.c.ID, offset, 2)
		must(t, err)
		if total != 5 {
			t.Fatalf("offset %d: total %d", offset, total)
		}
		joined = append(joined, ids(page)...)
	}
	if !sameIDs(joined, all...) {
		t.Fatalf("pages %v, list %v", joined, all)
	}
	rest, total, err := p.d.Messages.ThreadsWithClientPage(p.s, p.c.ID, 3, 0)
	must(t, err)
	if total != 5 || !sameIDs(ids(rest), all[3:]...) {
		t.Fatalf("the rest from 3: %v of %d", ids(rest), total)
	}
	if past, _, err := p.d.Messages.ThreadsWithClientPage(p.s, p.c.ID, 9, 2); err != nil || len(past) != 0 {
		t.Fatalf("past the end: %v %v", ids(past), err)
	}
	if _, _, err := p.d.Messages.ThreadsWithClientPage(access.Actor{}, p.c.ID, 0, 2); !apperr.Is(err, apperr.NotSignedIn) {
		t.Fatalf("signed out: %v", err)
	}
}

// A screen showing an open thread reloads it whenever its data changes:
// opening a thread that is read, and already viewed in this sign-in, must
// write nothing at all (no participant change for sync, no audit entry).
// Something new to read is marked read and viewed once; a new sign-in views
// it once again.
func TestOpeningAReadThreadAgainWritesNothing(t *testing.T) {
	p := newPractice(t)
	th := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, Body: "one"})
	p.clientWrites(t, p.c.ID, th.ID, "two")
	_, err := p.d.Auth.SignIn(p.s.StaffID, testutil.PIN)
	must(t, err)

	open := func(wantRead, wantAudit bool) {
		t.Helper()
		before := rowCounts(t, p.d)
		got, did, err := p.d.Messages.OpenThread(p.s, th.ID)
		must(t, err)
		if len(got.Messages) == 0 {
			t.Fatal("the thread came back empty")
		}
		if did.MarkedRead != wantRead || did.Audited != wantAudit {
			t.Fatalf("open: marked read %v, audited %v; want %v, %v", did.MarkedRead, did.Audited, wantRead, wantAudit)
		}
		after := rowCounts(t, p.d)
		var audits, changes int64
		if wantAudit {
			audits = 1
		}
		if wantRead {
			changes = 1
		}
		if after["audit_events"]-before["audit_events"] != audits || after["changes"]-before["changes"] != changes {
			t.Fatalf("open wrote %d audit entries and %d changes, want %d and %d", after["audit_events"]-before["audit_events"],
				after["changes"]-before["changes"], audits, changes)
		}
		p.clk.Advance(time.Minute)
	}
	open(true, true)   // the client's message is new: read, and viewed
	open(false, false) // nothing new, viewed already: nothing written
	open(false, false)
	if unreadOf(p.tab(t, p.s, p.c.ID), th.ID) != 0 {
		t.Fatal("the thread is still unread")
	}

	p.clientWrites(t, p.c.ID, th.ID, "three")
	open(true, true) // a new message shown is read and viewed
	open(false, false)

	_, err = p.d.Auth.SignIn(p.s.StaffID, testutil.PIN) // signing in again (an unlock, a new day)
	must(t, err)
	open(false, true) // a view in the new sign-in, nothing to mark read
	open(false, false)

	p.reply(t, p.s, th.ID, "my own answer")
	open(false, false) // my own message is not news to me
}
