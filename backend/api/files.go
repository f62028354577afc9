package api

import (
	"context"
	"encoding/base64"
	"io"
	gosync "sync"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/events"
)

// Files stages incoming files: paths from the native window (drag-and-drop,
// file picker) and browser File objects streamed in chunks. Both end in the
// same checks and the same blob store.
type Files struct {
	*Base
	mu      gosync.Mutex
	uploads map[string]*upload
}

type upload struct {
	actor  access.Actor
	name   string
	pw     *io.PipeWriter
	cancel context.CancelFunc
	done   chan struct{}
	result dto.StagedFile
	err    error
}

func (f *Files) progress(id, name string) func(done, total int64) {
	if f.Emit == nil {
		return nil
	}
	return events.Throttle(f.Emit, 100*time.Millisecond, func(done, total int64) (string, any) {
		return events.FileProgress, map[string]any{"id": id, "name": name, "done": done, "total": total}
	})
}

// PickFiles shows the native file picker and returns the chosen paths.
func (f *Files) PickFiles() ([]string, error) {
	if f.ctx == nil {
		return nil, apperr.New(apperr.Internal, "The file picker is only available in the desktop window.")
	}
	return runtime.OpenMultipleFilesDialog(f.ctx, runtime.OpenDialogOptions{Title: "Choose files to attach"})
}

// StagePaths checks and stores files from disk. Each refused file comes back
// in Problems with its reason; the accepted ones are ready to send.
func (f *Files) StagePaths(paths []string) (dto.StageResult, error) {
	defer f.hold()()
	a, err := f.actor()
	if err != nil {
		return dto.StageResult{}, err
	}
	out := dto.StageResult{Files: []dto.StagedFile{}, Problems: []dto.FileProblem{}}
	for _, p := range paths {
		id := clock.NewID()
		sf, err := f.Desk.Attachments.Stage(context.Background(), a, p, f.progress(id, displayName(p)))
		if err != nil {
			e := apperr.As(err)
			out.Problems = append(out.Problems, dto.FileProblem{Name: displayName(p), Code: string(e.Code), Message: e.Message})
			continue
		}
		out.Files = append(out.Files, sf)
	}
	return out, nil
}

// MaxFileBytes is the practice's per-file limit: the UI refuses a larger
// or empty file before sending any of it.
func (f *Files) MaxFileBytes() (int64, error) {
	defer f.hold()()
	if _, err := f.actor(); err != nil {
		return 0, err
	}
	return f.Desk.Attachments.MaxFileBytes()
}

// BeginUpload starts streaming a browser File of the given size; the bytes
// go straight through the checks into the blob store as chunks arrive. A
// declared size of zero or over the limit, or a bad name, is refused at
// once; the limit is enforced again on the bytes as they arrive.
func (f *Files) BeginUpload(name string, size int64) (string, error) {
	defer f.hold()()
	a, err := f.actor()
	if err != nil {
		return "", err
	}
	if err := f.Desk.Attachments.CheckUpload(a, name, size); err != nil {
		return "", err
	}
	id := clock.NewID()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	u := &upload{actor: a, name: name, pw: pw, cancel: cancel, done: make(chan struct{})}
	f.mu.Lock()
	if f.uploads == nil {
		f.uploads = map[string]*upload{}
	}
	f.uploads[id] = u
	f.mu.Unlock()
	prog := f.progress(id, name)
	d := f.Desk // the goroutine outlives the call: it keeps the desk it started on
	go func() {
		defer close(u.done)
		var report func(int64)
		if prog != nil {
			report = func(done int64) { prog(done, size) }
		}
		u.result, u.err = d.Attachments.StageReader(ctx, a, pr, name, report)
		pr.CloseWithError(io.ErrClosedPipe) // unblock a writer if staging stopped early
	}()
	return id, nil
}

func (f *Files) get(id string) (*upload, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.uploads[id]
	if u == nil {
		return nil, apperr.New(apperr.NotFound, "That upload is no longer running. Please add the file again.")
	}
	return u, nil
}

// UploadChunk appends base64 data to an upload.
func (f *Files) UploadChunk(id, b64 string) error {
	defer f.hold()()
	u, err := f.get(id)
	if err != nil {
		return err
	}
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return apperr.Invalid("chunk", "Part of the file was damaged on the way. Please add it again.")
	}
	if _, err := u.pw.Write(data); err != nil {
		<-u.done // staging refused the file: report its reason
		f.forget(id)
		if u.err != nil {
			return u.err
		}
		return err
	}
	return nil
}

// FinishUpload ends an upload and returns the staged file or why it was refused.
func (f *Files) FinishUpload(id string) (dto.StagedFile, error) {
	defer f.hold()()
	u, err := f.get(id)
	if err != nil {
		return dto.StagedFile{}, err
	}
	u.pw.Close()
	<-u.done
	f.forget(id)
	return u.result, u.err
}

// CancelUpload stops an upload; nothing of it is kept (a file whose bytes
// were all stored before the cancel is dropped too).
func (f *Files) CancelUpload(id string) error {
	defer f.hold()()
	u, err := f.get(id)
	if err != nil {
		return nil
	}
	u.cancel()
	u.pw.CloseWithError(context.Canceled)
	<-u.done
	f.forget(id)
	if u.err == nil && u.result.Token != "" {
		f.Desk.Attachments.Unstage(u.actor, u.result.Token)
	}
	return nil
}

func (f *Files) forget(id string) {
	f.mu.Lock()
	delete(f.uploads, id)
	f.mu.Unlock()
}

func displayName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' || p[i] == '\\' {
			return p[i+1:]
		}
	}
	return p
}

// CheckStore compares the file store with the database (owner or manager).
func (f *Files) CheckStore() (dto.StoreReport, error) {
	defer f.hold()()
	a, err := f.actor()
	if err != nil {
		return dto.StoreReport{}, err
	}
	if err := access.CheckStoreCheck(a); err != nil {
		return dto.StoreReport{}, err
	}
	r, err := f.Desk.Attachments.StoreCheck(context.Background())
	if err != nil {
		return dto.StoreReport{}, err
	}
	nz := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return dto.StoreReport{OK: r.OK(), Blobs: r.Blobs, Bytes: r.Bytes, Missing: nz(r.Missing), Corrupt: nz(r.Corrupt),
		Unreferenced: nz(r.Unreferenced), StaleTemp: len(r.StaleTemp), Pending: len(r.Pending)}, nil
}
