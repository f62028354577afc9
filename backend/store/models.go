package store

import "time"

// Roles of staff members.
const (
	RoleOwner     = "owner"
	RoleManager   = "manager"
	RoleClinician = "clinician"
	RoleFrontDesk = "front_desk"
)

// Kinds of people who can take part in a thread or author a message.
const (
	KindStaff  = "staff"
	KindClient = "client"
)

// Staff is a member of the practice who signs in on the desk.
type Staff struct {
	ID         string `gorm:"primaryKey"`
	FirstName  string
	LastName   string
	Role       string
	Email      string
	Credential string // argon2id hash of the PIN or password; "" until set
	// SigningKey is the staff member's Ed25519 public key (base64), the key
	// the hub checks their changes against; "" until their first sign-in
	// on an upgraded desk. SealedKey is the matching private key, sealed
	// under a key derived from their PIN or password (backend/auth): every
	// desk holds it, only their PIN opens it.
	SigningKey  string
	SealedKey   string
	FailedTries int
	LockedUntil *time.Time
	Active      bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// FullName is "First Last".
func (s Staff) FullName() string { return s.FirstName + " " + s.LastName }

// Client is a person the practice serves. Clients never sign in on the desk.
type Client struct {
	ID          string `gorm:"primaryKey"`
	FirstName   string
	LastName    string
	DateOfBirth string // YYYY-MM-DD
	Email       string
	Phone       string
	Alert       string // the Client Alert, at most 500 characters
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// FullName is "First Last".
func (c Client) FullName() string { return c.FirstName + " " + c.LastName }

// Appointment statuses.
const (
	ApptScheduled = "scheduled"
	ApptArrived   = "arrived"
	ApptCompleted = "completed"
	ApptCancelled = "cancelled"
	ApptNoShow    = "no_show"
)

// Appointment is a booked session between a client and a clinician.
type Appointment struct {
	ID        string `gorm:"primaryKey"`
	ClientID  string
	StaffID   string
	StartsAt  time.Time
	EndsAt    time.Time
	Service   string
	Location  string
	Status    string
	Notes     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Thread is a conversation with a subject between staff and clients.
type Thread struct {
	ID             string `gorm:"primaryKey"`
	Subject        string
	CreatedByKind  string
	CreatedByID    string
	CreatedAt      time.Time
	LastActivityAt time.Time
}

// Participant links a staff member or a client to a thread. LastReadAt is the
// time up to which this participant has read the thread.
type Participant struct {
	ID         string `gorm:"primaryKey"`
	ThreadID   string
	Kind       string // KindStaff or KindClient
	PersonID   string
	LastReadAt *time.Time
	JoinedAt   time.Time
}

// Message is one append-only entry of a thread.
type Message struct {
	ID         string `gorm:"primaryKey"`
	ThreadID   string
	AuthorKind string
	AuthorID   string
	Body       string
	CreatedAt  time.Time
}

// Blob is a stored file, known by the SHA-256 of its content. Several
// attachments and documents may use one blob.
type Blob struct {
	SHA256    string `gorm:"column:sha256;primaryKey"`
	Size      int64
	MIME      string `gorm:"column:mime"`
	CreatedAt time.Time
}

// Attachment is a file sent in a message. It is communication material, not
// part of the clinical record.
type Attachment struct {
	ID               string `gorm:"primaryKey"`
	MessageID        string
	ThreadID         string
	BlobSHA256       string `gorm:"column:blob_sha256"`
	Name             string
	MIME             string `gorm:"column:mime"`
	Size             int64
	SenderKind       string
	SenderID         string
	CreatedAt        time.Time
	SharedWithStaff  bool
	SharedByStaffID  *string
	SharedAt         *time.Time
	DeletedAt        *time.Time `gorm:"column:removed_at"`
	DeletedByStaffID *string    `gorm:"column:removed_by_staff_id"`
	PurgedAt         *time.Time
}

// Document is a file in a client's Documents on File: the formal record.
type Document struct {
	ID                 string `gorm:"primaryKey"`
	ClientID           string
	BlobSHA256         string `gorm:"column:blob_sha256"`
	Name               string
	MIME               string `gorm:"column:mime"`
	Size               int64
	SourceAttachmentID *string
	AddedByStaffID     string
	CreatedAt          time.Time
}

// Settings is the practice's single settings row (ID is always 1).
type Settings struct {
	ID                       int `gorm:"primaryKey"`
	PracticeName             string
	RecordsDeletion          bool
	RecordsDeletionChangedBy *string
	RecordsDeletionChangedAt *time.Time
	MaxFileBytes             int64
	LockAfterMinutes         int
	ScanInboxPath            string
	Demo                     bool // the generated demo practice; the sign-in screen shows the demo PIN
	UpdatedAt                time.Time
}

// AuditEvent is one append-only line of the audit log. Hash chains the
// previous event's hash so tampering is detectable.
type AuditEvent struct {
	Seq          int64 `gorm:"primaryKey;autoIncrement"`
	ID           string
	At           time.Time
	StaffID      string
	Action       string
	ClientID     string
	ThreadID     string
	AttachmentID string
	Detail       string // JSON object
	PrevHash     string
	Hash         string
}

// Change is one entry of the change log, written in the same transaction as
// the change it describes, for sync to deliver.
type Change struct {
	Seq      int64 `gorm:"primaryKey;autoIncrement"`
	ID       string
	HLC      string `gorm:"column:hlc"`
	Origin   string
	Entity   string
	EntityID string
	Op       string
	Payload  string // JSON of the row after the change
	// Signer and Signature prove which staff member made the change: an
	// Ed25519 signature (base64) by Signer's key over sync.SigningBytes,
	// made when the change was committed while Signer was signed in. ""
	// for changes made without a staff member (backend/sync lists them).
	Signer    string
	Signature string
	PushedAt  *time.Time
}

// TableName keeps gorm's naming explicit where pluralisation would surprise.
func (Staff) TableName() string       { return "staff" }
func (Settings) TableName() string    { return "settings" }
func (Change) TableName() string      { return "changes" }
func (AuditEvent) TableName() string  { return "audit_events" }
func (Participant) TableName() string { return "participants" }
