package store

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// migration is one numbered, forward-only schema step. Steps run in order,
// each in its own transaction together with the bump of schema_version, so a
// crash leaves the database at the step before or the step after.
type migration struct {
	version int
	name    string
	up      func(tx *gorm.DB) error
}

// migrations is the whole history of the schema. Never edit a step that has
// shipped: add a new one.
var migrations = []migration{
	{1, "initial schema", execAll(schemaV1...)},
	{2, "full-text search over message bodies", execAll(schemaV2...)},
	{3, "sync with a practice hub", execAll(schemaV3...)},
	{4, "per-thread message statistics for thread lists at practice scale", execAll(schemaV4...)},
	{5, "covering index for pages of a client's attachments", execAll(schemaV5...)},
	{6, "changes from the hub a desk could not apply, set aside", execAll(schemaV6...)},
	{7, "staff signing keys and signed changes", execAll(schemaV7...)},
}

// LatestVersion is the schema version this code writes.
func LatestVersion() int { return migrations[len(migrations)-1].version }

func execAll(stmts ...string) func(*gorm.DB) error {
	return func(tx *gorm.DB) error {
		for _, s := range stmts {
			if err := tx.Exec(s).Error; err != nil {
				return fmt.Errorf("%.60s…: %w", s, err)
			}
		}
		return nil
	}
}

// NewerSchemaError is the refusal to open a database that a newer ClinicDesk
// has written: this code does not know its tables, so it must neither read
// nor migrate it. Nothing in the file is changed.
type NewerSchemaError struct {
	Found int // the database's schema version
	Known int // the newest schema this build knows (LatestVersion)
}

func (e *NewerSchemaError) Error() string {
	return fmt.Sprintf("This practice's data was saved by a newer version of ClinicDesk "+
		"(database schema %d; this version knows schema %d at most). Nothing was changed. "+
		"To open it, update ClinicDesk on this computer to the newest version (at least the "+
		"version that last opened this data), then start it again.", e.Found, e.Known)
}

// Version returns the schema version of the open database (0 when empty).
func (db *DB) Version() (int, error) {
	if err := db.Exec(`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at DATETIME NOT NULL)`).Error; err != nil {
		return 0, err
	}
	var v int
	err := db.Raw(`SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v).Error
	return v, err
}

// MigrateTo brings the schema up to version target (LatestVersion for normal
// use; tests use older targets to build an old database).
func (db *DB) MigrateTo(target int) error {
	cur, err := db.Version()
	if err != nil {
		return err
	}
	if cur > LatestVersion() {
		return &NewerSchemaError{Found: cur, Known: LatestVersion()}
	}
	for _, m := range migrations {
		if m.version <= cur || m.version > target {
			continue
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := m.up(tx); err != nil {
				return err
			}
			return tx.Exec(`INSERT INTO schema_version (version, applied_at) VALUES (?, ?)`, m.version, time.Now().UTC()).Error
		})
		if err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}

var schemaV1 = []string{
	`CREATE TABLE staff (
		id TEXT PRIMARY KEY,
		first_name TEXT NOT NULL,
		last_name TEXT NOT NULL,
		role TEXT NOT NULL CHECK (role IN ('owner','manager','clinician','front_desk')),
		email TEXT NOT NULL DEFAULT '',
		credential TEXT NOT NULL DEFAULT '',
		failed_tries INTEGER NOT NULL DEFAULT 0,
		locked_until DATETIME,
		active BOOLEAN NOT NULL DEFAULT 1,
		created_at DATETIME NOT NULL,
		updated_at DATETIME NOT NULL)`,
	`CREATE TABLE clients (
		id TEXT PRIMARY KEY,
		first_name TEXT NOT NULL,
		last_name TEXT NOT NULL,
		date_of_birth TEXT NOT NULL DEFAULT '',
		email TEXT NOT NULL DEFAULT '',
		phone TEXT NOT NULL DEFAULT '',
		alert TEXT NOT NULL DEFAULT '' CHECK (length(alert) <= 500),
		created_at DATETIME NOT NULL,
		updated_at DATETIME NOT NULL)`,
	`CREATE INDEX idx_clients_name ON clients (last_name COLLATE NOCASE, first_name COLLATE NOCASE)`,
	`CREATE TABLE appointments (
		id TEXT PRIMARY KEY,
		client_id TEXT NOT NULL REFERENCES clients(id),
		staff_id TEXT NOT NULL REFERENCES staff(id),
		starts_at DATETIME NOT NULL,
		ends_at DATETIME NOT NULL,
		service TEXT NOT NULL DEFAULT '',
		location TEXT NOT NULL DEFAULT '',
		status TEXT NOT NULL DEFAULT 'scheduled',
		notes TEXT NOT NULL DEFAULT '',
		created_at DATETIME NOT NULL,
		updated_at DATETIME NOT NULL,
		CHECK (ends_at > starts_at))`,
	// Calendar range queries filter by time, optionally by clinician; the
	// client's Appointments tab filters by client.
	`CREATE INDEX idx_appointments_staff_start ON appointments (staff_id, starts_at)`,
	`CREATE INDEX idx_appointments_start ON appointments (starts_at)`,
	`CREATE INDEX idx_appointments_client_start ON appointments (client_id, starts_at)`,
	`CREATE TABLE threads (
		id TEXT PRIMARY KEY,
		subject TEXT NOT NULL,
		created_by_kind TEXT NOT NULL,
		created_by_id TEXT NOT NULL,
		created_at DATETIME NOT NULL,
		last_activity_at DATETIME NOT NULL)`,
	`CREATE TABLE participants (
		id TEXT PRIMARY KEY,
		thread_id TEXT NOT NULL REFERENCES threads(id),
		kind TEXT NOT NULL CHECK (kind IN ('staff','client')),
		person_id TEXT NOT NULL,
		last_read_at DATETIME,
		joined_at DATETIME NOT NULL,
		UNIQUE (thread_id, kind, person_id))`,
	// "Threads in which both C and S take part" starts from one person's
	// participations: (kind, person_id, thread_id) answers it from the index.
	`CREATE INDEX idx_participants_person ON participants (kind, person_id, thread_id)`,
	`CREATE TABLE messages (
		id TEXT PRIMARY KEY,
		thread_id TEXT NOT NULL REFERENCES threads(id),
		author_kind TEXT NOT NULL CHECK (author_kind IN ('staff','client')),
		author_id TEXT NOT NULL,
		body TEXT NOT NULL,
		created_at DATETIME NOT NULL)`,
	`CREATE INDEX idx_messages_thread_created ON messages (thread_id, created_at)`,
	`CREATE TABLE blobs (
		sha256 TEXT PRIMARY KEY,
		size INTEGER NOT NULL,
		mime TEXT NOT NULL,
		created_at DATETIME NOT NULL)`,
	`CREATE TABLE attachments (
		id TEXT PRIMARY KEY,
		message_id TEXT NOT NULL REFERENCES messages(id),
		thread_id TEXT NOT NULL REFERENCES threads(id),
		blob_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
		name TEXT NOT NULL,
		mime TEXT NOT NULL,
		size INTEGER NOT NULL,
		sender_kind TEXT NOT NULL,
		sender_id TEXT NOT NULL,
		created_at DATETIME NOT NULL,
		shared_with_staff BOOLEAN NOT NULL DEFAULT 0,
		shared_by_staff_id TEXT,
		shared_at DATETIME,
		removed_at DATETIME,
		removed_by_staff_id TEXT,
		purged_at DATETIME)`,
	`CREATE INDEX idx_attachments_thread ON attachments (thread_id, created_at)`,
	`CREATE INDEX idx_attachments_message ON attachments (message_id)`,
	`CREATE INDEX idx_attachments_blob ON attachments (blob_sha256)`,
	`CREATE TABLE documents (
		id TEXT PRIMARY KEY,
		client_id TEXT NOT NULL REFERENCES clients(id),
		blob_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
		name TEXT NOT NULL,
		mime TEXT NOT NULL,
		size INTEGER NOT NULL,
		source_attachment_id TEXT,
		added_by_staff_id TEXT NOT NULL,
		created_at DATETIME NOT NULL)`,
	`CREATE INDEX idx_documents_client ON documents (client_id, created_at)`,
	`CREATE INDEX idx_documents_blob ON documents (blob_sha256)`,
	`CREATE TABLE settings (
		id INTEGER PRIMARY KEY CHECK (id = 1),
		practice_name TEXT NOT NULL DEFAULT '',
		records_deletion BOOLEAN NOT NULL DEFAULT 0,
		records_deletion_changed_by TEXT,
		records_deletion_changed_at DATETIME,
		max_file_bytes INTEGER NOT NULL DEFAULT 52428800,
		lock_after_minutes INTEGER NOT NULL DEFAULT 10,
		scan_inbox_path TEXT NOT NULL DEFAULT '',
		demo BOOLEAN NOT NULL DEFAULT 0,
		updated_at DATETIME NOT NULL)`,
	`CREATE TABLE audit_events (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		id TEXT NOT NULL UNIQUE,
		at DATETIME NOT NULL,
		staff_id TEXT NOT NULL DEFAULT '',
		action TEXT NOT NULL,
		client_id TEXT NOT NULL DEFAULT '',
		thread_id TEXT NOT NULL DEFAULT '',
		attachment_id TEXT NOT NULL DEFAULT '',
		detail TEXT NOT NULL DEFAULT '{}',
		prev_hash TEXT NOT NULL,
		hash TEXT NOT NULL)`,
	`CREATE INDEX idx_audit_at ON audit_events (at)`,
	`CREATE INDEX idx_audit_client ON audit_events (client_id, at)`,
	`CREATE TABLE changes (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		id TEXT NOT NULL UNIQUE,
		hlc TEXT NOT NULL,
		origin TEXT NOT NULL,
		entity TEXT NOT NULL,
		entity_id TEXT NOT NULL,
		op TEXT NOT NULL,
		payload TEXT NOT NULL,
		pushed_at DATETIME)`,
	`CREATE INDEX idx_changes_unpushed ON changes (pushed_at, seq)`,
	// Append-only tables refuse updates and deletes at the database level.
	`CREATE TRIGGER messages_append_only_upd BEFORE UPDATE ON messages BEGIN SELECT RAISE(ABORT, 'messages are append-only'); END`,
	`CREATE TRIGGER messages_append_only_del BEFORE DELETE ON messages BEGIN SELECT RAISE(ABORT, 'messages are append-only'); END`,
	`CREATE TRIGGER audit_append_only_upd BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`,
	`CREATE TRIGGER audit_append_only_del BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`,
}

// schemaV2 adds an FTS5 index of message bodies, kept in step by triggers, and
// fills it from the messages already there.
var schemaV2 = []string{
	`CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')`,
	`INSERT INTO messages_fts (rowid, body) SELECT rowid, body FROM messages`,
	`CREATE TRIGGER messages_fts_ins AFTER INSERT ON messages BEGIN INSERT INTO messages_fts (rowid, body) VALUES (new.rowid, new.body); END`,
}

// schemaV3 is what sync with a practice hub keeps on the desk (see
// backend/sync and docs/sync.md): who made a privileged change (filled by a
// trigger from the audit entry written in the same transaction), each row's
// last hybrid-logical-clock version for last-writer-wins, the hub changes
// already applied, small key/value state (hub address, token, cursor) and the
// notices shown when the hub refused a change.
var schemaV3 = []string{
	`CREATE TABLE sync_change_actors (
		change_id TEXT PRIMARY KEY,
		actor TEXT NOT NULL,
		action TEXT NOT NULL,
		detail TEXT NOT NULL DEFAULT '{}')`,
	`CREATE TABLE sync_row_versions (
		entity TEXT NOT NULL,
		entity_id TEXT NOT NULL,
		version TEXT NOT NULL,
		deleted BOOLEAN NOT NULL DEFAULT 0,
		PRIMARY KEY (entity, entity_id))`,
	`CREATE TABLE sync_applied (
		id TEXT PRIMARY KEY,
		hub_cursor INTEGER NOT NULL,
		applied_at DATETIME NOT NULL)`,
	`CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
	`CREATE TABLE sync_notices (
		id TEXT PRIMARY KEY,
		at DATETIME NOT NULL,
		entity TEXT NOT NULL DEFAULT '',
		entity_id TEXT NOT NULL DEFAULT '',
		message TEXT NOT NULL,
		dismissed_at DATETIME)`,
	// The audit entry of a share, unshare, delete, restore or setting change
	// is written right after its change-log entry, in the same transaction:
	// copy its actor and action onto that change so the hub can re-check it.
	`CREATE TRIGGER sync_change_actor AFTER INSERT ON audit_events
		WHEN new.staff_id <> '' AND NOT EXISTS (SELECT 1 FROM sync_state WHERE key = 'applying')
		BEGIN
			INSERT OR IGNORE INTO sync_change_actors (change_id, actor, action, detail)
			SELECT id, new.staff_id, new.action, new.detail FROM changes
			WHERE seq = (SELECT MAX(seq) FROM changes) AND pushed_at IS NULL
			  AND ((entity = 'attachment' AND entity_id = new.attachment_id) OR (entity = 'settings' AND new.action = 'setting_changed'));
		END`,
}

// schemaV4 keeps, per thread, its message count and its last message (by
// created_at, then id: the order threads show messages in), so thread lists
// read one row per thread instead of counting and sorting each thread's
// messages. The Messages tab of a client with 2,000 threads did 2,000 of each
// per open (see bench/README.md).
//
// Messages are append-only (schemaV1's triggers refuse UPDATE and DELETE), so
// the statistics follow from inserts alone: one trigger, in the inserting
// transaction, whoever inserts (compose, reply, sync apply, the large demo).
// Messages may arrive out of order from the hub; the trigger keeps the later
// message as the last one. thread_stats is derived, local and never synced;
// RebuildThreadStatsSQL recomputes it from messages.
var schemaV4 = []string{
	`CREATE TABLE thread_stats (
		thread_id TEXT PRIMARY KEY,
		message_count INTEGER NOT NULL,
		last_created_at DATETIME NOT NULL,
		last_message_id TEXT NOT NULL,
		last_message_rowid INTEGER NOT NULL) WITHOUT ROWID`,
	RebuildThreadStatsSQL,
	`CREATE TRIGGER thread_stats_ins AFTER INSERT ON messages BEGIN
		INSERT INTO thread_stats (thread_id, message_count, last_created_at, last_message_id, last_message_rowid)
		VALUES (new.thread_id, 1, new.created_at, new.id, new.rowid)
		ON CONFLICT (thread_id) DO UPDATE SET message_count = message_count + 1,
			last_created_at = CASE WHEN (excluded.last_created_at, excluded.last_message_id) > (last_created_at, last_message_id) THEN excluded.last_created_at ELSE last_created_at END,
			last_message_id = CASE WHEN (excluded.last_created_at, excluded.last_message_id) > (last_created_at, last_message_id) THEN excluded.last_message_id ELSE last_message_id END,
			last_message_rowid = CASE WHEN (excluded.last_created_at, excluded.last_message_id) > (last_created_at, last_message_id) THEN excluded.last_message_rowid ELSE last_message_rowid END;
	END`,
}

// schemaV5 lets the Messages tab find a page of a client's attachments from
// the index alone: for each of the client's threads, its visible
// attachments' times and ids in one range of this index (no table lookups
// for 10,000 rows), before the page's rows are read whole by id.
var schemaV5 = []string{
	`CREATE INDEX idx_attachments_thread_visible ON attachments (thread_id, removed_at, shared_with_staff, created_at, id)`,
}

// schemaV6 keeps the changes pulled from the hub that this desk could not
// apply (malformed, stamped too far ahead, refused by a constraint or
// pointing at a row that does not exist), with the reason, instead of
// stopping sync on them (backend/sync apply.go).
var schemaV6 = []string{
	`CREATE TABLE sync_quarantine (
		id TEXT PRIMARY KEY,
		hub_cursor INTEGER NOT NULL,
		at DATETIME NOT NULL,
		entity TEXT NOT NULL,
		entity_id TEXT NOT NULL,
		change TEXT NOT NULL,
		reason TEXT NOT NULL)`,
}

// schemaV7 lets the hub believe a change only with proof of who made it
// (docs/sync.md, "Who the hub believes"): each staff member gets an Ed25519
// key pair (the public key and the PIN-sealed private key travel with the
// staff row; both stay empty until the member's next sign-in, which creates
// them), and each change gets the signer and signature made when it was
// committed. Changes already in the log are marked sealed: they were made
// before signing existed and are never signed after the fact.
var schemaV7 = []string{
	`ALTER TABLE staff ADD COLUMN signing_key TEXT NOT NULL DEFAULT ''`,
	`ALTER TABLE staff ADD COLUMN sealed_key TEXT NOT NULL DEFAULT ''`,
	`ALTER TABLE changes ADD COLUMN signer TEXT NOT NULL DEFAULT ''`,
	`ALTER TABLE changes ADD COLUMN signature TEXT NOT NULL DEFAULT ''`,
	`INSERT INTO sync_state (key, value) SELECT 'sealed_seq', CAST(COALESCE(MAX(seq), 0) AS TEXT) FROM changes
		WHERE true ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
}

// RebuildThreadStatsSQL fills thread_stats from messages (run on an empty
// thread_stats: the migration, or a bulk load that dropped the trigger).
const RebuildThreadStatsSQL = `INSERT INTO thread_stats (thread_id, message_count, last_created_at, last_message_id, last_message_rowid)
	SELECT thread_id, n, created_at, id, rid FROM (
		SELECT thread_id, created_at, id, rowid AS rid,
			COUNT(*) OVER (PARTITION BY thread_id) AS n,
			ROW_NUMBER() OVER (PARTITION BY thread_id ORDER BY created_at DESC, id DESC) AS rn
		FROM messages)
	WHERE rn = 1`
