package files

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"clinicdesk/backend/apperr"
)

// Seed corpora live in testdata/fuzz/FuzzCleanName and testdata/fuzz/FuzzCheckType;
// run with: go test -fuzz=FuzzCleanName ./backend/files/

func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"report.pdf", "../../x", `C:\a\b.pdf`, "\u202Eexe.pdf", "nul.txt", ".", "",
		"photo\u2067gnp.exe\u2069", "a\u200Fb\u061C.pdf", "\u3164\u115F.txt"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := CleanName(in)
		if err != nil {
			if !apperr.Is(err, apperr.FileNameInvalid) || out != "" {
				t.Fatalf("CleanName(%q) = %q, %v", in, out, err)
			}
			return
		}
		switch {
		case out == "", out == ".", out == "..":
			t.Fatalf("CleanName(%q) = %q", in, out)
		case strings.ContainsAny(out, `/\`):
			t.Fatalf("CleanName(%q) = %q has a separator", in, out)
		case !utf8.ValidString(out):
			t.Fatalf("CleanName(%q) = %q is not valid UTF-8", in, out)
		case len(out) > MaxNameBytes:
			t.Fatalf("CleanName(%q) is %d bytes", in, len(out))
		case strings.ContainsAny(out, `<>:"|?*`):
			t.Fatalf("CleanName(%q) = %q has a character Windows forbids", in, out)
		case strings.TrimFunc(out, func(r rune) bool { return r == '.' || unicode.IsSpace(r) }) != out:
			t.Fatalf("CleanName(%q) = %q starts or ends with a space or dot", in, out)
		}
		for _, r := range out {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("CleanName(%q) = %q contains control/format char %U", in, out, r)
			}
		}
		if isWindowsDeviceName(out) {
			t.Fatalf("CleanName(%q) = %q is a Windows device name", in, out)
		}
		if again, err := CleanName(out); err != nil || again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", in, out, again, err)
		}
	})
}

// FuzzDisplayName: whatever name is stored, what is shown has no control or
// invisible formatting character, is valid UTF-8, keeps every visible
// character in order, and showing it again changes nothing.
func FuzzDisplayName(f *testing.F) {
	for _, s := range []string{"report.pdf", "invoice\u202Efdp.exe", "photo\u2066gnp.exe\u2069", "\u200E\u200F", "a\xffb.pdf",
		"\u3164", "x\u061Cy.csv", "\uFEFFnotes.txt", "line\u2028break.txt", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := DisplayName(in)
		if !utf8.ValidString(out) {
			t.Fatalf("DisplayName(%q) = %q is not valid UTF-8", in, out)
		}
		if strings.TrimSpace(out) == "" {
			t.Fatalf("DisplayName(%q) = %q shows nothing", in, out)
		}
		for _, r := range out {
			if isInvisible(r) {
				t.Fatalf("DisplayName(%q) = %q contains invisible %U", in, out, r)
			}
		}
		var visible []rune
		for _, r := range strings.ToValidUTF8(in, "\uFFFD") {
			if !isInvisible(r) {
				visible = append(visible, r)
			}
		}
		if strings.TrimSpace(string(visible)) != "" && out != string(visible) {
			t.Fatalf("DisplayName(%q) = %q, want its visible characters %q", in, out, string(visible))
		}
		if again := DisplayName(out); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
		}
	})
}

var canonicalMIMEs = map[string]bool{
	MIMEPDF: true, MIMEJPEG: true, MIMEPNG: true, MIMEGIF: true, MIMEBMP: true, MIMETIFF: true,
	MIMEHEIC: true, MIMEHEIF: true, MIMEText: true, MIMERTF: true, MIMECSV: true, MIMEDoc: true,
	MIMEDocx: true, MIMEXls: true, MIMEXlsx: true, MIMEODT: true,
}

// looksExecutable is the test's own, independent idea of a program or script header.
func looksExecutable(head []byte) bool {
	for _, magic := range [][]byte{
		[]byte("\x7fELF"), []byte("MZ"),
		{0xFE, 0xED, 0xFA, 0xCE}, {0xFE, 0xED, 0xFA, 0xCF}, {0xCE, 0xFA, 0xED, 0xFE}, {0xCF, 0xFA, 0xED, 0xFE},
		{0xCA, 0xFE, 0xBA, 0xBE},
	} {
		if bytes.HasPrefix(head, magic) {
			return true
		}
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF")), " \t\r\n")
	return bytes.HasPrefix(t, []byte("#!"))
}

func FuzzCheckType(f *testing.F) {
	f.Add(minimalPDF(), "a.pdf")
	f.Add(elfBytes(), "a.pdf")
	f.Add(shellBytes(), "a.txt")
	f.Add(csvBytes(), "a.csv")
	f.Fuzz(func(t *testing.T, head []byte, name string) {
		m, err := CheckType(head, name)
		if err != nil {
			if c := apperr.CodeOf(err); c != apperr.FileTypeRefused && c != apperr.FileEmpty {
				t.Fatalf("unexpected code %s: %v", c, err)
			}
			if m != "" {
				t.Fatalf("refusal with a type %q", m)
			}
			if len(head) == 0 && !apperr.Is(err, apperr.FileEmpty) {
				t.Fatalf("empty head: %v", err)
			}
			return
		}
		if !canonicalMIMEs[m] {
			t.Fatalf("CheckType allowed %q", m)
		}
		if len(head) == 0 {
			t.Fatal("empty head allowed")
		}
		if looksExecutable(head) {
			t.Fatalf("executable header allowed as %s: %q", m, head[:min(len(head), 16)])
		}
		ext := strings.ToLower(extension(cleanedOrRaw(name)))
		if _, bad := refusedExtensions[ext]; bad {
			t.Fatalf("name %q allowed", name)
		}
	})
}
