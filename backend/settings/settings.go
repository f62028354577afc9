// Package settings owns the practice's settings: Records Deletion (Settings →
// Security), the per-file size limit, the inactivity lock and the scan inbox
// folder. Only an owner or manager may change them; every change is audited
// and recorded for sync in the same transaction.
//
// It must never let the UI decide who may change a setting.
package settings

import (
	"strings"

	"gorm.io/gorm"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/limits"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
)

// Bounds for settings values.
const (
	MinFileBytes = limits.MinFileBytes
	MaxFileBytes = limits.MaxFileBytes
	MinLockMins  = limits.MinLockMins
	MaxLockMins  = limits.MaxLockMins
)

// Service reads and changes practice settings.
type Service struct {
	DB    *store.DB
	Rec   *sync.Recorder
	Audit audit.Log
	Clock clock.Clock
}

// Get returns the settings as the actor sees them.
func (s *Service) Get(a access.Actor) (dto.Settings, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return dto.Settings{}, err
	}
	set, err := store.GetSettings(s.DB.DB)
	if err != nil {
		return dto.Settings{}, err
	}
	return s.toDTO(a, set)
}

func (s *Service) toDTO(a access.Actor, set store.Settings) (dto.Settings, error) {
	d := dto.Settings{PracticeName: set.PracticeName, RecordsDeletion: set.RecordsDeletion, MaxFileBytes: set.MaxFileBytes,
		LockAfterMinutes: set.LockAfterMinutes, ScanInboxPath: set.ScanInboxPath, CanChange: a.IsManager(),
		RecordsDeletionChangedAt: clock.RFC3339Ptr(set.RecordsDeletionChangedAt)}
	if set.RecordsDeletionChangedBy != nil {
		names, err := store.Names(s.DB.DB, []store.PersonKey{{Kind: store.KindStaff, ID: *set.RecordsDeletionChangedBy}})
		if err != nil {
			return d, err
		}
		d.RecordsDeletionChangedBy = names[store.PersonKey{Kind: store.KindStaff, ID: *set.RecordsDeletionChangedBy}]
	}
	return d, nil
}

// update applies change to the settings row in one transaction with its audit
// entry and change-log entry.
func (s *Service) update(a access.Actor, name string, value any, change func(*store.Settings)) (dto.Settings, error) {
	if err := access.CheckManageSettings(a); err != nil {
		return dto.Settings{}, err
	}
	var set store.Settings
	err := s.DB.Tx(func(tx *gorm.DB) error {
		var err error
		set, err = store.GetSettings(tx)
		if err != nil {
			return err
		}
		change(&set)
		set.UpdatedAt = s.Clock.Now()
		if err := tx.Save(&set).Error; err != nil {
			return err
		}
		if err := s.Rec.Record(tx, "settings", "1", sync.OpUpdate, set); err != nil {
			return err
		}
		return s.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: audit.ActSettingChanged, Detail: map[string]any{"setting": name, "value": value}})
	})
	if err != nil {
		return dto.Settings{}, err
	}
	return s.toDTO(a, set)
}

// SetRecordsDeletion turns Records Deletion on or off (owner or manager).
func (s *Service) SetRecordsDeletion(a access.Actor, on bool) (dto.Settings, error) {
	return s.update(a, "records_deletion", on, func(set *store.Settings) {
		now := s.Clock.Now()
		set.RecordsDeletion = on
		set.RecordsDeletionChangedBy = &a.StaffID
		set.RecordsDeletionChangedAt = &now
	})
}

// SetMaxFileBytes changes the per-file size limit (owner or manager).
func (s *Service) SetMaxFileBytes(a access.Actor, n int64) (dto.Settings, error) {
	if err := limits.FileBytes(n); err != nil {
		return dto.Settings{}, err
	}
	return s.update(a, "max_file_bytes", n, func(set *store.Settings) { set.MaxFileBytes = n })
}

// SetLockAfterMinutes changes the inactivity lock (owner or manager).
func (s *Service) SetLockAfterMinutes(a access.Actor, m int) (dto.Settings, error) {
	if err := limits.LockMinutes(m); err != nil {
		return dto.Settings{}, err
	}
	return s.update(a, "lock_after_minutes", m, func(set *store.Settings) { set.LockAfterMinutes = m })
}

// SetScanInboxPath changes the watched scan folder (owner or manager).
func (s *Service) SetScanInboxPath(a access.Actor, path string) (dto.Settings, error) {
	path = strings.TrimSpace(path)
	if path == "" || strings.ContainsRune(path, 0) {
		return dto.Settings{}, apperr.Invalid("scanInboxPath", "Choose a folder for the scan inbox.")
	}
	return s.update(a, "scan_inbox_path", path, func(set *store.Settings) { set.ScanInboxPath = path })
}
