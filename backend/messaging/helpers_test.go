package messaging_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"clinicdesk/backend/access"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// practice is a desk with two staff members (S signs in, O is a colleague)
// and two clients.
type practice struct {
	d     *desk.Desk
	clk   *clock.Fixed
	s, o  access.Actor
	c, c2 store.Client
}

func newPractice(t *testing.T) practice {
	d, clk := testutil.Desk(t, false)
	s := testutil.AddStaff(t, d, "Sam", store.RoleClinician)
	o := testutil.AddStaff(t, d, "Olga", store.RoleFrontDesk)
	return practice{d: d, clk: clk, s: testutil.Actor(s), o: testutil.Actor(o),
		c: testutil.AddClient(t, d, "Casey"), c2: testutil.AddClient(t, d, "Drew")}
}

// compose starts a thread as a, then moves the clock on so the next action
// is strictly later.
func (p practice) compose(t *testing.T, a access.Actor, req dto.ComposeRequest) dto.Thread {
	t.Helper()
	if req.Subject == "" {
		req.Subject = "Subject"
	}
	if req.Body == "" && len(req.Files) == 0 {
		req.Body = "Hello"
	}
	th, err := p.d.Messages.Compose(a, req)
	if err != nil {
		t.Fatalf("compose: %v", err)
	}
	p.clk.Advance(time.Minute)
	return th
}

func (p practice) reply(t *testing.T, a access.Actor, threadID, body string) {
	t.Helper()
	if _, err := p.d.Messages.Reply(a, dto.ReplyRequest{ThreadID: threadID, Body: body}); err != nil {
		t.Fatalf("reply: %v", err)
	}
	p.clk.Advance(time.Minute)
}

// clientWrites appends a message from a client, as the portal would through sync.
func (p practice) clientWrites(t *testing.T, clientID, threadID, body string) {
	t.Helper()
	must(t, p.d.DB.Create(&store.Message{ID: clock.NewID(), ThreadID: threadID, AuthorKind: store.KindClient, AuthorID: clientID,
		Body: body, CreatedAt: p.clk.Now()}).Error)
	must(t, p.d.DB.Model(&store.Thread{}).Where("id = ?", threadID).Update("last_activity_at", p.clk.Now()).Error)
	p.clk.Advance(time.Minute)
}

// stage stores data as a staged file of a, the way the UI does before sending.
func (p practice) stage(t *testing.T, a access.Actor, name string, data []byte) dto.StagedFile {
	t.Helper()
	sf, err := p.d.Attachments.StageReader(context.Background(), a, bytes.NewReader(data), name, nil)
	must(t, err)
	return sf
}

func (p practice) tab(t *testing.T, a access.Actor, clientID string) []dto.ThreadSummary {
	t.Helper()
	ts, err := p.d.Messages.ThreadsWithClient(a, clientID)
	must(t, err)
	return ts
}

func ids(ts []dto.ThreadSummary) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

func unreadOf(ts []dto.ThreadSummary, id string) int {
	for _, t := range ts {
		if t.ID == id {
			return t.Unread
		}
	}
	return -1
}

// tables is every table a messaging action could write.
var tables = []string{"threads", "participants", "messages", "attachments", "blobs", "documents", "audit_events", "changes",
	"staff", "clients", "settings", "appointments"}

// rowCounts counts every table, to prove a refused action wrote nothing.
func rowCounts(t *testing.T, d *desk.Desk) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, tb := range tables {
		var n int64
		must(t, d.DB.Raw(`SELECT COUNT(*) FROM `+tb).Scan(&n).Error)
		out[tb] = n
	}
	return out
}

func assertUnchanged(t *testing.T, before, after map[string]int64) {
	t.Helper()
	for _, tb := range tables {
		if before[tb] != after[tb] {
			t.Errorf("%s: %d rows before, %d after", tb, before[tb], after[tb])
		}
	}
}

func sameIDs(got []string, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}
