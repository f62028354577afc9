package api

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

// filesIn lists every file under dir (the blob store's blobs/ or tmp/).
func filesIn(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func uploadDesk(t *testing.T) (*desk.Desk, *Files) {
	t.Helper()
	d, _ := testutil.Desk(t, false)
	owner := testutil.AddStaff(t, d, "Owen", store.RoleOwner)
	if _, err := d.Auth.SignIn(owner.ID, testutil.PIN); err != nil {
		t.Fatal(err)
	}
	return d, &Files{Base: &Base{Desk: d}}
}

// A browser file whose declared size is over the limit, or zero, is refused
// by BeginUpload itself: no upload starts, no byte reaches the store.
func TestBeginUploadRefusesTooLargeOrEmptyBeforeAnyByte(t *testing.T) {
	d, f := uploadDesk(t)
	max, err := f.MaxFileBytes()
	if err != nil || max <= 0 {
		t.Fatalf("limit %d, %v", max, err)
	}
	for _, c := range []struct {
		name string
		size int64
		want apperr.Code
	}{
		{"scan.pdf", max + 1, apperr.FileTooLarge},
		{"scan.pdf", 60 << 20, apperr.FileTooLarge},
		{"empty.txt", 0, apperr.FileEmpty},
		{"negative.txt", -5, apperr.FileEmpty},
		{"..", 10, apperr.FileNameInvalid},
	} {
		id, err := f.BeginUpload(c.name, c.size)
		if !apperr.Is(err, c.want) || id != "" {
			t.Errorf("BeginUpload(%q, %d) = %q, %v; want %s", c.name, c.size, id, err, c.want)
		}
	}
	f.mu.Lock()
	running := len(f.uploads)
	f.mu.Unlock()
	if running != 0 {
		t.Errorf("%d uploads started for refused files", running)
	}
	root := d.Blobs.Root()
	if got := append(filesIn(t, filepath.Join(root, "tmp")), filesIn(t, filepath.Join(root, "blobs"))...); len(got) != 0 {
		t.Errorf("bytes written for refused files: %v", got)
	}
}

// A declared size that lies does not get past the limit: the bytes are
// counted as they stream in, and nothing of them is kept.
func TestUploadLargerThanTheLimitIsRefusedWhileStreaming(t *testing.T) {
	d, f := uploadDesk(t)
	var owner store.Staff
	if err := d.DB.Where("role = ?", store.RoleOwner).First(&owner).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := d.Settings.SetMaxFileBytes(testutil.Actor(owner), 1<<20); err != nil {
		t.Fatal(err)
	}
	id, err := f.BeginUpload("notes.txt", 100)
	if err != nil {
		t.Fatal(err)
	}
	chunk := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("words words\n", 512<<10/12)))
	for i := 0; i < 4 && err == nil; i++ {
		err = f.UploadChunk(id, chunk)
	}
	if err == nil {
		_, err = f.FinishUpload(id)
	}
	if !apperr.Is(err, apperr.FileTooLarge) {
		t.Fatalf("2 MB sent as a 100-byte file under a 1 MB limit: %v", err)
	}
	root := d.Blobs.Root()
	if got := append(filesIn(t, filepath.Join(root, "tmp")), filesIn(t, filepath.Join(root, "blobs"))...); len(got) != 0 {
		t.Errorf("bytes kept of a refused upload: %v", got)
	}
}

// The in-app preview goes by attachment or document id, with the permission
// check: a file's content hash opens nothing, even for a signed-in staff
// member, and writes no audit entry.
func TestPreviewByContentHashServesNothing(t *testing.T) {
	d, _ := uploadDesk(t)
	a := d.Session.Actor()
	client := testutil.AddClient(t, d, "Casey")
	data := "plain words of a letter\n"
	sf, err := d.Attachments.StageReader(context.Background(), a, strings.NewReader(data), "letter.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	th, err := d.Messages.Compose(a, dto.ComposeRequest{ClientID: client.ID, Subject: "L", Files: []dto.OutgoingFile{{Token: sf.Token, Name: sf.Name}}})
	if err != nil {
		t.Fatal(err)
	}
	var row store.Attachment
	if err := d.DB.First(&row, "id = ?", th.Messages[0].Attachments[0].ID).Error; err != nil {
		t.Fatal(err)
	}
	var before, after int64
	d.DB.Model(&store.AuditEvent{}).Count(&before)
	h := PreviewHandler(&Base{Desk: d})
	for _, kind := range []string{"attachment", "document"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, PreviewURL(kind, row.BlobSHA256), nil))
		if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), data) {
			t.Errorf("preview of %s by hash: %d %q", kind, rec.Code, rec.Body.String())
		}
	}
	d.DB.Model(&store.AuditEvent{}).Count(&after)
	if after != before {
		t.Errorf("a preview by hash wrote %d audit entries", after-before)
	}
}
