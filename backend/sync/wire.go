package sync

// The sync protocol between a desk and the hub: JSON over HTTPS, every call
// but enrollment carrying "Authorization: Bearer <desk token>".
//
//	POST /api/v1/enroll          EnrollRequest → EnrollResponse
//	POST /api/v1/push            PushRequest → PushResponse (409 + MissingBlobs when blobs must come first)
//	GET  /api/v1/pull?after=N    → PullResponse
//	POST /api/v1/blobs/missing   BlobList → BlobList (the ones the hub lacks)
//	PUT  /api/v1/blobs/{sha256}  raw bytes, verified against the name
//	GET  /api/v1/blobs/{sha256}  raw bytes
//	POST /api/v1/snapshot/done   the first desk's snapshot is complete
//	POST /api/v1/enroll-codes    EnrollCodeRequest → EnrollCodeResponse (an owner's desk)
//	POST /api/v1/leave           revokes this desk's token

// ProtocolVersion is sent by desks and checked by the hub.
const ProtocolVersion = 1

// Practice states of a hub.
const (
	PracticeEmpty   = "empty"   // no practice yet: the first desk seeds it
	PracticeSeeding = "seeding" // the first desk is uploading its snapshot
	PracticeReady   = "ready"
)

// WireChange is one change as it travels.
type WireChange struct {
	Cursor   int64  `json:"cursor,omitempty"` // hub order, set in pulls
	ID       string `json:"id"`
	HLC      string `json:"hlc"`
	Origin   string `json:"origin"`
	Entity   string `json:"entity"`
	EntityID string `json:"entityId"`
	Op       string `json:"op"`
	Payload  string `json:"payload"`
	Actor    string `json:"actor,omitempty"`  // staff member who made a privileged change
	Action   string `json:"action,omitempty"` // its audit action (share, unshare, delete, restore, setting_changed)
	Detail   string `json:"detail,omitempty"` // its audit detail (JSON; names the setting changed)
	// Signer is the staff member who signed the change on the desk and
	// Signature their Ed25519 signature (base64) over SigningBytes. The hub
	// believes Actor only when it is Signer and the signature verifies.
	Signer    string `json:"signer,omitempty"`
	Signature string `json:"signature,omitempty"`
}

// EnrollRequest joins a desk to the hub with a one-time code. The hub
// chooses the desk's id (EnrollResponse.DeskID): a desk cannot pick one, so
// enrolling can never take over another desk's.
type EnrollRequest struct {
	Protocol int    `json:"protocol"`
	Code     string `json:"code"`
	DeskName string `json:"deskName"`
	// Empty says the desk's database holds no practice.
	Empty bool `json:"empty"`
}

// EnrollResponse gives the desk its token and tells it what to do next:
// Seed (upload a snapshot of its practice) or pull everything.
type EnrollResponse struct {
	DeskID   string `json:"deskId"` // the id the hub gave this desk: its changes' origin from now on
	Token    string `json:"token"`
	HubID    string `json:"hubId"`
	Practice string `json:"practice"`
	Seed     bool   `json:"seed"`
}

// Limits of one push: the hub refuses a larger one (413) while it streams in,
// and a desk splits its pending changes to fit.
const (
	MaxPushBytes   = 16 << 20
	MaxPushChanges = 2000
)

// PushRequest carries a batch of a desk's changes, oldest first.
type PushRequest struct {
	Changes []WireChange `json:"changes"`
}

// Result statuses of pushed changes.
const (
	StatusAccepted = "accepted"
	StatusRejected = "rejected"
)

// PushResult is the hub's answer for one change.
type PushResult struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"` // plain words, for a rejected change
	// Code is the HTTP status that says why (422 malformed or over a limit,
	// 403 not allowed): a refusal is permanent, never retried.
	Code int `json:"code,omitempty"`
	// Undo is the hub's current row for a rejected change, to re-apply.
	Undo *WireChange `json:"undo,omitempty"`
}

// PushResponse answers a push.
type PushResponse struct {
	Results []PushResult `json:"results"`
}

// PullResponse is the hub's changes after a cursor.
type PullResponse struct {
	Changes  []WireChange `json:"changes"`
	More     bool         `json:"more"`
	Practice string       `json:"practice"`
}

// BlobList names blobs by SHA-256.
type BlobList struct {
	SHA256 []string `json:"sha256"`
}

// MissingBlobs is the body of a 409 answer to a push that needs blobs first.
type MissingBlobs struct {
	Error        string   `json:"error"`
	MissingBlobs []string `json:"missingBlobs"`
}

// ErrorBody is the hub's JSON error.
type ErrorBody struct {
	Error string `json:"error"`
	Code  string `json:"code,omitempty"`
}

// EnrollCodeRequest asks for a new one-time enrollment code as StaffID,
// who must be an owner: Signature is their signature over
// EnrollCodeSigningBytes(StaffID, this desk's id, the hub's id, At), At an
// RFC 3339 time within a few minutes of the hub's clock.
type EnrollCodeRequest struct {
	StaffID   string `json:"staffId"`
	At        string `json:"at"`
	Signature string `json:"signature"`
}

// EnrollCodeResponse carries the code.
type EnrollCodeResponse struct {
	Code      string `json:"code"`
	ExpiresAt string `json:"expiresAt"`
}

// BlobOf returns the SHA-256 whose bytes a change needs, "" when none.
func BlobOf(c WireChange) string {
	if c.Entity == "blob" && c.Op != OpDelete {
		return c.EntityID
	}
	return ""
}
