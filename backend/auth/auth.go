// Package auth owns staff sign-in on the desk: PIN or password hashes
// (argon2id), the lock-out after repeated failures, and the desk's current
// session (who is signed in, and whether the desk is locked).
//
// It must never store or log a PIN or password in clear, and never tell a
// caller which part of a failed sign-in was wrong beyond "PIN or password".
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
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
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var m, t uint32
	var p uint8
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || n != 3 ||
		parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", m, t, p) {
		return false
	}
	if t < 1 || t > maxArgonTime || p < 1 || p > maxArgonThreads || m < 8*uint32(p) || m > maxArgonMemory {
		return false
	}
	if len(parts[4]) > 2*maxSaltLen || len(parts[5]) > 2*maxKeyLen {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen || len(want) < minKeyLen || len(want) > maxKeyLen {
		return false
	}
	got := argon2.IDKey([]byte(secret), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
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
	views  map[string]bool // staff id + thread id viewed since this sign-in (see Viewed)
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

// Service signs staff in and out.
type Service struct {
	DB      *store.DB
	Audit   audit.Log
	Clock   clock.Clock
	Session *Session
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
// member. An account with no secret set accepts an empty one (first run).
func (s *Service) SignIn(staffID, secret string) (access.Actor, error) {
	var actor access.Actor
	var failure error
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
		ok := (st.Credential == "" && secret == "") || (st.Credential != "" && Verify(st.Credential, secret))
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
			if err := tx.Model(&store.Staff{}).Where("id = ?", st.ID).Updates(upd).Error; err != nil {
				return err
			}
			if err := s.Audit.Append(tx, audit.Entry{StaffID: st.ID, Action: audit.ActSignInFailed}); err != nil {
				return err
			}
			failure = apperr.New(code, msg) // commit the count, then report
			return nil
		}
		if err := tx.Model(&store.Staff{}).Where("id = ?", st.ID).Updates(map[string]any{"failed_tries": 0, "locked_until": nil}).Error; err != nil {
			return err
		}
		actor = access.Actor{StaffID: st.ID, Role: st.Role, Name: st.FullName(), Session: newSessionID()}
		return s.Audit.Append(tx, audit.Entry{StaffID: st.ID, Action: audit.ActSignIn})
	})
	if err != nil {
		return access.Actor{}, err
	}
	if failure != nil {
		return access.Actor{}, failure
	}
	s.Session.mu.Lock()
	prev, wasLocked := s.Session.actor, s.Session.locked
	s.Session.actor, s.Session.locked, s.Session.views = actor, false, nil
	s.Session.mu.Unlock()
	if !wasLocked { // a locked session already ended at Lock
		s.ended(prev)
	}
	return actor, nil
}

// SignOut ends the session.
func (s *Service) SignOut() error {
	s.Session.mu.Lock()
	a, wasLocked := s.Session.actor, s.Session.locked
	s.Session.actor, s.Session.locked, s.Session.views = access.Actor{}, false, nil
	s.Session.mu.Unlock()
	if a.StaffID == "" || wasLocked {
		return nil // nobody was signed in, or the session ended at Lock
	}
	s.ended(a)
	return s.DB.Tx(func(tx *gorm.DB) error {
		return s.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: audit.ActSignOut})
	})
}

// Lock hides the desk behind the lock screen; the same or another staff
// member must sign in again.
func (s *Service) Lock() error {
	s.Session.mu.Lock()
	a, already := s.Session.actor, s.Session.locked
	s.Session.locked = s.Session.actor.StaffID != ""
	s.Session.mu.Unlock()
	if a.StaffID == "" || already {
		return nil
	}
	s.ended(a)
	return s.DB.Tx(func(tx *gorm.DB) error {
		return s.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: audit.ActLock})
	})
}
