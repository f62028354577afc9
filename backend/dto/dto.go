// Package dto holds the JSON-tagged types the UI receives from the bound
// services. Times are RFC 3339 strings in UTC; sizes are bytes. These types
// carry no behaviour and must never expose data the caller may not see: the
// services decide what goes in them.
package dto

// Staff is a staff member as the UI shows them.
type Staff struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Role     string `json:"role"` // owner | manager | clinician | front_desk
	Initials string `json:"initials"`
}

// Session is who is signed in and what the desk may do for them.
type Session struct {
	Staff        *Staff `json:"staff"` // nil when nobody is signed in
	PracticeName string `json:"practiceName"`
	CanManage    bool   `json:"canManage"` // owner or manager
	// DemoPIN is the PIN of every demo staff member, "" for a real practice.
	DemoPIN          string `json:"demoPin"`
	LockAfterMinutes int    `json:"lockAfterMinutes"`
	// LockedBy is the person whose session is locked (staff is then null),
	// so a reloaded window shows the lock screen, not the staff picker.
	LockedBy *Staff `json:"lockedBy"`
}

// ClientSummary is one row of the clients list.
type ClientSummary struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	DateOfBirth     string `json:"dateOfBirth"`     // YYYY-MM-DD
	NextAppointment string `json:"nextAppointment"` // RFC 3339 or ""
	HasAlert        bool   `json:"hasAlert"`
	Unread          int    `json:"unread"` // unread messages for the signed-in staff member
}

// ClientProfile is the header and Overview of a client profile.
type ClientProfile struct {
	ID              string `json:"id"`
	FirstName       string `json:"firstName"`
	LastName        string `json:"lastName"`
	Name            string `json:"name"`
	DateOfBirth     string `json:"dateOfBirth"`
	Email           string `json:"email"`
	Phone           string `json:"phone"`
	Alert           string `json:"alert"`
	NextAppointment string `json:"nextAppointment"`
	Unread          int    `json:"unread"`
}

// Person is a thread participant or message author.
type Person struct {
	Kind string `json:"kind"` // staff | client
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ThreadSummary is one row of a thread list.
type ThreadSummary struct {
	ID             string   `json:"id"`
	Subject        string   `json:"subject"`
	Participants   []Person `json:"participants"`
	IsGroup        bool     `json:"isGroup"`
	LastMessage    string   `json:"lastMessage"` // preview, at most 140 characters
	LastAuthor     string   `json:"lastAuthor"`
	LastActivityAt string   `json:"lastActivityAt"`
	Unread         int      `json:"unread"`
	MessageCount   int      `json:"messageCount"`
}

// Attachment is an attachment as one staff member may see it, with the
// actions the backend allows them on it.
type Attachment struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	MIME          string `json:"mime"`
	TypeLabel     string `json:"typeLabel"` // "PDF", "Image", "Text", ...
	Size          int64  `json:"size"`
	Sender        Person `json:"sender"`
	SentAt        string `json:"sentAt"`
	ThreadID      string `json:"threadId"`
	ThreadSubject string `json:"threadSubject"`
	MessageID     string `json:"messageId"`
	Shared        bool   `json:"shared"`
	SharedBy      string `json:"sharedBy"` // name, "" when private
	SharedAt      string `json:"sharedAt"`
	Removed       bool   `json:"removed"` // deleted by the practice; only name is kept
	// What the signed-in staff member may do; the UI offers exactly these.
	CanToggleShare bool   `json:"canToggleShare"`
	CanGoToThread  bool   `json:"canGoToThread"`
	CanDelete      bool   `json:"canDelete"`
	CanCopy        bool   `json:"canCopy"`
	CanPreview     bool   `json:"canPreview"`    // image or PDF
	DeleteBlocked  string `json:"deleteBlocked"` // code why delete is not offered: records_deletion_off | forbidden | ""
	// DeleteBlockedReason is the rule's own sentence for DeleteBlocked, shown as is.
	DeleteBlockedReason string `json:"deleteBlockedReason"`
	// RemovedNote says who removed a removed attachment ("Attachment removed by the sender").
	RemovedNote string `json:"removedNote,omitempty"`
}

// TabFirstThreads and TabFirstAttachments are how many threads and
// attachments the Messages tab's first answer holds: a few screens of each
// list. The heaviest client's whole tab (1,800 threads, 9,300 attachments)
// made a 6.5 MB answer, and moving that through the window's bridge took
// most of a second (bench/README.md); the first screens now come at once
// and the rest follow (Messages.TabRest).
const (
	TabFirstThreads     = 100
	TabFirstAttachments = 150
)

// MessagesTab is what the Messages tab of one client shows: its threads
// with me and the attachments I may see, newest first. From Messages.Tab
// it holds the first TabFirstThreads and TabFirstAttachments and the
// totals; from Messages.TabRest, the rest of each list.
type MessagesTab struct {
	ClientID         string          `json:"clientId"`
	Threads          []ThreadSummary `json:"threads"`
	ThreadsTotal     int             `json:"threadsTotal"`
	Attachments      []Attachment    `json:"attachments"`
	AttachmentsTotal int             `json:"attachmentsTotal"`
	// RecordsDeletion is the practice setting; when false the tab says an
	// owner or manager can enable it in Settings → Security.
	RecordsDeletion bool `json:"recordsDeletion"`
}

// Message is one message in a thread view.
type Message struct {
	ID          string       `json:"id"`
	Author      Person       `json:"author"`
	Body        string       `json:"body"`
	SentAt      string       `json:"sentAt"`
	Mine        bool         `json:"mine"`
	Attachments []Attachment `json:"attachments"`
}

// Thread is an opened thread.
type Thread struct {
	ID           string    `json:"id"`
	Subject      string    `json:"subject"`
	Participants []Person  `json:"participants"`
	IsGroup      bool      `json:"isGroup"`
	Messages     []Message `json:"messages"`
	// Clients of the thread, so the UI can link to their profiles.
	ClientIDs []string `json:"clientIds"`
}

// StagedFile is a file stored and checked, ready to be sent or filed.
type StagedFile struct {
	Token     string `json:"token"` // random, single use, for this staff member's sign-in only
	Name      string `json:"name"`
	MIME      string `json:"mime"`
	TypeLabel string `json:"typeLabel"`
	Size      int64  `json:"size"`
}

// FileProblem is a refused file and why, in plain words.
type FileProblem struct {
	Name    string `json:"name"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// StageResult is the outcome of staging several files at once.
type StageResult struct {
	Files    []StagedFile  `json:"files"`
	Problems []FileProblem `json:"problems"`
}

// OutgoingFile names a staged file to send, with the display name to use.
type OutgoingFile struct {
	Token string `json:"token"`
	Name  string `json:"name"`
}

// ComposeRequest starts a new thread.
type ComposeRequest struct {
	ClientID       string         `json:"clientId"`       // preselected client
	OtherClientIDs []string       `json:"otherClientIds"` // makes a group
	StaffIDs       []string       `json:"staffIds"`       // other staff; the sender is always included
	Subject        string         `json:"subject"`
	Body           string         `json:"body"`
	Files          []OutgoingFile `json:"files"`
}

// ReplyRequest appends a message to a thread.
type ReplyRequest struct {
	ThreadID string         `json:"threadId"`
	Body     string         `json:"body"`
	Files    []OutgoingFile `json:"files"`
}

// Document is a file in a client's Documents on File.
type Document struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	MIME           string `json:"mime"`
	TypeLabel      string `json:"typeLabel"`
	Size           int64  `json:"size"`
	AddedBy        string `json:"addedBy"`
	AddedAt        string `json:"addedAt"`
	FromAttachment bool   `json:"fromAttachment"`
	CanPreview     bool   `json:"canPreview"`
}

// Appointment is one appointment.
type Appointment struct {
	ID         string `json:"id"`
	ClientID   string `json:"clientId"`
	ClientName string `json:"clientName"`
	StaffID    string `json:"staffId"`
	StaffName  string `json:"staffName"`
	StartsAt   string `json:"startsAt"`
	EndsAt     string `json:"endsAt"`
	Service    string `json:"service"`
	Location   string `json:"location"`
	Status     string `json:"status"`
	Notes      string `json:"notes"`
	HasAlert   bool   `json:"hasAlert"`
	Unread     int    `json:"unread"` // the client's unread messages for the signed-in staff member
	// CanCancel: it is not cancelled, completed, a no-show or over (the
	// backend's rule; the UI offers "Cancel appointment" only then).
	CanCancel bool `json:"canCancel"`
}

// Settings is what Settings shows.
type Settings struct {
	PracticeName             string `json:"practiceName"`
	RecordsDeletion          bool   `json:"recordsDeletion"`
	RecordsDeletionChangedBy string `json:"recordsDeletionChangedBy"`
	RecordsDeletionChangedAt string `json:"recordsDeletionChangedAt"`
	MaxFileBytes             int64  `json:"maxFileBytes"`
	LockAfterMinutes         int    `json:"lockAfterMinutes"`
	ScanInboxPath            string `json:"scanInboxPath"`
	CanChange                bool   `json:"canChange"` // owner or manager
}

// ViewResult says how a file was opened.
type ViewResult struct {
	Opened  bool   `json:"opened"`  // handed to the system viewer
	Path    string `json:"path"`    // the read-only copy that was opened
	Preview string `json:"preview"` // URL of the in-app preview, when previewable
}

// UnreadThread is a row of Home's unread list.
type UnreadThread struct {
	ThreadID   string `json:"threadId"`
	Subject    string `json:"subject"`
	ClientID   string `json:"clientId"`
	ClientName string `json:"clientName"`
	Unread     int    `json:"unread"`
	LastAt     string `json:"lastAt"`
}

// DeletedAttachment is a row of Settings → Recently deleted.
type DeletedAttachment struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Size         int64  `json:"size"`
	DeletedBy    string `json:"deletedBy"`
	DeletedAt    string `json:"deletedAt"`
	RestoreUntil string `json:"restoreUntil"`
	// Clients are the names of the clients of its thread ("A, B" for a group).
	Clients string `json:"clients"`
	// ThreadSubject is "" when the viewer could not see the attachment
	// before it was deleted (a private file of a thread they are not on).
	ThreadSubject string `json:"threadSubject"`
}

// AppointmentInput is what the Calendar sends to book or edit an appointment.
type AppointmentInput struct {
	ClientID string `json:"clientId"`
	StaffID  string `json:"staffId"`  // the clinician: a clinician, owner or manager
	StartsAt string `json:"startsAt"` // RFC 3339
	EndsAt   string `json:"endsAt"`   // RFC 3339, after StartsAt, at most 12 hours later
	Service  string `json:"service"`
	Location string `json:"location"`
	Status   string `json:"status"` // scheduled | arrived | completed | cancelled | no_show; "" = scheduled
	Notes    string `json:"notes"`
	// AllowOverlap books even when the clinician already has an appointment
	// at that time (the UI asks "book anyway?" after a conflict error).
	AllowOverlap bool `json:"allowOverlap"`
}

// InboxFile is a finished file waiting in the scan inbox.
type InboxFile struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Size      int64  `json:"size"`
	ModTime   string `json:"modTime"`
	MIME      string `json:"mime"`
	TypeLabel string `json:"typeLabel"`
	Problem   string `json:"problem"` // why it cannot be used, in plain words; "" when it can
}

// Inbox is the scan inbox panel.
type Inbox struct {
	Folder string      `json:"folder"`
	Files  []InboxFile `json:"files"`
}

// StoreReport is the result of checking the file store against the database.
type StoreReport struct {
	OK           bool     `json:"ok"`
	Blobs        int      `json:"blobs"`
	Bytes        int64    `json:"bytes"`
	Missing      []string `json:"missing"`
	Corrupt      []string `json:"corrupt"`
	Unreferenced []string `json:"unreferenced"`
	StaleTemp    int      `json:"staleTemp"`
	// Pending counts stored files nothing uses yet that are kept for now:
	// staged and not yet sent, or stored a moment ago.
	Pending int `json:"pending"`
}

// --- Settings → Audit log and Settings → Backup (owner or manager) ---

// AuditFilter selects audit entries; empty fields match everything.
type AuditFilter struct {
	ClientID string `json:"clientId"`
	StaffID  string `json:"staffId"`
	Action   string `json:"action"` // an AuditAction value; "" = any
	From     string `json:"from"`   // RFC 3339, or YYYY-MM-DD = from the start of that day (desk's time zone)
	To       string `json:"to"`     // RFC 3339 (inclusive), or YYYY-MM-DD = through the end of that day
	Limit    int    `json:"limit"`  // page size 1–1000; 0 = 100 (ignored by Export)
	Offset   int    `json:"offset"` // entries to skip, newest first (ignored by Export)
}

// AuditEntry is one line of the audit log with people's names resolved.
type AuditEntry struct {
	Seq          int64          `json:"seq"`
	At           string         `json:"at"`
	StaffID      string         `json:"staffId"`
	StaffName    string         `json:"staffName"` // "ClinicDesk (automatic)" for entries no one made
	Action       string         `json:"action"`
	ActionLabel  string         `json:"actionLabel"`
	ClientID     string         `json:"clientId"`
	ClientName   string         `json:"clientName"` // "" when the entry is about no client
	ThreadID     string         `json:"threadId"`
	AttachmentID string         `json:"attachmentId"`
	Summary      string         `json:"summary"` // short plain words: file name, setting = value
	Detail       map[string]any `json:"detail"`
}

// AuditPage is one page of the audit log, newest first.
type AuditPage struct {
	Entries []AuditEntry `json:"entries"`
	Total   int64        `json:"total"` // entries matching the filter, all pages
	Limit   int          `json:"limit"`
	Offset  int          `json:"offset"`
}

// AuditAction is one choice of the audit log's action filter.
type AuditAction struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// AuditExport is a finished CSV export.
type AuditExport struct {
	Path string `json:"path"`
	Rows int64  `json:"rows"`
}

// AuditChain is the result of checking the audit log's hash chain.
type AuditChain struct {
	OK       bool   `json:"ok"`
	Entries  int64  `json:"entries"`
	BrokenAt int64  `json:"brokenAt"` // seq of the first bad entry; 0 when ok
	Reason   string `json:"reason"`
}

// BackupInfo describes a verified backup folder.
type BackupInfo struct {
	Path          string           `json:"path"`
	CreatedAt     string           `json:"createdAt"`
	PracticeName  string           `json:"practiceName"`
	SchemaVersion int              `json:"schemaVersion"`
	Files         int              `json:"files"` // stored files (attachments and documents share them)
	Bytes         int64            `json:"bytes"` // database and files
	Counts        map[string]int64 `json:"counts"`
	// Unavailable counts files the practice referred to that could not be
	// copied (missing or damaged on this computer when the backup was made).
	Unavailable int `json:"unavailable"`
}

// BackupProgress is the payload of the "backup:progress" event.
type BackupProgress struct {
	Job   string `json:"job"`   // backup | verify | restore
	Phase string `json:"phase"` // database | files | verify | check (no byte count) | stage | swap | done
	Done  int64  `json:"done"`  // bytes
	Total int64  `json:"total"` // bytes, 0 while unknown
}

// RestoreResult is what Restore did. The desk is signed out afterwards.
type RestoreResult struct {
	Backup BackupInfo `json:"backup"`
	// PreviousData is the folder the replaced practice was moved to, kept
	// until the practice deletes it.
	PreviousData string `json:"previousData"`
}

// About is what the About dialog shows: which build this is and which data
// it runs on, for a practice manager on the phone with support.
type About struct {
	Version       string `json:"version"`       // from git describe at build time ("dev" when unstamped)
	Build         string `json:"build"`         // commit and Go toolchain
	DataDir       string `json:"dataDir"`       // the practice's data folder on this computer
	SchemaVersion int    `json:"schemaVersion"` // the database's schema version
	HubURL        string `json:"hubUrl"`        // the hub this desk syncs with, "" when none
}
