// Code generated from backend/events by `go test ./backend/events -run TestTypeScript -update`. DO NOT EDIT.

/** The events Go sends to the UI. */
export const EventName = {
  FileProgress: 'files:progress',
  DataChanged: 'data:changed',
  InboxChanged: 'inbox:changed',
  Locked: 'session:locked',
} as const;

/** What a `data:changed` event is about: a view reloads only for the kinds it shows. */
export const Kind = {
  /** The signed-in staff member read a thread: unread counts changed (threadId). */
  Threads: 'threads',
  /** A message was sent: a new thread or a reply (threadId). */
  Messages: 'messages',
  /** An attachment was shared, made private, deleted or restored (threadId when known). */
  Attachments: 'attachments',
  /** A client's Documents on File changed. */
  Documents: 'documents',
  /** An appointment was booked, changed or cancelled. */
  Appointments: 'appointments',
  /** A client's profile or Client Alert changed. */
  Clients: 'clients',
  /** A practice setting changed. */
  Settings: 'settings',
  /** Someone signed in. */
  Session: 'session',
  /** An entry no other kind explains was audited (an export, a backup). */
  Audit: 'audit',
  /** A file was taken out of the scan inbox, or its folder changed. */
  Inbox: 'inbox',
  /** Changes from the practice hub were applied, or the desk joined or left a hub: anything may have changed. */
  Sync: 'sync',
  /** A backup replaced the practice's data: everything changed. */
  Restore: 'restore',
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** The payload of `data:changed`. */
export interface Change {
  what: Kind;
  /** The thread it happened in, when it is one thread. */
  threadId?: string;
}
