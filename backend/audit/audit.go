// Package audit owns the append-only audit log: who did what, to which client,
// thread or attachment, and when. Entries are written inside the caller's
// transaction, so an action and its audit entry land together or not at all,
// and each entry chains the hash of the one before so tampering is detectable.
//
// It must never be used to decide permissions, and entries are never updated
// or deleted (the database refuses it too).
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/clock"
	"clinicdesk/backend/store"
)

// Actions recorded in the log.
const (
	ActView             = "view"
	ActPreview          = "preview"
	ActShare            = "share"
	ActUnshare          = "unshare"
	ActCopyToDocuments  = "copy_to_documents"
	ActDelete           = "delete"
	ActRestore          = "restore"
	ActPurge            = "purge"
	ActSignIn           = "sign_in"
	ActSignInFailed     = "sign_in_failed"
	ActSignOut          = "sign_out"
	ActLock             = "lock"
	ActSettingChanged   = "setting_changed"
	ActExport           = "export"
	ActOpenThread       = "open_thread"
	ActCompose          = "compose"
	ActReply            = "reply"
	ActAlertChanged     = "client_alert_changed"
	ActDocumentAdded    = "document_added"
	ActAppointmentSaved = "appointment_saved"
	// ActStagedFileRefused is a send or filing refused because a file
	// offered was not a live staged file of the signed-in staff member's
	// session (a content hash, someone else's token, an expired or used one).
	ActStagedFileRefused = "staged_file_refused"
)

// genesis is the PrevHash of the first entry.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Entry is what a caller records.
type Entry struct {
	StaffID      string
	Action       string
	ClientID     string
	ThreadID     string
	AttachmentID string
	Detail       map[string]any
}

// Log appends entries using its clock.
type Log struct{ Clock clock.Clock }

// Append writes e inside tx, chained to the last entry. Callers hold a write
// transaction (the store opens them IMMEDIATE), so the chain cannot fork.
func (l Log) Append(tx *gorm.DB, e Entry) error {
	detail := "{}"
	if len(e.Detail) > 0 {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return err
		}
		detail = string(b)
	}
	var prev store.AuditEvent
	if err := tx.Order("seq DESC").Limit(1).Find(&prev).Error; err != nil {
		return err
	}
	prevHash := genesis
	if prev.Seq != 0 {
		prevHash = prev.Hash
	}
	ev := store.AuditEvent{
		ID:           clock.NewID(),
		At:           l.Clock.Now().UTC().Truncate(time.Microsecond),
		StaffID:      e.StaffID,
		Action:       e.Action,
		ClientID:     e.ClientID,
		ThreadID:     e.ThreadID,
		AttachmentID: e.AttachmentID,
		Detail:       detail,
		PrevHash:     prevHash,
	}
	ev.Hash = hashOf(ev)
	return tx.Create(&ev).Error
}

func hashOf(ev store.AuditEvent) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s",
		ev.PrevHash, ev.ID, ev.At.UTC().Format(time.RFC3339Nano), ev.StaffID, ev.Action,
		ev.ClientID, ev.ThreadID, ev.AttachmentID, ev.Detail)
	return hex.EncodeToString(h.Sum(nil))
}

// ChainError says where the chain breaks.
type ChainError struct {
	Seq    int64
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("audit chain broken at entry %d: %s", e.Seq, e.Reason)
}

// Verify walks the whole log and returns a *ChainError at the first entry
// whose hash or link does not match, nil when the chain is intact.
func Verify(db *gorm.DB) error {
	prevHash := genesis
	var batch []store.AuditEvent
	var lastSeq int64
	for {
		batch = batch[:0]
		if err := db.Where("seq > ?", lastSeq).Order("seq").Limit(1000).Find(&batch).Error; err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		for _, ev := range batch {
			if ev.PrevHash != prevHash {
				return &ChainError{ev.Seq, "link to the previous entry does not match"}
			}
			if hashOf(ev) != ev.Hash {
				return &ChainError{ev.Seq, "entry content does not match its hash"}
			}
			prevHash = ev.Hash
			lastSeq = ev.Seq
		}
	}
}
