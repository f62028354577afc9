package sync

import (
	"encoding/json"
	"log"
	"strconv"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/store"
)

const stateCursor = "cursor"

// applyBatch applies changes received from the hub inside tx, in order,
// idempotently: a change already applied is skipped, append-only rows are
// inserted once, and a last-writer-wins row is written only when the change
// is at least as new as the row's version. When cursor > 0 the hub cursor
// moves in the same transaction, so a crash never loses or repeats a change.
func (r *Recorder) applyBatch(tx *gorm.DB, changes []WireChange, cursor int64, now time.Time) (int, error) {
	// Local audit entries written so far are captured first, so the entries
	// inserted below are never mistaken for this desk's own.
	if err := r.captureAudit(tx); err != nil {
		return 0, err
	}
	if err := setState(tx, stateApplying, "1"); err != nil {
		return 0, err
	}
	if tx.Dialector.Name() == "sqlite" {
		// Rows of one batch may reference each other in any order.
		if err := tx.Exec(`PRAGMA defer_foreign_keys = ON`).Error; err != nil {
			return 0, err
		}
	}
	applied := 0
	for _, c := range changes {
		ok, err := r.applyOne(tx, c, now)
		if err != nil {
			return applied, err
		}
		if ok {
			applied++
		}
	}
	var maxSeq int64
	if err := tx.Raw(`SELECT COALESCE(MAX(seq), 0) FROM audit_events`).Scan(&maxSeq).Error; err != nil {
		return applied, err
	}
	if err := setState(tx, stateAuditSeq, strconv.FormatInt(maxSeq, 10)); err != nil {
		return applied, err
	}
	if err := delState(tx, stateApplying); err != nil {
		return applied, err
	}
	if cursor > 0 {
		if err := setState(tx, stateCursor, strconv.FormatInt(cursor, 10)); err != nil {
			return applied, err
		}
	}
	return applied, nil
}

func (r *Recorder) applyOne(tx *gorm.DB, c WireChange, now time.Time) (bool, error) {
	var seen int64
	if err := tx.Raw(`SELECT COUNT(*) FROM sync_applied WHERE id = ?`, c.ID).Scan(&seen).Error; err != nil {
		return false, err
	}
	if seen > 0 {
		return false, nil
	}
	if err := tx.Exec(`INSERT INTO sync_applied (id, hub_cursor, applied_at) VALUES (?, ?, ?)`, c.ID, c.Cursor, now).Error; err != nil {
		return false, err
	}
	if err := r.HLC.Observe(c.HLC); err != nil {
		return false, err
	}
	e, ok := EntityByName(c.Entity)
	if !ok {
		log.Printf("sync: skipping change %s of unknown entity %q (a newer ClinicDesk wrote it)", c.ID, c.Entity)
		return false, nil
	}
	if why, err := refusedStaffRow(tx, c); err != nil || why != "" {
		if why != "" {
			log.Printf("sync: not applying staff change %s from the hub: %s", c.ID, why)
		}
		return false, err
	}
	if e.Name == EntityAudit {
		var ev store.AuditEvent
		if err := json.Unmarshal([]byte(c.Payload), &ev); err != nil {
			return false, err
		}
		return true, insertAudit(tx, ev)
	}
	if e.Kind == AppendOnly && c.Op != OpDelete {
		row, err := e.Decode(c.Payload)
		if err != nil {
			return false, err
		}
		return true, e.Insert(tx, row)
	}
	version := Version(c.HLC, c.Origin)
	var cur []string
	if err := tx.Raw(`SELECT version FROM sync_row_versions WHERE entity = ? AND entity_id = ?`, c.Entity, c.EntityID).Scan(&cur).Error; err != nil {
		return false, err
	}
	if len(cur) > 0 && version < cur[0] {
		return false, nil // an older write: the newer one already here wins
	}
	if len(cur) > 0 && version == cur[0] && c.Origin == r.Origin() {
		return false, nil // this desk's own change coming back unchanged
	}
	if c.Op == OpDelete {
		if err := tx.Exec(`DELETE FROM `+e.Table+` WHERE `+e.Key+` = ?`, c.EntityID).Error; err != nil {
			return false, err
		}
		return true, setVersion(tx, c.Entity, c.EntityID, version, true)
	}
	row, err := e.Decode(c.Payload)
	if err != nil {
		return false, err
	}
	if err := e.Upsert(tx, row); err != nil {
		return false, err
	}
	return true, setVersion(tx, c.Entity, c.EntityID, version, false)
}
