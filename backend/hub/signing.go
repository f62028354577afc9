package hub

// Who the hub believes (docs/sync.md). A desk's token proves only which
// desk is talking. A change is believed to be a staff member's only when it
// carries that member's Ed25519 signature, made on the desk while they were
// signed in, and the signature verifies against the public key the hub
// holds in its own staff row. prove runs on every pushed change before the
// hub's checks and merge (accept): when it returns no reason, c.Actor is the
// proven signer ("" for the few changes that need no staff member), so
// whatever reads c.Actor later reads a fact, not a claim.

import (
	"encoding/json"
	"net/http"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/auth"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
)

// EnrollCodeSkew bounds how far an owner's signed request for an enrollment
// code may be from the hub's clock.
const EnrollCodeSkew = 5 * time.Minute

// prove checks who made change c (Origin already set to the pushing desk)
// and sets c.Actor to the proven signer. It returns the refusal in plain
// words, "" when c may go on to accept. seeding is true while the first
// desk uploads its practice: its unsigned snapshot rows are the hub's
// starting state (that desk was enrolled with a code from the hub's own
// command line), but signed changes are verified even then.
//
// signers caches the staff rows of one push's signers (a batch is mostly
// one or two people); a staff change drops its row from it.
func (h *Hub) prove(tx *gorm.DB, c *sync.WireChange, seeding bool, signers map[string]store.Staff) (string, error) {
	if c.Entity == "staff" {
		defer delete(signers, c.EntityID)
	}
	if c.Signer == "" && c.Signature == "" {
		if seeding {
			c.Actor = ""
			return "", nil
		}
		if c.Actor != "" {
			return "the change names a staff member but carries no signature of theirs. Changes are signed when made while that person is signed in on the desk.", nil
		}
		if !sync.NeedsNoStaff(*c) {
			return "no signed-in staff member signed this change. The hub accepts a change from a desk only with the signature of the staff member who made it.", nil
		}
		return "", nil
	}
	signer, ok := signers[c.Signer]
	if !ok {
		var st []store.Staff
		if err := tx.Where("id = ?", c.Signer).Limit(1).Find(&st).Error; err != nil {
			return "", err
		}
		if len(st) == 0 {
			return "the change is signed by a staff member the hub does not know.", nil
		}
		signer = st[0]
		signers[c.Signer] = signer
	}
	if !signer.Active {
		return "the change is signed by " + signer.FullName() + ", who is no longer an active staff member.", nil
	}
	pub := signer.SigningKey
	if pub == "" {
		// A member's first key: accepted only as a change of their own row
		// signed by the key it registers (proof the desk holds it).
		pub = firstKey(*c)
		if pub == "" {
			return signer.FullName() + " has no signing key at the hub yet, so nothing they sign can be checked. They get one at their next sign-in on an up-to-date desk; sync that desk, then try again.", nil
		}
	}
	key, err := auth.ParsePublicKey(pub)
	if err != nil {
		return "the signing key the hub holds for " + signer.FullName() + " is damaged.", nil
	}
	if !sync.VerifySignature(key, sync.SigningBytes(*c, c.Signer), c.Signature) {
		return "the signature of " + signer.FullName() + " on this change does not verify: it was altered, made for another desk, or not made by them.", nil
	}
	if c.Actor != "" && c.Actor != c.Signer {
		return "the change names one staff member but is signed by another.", nil
	}
	c.Actor = c.Signer
	switch c.Entity {
	case "staff":
		return h.checkStaffChange(tx, *c, signer)
	case sync.EntityAudit:
		return checkAuditSigner(*c), nil
	}
	return "", nil
}

// firstKey returns the public key a change registers for its own signer
// when it is an update of the signer's own staff row, "" otherwise.
func firstKey(c sync.WireChange) string {
	if c.Entity != "staff" || c.Op != sync.OpUpdate || c.EntityID != c.Signer {
		return ""
	}
	var row store.Staff
	if json.Unmarshal([]byte(c.Payload), &row) != nil || row.ID != c.Signer {
		return ""
	}
	return row.SigningKey
}

// checkAuditSigner: an audit entry is accepted only from the staff member
// it names, and is never changed or deleted.
func checkAuditSigner(c sync.WireChange) string {
	if c.Op != sync.OpInsert {
		return "audit entries are never changed or deleted."
	}
	var ev store.AuditEvent
	if err := json.Unmarshal([]byte(c.Payload), &ev); err != nil {
		return "the audit entry could not be read."
	}
	if ev.StaffID != c.Actor {
		return "an audit entry is accepted only from the staff member it names, signed by them."
	}
	return ""
}

// checkStaffChange re-checks a signed change of a staff row with the hub's
// facts: roles, being active and anything of another member's row change
// only by an owner; a member may change only their own credential and
// signing key (signed with the key the hub already holds, or registering
// their first one). No row ever gets an empty or malformed credential, an
// unknown role or a malformed key, and staff rows are never deleted.
func (h *Hub) checkStaffChange(tx *gorm.DB, c sync.WireChange, signer store.Staff) (string, error) {
	if c.Op == sync.OpDelete {
		return "staff members are never deleted; an owner can make them inactive.", nil
	}
	var next store.Staff
	if err := json.Unmarshal([]byte(c.Payload), &next); err != nil || next.ID != c.EntityID {
		return "the staff row could not be read.", nil
	}
	if reason := validStaffRow(next); reason != "" {
		return reason, nil
	}
	var cur []store.Staff
	if err := tx.Where("id = ?", c.EntityID).Limit(1).Find(&cur).Error; err != nil {
		return "", err
	}
	if signer.SigningKey == "" {
		// The signer's first key, proven only by holding it (prove): it may
		// set their own key, and nothing else.
		if len(cur) == 0 || next.ID != signer.ID || !sameExceptKey(cur[0], next) {
			return "a staff member's first signing key can only be registered alone, on their own row, with nothing else changed.", nil
		}
		return "", nil
	}
	isOwner := signer.Role == store.RoleOwner
	if len(cur) == 0 {
		if !isOwner {
			return "only an owner can add a staff member.", nil
		}
		return "", nil
	}
	old := cur[0]
	keyChanged := old.Credential != next.Credential || old.SigningKey != next.SigningKey || old.SealedKey != next.SealedKey
	otherChanged := old.Role != next.Role || old.Active != next.Active || old.FirstName != next.FirstName ||
		old.LastName != next.LastName || old.Email != next.Email
	switch {
	case isOwner:
		return "", nil
	case otherChanged:
		return "only an owner can change a staff member's role, name, e-mail or whether they are active.", nil
	case keyChanged && signer.ID != next.ID:
		return "only an owner, or the staff member themselves, can change a staff member's PIN, password or signing key.", nil
	}
	return "", nil
}

// sameExceptKey reports whether two versions of a staff row differ in
// their signing key only (and its time stamp).
func sameExceptKey(a, b store.Staff) bool {
	a.SigningKey, a.SealedKey, a.UpdatedAt, a.FailedTries, a.LockedUntil = b.SigningKey, b.SealedKey, b.UpdatedAt, b.FailedTries, b.LockedUntil
	a.CreatedAt = b.CreatedAt // times travel at different precisions
	return a == b
}

// validStaffRow refuses a staff row no desk may hold.
func validStaffRow(s store.Staff) string {
	switch s.Role {
	case store.RoleOwner, store.RoleManager, store.RoleClinician, store.RoleFrontDesk:
	default:
		return "a staff member's role must be owner, manager, clinician or front desk."
	}
	if !auth.ValidHash(s.Credential) {
		return "a staff member's PIN or password cannot be empty or malformed."
	}
	if s.SigningKey != "" {
		if _, err := auth.ParsePublicKey(s.SigningKey); err != nil || !auth.ValidSealedKey(s.SealedKey) {
			return "a staff member's signing key is malformed."
		}
	} else if s.SealedKey != "" {
		return "a staff member's signing key is malformed."
	}
	return ""
}

// refuseUnproven answers a change that prove refused: permanently (a
// retried push gets the same answer) and without it entering the log. A row
// the desk changed goes back to the hub's version on that desk.
func (h *Hub) refuseUnproven(tx *gorm.DB, c sync.WireChange, reason string) (sync.PushResult, error) {
	if e, ok := sync.EntityByName(c.Entity); ok && e.Kind == sync.LastWriterWins && c.EntityID != "" {
		cur, err := e.Load(tx, c.EntityID)
		if err != nil {
			return sync.PushResult{}, err
		}
		if cur != nil {
			return h.reject(tx, e, c, cur, reason)
		}
	}
	return h.refuse(tx, c, http.StatusForbidden, reason)
}

// enrollCodeOwner checks a desk's request for an enrollment code: it must
// be signed, for this desk and this hub, a few minutes ago at most, by an
// active owner whose signing key the hub holds. Naming an owner is not
// enough. It returns the owner, or a refusal in plain words.
func (h *Hub) enrollCodeOwner(d deskRow, req sync.EnrollCodeRequest) (store.Staff, string, error) {
	var st []store.Staff
	if err := h.db.Where("id = ? AND active = ?", req.StaffID, true).Limit(1).Find(&st).Error; err != nil {
		return store.Staff{}, "", err
	}
	if len(st) == 0 || st[0].Role != store.RoleOwner {
		return store.Staff{}, "Only an owner can create enrollment codes for new desks.", nil
	}
	key, err := auth.ParsePublicKey(st[0].SigningKey)
	if err != nil {
		return store.Staff{}, "This owner has no signing key at the hub yet: sign in again on an up-to-date desk, let it sync, then try again.", nil
	}
	at, err := time.Parse(time.RFC3339, req.At)
	if now := h.clock.Now(); err != nil || at.Before(now.Add(-EnrollCodeSkew)) || at.After(now.Add(EnrollCodeSkew)) {
		return store.Staff{}, "The request is too old or this desk's clock is off by more than a few minutes; check the clock and try again.", nil
	}
	hubID, err := getMeta(h.db, "hub_id")
	if err != nil {
		return store.Staff{}, "", err
	}
	if !sync.VerifySignature(key, sync.EnrollCodeSigningBytes(st[0].ID, d.ID, hubID, req.At), req.Signature) {
		return store.Staff{}, "Only an owner can create enrollment codes for new desks, and the request was not signed by one.", nil
	}
	return st[0], "", nil
}
