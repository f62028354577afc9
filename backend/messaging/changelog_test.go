package messaging_test

import (
	"strings"
	"testing"

	"clinicdesk/backend/dto"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
)

func pendingEntities(t *testing.T, p practice) map[string]int {
	t.Helper()
	chs, err := sync.Pending(p.d.DB.DB, 100000)
	must(t, err)
	out := map[string]int{}
	for _, c := range chs {
		out[c.Entity+"/"+c.Op]++
	}
	return out
}

func diff(before, after map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range after {
		if v != before[k] {
			out[k] = v - before[k]
		}
	}
	return out
}

func sameCounts(got, want map[string]int) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

// TestComposeAndReplyRecordEveryRowInTheChangeLog: a successful compose or
// reply records each row it wrote; a compose refused half-way (after the
// thread, participants and message were recorded) leaves none, because the
// change log is written in the same transaction.
func TestComposeAndReplyRecordEveryRowInTheChangeLog(t *testing.T) {
	p := newPractice(t)
	f := p.stage(t, p.s, "a.txt", []byte("attached\n"))

	before := pendingEntities(t, p)
	th := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, StaffIDs: []string{p.o.StaffID},
		Files: []dto.OutgoingFile{{Token: f.Token, Name: "a.txt"}}})
	got := diff(before, pendingEntities(t, p))
	// The blob's row is recorded with the first message that names it:
	// staging alone records nothing, so unsent files never reach the hub.
	want := map[string]int{"thread/insert": 1, "participant/insert": 3, "message/insert": 1, "attachment/insert": 1, "blob/insert": 1}
	if !sameCounts(got, want) {
		t.Fatalf("compose recorded %v, want %v", got, want)
	}

	before = pendingEntities(t, p)
	p.reply(t, p.o, th.ID, "reply")
	got = diff(before, pendingEntities(t, p))
	want = map[string]int{"message/insert": 1, "thread/update": 1, "participant/update": 1}
	if !sameCounts(got, want) {
		t.Fatalf("reply recorded %v, want %v", got, want)
	}
	// The thread change carries the new last activity, so the hub orders it too.
	chs, _ := sync.Pending(p.d.DB.DB, 100000)
	last := chs[len(chs)-1]
	var th2 store.Thread
	must(t, p.d.DB.First(&th2, "id = ?", th.ID).Error)
	found := false
	for _, c := range chs {
		if c.Entity == "thread" && c.Op == sync.OpUpdate && strings.Contains(c.Payload, th2.LastActivityAt.Format("2006-01-02T15:04:05")) {
			found = true
		}
	}
	if !found {
		t.Errorf("no thread update carries last activity %v (last change %+v)", th2.LastActivityAt, last)
	}

	before = pendingEntities(t, p)
	_, err := p.d.Messages.Compose(p.s, dto.ComposeRequest{ClientID: p.c.ID, Subject: "x", Body: "y",
		Files: []dto.OutgoingFile{{Token: strings.Repeat("cd", 32), Name: "ghost.txt"}}})
	if err == nil {
		t.Fatal("compose with a file that was never staged was accepted")
	}
	_, err = p.d.Messages.Reply(p.s, dto.ReplyRequest{ThreadID: th.ID, Body: "y",
		Files: []dto.OutgoingFile{{Token: strings.Repeat("cd", 32), Name: "ghost.txt"}}})
	if err == nil {
		t.Fatal("reply with a file that was never staged was accepted")
	}
	if got := diff(before, pendingEntities(t, p)); len(got) != 0 {
		t.Fatalf("refused compose/reply left change-log rows: %v", got)
	}
}
