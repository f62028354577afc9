package attachments_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

// world is one thread between a sending clinician, a client and (maybe) the
// actor, with one attachment per action so each action sees the same facts.
type world struct {
	d      *desk.Desk
	actor  access.Actor
	client store.Client
	thread string
	atts   map[string]string // action → attachment id
}

type ruleCase struct {
	role        string
	participant bool
	sender      string // "self", "other_staff", "client"
	shared      bool
	deletion    bool
}

func (c ruleCase) String() string {
	return fmt.Sprintf("%s/participant=%v/sender=%s/shared=%v/deletion=%v", c.role, c.participant, c.sender, c.shared, c.deletion)
}

var actions = []string{"see", "view", "toggle_share", "go_to_thread", "delete", "copy"}

func buildWorld(t *testing.T, c ruleCase) world {
	d, _ := testutil.Desk(t, false)
	me := testutil.AddStaff(t, d, "Actor", c.role)
	other := testutil.AddStaff(t, d, "Sender", store.RoleClinician)
	client := testutil.AddClient(t, d, "Casey")
	blob := storeBlob(t, d, "hello.txt", []byte("plain words\n"))
	now := testutil.Now
	th := store.Thread{ID: clock.NewID(), Subject: "Rules", CreatedByKind: store.KindStaff, CreatedByID: other.ID, CreatedAt: now, LastActivityAt: now}
	must(t, d.DB.Create(&th).Error)
	people := []store.PersonKey{{Kind: store.KindStaff, ID: other.ID}, {Kind: store.KindClient, ID: client.ID}}
	if c.participant {
		people = append(people, store.PersonKey{Kind: store.KindStaff, ID: me.ID})
	}
	for _, p := range people {
		must(t, d.DB.Create(&store.Participant{ID: clock.NewID(), ThreadID: th.ID, Kind: p.Kind, PersonID: p.ID, JoinedAt: now}).Error)
	}
	senderKind, senderID := store.KindStaff, other.ID
	switch c.sender {
	case "self":
		senderID = me.ID
	case "client":
		senderKind, senderID = store.KindClient, client.ID
	}
	msg := store.Message{ID: clock.NewID(), ThreadID: th.ID, AuthorKind: senderKind, AuthorID: senderID, Body: "see attached", CreatedAt: now}
	must(t, d.DB.Create(&msg).Error)
	w := world{d: d, actor: testutil.Actor(me), client: client, thread: th.ID, atts: map[string]string{}}
	for _, act := range actions {
		a := store.Attachment{ID: clock.NewID(), MessageID: msg.ID, ThreadID: th.ID, BlobSHA256: blob.SHA256, Name: "secret-" + act + ".txt",
			MIME: blob.MIME, Size: blob.Size, SenderKind: senderKind, SenderID: senderID, CreatedAt: now}
		if c.shared {
			by := other.ID
			if senderKind == store.KindStaff {
				by = senderID
			}
			a.SharedWithStaff, a.SharedByStaffID, a.SharedAt = true, &by, &now
		}
		must(t, d.DB.Create(&a).Error)
		w.atts[act] = a.ID
	}
	must(t, d.DB.Model(&store.Settings{}).Where("id = 1").Update("records_deletion", c.deletion).Error)
	return w
}

// expected states PRODUCT.md's rules independently of package access.
func expected(c ruleCase) map[string]apperr.Code {
	manager := c.role == store.RoleOwner || c.role == store.RoleManager
	see := c.participant || c.shared
	out := map[string]apperr.Code{}
	no := func(action string, code apperr.Code) { out[action] = code }
	if !see {
		for _, a := range []string{"see", "view", "toggle_share", "delete", "copy"} {
			no(a, apperr.NotFound)
		}
	}
	if !c.participant {
		no("go_to_thread", apperr.NotParticipant)
	}
	if see {
		switch {
		case c.sender == "other_staff":
			no("toggle_share", apperr.NotSender)
		case c.sender == "client" && !c.participant:
			no("toggle_share", apperr.NotParticipant)
		}
		switch {
		case !c.deletion:
			no("delete", apperr.RecordsDeletionOff)
		case !c.participant && !manager:
			no("delete", apperr.Forbidden)
		}
	}
	return out
}

func (w world) do(t *testing.T, action string, shared bool) error {
	s := w.d.Attachments
	id := w.atts[action]
	switch action {
	case "see":
		list, err := s.ForClient(w.actor, w.client.ID)
		must(t, err)
		for _, a := range list {
			if a.ID == id {
				return nil
			}
		}
		return apperr.New(apperr.NotFound, "not listed")
	case "view":
		path, err := s.ViewCopy(w.actor, id)
		if err == nil && path == "" {
			t.Fatal("view returned no path")
		}
		return err
	case "toggle_share":
		_, err := s.SetShared(w.actor, id, !shared)
		return err
	case "go_to_thread":
		_, err := w.d.Messages.Open(w.actor, w.thread)
		return err
	case "delete":
		return s.Delete(w.actor, id)
	case "copy":
		_, err := s.CopyToDocuments(w.actor, id, "")
		return err
	}
	t.Fatalf("unknown action %s", action)
	return nil
}

// TestRuleTable runs every role × participation × sender × sharing ×
// Records Deletion combination through the real services and database, and
// checks each action is allowed or refused with the right typed error.
func TestRuleTable(t *testing.T) {
	var cases []ruleCase
	for _, role := range []string{store.RoleOwner, store.RoleManager, store.RoleClinician, store.RoleFrontDesk} {
		for _, participant := range []bool{true, false} {
			for _, sender := range []string{"self", "other_staff", "client"} {
				if sender == "self" && !participant {
					continue // one can only send in a thread one takes part in
				}
				for _, shared := range []bool{false, true} {
					for _, deletion := range []bool{false, true} {
						cases = append(cases, ruleCase{role, participant, sender, shared, deletion})
					}
				}
			}
		}
	}
	refusals := 0
	for _, c := range cases {
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			w := buildWorld(t, c)
			want := expected(c)
			for _, action := range actions {
				err := w.do(t, action, c.shared)
				if got := apperr.CodeOf(err); got != want[action] {
					t.Errorf("%s: got %q (%v), want %q", action, got, err, want[action])
				}
				if err != nil && apperr.As(err).Message == "" {
					t.Errorf("%s: refusal has no message for the UI", action)
				}
			}
			// The flags sent to the UI agree with what the services allow.
			list, err := w.d.Attachments.ForClient(w.actor, w.client.ID)
			must(t, err)
			for _, a := range list {
				var action string
				for act, id := range w.atts {
					if id == a.ID {
						action = act
					}
				}
				if action == "delete" && a.CanDelete != (want["delete"] == "") {
					t.Errorf("canDelete=%v but delete gives %q", a.CanDelete, want["delete"])
				}
				if action == "toggle_share" && a.CanToggleShare != (want["toggle_share"] == "") {
					t.Errorf("canToggleShare=%v but toggle gives %q", a.CanToggleShare, want["toggle_share"])
				}
				if action == "go_to_thread" && a.CanGoToThread != (want["go_to_thread"] == "") {
					t.Errorf("canGoToThread=%v but go to thread gives %q", a.CanGoToThread, want["go_to_thread"])
				}
			}
		})
		for _, code := range expected(c) {
			if code != "" {
				refusals++
			}
		}
	}
	if len(cases) != 80 || refusals == 0 {
		t.Fatalf("table has %d cases and %d refusals; the loops above lost some", len(cases), refusals)
	}
}

func TestNonParticipantSeesOnlySharedAttachmentsAndNothingOfPrivateOnes(t *testing.T) {
	w := buildWorld(t, ruleCase{role: store.RoleClinician, participant: false, sender: "other_staff", shared: false})
	list, err := w.d.Attachments.ForClient(w.actor, w.client.ID)
	must(t, err)
	if len(list) != 0 {
		t.Fatalf("non-participant sees %d private attachments: %+v", len(list), list)
	}
	// Share one as its sender; only that one appears.
	var sender string
	w.d.DB.Model(&store.Attachment{}).Where("id = ?", w.atts["see"]).Pluck("sender_id", &sender)
	var st store.Staff
	must(t, w.d.DB.Where("id = ?", sender).First(&st).Error)
	if _, err := w.d.Attachments.SetShared(testutil.Actor(st), w.atts["see"], true); err != nil {
		t.Fatal(err)
	}
	list, err = w.d.Attachments.ForClient(w.actor, w.client.ID)
	must(t, err)
	if len(list) != 1 || list[0].ID != w.atts["see"] || list[0].SharedBy != st.FullName() {
		t.Fatalf("after sharing: %+v", list)
	}
	if list[0].CanGoToThread || list[0].CanToggleShare {
		t.Errorf("non-participant offered go-to-thread or share toggle: %+v", list[0])
	}
	// Private again: gone again.
	if _, err := w.d.Attachments.SetShared(testutil.Actor(st), w.atts["see"], false); err != nil {
		t.Fatal(err)
	}
	list, _ = w.d.Attachments.ForClient(w.actor, w.client.ID)
	if len(list) != 0 {
		t.Fatalf("made private but still listed: %+v", list)
	}
}

func TestRefusedActionsChangeNothing(t *testing.T) {
	w := buildWorld(t, ruleCase{role: store.RoleFrontDesk, participant: false, sender: "other_staff", shared: true, deletion: true})
	var before, after []store.Attachment
	var auditBefore, auditAfter int64
	w.d.DB.Order("id").Find(&before)
	w.d.DB.Model(&store.AuditEvent{}).Count(&auditBefore)
	if err := w.d.Attachments.Delete(w.actor, w.atts["delete"]); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("delete: %v", err)
	}
	if _, err := w.d.Attachments.SetShared(w.actor, w.atts["toggle_share"], false); !apperr.Is(err, apperr.NotSender) {
		t.Fatalf("toggle: %v", err)
	}
	w.d.DB.Order("id").Find(&after)
	w.d.DB.Model(&store.AuditEvent{}).Count(&auditAfter)
	if jsonOf(t, before) != jsonOf(t, after) || auditBefore != auditAfter {
		t.Fatal("a refused action changed the database")
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func jsonOf(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	must(t, err)
	return string(b)
}
