package attachments

import (
	"context"

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
func (s *Service) AddDocument(a access.Actor, clientID, token, name string) (dto.Document, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return dto.Document{}, err
	}
	clean, err := files.CleanName(name)
	if err != nil {
		return dto.Document{}, err
	}
	var doc store.Document
	err = s.DB.Tx(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&store.Client{}).Where("id = ?", clientID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.NotFound, "That client could not be found.")
		}
		var b store.Blob
		if err := tx.Where("sha256 = ?", token).Limit(1).Find(&b).Error; err != nil {
			return err
		}
		if b.SHA256 == "" || !s.Blobs.Has(b.SHA256) {
			return apperr.Newf(apperr.NotFound, "“%s” is no longer ready to file. Please add it again.", clean)
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
	if err != nil {
		return dto.Document{}, err
	}
	return DocumentDTO(doc, a.Name), nil
}

// StageFromInbox imports a scan-inbox file into the blob store (moving it to
// Imported/ only once stored and verified) and returns it staged.
func (s *Service) StageFromInbox(ctx context.Context, in *files.Inbox, id string) (dto.StagedFile, error) {
	set, err := store.GetSettings(s.DB.DB)
	if err != nil {
		return dto.StagedFile{}, err
	}
	b, name, err := in.Import(ctx, id, s.Blobs, set.MaxFileBytes)
	if err != nil {
		return dto.StagedFile{}, err
	}
	return s.registerBlob(b, name)
}

// StoreCheck compares the blob store with the database: every blob the
// database knows must be present and intact; blobs nothing refers to are
// reported (they are removed only by Purge's rules or RemoveUnreferenced).
func (s *Service) StoreCheck(ctx context.Context) (files.Report, error) {
	var known []string
	if err := s.DB.Model(&store.Blob{}).Pluck("sha256", &known).Error; err != nil {
		return files.Report{}, err
	}
	set := make(map[string]bool, len(known))
	for _, k := range known {
		set[k] = true
	}
	// Purge keeps the blobs row but removes the bytes when only purged
	// attachments use them: those are not expected on disk.
	var purged []string
	if err := s.DB.Raw(`SELECT b.sha256 FROM blobs b
		WHERE EXISTS (SELECT 1 FROM attachments a WHERE a.blob_sha256 = b.sha256 AND a.purged_at IS NOT NULL)
		  AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.blob_sha256 = b.sha256 AND a.purged_at IS NULL)
		  AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.blob_sha256 = b.sha256)`).Scan(&purged).Error; err != nil {
		return files.Report{}, err
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
	return s.Blobs.Check(ctx, expected, func(sha string) bool { return set[sha] })
}
