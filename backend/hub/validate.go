package hub

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/files"
	"clinicdesk/backend/limits"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
)

// Every pushed change is checked here before it can touch the hub's rows or
// its log: its shape (id, clock, entity, operation, payload), the limits of
// each field (backend/limits, the desk's own checks), and who may create or
// change the row. A change that fails is refused with a reason in plain
// words; it never enters the log, so no other desk ever receives it.

// actorOf returns the active staff member a change names as its actor.
// Every authority check of a pushed change asks here (the signature check in
// the push handler proves, before accept runs, that this staff member made
// the change). ok is false when the change names nobody or nobody active.
func (h *Hub) actorOf(tx *gorm.DB, c sync.WireChange) (access.Actor, bool, error) {
	if c.Actor == "" {
		return access.Actor{}, false, nil
	}
	var st []store.Staff
	if err := tx.Where("id = ? AND active = ?", c.Actor, true).Limit(1).Find(&st).Error; err != nil {
		return access.Actor{}, false, err
	}
	if len(st) == 0 {
		return access.Actor{}, false, nil
	}
	a := access.Actor{StaffID: st[0].ID, Role: st[0].Role, Name: st[0].FullName()}
	return a, a.Valid(), nil
}

// checkShape refuses a change whose id, clock, entity, operation or payload
// is malformed (the clock against the hub's, the rest as every desk checks
// it: sync.CheckShape). It returns the decoded row.
func (h *Hub) checkShape(c sync.WireChange, now time.Time) (sync.Entity, any, string) {
	if err := sync.CheckHLC(c.HLC, now, h.cfg.MaxAhead); err != nil {
		return sync.Entity{}, nil, "the change's clock stamp was refused: " + err.Error() + ". Check the date and time of this computer."
	}
	return sync.CheckShape(c)
}

// sameJSON reports whether two values marshal alike (times compared in UTC
// at PostgreSQL's microsecond precision).
func sameJSON(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		if tb, ok := b.(time.Time); ok {
			return ta.UTC().Truncate(time.Microsecond).Equal(tb.UTC().Truncate(time.Microsecond))
		}
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// fixed returns the first of cols whose value differs between the hub's row
// and the incoming one ("" when none does).
func fixed(e sync.Entity, cur, inc any, cols ...string) string {
	for _, c := range cols {
		if !sameJSON(field(e, cur, c).Interface(), field(e, inc, c).Interface()) {
			return c
		}
	}
	return ""
}

func textErr(err error) string {
	if err == nil {
		return ""
	}
	return apperr.As(err).Message
}

func exists(tx *gorm.DB, model any, where string, args ...any) (bool, error) {
	var n int64
	err := tx.Model(model).Where(where, args...).Count(&n).Error
	return n > 0, err
}

func activeStaff(tx *gorm.DB, id string) (bool, error) {
	return exists(tx, &store.Staff{}, "id = ? AND active = ?", id, true)
}

// blobReady reports whether the hub has a blob row for sha and its bytes
// (of the row's size) in its store.
func (h *Hub) blobReady(tx *gorm.DB, sha string) (store.Blob, bool, error) {
	var bs []store.Blob
	if err := tx.Where("sha256 = ?", sha).Limit(1).Find(&bs).Error; err != nil || len(bs) == 0 {
		return store.Blob{}, false, err
	}
	fi, err := os.Stat(h.blobs.Path(sha))
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != bs[0].Size {
		return bs[0], false, nil
	}
	return bs[0], true, nil
}

func cleanFileName(name string) bool {
	c, err := files.CleanName(name)
	return err == nil && c == name
}

// checkRow applies the entity's field limits and its ownership rules to a
// pushed row; cur is the hub's row (nil when new). seeding is true for the
// first desk's snapshot: it is the practice's starting state, so only the
// field limits apply to it, not who made each row.
func (h *Hub) checkRow(tx *gorm.DB, d deskRow, e sync.Entity, c sync.WireChange, cur, inc any, seeding bool, now time.Time) (string, error) {
	if cur == nil && !seeding {
		switch e.Name {
		case "client", "staff", "settings":
			return "a new " + e.Name + " record can only come from the practice's first desk, not through sync.", nil
		}
	}
	switch row := inc.(type) {
	case *store.Staff:
		switch row.Role {
		case store.RoleOwner, store.RoleManager, store.RoleClinician, store.RoleFrontDesk:
		default:
			return fmt.Sprintf("the role %.20q is not known.", row.Role), nil
		}
		if limits.Short("name", "name", row.FirstName, limits.MaxPersonName) != nil || limits.Short("name", "name", row.LastName, limits.MaxPersonName) != nil ||
			limits.Short("email", "e-mail address", row.Email, limits.MaxEmail) != nil || len(row.Credential) > 512 {
			return "a staff member's name, e-mail address or credential is too long.", nil
		}
	case *store.Client:
		if reason := textErr(limits.Alert(row.Alert)); reason != "" {
			return reason, nil
		}
		if cur != nil && !seeding {
			if col := fixed(e, cur, inc, "first_name", "last_name", "date_of_birth", "email", "phone", "created_at"); col != "" {
				return "a client's " + strings.ReplaceAll(col, "_", " ") + " cannot be changed through sync.", nil
			}
		}
		if limits.Short("name", "name", row.FirstName, limits.MaxPersonName) != nil || limits.Short("name", "name", row.LastName, limits.MaxPersonName) != nil ||
			limits.Short("email", "e-mail address", row.Email, limits.MaxEmail) != nil || limits.Short("phone", "phone", row.Phone, limits.MaxPhone) != nil ||
			len(row.DateOfBirth) > 10 {
			return "a client's name or contact details are too long.", nil
		}
	case *store.Blob:
		if !files.ValidSHA256(row.SHA256) {
			return "the file is named by an invalid SHA-256.", nil
		}
		if row.Size <= 0 || row.Size > maxBlobBytes || len(row.MIME) > 200 {
			return "the file's size or type is not valid.", nil
		}
		fi, err := os.Stat(h.blobs.Path(row.SHA256))
		if err != nil || fi.Size() != row.Size {
			return "the hub does not have this file's bytes (or they differ in size); upload them first.", nil
		}
	case *store.Settings:
		if row.ID != 1 {
			return "the practice has one settings record (id 1).", nil
		}
		if reason := textErr(limits.FileBytes(row.MaxFileBytes)); reason != "" {
			return reason, nil
		}
		if reason := textErr(limits.LockMinutes(row.LockAfterMinutes)); reason != "" {
			return reason, nil
		}
		if reason := textErr(limits.Short("practiceName", "practice name", row.PracticeName, limits.MaxPracticeName)); reason != "" {
			return reason, nil
		}
	case *store.Appointment:
		return h.checkAppointment(tx, row)
	case *store.Thread:
		if reason := textErr(limits.Text("subject", "subject", row.Subject, limits.MaxSubject, true)); reason != "" {
			return reason, nil
		}
		if cur != nil {
			if col := fixed(e, cur, inc, "subject", "created_by_kind", "created_by_id", "created_at"); col != "" && !seeding {
				return "a thread's " + strings.ReplaceAll(col, "_", " ") + " cannot be changed.", nil
			}
			return "", nil
		}
		if seeding {
			return "", nil
		}
		if row.CreatedByKind != store.KindStaff {
			return "a thread started by a client can only come from the portal.", nil
		}
		return h.checkAuthor(tx, c, row.CreatedByID, "start a thread")
	case *store.Participant:
		return h.checkParticipant(tx, d, e, c, cur, row, seeding)
	case *store.Message:
		if reason := textErr(limits.Text("body", "message", row.Body, limits.MaxBody, false)); reason != "" {
			return reason, nil
		}
		if ok, err := exists(tx, &store.Thread{}, "id = ?", row.ThreadID); err != nil || !ok {
			return "the message's thread does not exist at the hub.", err
		}
		if seeding {
			return "", nil
		}
		if row.AuthorKind != store.KindStaff {
			return "a message from a client can only come from the portal, never from a desk.", nil
		}
		if reason, err := h.checkAuthor(tx, c, row.AuthorID, "write a message"); reason != "" || err != nil {
			return reason, err
		}
		if ok, err := store.IsStaffParticipant(tx, row.ThreadID, row.AuthorID); err != nil || !ok {
			return "the message's author is not on its thread.", err
		}
	case *store.Attachment:
		if cur != nil {
			return "", nil // changes to an attachment are judged field group by field group (acceptMutable)
		}
		return h.checkNewAttachment(tx, c, row, seeding)
	case *store.Document:
		if !cleanFileName(row.Name) {
			return "the document's name is not a clean file name.", nil
		}
		if ok, err := exists(tx, &store.Client{}, "id = ?", row.ClientID); err != nil || !ok {
			return "the document's client does not exist at the hub.", err
		}
		b, ok, err := h.blobReady(tx, row.BlobSHA256)
		if err != nil || !ok {
			return "the hub does not have the document's file.", err
		}
		if b.Size != row.Size {
			return "the document's size differs from its file's.", nil
		}
		if seeding {
			return "", nil
		}
		return h.checkAuthor(tx, c, row.AddedByStaffID, "file a document")
	case *store.AuditEvent:
		if row.ID != c.EntityID || len(row.Action) > 64 || len(row.Detail) > 64<<10 {
			return "the audit entry is malformed.", nil
		}
		if row.Detail != "" {
			var m map[string]any
			if json.Unmarshal([]byte(row.Detail), &m) != nil {
				return "the audit entry's detail is malformed.", nil
			}
		}
		if row.At.After(now.Add(h.maxAhead())) {
			return "the audit entry is dated in the future.", nil
		}
	}
	return "", nil
}

// checkAuthor: a row made "by" staff member id must name an active staff
// member, and the change's actor when it names one.
func (h *Hub) checkAuthor(tx *gorm.DB, c sync.WireChange, id, what string) (string, error) {
	ok, err := activeStaff(tx, id)
	if err != nil || !ok {
		return "only an active staff member can " + what + ".", err
	}
	a, named, err := h.actorOf(tx, c)
	if err != nil {
		return "", err
	}
	if named && a.StaffID != id {
		return "a staff member can only " + what + " as themselves.", nil
	}
	if !named && c.Actor != "" {
		return "the hub could not tell which staff member made this change.", nil
	}
	return "", nil
}

func (h *Hub) checkAppointment(tx *gorm.DB, row *store.Appointment) (string, error) {
	switch row.Status {
	case store.ApptScheduled, store.ApptArrived, store.ApptCompleted, store.ApptCancelled, store.ApptNoShow:
	default:
		return fmt.Sprintf("the appointment status %.20q is not known.", row.Status), nil
	}
	if !row.EndsAt.After(row.StartsAt) || row.EndsAt.Sub(row.StartsAt) > limits.MaxApptLength {
		return "an appointment must end after it starts and last at most 12 hours.", nil
	}
	for _, err := range []error{limits.Short("service", "service", row.Service, limits.MaxService),
		limits.Short("location", "location", row.Location, limits.MaxLocation), limits.Short("notes", "notes", row.Notes, limits.MaxNotes)} {
		if err != nil {
			return textErr(err), nil
		}
	}
	if ok, err := exists(tx, &store.Client{}, "id = ?", row.ClientID); err != nil || !ok {
		return "the appointment's client does not exist at the hub.", err
	}
	if ok, err := exists(tx, &store.Staff{}, "id = ?", row.StaffID); err != nil || !ok {
		return "the appointment's clinician does not exist at the hub.", err
	}
	return "", nil
}

// checkParticipant: a person joins a thread only when a staff participant of
// that thread adds them, or while the thread is being started (no message
// yet) by its creator on the desk it was started on. Desks never add people
// later (PRODUCT.md: compose chooses the people); once set, a participant's
// thread, kind and person never change (reading moves only last_read_at).
func (h *Hub) checkParticipant(tx *gorm.DB, d deskRow, e sync.Entity, c sync.WireChange, cur any, row *store.Participant, seeding bool) (string, error) {
	if row.Kind != store.KindStaff && row.Kind != store.KindClient {
		return "a participant is a staff member or a client.", nil
	}
	if cur != nil {
		if col := fixed(e, cur, row, "thread_id", "kind", "person_id", "joined_at"); col != "" {
			return "a participant's " + strings.ReplaceAll(col, "_", " ") + " cannot be changed.", nil
		}
		return "", nil
	}
	var ths []store.Thread
	if err := tx.Where("id = ?", row.ThreadID).Limit(1).Find(&ths).Error; err != nil || len(ths) == 0 {
		return "the participant's thread does not exist at the hub.", err
	}
	th := ths[0]
	model := any(&store.Client{})
	if row.Kind == store.KindStaff {
		model = &store.Staff{}
	}
	if ok, err := exists(tx, model, "id = ?", row.PersonID); err != nil || !ok {
		return "the person added to the thread does not exist at the hub.", err
	}
	if seeding {
		return "", nil
	}
	a, named, err := h.actorOf(tx, c)
	if err != nil {
		return "", err
	}
	if named {
		if ok, err := store.IsStaffParticipant(tx, th.ID, a.StaffID); err != nil || ok {
			return "", err
		}
	} else if c.Actor != "" {
		return "the hub could not tell which staff member added this person.", nil
	}
	// The thread's creator setting up a thread just started on this desk.
	if (!named || a.StaffID == th.CreatedByID) && th.CreatedByKind == store.KindStaff {
		started, err := exists(tx, &logEntry{}, "entity = ? AND entity_id = ? AND op = ? AND origin = ?", "thread", th.ID, sync.OpInsert, d.ID)
		if err != nil {
			return "", err
		}
		messages, err := exists(tx, &store.Message{}, "thread_id = ?", th.ID)
		if err != nil {
			return "", err
		}
		creator, err := activeStaff(tx, th.CreatedByID)
		if err != nil {
			return "", err
		}
		if started && !messages && creator {
			return "", nil
		}
	}
	return "only a staff member on this thread can add people to it.", nil
}

// checkNewAttachment: a desk sends files only as staff, in a message of the
// thread the attachment names, with a file the hub holds.
func (h *Hub) checkNewAttachment(tx *gorm.DB, c sync.WireChange, row *store.Attachment, seeding bool) (string, error) {
	if !cleanFileName(row.Name) {
		return "the attachment's name is not a clean file name.", nil
	}
	var ms []store.Message
	if err := tx.Where("id = ?", row.MessageID).Limit(1).Find(&ms).Error; err != nil || len(ms) == 0 {
		return "the attachment's message does not exist at the hub.", err
	}
	if ms[0].ThreadID != row.ThreadID {
		return "the attachment names a thread that is not its message's.", nil
	}
	b, ok, err := h.blobReady(tx, row.BlobSHA256)
	if err != nil {
		return "", err
	}
	if !ok && (row.PurgedAt == nil || b.SHA256 == "") { // a purged attachment's bytes are gone by design
		return "the hub does not have the attachment's file.", nil
	}
	if b.Size != row.Size {
		return "the attachment's size differs from its file's.", nil
	}
	if seeding {
		return "", nil
	}
	if row.SenderKind != store.KindStaff || ms[0].AuthorKind != store.KindStaff || ms[0].AuthorID != row.SenderID {
		return "a desk can only send files as the staff member who wrote the message.", nil
	}
	if row.SharedWithStaff || row.DeletedAt != nil || row.PurgedAt != nil {
		return "a new attachment starts private and present; share or delete it afterwards.", nil
	}
	return h.checkAuthor(tx, c, row.SenderID, "send a file")
}

func (h *Hub) maxAhead() time.Duration {
	if h.cfg.MaxAhead > 0 {
		return h.cfg.MaxAhead
	}
	return sync.DefaultMaxAhead
}
