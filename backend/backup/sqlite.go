package backup

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	gosync "sync"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"clinicdesk/backend/files"
)

// openCopy opens a database copy (never the live one) by URI, so any path
// works, read-only unless write is set.
func openCopy(path string, write bool) (*gorm.DB, func(), error) {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows: file:///C:/...
	}
	mode := "ro"
	if write {
		mode = "rw"
	}
	dsn := "file:" + (&url.URL{Path: p}).EscapedPath() + "?mode=" + mode + "&_pragma=busy_timeout(5000)"
	db, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent), SkipDefaultTransaction: true})
	if err != nil {
		return nil, nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, nil, err
	}
	sqlDB.SetMaxOpenConns(1)
	var once gosync.Once
	return db, func() { once.Do(func() { sqlDB.Close() }) }, nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// integrityCheck runs PRAGMA integrity_check and returns nil when it says ok.
func integrityCheck(db *gorm.DB) error { return pragmaCheck(db, "integrity_check") }

// quickCheck runs PRAGMA quick_check: the page structure without comparing
// every index with its table (seconds instead of tens of seconds on a 1 GB
// database). Create uses it on the copy VACUUM INTO has just built; Verify,
// which decides whether a backup may replace the practice, runs the full
// integrity_check.
func quickCheck(db *gorm.DB) error { return pragmaCheck(db, "quick_check") }

func pragmaCheck(db *gorm.DB, pragma string) error {
	var res []string
	if err := db.Raw(`PRAGMA ` + pragma).Scan(&res).Error; err != nil {
		return err
	}
	if len(res) != 1 || res[0] != "ok" {
		if len(res) > 3 {
			res = res[:3]
		}
		return fmt.Errorf("%s: %s", pragma, strings.Join(res, "; "))
	}
	return nil
}

// tableCounts counts the rows of every ordinary table (not SQLite's own, not
// virtual tables and their shadow tables).
func tableCounts(db *gorm.DB) (map[string]int64, error) {
	var tables []struct {
		Name string
		SQL  string
	}
	if err := db.Raw(`SELECT name, COALESCE(sql, '') AS sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`).Scan(&tables).Error; err != nil {
		return nil, err
	}
	var virtual []string
	for _, t := range tables {
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(t.SQL)), "CREATE VIRTUAL TABLE") {
			virtual = append(virtual, t.Name)
		}
	}
	out := map[string]int64{}
	for _, t := range tables {
		skip := false
		for _, v := range virtual {
			if t.Name == v || strings.HasPrefix(t.Name, v+"_") {
				skip = true
			}
		}
		if skip {
			continue
		}
		var n int64
		if err := db.Raw(`SELECT COUNT(*) FROM ` + quoteIdent(t.Name)).Scan(&n).Error; err != nil {
			return nil, err
		}
		out[t.Name] = n
	}
	if len(out) > maxTables {
		return nil, fmt.Errorf("%d tables", len(out))
	}
	return out, nil
}

func schemaVersion(db *gorm.DB) (int, error) {
	var v int
	err := db.Raw(`SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v).Error
	return v, err
}

// requiredBlobs are the hashes a live or restorable attachment, or a
// document, refers to: their bytes must be in the backup.
func requiredBlobs(db *gorm.DB) (map[string]bool, error) {
	var shas []string
	err := db.Raw(`SELECT blob_sha256 FROM attachments WHERE purged_at IS NULL UNION SELECT blob_sha256 FROM documents`).Scan(&shas).Error
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(shas))
	for _, s := range shas {
		if files.ValidSHA256(s) { // anything else could never name stored bytes
			out[s] = true
		}
	}
	return out, nil
}

// knownBlobs are all hashes of the blobs table (including files staged but
// not yet sent, and purged ones whose bytes are gone).
func knownBlobs(db *gorm.DB) ([]string, error) {
	var shas []string
	if err := db.Raw(`SELECT sha256 FROM blobs ORDER BY sha256`).Scan(&shas).Error; err != nil {
		return nil, err
	}
	out := shas[:0]
	for _, s := range shas {
		if files.ValidSHA256(s) {
			out = append(out, s)
		}
	}
	return out, nil
}

func practiceName(db *gorm.DB) string {
	var names []string
	db.Raw(`SELECT practice_name FROM settings WHERE id = 1`).Scan(&names)
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

func auditHead(db *gorm.DB) (AuditHead, error) {
	var rows []AuditHead
	if err := db.Raw(`SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`).Scan(&rows).Error; err != nil {
		return AuditHead{}, err
	}
	if len(rows) == 0 {
		return AuditHead{}, nil
	}
	return rows[0], nil
}
