package events

import (
	"fmt"
	"strings"
)

// Kind says what a DataChanged event is about. A view reloads only for the
// kinds of data it shows, and a reload only reads, so no reload can cause
// the event that caused it. Emit one only after a change was written.
//
// The UI's copy, frontend/src/api/eventkinds.ts, is generated from this
// file: `go test ./backend/events -run TestTypeScript -update` writes it, and
// the same test fails when the two differ.
type Kind string

// The kinds of change.
const (
	KindThreads      Kind = "threads"
	KindMessages     Kind = "messages"
	KindAttachments  Kind = "attachments"
	KindDocuments    Kind = "documents"
	KindAppointments Kind = "appointments"
	KindClients      Kind = "clients"
	KindSettings     Kind = "settings"
	KindSession      Kind = "session"
	KindAudit        Kind = "audit"
	KindInbox        Kind = "inbox"
	KindSync         Kind = "sync"
	KindRestore      Kind = "restore"
)

// KindInfo names a Kind for TypeScript and says what it means.
type KindInfo struct {
	Kind Kind
	Name string // the key in the TypeScript Kind object
	Doc  string
}

// Kinds lists every Kind, in the order the TypeScript file has them.
var Kinds = []KindInfo{
	{KindThreads, "Threads", "The signed-in staff member read a thread: unread counts changed (threadId)."},
	{KindMessages, "Messages", "A message was sent: a new thread or a reply (threadId)."},
	{KindAttachments, "Attachments", "An attachment was shared, made private, deleted or restored (threadId when known)."},
	{KindDocuments, "Documents", "A client's Documents on File changed."},
	{KindAppointments, "Appointments", "An appointment was booked, changed or cancelled."},
	{KindClients, "Clients", "A client's profile or Client Alert changed."},
	{KindSettings, "Settings", "A practice setting changed."},
	{KindSession, "Session", "Someone signed in."},
	{KindAudit, "Audit", "An entry no other kind explains was audited (an export, a backup)."},
	{KindInbox, "Inbox", "A file was taken out of the scan inbox, or its folder changed."},
	{KindSync, "Sync", "Changes from the practice hub were applied, or the desk joined or left a hub: anything may have changed."},
	{KindRestore, "Restore", "A backup replaced the practice's data: everything changed."},
}

// Change is the payload of DataChanged.
type Change struct {
	What     Kind   `json:"what"`
	ThreadID string `json:"threadId,omitempty"` // the thread it happened in, when it is one thread
}

// TypeScript returns frontend/src/api/eventkinds.ts: the event names and the
// kinds above, for the UI.
func TypeScript() string {
	var b strings.Builder
	b.WriteString("// Code generated from backend/events by `go test ./backend/events -run TestTypeScript -update`. DO NOT EDIT.\n\n")
	b.WriteString("/** The events Go sends to the UI. */\n")
	b.WriteString("export const EventName = {\n")
	for _, n := range [][2]string{{"FileProgress", FileProgress}, {"DataChanged", DataChanged}, {"InboxChanged", InboxChanged}, {"Locked", Locked}} {
		fmt.Fprintf(&b, "  %s: '%s',\n", n[0], n[1])
	}
	b.WriteString("} as const;\n\n")
	b.WriteString("/** What a `data:changed` event is about: a view reloads only for the kinds it shows. */\n")
	b.WriteString("export const Kind = {\n")
	for _, k := range Kinds {
		fmt.Fprintf(&b, "  /** %s */\n  %s: '%s',\n", k.Doc, k.Name, k.Kind)
	}
	b.WriteString("} as const;\n")
	b.WriteString("export type Kind = (typeof Kind)[keyof typeof Kind];\n\n")
	b.WriteString("/** The payload of `data:changed`. */\n")
	b.WriteString("export interface Change {\n  what: Kind;\n  /** The thread it happened in, when it is one thread. */\n  threadId?: string;\n}\n")
	return b.String()
}
