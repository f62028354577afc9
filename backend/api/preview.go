package api

import (
	"io"
	"net/http"
	"os"
	"strings"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/attachments"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/store"
)

// PreviewURL is the in-app address of a previewable file.
func PreviewURL(kind, id string) string { return "/preview/" + kind + "/" + id }

// PreviewHandler serves /preview/attachment/<id> and /preview/document/<id>
// through the app's asset server, with the same permission check as View and
// an audit entry. Only images and PDFs are served, inline, never cached.
func PreviewHandler(b *Base) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, "/preview/")
		if !ok || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		kind, id, _ := strings.Cut(rest, "/")
		defer b.hold()()
		a := b.Desk.Session.Actor()
		var rc io.ReadCloser
		var mime, name string
		var err error
		switch kind {
		case "attachment":
			var att store.Attachment
			rc, att, err = b.Desk.Attachments.Open(a, id, audit.ActPreview)
			mime, name = att.MIME, att.Name
		case "document":
			var doc store.Document
			rc, doc, err = b.Desk.Attachments.OpenDocument(a, id, audit.ActPreview)
			mime, name = doc.MIME, doc.Name
		default:
			http.NotFound(w, r)
			return
		}
		if err != nil {
			status := http.StatusNotFound
			if apperr.Is(err, apperr.NotSignedIn) {
				status = http.StatusUnauthorized
			}
			http.Error(w, apperr.As(err).Message, status)
			return
		}
		defer rc.Close()
		if !attachments.Previewable(mime) {
			http.Error(w, "This file type cannot be previewed in the app.", http.StatusUnsupportedMediaType)
			return
		}
		// Verify the whole file before the first byte is sent: the copy fails
		// on a hash mismatch, so a corrupt file is never shown.
		// A copy of its own per request: on Windows a file another preview is
		// still sending cannot be replaced, so two previews of one file at
		// once must not share a name. It is removed once sent.
		path, err := b.Desk.Attachments.SessionCopy(a, "preview-"+id+"-"+clock.NewID(), name, rc)
		if err != nil {
			http.Error(w, "This file is damaged and cannot be shown. Tell your practice manager.", http.StatusInternalServerError)
			return
		}
		defer os.Remove(path) // after the Close below (defers run last first)
		f, err := os.Open(path)
		if err != nil {
			http.Error(w, "This file could not be opened.", http.StatusInternalServerError)
			return
		}
		defer f.Close()
		w.Header().Set("Content-Type", mime)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Disposition", "inline")
		io.Copy(w, f)
	})
}
