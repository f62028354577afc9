package sync

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strconv"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/clock"
	"clinicdesk/backend/store"
)

const stateCursor = "cursor"

// applyBatch applies changes received from the hub inside tx, in order,
// idempotently: a change already applied is skipped, append-only rows are
// inserted once, and a last-writer-wins row is written only when the change
// is at least as new as the row's version. When cursor > 0 the hub cursor
// moves in the same transaction, so a crash never loses or repeats a change.
func (r *Recorder) applyBatch(tx *gorm.DB, changes []WireChange, cursor int64, now time.Time) (int, error) {
	return r.applyBatchSkipping(tx, changes, cursor, now, nil)
}

// applyBatchSkipping is applyBatch with some changes known in advance to be
// impossible (skip: change id → reason); they are quarantined.
func (r *Recorder) applyBatchSkipping(tx *gorm.DB, changes []WireChange, cursor int64, now time.Time, skip map[string]string) (int, error) {
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
	// A change this desk cannot apply is set aside (quarantined) and the
	// rest go on: one bad change never stops sync. Each change runs in its
	// own savepoint; once all ran, rows that point at a missing row (a
	// deferred foreign key) are found, their changes set aside and the batch
	// run again without them, so the commit never fails on a foreign key
	// (a failed COMMIT would leave the connection inside the transaction).
	poisoned := map[string]string{}
	for id, reason := range skip {
		poisoned[id] = reason
	}
	applied := 0
	for pass := 0; ; pass++ {
		if err := tx.SavePoint("sync_batch").Error; err != nil {
			return 0, err
		}
		applied = 0
		for _, c := range changes {
			if _, bad := poisoned[c.ID]; bad {
				continue
			}
			if err := tx.SavePoint("sync_change").Error; err != nil {
				return 0, err
			}
			ok, err := r.applyOne(tx, c, now)
			if err != nil {
				reason, bad := poison(err)
				if !bad {
					return applied, err
				}
				if err := tx.RollbackTo("sync_change").Error; err != nil {
					return applied, err
				}
				poisoned[c.ID] = reason
			} else if ok {
				applied++
			}
			// Released at once, so savepoints never pile up over a batch.
			if err := tx.Exec(`RELEASE SAVEPOINT sync_change`).Error; err != nil {
				return applied, err
			}
		}
		dangling, err := danglingChanges(tx, changes, poisoned)
		if err != nil {
			return applied, err
		}
		if len(dangling) == 0 {
			if err := tx.Exec(`RELEASE SAVEPOINT sync_batch`).Error; err != nil {
				return applied, err
			}
			break
		}
		if pass > len(changes) {
			return applied, fmt.Errorf("the hub's changes refer to rows this desk does not have (%d left)", len(dangling))
		}
		if err := tx.RollbackTo("sync_batch").Error; err != nil {
			return applied, err
		}
		if err := tx.Exec(`RELEASE SAVEPOINT sync_batch`).Error; err != nil {
			return applied, err
		}
		for id, reason := range dangling {
			poisoned[id] = reason
		}
	}
	for _, c := range changes {
		if reason, bad := poisoned[c.ID]; bad {
			if err := quarantine(tx, c, reason, now); err != nil {
				return applied, err
			}
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

// poisonErr is a change this desk will never be able to apply as it is.
type poisonErr struct{ reason string }

func (p *poisonErr) Error() string { return p.reason }

func poisonf(format string, args ...any) error { return &poisonErr{fmt.Sprintf(format, args...)} }

// poison tells a change that can never apply (malformed, refused by a
// constraint or trigger of this database) from a passing failure (disk,
// lock), which must stop the batch so it is tried again.
func poison(err error) (string, bool) {
	var p *poisonErr
	if errors.As(err, &p) {
		return p.reason, true
	}
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		switch coded.Code() & 0xff {
		case 19, 20, 25: // SQLITE_CONSTRAINT (CHECK, NOT NULL, triggers' RAISE), MISMATCH, RANGE
			return "this desk's database refused it: " + err.Error(), true
		}
	}
	return "", false
}

// danglingChanges finds rows written by this batch that point at a row this
// desk does not have, and returns the changes that wrote them.
func danglingChanges(tx *gorm.DB, changes []WireChange, skip map[string]string) (map[string]string, error) {
	if tx.Dialector.Name() != "sqlite" {
		return nil, nil
	}
	var rows []struct {
		Table  string
		Rowid  int64
		Parent string
	}
	if err := tx.Raw(`SELECT "table", rowid, parent FROM pragma_foreign_key_check`).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, v := range rows {
		var ent Entity
		for _, e := range Entities {
			if e.Table == v.Table {
				ent = e
			}
		}
		if ent.Name == "" {
			continue
		}
		var keys []string
		if err := tx.Raw(`SELECT `+ent.Key+` FROM `+ent.Table+` WHERE rowid = ?`, v.Rowid).Scan(&keys).Error; err != nil {
			return nil, err
		}
		if len(keys) == 0 {
			continue
		}
		for _, c := range changes {
			if _, done := skip[c.ID]; !done && c.Entity == ent.Name && c.EntityID == keys[0] {
				out[c.ID] = fmt.Sprintf("it refers to a %s record this desk does not have.", v.Parent)
			}
		}
	}
	return out, nil
}

// quarantine keeps a change this desk could not apply, with its reason, and
// tells staff through a sync notice. It is marked applied so the cursor
// moves past it.
func quarantine(tx *gorm.DB, c WireChange, reason string, now time.Time) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	log.Printf("sync: set aside change %s (%.40s %.64s) from the hub: %s", c.ID, c.Entity, c.EntityID, reason)
	if err := tx.Exec(`INSERT INTO sync_quarantine (id, hub_cursor, at, entity, entity_id, change, reason) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`, c.ID, c.Cursor, now, c.Entity, c.EntityID, string(b), reason).Error; err != nil {
		return err
	}
	if err := tx.Exec(`INSERT INTO sync_applied (id, hub_cursor, applied_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`, c.ID, c.Cursor, now).Error; err != nil {
		return err
	}
	return tx.Exec(`INSERT INTO sync_notices (id, at, entity, entity_id, message) VALUES (?, ?, ?, ?, ?)`, clock.NewID(), now, c.Entity, c.EntityID,
		"A change from the practice hub could not be applied on this desk and was set aside (the rest of sync goes on): "+reason).Error
}

// Quarantined lists the changes from the hub this desk set aside, newest first.
func Quarantined(db *gorm.DB) ([]QuarantinedChange, error) {
	var out []QuarantinedChange
	err := db.Raw(`SELECT id, entity, entity_id, reason FROM sync_quarantine ORDER BY at DESC, id DESC`).Scan(&out).Error
	return out, err
}

// QuarantinedChange is a change from the hub this desk could not apply.
type QuarantinedChange struct {
	ID       string
	Entity   string
	EntityID string
	Reason   string
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
		return false, poisonf("its clock stamp was refused: %v.", err)
	}
	e, ok := EntityByName(c.Entity)
	if !ok {
		log.Printf("sync: skipping change %s of unknown entity %.40q (a newer ClinicDesk wrote it)", c.ID, c.Entity)
		return false, nil
	}
	e, row, reason := CheckShape(c)
	if reason != "" {
		return false, poisonf("%s", reason)
	}
	if why, err := refusedStaffRow(tx, c); err != nil {
		return false, err
	} else if why != "" {
		return false, poisonf("a staff change from the hub was not applied: %s", why)
	}
	if e.Name == EntityAudit {
		return true, insertAudit(tx, *row.(*store.AuditEvent))
	}
	if e.Kind == AppendOnly {
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
	if err := e.Upsert(tx, row); err != nil {
		return false, err
	}
	return true, setVersion(tx, c.Entity, c.EntityID, version, false)
}
