package files

import (
	"bytes"
	"mime"
	"strings"

	"github.com/gabriel-vasile/mimetype"

	"clinicdesk/backend/apperr"
)

// DefaultMaxBytes is the default per-file size limit (50 MB). The practice's
// owner or manager can change the limit; callers pass it to Put.
const DefaultMaxBytes = 50 << 20

// HeadSize is how many leading bytes CheckType needs to decide a type.
const HeadSize = 4096

// Canonical MIME types this package returns for allowed files.
const (
	MIMEPDF  = "application/pdf"
	MIMEJPEG = "image/jpeg"
	MIMEPNG  = "image/png"
	MIMEGIF  = "image/gif"
	MIMEBMP  = "image/bmp"
	MIMETIFF = "image/tiff"
	MIMEHEIC = "image/heic"
	MIMEHEIF = "image/heif"
	MIMEText = "text/plain"
	MIMERTF  = "text/rtf"
	MIMECSV  = "text/csv"
	MIMEDoc  = "application/msword"
	MIMEDocx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	MIMEXls  = "application/vnd.ms-excel"
	MIMEXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	MIMEODT  = "application/vnd.oasis.opendocument.text"
)

const mimeZip = "application/zip"

// allowed maps a detected MIME type (without parameters) to the canonical type
// stored for it.
var allowed = map[string]string{
	MIMEPDF:                     MIMEPDF,
	MIMEJPEG:                    MIMEJPEG,
	MIMEPNG:                     MIMEPNG,
	"image/apng":                MIMEPNG,
	MIMEGIF:                     MIMEGIF,
	MIMEBMP:                     MIMEBMP,
	MIMETIFF:                    MIMETIFF,
	MIMEHEIC:                    MIMEHEIC,
	"image/heic-sequence":       MIMEHEIC,
	MIMEHEIF:                    MIMEHEIF,
	"image/heif-sequence":       MIMEHEIF,
	MIMEText:                    MIMEText,
	MIMECSV:                     MIMECSV,
	"text/tab-separated-values": MIMEText,
	MIMERTF:                     MIMERTF,
	MIMEDoc:                     MIMEDoc,
	MIMEDocx:                    MIMEDocx,
	MIMEXls:                     MIMEXls,
	MIMEXlsx:                    MIMEXlsx,
	MIMEODT:                     MIMEODT,
}

// harmlessText are text formats not on the allow-list that are still plain
// text: they are accepted as text/plain when the name says .txt.
var harmlessText = map[string]bool{
	"application/json": true, "application/x-ndjson": true, "application/geo+json": true,
	"text/xml": true, "text/vcard": true, "text/calendar": true, "application/x-subrip": true,
	"text/vtt": true, "message/rfc822": true, "text/vnd.familysearch.gedcom": true,
	"application/warc": true,
}

// programMIMEs are detected types that run code when opened.
var programMIMEs = map[string]bool{
	"application/vnd.microsoft.portable-executable": true,
	"application/x-elf":                             true, "application/x-object": true, "application/x-executable": true,
	"application/x-sharedlib": true, "application/x-coredump": true,
	"application/x-mach-binary": true, "application/x-ms-installer": true,
	"application/java-archive": true, "application/x-java-applet": true,
	"application/vnd.android.package-archive": true, "application/wasm": true,
	"application/x-ms-shortcut": true, "application/x-chrome-extension": true,
	"application/vnd.debian.binary-package": true, "application/x-rpm": true,
	"application/x-installshield": true, "application/x-shockwave-flash": true,
	"application/x-bytecode.python": true, "application/vnd.ms-htmlhelp": true,
}

// scriptMIMEs are detected text types that are programs or can run scripts.
var scriptMIMEs = map[string]bool{
	"text/x-shellscript": true, "text/x-python": true, "text/x-perl": true,
	"text/x-ruby": true, "text/x-lua": true, "text/x-tcl": true, "text/x-php": true,
	"text/javascript": true, "text/html": true, "application/xhtml+xml": true,
	"image/svg+xml": true,
}

// refusedExtensions are names Windows, macOS or Linux would run (or open in a
// way that runs code) whatever the content. A file with such a name is
// refused even when its content looks harmless, because the name decides what
// the system does when the file is opened.
var refusedExtensions = map[string]string{
	// programs
	".exe": "program", ".com": "program", ".scr": "program", ".pif": "program",
	".msi": "program", ".msp": "program", ".mst": "program", ".cpl": "program",
	".dll": "program", ".sys": "program", ".drv": "program", ".ocx": "program",
	".lnk": "program", ".url": "program", ".app": "program", ".dmg": "program",
	".pkg": "program", ".jar": "program", ".apk": "program", ".appx": "program",
	".msix": "program", ".application": "program", ".appref-ms": "program",
	".gadget": "program", ".msc": "program", ".scf": "program", ".so": "program",
	".dylib": "program", ".elf": "program", ".run": "program", ".bin": "program",
	".deb": "program", ".rpm": "program", ".chm": "program", ".hlp": "program",
	".iso": "program", ".img": "program", ".vhd": "program", ".vhdx": "program",
	// scripts
	".bat": "script", ".cmd": "script", ".vbs": "script", ".vbe": "script",
	".js": "script", ".jse": "script", ".mjs": "script", ".wsf": "script",
	".wsh": "script", ".wsc": "script", ".ws": "script", ".hta": "script",
	".ps1": "script", ".psm1": "script", ".psd1": "script", ".ps1xml": "script",
	".psc1": "script", ".sh": "script", ".bash": "script", ".zsh": "script",
	".csh": "script", ".ksh": "script", ".command": "script", ".tool": "script",
	".py": "script", ".pyw": "script", ".pl": "script", ".rb": "script",
	".php": "script", ".lua": "script", ".tcl": "script", ".reg": "script",
	".inf": "script", ".desktop": "script", ".scpt": "script", ".applescript": "script",
	".workflow": "script", ".html": "script", ".htm": "script", ".xhtml": "script",
	".shtml": "script", ".mht": "script", ".mhtml": "script", ".svg": "script",
	".xsl": "script", ".jnlp": "script", ".settingcontent-ms": "script",
	// office files with macros
	".docm": "macro", ".dotm": "macro", ".xlsm": "macro", ".xltm": "macro",
	".xlam": "macro", ".xlsb": "macro", ".pptm": "macro", ".potm": "macro",
	".ppam": "macro", ".ppsm": "macro", ".sldm": "macro",
}

// CheckType decides the type of a file from its first bytes (pass at least
// HeadSize bytes when the file is that long) and checks it against the
// allow-list: PDF, JPEG, PNG, GIF, BMP, TIFF, HEIC/HEIF, plain text, RTF, CSV,
// DOC/DOCX, XLS/XLSX and ODT.
//
// The content decides. The name is used only to refine plain-text types
// (".csv" makes text CSV, ".txt" makes it plain text) and to refuse names the
// system would run whatever the content (".exe", ".bat", ".js", ".docm", ...).
// Programs (ELF, PE, Mach-O, installers, ...) and scripts (any "#!" file,
// HTML, SVG, JavaScript, ...) are refused with apperr.FileTypeRefused; an
// empty head is refused with apperr.FileEmpty.
//
// The returned MIME type has no parameters (no charset).
func CheckType(head []byte, name string) (string, error) {
	m, err := checkType(head, name)
	if err != nil {
		return "", err
	}
	if m == mimeZip {
		// Only Put can look inside the whole archive; from the head alone a zip
		// that is not recognisably an office document is refused.
		return "", typeRefused(name, "other")
	}
	return m, nil
}

// checkType is CheckType but lets a plain zip through as mimeZip so that Put
// can look at the archive's central directory once the whole file is on disk.
func checkType(head []byte, name string) (string, error) {
	if len(head) == 0 {
		return "", emptyErr(name)
	}
	if len(head) > HeadSize {
		head = head[:HeadSize]
	}
	if kind := executableSignature(head); kind != "" {
		return "", typeRefused(name, kind)
	}
	ext := strings.ToLower(extension(cleanedOrRaw(name)))
	if kind, ok := refusedExtensions[ext]; ok {
		return "", typeRefused(name, kind)
	}

	detected := mimetype.Detect(head)
	for m := detected; m != nil; m = m.Parent() {
		base := baseMIME(m.String())
		if programMIMEs[base] {
			return "", typeRefused(name, "program")
		}
		if scriptMIMEs[base] {
			return "", typeRefused(name, "script")
		}
	}

	base := baseMIME(detected.String())
	switch base {
	case MIMEText, MIMECSV, "text/tab-separated-values":
		switch ext {
		case ".csv":
			return MIMECSV, nil
		case ".txt", ".text", ".tsv", ".tab":
			return MIMEText, nil
		}
	case mimeZip:
		return mimeZip, nil
	}
	if harmlessText[base] && ext == ".txt" {
		return MIMEText, nil
	}
	if c, ok := allowed[base]; ok {
		return c, nil
	}
	return "", typeRefused(name, "other")
}

// executableSignature recognises program and script headers directly, so the
// refusal does not depend on the detection library's tree: "program" for ELF,
// PE (MZ), Mach-O and Java class/fat binaries, "script" for any "#!" line
// (also after a UTF-8 byte-order mark or leading blank space).
func executableSignature(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("\x7fELF")),
		bytes.HasPrefix(head, []byte("MZ")),
		bytes.HasPrefix(head, []byte{0xFE, 0xED, 0xFA, 0xCE}),
		bytes.HasPrefix(head, []byte{0xFE, 0xED, 0xFA, 0xCF}),
		bytes.HasPrefix(head, []byte{0xCE, 0xFA, 0xED, 0xFE}),
		bytes.HasPrefix(head, []byte{0xCF, 0xFA, 0xED, 0xFE}),
		bytes.HasPrefix(head, []byte{0xCA, 0xFE, 0xBA, 0xBE}),
		bytes.HasPrefix(head, []byte{0xBE, 0xBA, 0xFE, 0xCA}):
		return "program"
	}
	t := bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	t = bytes.TrimLeft(t, " \t\r\n")
	if bytes.HasPrefix(t, []byte("#!")) {
		return "script"
	}
	return ""
}

func baseMIME(m string) string {
	if b, _, err := mime.ParseMediaType(m); err == nil {
		return b
	}
	if i := strings.IndexByte(m, ';'); i >= 0 {
		m = m[:i]
	}
	return strings.ToLower(strings.TrimSpace(m))
}

func cleanedOrRaw(name string) string {
	if c, err := CleanName(name); err == nil {
		return c
	}
	return name
}

// typeRefused builds the FileTypeRefused error for kind "program", "script",
// "macro" or "other".
func typeRefused(name, kind string) *apperr.Error {
	q := quoted(name)
	var msg string
	switch kind {
	case "program":
		msg = q + " is a program, and programs can't be attached for safety."
	case "script":
		msg = q + " is a script or web page that can run commands, and those can't be attached for safety."
	case "macro":
		msg = q + " contains macros (small programs), so it can't be attached for safety. Save it as an ordinary document without macros and try again."
	default:
		msg = q + " is a kind of file ClinicDesk can't attach. You can attach PDFs, pictures (JPEG, PNG, GIF, BMP, TIFF, HEIC), text, RTF and CSV files, and Word, Excel or OpenDocument text documents."
	}
	return apperr.New(apperr.FileTypeRefused, msg)
}

func emptyErr(name string) *apperr.Error {
	return apperr.New(apperr.FileEmpty, quoted(name)+" is empty (0 bytes), so there is nothing to attach.")
}

// ViewName returns a file name for opening a stored file in the system's
// viewer: the cleaned display name, with its extension replaced when it does
// not match the content's type (so a PNG named "x.html" opens as a picture).
func ViewName(displayName, mimeType string) string {
	want := extForMIME[baseMIME(mimeType)]
	name, err := CleanName(displayName)
	if err != nil {
		name = "file"
	}
	ext := strings.ToLower(extension(name))
	for _, ok := range want {
		if ext == ok {
			return name
		}
	}
	if len(want) == 0 {
		return name
	}
	stem := strings.TrimSuffix(name, extension(name))
	if stem == "" {
		stem = "file"
	}
	return shorten(stem+want[0], MaxNameBytes)
}

var extForMIME = map[string][]string{
	MIMEPDF:  {".pdf"},
	MIMEJPEG: {".jpg", ".jpeg", ".jpe", ".jfif"},
	MIMEPNG:  {".png"},
	MIMEGIF:  {".gif"},
	MIMEBMP:  {".bmp", ".dib"},
	MIMETIFF: {".tif", ".tiff"},
	MIMEHEIC: {".heic", ".heif"},
	MIMEHEIF: {".heif", ".heic"},
	MIMEText: {".txt"},
	MIMERTF:  {".rtf"},
	MIMECSV:  {".csv"},
	MIMEDoc:  {".doc", ".dot"},
	MIMEDocx: {".docx"},
	MIMEXls:  {".xls"},
	MIMEXlsx: {".xlsx"},
	MIMEODT:  {".odt"},
}
