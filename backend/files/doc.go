// Package files owns the bytes of every attachment and document on the desk.
//
// It provides:
//
//   - a content-addressed blob store (Store): files are kept under
//     root/blobs/ab/cd/<sha256>, written to root/tmp first while being hashed
//     (never whole in memory), fsynced, and renamed into place atomically, so a
//     crash never leaves a half-written blob; the same content is stored once;
//     every read is verified against the SHA-256 it is stored under;
//   - type and size checks (CheckType, DefaultMaxBytes): the type is decided
//     from the content against an allow-list (PDF, pictures, text, RTF, CSV,
//     Word, Excel, OpenDocument text); programs and scripts are refused;
//   - display-name cleaning (CleanName): names arrive from other computers and
//     may carry path tricks, control characters or invalid UTF-8;
//   - the scan inbox (Inbox): a watched folder whose finished files can be
//     imported into the store;
//   - store health checks (Store.Check).
//
// Every refusal is an *apperr.Error with a plain-words message.
//
// What this package must never do:
//
//   - never use a display name as a path: paths inside the store are built only
//     from validated SHA-256 hex strings;
//   - never serve unverified bytes: readers verify the hash and fail with
//     apperr.FileCorrupt when the stored bytes no longer match; helpers that
//     return whole contents or copy a file out verify before handing anything
//     over;
//   - never import Wails or gorm: this package knows nothing about the UI or
//     the database; callers record blob hashes themselves.
package files
