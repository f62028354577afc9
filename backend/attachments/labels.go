package attachments

import (
	"strings"

	"clinicdesk/backend/store"
)

// TypeLabel is the short, plain name of a file type shown in lists.
func TypeLabel(mime string) string {
	m := strings.ToLower(strings.TrimSpace(strings.SplitN(mime, ";", 2)[0]))
	switch {
	case m == "application/pdf":
		return "PDF"
	case strings.HasPrefix(m, "image/"):
		return "Image"
	case m == "text/csv":
		return "Spreadsheet (CSV)"
	case m == "text/rtf" || m == "application/rtf":
		return "Rich text"
	case strings.HasPrefix(m, "text/"):
		return "Text"
	case strings.Contains(m, "spreadsheet") || strings.Contains(m, "excel"):
		return "Spreadsheet"
	case strings.Contains(m, "word") || strings.Contains(m, "opendocument.text"):
		return "Document"
	}
	return "File"
}

// Previewable reports whether the app can show the file itself (images, PDFs).
func Previewable(mime string) bool {
	m := strings.ToLower(mime)
	switch m {
	case "application/pdf", "image/png", "image/jpeg", "image/gif", "image/bmp", "image/webp":
		return true
	}
	return false
}

// RemovedNote is what a thread shows where a removed attachment was: that the
// staff member who sent it removed it, when she did, and otherwise that the
// practice did (clients cannot remove files). removedBy is the staff id that
// removed it ("" when unknown).
func RemovedNote(senderKind, senderID, removedBy string) string {
	if senderKind == store.KindStaff && removedBy != "" && removedBy == senderID {
		return "Attachment removed by the sender"
	}
	return "Attachment removed by the practice"
}
