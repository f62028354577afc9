package sync

// Signed changes (docs/sync.md, "Who the hub believes"). Every change a
// staff member makes is signed with their Ed25519 key when the transaction
// that recorded it commits (store.DB.BeforeCommit runs Recorder.Seal), so
// work done offline is signed while they were signed in, and the hub
// believes a change's staff member only when the signature verifies against
// the public key it holds for them.

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"clinicdesk/backend/store"
)

// Signer is whoever may sign changes on this desk right now (auth.Session):
// the signed-in staff member and their opened key; ok is false when nobody
// is signed in with a key (locked, signed out, background work).
type Signer interface {
	SigningKey() (staffID string, key ed25519.PrivateKey, ok bool)
}

// stateSealedSeq is the last change-log seq already sealed.
const stateSealedSeq = "sealed_seq"

func appendField(b []byte, f string) []byte {
	b = binary.AppendUvarint(b, uint64(len(f)))
	return append(b, f...)
}

// SigningBytes is what a staff member signs for a change: every field the
// hub acts on, length-prefixed so no two changes encode alike. The payload
// enters by its SHA-256; Origin is the desk id the hub gave this desk, so a
// signed change replayed from another desk does not verify.
func SigningBytes(c WireChange, signer string) []byte {
	sum := sha256.Sum256([]byte(c.Payload))
	b := make([]byte, 0, 256)
	for _, f := range []string{"clinicdesk change v1", signer, c.ID, c.HLC, c.Origin, c.Entity, c.EntityID, c.Op,
		hex.EncodeToString(sum[:]), c.Action, c.Detail} {
		b = appendField(b, f)
	}
	return b
}

// EnrollCodeSigningBytes is what an owner signs to ask the hub for a desk
// enrollment code: the owner, the asking desk, the hub and the time asked.
func EnrollCodeSigningBytes(staffID, deskID, hubID, at string) []byte {
	var b []byte
	for _, f := range []string{"clinicdesk enroll code v1", staffID, deskID, hubID, at} {
		b = appendField(b, f)
	}
	return b
}

// VerifySignature checks a base64 Ed25519 signature by pub over msg.
func VerifySignature(pub ed25519.PublicKey, msg []byte, sig string) bool {
	s, err := base64.StdEncoding.DecodeString(sig)
	return err == nil && len(s) == ed25519.SignatureSize && len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, msg, s)
}

// Sign returns the base64 signature of msg by key.
func Sign(key ed25519.PrivateKey, msg []byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(key, msg))
}

// Seal signs, inside tx just before it commits, the changes recorded since
// the last seal (the ones this transaction wrote): audit entries written so
// far become changes first. A change is signed by the signed-in staff
// member only when it names nobody else: an audit entry of another member,
// or a share, delete or setting change whose audit entry names another,
// stays unsigned, and the hub refuses it. Changes made with nobody signed
// in stay unsigned; the hub accepts only those that need no staff member.
//
// A desk that syncs with no hub seals nothing: joining a hub either uploads
// its practice whole (the snapshot) or requires it to be empty.
func (r *Recorder) Seal(tx *gorm.DB, s Signer) error {
	if joined, err := getState(tx, "hub_url"); err != nil || joined == "" {
		return err
	}
	if err := r.captureAudit(tx); err != nil {
		return err
	}
	v, err := getState(tx, stateSealedSeq)
	if err != nil {
		return err
	}
	last, _ := strconv.ParseInt(v, 10, 64)
	var rows []pendingRow
	if err := tx.Raw(`SELECT c.seq, c.id, c.hlc, c.origin, c.entity, c.entity_id, c.op, c.payload, a.actor, a.action, a.detail
		FROM changes c LEFT JOIN sync_change_actors a ON a.change_id = c.id
		WHERE c.seq > ? ORDER BY c.seq`, last).Scan(&rows).Error; err != nil {
		return err
	}
	if len(rows) == 0 {
		return nil
	}
	staffID, key, ok := "", ed25519.PrivateKey(nil), false
	if s != nil {
		staffID, key, ok = s.SigningKey()
	}
	for _, row := range rows {
		c := row.wire()
		if ok && namedStaff(c, staffID) {
			if err := tx.Exec(`UPDATE changes SET signer = ?, signature = ? WHERE seq = ?`,
				staffID, Sign(key, SigningBytes(c, staffID)), row.Seq).Error; err != nil {
				return err
			}
		}
	}
	return setState(tx, stateSealedSeq, strconv.FormatInt(rows[len(rows)-1].Seq, 10))
}

// markSealed leaves the changes recorded so far unsigned for good (a
// snapshot for a new hub: the hub takes its first desk's practice whole).
func markSealed(tx *gorm.DB) error {
	var max int64
	if err := tx.Raw(`SELECT COALESCE(MAX(seq), 0) FROM changes`).Scan(&max).Error; err != nil {
		return err
	}
	return setState(tx, stateSealedSeq, strconv.FormatInt(max, 10))
}

// namedStaff reports whether change c names staffID, or nobody, as the one
// who made it.
func namedStaff(c WireChange, staffID string) bool {
	if c.Actor != "" && c.Actor != staffID {
		return false
	}
	if c.Entity == EntityAudit {
		var ev struct{ StaffID string }
		if json.Unmarshal([]byte(c.Payload), &ev) != nil || ev.StaffID != staffID {
			return false
		}
	}
	return true
}

// NeedsNoStaff reports whether a change may reach the hub without a staff
// member's signature: the few changes a desk makes by itself. Everything
// else needs one (deny by default):
//   - an attachment update without an audit action: the purge loop marking
//     an attachment purged 30 days after its deletion (the hub takes only
//     the purge fields from it);
//   - an audit entry of a failed sign-in (the person did not prove who
//     they are, so nobody can sign it; the hub keeps the desk it came from)
//     or of the purge loop (no staff member);
//   - a blob row: a file's size and type, known by its SHA-256 (scan inbox
//     files are registered before anyone attaches them); bytes grant nothing.
func NeedsNoStaff(c WireChange) bool {
	switch {
	case c.Entity == "attachment" && c.Op == OpUpdate && c.Action == "" && c.Actor == "":
		return true
	case c.Entity == "blob" && c.Op == OpInsert:
		return true
	case c.Entity == EntityAudit && c.Op == OpInsert:
		var ev store.AuditEvent
		if json.Unmarshal([]byte(c.Payload), &ev) != nil {
			return false
		}
		return (ev.Action == "sign_in_failed" && ev.StaffID != "") || (ev.Action == "purge" && ev.StaffID == "")
	}
	return false
}

// refusedStaffRow returns why a staff row received from the hub must not
// be applied, "" when it may: the hub refuses such rows, and a desk does
// not take the hub's word for it either. No row with an unknown role, a
// malformed credential or half a key is written, and a member's credential
// is never replaced by an empty one. (A member whose row has no credential
// at all, from an old practice, is kept: auth refuses them at sign-in.)
func refusedStaffRow(tx *gorm.DB, c WireChange) (string, error) {
	if c.Entity != "staff" {
		return "", nil
	}
	if c.Op == OpDelete {
		return "staff rows are never deleted", nil
	}
	var s store.Staff
	if err := json.Unmarshal([]byte(c.Payload), &s); err != nil {
		return "unreadable staff row", nil
	}
	switch {
	case s.ID != c.EntityID:
		return "staff row under another id", nil
	case s.Role != store.RoleOwner && s.Role != store.RoleManager && s.Role != store.RoleClinician && s.Role != store.RoleFrontDesk:
		return "unknown role", nil
	case s.Credential != "" && !strings.HasPrefix(s.Credential, "$argon2id$"):
		return "malformed credential", nil
	case (s.SigningKey == "") != (s.SealedKey == ""):
		return "half a signing key", nil
	case s.Credential == "":
		var had int64
		if err := tx.Model(&store.Staff{}).Where("id = ? AND credential <> ''", s.ID).Count(&had).Error; err != nil {
			return "", err
		}
		if had > 0 {
			return "a credential emptied", nil
		}
	}
	return "", nil
}
