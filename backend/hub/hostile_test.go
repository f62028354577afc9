package hub_test

// The hostile-desk suite (issue 12): a desk that holds a valid token but
// pushes whatever it likes, raw, past the desk's own checks. Each test names
// the point of the issue it covers. Authentication of staff actions
// (signatures, enrollment by the owner) is in hostile_sign_test.go; here
// every forged change is properly signed by a real staff member (rawPush),
// so what is under test is what the hub refuses even from a proven signer.

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"clinicdesk/backend/auth"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/demo"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/hub"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
)

// rawPost sends body to the hub as desk d, and returns the status and body.
func rawPost(t *testing.T, th *testHub, d *testDesk, method, path string, body io.Reader) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, th.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+deskToken(t, d))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// rawPush pushes changes as desk d, each signed as a real staff member of
// the practice, as a compromised desk holding that member's PIN could: the
// member the change names (c.Actor), else the practice's owner. So every
// change passes the signature check and meets the hub's validation rule the
// test is about: an authenticated but malicious staff member is refused too.
func rawPush(t *testing.T, th *testHub, d *testDesk, changes ...sync.WireChange) (int, sync.PushResponse) {
	t.Helper()
	deskID := hubDeskID(t, th, d.name)
	keys := map[string]ed25519.PrivateKey{}
	signed := make([]sync.WireChange, len(changes))
	for i, c := range changes {
		var st store.Staff
		if c.Actor != "" {
			if err := th.hub().DB().Where("id = ?", c.Actor).First(&st).Error; err != nil {
				t.Fatalf("the hub has no staff member %s: %v", c.Actor, err)
			}
		} else {
			st = hubStaff(t, th, store.RoleOwner)
		}
		key, ok := keys[st.ID]
		if !ok {
			var err error
			if key, err = auth.Unseal(st.ID, st.SigningKey, st.SealedKey, demo.PIN); err != nil {
				t.Fatalf("%s's signing key: %v", st.FullName(), err)
			}
			keys[st.ID] = key
		}
		c.Origin, c.Signer = deskID, st.ID
		c.Signature = sync.Sign(key, sync.SigningBytes(c, st.ID))
		signed[i] = c
	}
	b, err := json.Marshal(sync.PushRequest{Changes: signed})
	if err != nil {
		t.Fatal(err)
	}
	st, body := rawPost(t, th, d, http.MethodPost, "/api/v1/push", bytes.NewReader(b))
	var resp sync.PushResponse
	if st == http.StatusOK {
		if err := json.Unmarshal(body, &resp); err != nil {
			t.Fatalf("push answer: %v\n%s", err, body)
		}
	}
	return st, resp
}

// stampNow is an HLC stamp of the present (the harness hubs run on the
// system clock).
func stampNow() string { return sync.FormatHLC(time.Now().UnixMilli(), 0) }

// forged is a change of row, stamped now, with a fresh id.
func forged(t *testing.T, entity, entityID, op string, row any) sync.WireChange {
	t.Helper()
	b, err := json.Marshal(row)
	if err != nil {
		t.Fatal(err)
	}
	return sync.WireChange{ID: clock.NewID(), HLC: stampNow(), Entity: entity, EntityID: entityID, Op: op, Payload: string(b)}
}

// mustRefuse checks that the hub refused the one pushed change with a 4xx
// code and a reason containing want, and that it never entered the log.
func mustRefuse(t *testing.T, th *testHub, st int, resp sync.PushResponse, c sync.WireChange, want string) {
	t.Helper()
	if st != http.StatusOK || len(resp.Results) != 1 {
		t.Fatalf("push of %s %s: %d %+v", c.Entity, c.Op, st, resp)
	}
	r := resp.Results[0]
	if r.ID != c.ID || r.Status != sync.StatusRejected || r.Code < 400 || r.Code > 499 || !strings.Contains(r.Reason, want) {
		t.Fatalf("%s %s: answer %+v, want a 4xx refusal saying %q", c.Entity, c.Op, r, want)
	}
	if inHubLog(t, th, c.ID) {
		t.Fatalf("the refused change %s entered the hub's log", c.ID)
	}
}

func inHubLog(t *testing.T, th *testHub, id string) bool {
	t.Helper()
	var n int64
	if err := th.hub().DB().Raw(`SELECT COUNT(*) FROM hub_changes WHERE id = ?`, id).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n > 0
}

func hubAttachment(t *testing.T, th *testHub, threadID string) store.Attachment {
	t.Helper()
	var a store.Attachment
	if err := th.hub().DB().Where("thread_id = ?", threadID).First(&a).Error; err != nil {
		t.Fatalf("hub: attachment of thread %s: %v", threadID, err)
	}
	return a
}

func hubSettings(t *testing.T, th *testHub) store.Settings {
	t.Helper()
	s, err := store.GetSettings(th.hub().DB())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Issue 12, point 3: a change whose entity id differs from its payload's id
// skipped every re-check.
func TestHostileChangeWhoseIdDiffersFromItsPayloadIsRefused(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, a, b := seeded(t, newDSN())
		owner := a.staff(t, store.RoleOwner)
		thr := a.compose(t, owner, a.client(t, 0), "Keep me", []byte("keep me\n"))
		a.sync(t)
		b.sync(t)
		att := hubAttachment(t, th, thr.ID)
		now := time.Now().UTC()
		att.DeletedAt = &now
		del := forged(t, "attachment", clock.NewID(), sync.OpUpdate, att)
		st, resp := rawPush(t, th, b, del)
		mustRefuse(t, th, st, resp, del, "carries record")

		set := hubSettings(t, th)
		set.RecordsDeletion = true
		on := forged(t, "settings", "2", sync.OpUpdate, set)
		on.Actor, on.Action, on.Detail = owner.StaffID, "setting_changed", `{"setting":"records_deletion"}`
		st, resp = rawPush(t, th, b, on)
		mustRefuse(t, th, st, resp, on, "carries record")

		if hubAttachment(t, th, thr.ID).DeletedAt != nil {
			t.Error("the hub deleted the attachment")
		}
		if hubSettings(t, th).RecordsDeletion {
			t.Error("the hub turned Records Deletion on")
		}
	})
}

// Issue 12, point 4 (participants and client messages): a forged
// participant row let a second client download the first client's file; a
// message "from" a client was accepted from a desk.
func TestHostileParticipantAndClientMessageFromADeskAreRefused(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, a, b := seeded(t, newDSN())
		owner := a.staff(t, store.RoleOwner)
		c1, c2 := a.client(t, 0), a.client(t, 1)
		t1 := a.compose(t, owner, c1, "Intake for client one", []byte("for client one only\n"))
		a.sync(t)
		b.sync(t)
		join := func() store.Participant {
			return store.Participant{ID: clock.NewID(), ThreadID: t1.ID, Kind: store.KindClient, PersonID: c2.ID, JoinedAt: time.Now().UTC()}
		}
		// Each is signed by a real staff member who is not on the thread
		// (only the owner, its creator, is).
		// From another desk, signed by its manager.
		p := join()
		c := forged(t, "participant", p.ID, sync.OpInsert, p)
		c.Actor = b.staff(t, store.RoleManager).StaffID
		st, resp := rawPush(t, th, b, c)
		mustRefuse(t, th, st, resp, c, "add people")
		// From the desk that started the thread, once it has messages.
		p = join()
		c = forged(t, "participant", p.ID, sync.OpInsert, p)
		c.Actor = a.staff(t, store.RoleClinician).StaffID
		st, resp = rawPush(t, th, a, c)
		mustRefuse(t, th, st, resp, c, "add people")
		// Naming a staff member who is not on the thread.
		p = join()
		c = forged(t, "participant", p.ID, sync.OpInsert, p)
		c.Actor = b.staff(t, store.RoleFrontDesk).StaffID
		st, resp = rawPush(t, th, b, c)
		mustRefuse(t, th, st, resp, c, "add people")

		// A message "from" client one, written on a desk (signed by the
		// owner, who is on the thread).
		m := store.Message{ID: clock.NewID(), ThreadID: t1.ID, AuthorKind: store.KindClient, AuthorID: c1.ID, Body: "I never wrote this", CreatedAt: time.Now().UTC()}
		c = forged(t, "message", m.ID, sync.OpInsert, m)
		st, resp = rawPush(t, th, b, c)
		mustRefuse(t, th, st, resp, c, "portal")

		// Client two still cannot reach client one's file.
		att := hubAttachment(t, th, t1.ID)
		u := newPortalUser(t, th)
		u.signIn(th, c2.Email)
		if st, body := u.get("/portal/attachments/" + att.ID); st == http.StatusOK || strings.Contains(body, "for client one only") {
			t.Fatalf("client two downloaded client one's file: %d", st)
		}
		var n int64
		th.hub().DB().Model(&store.Message{}).Where("id = ?", m.ID).Count(&n)
		if n != 0 {
			t.Error("the forged client message is in the hub's database")
		}
	})
}

// Issue 12, point 5: each poison change is refused at the hub with a
// reason, never reaches another desk, and later valid changes still do.
func TestHostilePoisonChangesAreRefusedAndSyncGoesOn(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, a, b := seeded(t, newDSN())
		owner := a.staff(t, store.RoleOwner)
		thr := a.compose(t, owner, a.client(t, 2), "Poison target", []byte("poison target\n"))
		a.sync(t)
		b.sync(t)
		hdb := th.hub().DB()
		var msg store.Message
		var ev store.AuditEvent
		var cl store.Client
		if err := hdb.Where("thread_id = ?", thr.ID).First(&msg).Error; err != nil {
			t.Fatal(err)
		}
		if err := hdb.Order("at").First(&ev).Error; err != nil {
			t.Fatal(err)
		}
		if err := hdb.Where("id = ?", a.client(t, 3).ID).First(&cl).Error; err != nil {
			t.Fatal(err)
		}
		long := cl
		long.Alert = strings.Repeat("x", 501)
		badClock := forged(t, "client", cl.ID, sync.OpUpdate, cl)
		badClock.HLC = "1764-bad-clock"
		att := hubAttachment(t, th, thr.ID)
		att.ID, att.BlobSHA256 = clock.NewID(), strings.Repeat("ab", 32)
		cases := []struct {
			name, want string
			c          sync.WireChange
		}{
			{"a 501-character Client Alert", "500 characters", forged(t, "client", cl.ID, sync.OpUpdate, long)},
			{"a delete of a message", "never deleted", forged(t, "message", msg.ID, sync.OpDelete, msg)},
			{"a delete of an audit entry", "never changed or deleted", forged(t, sync.EntityAudit, ev.ID, sync.OpDelete, ev)},
			{"a malformed HLC", "clock stamp", badClock},
			{"an attachment naming a missing blob", "does not have", forged(t, "attachment", att.ID, sync.OpInsert, att)},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				st, resp := rawPush(t, th, b, tc.c)
				mustRefuse(t, th, st, resp, tc.c, tc.want)
			})
		}
		var n int64
		hdb.Model(&store.Message{}).Where("id = ?", msg.ID).Count(&n)
		if n != 1 {
			t.Error("the hub deleted the message from its own database")
		}
		hdb.Model(&store.AuditEvent{}).Where("id = ?", ev.ID).Count(&n)
		if n != 1 {
			t.Error("the hub deleted the audit entry from its own database")
		}
		// A valid change made after the poison reaches the other desk.
		laterEditArrives(t, th, a, b, cl.ID, "after the poison")
	})
}

// laterEditArrives sets a Client Alert on desk a, syncs, and checks that it
// reached desk b and that the hub and both desks agree.
func laterEditArrives(t *testing.T, th *testHub, a, b *testDesk, clientID, text string) {
	t.Helper()
	if _, err := a.Clients.SetAlert(a.staff(t, store.RoleOwner), clientID, text); err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	b.sync(t)
	var alert string
	b.DB.Model(&store.Client{}).Where("id = ?", clientID).Pluck("alert", &alert)
	if alert != text {
		t.Fatalf("desk B's alert = %q, want %q: a later valid edit did not arrive", alert, text)
	}
	assertSame(t, th, a, b)
}

// putHubLog writes a change straight into the hub's log, as an older or a
// broken hub would have relayed it.
func putHubLog(t *testing.T, th *testHub, c sync.WireChange) {
	t.Helper()
	err := th.hub().DB().Exec(`INSERT INTO hub_changes (id, hlc, origin, entity, entity_id, op, payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.HLC, "elsewhere", c.Entity, c.EntityID, c.Op, c.Payload, time.Now().UTC()).Error
	if err != nil {
		t.Fatal(err)
	}
}

// Issue 12, points 5 and 6, desk side: a pulled change the desk cannot
// apply is set aside with a notice, the rest applies, no transaction is
// left open (a missing blob used to leave the connection inside one), and a
// far-future stamp never moves the desk's clock.
func TestDeskSetsAsidePulledChangesItCannotApplyAndKeepsWorking(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, a, b := seeded(t, newDSN())
		owner := a.staff(t, store.RoleOwner)
		thr := a.compose(t, owner, a.client(t, 4), "Set aside", []byte("set aside\n"))
		a.sync(t)
		b.sync(t)
		hdb := th.hub().DB()
		var msg store.Message
		if err := hdb.Where("thread_id = ?", thr.ID).First(&msg).Error; err != nil {
			t.Fatal(err)
		}
		var cl store.Client
		hdb.Where("id = ?", a.client(t, 5).ID).First(&cl)
		att := hubAttachment(t, th, thr.ID)
		att.ID, att.BlobSHA256 = clock.NewID(), strings.Repeat("cd", 32)
		long := cl
		long.Alert = strings.Repeat("y", 501)
		future := cl
		future.Alert = "from 2036"
		far := forged(t, "client", cl.ID, sync.OpUpdate, future)
		far.HLC = sync.FormatHLC(time.Now().AddDate(10, 0, 0).UnixMilli(), 0)
		max := forged(t, "client", cl.ID, sync.OpUpdate, future)
		max.HLC = "9999999999999-999999"
		bad := []sync.WireChange{
			forged(t, "attachment", att.ID, sync.OpInsert, att), // its blob exists nowhere
			forged(t, "client", cl.ID, sync.OpUpdate, long),
			forged(t, "message", msg.ID, sync.OpDelete, msg),
			far, max,
		}
		for _, c := range bad {
			putHubLog(t, th, c)
		}
		if _, err := a.Clients.SetAlert(owner, a.client(t, 6).ID, "valid, after the bad ones"); err != nil {
			t.Fatal(err)
		}
		a.sync(t)
		b.sync(t) // fails outright on a desk that stops at a bad change

		q, err := sync.Quarantined(b.DB.DB)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, x := range q {
			got[x.ID] = x.Reason != ""
		}
		for _, c := range bad {
			if !got[c.ID] {
				t.Errorf("change %s (%s %s) was not set aside: %+v", c.ID, c.Entity, c.Op, q)
			}
		}
		if s := b.eng.Status(); s.Notices < 1 || s.State != sync.StateOnline {
			t.Errorf("desk B status = %+v, want online with a notice", s)
		}
		var alert string
		b.DB.Model(&store.Client{}).Where("id = ?", a.client(t, 6).ID).Pluck("alert", &alert)
		if alert != "valid, after the bad ones" {
			t.Errorf("the valid change after the bad ones: %q", alert)
		}
		b.DB.Model(&store.Client{}).Where("id = ?", cl.ID).Pluck("alert", &alert)
		if alert == "from 2036" || len(alert) > 500 {
			t.Errorf("a bad change was applied: alert %q", alert)
		}
		var n int64
		b.DB.Model(&store.Message{}).Where("id = ?", msg.ID).Count(&n)
		if n != 1 {
			t.Error("desk B lost the message")
		}
		// Local work goes on (no transaction left open) and the clock did not move.
		for i := 0; i < 3; i++ {
			if _, err := b.Clients.SetAlert(b.staff(t, store.RoleOwner), cl.ID, fmt.Sprintf("local edit %d", i)); err != nil {
				t.Fatalf("a local write after the pull: %v", err)
			}
		}
		if w := sync.WallTime(b.Rec.HLC.Now()); w.After(time.Now().Add(sync.DefaultMaxAhead)) {
			t.Errorf("desk B's clock moved to %s", w)
		}
		b.sync(t)
	})
}

// Issue 12, point 6: a change stamped years ahead (or with a stamp that
// overflows the format) is refused, so it cannot beat later real edits.
func TestHostileFarFutureStampsAreRefused(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, a, b := seeded(t, newDSN())
		var cl store.Client
		th.hub().DB().Where("id = ?", a.client(t, 7).ID).First(&cl)
		cl.Alert = "stamped in 2036"
		for _, stamp := range []string{sync.FormatHLC(time.Now().AddDate(10, 0, 0).UnixMilli(), 0), "9999999999999-999999", "1764669600000-0000001",
			sync.FormatHLC(time.Now().Add(10*time.Minute).UnixMilli(), 0)} {
			c := forged(t, "client", cl.ID, sync.OpUpdate, cl)
			c.HLC = stamp
			st, resp := rawPush(t, th, b, c)
			mustRefuse(t, th, st, resp, c, "clock stamp")
		}
		// A later real edit wins everywhere.
		laterEditArrives(t, th, a, b, cl.ID, "a real edit")
	})
}

// Issue 12, point 7 (throttling): enrollment codes and portal sign-in codes
// could be guessed without limit.
func TestHostileEnrollmentAndPortalCodeGuessesAreThrottled(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		clk := clock.NewFixed(time.Now())
		th := startHubWith(t, newDSN(), t.TempDir(), func(c *hub.Config) { c.Clock = clk })
		a := openDesk(t, "deskA", true)
		a.join(t, th)
		a.sync(t)
		enroll := func() int {
			b, _ := json.Marshal(sync.EnrollRequest{Protocol: sync.ProtocolVersion, Code: "AAAAA-BBBBB", Empty: true})
			resp, err := http.Post(th.srv.URL+"/api/v1/enroll", "application/json", bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		// Desk A's enrollment took the first of this address's 10 tries.
		for i := 0; i < 9; i++ {
			if st := enroll(); st != http.StatusForbidden {
				t.Fatalf("guess %d: %d, want 403", i+1, st)
			}
		}
		if st := enroll(); st != http.StatusTooManyRequests {
			t.Fatalf("the 11th quick try from one address: %d, want 429", st)
		}
		clk.Advance(time.Minute)
		if st := enroll(); st != http.StatusForbidden {
			t.Fatalf("a guess a minute later: %d, want 403 (throttled, not locked out)", st)
		}

		email := a.client(t, 0).Email
		u := newPortalUser(t, th)
		_, page := u.get("/portal/")
		_, page = u.post("/portal/sign-in", url.Values{"csrf": {csrfOf(t, page)}, "email": {email}})
		csrf := csrfOf(t, page)
		statuses := []int{}
		for i := 0; i < 11; i++ {
			st, _ := u.post("/portal/verify", url.Values{"csrf": {csrf}, "email": {email}, "code": {"99999x"}})
			statuses = append(statuses, st)
		}
		if statuses[9] != http.StatusForbidden || statuses[10] != http.StatusTooManyRequests {
			t.Fatalf("portal guesses answered %v, want ten 403 then 429", statuses)
		}
	})
}

// Issue 12, point 8: pushes are bounded while they stream, refusals are
// permanent and explained, and blob bytes must match their name.
func TestHostilePushesAreBoundedAndRefusedForGood(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, a, b := seeded(t, newDSN())
		var cl store.Client
		th.hub().DB().Where("id = ?", a.client(t, 8).ID).First(&cl)
		cl.Alert = "fine"

		t.Run("a 257 MiB push", func(t *testing.T) {
			head := `{"changes":[{"id":"big","payload":"`
			body := io.MultiReader(strings.NewReader(head), io.LimitReader(repeatReader('a'), 257<<20-int64(len(head))))
			st, msg := rawPost(t, th, b, http.MethodPost, "/api/v1/push", body)
			if st != http.StatusRequestEntityTooLarge || !strings.Contains(string(msg), "larger than the hub accepts") {
				t.Fatalf("%d %s", st, msg)
			}
		})
		t.Run("too many changes", func(t *testing.T) {
			var cs []sync.WireChange
			for i := 0; i <= sync.MaxPushChanges; i++ {
				cs = append(cs, forged(t, "client", cl.ID, sync.OpUpdate, cl))
			}
			if st, _ := rawPush(t, th, b, cs...); st != http.StatusRequestEntityTooLarge {
				t.Fatalf("%d", st)
			}
		})
		t.Run("a change without an id", func(t *testing.T) {
			c := forged(t, "client", cl.ID, sync.OpUpdate, cl)
			c.ID = ""
			if st, _ := rawPush(t, th, b, c); st != http.StatusBadRequest {
				t.Fatalf("%d, want 400 (not 503, retried forever)", st)
			}
		})
		t.Run("a malformed payload", func(t *testing.T) {
			c := forged(t, "client", cl.ID, sync.OpUpdate, cl)
			c.Payload = `{"ID":`
			st, resp := rawPush(t, th, b, c)
			mustRefuse(t, th, st, resp, c, "could not be read")
		})
		t.Run("duplicate change ids", func(t *testing.T) {
			c := forged(t, "client", cl.ID, sync.OpUpdate, cl)
			d := c
			d.Payload = strings.Replace(c.Payload, `"fine"`, `"second"`, 1)
			st, body := rawPost(t, th, b, http.MethodPost, "/api/v1/push", bytes.NewReader(mustJSON(t, sync.PushRequest{Changes: []sync.WireChange{c, d}})))
			if st != http.StatusBadRequest || !strings.Contains(string(body), "twice") {
				t.Fatalf("%d %s", st, body)
			}
			if inHubLog(t, th, c.ID) {
				t.Fatal("half of a refused push was logged")
			}
		})
		t.Run("an unknown entity", func(t *testing.T) {
			c := forged(t, "wormhole", "w-1", sync.OpInsert, map[string]string{"id": "w-1"})
			st, resp := rawPush(t, th, b, c)
			mustRefuse(t, th, st, resp, c, "not known")
		})
		t.Run("bytes that do not match their SHA-256", func(t *testing.T) {
			claimed := sha256.Sum256([]byte("what the name promises\n"))
			sent := []byte("something else entirely\n")
			real := sha256.Sum256(sent)
			st, _ := rawPost(t, th, b, http.MethodPut, "/api/v1/blobs/"+hex.EncodeToString(claimed[:]), bytes.NewReader(sent))
			if st != http.StatusUnprocessableEntity {
				t.Fatalf("%d", st)
			}
			if th.hub().Blobs().Has(hex.EncodeToString(real[:])) || th.hub().Blobs().Has(hex.EncodeToString(claimed[:])) {
				t.Fatal("the hub kept bytes that did not match their name")
			}
		})
		t.Run("enroll-code leaves uploads in flight alone", func(t *testing.T) {
			inflight := filepath.Join(th.dir, "blobs", "tmp", "put-0123456789abcdef-1.tmp")
			if err := os.WriteFile(inflight, []byte("half an upload"), 0o600); err != nil {
				t.Fatal(err)
			}
			// What `clinicdesk-hub enroll-code` does while the hub runs.
			h2, err := hub.Open(hub.Config{DB: th.dsn, BlobDir: filepath.Join(th.dir, "blobs")})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := h2.NewEnrollCode("cli"); err != nil {
				t.Fatal(err)
			}
			h2.Close()
			if _, err := os.Stat(inflight); err != nil {
				t.Fatalf("the upload in flight was removed: %v", err)
			}
			old := time.Now().Add(-25 * time.Hour)
			os.Chtimes(inflight, old, old)
			h3, err := hub.Open(hub.Config{DB: th.dsn, BlobDir: filepath.Join(th.dir, "blobs")})
			if err != nil {
				t.Fatal(err)
			}
			h3.Close()
			if _, err := os.Stat(inflight); !os.IsNotExist(err) {
				t.Fatalf("a day-old leftover was kept: %v", err)
			}
		})
		// After all of it the desks still sync and agree.
		a.sync(t)
		b.sync(t)
		assertSame(t, th, a, b)
	})
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Issue 12, point 9: on PostgreSQL 60 concurrent wrong codes were compared
// 7–37 times, and the right code was accepted after up to 59 wrong ones.
func TestPortalTriesAreCountedAtomicallyUnderConcurrency(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th := startHubWith(t, newDSN(), t.TempDir(), func(c *hub.Config) {
			c.Throttle = hub.ThrottleConfig{PerAddress: rate.Inf, PerTarget: rate.Inf} // the counter alone is under test
		})
		a := openDesk(t, "deskA", true)
		a.join(t, th)
		a.sync(t)
		email := a.client(t, 0).Email
		u := newPortalUser(t, th)
		_, page := u.get("/portal/")
		_, page = u.post("/portal/sign-in", url.Values{"csrf": {csrfOf(t, page)}, "email": {email}})
		csrf := csrfOf(t, page)
		code := lastCode(t, th, email)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		var mu gosync.Mutex
		compared, refused := 0, 0
		var wg gosync.WaitGroup
		for i := 0; i < 60; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := u.c.PostForm(u.base+"/portal/verify", url.Values{"csrf": {csrf}, "email": {email}, "code": {wrong}})
				if err != nil {
					t.Error(err)
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				mu.Lock()
				defer mu.Unlock()
				switch {
				case strings.Contains(string(b), "not right"):
					compared++
				case strings.Contains(string(b), "Too many wrong tries"):
					refused++
				default:
					t.Errorf("unexpected answer %d", resp.StatusCode)
				}
			}()
		}
		wg.Wait()
		if compared > 5 || compared+refused != 60 {
			t.Fatalf("%d wrong codes compared (at most 5), %d refused", compared, refused)
		}
		st, pg := u.post("/portal/verify", url.Values{"csrf": {csrf}, "email": {email}, "code": {code}})
		if st != http.StatusForbidden || !strings.Contains(pg, "Too many wrong tries") {
			t.Fatalf("the right code after the wrong ones: %d", st)
		}
	})
}

// Issue 12, point 10: a share on one desk and a delete on another end the
// same whichever reaches the hub first: both survive (docs/sync.md).
func TestDeleteAndShareOfOneAttachmentEndTheSameInBothOrders(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		for _, deleteFirst := range []bool{false, true} {
			t.Run(fmt.Sprintf("delete first %v", deleteFirst), func(t *testing.T) {
				th, a, b := seeded(t, newDSN())
				owner := a.staff(t, store.RoleOwner)
				if _, err := a.Settings.SetRecordsDeletion(owner, true); err != nil {
					t.Fatal(err)
				}
				thr := a.compose(t, owner, a.client(t, 5), "Share and delete", []byte("both\n"))
				a.sync(t)
				b.sync(t)
				att := attachmentOf(t, a, thr.ID)
				if _, err := a.Attachments.SetShared(owner, att.ID, true); err != nil {
					t.Fatal(err)
				}
				if err := b.Attachments.Delete(b.staff(t, store.RoleOwner), att.ID); err != nil {
					t.Fatal(err)
				}
				first, second := a, b
				if deleteFirst {
					first, second = b, a
				}
				first.sync(t)
				second.sync(t)
				first.sync(t)
				assertSame(t, th, a, b)
				for _, d := range []*testDesk{a, b} {
					got := attachmentOf(t, d, thr.ID)
					if !got.SharedWithStaff || got.DeletedAt == nil {
						t.Errorf("%s: shared=%v deleted=%v, want both", d.name, got.SharedWithStaff, got.DeletedAt != nil)
					}
					if ns, _ := d.eng.Notices(); len(ns) != 0 {
						t.Errorf("%s: notices %+v", d.name, ns)
					}
				}
			})
		}
	})
}

// The checks above must never refuse what an honest desk does: compose,
// reply, read, share, delete, restore, copy to Documents on File, a Client
// Alert, booking and moving an appointment, settings.
func TestHonestDeskWorkIsNeverRefused(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, a, b := seeded(t, newDSN())
		// As on a real desk, whoever acts is the one signed in: each
		// b.staff(t, ...) call signs that member in right before they act
		// (the clinician below is only the appointment's clinician).
		clin := b.staff(t, store.RoleClinician)
		owner := b.staff(t, store.RoleOwner)
		c := b.client(t, 9)
		if _, err := b.Settings.SetRecordsDeletion(owner, true); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Settings.SetLockAfterMinutes(owner, 15); err != nil {
			t.Fatal(err)
		}
		thr := b.compose(t, owner, c, "Honest work", []byte("honest file\n"))
		if _, err := b.Messages.Reply(owner, dto.ReplyRequest{ThreadID: thr.ID, Body: "A reply on the same desk"}); err != nil {
			t.Fatal(err)
		}
		att := attachmentOf(t, b, thr.ID)
		if _, err := b.Attachments.SetShared(owner, att.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Attachments.CopyToDocuments(owner, att.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Clients.SetAlert(owner, c.ID, strings.Repeat("a", 500)); err != nil {
			t.Fatal(err)
		}
		start := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Hour)
		ap, err := b.Calendar.Create(owner, dto.AppointmentInput{ClientID: c.ID, StaffID: clin.StaffID, StartsAt: start.Format(time.RFC3339),
			EndsAt: start.Add(time.Hour).Format(time.RFC3339), Service: "Intake", Location: "Room 1", AllowOverlap: true})
		if err != nil {
			t.Fatal(err)
		}
		b.sync(t)
		a.sync(t)
		// Desk A replies in B's thread as a participant, reads it, deletes
		// the file and an owner restores it; B moves the appointment.
		aOwner := a.staff(t, store.RoleOwner)
		if _, err := a.Messages.Open(aOwner, thr.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Messages.Reply(aOwner, dto.ReplyRequest{ThreadID: thr.ID, Body: "A reply from desk A"}); err != nil {
			t.Fatal(err)
		}
		if err := a.Attachments.Delete(aOwner, att.ID); err != nil {
			t.Fatal(err)
		}
		owner = b.staff(t, store.RoleOwner)
		if _, err := b.Calendar.Update(owner, ap.ID, dto.AppointmentInput{ClientID: c.ID, StaffID: clin.StaffID, StartsAt: start.Add(time.Hour).Format(time.RFC3339),
			EndsAt: start.Add(2 * time.Hour).Format(time.RFC3339), Service: "Intake", Location: "Room 2", AllowOverlap: true}); err != nil {
			t.Fatal(err)
		}
		a.sync(t)
		b.sync(t)
		owner = b.staff(t, store.RoleOwner)
		if err := b.Attachments.Restore(owner, att.ID); err != nil {
			t.Fatal(err)
		}
		b.sync(t)
		a.sync(t)
		for _, d := range []*testDesk{a, b} {
			if ns, _ := d.eng.Notices(); len(ns) != 0 {
				t.Errorf("%s: the hub refused honest work: %+v", d.name, ns)
			}
		}
		var refused int64
		th.hub().DB().Raw(`SELECT COUNT(*) FROM hub_rejections`).Scan(&refused)
		if refused != 0 {
			t.Errorf("%d honest changes refused", refused)
		}
		assertSame(t, th, a, b)
	})
}
