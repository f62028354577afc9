package files

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"clinicdesk/backend/apperr"
)

// MaxNameBytes is the longest display name CleanName returns, in bytes.
const MaxNameBytes = 200

// maxExtBytes is the longest extension (with its dot) CleanName keeps when it
// has to shorten a name; anything longer is not treated as an extension.
const maxExtBytes = 16

// CleanName turns a file name that came from elsewhere (a drag-and-drop, a
// picker, a scanner, another computer) into a display name that is safe to
// show and to use as the last element of a file name in a folder the app
// controls.
//
// It keeps only the part after the last '/' or '\', replaces invalid UTF-8
// with U+FFFD, removes control and invisible formatting characters (including
// the right-to-left override used to disguise "fdp.exe" as "exe.pdf"),
// replaces characters Windows forbids in file names (<>:"|?*) with '_', trims
// spaces and dots at both ends, prefixes Windows device names (CON, NUL,
// COM1, ...) with '_', and shortens the result to MaxNameBytes bytes while
// keeping the extension. An empty result, "." or ".." is refused with
// apperr.FileNameInvalid.
func CleanName(name string) (string, error) {
	name = strings.ToValidUTF8(name, "\uFFFD")

	// Keep the last non-empty path element, splitting on both separators.
	parts := strings.FieldsFunc(name, func(r rune) bool { return r == '/' || r == '\\' })
	if len(parts) == 0 {
		return "", nameInvalid()
	}
	name = parts[len(parts)-1]

	var b strings.Builder
	b.Grow(len(name))
	for _, r := range name {
		switch {
		case isInvisible(r):
			// dropped
		case strings.ContainsRune(`<>:"|?*`, r):
			b.WriteRune('_')
		case unicode.IsSpace(r):
			b.WriteRune(' ') // no-break and other exotic spaces become plain spaces
		default:
			b.WriteRune(r)
		}
	}
	name = trimSpacesDots(b.String())
	if name == "" || name == "." || name == ".." {
		return "", nameInvalid()
	}
	if isWindowsDeviceName(name) {
		name = "_" + name
	}
	name = shorten(name, MaxNameBytes)
	if name == "" || name == "." || name == ".." {
		return "", nameInvalid()
	}
	return name, nil
}

// DisplayName is a stored name as it may be shown: invalid UTF-8 replaced
// and control and invisible formatting characters (bidirectional overrides
// and isolates such as U+202E, zero-width characters, BOM) removed, so
// "invoice\u202Efdp.exe" can never display as "invoiceexe.pdf". CleanName
// does the same to names on the way in; DisplayName is for names already
// stored (written before that rule, or arriving from another desk or the
// hub) and is applied wherever a name leaves for a screen. A name with
// nothing visible left becomes "Unnamed file".
func DisplayName(name string) string {
	clean := true
	for _, r := range name {
		if r == utf8.RuneError || isInvisible(r) {
			clean = false
			break
		}
	}
	if clean && strings.TrimSpace(name) != "" {
		return name // the usual case: no copy
	}
	name = strings.Map(func(r rune) rune {
		if isInvisible(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, "\uFFFD"))
	if strings.TrimSpace(name) == "" {
		return "Unnamed file"
	}
	return name
}

func nameInvalid() *apperr.Error {
	return apperr.New(apperr.FileNameInvalid,
		"This file's name can't be used. Please rename the file and try again.")
}

// isInvisible reports whether r is a control character, an invisible
// formatting character (bidi overrides, zero-width spaces, BOM), a line or
// paragraph separator, a noncharacter or a Hangul filler.
func isInvisible(r rune) bool {
	return unicode.IsControl(r) || // C0, DEL, C1
		unicode.Is(unicode.Cf, r) || // bidi controls, zero-width, BOM, ...
		unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r) ||
		(r >= 0xFDD0 && r <= 0xFDEF) || r&0xFFFE == 0xFFFE || // noncharacters
		fillers[r] // letters that draw nothing
}

// fillers are characters that are letters by category but draw nothing, so a
// name could hide text with them.
var fillers = map[rune]bool{0x115F: true, 0x1160: true, 0x3164: true, 0xFFA0: true}

func trimSpacesDots(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r == '.' || unicode.IsSpace(r) })
}

var windowsDeviceNames = map[string]bool{
	"CON": true, "PRN": true, "AUX": true, "NUL": true, "CONIN$": true, "CONOUT$": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true,
	"COM¹": true, "COM²": true, "COM³": true, "LPT¹": true, "LPT²": true, "LPT³": true,
}

// isWindowsDeviceName reports whether Windows would treat name as a device
// ("nul.txt" is the NUL device, whatever the extension).
func isWindowsDeviceName(name string) bool {
	stem := name
	if i := strings.IndexByte(stem, '.'); i >= 0 {
		stem = stem[:i]
	}
	return windowsDeviceNames[strings.ToUpper(strings.TrimRight(stem, " "))]
}

// extension returns the extension of name including its dot ("" if none or if
// it is implausibly long).
func extension(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || i == len(name)-1 || len(name)-i > maxExtBytes {
		return ""
	}
	return name[i:]
}

// shorten limits name to max bytes, cutting the stem on a rune boundary and
// keeping the extension.
func shorten(name string, max int) string {
	if len(name) <= max {
		return name
	}
	ext := extension(name)
	stem := truncateUTF8(name[:len(name)-len(ext)], max-len(ext))
	stem = strings.TrimRightFunc(stem, func(r rune) bool { return r == '.' || unicode.IsSpace(r) })
	if stem == "" { // cannot happen with maxExtBytes << max, but stay safe
		return truncateUTF8(name, max)
	}
	return stem + ext
}

func truncateUTF8(s string, max int) string {
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for len(s) > 0 {
		r, size := utf8.DecodeLastRuneInString(s)
		if r != utf8.RuneError || size > 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}

// quoted returns the name for use in a message: “name”, or "This file" when no
// usable name is known. The name is cleaned first so a message never shows
// control characters or path parts.
func quoted(name string) string {
	if c, err := CleanName(name); err == nil {
		return "“" + c + "”"
	}
	return "This file"
}

// humanSize formats a byte count the way a receptionist reads it.
func humanSize(n int64) string {
	const (
		kb = 1 << 10
		mb = 1 << 20
		gb = 1 << 30
	)
	switch {
	case n >= gb:
		return trimZero(float64(n)/gb) + " GB"
	case n >= mb:
		return trimZero(float64(n)/mb) + " MB"
	case n >= kb:
		return trimZero(float64(n)/kb) + " KB"
	case n == 1:
		return "1 byte"
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

func trimZero(f float64) string {
	s := fmt.Sprintf("%.1f", f)
	return strings.TrimSuffix(s, ".0")
}
