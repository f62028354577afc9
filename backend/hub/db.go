package hub

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"clinicdesk/backend/store"
)

// The hub's own tables. The practice's rows live in tables named and shaped
// like the desk's (the store models), so the portal and the re-checks read
// them with the same models.

// logEntry is one change in the hub's log. Cursor is assigned by the
// database while the log lock is held, so cursors appear in commit order and
// a desk that has seen cursor N has seen every change before it.
type logEntry struct {
	Cursor     int64  `gorm:"primaryKey;autoIncrement"`
	ID         string `gorm:"uniqueIndex;not null"`
	HLC        string `gorm:"column:hlc;index;not null"`
	Origin     string `gorm:"not null"`
	Entity     string `gorm:"not null"`
	EntityID   string `gorm:"not null"`
	Op         string `gorm:"not null"`
	Payload    string `gorm:"not null"`
	ReceivedAt time.Time
}

func (logEntry) TableName() string { return "hub_changes" }

// rowVersion is the last accepted version of one field group of a row
// (Grp "*" is the whole row's, the version its latest log entry carries).
type rowVersion struct {
	Entity   string `gorm:"primaryKey"`
	EntityID string `gorm:"primaryKey"`
	Grp      string `gorm:"primaryKey"`
	Version  string `gorm:"not null"`
}

func (rowVersion) TableName() string { return "hub_row_versions" }

// rejection remembers a refused change so a retried push gets the same answer.
type rejection struct {
	ID     string `gorm:"primaryKey"`
	DeskID string
	Reason string
	Code   int    // HTTP status of the refusal (422, 403)
	Undo   string // JSON of the undo change, "" when none
	At     time.Time
}

func (rejection) TableName() string { return "hub_rejections" }

type deskRow struct {
	ID         string `gorm:"primaryKey"`
	Name       string
	TokenHash  string `gorm:"uniqueIndex"`
	EnrolledAt time.Time
	LastSeenAt *time.Time
	RevokedAt  *time.Time
}

func (deskRow) TableName() string { return "hub_desks" }

type enrollCode struct {
	CodeHash  string `gorm:"primaryKey"`
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
	UsedBy    string
}

func (enrollCode) TableName() string { return "hub_enroll_codes" }

type meta struct {
	Key   string `gorm:"primaryKey"`
	Value string `gorm:"not null"`
}

func (meta) TableName() string { return "hub_meta" }

type portalCode struct {
	ID        string `gorm:"primaryKey"`
	Email     string `gorm:"index"`
	ClientID  string
	CodeHash  string
	CreatedAt time.Time
	ExpiresAt time.Time
	Tries     int
	UsedAt    *time.Time
}

func (portalCode) TableName() string { return "portal_codes" }

type portalSession struct {
	TokenHash string `gorm:"primaryKey"`
	ClientID  string `gorm:"index"`
	CSRF      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

func (portalSession) TableName() string { return "portal_sessions" }

// IsPostgres tells a PostgreSQL DSN from a SQLite path.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func openDB(dsn string) (*gorm.DB, error) {
	cfg := &gorm.Config{
		Logger:                 logger.Default.LogMode(logger.Silent),
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	var db *gorm.DB
	var err error
	if IsPostgres(dsn) {
		db, err = gorm.Open(postgres.Open(dsn), cfg)
	} else {
		if err := os.MkdirAll(filepath.Dir(dsn), 0o700); err != nil {
			return nil, err
		}
		db, err = gorm.Open(sqlite.Open(dsn+"?_pragma=foreign_keys(0)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open hub database: %w", err)
	}
	if err := migrate(db); err != nil {
		sqlDB, _ := db.DB()
		sqlDB.Close()
		return nil, fmt.Errorf("prepare hub database: %w", err)
	}
	return db, nil
}

// migrate creates the hub's tables. Several hubs may start at once on one
// PostgreSQL: an advisory lock makes them take turns.
func migrate(db *gorm.DB) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if tx.Dialector.Name() == "postgres" {
			if err := tx.Exec(`SELECT pg_advisory_xact_lock(727000)`).Error; err != nil {
				return err
			}
		}
		if err := tx.AutoMigrate(&store.Staff{}, &store.Client{}, &store.Appointment{}, &store.Thread{}, &store.Participant{},
			&store.Message{}, &store.Blob{}, &store.Attachment{}, &store.Document{}, &store.Settings{}, &store.AuditEvent{},
			&logEntry{}, &rowVersion{}, &rejection{}, &deskRow{}, &enrollCode{}, &meta{}, &portalCode{}, &portalSession{}); err != nil {
			return err
		}
		for _, s := range []string{
			`CREATE UNIQUE INDEX IF NOT EXISTS hub_audit_id ON audit_events (id)`,
			`CREATE INDEX IF NOT EXISTS hub_participants_person ON participants (kind, person_id, thread_id)`,
			`CREATE INDEX IF NOT EXISTS hub_messages_thread ON messages (thread_id, created_at)`,
			`CREATE INDEX IF NOT EXISTS hub_attachments_message ON attachments (message_id)`,
			`CREATE INDEX IF NOT EXISTS hub_clients_email ON clients (email)`,
			// Which desk started a thread (the participant rule) is read from the log.
			`CREATE INDEX IF NOT EXISTS hub_changes_entity ON hub_changes (entity, entity_id)`,
		} {
			if err := tx.Exec(s).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// lockLog serialises writers of the change log until tx ends. SQLite
// transactions here are IMMEDIATE and already serialised; on PostgreSQL a
// transaction-scoped advisory lock does it across every hub sharing the
// database, so cursors are assigned in commit order.
func lockLog(tx *gorm.DB) error {
	if tx.Dialector.Name() == "postgres" {
		return tx.Exec(`SELECT pg_advisory_xact_lock(727001)`).Error
	}
	return nil
}

func getMeta(tx *gorm.DB, key string) (string, error) {
	var m []meta
	if err := tx.Where("key = ?", key).Limit(1).Find(&m).Error; err != nil || len(m) == 0 {
		return "", err
	}
	return m[0].Value, nil
}

func setMeta(tx *gorm.DB, key, value string) error {
	return tx.Exec(`INSERT INTO hub_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value).Error
}
