package attachments_test

import (
	"bytes"
	"context"
	"testing"

	"gorm.io/gorm"

	"clinicdesk/backend/access"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/files"
)

// stage stores data as a staged file of a, the way the UI does before sending.
func stage(t testing.TB, d *desk.Desk, a access.Actor, name string, data []byte) dto.StagedFile {
	t.Helper()
	sf, err := d.Attachments.StageReader(context.Background(), a, bytes.NewReader(data), name, nil)
	if err != nil {
		t.Fatalf("stage %s: %v", name, err)
	}
	return sf
}

// storeBlob stores data with its blobs row, as the content of a file that
// was sent (or pulled from the hub) is stored, for tests that write
// attachment rows themselves.
func storeBlob(t testing.TB, d *desk.Desk, name string, data []byte) files.Blob {
	t.Helper()
	b, err := d.Blobs.Put(context.Background(), bytes.NewReader(data), name, 0, nil)
	if err != nil {
		t.Fatalf("store %s: %v", name, err)
	}
	if err := d.DB.Transaction(func(tx *gorm.DB) error { return d.Attachments.EnsureBlobRow(tx, b) }); err != nil {
		t.Fatalf("blob row %s: %v", name, err)
	}
	return b
}
