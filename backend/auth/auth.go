// Package auth owns staff sign-in on the desk: PIN or password hashes
// (argon2id), the lock-out after repeated failures, and the desk's current
// session (who is signed in, and whether the desk is locked).
//
// It must never store or log a PIN or password in clear, and never tell a
// caller which part of a failed sign-in was wrong beyond "PIN or password".
package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"log"
	"strings"
	gosync "sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"gorm.io/gorm"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
)

// Lock-out policy.
const (
	MaxFailedTries = 5
	LockoutFor     = 5 * time.Minute
)

// argon2id parameters (RFC 9106's second recommended option, with less memory
// for a desk PC).
const (
	argonTime    = 2
	argonMemory  = 32 * 1024
	argonThreads = 2
	argonKeyLen  = 32
)

// Hash returns an encoded argon2id hash of secret.
func Hash(secret string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(secret), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// Bounds Verify accepts for a stored hash's parameters. A credential may
// come from outside this desk's own Hash (a synced staff row, an edited
// database): zero rounds or lanes make argon2 panic, and huge memory or
// rounds would stall sign-in, so anything outside these is refused.
const (
	maxArgonMemory  = 256 * 1024 // KiB
	maxArgonTime    = 10
	maxArgonThreads = 16
	minSaltLen      = 8
	maxSaltLen      = 64
	minKeyLen       = 16
	maxKeyLen       = 64
)

// Verify reports whether secret matches the encoded hash. A malformed hash,
// or one with parameters outside sane bounds, never matches.
func Verify(encoded, secret string) bool {
	p, salt, want, ok := parseHash(encoded)
	if !ok {
		return false
	}
	got := argon2.IDKey([]byte(secret), salt, p.t, p.m, p.p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

type argonParams struct {
	m, t uint32
	p    uint8
}

// parseHash splits an encoded argon2id hash, refusing anything outside the
// bounds above.
func parseHash(encoded string) (argonParams, []byte, []byte, bool) {
	var p argonParams
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, nil, nil, false
	}
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.m, &p.t, &p.p); err != nil || n != 3 ||
		parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", p.m, p.t, p.p) {
		return p, nil, nil, false
	}
	if p.t < 1 || p.t > maxArgonTime || p.p < 1 || p.p > maxArgonThreads || p.m < 8*uint32(p.p) || p.m > maxArgonMemory {
		return p, nil, nil, false
	}
	if len(parts[4]) > 2*maxSaltLen || len(parts[5]) > 2*maxKeyLen {
		return p, nil, nil, false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen || len(want) < minKeyLen || len(want) > maxKeyLen {
		return p, nil, nil, false
	}
	return p, salt, want, true
}

// CheckSecret validates a new PIN (at least 6 digits) or password (at least 10 characters).
func CheckSecret(secret string) error {
	allDigits := secret != ""
	for _, r := range secret {
		if r < '0' || r > '9' {
			allDigits = false
			break
		}
	}
	switch {
	case allDigits && len(secret) >= 6:
		return nil
	case allDigits:
		return apperr.Invalid("secret", "A PIN needs at least 6 digits.")
	case utf8.RuneCountInString(secret) < 10:
		return apperr.Invalid("secret", "A password needs at least 10 characters.")
	}
	return nil
}

// Session is who is signed in on this desk. Safe for concurrent use: every
// bound call runs on its own goroutine.
type Session struct {
	mu     gosync.RWMutex
	actor  access.Actor
	locked bool
	key    ed25519.PrivateKey // the actor's signing key, opened at sign-in; nil when locked or signed out
	views  map[string]bool    // staff id + thread id viewed since this sign-in (see Viewed)
}

// SigningKey returns the signed-in staff member and their opened signing
// key (backend/sync signs their changes with it); ok is false when nobody
// is signed in, the desk is locked, or the member has no key.
func (s *Session) SigningKey() (string, ed25519.PrivateKey, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.locked || s.actor.StaffID == "" || s.key == nil {
		return "", nil, false
	}
	return s.actor.StaffID, s.key, true
}

// Actor returns the signed-in staff member, or an empty Actor when nobody is
// signed in or the desk is locked.
func (s *Session) Actor() access.Actor {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.locked {
		return access.Actor{}
	}
	return s.actor
}

// Locked reports whether the desk is locked (someone signed in, but hidden).
func (s *Session) Locked() (bool, access.Actor) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.locked, s.actor
}

// Viewed reports whether staffID opened threadID since signing in: every
// sign-in (an unlock and a switch of user too) starts with nothing viewed.
func (s *Session) Viewed(staffID, threadID string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.actor.StaffID == staffID && s.views[staffID+"/"+threadID]
}

// RememberView records that staffID opened threadID in this sign-in; a
// call finishing for someone who is no longer signed in is forgotten.
func (s *Session) RememberView(staffID, threadID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.actor.StaffID != staffID {
		return
	}
	if s.views == nil {
		s.views = map[string]bool{}
	}
	s.views[staffID+"/"+threadID] = true
}

// set makes a (with its key) the session, with nothing viewed yet, and
// returns the session it replaced and whether that one was locked (a locked
// session already ended at Lock).
func (s *Session) set(a access.Actor, key ed25519.PrivateKey) (prev access.Actor, wasLocked bool) {
	s.mu.Lock()
	prev, wasLocked = s.actor, s.locked
	s.actor, s.locked, s.key, s.views = a, false, key, nil
	s.mu.Unlock()
	return prev, wasLocked
}

// Service signs staff in and out.
type Service struct {
	DB      *store.DB
	Audit   audit.Log
	Clock   clock.Clock
	Session *Session
	// Rec records the staff row when sign-in gives a member their first
	// signing key, so the hub learns the public key.
	Rec *sync.Recorder
	// SessionEnded, when set, is called with the actor of a session that
	// just ended (sign-out, lock, another sign-in), after it ended, so what
	// is bound to it (staged files, viewer copies) can be dropped.
	SessionEnded func(access.Actor)
}

// newSessionID returns a random id for one sign-in.
func newSessionID() string { return rand.Text() }

// ended tells SessionEnded about a, when a was a live session.
func (s *Service) ended(a access.Actor) {
	if a.StaffID != "" && s.SessionEnded != nil {
		s.SessionEnded(a)
	}
}

// SignIn checks staffID's secret and makes them the desk's signed-in staff
// member, with their signing key opened. An account without a credential
// cannot sign in (a staff row never gets one from sync: the hub and the
// desk refuse it). A member who has no signing key yet (a practice from
// before keys) gets one now, sealed under this secret, and the hub learns
// its public key from the staff row's change.
func (s *Service) SignIn(staffID, secret string) (access.Actor, error) {
	var actor access.Actor
	var failure error
	signedIn := false
	var prev access.Actor
	prevLocked := false
	err := s.DB.Tx(func(tx *gorm.DB) error {
		var st store.Staff
		if err := tx.Where("id = ? AND active = ?", staffID, true).Limit(1).Find(&st).Error; err != nil {
			return err
		}
		if st.ID == "" {
			return apperr.New(apperr.BadCredentials, "Choose who you are from the list.")
		}
		now := s.Clock.Now()
		if st.LockedUntil != nil && now.Before(*st.LockedUntil) {
			// A try while locked is a failed try too: audit it, then report.
			if err := s.Audit.Append(tx, audit.Entry{StaffID: st.ID, Action: audit.ActSignInFailed, Detail: map[string]any{"reason": "locked"}}); err != nil {
				return err
			}
			mins := int(st.LockedUntil.Sub(now).Minutes()) + 1
			failure = apperr.Newf(apperr.AccountLocked, "Too many wrong tries. Try again in %d minute(s), or ask an owner or manager.", mins)
			return nil
		}
		ok := st.Credential != "" && Verify(st.Credential, secret)
		if !ok {
			st.FailedTries++
			upd := map[string]any{"failed_tries": st.FailedTries}
			msg := "That PIN or password is not right."
			code := apperr.BadCredentials
			if st.FailedTries >= MaxFailedTries {
				until := now.Add(LockoutFor)
				upd["locked_until"], upd["failed_tries"] = until, 0
				msg, code = "Too many wrong tries. This account is locked for 5 minutes.", apperr.AccountLocked
			}
			// Local columns only: updated_at stays, as the row itself did not change.
			if err := tx.Model(&store.Staff{}).Where("id = ?", st.ID).UpdateColumns(upd).Error; err != nil {
				return err
			}
			if err := s.Audit.Append(tx, audit.Entry{StaffID: st.ID, Action: audit.ActSignInFailed}); err != nil {
				return err
			}
			failure = apperr.New(code, msg) // commit the count, then report
			return nil
		}
		if err := tx.Model(&store.Staff{}).Where("id = ?", st.ID).UpdateColumns(map[string]any{"failed_tries": 0, "locked_until": nil}).Error; err != nil {
			return err
		}
		actor = access.Actor{StaffID: st.ID, Role: st.Role, Name: st.FullName(), Session: newSessionID()}
		key, err := s.openKey(tx, &st, secret)
		if err != nil {
			return err
		}
		// The session holds the key before the transaction commits, so the
		// sign-in's own entries are signed by it (store.DB.BeforeCommit).
		prev, prevLocked = s.Session.set(actor, key)
		signedIn = true
		return s.Audit.Append(tx, audit.Entry{StaffID: st.ID, Action: audit.ActSignIn})
	})
	if signedIn && !prevLocked {
		s.ended(prev) // the session this sign-in replaced
	}
	if err != nil {
		if signedIn {
			s.Session.set(access.Actor{}, nil)
			s.ended(actor)
		}
		return access.Actor{}, err
	}
	if failure != nil {
		return access.Actor{}, failure
	}
	return actor, nil
}

// openKey opens st's signing key with secret, creating the key pair when
// st has none (recorded as a change of st's row, signed by the new key).
// A key that does not open (changed elsewhere, damaged) leaves the session
// without one: the member can work on this desk, and the hub will refuse
// their changes until it is fixed.
func (s *Service) openKey(tx *gorm.DB, st *store.Staff, secret string) (ed25519.PrivateKey, error) {
	if st.SigningKey != "" {
		key, err := Unseal(st.ID, st.SigningKey, st.SealedKey, secret)
		if err != nil {
			log.Printf("auth: the signing key of staff member %s did not open; their changes will not be signed", st.ID)
			return nil, nil
		}
		return key, nil
	}
	pub, sealed, err := NewStaffKey(st.ID, secret)
	if err != nil {
		return nil, err
	}
	key, err := Unseal(st.ID, pub, sealed, secret)
	if err != nil {
		return nil, err
	}
	st.SigningKey, st.SealedKey = pub, sealed
	if err := tx.Model(&store.Staff{}).Where("id = ?", st.ID).Updates(map[string]any{"signing_key": pub, "sealed_key": sealed}).Error; err != nil {
		return nil, err
	}
	if s.Rec != nil {
		var row store.Staff
		if err := tx.Where("id = ?", st.ID).First(&row).Error; err != nil {
			return nil, err
		}
		if err := s.Rec.Record(tx, "staff", row.ID, sync.OpUpdate, row); err != nil {
			return nil, err
		}
	}
	return key, nil
}

// SignOut ends the session and drops the signing key. The sign-out entry
// is written (and signed) first.
func (s *Service) SignOut() error {
	a := s.Session.Actor()
	var err error
	if a.StaffID != "" {
		err = s.DB.Tx(func(tx *gorm.DB) error {
			return s.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: audit.ActSignOut})
		})
	}
	s.Session.set(access.Actor{}, nil)
	s.ended(a)
	return err
}

// Lock hides the desk behind the lock screen and drops the signing key; the
// same or another staff member must sign in again. The lock entry is
// written (and signed) first.
func (s *Service) Lock() error {
	s.Session.mu.RLock()
	a, already := s.Session.actor, s.Session.locked
	s.Session.mu.RUnlock()
	if a.StaffID == "" || already {
		return nil
	}
	err := s.DB.Tx(func(tx *gorm.DB) error {
		return s.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: audit.ActLock})
	})
	s.Session.mu.Lock()
	locked := s.Session.actor.Session == a.Session
	if locked {
		s.Session.locked, s.Session.key = true, nil
	}
	s.Session.mu.Unlock()
	if locked {
		s.ended(a)
	}
	return err
}
