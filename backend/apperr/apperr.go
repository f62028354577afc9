// Package apperr defines the typed errors every backend service returns.
//
// Each error carries a Code the UI maps to plain words; the UI never matches on
// message text. This package must never import anything from the rest of the
// backend, so every package can use it.
package apperr

import (
	"errors"
	"fmt"
)

// Code names one kind of refusal or failure. The frontend has a table from Code
// to a sentence a receptionist understands.
type Code string

const (
	NotFound             Code = "not_found"
	NotSignedIn          Code = "not_signed_in"
	Forbidden            Code = "forbidden"
	NotParticipant       Code = "not_participant"
	NotSender            Code = "not_sender"
	RecordsDeletionOff   Code = "records_deletion_off"
	OwnerOrManagerOnly   Code = "owner_or_manager_only"
	InvalidInput         Code = "invalid_input"
	AlreadyDeleted       Code = "already_deleted"
	RestoreWindowExpired Code = "restore_window_expired"
	FileTooLarge         Code = "file_too_large"
	FileEmpty            Code = "file_empty"
	FileUnreadable       Code = "file_unreadable"
	FileIsFolder         Code = "file_is_folder"
	FileTypeRefused      Code = "file_type_refused"
	FileNameInvalid      Code = "file_name_invalid"
	FileCorrupt          Code = "file_corrupt"
	FileLocationRefused  Code = "file_location_refused"
	Cancelled            Code = "cancelled"
	Conflict             Code = "conflict"
	AlreadyInDocuments   Code = "already_in_documents"
	AppointmentPast      Code = "appointment_past" // completed, no-show or over: not cancellable
	BadCredentials       Code = "bad_credentials"
	AccountLocked        Code = "account_locked"
	Internal             Code = "internal"
)

// Error is the one error type services return for anything the user can act on.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
	// Field names the input that was wrong, when there is one (for forms).
	Field string `json:"field,omitempty"`
	cause error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.cause }

// New returns an Error with the given code and plain-words message.
func New(code Code, msg string) *Error { return &Error{Code: code, Message: msg} }

// Newf is New with formatting.
func Newf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap keeps cause for logs while giving the UI a code and a message.
func Wrap(code Code, msg string, cause error) *Error {
	return &Error{Code: code, Message: msg, cause: cause}
}

// Invalid is an InvalidInput error about one field.
func Invalid(field, msg string) *Error {
	return &Error{Code: InvalidInput, Message: msg, Field: field}
}

// CodeOf returns the Code of err, Internal for an untyped error and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// As returns the *Error inside err, or an Internal one that hides the detail.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "Something went wrong. Please try again; if it keeps happening, tell your practice manager.", cause: err}
}
