package messaging_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/attachments"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

func shaHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// refusals returns the (where, reason) of every staged-file refusal in the
// audit log, oldest first, with who was refused.
func refusals(t *testing.T, p practice) []string {
	t.Helper()
	var evs []store.AuditEvent
	must(t, p.d.DB.Where("action = ?", audit.ActStagedFileRefused).Order("seq").Find(&evs).Error)
	var out []string
	for _, e := range evs {
		var d map[string]any
		must(t, json.Unmarshal([]byte(e.Detail), &d))
		out = append(out, e.StaffID+" "+d["where"].(string)+" "+d["reason"].(string))
	}
	return out
}

func wantRefusals(t *testing.T, p practice, want ...string) {
	t.Helper()
	got := refusals(t, p)
	if len(got) != len(want) {
		t.Fatalf("refusals in the audit log: %q, want %q", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("refusals in the audit log: %q, want %q", got, want)
		}
	}
}

// The scenario of the report: a clinician who is not on a colleague's thread
// passes the SHA-256 of the colleague's private file as a staged file, to
// send it in a new thread, in a reply, and to file it in another client's
// Documents on File. Each is refused, audited as a refusal, and writes
// nothing else.
func TestContentHashOfAStoredFileIsNeverAStagedFile(t *testing.T) {
	p := newPractice(t)
	private := []byte("Olga's private notes about Casey\n")
	f := p.stage(t, p.o, "private.txt", private)
	p.compose(t, p.o, dto.ComposeRequest{ClientID: p.c.ID, Files: []dto.OutgoingFile{{Token: f.Token, Name: f.Name}}})
	mine := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c2.ID})
	hash := shaHex(private)
	if !p.d.Blobs.Has(hash) {
		t.Fatal("the colleague's file is not stored under its hash")
	}
	before := rowCounts(t, p.d)

	stolen := []dto.OutgoingFile{{Token: hash, Name: "notes.txt"}}
	if _, err := p.d.Messages.Compose(p.s, dto.ComposeRequest{ClientID: p.c2.ID, Subject: "x", Files: stolen}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("compose with a content hash: %v", err)
	}
	if _, err := p.d.Messages.Reply(p.s, dto.ReplyRequest{ThreadID: mine.ID, Files: stolen}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("reply with a content hash: %v", err)
	}
	if _, err := p.d.Attachments.AddDocument(p.s, p.c2.ID, hash, "notes.txt"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("Documents on File with a content hash: %v", err)
	}
	// The file's own staged token, once spent by its sender, is no key either.
	if _, err := p.d.Attachments.AddDocument(p.s, p.c2.ID, f.Token, "notes.txt"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("Documents on File with the colleague's token: %v", err)
	}

	after := rowCounts(t, p.d)
	if after["audit_events"] != before["audit_events"]+4 {
		t.Errorf("audit rows %d -> %d, want 4 refusals", before["audit_events"], after["audit_events"])
	}
	after["audit_events"] = before["audit_events"]
	assertUnchanged(t, before, after)
	s := p.s.StaffID
	wantRefusals(t, p, s+" compose unknown_token", s+" reply unknown_token", s+" documents unknown_token", s+" documents other_staff")
	docs, err := p.d.Clients.Documents(p.s, p.c2.ID)
	must(t, err)
	if len(docs) != 0 {
		t.Fatalf("the private file was filed: %+v", docs)
	}
}

// A staged file is sent or filed once; offered again it is refused.
func TestStagedFileIsUsedOnlyOnce(t *testing.T) {
	p := newPractice(t)
	f := p.stage(t, p.s, "once.txt", []byte("only once\n"))
	files := []dto.OutgoingFile{{Token: f.Token, Name: f.Name}}
	th := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, Files: files})
	if _, err := p.d.Messages.Compose(p.s, dto.ComposeRequest{ClientID: p.c.ID, Subject: "again", Files: files}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("second compose with a used token: %v", err)
	}
	if _, err := p.d.Messages.Reply(p.s, dto.ReplyRequest{ThreadID: th.ID, Files: files}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("reply with a used token: %v", err)
	}
	if _, err := p.d.Attachments.AddDocument(p.s, p.c.ID, f.Token, f.Name); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("filing a used token: %v", err)
	}
	// The same token twice in one message is a second use too.
	g := p.stage(t, p.s, "twice.txt", []byte("twice\n"))
	twice := []dto.OutgoingFile{{Token: g.Token, Name: "a.txt"}, {Token: g.Token, Name: "b.txt"}}
	if _, err := p.d.Messages.Reply(p.s, dto.ReplyRequest{ThreadID: th.ID, Files: twice}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("one token twice in a message: %v", err)
	}
	// A document too: filed once.
	d := p.stage(t, p.s, "letter.txt", []byte("letter\n"))
	if _, err := p.d.Attachments.AddDocument(p.s, p.c.ID, d.Token, d.Name); err != nil {
		t.Fatal(err)
	}
	if _, err := p.d.Attachments.AddDocument(p.s, p.c.ID, d.Token, d.Name); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("filing a token twice: %v", err)
	}
	s := p.s.StaffID
	wantRefusals(t, p, s+" compose already_used", s+" reply already_used", s+" documents already_used", s+" reply in_use",
		s+" documents already_used")
	// A refused send spends nothing: the file offered twice is still ready.
	if _, err := p.d.Messages.Reply(p.s, dto.ReplyRequest{ThreadID: th.ID, Files: twice[:1]}); err != nil {
		t.Errorf("the token refused with its twin is no longer ready: %v", err)
	}
}

// A file staged by staff A cannot be sent or filed by staff B; A still can.
func TestStagedFileOfAnotherStaffMemberIsRefused(t *testing.T) {
	p := newPractice(t)
	f := p.stage(t, p.s, "sams.txt", []byte("Sam's file\n"))
	files := []dto.OutgoingFile{{Token: f.Token, Name: f.Name}}
	if _, err := p.d.Messages.Compose(p.o, dto.ComposeRequest{ClientID: p.c.ID, Subject: "mine now", Files: files}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("compose by another staff member: %v", err)
	}
	if _, err := p.d.Attachments.AddDocument(p.o, p.c.ID, f.Token, f.Name); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("filing by another staff member: %v", err)
	}
	o := p.o.StaffID
	wantRefusals(t, p, o+" compose other_staff", o+" documents other_staff")
	th := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, Files: files})
	if len(th.Messages[0].Attachments) != 1 {
		t.Fatal("the stager could not send their own file after a refusal")
	}
}

// A staged file expires: after StageTTL it is refused and its bytes go.
func TestExpiredStagedFileIsRefused(t *testing.T) {
	p := newPractice(t)
	data := []byte("stale by now\n")
	f := p.stage(t, p.s, "late.txt", data)
	p.clk.Advance(attachments.StageTTL - 1)
	g := p.stage(t, p.s, "fresh.txt", []byte("fresh\n"))
	p.clk.Advance(1)
	if _, err := p.d.Messages.Compose(p.s, dto.ComposeRequest{ClientID: p.c.ID, Subject: "late", Files: []dto.OutgoingFile{{Token: f.Token, Name: f.Name}}}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("compose with an expired token: %v", err)
	}
	wantRefusals(t, p, p.s.StaffID+" compose expired")
	if p.d.Blobs.Has(shaHex(data)) {
		t.Error("the bytes of an expired staged file that was never sent are still stored")
	}
	p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, Files: []dto.OutgoingFile{{Token: g.Token, Name: g.Name}}})
}

// Staged files belong to one sign-in: after a lock, a sign-out or a switch
// of user, the same staff member signed in again cannot send them, and
// their bytes are gone.
func TestStagedFilesDieWithTheirSession(t *testing.T) {
	for _, end := range []string{"lock", "sign out", "switch user"} {
		t.Run(end, func(t *testing.T) {
			p := newPractice(t)
			signIn := func(id string) access.Actor {
				a, err := p.d.Auth.SignIn(id, testutil.PIN)
				must(t, err)
				return a
			}
			a1 := signIn(p.s.StaffID)
			data := []byte("staged in the first session of " + end + "\n")
			f := p.stage(t, a1, "draft.txt", data)
			switch end {
			case "lock":
				must(t, p.d.Auth.Lock())
			case "sign out":
				must(t, p.d.Auth.SignOut())
			case "switch user":
				signIn(p.o.StaffID)
			}
			if p.d.Blobs.Has(shaHex(data)) {
				t.Error("the bytes of a staged file outlived its session")
			}
			a2 := signIn(p.s.StaffID)
			if a2.Session == a1.Session {
				t.Fatal("signing in again kept the session")
			}
			_, err := p.d.Messages.Compose(a2, dto.ComposeRequest{ClientID: p.c.ID, Subject: "x", Files: []dto.OutgoingFile{{Token: f.Token, Name: f.Name}}})
			if !apperr.Is(err, apperr.NotFound) {
				t.Errorf("a token of an ended session: %v", err)
			}
		})
	}
}

// A token bound to one session is refused in another of the same staff
// member even while both could exist (the check is on the session, not only
// on who).
func TestStagedFileOfAnotherSessionOfTheSameStaffIsRefused(t *testing.T) {
	p := newPractice(t)
	one, two := p.s, p.s
	one.Session, two.Session = "one", "two"
	f := p.stage(t, one, "a.txt", []byte("a\n"))
	if _, err := p.d.Messages.Compose(two, dto.ComposeRequest{ClientID: p.c.ID, Subject: "x", Files: []dto.OutgoingFile{{Token: f.Token, Name: f.Name}}}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("a token of another session: %v", err)
	}
	wantRefusals(t, p, p.s.StaffID+" compose other_session")
}
