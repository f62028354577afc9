package files

import (
	"strings"
	"testing"
	"unicode/utf8"

	"clinicdesk/backend/apperr"
)

func TestCleanName(t *testing.T) {
	cases := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"  report.pdf  ", "report.pdf"},
		{"/etc/passwd", "passwd"},
		{"../../secret.pdf", "secret.pdf"},
		{`..\..\Windows\system32\evil.pdf`, "evil.pdf"},
		{`C:\Users\me\Scans\scan 1.pdf`, "scan 1.pdf"},
		{"folder/", "folder"},
		{"a\x00b\x07c\n.pdf", "abc.pdf"},
		{"tab\there.txt", "tabhere.txt"},
		{"bad\xffutf8.txt", "bad\uFFFDutf8.txt"},
		{"invoice\u202Efdp.exe", "invoicefdp.exe"},
		{"zero\u200Bwidth.pdf", "zerowidth.pdf"},
		{"...hidden.pdf...", "hidden.pdf"},
		{".bashrc", "bashrc"},
		{"what?.pdf", "what_.pdf"},
		{`a<b>c:d"e|f*g.pdf`, "a_b_c_d_e_f_g.pdf"},
		{"report.pdf:Zone.Identifier", "report.pdf_Zone.Identifier"},
		{"CON", "_CON"},
		{"nul.txt", "_nul.txt"},
		{"Com1.pdf", "_Com1.pdf"},
		{"console.pdf", "console.pdf"},
		{"Résumé – Émilie.docx", "Résumé – Émilie.docx"},
		{"no\u00A0break.pdf", "no break.pdf"},
	}
	for _, c := range cases {
		got, err := CleanName(c.in)
		if err != nil {
			t.Errorf("CleanName(%q): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("CleanName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCleanNameRefuses(t *testing.T) {
	for _, in := range []string{"", " ", ".", "..", "...", "/", `\`, "../..", `..\..`, "/.", "\x00\x01", " . . ", "\u202E", "a/..", "dir/.."} {
		got, err := CleanName(in)
		wantCode(t, err, apperr.FileNameInvalid)
		if got != "" {
			t.Errorf("CleanName(%q) returned %q with an error", in, got)
		}
	}
}

func TestCleanNameLimitKeepsExtension(t *testing.T) {
	long := strings.Repeat("é", 300) + ".pdf" // 600 bytes of stem
	got, err := CleanName(long)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > MaxNameBytes {
		t.Fatalf("len %d > %d", len(got), MaxNameBytes)
	}
	if !strings.HasSuffix(got, ".pdf") || !utf8.ValidString(got) {
		t.Fatalf("bad shortening: %q", got)
	}
	if len(got) < MaxNameBytes-1 { // cut on a 2-byte rune boundary
		t.Fatalf("shortened too much: %d", len(got))
	}

	// A "extension" longer than 16 bytes is not kept as such.
	weird := strings.Repeat("a", 250) + "." + strings.Repeat("b", 40)
	got, err = CleanName(weird)
	if err != nil || len(got) != MaxNameBytes {
		t.Fatalf("got %q (%d), %v", got, len(got), err)
	}

	exact := strings.Repeat("x", MaxNameBytes-4) + ".pdf"
	if got, _ := CleanName(exact); got != exact {
		t.Fatalf("a name of exactly %d bytes changed", MaxNameBytes)
	}
}

func TestHumanSize(t *testing.T) {
	cases := map[int64]string{0: "0 bytes", 1: "1 byte", 512: "512 bytes", 2048: "2 KB", 50 << 20: "50 MB", 62_500_000: "59.6 MB", 3 << 30: "3 GB"}
	for n, want := range cases {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestDisplayNameStripsBidiControlsFromStoredNames: a name stored before
// names were cleaned (or arriving from another desk) still cannot show a
// different extension than it has.
func TestDisplayNameStripsBidiControlsFromStoredNames(t *testing.T) {
	for in, want := range map[string]string{
		"invoice\u202Efdp.exe":     "invoicefdp.exe",
		"photo\u2067gnp.exe\u2069": "photognp.exe",
		"scan\u200F\u061C.pdf":     "scan.pdf",
		"\uFEFFnotes\u200B.txt":    "notes.txt",
		"plain name.pdf":           "plain name.pdf",
		"\u202E\u2066":             "Unnamed file",
		"\u3164\u3164.txt":         ".txt",
		"bad\xffbyte.txt":          "bad\uFFFDbyte.txt",
	} {
		if got := DisplayName(in); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCleanNameDropsLettersThatDrawNothing: Hangul fillers are letters by
// category but invisible, so they cannot pad or hide part of a name.
func TestCleanNameDropsLettersThatDrawNothing(t *testing.T) {
	got, err := CleanName("report\u3164\u3164\u3164.pdf\u115F")
	if err != nil || got != "report.pdf" {
		t.Fatalf("CleanName = %q, %v; want report.pdf", got, err)
	}
}
