package sync

import (
	"encoding/json"

	"gorm.io/gorm"

	"clinicdesk/backend/clock"
	"clinicdesk/backend/store"
)

// Change operations.
const (
	OpInsert = "insert"
	OpUpdate = "update"
	OpDelete = "delete"
)

// Recorder writes change-log entries. One per desk; Origin names the desk.
type Recorder struct {
	Origin string
	HLC    *HLC
}

// NewRecorder returns a Recorder for the desk named origin.
func NewRecorder(origin string, c clock.Clock) *Recorder {
	return &Recorder{Origin: origin, HLC: NewHLC(c)}
}

// Record appends one change to the log inside tx. row is the entity's state
// after the change (or its key for a delete), stored as JSON.
func (r *Recorder) Record(tx *gorm.DB, entity, entityID, op string, row any) error {
	payload, err := json.Marshal(row)
	if err != nil {
		return err
	}
	ts := r.HLC.Now()
	if err := tx.Create(&store.Change{
		ID:       clock.NewID(),
		HLC:      ts,
		Origin:   r.Origin,
		Entity:   entity,
		EntityID: entityID,
		Op:       op,
		Payload:  string(payload),
	}).Error; err != nil {
		return err
	}
	// The row's version moves with it, so a change pulled later from the hub
	// that is older than this one never overwrites it (last writer wins).
	if e, ok := EntityByName(entity); ok && e.Kind == AppendOnly && op != OpDelete {
		return nil
	}
	return setVersion(tx, entity, entityID, Version(ts, r.Origin), op == OpDelete)
}

// Pending returns up to limit changes not yet delivered, oldest first.
func Pending(db *gorm.DB, limit int) ([]store.Change, error) {
	var out []store.Change
	err := db.Where("pushed_at IS NULL").Order("seq").Limit(limit).Find(&out).Error
	return out, err
}

// PendingCount is the number of changes waiting for the hub.
func PendingCount(db *gorm.DB) (int64, error) {
	var n int64
	err := db.Model(&store.Change{}).Where("pushed_at IS NULL").Count(&n).Error
	return n, err
}
