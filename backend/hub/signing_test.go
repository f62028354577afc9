package hub_test

// Signed changes between honest desks and a hostile one that holds more
// than a token: a real signature taken from another desk, or a staff
// member's own key (their PIN guessed) used for someone else.

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"clinicdesk/backend/auth"
	"clinicdesk/backend/demo"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
)

// pendingOf returns desk d's unpushed changes as it would push them.
func pendingOf(t testing.TB, d *testDesk, entity string) []map[string]any {
	t.Helper()
	var rows []struct {
		ID, HLC, Origin, Entity, EntityID, Op, Payload, Signer, Signature string
		Actor, Action, Detail                                             *string
	}
	if err := d.DB.Raw(`SELECT c.id, c.hlc, c.origin, c.entity, c.entity_id, c.op, c.payload, c.signer, c.signature, a.actor, a.action, a.detail
		FROM changes c LEFT JOIN sync_change_actors a ON a.change_id = c.id WHERE c.pushed_at IS NULL AND c.entity = ? ORDER BY c.seq`, entity).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, r := range rows {
		m := map[string]any{"id": r.ID, "hlc": r.HLC, "origin": r.Origin, "entity": r.Entity, "entityId": r.EntityID, "op": r.Op,
			"payload": r.Payload, "signer": r.Signer, "signature": r.Signature}
		if r.Actor != nil {
			m["actor"], m["action"] = *r.Actor, *r.Action
			if *r.Detail != "{}" {
				m["detail"] = *r.Detail
			}
		}
		out = append(out, m)
	}
	return out
}

// An owner's real, signed change copied off desk A and pushed with desk B's
// token does not verify (it is bound to desk A); desk A's own push of it is
// accepted.
func TestSignedChangeReplayedByAnotherDeskIsRefused(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, a, b := seeded(t, newDSN())
		if _, err := a.Settings.SetRecordsDeletion(a.staff(t, store.RoleOwner), true); err != nil {
			t.Fatal(err)
		}
		stolen := pendingOf(t, a, "settings")
		if len(stolen) != 1 || stolen[0]["signature"] == "" {
			t.Fatalf("desk A's settings change: %+v", stolen)
		}
		assertRefused(t, th, pushForged(t, th, deskToken(t, b), stolen[0]), stolen[0], "desk A's signed change pushed by desk B")
		a.sync(t)
		var rd bool
		th.hub().DB().Model(&store.Settings{}).Where("id = 1").Pluck("records_deletion", &rd)
		if !rd {
			t.Error("desk A's own signed change was not accepted")
		}
	})
}

// signAs signs a forged change with a real staff key, as a desk holding
// that member's PIN could.
func signAs(t testing.TB, th *testHub, c map[string]any, s store.Staff, key ed25519.PrivateKey, deskID string) {
	t.Helper()
	c["origin"], c["signer"] = deskID, s.ID
	w := sync.WireChange{ID: c["id"].(string), HLC: c["hlc"].(string), Origin: deskID, Entity: c["entity"].(string),
		EntityID: c["entityId"].(string), Op: c["op"].(string), Payload: c["payload"].(string)}
	w.Action, _ = c["action"].(string)
	w.Detail, _ = c["detail"].(string)
	c["signature"] = sync.Sign(key, sync.SigningBytes(w, s.ID))
}

func hubDeskID(t testing.TB, th *testHub, name string) string {
	t.Helper()
	var id string
	th.hub().DB().Raw(`SELECT id FROM hub_desks WHERE name = ?`, name).Scan(&id)
	if id == "" {
		t.Fatalf("the hub does not list %s", name)
	}
	return id
}

// A front-desk member's own key (their PIN known) signs only as them: not
// an audit entry of the owner's, not a role change, not the owner's PIN.
func TestAStaffKeySignsOnlyForItsOwner(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, _, b := seeded(t, newDSN())
		owner, front := hubStaff(t, th, store.RoleOwner), hubStaff(t, th, store.RoleFrontDesk)
		key, err := auth.Unseal(front.ID, front.SigningKey, front.SealedKey, demo.PIN)
		if err != nil {
			t.Fatal(err)
		}
		bID := hubDeskID(t, th, "deskB")
		ev := store.AuditEvent{ID: uuid.NewString(), At: time.Now().UTC().AddDate(0, -1, 0), StaffID: owner.ID, Action: "export"}
		audit := forgedMap(sync.EntityAudit, ev.ID, sync.OpInsert, ev, "", "", "")
		signAs(t, th, audit, front, key, bID)
		promoted := front
		promoted.Role = store.RoleOwner
		promote := forgedMap("staff", front.ID, sync.OpUpdate, promoted, "", "", "")
		signAs(t, th, promote, front, key, bID)
		pinHash, _ := auth.Hash("13579135")
		newPIN := owner
		newPIN.Credential = pinHash
		resetOwner := forgedMap("staff", owner.ID, sync.OpUpdate, newPIN, "", "", "")
		signAs(t, th, resetOwner, front, key, bID)
		own := store.AuditEvent{ID: uuid.NewString(), At: time.Now().UTC(), StaffID: front.ID, Action: "view"}
		honest := forgedMap(sync.EntityAudit, own.ID, sync.OpInsert, own, "", "", "")
		signAs(t, th, honest, front, key, bID)

		res := pushForged(t, th, deskToken(t, b), audit, promote, resetOwner, honest)
		assertRefused(t, th, res, audit, "the owner's audit entry signed by the front desk")
		assertRefused(t, th, res, promote, "the front desk promoting themselves")
		assertRefused(t, th, res, resetOwner, "the front desk setting the owner's PIN")
		if r := res[honest["id"].(string)]; r.Status != sync.StatusAccepted {
			t.Errorf("the front desk's own audit entry: %+v", r)
		}
	})
}

// A practice from before signing keys: each member gets a key at their next
// sign-in, the hub learns it from their signed staff row, and until then
// nothing signed in their name is believed.
func TestStaffGetKeysAtTheirNextSignInAndNotBefore(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th := startHub(t, newDSN())
		a := openDesk(t, "deskA", true)
		// As an upgraded desk of an old practice: nobody has a key yet.
		if err := a.DB.Exec(`UPDATE staff SET signing_key = '', sealed_key = ''`).Error; err != nil {
			t.Fatal(err)
		}
		a.join(t, th)
		a.sync(t)
		owner := hubStaff(t, th, store.RoleOwner)
		if owner.SigningKey != "" {
			t.Fatal("the hub has a key nobody made")
		}
		// A key made up by a hostile desk is not the owner's.
		_, fake, _ := ed25519.GenerateKey(rand.Reader)
		var set store.Settings
		th.hub().DB().Where("id = 1").First(&set)
		set.RecordsDeletion = true
		c := forgedMap("settings", "1", sync.OpUpdate, set, owner.ID, "setting_changed", `{"setting":"records_deletion","value":true}`)
		signAs(t, th, c, owner, fake, hubDeskID(t, th, "deskA"))
		assertRefused(t, th, pushForged(t, th, deskToken(t, a), c), c, "a change signed by a key the hub never registered")
		// Nor may a first key come with a new PIN.
		pub, sealed, err := auth.NewStaffKey(owner.ID, "24681357")
		if err != nil {
			t.Fatal(err)
		}
		sk, _ := auth.Unseal(owner.ID, pub, sealed, "24681357")
		takeover := owner
		takeover.SigningKey, takeover.SealedKey = pub, sealed
		takeover.Credential, _ = auth.Hash("24681357")
		tc := forgedMap("staff", owner.ID, sync.OpUpdate, takeover, "", "", "")
		signAs(t, th, tc, owner, sk, hubDeskID(t, th, "deskA"))
		assertRefused(t, th, pushForged(t, th, deskToken(t, a), tc), tc, "a first key with a new PIN")

		// The owner signs in: her key is made, registered, and her change counts.
		if _, err := a.Settings.SetRecordsDeletion(a.staff(t, store.RoleOwner), true); err != nil {
			t.Fatal(err)
		}
		a.sync(t)
		owner = hubStaff(t, th, store.RoleOwner)
		if owner.SigningKey == "" {
			t.Fatal("the owner's first key did not reach the hub")
		}
		var rd bool
		th.hub().DB().Model(&store.Settings{}).Where("id = 1").Pluck("records_deletion", &rd)
		if !rd {
			t.Error("the owner's signed change was not accepted")
		}
		if n := count(t, th.hub().DB(), "hub_rejections"); n != 2 {
			t.Errorf("%d refusals, want the 2 forged changes", n)
		}
		b := openDesk(t, "deskB", false)
		b.join(t, th)
		b.sync(t)
		assertSame(t, th, a, b)
	})
}

// An owner signed in on a desk gets enrollment codes; a front-desk member
// and a desk with nobody signed in do not.
func TestOnlyASignedInOwnerGetsEnrollmentCodes(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, a, b := seeded(t, newDSN())
		ctx := context.Background()
		if _, err := b.eng.NewEnrollCode(ctx, b.Session); err == nil {
			t.Error("a desk with nobody signed in got a code")
		}
		b.staff(t, store.RoleFrontDesk)
		if _, err := b.eng.NewEnrollCode(ctx, b.Session); err == nil {
			t.Error("the front desk got a code")
		}
		a.staff(t, store.RoleOwner)
		code, err := a.eng.NewEnrollCode(ctx, a.Session)
		if err != nil || code.Code == "" {
			t.Fatalf("the owner's code: %+v, %v", code, err)
		}
		c := openDesk(t, "deskC", false)
		if err := c.eng.Join(ctx, th.srv.URL, code.Code); err != nil {
			t.Fatalf("desk C joins with the owner's code: %v", err)
		}
		// The owner's signed request is bound to desk A: desk B cannot reuse it.
		_, key, _ := ed25519.GenerateKey(rand.Reader)
		at := time.Now().UTC().Format(time.RFC3339)
		req := sync.EnrollCodeRequest{StaffID: hubStaff(t, th, store.RoleOwner).ID, At: at,
			Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(key, []byte("x")))}
		if st := postJSON(t, th, deskToken(t, b), "/api/v1/enroll-codes", req, nil); st != http.StatusForbidden {
			t.Errorf("a code request with another key: %d", st)
		}
	})
}
