package files

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"clinicdesk/backend/apperr"
)

// Test files are generated here, never checked in.

func minimalPDF() []byte {
	return []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" +
		"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n" +
		"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
}

func testImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for x := 0; x < 8; x++ {
		for y := 0; y < 8; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 30), uint8(y * 30), 100, 255})
		}
	}
	return img
}

func pngBytes(t testing.TB) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, testImage()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t testing.TB) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gifBytes(t testing.TB) []byte {
	var b bytes.Buffer
	if err := gif.Encode(&b, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bmpBytes is a 1x1 24-bit BMP with a BITMAPINFOHEADER.
func bmpBytes() []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("BM")
	binary.Write(&b, le, uint32(14+40+4)) // file size
	binary.Write(&b, le, uint32(0))       // reserved
	binary.Write(&b, le, uint32(14+40))   // pixel offset
	binary.Write(&b, le, uint32(40))      // DIB header size
	binary.Write(&b, le, int32(1))        // width
	binary.Write(&b, le, int32(1))        // height
	binary.Write(&b, le, uint16(1))       // planes
	binary.Write(&b, le, uint16(24))      // bpp
	binary.Write(&b, le, uint32(0))       // compression
	binary.Write(&b, le, uint32(4))       // image size
	binary.Write(&b, le, int32(2835))
	binary.Write(&b, le, int32(2835))
	binary.Write(&b, le, uint32(0))
	binary.Write(&b, le, uint32(0))
	b.Write([]byte{0, 0, 255, 0}) // one red pixel + padding
	return b.Bytes()
}

func tiffBytes() []byte {
	return append([]byte{0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00}, make([]byte, 32)...)
}

func heicBytes() []byte {
	b := []byte{0x00, 0x00, 0x00, 0x18}
	b = append(b, "ftypheic"...)
	b = append(b, 0, 0, 0, 0)
	b = append(b, "mif1heic"...)
	return append(b, make([]byte, 64)...)
}

func textBytes() []byte {
	return []byte("Referral notes\nClient prefers morning appointments.\n")
}

func csvBytes() []byte {
	return []byte("name,date,amount\nAlex,2024-01-02,80\nSam,2024-01-03,95\nKim,2024-01-04,60\n")
}

func rtfBytes() []byte {
	return []byte(`{\rtf1\ansi\deff0 {\fonttbl {\f0 Times;}}\f0 Hello clinic.\par}`)
}

// elfBytes is a 64-bit little-endian ELF executable header.
func elfBytes() []byte {
	h := make([]byte, 64)
	copy(h, "\x7fELF")
	h[4], h[5], h[6] = 2, 1, 1
	binary.LittleEndian.PutUint16(h[16:], 2) // ET_EXEC
	binary.LittleEndian.PutUint16(h[18:], 0x3e)
	return h
}

func peBytes() []byte {
	h := make([]byte, 128)
	copy(h, "MZ")
	binary.LittleEndian.PutUint32(h[0x3c:], 0x40)
	copy(h[0x40:], "PE\x00\x00")
	return h
}

func machOBytes() []byte {
	h := make([]byte, 32)
	binary.LittleEndian.PutUint32(h, 0xfeedfacf)
	return h
}

func shellBytes() []byte { return []byte("#!/bin/sh\necho hello\nrm -rf \"$HOME\"\n") }

type zipEntry struct {
	name  string
	body  []byte
	store bool // no compression
}

func zipBytes(t testing.TB, entries ...zipEntry) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.store {
			h.Method = zip.Store
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const contentTypesXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`

func docxBytes(t testing.TB) []byte {
	return zipBytes(t,
		zipEntry{name: "[Content_Types].xml", body: []byte(contentTypesXML)},
		zipEntry{name: "_rels/.rels", body: []byte(`<Relationships/>`)},
		zipEntry{name: "word/document.xml", body: []byte(`<w:document><w:body><w:p>Hi</w:p></w:body></w:document>`)},
	)
}

func xlsxBytes(t testing.TB) []byte {
	return zipBytes(t,
		zipEntry{name: "[Content_Types].xml", body: []byte(contentTypesXML)},
		zipEntry{name: "xl/workbook.xml", body: []byte(`<workbook/>`)},
	)
}

func odtBytes(t testing.TB) []byte {
	return zipBytes(t,
		zipEntry{name: "mimetype", body: []byte(MIMEODT), store: true},
		zipEntry{name: "content.xml", body: []byte(`<office:document-content/>`)},
	)
}

// plainZipBytes is a zip that is not an office document.
func plainZipBytes(t testing.TB) []byte {
	return zipBytes(t,
		zipEntry{name: "photos/one.txt", body: []byte("one")},
		zipEntry{name: "readme.txt", body: []byte("two")},
	)
}

// docxLateWordBytes is a docx whose word/ entry starts beyond the first
// HeadSize bytes, so only the central directory shows it is a docx.
func docxLateWordBytes(t testing.TB) []byte {
	big := bytes.Repeat([]byte("<!-- padding -->"), 600) // ~9.6 KB, stored
	return zipBytes(t,
		zipEntry{name: "[Content_Types].xml", body: append([]byte(contentTypesXML), big...), store: true},
		zipEntry{name: "word/document.xml", body: []byte(`<w:document/>`)},
	)
}

func docxWithMacros(t testing.TB) []byte {
	return zipBytes(t,
		zipEntry{name: "[Content_Types].xml", body: []byte(contentTypesXML)},
		zipEntry{name: "word/document.xml", body: []byte(`<w:document/>`)},
		zipEntry{name: "word/vbaProject.bin", body: []byte("macro")},
	)
}

// Assertions.

func wantCode(t testing.TB, err error, code apperr.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s error, got nil", code)
	}
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("want code %s, got %s (%v)", code, got, err)
	}
	var e *apperr.Error
	if !errors.As(err, &e) || strings.TrimSpace(e.Message) == "" {
		t.Fatalf("want *apperr.Error with a message, got %#v", err)
	}
}

// listFiles returns the regular files under dir, relative to dir.
func listFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

// assertNothingLeft fails when the store holds any blob or temp file.
func assertNothingLeft(t testing.TB, s *Store) {
	t.Helper()
	if f := listFiles(t, filepath.Join(s.Root(), "blobs")); len(f) != 0 {
		t.Fatalf("blobs left behind: %v", f)
	}
	if f := listFiles(t, filepath.Join(s.Root(), "tmp")); len(f) != 0 {
		t.Fatalf("temp files left behind: %v", f)
	}
}

func newTestStore(t testing.TB) *Store {
	t.Helper()
	s, err := NewStore(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// safeBuffer is a bytes.Buffer safe for a child process's output.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
