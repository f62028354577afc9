package store

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// DB is the desk's database handle. It embeds *gorm.DB for queries; writes
// that belong together go through Tx.
type DB struct {
	*gorm.DB
	path string
	// BeforeCommit, when set, runs at the end of every Tx that succeeded,
	// inside it: the desk's change log seals (signs) the changes the
	// transaction recorded there. Set it once, before the DB is shared.
	BeforeCommit func(tx *gorm.DB) error
}

// Open opens (creating if needed) the SQLite database at path with WAL,
// foreign keys and a busy timeout, and migrates it to the latest schema.
func Open(path string) (*DB, error) {
	db, err := OpenAt(path, LatestVersion())
	return db, err
}

// OpenAt is Open that stops migrating at version target; tests use it to
// build a database of an older schema.
func OpenAt(path string, target int) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	// Pragmas go in the DSN so every pooled connection gets them. A 16 MB
	// page cache per connection (SQLite's default is 2 MB) keeps the pages a
	// large Messages tab touches (10,000 attachments, 2,000 threads' last
	// messages) between opens instead of reading them again from the OS:
	// measured 10-40% less CPU per tab on the large practice
	// (bench/README.md), well inside the desk's memory budget.
	dsn := path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-16384)&_txlock=immediate"
	gdb, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{
		Logger:                 logger.Default.LogMode(logger.Silent),
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db := &DB{DB: gdb, path: path}
	if err := db.MigrateTo(target); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// Close closes the database.
func (db *DB) Close() error {
	sqlDB, err := db.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Tx runs fn in one transaction: all of its writes land together or none do.
func (db *DB) Tx(fn func(tx *gorm.DB) error) error {
	return db.DB.Transaction(func(tx *gorm.DB) error {
		if err := fn(tx); err != nil {
			return err
		}
		if db.BeforeCommit != nil {
			return db.BeforeCommit(tx)
		}
		return nil
	})
}

// IsEmpty reports whether the practice has no staff yet (a fresh database).
func (db *DB) IsEmpty() (bool, error) {
	var n int64
	if err := db.Model(&Staff{}).Count(&n).Error; err != nil {
		return false, err
	}
	return n == 0, nil
}

// GetSettings returns the practice settings row, creating the default one.
func GetSettings(tx *gorm.DB) (Settings, error) {
	var s Settings
	err := tx.Where("id = 1").Limit(1).Find(&s).Error
	if err != nil {
		return s, err
	}
	if s.ID == 0 {
		s = Settings{ID: 1, PracticeName: "", MaxFileBytes: 50 << 20, LockAfterMinutes: 10, UpdatedAt: time.Now().UTC()}
		err = tx.Create(&s).Error
	}
	return s, err
}
