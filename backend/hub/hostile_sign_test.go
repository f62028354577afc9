package hub_test

// The hostile desk, authentication half (issue 12, items 1, 2, 4's audit
// part and 7's enrollment parts). The attacker holds one enrolled desk's
// token and talks to the hub directly, with no staff member's PIN: nothing
// they push in a staff member's name may be believed, and nothing refused
// may enter the hub's log. These tests speak raw JSON over HTTP, as an
// attacker would, so they need nothing from the desk's own code.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
)

// deskToken reads a desk's hub token from its database, as an attacker
// holding the desk's disk would.
func deskToken(t testing.TB, d *testDesk) string {
	t.Helper()
	var tok []string
	if err := d.DB.Raw(`SELECT value FROM sync_state WHERE key = 'token'`).Scan(&tok).Error; err != nil || len(tok) != 1 {
		t.Fatalf("%s has no token: %v", d.name, err)
	}
	return tok[0]
}

// postJSON sends body as JSON to the hub with token and decodes the answer
// into out (when the status is 200).
func postJSON(t testing.TB, th *testHub, token, path string, body, out any) int {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, th.srv.URL+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK && out != nil {
		if err := json.Unmarshal(rb, out); err != nil {
			t.Fatalf("%s answer %s: %v", path, rb, err)
		}
	}
	return resp.StatusCode
}

// forged is a change as a hostile desk writes it: any actor it likes, a
// fresh stamp (newer than the row's, so it would win), no signature.
func forgedMap(entity, id, op string, row any, actor, action, detail string) map[string]any {
	payload, _ := json.Marshal(row)
	return map[string]any{
		"id": uuid.Must(uuid.NewV7()).String(), "hlc": fmt.Sprintf("%013d-%06d", time.Now().UnixMilli(), 0),
		"origin": "whatever", "entity": entity, "entityId": id, "op": op, "payload": string(payload),
		"actor": actor, "action": action, "detail": detail,
	}
}

// pushForged pushes changes with token and returns each change's result.
func pushForged(t testing.TB, th *testHub, token string, changes ...map[string]any) map[string]sync.PushResult {
	t.Helper()
	var resp sync.PushResponse
	if st := postJSON(t, th, token, "/api/v1/push", map[string]any{"changes": changes}, &resp); st != http.StatusOK {
		t.Fatalf("push answered %d", st)
	}
	out := map[string]sync.PushResult{}
	for _, r := range resp.Results {
		out[r.ID] = r
	}
	return out
}

// assertRefused checks that a forged change was refused and never entered
// the hub's log (so no desk ever pulls it).
func assertRefused(t testing.TB, th *testHub, res map[string]sync.PushResult, c map[string]any, what string) {
	t.Helper()
	id := c["id"].(string)
	if r := res[id]; r.Status != sync.StatusRejected || r.Reason == "" {
		t.Errorf("%s: result %+v, want a refusal with a reason", what, r)
	}
	var n int64
	th.hub().DB().Raw(`SELECT COUNT(*) FROM hub_changes WHERE id = ?`, id).Scan(&n)
	if n != 0 {
		t.Errorf("%s: the refused change is in the hub's log", what)
	}
}

func hubStaff(t testing.TB, th *testHub, role string) store.Staff {
	t.Helper()
	var s store.Staff
	if err := th.hub().DB().Where("role = ? AND active = ?", role, true).Order("id").First(&s).Error; err != nil {
		t.Fatalf("the hub has no %s: %v", role, err)
	}
	return s
}

// Issue 12, item 1: a desk where nobody signed in turned Records Deletion on
// and deleted an attachment by naming the owner.
func TestHostileDeskCannotActAsTheOwnerByNamingHer(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, _, b := seeded(t, newDSN())
		owner := hubStaff(t, th, store.RoleOwner)
		tok := deskToken(t, b)

		var set store.Settings
		if err := th.hub().DB().Where("id = 1").First(&set).Error; err != nil {
			t.Fatal(err)
		}
		if set.RecordsDeletion {
			t.Fatal("the demo practice starts with Records Deletion on")
		}
		set.RecordsDeletion = true
		set.RecordsDeletionChangedBy = &owner.ID
		turnOn := forgedMap("settings", "1", sync.OpUpdate, set, owner.ID, "setting_changed", `{"setting":"records_deletion","value":true}`)

		var att store.Attachment
		if err := th.hub().DB().Where("removed_at IS NULL").Order("id").First(&att).Error; err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		att.DeletedAt, att.DeletedByStaffID = &now, &owner.ID
		del := forgedMap("attachment", att.ID, sync.OpUpdate, att, owner.ID, "delete", "")
		// The same delete naming nobody at all.
		anon := forgedMap("attachment", att.ID, sync.OpUpdate, att, "", "delete", "")

		res := pushForged(t, th, tok, turnOn, del, anon)
		assertRefused(t, th, res, turnOn, "Records Deletion turned on in the owner's name")
		assertRefused(t, th, res, del, "attachment deleted in the owner's name")
		assertRefused(t, th, res, anon, "attachment deleted naming nobody")

		var rd bool
		th.hub().DB().Model(&store.Settings{}).Where("id = 1").Pluck("records_deletion", &rd)
		if rd {
			t.Error("the hub turned Records Deletion on")
		}
		var removed int64
		th.hub().DB().Model(&store.Attachment{}).Where("id = ? AND removed_at IS NOT NULL", att.ID).Count(&removed)
		if removed != 0 {
			t.Error("the hub deleted the attachment")
		}
		// A signature field that is present but not the owner's changes nothing.
		fake := forgedMap("settings", "1", sync.OpUpdate, set, owner.ID, "setting_changed", `{"setting":"records_deletion","value":true}`)
		fake["signer"], fake["signature"] = owner.ID, "AAAA"
		assertRefused(t, th, pushForged(t, th, tok, fake), fake, "Records Deletion with a made-up signature")
		// A retry gets the same refusal.
		again := pushForged(t, th, tok, turnOn)
		assertRefused(t, th, again, turnOn, "the retried change")
	})
}

// Issue 12, item 2: staff rows were not re-checked: a push made a front-desk
// member an owner and set the owner's credential to empty; another desk then
// signed in as the owner with an empty PIN.
func TestHostileDeskCannotPromoteStaffOrEmptyTheOwnersPIN(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, _, b := seeded(t, newDSN())
		owner := hubStaff(t, th, store.RoleOwner)
		front := hubStaff(t, th, store.RoleFrontDesk)
		tok := deskToken(t, b)

		promoted := front
		promoted.Role = store.RoleOwner
		promote := forgedMap("staff", front.ID, sync.OpUpdate, promoted, front.ID, "", "")
		promoteAsOwner := forgedMap("staff", front.ID, sync.OpUpdate, promoted, owner.ID, "", "")
		emptied := owner
		emptied.Credential = ""
		empty := forgedMap("staff", owner.ID, sync.OpUpdate, emptied, owner.ID, "", "")
		emptyAnon := forgedMap("staff", owner.ID, sync.OpUpdate, emptied, "", "", "")
		newOwner := store.Staff{ID: uuid.NewString(), FirstName: "Eve", LastName: "Intruder", Role: store.RoleOwner, Active: true,
			CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
		add := forgedMap("staff", newOwner.ID, sync.OpInsert, newOwner, "", "", "")

		res := pushForged(t, th, tok, promote, promoteAsOwner, empty, emptyAnon, add)
		assertRefused(t, th, res, promote, "front desk made owner")
		assertRefused(t, th, res, promoteAsOwner, "front desk made owner in the owner's name")
		assertRefused(t, th, res, empty, "owner's credential emptied in her name")
		assertRefused(t, th, res, emptyAnon, "owner's credential emptied naming nobody")
		assertRefused(t, th, res, add, "a new owner added")

		var role, cred string
		th.hub().DB().Model(&store.Staff{}).Where("id = ?", front.ID).Pluck("role", &role)
		th.hub().DB().Model(&store.Staff{}).Where("id = ?", owner.ID).Pluck("credential", &cred)
		if role != store.RoleFrontDesk || cred == "" {
			t.Errorf("hub: front desk role %q, owner credential empty=%v", role, cred == "")
		}
		var n int64
		th.hub().DB().Model(&store.Staff{}).Where("id = ?", newOwner.ID).Count(&n)
		if n != 0 {
			t.Error("the hub added the forged owner")
		}

		// Another desk joins and pulls the practice: nobody signs in as the
		// owner with an empty PIN.
		c := openDesk(t, "deskC", false)
		c.join(t, th)
		c.sync(t)
		if _, err := c.Auth.SignIn(owner.ID, ""); !apperr.Is(err, apperr.BadCredentials) {
			t.Errorf("desk C, owner with an empty PIN: %v, want bad_credentials", err)
		}
		if a := c.Session.Actor(); a.StaffID != "" {
			t.Errorf("desk C signed in %+v", a)
		}
	})
}

// Issue 12, item 4 (audit part): a back-dated audit entry "by" the owner was
// accepted and relayed, and the audit chain still verified.
func TestHostileDeskCannotWriteAuditEntriesInTheOwnersName(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, a, b := seeded(t, newDSN())
		a.compose(t, a.staff(t, store.RoleOwner), a.client(t, 3), "A real audited action", nil)
		a.sync(t)
		owner := hubStaff(t, th, store.RoleOwner)
		tok := deskToken(t, b)
		ev := store.AuditEvent{ID: uuid.NewString(), At: time.Now().UTC().AddDate(0, -3, 0), StaffID: owner.ID,
			Action: "setting_changed", Detail: `{"setting":"records_deletion","value":true}`}
		backdated := forgedMap(sync.EntityAudit, ev.ID, sync.OpInsert, ev, "", "", "")
		named := forgedMap(sync.EntityAudit, ev.ID, sync.OpInsert, ev, owner.ID, "", "")
		var real store.AuditEvent
		if err := th.hub().DB().Order("id").First(&real).Error; err != nil {
			t.Fatal(err)
		}
		erase := forgedMap(sync.EntityAudit, real.ID, sync.OpDelete, map[string]string{"id": real.ID}, owner.ID, "", "")

		res := pushForged(t, th, tok, backdated, named, erase)
		assertRefused(t, th, res, backdated, "back-dated audit entry by the owner")
		assertRefused(t, th, res, named, "audit entry by the owner, naming her")
		assertRefused(t, th, res, erase, "an audit entry deleted")
		var n int64
		th.hub().DB().Model(&store.AuditEvent{}).Where("id = ?", ev.ID).Count(&n)
		if n != 0 {
			t.Error("the hub kept the forged audit entry")
		}
		th.hub().DB().Model(&store.AuditEvent{}).Where("id = ?", real.ID).Count(&n)
		if n != 1 {
			t.Error("the hub deleted a real audit entry")
		}
	})
}

// Issue 12, item 7 (enrollment): enrolling with another desk's id locked that
// desk out.
func TestEnrollingCannotTakeAnotherDesksID(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, a, _ := seeded(t, newDSN())
		var aID string
		th.hub().DB().Raw(`SELECT id FROM hub_desks WHERE name = 'deskA'`).Scan(&aID)
		if aID == "" {
			t.Fatal("the hub does not list desk A")
		}
		var resp map[string]any
		st := postJSON(t, th, "", "/api/v1/enroll", map[string]any{"protocol": sync.ProtocolVersion, "code": th.code(),
			"deskId": aID, "deskName": "intruder", "empty": true}, &resp)
		if st == http.StatusOK && resp["deskId"] == aID {
			t.Errorf("the hub gave the intruder desk A's id")
		}
		// Desk A still syncs with its own token.
		owner := a.staff(t, store.RoleOwner)
		if _, err := a.Clients.SetAlert(owner, a.client(t, 1).ID, "still here"); err != nil {
			t.Fatal(err)
		}
		a.sync(t)
		var n int64
		th.hub().DB().Raw(`SELECT COUNT(*) FROM hub_desks WHERE id = ? AND revoked_at IS NULL`, aID).Scan(&n)
		if n != 1 {
			t.Error("desk A lost its place at the hub")
		}
	})
}

// Issue 12, item 7 (codes): any desk minted enrollment codes by naming the
// owner.
func TestEnrollmentCodesNeedTheOwnersSignatureNotHerName(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, _, b := seeded(t, newDSN())
		owner := hubStaff(t, th, store.RoleOwner)
		tok := deskToken(t, b)
		for _, body := range []map[string]any{
			{"staffId": owner.ID},
			{"staffId": owner.ID, "at": time.Now().UTC().Format(time.RFC3339), "signature": "AAAA"},
		} {
			var out sync.EnrollCodeResponse
			if st := postJSON(t, th, tok, "/api/v1/enroll-codes", body, &out); st != http.StatusForbidden || out.Code != "" {
				t.Errorf("code request %v: status %d, code %q; want 403 and no code", body, st, out.Code)
			}
		}
		var n int64
		th.hub().DB().Raw(`SELECT COUNT(*) FROM hub_enroll_codes WHERE created_by = ?`, owner.ID).Scan(&n)
		if n != 0 {
			t.Errorf("%d codes minted in the owner's name", n)
		}
	})
}
