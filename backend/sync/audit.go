package sync

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/clock"
	"clinicdesk/backend/store"
)

// Audit entries are written by package audit without a change-log entry (it
// must not depend on sync). The desk's sync captures them instead: every
// entry past the "audit_seq" mark becomes an audit_event change. Entries
// applied from the hub move the mark in the same transaction, so they are
// never sent back.

const (
	stateAuditSeq = "audit_seq"
	stateApplying = "applying"
)

func getState(tx *gorm.DB, key string) (string, error) {
	var v []string
	err := tx.Raw(`SELECT value FROM sync_state WHERE key = ?`, key).Scan(&v).Error
	if err != nil || len(v) == 0 {
		return "", err
	}
	return v[0], nil
}

func setState(tx *gorm.DB, key, value string) error {
	return tx.Exec(`INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value).Error
}

func delState(tx *gorm.DB, key string) error {
	return tx.Exec(`DELETE FROM sync_state WHERE key = ?`, key).Error
}

// captureAudit turns audit entries written since the last capture into
// change-log entries, inside tx.
func (r *Recorder) captureAudit(tx *gorm.DB) error {
	v, err := getState(tx, stateAuditSeq)
	if err != nil {
		return err
	}
	last, _ := strconv.ParseInt(v, 10, 64)
	for {
		var evs []store.AuditEvent
		if err := tx.Where("seq > ?", last).Order("seq").Limit(500).Find(&evs).Error; err != nil {
			return err
		}
		if len(evs) == 0 {
			break
		}
		for _, ev := range evs {
			if err := r.Record(tx, EntityAudit, ev.ID, OpInsert, ev); err != nil {
				return err
			}
			last = ev.Seq
		}
	}
	return setState(tx, stateAuditSeq, strconv.FormatInt(last, 10))
}

// CaptureAudit runs captureAudit in its own transaction.
func (r *Recorder) CaptureAudit(db *store.DB) error {
	return db.Tx(func(tx *gorm.DB) error { return r.captureAudit(tx) })
}

// insertAudit appends an audit entry received from elsewhere to this
// database's own chain: same id, time, actor and content; new link and hash.
func insertAudit(tx *gorm.DB, ev store.AuditEvent) error {
	var n int64
	if err := tx.Model(&store.AuditEvent{}).Where("id = ?", ev.ID).Count(&n).Error; err != nil || n > 0 {
		return err
	}
	var prev store.AuditEvent
	if err := tx.Order("seq DESC").Limit(1).Find(&prev).Error; err != nil {
		return err
	}
	ev.Seq = 0
	ev.PrevHash = auditGenesis
	if prev.Seq != 0 {
		ev.PrevHash = prev.Hash
	}
	if ev.ID == "" {
		ev.ID = clock.NewID()
	}
	ev.At = ev.At.UTC().Truncate(time.Microsecond)
	ev.Hash = auditHash(ev)
	return tx.Omit("seq").Create(&ev).Error
}

// auditGenesis and auditHash mirror package audit's chain (audit.Verify is
// the judge: backend/hub's TestChangesOnEachDeskReachTheOther verifies the
// chain of every desk after sync, so a drift between the two fails there).
const auditGenesis = "0000000000000000000000000000000000000000000000000000000000000000"

func auditHash(ev store.AuditEvent) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s",
		ev.PrevHash, ev.ID, ev.At.UTC().Format(time.RFC3339Nano), ev.StaffID, ev.Action,
		ev.ClientID, ev.ThreadID, ev.AttachmentID, ev.Detail)
	return hex.EncodeToString(h.Sum(nil))
}
