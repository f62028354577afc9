package sync

import (
	"crypto/ed25519"
	"crypto/rand"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/clock"
	"clinicdesk/backend/store"
)

type fixedSigner struct {
	id  string
	key ed25519.PrivateKey
}

func (f fixedSigner) SigningKey() (string, ed25519.PrivateKey, bool) {
	return f.id, f.key, f.key != nil
}

func openTestDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// A desk does not take the hub's word for a staff row: one with an empty
// credential or an unknown role is never written (issue 12, item 2).
func TestDeskRefusesStaffRowsNoDeskMayHold(t *testing.T) {
	db := openTestDB(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	rec := NewRecorder("desk-a", clock.NewFixed(now))
	good := `{"ID":"s-1","FirstName":"Olive","LastName":"Owner","Role":"owner","Credential":"$argon2id$v=19$m=32768,t=2,p=2$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5","Active":true}`
	cases := []struct{ name, payload string }{
		{"malformed credential", `{"ID":"s-1","FirstName":"Olive","LastName":"Owner","Role":"owner","Credential":"1234","Active":true}`},
		{"unknown role", `{"ID":"s-1","FirstName":"Olive","LastName":"Owner","Role":"root","Credential":"$argon2id$x","Active":true}`},
		{"another id", `{"ID":"s-2","FirstName":"Olive","LastName":"Owner","Role":"owner","Credential":"$argon2id$x","Active":true}`},
		{"half a key", `{"ID":"s-1","FirstName":"Olive","LastName":"Owner","Role":"owner","Credential":"$argon2id$x","SigningKey":"abc","Active":true}`},
	}
	for i, c := range cases {
		err := db.Tx(func(tx *gorm.DB) error {
			_, err := rec.applyBatch(tx, []WireChange{{Cursor: int64(i + 1), ID: "bad-" + c.name, HLC: "1764400000000-000001", Origin: "hub",
				Entity: "staff", EntityID: "s-1", Op: OpUpdate, Payload: c.payload}}, int64(i+1), now)
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var n int64
		db.Model(&store.Staff{}).Count(&n)
		if n != 0 {
			t.Fatalf("%s: the desk wrote the staff row", c.name)
		}
	}
	err := db.Tx(func(tx *gorm.DB) error {
		_, err := rec.applyBatch(tx, []WireChange{{Cursor: 9, ID: "good", HLC: "1764400000000-000002", Origin: "hub",
			Entity: "staff", EntityID: "s-1", Op: OpUpdate, Payload: good}}, 9, now)
		return err
	})
	var n int64
	db.Model(&store.Staff{}).Count(&n)
	if err != nil || n != 1 {
		t.Fatalf("a valid staff row: %v, %d rows", err, n)
	}
	// Once a member has a credential, the hub cannot empty it.
	err = db.Tx(func(tx *gorm.DB) error {
		_, err := rec.applyBatch(tx, []WireChange{{Cursor: 10, ID: "emptied", HLC: "1764400000000-000003", Origin: "hub",
			Entity: "staff", EntityID: "s-1", Op: OpUpdate, Payload: `{"ID":"s-1","FirstName":"Olive","LastName":"Owner","Role":"owner","Credential":"","Active":true}`}}, 10, now)
		return err
	})
	var cred string
	db.Model(&store.Staff{}).Where("id = 's-1'").Pluck("credential", &cred)
	if err != nil || cred == "" {
		t.Fatalf("the hub emptied a credential on the desk (%v)", err)
	}
}

// Seal signs the changes a transaction recorded as the signed-in member,
// never a change naming someone else, and nothing when nobody is signed in.
func TestSealSignsOnlyWhatTheSignedInMemberMade(t *testing.T) {
	db := openTestDB(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	rec := NewRecorder("desk-a", clock.NewFixed(now))
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	var signer Signer = fixedSigner{}
	db.BeforeCommit = func(tx *gorm.DB) error { return rec.Seal(tx, signer) }
	if err := setState(db.DB, "hub_url", "https://hub.test"); err != nil {
		t.Fatal(err)
	}
	record := func(entity, id string, row any) {
		t.Helper()
		if err := db.Tx(func(tx *gorm.DB) error { return rec.Record(tx, entity, id, OpInsert, row) }); err != nil {
			t.Fatal(err)
		}
	}
	record("client", "c-0", map[string]string{"ID": "c-0"}) // nobody signed in
	signer = fixedSigner{"s-1", key}
	record("client", "c-1", map[string]string{"ID": "c-1"})
	record(EntityAudit, "a-1", store.AuditEvent{ID: "a-1", StaffID: "s-1", Action: "view"})
	record(EntityAudit, "a-2", store.AuditEvent{ID: "a-2", StaffID: "s-2", Action: "view"})
	var rows []pendingRow
	if err := db.Raw(`SELECT seq, id, hlc, origin, entity, entity_id, op, payload, signer, signature FROM changes ORDER BY seq`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"c-0": "", "c-1": "s-1", "a-1": "s-1", "a-2": ""}
	for _, r := range rows {
		if r.Signer != want[r.EntityID] {
			t.Errorf("%s signed by %q, want %q", r.EntityID, r.Signer, want[r.EntityID])
		}
		if r.Signer != "" && !VerifySignature(pub, SigningBytes(r.wire(), r.Signer), r.Signature) {
			t.Errorf("%s: the signature does not verify", r.EntityID)
		}
		if r.Signer != "" {
			other := r.wire()
			other.Origin = "desk-b"
			if VerifySignature(pub, SigningBytes(other, r.Signer), r.Signature) {
				t.Errorf("%s: the signature verifies for another desk", r.EntityID)
			}
		}
	}
	if len(rows) != 4 {
		t.Fatalf("%d changes", len(rows))
	}
}
