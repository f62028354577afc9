// Types the UI works with, mirroring backend/dto/dto.go field by field (the
// names are the json tags). The classes Wails generates in wailsjs/go/models.ts
// are structurally compatible with these; views import from here, never from
// wailsjs. Times are RFC 3339 strings in UTC; sizes are bytes.

export type Role = 'owner' | 'manager' | 'clinician' | 'front_desk';

export interface Staff {
  id: string;
  name: string;
  role: Role | string;
  initials: string;
}

export interface Session {
  staff: Staff | null;
  practiceName: string;
  canManage: boolean;
  /** The PIN of every demo staff member; "" for a real practice. */
  demoPin: string;
  /** Lock the desk after this many idle minutes; 0 = never. */
  lockAfterMinutes: number;
  /** Set while the desk is locked: whose session it is (staff is then null). */
  lockedBy?: Staff | null;
}

export interface ClientSummary {
  id: string;
  name: string;
  dateOfBirth: string;
  nextAppointment: string;
  hasAlert: boolean;
  unread: number;
}

export interface ClientProfile {
  id: string;
  firstName: string;
  lastName: string;
  name: string;
  dateOfBirth: string;
  email: string;
  phone: string;
  alert: string;
  nextAppointment: string;
  unread: number;
}

export interface Person {
  kind: 'staff' | 'client' | string;
  id: string;
  name: string;
}

export interface ThreadSummary {
  id: string;
  subject: string;
  participants: Person[];
  isGroup: boolean;
  lastMessage: string;
  lastAuthor: string;
  lastActivityAt: string;
  unread: number;
  messageCount: number;
}

export interface Attachment {
  id: string;
  name: string;
  mime: string;
  typeLabel: string;
  size: number;
  sender: Person;
  sentAt: string;
  threadId: string;
  threadSubject: string;
  messageId: string;
  shared: boolean;
  sharedBy: string;
  sharedAt: string;
  removed: boolean;
  canToggleShare: boolean;
  canGoToThread: boolean;
  canDelete: boolean;
  canCopy: boolean;
  canPreview: boolean;
  deleteBlocked: string;
  /** Why Delete is not offered, in the backend rule's own words ("" when it is). */
  deleteBlockedReason: string;
  /** For a removed attachment: who removed it ("Attachment removed by the sender"). */
  removedNote?: string;
}

export interface MessagesTab {
  clientId: string;
  /** From Messages.Tab the newest threads and attachments; the totals count them all. */
  threads: ThreadSummary[];
  threadsTotal: number;
  attachments: Attachment[];
  attachmentsTotal: number;
  recordsDeletion: boolean;
}

export interface Message {
  id: string;
  author: Person;
  body: string;
  sentAt: string;
  mine: boolean;
  attachments: Attachment[];
}

export interface Thread {
  id: string;
  subject: string;
  participants: Person[];
  isGroup: boolean;
  messages: Message[];
  clientIds: string[];
}

export interface StagedFile {
  token: string;
  name: string;
  mime: string;
  typeLabel: string;
  size: number;
}

export interface FileProblem {
  name: string;
  code: string;
  message: string;
}

export interface StageResult {
  files: StagedFile[];
  problems: FileProblem[];
}

export interface OutgoingFile {
  token: string;
  name: string;
}

export interface ComposeRequest {
  clientId: string;
  otherClientIds: string[];
  staffIds: string[];
  subject: string;
  body: string;
  files: OutgoingFile[];
}

export interface ReplyRequest {
  threadId: string;
  body: string;
  files: OutgoingFile[];
}

export interface Document {
  id: string;
  name: string;
  mime: string;
  typeLabel: string;
  size: number;
  addedBy: string;
  addedAt: string;
  fromAttachment: boolean;
  canPreview: boolean;
}

export interface Appointment {
  id: string;
  clientId: string;
  clientName: string;
  staffId: string;
  staffName: string;
  startsAt: string;
  endsAt: string;
  service: string;
  location: string;
  status: string;
  notes: string;
  hasAlert: boolean;
  unread: number;
  /** The backend's rule: not cancelled, completed, a no-show or over. */
  canCancel: boolean;
}

export interface Settings {
  practiceName: string;
  recordsDeletion: boolean;
  recordsDeletionChangedBy: string;
  recordsDeletionChangedAt: string;
  maxFileBytes: number;
  lockAfterMinutes: number;
  scanInboxPath: string;
  canChange: boolean;
}

/** What the About dialog shows (user menu → About ClinicDesk). */
export interface About {
  version: string;
  build: string;
  dataDir: string;
  schemaVersion: number;
  hubUrl: string;
}

export interface ViewResult {
  opened: boolean;
  path: string;
  preview: string;
}

export interface UnreadThread {
  threadId: string;
  subject: string;
  clientId: string;
  clientName: string;
  unread: number;
  lastAt: string;
}

/** A row of Settings → Recently deleted (owner or manager). */
export interface DeletedAttachment {
  id: string;
  name: string;
  size: number;
  deletedBy: string;
  deletedAt: string;
  restoreUntil: string;
  /** The clients of its thread ("A, B" for a group). */
  clients: string;
  /** "" when the viewer could not see the attachment before it was deleted. */
  threadSubject: string;
}

/** Payload of the `files:progress` event. */
export interface FileProgress {
  id: string;
  name: string;
  done: number;
  total: number;
}

/** What the Calendar sends to book or edit an appointment (times RFC 3339). */
export interface AppointmentInput {
  clientId: string;
  /** The clinician: a clinician, owner or manager. */
  staffId: string;
  startsAt: string;
  endsAt: string;
  service: string;
  location: string;
  /** scheduled | arrived | completed | cancelled | no_show; "" = scheduled */
  status: string;
  notes: string;
  /** Book even when the clinician already has an appointment then ("Book anyway?"). */
  allowOverlap: boolean;
}

export type AppointmentStatus = 'scheduled' | 'arrived' | 'completed' | 'cancelled' | 'no_show';

// --- Settings → Audit log (owner or manager) ---

/** Selects audit entries; "" matches everything. from/to are YYYY-MM-DD or RFC 3339 (to inclusive). */
export interface AuditFilter {
  clientId: string;
  staffId: string;
  action: string;
  from: string;
  to: string;
  /** page size 1–1000; 0 = 100 */
  limit: number;
  offset: number;
}

export interface AuditEntry {
  seq: number;
  at: string;
  staffId: string;
  staffName: string;
  action: string;
  actionLabel: string;
  clientId: string;
  clientName: string;
  threadId: string;
  attachmentId: string;
  summary: string;
  detail: Record<string, unknown>;
}

export interface AuditPage {
  entries: AuditEntry[];
  total: number;
  limit: number;
  offset: number;
}

export interface AuditAction {
  value: string;
  label: string;
}

export interface AuditExport {
  path: string;
  rows: number;
}

/** The hash chain check: a broken chain is a result, not an error. */
export interface AuditChain {
  ok: boolean;
  entries: number;
  brokenAt: number;
  reason: string;
}

// --- Scan inbox and the file store ---

export interface InboxFile {
  id: string;
  name: string;
  size: number;
  modTime: string;
  mime: string;
  typeLabel: string;
  /** Why it cannot be used, in plain words; "" when it can. */
  problem: string;
}

export interface Inbox {
  folder: string;
  files: InboxFile[];
}

export interface StoreReport {
  ok: boolean;
  blobs: number;
  bytes: number;
  missing: string[];
  corrupt: string[];
  unreferenced: string[];
  staleTemp: number;
  /** Files staged and not yet sent (or stored a moment ago): removed if they are never sent. */
  pending: number;
}

// --- Sync with the practice hub ---

export type SyncState = 'not_joined' | 'online' | 'offline' | 'syncing' | 'error';

export interface SyncStatus {
  joined: boolean;
  hubUrl: string;
  state: SyncState | string;
  pending: number;
  lastSyncAt: string;
  /** Plain words; "" when fine. */
  lastError: string;
  /** Undismissed notices of changes the hub undid. */
  notices: number;
  seeding: boolean;
}

export interface SyncNotice {
  id: string;
  at: string;
  entity: string;
  entityId: string;
  message: string;
}

export interface EnrollCode {
  code: string;
  expiresAt: string;
}

/** Payload of `sync:progress`. */
export interface SyncProgress {
  phase: string;
  done: number;
  total: number;
}

// --- Settings → Backup (owner or manager) ---

/** A verified backup folder. */
export interface BackupInfo {
  path: string;
  createdAt: string;
  practiceName: string;
  schemaVersion: number;
  /** stored files (attachments and documents share them) */
  files: number;
  /** database and files */
  bytes: number;
  /** rows per table */
  counts: Record<string, number>;
  /** files that could not be copied (missing or damaged on the computer when the backup was made) */
  unavailable: number;
}

/** Payload of `backup:progress`. */
export interface BackupProgress {
  job: 'backup' | 'verify' | 'restore' | string;
  phase: 'database' | 'files' | 'verify' | 'stage' | 'swap' | 'done' | string;
  done: number;
  /** 0 while unknown */
  total: number;
}

export interface RestoreResult {
  backup: BackupInfo;
  /** Where the replaced practice was moved; kept until the practice deletes it. */
  previousData: string;
}
