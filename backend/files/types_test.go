package files

import (
	"strings"
	"testing"

	"clinicdesk/backend/apperr"
)

func TestCheckTypeAllowed(t *testing.T) {
	cases := []struct {
		name string
		head []byte
		file string
		want string
	}{
		{"pdf", minimalPDF(), "letter.pdf", MIMEPDF},
		{"pdf any name", minimalPDF(), "letter", MIMEPDF},
		{"png", pngBytes(t), "scan.png", MIMEPNG},
		{"png named jpg", pngBytes(t), "scan.jpg", MIMEPNG},
		{"jpeg", jpegBytes(t), "photo.jpg", MIMEJPEG},
		{"gif", gifBytes(t), "a.gif", MIMEGIF},
		{"bmp", bmpBytes(), "a.bmp", MIMEBMP},
		{"tiff", tiffBytes(), "fax.tif", MIMETIFF},
		{"heic", heicBytes(), "IMG_0001.HEIC", MIMEHEIC},
		{"text", textBytes(), "notes.txt", MIMEText},
		{"text no ext", textBytes(), "notes", MIMEText},
		{"csv by content", csvBytes(), "export", MIMECSV},
		{"csv by content and name", csvBytes(), "export.csv", MIMECSV},
		{"csv content named txt", csvBytes(), "export.txt", MIMEText},
		{"text named csv", []byte("just one line"), "list.CSV", MIMECSV},
		{"rtf", rtfBytes(), "letter.rtf", MIMERTF},
		{"utf16 text", append([]byte{0xFF, 0xFE}, []byte("h\x00i\x00")...), "u.txt", MIMEText},
		{"json named txt", []byte(`{"a": 1, "b": [1,2]}`), "data.txt", MIMEText},
		{"docx", docxBytes(t), "report.docx", MIMEDocx},
		{"xlsx", xlsxBytes(t), "fees.xlsx", MIMEXlsx},
		{"odt", odtBytes(t), "letter.odt", MIMEODT},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := CheckType(c.head, c.file)
			if err != nil {
				t.Fatalf("CheckType: %v", err)
			}
			if got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestCheckTypeRefused(t *testing.T) {
	cases := []struct {
		name    string
		head    []byte
		file    string
		code    apperr.Code
		msgPart string
	}{
		{"empty", nil, "a.pdf", apperr.FileEmpty, "empty"},
		{"elf", elfBytes(), "scan", apperr.FileTypeRefused, "program"},
		{"elf named pdf", elfBytes(), "scan.pdf", apperr.FileTypeRefused, "program"},
		{"pe", peBytes(), "scan.pdf", apperr.FileTypeRefused, "program"},
		{"macho", machOBytes(), "tool", apperr.FileTypeRefused, "program"},
		{"shell", shellBytes(), "run.txt", apperr.FileTypeRefused, "script"},
		{"odd shebang", []byte("#!/opt/weird/interp\nstuff\n"), "notes.txt", apperr.FileTypeRefused, "script"},
		{"shebang after bom", []byte("\xEF\xBB\xBF#!/usr/bin/env node\n"), "n.txt", apperr.FileTypeRefused, "script"},
		{"python", []byte("#!/usr/bin/python3\nprint(1)\n"), "x", apperr.FileTypeRefused, "script"},
		{"html", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), "page.txt", apperr.FileTypeRefused, "script"},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>`), "pic", apperr.FileTypeRefused, "script"},
		{"exe name, text content", textBytes(), "scan.exe", apperr.FileTypeRefused, "“scan.exe” is a program, and programs can't be attached for safety."},
		{"bat name", []byte("del *.*"), "cleanup.bat", apperr.FileTypeRefused, "script"},
		{"double extension", minimalPDF(), "invoice.pdf.exe", apperr.FileTypeRefused, "program"},
		{"rlo trick", minimalPDF(), "invoice\u202Efdp.exe", apperr.FileTypeRefused, "program"},
		{"docm name", docxBytes(t), "letter.docm", apperr.FileTypeRefused, "macros"},
		{"plain zip", plainZipBytes(t), "photos.zip", apperr.FileTypeRefused, "can't attach"},
		{"json", []byte(`{"a": 1}`), "data.json", apperr.FileTypeRefused, "can't attach"},
		{"binary junk", []byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x05}, "x.dat", apperr.FileTypeRefused, "can't attach"},
		{"mp3 audio", append([]byte("ID3\x03\x00\x00\x00\x00\x00\x00"), make([]byte, 64)...), "a.mp3", apperr.FileTypeRefused, "can't attach"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := CheckType(c.head, c.file)
			wantCode(t, err, c.code)
			if got != "" {
				t.Fatalf("refusal returned a type %q", got)
			}
			if msg := apperr.As(err).Message; !strings.Contains(msg, c.msgPart) {
				t.Fatalf("message %q does not contain %q", msg, c.msgPart)
			}
		})
	}
}

func TestCheckTypeUsesOnlyHead(t *testing.T) {
	// Bytes past HeadSize do not change the decision and are not needed.
	b := []byte(strings.Repeat("plain words ", 2*HeadSize/12))
	copy(b[HeadSize:], []byte{0, 1, 2, 3}) // binary after the head
	got, err := CheckType(b, "notes.txt")
	if err != nil || got != MIMEText {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestViewName(t *testing.T) {
	cases := []struct{ name, mime, want string }{
		{"scan.png", MIMEPNG, "scan.png"},
		{"scan.html", MIMEPNG, "scan.png"},
		{"scan", MIMEPDF, "scan.pdf"},
		{"photo.JPEG", MIMEJPEG, "photo.JPEG"},
		{"../..", MIMEPDF, "file.pdf"},
		{"notes.txt", "text/plain; charset=utf-8", "notes.txt"},
	}
	for _, c := range cases {
		if got := ViewName(c.name, c.mime); got != c.want {
			t.Errorf("ViewName(%q, %q) = %q, want %q", c.name, c.mime, got, c.want)
		}
	}
}
