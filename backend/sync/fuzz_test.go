package sync

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/clock"
	"clinicdesk/backend/store"
)

var errRollBack = errors.New("roll back")

// FuzzApplyPull feeds pull answers, as the hub's body would arrive, to the
// desk's apply. Whatever the bytes: no panic; a batch that applies applies
// idempotently (a second apply of the same batch changes nothing); and a
// batch that fails leaves the database as it was (the engine rolls back).
func FuzzApplyPull(f *testing.F) {
	hlc := "1764400000000-000001"
	client := `{"ID":"c-1","FirstName":"Ada","LastName":"Quill","DateOfBirth":"1980-02-03","Alert":"ramp access","CreatedAt":"2026-01-01T00:00:00Z","UpdatedAt":"2026-01-01T00:00:00Z"}`
	batch := func(cs ...WireChange) string {
		b, _ := json.Marshal(PullResponse{Changes: cs, Practice: PracticeReady})
		return string(b)
	}
	ch := func(id, entity, entityID, op, payload string) WireChange {
		return WireChange{Cursor: 1, ID: id, HLC: hlc, Origin: "desk-b", Entity: entity, EntityID: entityID, Op: op, Payload: payload}
	}
	f.Add(batch(ch("x-1", "client", "c-1", "update", client)))
	f.Add(batch(ch("x-1", "client", "c-1", "upsert", client)))
	f.Add(batch(ch("x-1", "client", "c-1", "update", client), ch("x-2", "client", "c-1", "delete", "")))
	f.Add(batch(ch("x-9", "client", "c-2", "update", client)))
	f.Add(batch(WireChange{ID: "x-10", HLC: "9999999999999-999999", Entity: "client", EntityID: "c-1", Op: "update", Payload: client}))
	f.Add(batch(ch("x-3", "settings", "practice", "upsert", `{"ID":"practice","RecordsDeletion":true}`)))
	f.Add(batch(ch("x-4", "message", "m-1", "insert", `{"ID":"m-1","ThreadID":"t-1","Body":"hello"}`)))
	f.Add(batch(ch("x-5", "audit_event", "a-1", "insert", `{"ID":"a-1","Action":"share","Hash":"00"}`)))
	f.Add(batch(ch("x-6", "no_such_entity", "z", "upsert", `{}`)))
	f.Add(batch(WireChange{ID: "x-7", HLC: "not a clock", Entity: "client", EntityID: "c-1", Op: "upsert", Payload: client}))
	f.Add(batch(ch("x-8", "client", "c-1", "upsert", `{"ID":`)))
	f.Add(`{"changes":[{"id":1}]}`)
	f.Add(`{"changes":null,"more":true}`)
	f.Add(``)

	db, err := store.Open(filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	count := func(tx *gorm.DB) (n int64) {
		tx.Raw(`SELECT (SELECT COUNT(*) FROM clients) + (SELECT COUNT(*) FROM messages) + (SELECT COUNT(*) FROM audit_events) + (SELECT COUNT(*) FROM sync_applied) + (SELECT COUNT(*) FROM sync_row_versions)`).Scan(&n)
		return n
	}
	before := count(db.DB)

	f.Fuzz(func(t *testing.T, body string) {
		var resp PullResponse
		if json.Unmarshal([]byte(body), &resp) != nil {
			return
		}
		rec := NewRecorder("desk-a", clock.NewFixed(now))
		err := db.DB.Transaction(func(tx *gorm.DB) error {
			n, err := rec.applyBatch(tx, resp.Changes, 7, now)
			if err != nil {
				return errRollBack
			}
			again, err := rec.applyBatch(tx, resp.Changes, 7, now)
			if err != nil || again != 0 {
				t.Errorf("second apply of the same batch: %d applied (first %d), err %v", again, n, err)
			}
			return errRollBack
		})
		if !errors.Is(err, errRollBack) {
			t.Fatalf("transaction: %v", err)
		}
		if got := count(db.DB); got != before {
			t.Fatalf("rows after a rolled-back apply: %d, before %d", got, before)
		}
	})
}

// The fuzz seeds are not all refusals: a client change applies once, then
// not again, and a change with a broken clock stamp is set aside.
func TestApplyPullSeedsApplyOnce(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	rec := NewRecorder("desk-a", clock.NewFixed(now))
	c := WireChange{Cursor: 1, ID: "x-1", HLC: "1764400000000-000001", Origin: "desk-b", Entity: "client", EntityID: "c-1", Op: "update",
		Payload: `{"ID":"c-1","FirstName":"Ada","LastName":"Quill"}`}
	err = db.DB.Transaction(func(tx *gorm.DB) error {
		if n, err := rec.applyBatch(tx, []WireChange{c}, 1, now); n != 1 || err != nil {
			t.Fatalf("first apply: %d %v", n, err)
		}
		if n, err := rec.applyBatch(tx, []WireChange{c}, 1, now); n != 0 || err != nil {
			t.Fatalf("second apply: %d %v", n, err)
		}
		bad := c
		bad.ID, bad.HLC = "x-2", "not a clock"
		if n, err := rec.applyBatch(tx, []WireChange{bad}, 2, now); n != 0 || err != nil {
			t.Fatalf("a broken clock stamp: %d applied, %v", n, err)
		}
		q, err := Quarantined(tx)
		if err != nil || len(q) != 1 || q[0].ID != "x-2" || q[0].Reason == "" {
			t.Fatalf("quarantined = %+v, %v; want the change with the broken stamp", q, err)
		}
		return errRollBack
	})
	if !errors.Is(err, errRollBack) {
		t.Fatal(err)
	}
}
