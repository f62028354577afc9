package backup

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"time"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/files"
	"clinicdesk/backend/store"
)

// Names inside a backup folder and the format this version writes.
const (
	FormatName    = "clinicdesk-backup"
	FormatVersion = 1
	ManifestName  = "manifest.json"
	DBName        = "clinicdesk.db"
	FolderPrefix  = "ClinicDesk backup "
	partialSuffix = ".partial"

	// maxManifestBytes bounds what Verify reads: a manifest of a practice
	// with a million files is about 150 MB, far beyond any desk.
	maxManifestBytes = 256 << 20
	maxTables        = 1000
	maxNameLen       = 200
)

// Manifest describes a backup: what it holds and the hash of every file.
type Manifest struct {
	Format        string           `json:"format"`
	FormatVersion int              `json:"formatVersion"`
	SchemaVersion int              `json:"schemaVersion"`
	CreatedAt     time.Time        `json:"createdAt"`
	PracticeName  string           `json:"practiceName"`
	Database      FileEntry        `json:"database"`
	Files         []FileEntry      `json:"files"`
	Counts        map[string]int64 `json:"counts"` // rows per table of the database copy
	// AuditHead is the last audit entry in the copy, so a later reader can
	// tell whether the live log still holds it unchanged.
	AuditHead AuditHead `json:"auditHead"`
	// Unavailable are files the database refers to that could not be copied
	// because they were already missing or damaged on the desk.
	Unavailable []Unavailable `json:"unavailable,omitempty"`
}

// FileEntry is one file of the backup, by its path inside the folder.
type FileEntry struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// AuditHead names the last audit entry of the copy.
type AuditHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// Unavailable is a referenced file the backup could not include.
type Unavailable struct {
	SHA256 string `json:"sha256"`
	Reason string `json:"reason"` // missing | damaged
}

// BlobPath is where the file with hash sha lives inside a backup folder and
// inside a data directory (slash-separated).
func BlobPath(sha string) string {
	return path.Join("files", "blobs", sha[0:2], sha[2:4], sha)
}

// TotalBytes is the size of the database and every file.
func (m Manifest) TotalBytes() int64 {
	n := m.Database.Size
	for _, f := range m.Files {
		n += f.Size
	}
	return n
}

func notABackup(why string) error {
	return apperr.New(apperr.InvalidInput, "This folder is not a ClinicDesk backup that can be restored: "+why)
}

// ParseManifest reads and checks a manifest: known format, a schema this
// version can open, well-formed hashes, every file at the path its hash
// gives (so nothing outside the folder is ever read), no duplicates.
// Anything wrong is an InvalidInput error in plain words; it never panics.
func ParseManifest(b []byte) (Manifest, error) {
	var m Manifest
	if len(b) > maxManifestBytes {
		return Manifest{}, notABackup("its manifest is too large.")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, notABackup("its manifest cannot be read.")
	}
	if dec.More() {
		return Manifest{}, notABackup("its manifest has extra content.")
	}
	if m.Format != FormatName {
		return Manifest{}, notABackup("its manifest is not a ClinicDesk backup manifest.")
	}
	if m.FormatVersion < 1 || m.FormatVersion > FormatVersion {
		return Manifest{}, notABackup("it was made by a newer version of ClinicDesk. Update ClinicDesk, then try again.")
	}
	if m.SchemaVersion < 1 || m.SchemaVersion > store.LatestVersion() {
		return Manifest{}, notABackup(fmt.Sprintf("its database is from a newer version of ClinicDesk (schema %d). Update ClinicDesk, then try again.", m.SchemaVersion))
	}
	if m.CreatedAt.IsZero() || m.CreatedAt.Year() > 9999 {
		return Manifest{}, notABackup("its manifest has no valid date.")
	}
	if len(m.PracticeName) > 10000 {
		return Manifest{}, notABackup("its manifest is damaged.")
	}
	if m.Database.Path != DBName || !files.ValidSHA256(m.Database.SHA256) || m.Database.Size <= 0 {
		return Manifest{}, notABackup("its manifest does not describe the database.")
	}
	seen := make(map[string]bool, len(m.Files))
	for _, f := range m.Files {
		if !files.ValidSHA256(f.SHA256) || f.Path != BlobPath(f.SHA256) || f.Size <= 0 || seen[f.SHA256] {
			return Manifest{}, notABackup("its list of files is damaged.")
		}
		seen[f.SHA256] = true
	}
	for _, u := range m.Unavailable {
		if !files.ValidSHA256(u.SHA256) || seen[u.SHA256] || len(u.Reason) > maxNameLen {
			return Manifest{}, notABackup("its list of files is damaged.")
		}
	}
	if len(m.Counts) > maxTables {
		return Manifest{}, notABackup("its manifest is damaged.")
	}
	for t, n := range m.Counts {
		if t == "" || len(t) > maxNameLen || n < 0 {
			return Manifest{}, notABackup("its table counts are damaged.")
		}
	}
	if m.AuditHead.Seq < 0 || (m.AuditHead.Seq > 0 && !files.ValidSHA256(m.AuditHead.Hash)) {
		return Manifest{}, notABackup("its manifest is damaged.")
	}
	return m, nil
}

// encode writes the manifest with files sorted, for stable output.
func (m Manifest) encode() ([]byte, error) {
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].SHA256 < m.Files[j].SHA256 })
	sort.Slice(m.Unavailable, func(i, j int) bool { return m.Unavailable[i].SHA256 < m.Unavailable[j].SHA256 })
	if m.Files == nil {
		m.Files = []FileEntry{}
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
