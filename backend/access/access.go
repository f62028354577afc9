// Package access owns the permission rules of PRODUCT.md: who may see, share,
// open, delete and copy a message attachment, and who may change practice
// settings. Rules are pure functions of facts the caller gathers (role,
// participation, sender, the Records Deletion setting), so they are tested as
// a table and documented from the same table.
//
// It must never touch the database or the UI; callers load facts, ask here,
// and act only on a nil error.
package access

import (
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/store"
)

// Actor is the signed-in staff member an action is taken as.
type Actor struct {
	StaffID string
	Role    string
	Name    string
	// Session identifies this sign-in on the desk: every sign-in (a switch
	// of user, an unlock after a lock) gets a new one. What is bound to a
	// session (staged files, viewer copies) dies with it.
	Session string
}

// IsManager reports whether the actor is an owner or a manager.
func (a Actor) IsManager() bool { return a.Role == store.RoleOwner || a.Role == store.RoleManager }

// Valid reports whether the actor is a real signed-in staff member.
func (a Actor) Valid() bool { return a.StaffID != "" && validRole(a.Role) }

func validRole(r string) bool {
	switch r {
	case store.RoleOwner, store.RoleManager, store.RoleClinician, store.RoleFrontDesk:
		return true
	}
	return false
}

// AttachmentFacts is what the rules need to know about one attachment and the
// actor's relation to it.
type AttachmentFacts struct {
	Participant bool   // the actor takes part in the attachment's thread
	Shared      bool   // shared with all staff
	SenderKind  string // store.KindStaff or store.KindClient
	SenderID    string
	Removed     bool // deleted by the practice
}

// CanSee: staff see an attachment when they take part in its thread or it is
// shared with all staff. Otherwise they see nothing of it, not even its name.
func CanSee(a Actor, f AttachmentFacts) bool {
	return a.Valid() && !f.Removed && (f.Participant || f.Shared)
}

// CheckSee returns nil when the actor may see (and so view) the attachment.
// A refusal says NotFound: an attachment one may not see does not exist for them.
func CheckSee(a Actor, f AttachmentFacts) error {
	if !a.Valid() {
		return apperr.New(apperr.NotSignedIn, "Please sign in first.")
	}
	if !CanSee(a, f) {
		return apperr.New(apperr.NotFound, "That attachment is not available.")
	}
	return nil
}

// CheckToggleShare: the staff member who sent the attachment may share it
// with all staff and make it private again; for a file a client sent, any
// staff participant of the thread may.
func CheckToggleShare(a Actor, f AttachmentFacts) error {
	if err := CheckSee(a, f); err != nil {
		return err
	}
	switch f.SenderKind {
	case store.KindStaff:
		if f.SenderID != a.StaffID {
			return apperr.New(apperr.NotSender, "Only the staff member who sent this attachment can change who sees it.")
		}
	case store.KindClient:
		if !f.Participant {
			return apperr.New(apperr.NotParticipant, "Only staff on this thread can change who sees a file the client sent.")
		}
	default:
		return apperr.New(apperr.Forbidden, "This attachment's sender is unknown, so its sharing cannot be changed.")
	}
	return nil
}

// CheckGoToThread: only participants may open the thread.
func CheckGoToThread(a Actor, participant bool) error {
	if !a.Valid() {
		return apperr.New(apperr.NotSignedIn, "Please sign in first.")
	}
	if !participant {
		return apperr.New(apperr.NotParticipant, "You are not part of this message thread, so you can't open it.")
	}
	return nil
}

// CheckDelete: deletion needs the practice's Records Deletion setting on, and
// the actor must see the attachment and take part in its thread, or be an
// owner or manager.
func CheckDelete(a Actor, f AttachmentFacts, recordsDeletion bool) error {
	if err := CheckSee(a, f); err != nil {
		return err
	}
	if !recordsDeletion {
		return apperr.New(apperr.RecordsDeletionOff, "Deleting attachments is turned off. An owner or manager can turn on Records Deletion in Settings → Security.")
	}
	if !f.Participant && !a.IsManager() {
		return apperr.New(apperr.Forbidden, "Only staff on this thread, or an owner or manager, can delete this attachment.")
	}
	return nil
}

// CheckCopyToDocuments: anyone who can see an attachment may copy it to the
// client's Documents on File.
func CheckCopyToDocuments(a Actor, f AttachmentFacts) error { return CheckSee(a, f) }

// CheckManageSettings: only an owner or a manager may change practice settings
// (Records Deletion, file size limit, lock timeout).
func CheckManageSettings(a Actor) error {
	return ownerOrManager(a, "Only an owner or manager can change this setting.")
}

// ownerOrManager refuses anyone but an owner or manager, in words that name
// what they tried (a refusal to read the audit log must not speak of
// settings).
func ownerOrManager(a Actor, refusal string) error {
	if !a.Valid() {
		return apperr.New(apperr.NotSignedIn, "Please sign in first.")
	}
	if !a.IsManager() {
		return apperr.New(apperr.OwnerOrManagerOnly, refusal)
	}
	return nil
}

// CheckRestore: only an owner or manager may see Recently deleted and
// restore a deleted attachment.
func CheckRestore(a Actor) error {
	return ownerOrManager(a, "Only an owner or manager can see and restore recently deleted attachments.")
}

// CheckReadAudit: only an owner or manager may read and export the audit log.
func CheckReadAudit(a Actor) error {
	return ownerOrManager(a, "Only an owner or manager can read or export the audit log.")
}

// CheckStoreCheck: only an owner or manager may check the stored files
// against the database (the report names every file's fingerprint).
func CheckStoreCheck(a Actor) error {
	return ownerOrManager(a, "Only an owner or manager can check the stored files.")
}

// CheckJoinHub: only an owner or manager may connect this desk to a hub or
// stop syncing with it.
func CheckJoinHub(a Actor) error {
	return ownerOrManager(a, "Only an owner or manager can connect this desk to a practice hub or disconnect it.")
}

// CheckSignedIn returns NotSignedIn for an empty actor.
func CheckSignedIn(a Actor) error {
	if !a.Valid() {
		return apperr.New(apperr.NotSignedIn, "Please sign in first.")
	}
	return nil
}
