// Package limits holds the bounds on what a stored field may hold (Client
// Alert, subject and body of a message, appointment texts, settings ranges)
// and the checks that enforce them. The desk's services check what staff
// type with these functions, and the hub checks every pushed row with the
// same ones, so a desk and the hub can never disagree on a limit.
//
// It must never touch the database or clean input: callers clean text first
// (trim, valid UTF-8) and ask here whether the result fits.
package limits

import (
	"fmt"
	"time"
	"unicode/utf8"

	"clinicdesk/backend/apperr"
)

// Limits on stored fields.
const (
	MaxAlert = 500 // Client Alert, in characters

	MaxSubject = 200   // a thread's subject, in characters
	MaxBody    = 20000 // a message's text, in characters
	MaxFiles   = 20    // files one message may carry
	MaxPeople  = 50    // people one thread may include

	MaxApptLength = 12 * time.Hour // longest appointment
	MaxService    = 100
	MaxLocation   = 100
	MaxNotes      = 2000
	MaxReason     = 500

	MinFileBytes = 1 << 20   // the per-file size limit a practice may set: 1 MB …
	MaxFileBytes = 500 << 20 // … to 500 MB
	MinLockMins  = 1         // the inactivity lock: 1 …
	MaxLockMins  = 120       // … to 120 minutes

	MaxPracticeName = 200
	MaxPersonName   = 200 // a staff member's or client's first or last name
	MaxEmail        = 254
	MaxPhone        = 50
)

// Alert checks the length of a Client Alert.
func Alert(text string) error {
	if !utf8.ValidString(text) || utf8.RuneCountInString(text) > MaxAlert {
		return apperr.Invalid("alert", "The Client Alert can be at most 500 characters.")
	}
	return nil
}

// Text checks a required or optional text of at most max characters; label
// names it in the message ("subject", "message").
func Text(field, label, s string, max int, required bool) error {
	if required && s == "" {
		return apperr.Invalid(field, "Please write a "+label+".")
	}
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return apperr.Invalid(field, "The "+label+" is too long.")
	}
	return nil
}

// Short checks an optional text of at most max characters, naming the limit.
func Short(field, label, s string, max int) error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return apperr.Invalid(field, fmt.Sprintf("The %s can be at most %d characters.", label, max))
	}
	return nil
}

// FileBytes checks a per-file size limit setting.
func FileBytes(n int64) error {
	if n < MinFileBytes || n > MaxFileBytes {
		return apperr.Invalid("maxFileBytes", "The file size limit must be between 1 MB and 500 MB.")
	}
	return nil
}

// LockMinutes checks an inactivity lock setting.
func LockMinutes(m int) error {
	if m < MinLockMins || m > MaxLockMins {
		return apperr.Invalid("lockAfterMinutes", "The lock time must be between 1 and 120 minutes.")
	}
	return nil
}
