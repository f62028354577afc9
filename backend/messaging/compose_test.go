package messaging_test

import (
	"slices"
	"strings"
	"testing"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/messaging"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

func people(ps []dto.Person) []string {
	var out []string
	for _, x := range ps {
		out = append(out, x.Kind+":"+x.ID)
	}
	slices.Sort(out)
	return out
}

func TestComposeAlwaysIncludesTheClientAndTheSender(t *testing.T) {
	p := newPractice(t)
	th := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID})
	want := []string{"client:" + p.c.ID, "staff:" + p.s.StaffID}
	slices.Sort(want)
	if got := people(th.Participants); !slices.Equal(got, want) {
		t.Fatalf("participants = %v, want %v", got, want)
	}
	if th.IsGroup {
		t.Error("a one-to-one thread is marked as a group")
	}
	if len(th.Messages) != 1 || !th.Messages[0].Mine {
		t.Errorf("first message: %+v", th.Messages)
	}
}

func TestComposeWithOtherPeopleMakesAGroupWithoutDuplicates(t *testing.T) {
	p := newPractice(t)
	th := p.compose(t, p.s, dto.ComposeRequest{
		ClientID:       p.c.ID,
		OtherClientIDs: []string{p.c2.ID, p.c.ID, " " + p.c2.ID + " ", ""},
		StaffIDs:       []string{p.o.StaffID, p.s.StaffID, p.o.StaffID},
	})
	want := []string{"client:" + p.c.ID, "client:" + p.c2.ID, "staff:" + p.o.StaffID, "staff:" + p.s.StaffID}
	slices.Sort(want)
	if got := people(th.Participants); !slices.Equal(got, want) {
		t.Fatalf("participants = %v, want %v", got, want)
	}
	if !th.IsGroup {
		t.Error("a four-person thread is not marked as a group")
	}
	var n int64
	p.d.DB.Model(&store.Participant{}).Where("thread_id = ?", th.ID).Count(&n)
	if n != 4 {
		t.Errorf("%d participant rows, want 4", n)
	}
	// Adding only a second staff member also makes a group.
	th2 := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, StaffIDs: []string{p.o.StaffID}})
	if !th2.IsGroup || len(th2.Participants) != 3 {
		t.Errorf("client + two staff: isGroup=%v participants=%d", th2.IsGroup, len(th2.Participants))
	}
}

func TestComposeAcceptsLimitsExactly(t *testing.T) {
	p := newPractice(t)
	files := make([]dto.OutgoingFile, messaging.MaxFiles)
	for i := range files {
		f := p.stage(t, p.s, "note.txt", []byte("just text\n"))
		files[i] = dto.OutgoingFile{Token: f.Token, Name: "note.txt"}
	}
	th := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, Subject: strings.Repeat("s", messaging.MaxSubject),
		Body: strings.Repeat("b", messaging.MaxBody)})
	if len(th.Subject) != messaging.MaxSubject {
		t.Errorf("subject stored with %d characters", len(th.Subject))
	}
	// A message of files only, at the most files allowed.
	th = p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, Subject: "files", Body: "  ", Files: files})
	if got := len(th.Messages[0].Attachments); got != messaging.MaxFiles {
		t.Errorf("%d attachments, want %d", got, messaging.MaxFiles)
	}
	// A name with path tricks keeps only its last element.
	f := p.stage(t, p.s, "note.txt", []byte("just text\n"))
	th = p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, Files: []dto.OutgoingFile{{Token: f.Token, Name: "../../etc/passwd.txt"}}})
	if got := th.Messages[0].Attachments[0].Name; got != "passwd.txt" {
		t.Errorf("attachment name = %q, want passwd.txt", got)
	}
	// Subject and body are trimmed.
	th = p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, Subject: "  padded  ", Body: "\n hi \n"})
	if th.Subject != "padded" || th.Messages[0].Body != "hi" {
		t.Errorf("not trimmed: %q / %q", th.Subject, th.Messages[0].Body)
	}
}

// TestComposeRefusesBadInputAndWritesNothing counts every table before and
// after each refused compose.
func TestComposeRefusesBadInputAndWritesNothing(t *testing.T) {
	p := newPractice(t)
	staged := p.stage(t, p.s, "ok.txt", []byte("fine\n"))
	gone := testutil.AddStaff(t, p.d, "Gone", store.RoleClinician)
	must(t, p.d.DB.Model(&store.Staff{}).Where("id = ?", gone.ID).Update("active", false).Error)
	tooMany := make([]dto.OutgoingFile, messaging.MaxFiles+1)
	for i := range tooMany {
		tooMany[i] = dto.OutgoingFile{Token: staged.Token, Name: "ok.txt"}
	}
	ok := func(mod func(*dto.ComposeRequest)) dto.ComposeRequest {
		r := dto.ComposeRequest{ClientID: p.c.ID, Subject: "Hello", Body: "Body"}
		mod(&r)
		return r
	}
	cases := []struct {
		name string
		req  dto.ComposeRequest
		want apperr.Code
	}{
		{"no client", ok(func(r *dto.ComposeRequest) { r.ClientID = "" }), apperr.InvalidInput},
		{"blank client", ok(func(r *dto.ComposeRequest) { r.ClientID = "   " }), apperr.InvalidInput},
		{"unknown client", ok(func(r *dto.ComposeRequest) { r.ClientID = "no-such-client" }), apperr.InvalidInput},
		{"unknown other client", ok(func(r *dto.ComposeRequest) { r.OtherClientIDs = []string{p.c2.ID, "no-such-client"} }), apperr.InvalidInput},
		{"unknown staff", ok(func(r *dto.ComposeRequest) { r.StaffIDs = []string{"no-such-staff"} }), apperr.InvalidInput},
		{"inactive staff", ok(func(r *dto.ComposeRequest) { r.StaffIDs = []string{gone.ID} }), apperr.InvalidInput},
		{"empty subject", ok(func(r *dto.ComposeRequest) { r.Subject = "" }), apperr.InvalidInput},
		{"blank subject", ok(func(r *dto.ComposeRequest) { r.Subject = " \t\n" }), apperr.InvalidInput},
		{"subject too long", ok(func(r *dto.ComposeRequest) { r.Subject = strings.Repeat("é", messaging.MaxSubject+1) }), apperr.InvalidInput},
		{"body too long", ok(func(r *dto.ComposeRequest) { r.Body = strings.Repeat("b", messaging.MaxBody+1) }), apperr.InvalidInput},
		{"empty body without files", ok(func(r *dto.ComposeRequest) { r.Body = "   " }), apperr.InvalidInput},
		{"more than 20 files", ok(func(r *dto.ComposeRequest) { r.Files = tooMany }), apperr.InvalidInput},
		{"file name that is only dots", ok(func(r *dto.ComposeRequest) { r.Files = []dto.OutgoingFile{{Token: staged.Token, Name: ".."}} }), apperr.FileNameInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := rowCounts(t, p.d)
			_, err := p.d.Messages.Compose(p.s, c.req)
			if err == nil {
				t.Fatal("compose was accepted")
			}
			if c.want != "" && !apperr.Is(err, c.want) {
				t.Fatalf("got %v, want %s", err, c.want)
			}
			if apperr.CodeOf(err) == apperr.Internal || apperr.As(err).Message == "" {
				t.Errorf("refusal is not a typed error with words for the UI: %v", err)
			}
			assertUnchanged(t, before, rowCounts(t, p.d))
		})
	}
	// A file never staged: refused, and only the refusal is written (to the
	// audit log); the staged file offered with it is ready to send again.
	before := rowCounts(t, p.d)
	_, err := p.d.Messages.Compose(p.s, ok(func(r *dto.ComposeRequest) {
		r.Files = []dto.OutgoingFile{{Token: staged.Token, Name: "ok.txt"}, {Token: strings.Repeat("ab", 32), Name: "ghost.pdf"}}
	}))
	if !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("file never staged: %v", err)
	}
	after := rowCounts(t, p.d)
	if after["audit_events"] != before["audit_events"]+1 {
		t.Errorf("audit rows %d -> %d, want one refusal", before["audit_events"], after["audit_events"])
	}
	after["audit_events"] = before["audit_events"]
	assertUnchanged(t, before, after)
	p.compose(t, p.s, ok(func(r *dto.ComposeRequest) { r.Files = []dto.OutgoingFile{{Token: staged.Token, Name: "ok.txt"}} }))
}

func TestReplyByNonParticipantIsRefusedAndWritesNothing(t *testing.T) {
	p := newPractice(t)
	th := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID})
	before := rowCounts(t, p.d)
	for _, id := range []string{th.ID, "no-such-thread"} {
		_, err := p.d.Messages.Reply(p.o, dto.ReplyRequest{ThreadID: id, Body: "let me in"})
		if !apperr.Is(err, apperr.NotParticipant) {
			t.Errorf("reply to %s by a non-participant: %v", id, err)
		}
	}
	if _, err := p.d.Messages.Reply(p.s, dto.ReplyRequest{ThreadID: th.ID, Body: " "}); !apperr.Is(err, apperr.InvalidInput) {
		t.Errorf("empty reply: %v", err)
	}
	assertUnchanged(t, before, rowCounts(t, p.d))
}

func TestMessagesAreAppendOnly(t *testing.T) {
	p := newPractice(t)
	th := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, Body: "original"})
	p.reply(t, p.s, th.ID, "second")
	id := th.Messages[0].ID
	if err := p.d.DB.Model(&store.Message{}).Where("id = ?", id).Update("body", "rewritten").Error; err == nil {
		t.Error("a message was edited")
	}
	if err := p.d.DB.Where("id = ?", id).Delete(&store.Message{}).Error; err == nil {
		t.Error("a message was deleted")
	}
	got, err := p.d.Messages.Open(p.s, th.ID)
	must(t, err)
	if len(got.Messages) != 2 || got.Messages[0].Body != "original" {
		t.Fatalf("thread after edit attempts: %+v", got.Messages)
	}
}
