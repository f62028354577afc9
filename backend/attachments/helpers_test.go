package attachments_test

import (
	"bytes"
	"context"
	"testing"

	"clinicdesk/backend/desk"
	"clinicdesk/backend/dto"
)

// stage stores data as a staged file, the way the UI does before sending.
func stage(t testing.TB, d *desk.Desk, name string, data []byte) dto.StagedFile {
	t.Helper()
	sf, err := d.Attachments.StageReader(context.Background(), bytes.NewReader(data), name, nil)
	if err != nil {
		t.Fatalf("stage %s: %v", name, err)
	}
	return sf
}
