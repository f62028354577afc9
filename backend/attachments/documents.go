package attachments

import (
	"context"
	"slices"

	"gorm.io/gorm"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/files"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
)

// AddDocument files a staged file (dropped on Documents on File, picked, or
// taken from the scan inbox) in the client's Documents on File.
//
// token must be a staged file of a's session (see TakeStaged); it is used
// once.
func (s *Service) AddDocument(a access.Actor, clientID, token, name string) (dto.Document, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return dto.Document{}, err
	}
	clean, err := files.CleanName(name)
	if err != nil {
		return dto.Document{}, err
	}
	claim, err := s.TakeStaged(a, "documents", []dto.OutgoingFile{{Token: token, Name: clean}})
	if err != nil {
		return dto.Document{}, err
	}
	b := claim.Blobs[0]
	var doc store.Document
	err = s.DB.Tx(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&store.Client{}).Where("id = ?", clientID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.NotFound, "That client could not be found.")
		}
		if err := s.EnsureBlobRow(tx, b); err != nil {
			return err
		}
		doc = store.Document{ID: clock.NewID(), ClientID: clientID, BlobSHA256: b.SHA256, Name: clean, MIME: b.MIME, Size: b.Size,
			AddedByStaffID: a.StaffID, CreatedAt: s.Clock.Now()}
		if err := tx.Create(&doc).Error; err != nil {
			return err
		}
		if err := s.Rec.Record(tx, "document", doc.ID, sync.OpInsert, doc); err != nil {
			return err
		}
		return s.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: audit.ActDocumentAdded, ClientID: clientID,
			Detail: map[string]any{"document": doc.ID, "name": clean, "sha256": b.SHA256, "size": b.Size}})
	})
	claim.Done(err == nil)
	if err != nil {
		return dto.Document{}, err
	}
	return DocumentDTO(doc, a.Name), nil
}

// StoreCheck compares the blob store with the database: every blob the
// database knows must be present and intact. Unreferenced are the bytes
// SweepOrphans would remove: no row names them, no live staged file holds
// them, and they are older than OrphanGrace (a file being staged or sent
// right now is not an orphan).
func (s *Service) StoreCheck(ctx context.Context) (StoreReport, error) {
	var known []string
	if err := s.DB.Model(&store.Blob{}).Pluck("sha256", &known).Error; err != nil {
		return StoreReport{}, err
	}
	// Purge keeps the blobs row but removes the bytes when only purged
	// attachments use them: those are not expected on disk.
	var purged []string
	if err := s.DB.Raw(`SELECT b.sha256 FROM blobs b
		WHERE EXISTS (SELECT 1 FROM attachments a WHERE a.blob_sha256 = b.sha256 AND a.purged_at IS NOT NULL)
		  AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.blob_sha256 = b.sha256 AND a.purged_at IS NULL)
		  AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.blob_sha256 = b.sha256)`).Scan(&purged).Error; err != nil {
		return StoreReport{}, err
	}
	gone := make(map[string]bool, len(purged))
	for _, p := range purged {
		gone[p] = true
	}
	expected := known[:0:0]
	for _, k := range known {
		if !gone[k] {
			expected = append(expected, k)
		}
	}
	var pending []string
	rep, err := s.Blobs.Check(ctx, expected, func(sha string) bool {
		mod, ok := s.Blobs.ModTime(sha)
		if !ok {
			return true // removed while checking
		}
		switch named, err := s.named(sha); {
		case err != nil || named:
			return true
		case s.orphan(sha, mod):
			return false
		}
		pending = append(pending, sha)
		return true
	})
	slices.Sort(pending)
	return StoreReport{Report: rep, Pending: pending}, err
}

// StoreReport is the store check of the desk: the blob store's Report, and
// the bytes no row names that are kept for now.
type StoreReport struct {
	files.Report
	// Pending are intact blobs no row names, kept because a live staged
	// file holds them or they are younger than OrphanGrace (being staged
	// or sent right now); SweepOrphans removes them once neither holds.
	Pending []string
}
