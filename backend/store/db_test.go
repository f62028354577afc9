package store_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"clinicdesk/backend/store"
)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "clinicdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// seedThread writes one staff member, client, thread, message and audit
// event, enough to poke at the constraints.
func seedThread(t *testing.T, db *store.DB) {
	t.Helper()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	must(t, db.Create(&store.Staff{ID: "s1", FirstName: "A", LastName: "B", Role: store.RoleClinician, Active: true, CreatedAt: now, UpdatedAt: now}).Error)
	must(t, db.Create(&store.Client{ID: "c1", FirstName: "C", LastName: "D", CreatedAt: now, UpdatedAt: now}).Error)
	must(t, db.Create(&store.Thread{ID: "t1", Subject: "S", CreatedByKind: store.KindStaff, CreatedByID: "s1", CreatedAt: now, LastActivityAt: now}).Error)
	must(t, db.Create(&store.Message{ID: "m1", ThreadID: "t1", AuthorKind: store.KindStaff, AuthorID: "s1", Body: "hello", CreatedAt: now}).Error)
	must(t, db.Create(&store.AuditEvent{ID: "e1", At: now, Action: "view", Detail: "{}", PrevHash: "0", Hash: "1"}).Error)
}

func TestMessagesAndAuditEventsRefuseUpdateAndDelete(t *testing.T) {
	db := openDB(t)
	seedThread(t, db)
	for _, q := range []string{
		`UPDATE messages SET body = 'edited' WHERE id = 'm1'`,
		`DELETE FROM messages WHERE id = 'm1'`,
		`UPDATE audit_events SET detail = '{"x":1}' WHERE id = 'e1'`,
		`DELETE FROM audit_events WHERE id = 'e1'`,
	} {
		err := db.Exec(q).Error
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want an append-only refusal", q, err)
		}
	}
	var body string
	db.Raw(`SELECT body FROM messages WHERE id = 'm1'`).Scan(&body)
	var n int64
	db.Raw(`SELECT COUNT(*) FROM audit_events`).Scan(&n)
	if body != "hello" || n != 1 {
		t.Fatalf("append-only rows changed: body=%q audit rows=%d", body, n)
	}
}

func TestForeignKeysAreEnforced(t *testing.T) {
	db := openDB(t)
	seedThread(t, db)
	now := time.Now().UTC()
	err := db.Create(&store.Participant{ID: "p-orphan", ThreadID: "no-such-thread", Kind: store.KindStaff, PersonID: "s1", JoinedAt: now}).Error
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "foreign key") {
		t.Fatalf("participant of a missing thread: got %v, want a foreign key failure", err)
	}
	err = db.Create(&store.Appointment{ID: "a1", ClientID: "no-such-client", StaffID: "s1", StartsAt: now, EndsAt: now.Add(time.Hour), Status: store.ApptScheduled, CreatedAt: now, UpdatedAt: now}).Error
	if err == nil {
		t.Fatal("appointment for a missing client was stored")
	}
	// Foreign keys are per connection in SQLite: every pooled connection must have them.
	sqlDB, _ := db.DB.DB()
	sqlDB.SetMaxIdleConns(4)
	for i := 0; i < 4; i++ {
		conn, err := sqlDB.Conn(t.Context())
		must(t, err)
		defer conn.Close()
		var fk int
		must(t, conn.QueryRowContext(t.Context(), `PRAGMA foreign_keys`).Scan(&fk))
		if fk != 1 {
			t.Fatalf("connection %d has foreign_keys=%d", i, fk)
		}
	}
}

func TestDatabaseUsesWALAndABusyTimeout(t *testing.T) {
	db := openDB(t)
	var mode string
	must(t, db.Raw(`PRAGMA journal_mode`).Scan(&mode).Error)
	if strings.ToLower(mode) != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
	var timeout int
	must(t, db.Raw(`PRAGMA busy_timeout`).Scan(&timeout).Error)
	if timeout < 1000 {
		t.Errorf("busy_timeout = %d ms, want at least a second", timeout)
	}
}

func TestAlertLongerThan500IsRefusedByTheDatabase(t *testing.T) {
	db := openDB(t)
	now := time.Now().UTC()
	ok := store.Client{ID: "ok", FirstName: "A", LastName: "B", Alert: strings.Repeat("é", 500), CreatedAt: now, UpdatedAt: now}
	must(t, db.Create(&ok).Error)
	long := store.Client{ID: "long", FirstName: "A", LastName: "B", Alert: strings.Repeat("x", 501), CreatedAt: now, UpdatedAt: now}
	if err := db.Create(&long).Error; err == nil {
		t.Fatal("a 501-character alert was stored")
	}
}
