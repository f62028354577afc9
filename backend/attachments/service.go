package attachments

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/files"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
)

// RestoreWindow is how long an owner or manager can restore a deleted
// attachment before its bytes are purged.
const RestoreWindow = 30 * 24 * time.Hour

// Service carries the dependencies of attachment actions.
type Service struct {
	DB    *store.DB
	Rec   *sync.Recorder
	Audit audit.Log
	Clock clock.Clock
	Blobs *files.Store
	// ViewDir is this run's private folder (0700) of read-only copies for
	// the system viewer, one subfolder per session, removed when the
	// session ends (EndSession) and when the app closes (Close).
	ViewDir string
	// DataDir is the practice's data folder: nothing in it may be staged.
	DataDir string

	staged staging
}

// row is an attachment with the facts the rules need.
type row struct {
	store.Attachment
	Participant   bool
	ThreadSubject string
}

func facts(r row) access.AttachmentFacts {
	return access.AttachmentFacts{
		Participant: r.Participant,
		Shared:      r.SharedWithStaff,
		SenderKind:  r.SenderKind,
		SenderID:    r.SenderID,
		Removed:     r.DeletedAt != nil,
	}
}

const rowSelect = `a.*, t.subject AS thread_subject,
	EXISTS (SELECT 1 FROM participants ps WHERE ps.thread_id = a.thread_id AND ps.kind = 'staff' AND ps.person_id = ?) AS participant`

// listCols packs one attachment of a list into a single column (see
// store.PackedRows), with th.participant (the actor takes part in its
// thread) and th.subject; readListRow reads it back in this order.
//
// The blob's SHA-256 is left out: lists do not show it, and every byte of a
// 10,000-row list costs (load has it for actions on one attachment).
const listCols = `json_array(a.id, a.message_id, a.thread_id, a.name, a.mime, a.size, a.sender_kind, a.sender_id,
	a.created_at, a.shared_with_staff, a.shared_by_staff_id, a.shared_at, a.removed_at, th.participant, th.subject)`

// ForClient lists every attachment sent to or from the client in any thread
// that includes them, that the actor may see, newest first.
//
// The plan (EXPLAIN QUERY PLAN in bench/README.md): the client's
// participations (idx_participants_person) give their threads; for each
// thread, once, its subject and whether the actor takes part (the
// participants' unique index), materialized so the probe is not repeated
// per attachment; then the thread's attachments (idx_attachments_thread).
// Invisible rows are filtered in SQL so their names never leave the
// database. There is no ORDER BY: SQLite's sorter would copy 10,000 wide
// rows, while sorting them in Go by the same stored text is a fraction of
// that (sortNewestFirst).
func (s *Service) ForClient(a access.Actor, clientID string) ([]dto.Attachment, error) {
	out, _, err := s.ForClientPage(a, clientID, 0, 0)
	return out, err
}

// ForClientPage is ForClient from the offset-th attachment (newest first),
// at most limit of them (limit <= 0: all the rest), with how many there are
// in all. A page is found from every visible attachment's id and time
// alone (no names, subjects or times parsed), and only its rows are read
// whole and become DTOs; only the page crosses to the UI, so the Messages
// tab draws its first screenful from a small answer.
func (s *Service) ForClientPage(a access.Actor, clientID string, offset, limit int) ([]dto.Attachment, int, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return nil, 0, err
	}
	const from = `WITH th AS MATERIALIZED (
			SELECT pc.thread_id, t.subject,
				EXISTS (SELECT 1 FROM participants ps WHERE ps.thread_id = pc.thread_id AND ps.kind = 'staff' AND ps.person_id = ?) AS participant
			FROM participants pc JOIN threads t ON t.id = pc.thread_id
			WHERE pc.kind = 'client' AND pc.person_id = ?)`
	const where = `
		FROM th JOIN attachments a ON a.thread_id = th.thread_id
		WHERE a.removed_at IS NULL AND (th.participant OR a.shared_with_staff = 1)`
	if offset <= 0 && limit <= 0 { // the whole list in one statement
		rows, err := s.list(s.DB.DB, from+` SELECT `+listCols+where, a.StaffID, clientID)
		if err != nil {
			return nil, 0, err
		}
		sortNewestFirst(rows, true)
		out, err := s.toDTOs(s.DB.DB, a, rows)
		return out, len(rows), err
	}
	// A page: every visible attachment's id and time, sorted as the list
	// is (idx_attachments_thread_visible covers it: no table lookups); then
	// the page's rows whole, by primary key (one JSON array of ids). Their
	// visibility was decided by the first statement.
	var keys []*listRow
	err := store.PackedRows(s.DB.DB, func(r *store.Row) error {
		k := &listRow{}
		k.ID, k.createdAt = r.Str(), r.Str()
		keys = append(keys, k)
		return nil
	}, from+` SELECT json_array(a.id, a.created_at)`+where, a.StaffID, clientID)
	if err != nil {
		return nil, 0, err
	}
	sortNewestFirst(keys, true)
	page := store.PageIDs(len(keys), offset, limit, func(i int) string { return keys[i].ID })
	if page == "" {
		return []dto.Attachment{}, len(keys), nil
	}
	rows, err := s.list(s.DB.DB, `SELECT json_array(a.id, a.message_id, a.thread_id, a.name, a.mime, a.size, a.sender_kind, a.sender_id,
			a.created_at, a.shared_with_staff, a.shared_by_staff_id, a.shared_at, a.removed_at,
			EXISTS (SELECT 1 FROM participants ps WHERE ps.thread_id = a.thread_id AND ps.kind = 'staff' AND ps.person_id = ?),
			t.subject)
		FROM json_each(?) j JOIN attachments a ON a.id = j.value JOIN threads t ON t.id = a.thread_id`, a.StaffID, page)
	if err != nil {
		return nil, 0, err
	}
	sortNewestFirst(rows, true)
	out, err := s.toDTOs(s.DB.DB, a, rows)
	return out, len(keys), err
}

// listRow is a row with its stored creation time, the sort key.
type listRow struct {
	row
	createdAt string
}

func (s *Service) list(tx *gorm.DB, query string, args ...any) ([]*listRow, error) {
	var out []*listRow
	var block []listRow // rows are allocated 256 at a time
	err := store.PackedRows(tx, func(r *store.Row) error {
		if len(block) == cap(block) {
			block = make([]listRow, 0, 256)
		}
		block = append(block, listRow{})
		x := &block[len(block)-1]
		x.ID, x.MessageID, x.ThreadID, x.Name, x.MIME = r.Str(), r.Str(), r.Str(), r.Str(), r.Str()
		x.Size = r.Int()
		x.SenderKind, x.SenderID = r.Str(), r.Str()
		x.createdAt = r.Str()
		x.SharedWithStaff = r.Bool()
		if by := r.Str(); by != "" {
			x.SharedByStaffID = &by
		}
		var err error
		if x.CreatedAt, err = store.ParseDBTime(x.createdAt); err != nil {
			return err
		}
		if at := r.Str(); at != "" {
			t, err := store.ParseDBTime(at)
			if err != nil {
				return err
			}
			x.SharedAt = &t
		}
		if at := r.Str(); at != "" {
			t, err := store.ParseDBTime(at)
			if err != nil {
				return err
			}
			x.DeletedAt = &t
		}
		x.Participant = r.Bool()
		x.ThreadSubject = r.Str()
		out = append(out, x)
		return nil
	}, query, args...)
	return out, err
}

// sortNewestFirst orders rows as "ORDER BY created_at DESC, id DESC" (or
// ascending) on the stored text would.
func sortNewestFirst(rows []*listRow, desc bool) {
	slices.SortFunc(rows, func(x, y *listRow) int {
		c := strings.Compare(x.createdAt, y.createdAt)
		if c == 0 {
			c = strings.Compare(x.ID, y.ID)
		}
		if desc {
			return -c
		}
		return c
	})
}

// ForThread returns the attachments of a thread grouped by message, for a
// participant's thread view. Removed ones come back as placeholders.
func (s *Service) ForThread(tx *gorm.DB, a access.Actor, threadID string) (map[string][]dto.Attachment, error) {
	// The actor's participation is looked up once for the thread, not per
	// attachment; the attachments come from idx_attachments_thread.
	rows, err := s.list(tx, `WITH th AS MATERIALIZED (
			SELECT t.id AS thread_id, t.subject,
				EXISTS (SELECT 1 FROM participants ps WHERE ps.thread_id = t.id AND ps.kind = 'staff' AND ps.person_id = ?) AS participant
			FROM threads t WHERE t.id = ?)
		SELECT `+listCols+` FROM th JOIN attachments a ON a.thread_id = th.thread_id`, a.StaffID, threadID)
	if err != nil {
		return nil, err
	}
	sortNewestFirst(rows, false)
	// Who removed each removed attachment, to say so honestly.
	var removers []struct{ ID, RemovedByStaffID string }
	if err := tx.Raw(`SELECT id, COALESCE(removed_by_staff_id, '') AS removed_by_staff_id FROM attachments
		WHERE thread_id = ? AND removed_at IS NOT NULL`, threadID).Scan(&removers).Error; err != nil {
		return nil, err
	}
	removedBy := make(map[string]string, len(removers))
	for _, x := range removers {
		removedBy[x.ID] = x.RemovedByStaffID
	}
	out := map[string][]dto.Attachment{}
	var visible []*listRow
	for _, r := range rows {
		if r.DeletedAt != nil {
			note := RemovedNote(r.SenderKind, r.SenderID, removedBy[r.ID])
			out[r.MessageID] = append(out[r.MessageID], dto.Attachment{ID: r.ID, MessageID: r.MessageID, ThreadID: r.ThreadID, Removed: true, Name: note, RemovedNote: note})
			continue
		}
		if access.CanSee(a, facts(r.row)) {
			visible = append(visible, r)
		}
	}
	ds, err := s.toDTOs(tx, a, visible)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		out[d.MessageID] = append(out[d.MessageID], d)
	}
	return out, nil
}

func (s *Service) toDTOs(tx *gorm.DB, a access.Actor, rows []*listRow) ([]dto.Attachment, error) {
	if len(rows) == 0 {
		return []dto.Attachment{}, nil
	}
	set, err := store.GetSettings(tx)
	if err != nil {
		return nil, err
	}
	// 10,000 attachments come from a few dozen people: look each up once.
	seen := map[store.PersonKey]bool{}
	var keys []store.PersonKey
	add := func(k store.PersonKey) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for _, r := range rows {
		add(store.PersonKey{Kind: r.SenderKind, ID: r.SenderID})
		if r.SharedByStaffID != nil {
			add(store.PersonKey{Kind: store.KindStaff, ID: *r.SharedByStaffID})
		}
	}
	names, err := store.Names(tx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]dto.Attachment, 0, len(rows))
	for _, r := range rows {
		out = append(out, toDTO(a, r.row, names, set.RecordsDeletion))
	}
	return out, nil
}

func toDTO(a access.Actor, r row, names map[store.PersonKey]string, recordsDeletion bool) dto.Attachment {
	f := facts(r)
	d := dto.Attachment{
		ID:             r.ID,
		Name:           files.DisplayName(r.Name),
		MIME:           r.MIME,
		TypeLabel:      TypeLabel(r.MIME),
		Size:           r.Size,
		Sender:         dto.Person{Kind: r.SenderKind, ID: r.SenderID, Name: names[store.PersonKey{Kind: r.SenderKind, ID: r.SenderID}]},
		SentAt:         clock.RFC3339(r.CreatedAt),
		ThreadID:       r.ThreadID,
		ThreadSubject:  r.ThreadSubject,
		MessageID:      r.MessageID,
		Shared:         r.SharedWithStaff,
		SharedAt:       clock.RFC3339Ptr(r.SharedAt),
		CanToggleShare: access.CheckToggleShare(a, f) == nil,
		CanGoToThread:  access.CheckGoToThread(a, r.Participant) == nil,
		CanCopy:        access.CheckCopyToDocuments(a, f) == nil,
		CanPreview:     Previewable(r.MIME),
	}
	if r.SharedWithStaff && r.SharedByStaffID != nil {
		d.SharedBy = names[store.PersonKey{Kind: store.KindStaff, ID: *r.SharedByStaffID}]
	}
	if err := access.CheckDelete(a, f, recordsDeletion); err == nil {
		d.CanDelete = true
	} else {
		// The rule's own words say why, so the UI never works it out.
		e := apperr.As(err)
		d.DeleteBlocked, d.DeleteBlockedReason = string(e.Code), e.Message
	}
	return d
}

// load fetches one attachment with the actor's facts. An attachment the actor
// may not see is reported as NotFound, exactly like one that does not exist.
func (s *Service) load(tx *gorm.DB, a access.Actor, id string) (row, error) {
	var rows []row
	err := tx.Raw(`SELECT `+rowSelect+` FROM attachments a JOIN threads t ON t.id = a.thread_id WHERE a.id = ?`, a.StaffID, id).Scan(&rows).Error
	if err != nil {
		return row{}, err
	}
	if len(rows) == 0 {
		return row{}, apperr.New(apperr.NotFound, "That attachment is not available.")
	}
	return rows[0], nil
}

func (s *Service) one(tx *gorm.DB, a access.Actor, id string) (dto.Attachment, error) {
	r, err := s.load(tx, a, id)
	if err != nil {
		return dto.Attachment{}, err
	}
	ds, err := s.toDTOs(tx, a, []*listRow{{row: r}})
	if err != nil {
		return dto.Attachment{}, err
	}
	return ds[0], nil
}

// clientOf returns one client of the thread, for audit entries.
func clientOf(tx *gorm.DB, threadID string) string {
	var id string
	tx.Raw(`SELECT person_id FROM participants WHERE thread_id = ? AND kind = 'client' ORDER BY joined_at LIMIT 1`, threadID).Scan(&id)
	return id
}

// SetShared shares the attachment with all staff (shared=true) or makes it
// private to its thread again, recording who and when.
func (s *Service) SetShared(a access.Actor, id string, shared bool) (dto.Attachment, error) {
	err := s.DB.Tx(func(tx *gorm.DB) error {
		r, err := s.load(tx, a, id)
		if err != nil {
			return err
		}
		if err := access.CheckToggleShare(a, facts(r)); err != nil {
			return err
		}
		if r.SharedWithStaff == shared {
			return nil // already so; nothing to record
		}
		now := s.Clock.Now()
		att := r.Attachment
		att.SharedWithStaff = shared
		if shared {
			att.SharedByStaffID, att.SharedAt = &a.StaffID, &now
		} else {
			att.SharedByStaffID, att.SharedAt = nil, nil
		}
		if err := tx.Model(&store.Attachment{}).Where("id = ?", id).Updates(map[string]any{
			"shared_with_staff": att.SharedWithStaff, "shared_by_staff_id": att.SharedByStaffID, "shared_at": att.SharedAt,
		}).Error; err != nil {
			return err
		}
		if err := s.Rec.Record(tx, "attachment", id, sync.OpUpdate, att); err != nil {
			return err
		}
		action := audit.ActShare
		if !shared {
			action = audit.ActUnshare
		}
		return s.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: action, ClientID: clientOf(tx, r.ThreadID), ThreadID: r.ThreadID, AttachmentID: id,
			Detail: map[string]any{"name": r.Name}})
	})
	if err != nil {
		return dto.Attachment{}, err
	}
	return s.one(s.DB.DB, a, id)
}

// Delete removes the attachment for everyone (staff lists, thread views and
// the portal). The bytes stay restorable for RestoreWindow.
func (s *Service) Delete(a access.Actor, id string) error {
	return s.DB.Tx(func(tx *gorm.DB) error {
		r, err := s.load(tx, a, id)
		if err != nil {
			return err
		}
		set, err := store.GetSettings(tx)
		if err != nil {
			return err
		}
		if err := access.CheckDelete(a, facts(r), set.RecordsDeletion); err != nil {
			return err
		}
		now := s.Clock.Now()
		if err := tx.Model(&store.Attachment{}).Where("id = ?", id).Updates(map[string]any{"removed_at": now, "removed_by_staff_id": a.StaffID}).Error; err != nil {
			return err
		}
		att := r.Attachment
		att.DeletedAt, att.DeletedByStaffID = &now, &a.StaffID
		if err := s.Rec.Record(tx, "attachment", id, sync.OpUpdate, att); err != nil {
			return err
		}
		return s.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: audit.ActDelete, ClientID: clientOf(tx, r.ThreadID), ThreadID: r.ThreadID, AttachmentID: id,
			Detail: map[string]any{"name": r.Name, "size": r.Size, "sha256": r.BlobSHA256}})
	})
}

// Deleted lists attachments deleted within the restore window, for an owner or manager.
func (s *Service) Deleted(a access.Actor) ([]dto.DeletedAttachment, error) {
	if err := access.CheckRestore(a); err != nil {
		return nil, err
	}
	var rows []row
	since := s.Clock.Now().Add(-RestoreWindow)
	if err := s.DB.Raw(`SELECT `+rowSelect+` FROM attachments a JOIN threads t ON t.id = a.thread_id
		WHERE a.removed_at IS NOT NULL AND a.purged_at IS NULL AND a.removed_at > ? ORDER BY a.removed_at DESC`, a.StaffID, since).Scan(&rows).Error; err != nil {
		return nil, err
	}
	// The clients of each thread, for the Client column (every staff member
	// may see who the practice's clients are).
	threadIDs := make([]string, 0, len(rows))
	for _, r := range rows {
		threadIDs = append(threadIDs, r.ThreadID)
	}
	var parts []store.Participant
	if len(threadIDs) > 0 {
		if err := s.DB.Where("thread_id IN ? AND kind = ?", threadIDs, store.KindClient).Order("joined_at").Find(&parts).Error; err != nil {
			return nil, err
		}
	}
	var keys []store.PersonKey
	for _, r := range rows {
		if r.DeletedByStaffID != nil {
			keys = append(keys, store.PersonKey{Kind: store.KindStaff, ID: *r.DeletedByStaffID})
		}
	}
	for _, p := range parts {
		keys = append(keys, store.PersonKey{Kind: store.KindClient, ID: p.PersonID})
	}
	names, err := store.Names(s.DB.DB, keys)
	if err != nil {
		return nil, err
	}
	clientsOf := map[string][]string{}
	for _, p := range parts {
		clientsOf[p.ThreadID] = append(clientsOf[p.ThreadID], names[store.PersonKey{Kind: store.KindClient, ID: p.PersonID}])
	}
	out := []dto.DeletedAttachment{}
	for _, r := range rows {
		by := ""
		if r.DeletedByStaffID != nil {
			by = names[store.PersonKey{Kind: store.KindStaff, ID: *r.DeletedByStaffID}]
		}
		d := dto.DeletedAttachment{ID: r.ID, Name: files.DisplayName(r.Name), Size: r.Size, DeletedBy: by,
			DeletedAt: clock.RFC3339Ptr(r.DeletedAt), RestoreUntil: clock.RFC3339(r.DeletedAt.Add(RestoreWindow)),
			Clients: strings.Join(clientsOf[r.ThreadID], ", ")}
		// The thread's subject only to someone who could see the attachment
		// before it was deleted: a participant, or anyone if it was shared.
		f := facts(r)
		f.Removed = false
		if access.CanSee(a, f) {
			d.ThreadSubject = r.ThreadSubject
		}
		out = append(out, d)
	}
	return out, nil
}

// Restore brings back a deleted attachment within RestoreWindow (owner or manager).
func (s *Service) Restore(a access.Actor, id string) error {
	if err := access.CheckRestore(a); err != nil {
		return err
	}
	return s.DB.Tx(func(tx *gorm.DB) error {
		var att store.Attachment
		if err := tx.Where("id = ?", id).Limit(1).Find(&att).Error; err != nil {
			return err
		}
		if att.ID == "" || att.DeletedAt == nil {
			return apperr.New(apperr.NotFound, "That attachment is not in Recently deleted.")
		}
		// At exactly RestoreWindow the attachment is due for Purge and gone from
		// Deleted, so it is no longer restorable either.
		if att.PurgedAt != nil || s.Clock.Now().Sub(*att.DeletedAt) >= RestoreWindow {
			return apperr.New(apperr.RestoreWindowExpired, "This attachment was deleted more than 30 days ago and can no longer be restored.")
		}
		if err := tx.Model(&store.Attachment{}).Where("id = ?", id).Updates(map[string]any{"removed_at": nil, "removed_by_staff_id": nil}).Error; err != nil {
			return err
		}
		att.DeletedAt, att.DeletedByStaffID = nil, nil
		if err := s.Rec.Record(tx, "attachment", id, sync.OpUpdate, att); err != nil {
			return err
		}
		return s.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: audit.ActRestore, ClientID: clientOf(tx, att.ThreadID), ThreadID: att.ThreadID, AttachmentID: id,
			Detail: map[string]any{"name": att.Name, "size": att.Size, "sha256": att.BlobSHA256}})
	})
}

// Purge marks attachments deleted longer than RestoreWindow as purged and
// removes their bytes unless another attachment or a Documents on File copy
// still uses them. It returns how many attachments were purged.
func (s *Service) Purge() (int, error) {
	cutoff := s.Clock.Now().Add(-RestoreWindow)
	var due []store.Attachment
	if err := s.DB.Where("removed_at IS NOT NULL AND purged_at IS NULL AND removed_at <= ?", cutoff).Find(&due).Error; err != nil {
		return 0, err
	}
	var freed []string
	for _, att := range due {
		err := s.DB.Tx(func(tx *gorm.DB) error {
			now := s.Clock.Now()
			if err := tx.Model(&store.Attachment{}).Where("id = ?", att.ID).Update("purged_at", now).Error; err != nil {
				return err
			}
			att.PurgedAt = &now
			if err := s.Rec.Record(tx, "attachment", att.ID, sync.OpUpdate, att); err != nil {
				return err
			}
			if err := s.Audit.Append(tx, audit.Entry{Action: audit.ActPurge, ThreadID: att.ThreadID, AttachmentID: att.ID,
				Detail: map[string]any{"name": att.Name, "size": att.Size, "sha256": att.BlobSHA256}}); err != nil {
				return err
			}
			used, err := blobInUse(tx, att.BlobSHA256)
			if err != nil {
				return err
			}
			// The blobs row stays: the purged attachment row still refers to it
			// (attachments.blob_sha256 is a foreign key), and blobs are
			// append-only for sync. Only the bytes go.
			if !used {
				freed = append(freed, att.BlobSHA256)
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	// Bytes go only after the database no longer points at them.
	for _, sha := range freed {
		if err := s.Blobs.Remove(sha); err != nil {
			return len(due), err
		}
	}
	return len(due), nil
}

// blobInUse: a blob is in use while a live or restorable attachment, or any
// document, refers to it.
func blobInUse(tx *gorm.DB, sha string) (bool, error) {
	var n int64
	err := tx.Raw(`SELECT
		(SELECT COUNT(*) FROM attachments WHERE blob_sha256 = ? AND purged_at IS NULL) +
		(SELECT COUNT(*) FROM documents WHERE blob_sha256 = ?)`, sha, sha).Scan(&n).Error
	return n > 0, err
}

// CopyToDocuments files a copy of the attachment in the client's Documents on
// File, making it part of the formal record. The copy is independent: deleting
// the attachment later leaves the document. For a group thread the caller
// names which client; "" means the thread's only client.
func (s *Service) CopyToDocuments(a access.Actor, id, clientID string) (dto.Document, error) {
	var doc store.Document
	err := s.DB.Tx(func(tx *gorm.DB) error {
		r, err := s.load(tx, a, id)
		if err != nil {
			return err
		}
		if err := access.CheckCopyToDocuments(a, facts(r)); err != nil {
			return err
		}
		var clients []string
		if err := tx.Raw(`SELECT person_id FROM participants WHERE thread_id = ? AND kind = 'client' ORDER BY joined_at`, r.ThreadID).Scan(&clients).Error; err != nil {
			return err
		}
		switch {
		case clientID == "" && len(clients) == 1:
			clientID = clients[0]
		case clientID == "":
			return apperr.Invalid("clientId", "This thread has several clients. Choose whose Documents on File to copy it to.")
		case !contains(clients, clientID):
			return apperr.Invalid("clientId", "That client is not part of this attachment's thread.")
		}
		var already int64
		if err := tx.Model(&store.Document{}).Where("client_id = ? AND source_attachment_id = ?", clientID, id).Count(&already).Error; err != nil {
			return err
		}
		if already > 0 {
			return apperr.Newf(apperr.AlreadyInDocuments, "“%s” is already in Documents on File.", files.DisplayName(r.Name))
		}
		now := s.Clock.Now()
		src := id
		doc = store.Document{ID: clock.NewID(), ClientID: clientID, BlobSHA256: r.BlobSHA256, Name: r.Name, MIME: r.MIME, Size: r.Size,
			SourceAttachmentID: &src, AddedByStaffID: a.StaffID, CreatedAt: now}
		if err := tx.Create(&doc).Error; err != nil {
			return err
		}
		if err := s.Rec.Record(tx, "document", doc.ID, sync.OpInsert, doc); err != nil {
			return err
		}
		return s.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: audit.ActCopyToDocuments, ClientID: clientID, ThreadID: r.ThreadID, AttachmentID: id,
			Detail: map[string]any{"name": r.Name, "document": doc.ID, "sha256": r.BlobSHA256}})
	})
	if err != nil {
		return dto.Document{}, err
	}
	return DocumentDTO(doc, a.Name), nil
}

// DocumentDTO converts a document for the UI.
func DocumentDTO(d store.Document, addedBy string) dto.Document {
	return dto.Document{ID: d.ID, Name: files.DisplayName(d.Name), MIME: d.MIME, TypeLabel: TypeLabel(d.MIME), Size: d.Size, AddedBy: addedBy,
		AddedAt: clock.RFC3339(d.CreatedAt), FromAttachment: d.SourceAttachmentID != nil, CanPreview: Previewable(d.MIME)}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Open returns the verified bytes of an attachment the actor may see, for the
// in-app preview, and records the preview in the audit log.
func (s *Service) Open(a access.Actor, id string, action string) (io.ReadCloser, store.Attachment, error) {
	var att store.Attachment
	err := s.DB.Tx(func(tx *gorm.DB) error {
		r, err := s.load(tx, a, id)
		if err != nil {
			return err
		}
		if err := access.CheckSee(a, facts(r)); err != nil {
			return err
		}
		att = r.Attachment
		return s.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: action, ClientID: clientOf(tx, r.ThreadID), ThreadID: r.ThreadID, AttachmentID: id,
			Detail: map[string]any{"name": r.Name}})
	})
	if err != nil {
		return nil, att, err
	}
	rc, err := s.Blobs.Open(att.BlobSHA256)
	return rc, att, err
}

// ViewCopy writes a verified, read-only copy of the attachment under ViewDir,
// named with its display name, for the system's default viewer. The audit
// entry is written before the bytes leave the store.
func (s *Service) ViewCopy(a access.Actor, id string) (string, error) {
	rc, att, err := s.Open(a, id, audit.ActView)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	return s.SessionCopy(a, att.ID, att.Name, rc)
}

// SessionCopy writes rc as a read-only copy in a's session's viewer folder
// (see WriteViewCopy); it is removed when the session ends.
func (s *Service) SessionCopy(a access.Actor, key, name string, rc io.Reader) (string, error) {
	dir := s.sessionViewDir(a)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return WriteViewCopy(dir, key, name, rc)
}

// WriteViewCopy copies rc to dir/<key>/<name> read-only, via a temp file, and
// returns its path. A corrupt blob fails here and leaves no copy.
func WriteViewCopy(dir, key, name string, rc io.Reader) (string, error) {
	clean, err := files.CleanName(name)
	if err != nil {
		clean = "attachment"
	}
	sub := filepath.Join(dir, key)
	if err := os.MkdirAll(sub, 0o700); err != nil {
		return "", err
	}
	final := filepath.Join(sub, clean)
	tmp, err := os.CreateTemp(sub, ".view-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, rc); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Chmod(0o400); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	os.Chmod(final, 0o600) // an older copy is replaced
	if err := os.Rename(tmp.Name(), final); err != nil {
		return "", fmt.Errorf("place view copy: %w", err)
	}
	return final, nil
}

// OpenDocument returns the verified bytes of a Documents on File entry. Every
// signed-in staff member may read the formal record; each read is audited.
func (s *Service) OpenDocument(a access.Actor, id string, action string) (io.ReadCloser, store.Document, error) {
	var doc store.Document
	if err := access.CheckSignedIn(a); err != nil {
		return nil, doc, err
	}
	err := s.DB.Tx(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Limit(1).Find(&doc).Error; err != nil {
			return err
		}
		if doc.ID == "" {
			return apperr.New(apperr.NotFound, "That document could not be found.")
		}
		return s.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: action, ClientID: doc.ClientID,
			Detail: map[string]any{"document": id, "name": doc.Name}})
	})
	if err != nil {
		return nil, doc, err
	}
	rc, err := s.Blobs.Open(doc.BlobSHA256)
	return rc, doc, err
}

// ViewDocumentCopy writes a read-only copy of a document for the system viewer.
func (s *Service) ViewDocumentCopy(a access.Actor, id string) (string, error) {
	rc, doc, err := s.OpenDocument(a, id, audit.ActView)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	return s.SessionCopy(a, doc.ID, doc.Name, rc)
}
