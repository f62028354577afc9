package sync

import (
	"encoding/json"
	gosync "sync"

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

// Recorder writes change-log entries. One per desk; its origin names the
// desk (the id the hub gave it once joined).
type Recorder struct {
	HLC *HLC

	mu     gosync.Mutex
	origin string
}

// NewRecorder returns a Recorder for the desk named origin.
func NewRecorder(origin string, c clock.Clock) *Recorder {
	return &Recorder{origin: origin, HLC: NewHLC(c)}
}

// Origin is the desk's id in the change log.
func (r *Recorder) Origin() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.origin
}

func (r *Recorder) setOrigin(o string) {
	r.mu.Lock()
	r.origin = o
	r.mu.Unlock()
}

// Record appends one change to the log inside tx. row is the entity's state
// after the change (or its key for a delete), stored as JSON.
func (r *Recorder) Record(tx *gorm.DB, entity, entityID, op string, row any) error {
	payload, err := json.Marshal(row)
	if err != nil {
		return err
	}
	ts := r.HLC.Now()
	origin := r.Origin()
	if err := tx.Create(&store.Change{
		ID:       clock.NewID(),
		HLC:      ts,
		Origin:   origin,
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
	return setVersion(tx, entity, entityID, Version(ts, origin), op == OpDelete)
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
