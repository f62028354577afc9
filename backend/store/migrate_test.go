package store_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"clinicdesk/backend/store"
)

// v1Rows are inserted with plain SQL into a schema-1 database, the way an
// old ClinicDesk wrote them, so the upgrade test does not depend on today's
// gorm models to create them.
var v1Rows = []string{
	`INSERT INTO staff (id, first_name, last_name, role, email, credential, failed_tries, active, created_at, updated_at)
		VALUES ('s1', 'Olive', 'Old', 'clinician', 'olive@example.test', '', 0, 1, '2025-01-02 09:00:00+00:00', '2025-01-02 09:00:00+00:00')`,
	`INSERT INTO clients (id, first_name, last_name, date_of_birth, email, phone, alert, created_at, updated_at)
		VALUES ('c1', 'Cara', 'Before', '1980-05-06', '', '555-0101', 'Prefers mornings', '2025-01-02 09:00:00+00:00', '2025-01-02 09:00:00+00:00')`,
	`INSERT INTO threads (id, subject, created_by_kind, created_by_id, created_at, last_activity_at)
		VALUES ('t1', 'Old thread', 'staff', 's1', '2025-01-03 10:00:00+00:00', '2025-01-03 11:00:00+00:00')`,
	`INSERT INTO participants (id, thread_id, kind, person_id, last_read_at, joined_at)
		VALUES ('p1', 't1', 'staff', 's1', '2025-01-03 10:00:00+00:00', '2025-01-03 10:00:00+00:00')`,
	`INSERT INTO participants (id, thread_id, kind, person_id, last_read_at, joined_at)
		VALUES ('p2', 't1', 'client', 'c1', NULL, '2025-01-03 10:00:00+00:00')`,
	`INSERT INTO messages (id, thread_id, author_kind, author_id, body, created_at)
		VALUES ('m1', 't1', 'staff', 's1', 'Your worksheet about gardening is attached', '2025-01-03 10:00:00+00:00')`,
	`INSERT INTO messages (id, thread_id, author_kind, author_id, body, created_at)
		VALUES ('m2', 't1', 'client', 'c1', 'Thanks, the café near the clinic works', '2025-01-03 11:00:00+00:00')`,
}

func TestUpgradeFromFirstSchemaKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := store.OpenAt(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := old.Version(); v != 1 {
		t.Fatalf("OpenAt(path, 1) built schema %d", v)
	}
	var fts int64
	old.Raw(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'messages_fts'`).Scan(&fts)
	if fts != 0 {
		t.Fatal("a schema-1 database already has the v2 search index")
	}
	for _, q := range v1Rows {
		if err := old.Exec(q).Error; err != nil {
			t.Fatalf("%.40s: %v", q, err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := store.Open(path)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	// Closes whichever handle db holds at the end (it is reopened below): a
	// database left open keeps its file, and Windows cannot delete the test's
	// folder then.
	t.Cleanup(func() { db.Close() })
	if v, _ := db.Version(); v != store.LatestVersion() {
		t.Fatalf("schema_version = %d, want %d", v, store.LatestVersion())
	}

	// The old rows read back through today's models, unchanged.
	var st store.Staff
	must(t, db.First(&st, "id = ?", "s1").Error)
	if st.FullName() != "Olive Old" || st.Role != store.RoleClinician || !st.Active || st.CreatedAt.Year() != 2025 {
		t.Errorf("staff after upgrade: %+v", st)
	}
	var c store.Client
	must(t, db.First(&c, "id = ?", "c1").Error)
	if c.Alert != "Prefers mornings" || c.Phone != "555-0101" || c.DateOfBirth != "1980-05-06" {
		t.Errorf("client after upgrade: %+v", c)
	}
	var th store.Thread
	must(t, db.First(&th, "id = ?", "t1").Error)
	if th.Subject != "Old thread" || th.LastActivityAt.Hour() != 11 {
		t.Errorf("thread after upgrade: %+v", th)
	}
	var ps []store.Participant
	must(t, db.Where("thread_id = ?", "t1").Order("id").Find(&ps).Error)
	if len(ps) != 2 || ps[0].LastReadAt == nil || ps[1].LastReadAt != nil {
		t.Errorf("participants after upgrade: %+v", ps)
	}
	var ms []store.Message
	must(t, db.Where("thread_id = ?", "t1").Order("created_at").Find(&ms).Error)
	if len(ms) != 2 || ms[0].ID != "m1" || ms[1].AuthorKind != store.KindClient {
		t.Errorf("messages after upgrade: %+v", ms)
	}

	// The v2 index was filled from the messages already there...
	find := func(word string) []string {
		t.Helper()
		var ids []string
		err := db.Raw(`SELECT id FROM messages WHERE rowid IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?) ORDER BY id`, word).Scan(&ids).Error
		must(t, err)
		return ids
	}
	if got := find("gardening"); len(got) != 1 || got[0] != "m1" {
		t.Errorf("search for an old word found %v, want [m1]", got)
	}
	if got := find("cafe"); len(got) != 1 || got[0] != "m2" {
		t.Errorf("search without the diacritic found %v, want [m2]", got)
	}
	// ...and keeps up with new ones.
	must(t, db.Create(&store.Message{ID: "m3", ThreadID: "t1", AuthorKind: store.KindStaff, AuthorID: "s1", Body: "See you Tuesday", CreatedAt: th.LastActivityAt}).Error)
	if got := find("tuesday"); len(got) != 1 || got[0] != "m3" {
		t.Errorf("search for a new message found %v, want [m3]", got)
	}

	// Opening again is a no-op: no step runs twice.
	db.Close()
	db, err = store.Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	var steps int64
	db.Raw(`SELECT COUNT(*) FROM schema_version`).Scan(&steps)
	if steps != int64(store.LatestVersion()) {
		t.Errorf("schema_version has %d rows, want one per step (%d)", steps, store.LatestVersion())
	}
}

func TestDatabaseFromNewerVersionIsRefusedUntouched(t *testing.T) {
	path := filepath.Join(t.TempDir(), "future.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	newer := store.LatestVersion() + 1
	must(t, db.Exec(`INSERT INTO schema_version (version, applied_at) VALUES (?, '2030-01-01 00:00:00+00:00')`, newer).Error)
	db.Close()

	_, err = store.Open(path)
	if err == nil {
		t.Fatal("a database from a newer ClinicDesk was opened")
	}
	// A typed refusal, so the desk (and its About dialog) can tell it from a
	// damaged file without matching words.
	var ns *store.NewerSchemaError
	if !errors.As(err, &ns) || ns.Found != newer || ns.Known != store.LatestVersion() {
		t.Fatalf("refusal %v (%T), want *store.NewerSchemaError{Found: %d, Known: %d}", err, err, newer, store.LatestVersion())
	}
	msg := err.Error()
	if !strings.Contains(msg, "newer") || !strings.Contains(msg, "update ClinicDesk") {
		t.Errorf("refusal does not say what to do: %q", msg)
	}
	// The file still says it is the newer schema: nothing was migrated down.
	db, err = store.OpenAt(path, 0)
	if err == nil {
		defer db.Close()
		t.Fatal("OpenAt(…, 0) opened a newer database")
	}
}

// Schema 7 gives staff rows room for signing keys (empty until each
// member's next sign-in) and marks the changes already logged as sealed, so
// none is ever signed after the fact by whoever signs in next.
func TestUpgradeToSigningKeysLeavesOldChangesUnsigned(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v5.db")
	old, err := store.OpenAt(path, 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range append(v1Rows[:1:1],
		`INSERT INTO changes (id, hlc, origin, entity, entity_id, op, payload) VALUES ('ch1', '1764400000000-000001', 'd', 'client', 'c1', 'update', '{}')`,
		`INSERT INTO changes (id, hlc, origin, entity, entity_id, op, payload) VALUES ('ch2', '1764400000000-000002', 'd', 'client', 'c1', 'update', '{}')`) {
		if err := old.Exec(s).Error; err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var st store.Staff
	if err := db.Where("id = 's1'").First(&st).Error; err != nil || st.SigningKey != "" || st.SealedKey != "" {
		t.Fatalf("staff after the upgrade: %+v, %v", st, err)
	}
	var sealed string
	db.Raw(`SELECT value FROM sync_state WHERE key = 'sealed_seq'`).Scan(&sealed)
	if sealed != "2" {
		t.Errorf("sealed_seq = %q, want 2", sealed)
	}
	var unsigned int64
	db.Model(&store.Change{}).Where("signer = '' AND signature = ''").Count(&unsigned)
	if unsigned != 2 {
		t.Errorf("%d unsigned old changes, want 2", unsigned)
	}
}
