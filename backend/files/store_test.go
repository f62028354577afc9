package files

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"clinicdesk/backend/apperr"
)

func shaOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestNewStoreCreatesLayout(t *testing.T) {
	root := filepath.Join(t.TempDir(), "a", "b")
	s, err := NewStore(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"blobs", "tmp"} {
		fi, err := os.Stat(filepath.Join(root, d))
		if err != nil || !fi.IsDir() {
			t.Fatalf("%s not created: %v", d, err)
		}
		if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700 {
			t.Fatalf("%s perm %v, want 0700", d, fi.Mode().Perm())
		}
	}
	if !filepath.IsAbs(s.Root()) {
		t.Fatalf("root not absolute: %s", s.Root())
	}
	if _, err := NewStore(""); err == nil {
		t.Fatal("empty root accepted")
	}
}

func TestNewStoreCleansStaleTemp(t *testing.T) {
	s := newTestStore(t)
	stale := filepath.Join(s.Root(), "tmp", "put-deadbeefdeadbeef-123.tmp")
	writeFile(t, stale, []byte("partial"))
	os.Mkdir(filepath.Join(s.Root(), "tmp", "junkdir"), 0o700)
	ours := filepath.Join(s.Root(), "tmp", tmpPrefix+procToken+"-999.tmp")
	writeFile(t, ours, []byte("in flight in this process"))

	if _, err := NewStore(s.Root()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatal("stale temp file from another run survived NewStore")
	}
	if _, err := os.Stat(filepath.Join(s.Root(), "tmp", "junkdir")); !os.IsNotExist(err) {
		t.Fatal("stale temp dir survived NewStore")
	}
	if _, err := os.Stat(ours); err != nil {
		t.Fatal("NewStore removed a temp file of a Store in this same process")
	}
}

func TestPutStoresContentAddressed(t *testing.T) {
	s := newTestStore(t)
	pdf := minimalPDF()
	b, err := s.Put(context.Background(), bytes.NewReader(pdf), "letter.pdf", DefaultMaxBytes, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Blob{SHA256: shaOf(pdf), Size: int64(len(pdf)), MIME: MIMEPDF}
	if b != want {
		t.Fatalf("got %+v, want %+v", b, want)
	}
	p := filepath.Join(s.Root(), "blobs", b.SHA256[:2], b.SHA256[2:4], b.SHA256)
	if s.Path(b.SHA256) != p {
		t.Fatalf("Path = %s, want %s", s.Path(b.SHA256), p)
	}
	got, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(got, pdf) {
		t.Fatalf("stored bytes differ: %v", err)
	}
	if runtime.GOOS != "windows" {
		fi, _ := os.Stat(p)
		if fi.Mode().Perm()&0o077 != 0 {
			t.Fatalf("blob readable by others: %v", fi.Mode())
		}
	}
	if !s.Has(b.SHA256) {
		t.Fatal("Has = false after Put")
	}
	if f := listFiles(t, filepath.Join(s.Root(), "tmp")); len(f) != 0 {
		t.Fatalf("temp left: %v", f)
	}
}

func TestPutDedup(t *testing.T) {
	s := newTestStore(t)
	png := pngBytes(t)
	b1, err := s.Put(context.Background(), bytes.NewReader(png), "a.png", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := s.Path(b1.SHA256)
	fi1, _ := os.Stat(p)
	b2, err := s.Put(context.Background(), bytes.NewReader(png), "copy of a.png", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b1 != b2 {
		t.Fatalf("same content gave %+v and %+v", b1, b2)
	}
	fi2, _ := os.Stat(p)
	if !os.SameFile(fi1, fi2) {
		t.Fatal("existing blob was replaced instead of kept")
	}
	if f := listFiles(t, filepath.Join(s.Root(), "blobs")); len(f) != 1 {
		t.Fatalf("want exactly one blob, got %v", f)
	}
	if f := listFiles(t, filepath.Join(s.Root(), "tmp")); len(f) != 0 {
		t.Fatalf("temp left: %v", f)
	}
}

func TestPutAllowedTypes(t *testing.T) {
	s := newTestStore(t)
	cases := []struct {
		file string
		data []byte
		want string
	}{
		{"a.pdf", minimalPDF(), MIMEPDF},
		{"a.png", pngBytes(t), MIMEPNG},
		{"a.jpg", jpegBytes(t), MIMEJPEG},
		{"a.gif", gifBytes(t), MIMEGIF},
		{"a.bmp", bmpBytes(), MIMEBMP},
		{"a.tif", tiffBytes(), MIMETIFF},
		{"a.heic", heicBytes(), MIMEHEIC},
		{"a.txt", textBytes(), MIMEText},
		{"a.csv", csvBytes(), MIMECSV},
		{"a.rtf", rtfBytes(), MIMERTF},
		{"a.docx", docxBytes(t), MIMEDocx},
		{"a.xlsx", xlsxBytes(t), MIMEXlsx},
		{"a.odt", odtBytes(t), MIMEODT},
		// The head alone says "zip"; the central directory proves it is a docx.
		{"late.docx", docxLateWordBytes(t), MIMEDocx},
		// Long text: type from the head, the rest streamed.
		{"long.txt", bytes.Repeat([]byte("line of text\n"), 100_000), MIMEText},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			b, err := s.Put(context.Background(), bytes.NewReader(c.data), c.file, DefaultMaxBytes, nil)
			if err != nil {
				t.Fatal(err)
			}
			if b.MIME != c.want || b.Size != int64(len(c.data)) || b.SHA256 != shaOf(c.data) {
				t.Fatalf("got %+v, want mime %s size %d", b, c.want, len(c.data))
			}
		})
	}
}

func TestPutRefusals(t *testing.T) {
	cases := []struct {
		file string
		data []byte
		max  int64
		code apperr.Code
	}{
		{"empty.pdf", nil, 0, apperr.FileEmpty},
		{"prog", elfBytes(), 0, apperr.FileTypeRefused},
		{"setup.pdf", peBytes(), 0, apperr.FileTypeRefused},
		{"tool", machOBytes(), 0, apperr.FileTypeRefused},
		{"run.txt", shellBytes(), 0, apperr.FileTypeRefused},
		{"scan.exe", minimalPDF(), 0, apperr.FileTypeRefused},
		{"photos.zip", plainZipBytes(t), 0, apperr.FileTypeRefused},
		{"photos.docx", plainZipBytes(t), 0, apperr.FileTypeRefused},
		{"letter.docx", docxWithMacros(t), 0, apperr.FileTypeRefused},
		{"big.txt", bytes.Repeat([]byte("a"), 10_000), 9_999, apperr.FileTooLarge},
		{"bigger.txt", bytes.Repeat([]byte("a"), 1_000_000), 500_000, apperr.FileTooLarge},
		{"tiny limit.txt", textBytes(), 10, apperr.FileTooLarge},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			s := newTestStore(t)
			b, err := s.Put(context.Background(), bytes.NewReader(c.data), c.file, c.max, nil)
			wantCode(t, err, c.code)
			if b != (Blob{}) {
				t.Fatalf("refusal returned a blob: %+v", b)
			}
			assertNothingLeft(t, s)
		})
	}
}

func TestPutTooLargeMessage(t *testing.T) {
	s := newTestStore(t)
	_, err := s.Put(context.Background(), bytes.NewReader(bytes.Repeat([]byte("a"), 6000)), "notes.txt", 5000, nil)
	wantCode(t, err, apperr.FileTooLarge)
	if msg := apperr.As(err).Message; !strings.Contains(msg, "“notes.txt”") || !strings.Contains(msg, "4.9 KB") {
		t.Fatalf("message: %q", msg)
	}
}

func TestPutExactlyMaxBytes(t *testing.T) {
	s := newTestStore(t)
	data := bytes.Repeat([]byte("b"), 10_000)
	if _, err := s.Put(context.Background(), bytes.NewReader(data), "x.txt", int64(len(data)), nil); err != nil {
		t.Fatalf("content of exactly maxBytes refused: %v", err)
	}
}

type errReader struct {
	data []byte
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestPutReadError(t *testing.T) {
	s := newTestStore(t)
	r := &errReader{data: bytes.Repeat([]byte("text "), 5000), err: errors.New("device unplugged")}
	_, err := s.Put(context.Background(), r, "usb.txt", 0, nil)
	wantCode(t, err, apperr.FileUnreadable)
	assertNothingLeft(t, s)

	_, err = s.Put(context.Background(), &errReader{err: errors.New("boom")}, "usb.txt", 0, nil)
	wantCode(t, err, apperr.FileUnreadable)
	assertNothingLeft(t, s)
}

// cancelAfterReader cancels ctx after n reads.
type cancelAfterReader struct {
	n      int
	cancel func()
	reads  int
}

func (r *cancelAfterReader) Read(p []byte) (int, error) {
	r.reads++
	if r.reads == r.n {
		r.cancel()
	}
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

func TestPutCancelled(t *testing.T) {
	s := newTestStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Put(ctx, bytes.NewReader(textBytes()), "a.txt", 0, nil)
	wantCode(t, err, apperr.Cancelled)
	assertNothingLeft(t, s)

	// Cancelled mid-stream (endless reader): stops, leaves nothing.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	_, err = s.Put(ctx, &cancelAfterReader{n: 5, cancel: cancel}, "a.txt", 0, nil)
	wantCode(t, err, apperr.Cancelled)
	assertNothingLeft(t, s)
}

// slowReader yields chunk bytes every delay.
type slowReader struct {
	left  int
	chunk int
	delay time.Duration
}

func (r *slowReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	time.Sleep(r.delay)
	n := min(len(p), r.chunk, r.left)
	for i := range n {
		p[i] = 'a' + byte(i%26)
	}
	r.left -= n
	return n, nil
}

func TestPutProgress(t *testing.T) {
	s := newTestStore(t)
	const total = 64 << 10
	var (
		calls []int64
		times []time.Time
	)
	r := &slowReader{left: total, chunk: 2 << 10, delay: 15 * time.Millisecond} // ~450ms
	b, err := s.Put(context.Background(), r, "slow.txt", 0, func(done int64) {
		calls = append(calls, done)
		times = append(times, time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) < 2 {
		t.Fatalf("want several progress calls, got %v", calls)
	}
	if calls[len(calls)-1] != total || b.Size != total {
		t.Fatalf("last progress %d, size %d, want %d", calls[len(calls)-1], b.Size, total)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i] < calls[i-1] {
			t.Fatalf("progress went backwards: %v", calls)
		}
		// Every call but the final one is throttled.
		if i < len(calls)-1 && times[i].Sub(times[i-1]) < 90*time.Millisecond {
			t.Fatalf("progress calls %v apart", times[i].Sub(times[i-1]))
		}
	}
	if len(calls) > 8 {
		t.Fatalf("progress not throttled: %d calls", len(calls))
	}
}

func TestPutDoesNotBufferWholeFile(t *testing.T) {
	s := newTestStore(t)
	const size = 32 << 20
	r := &slowReader{left: size, chunk: 1 << 20}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := s.Put(context.Background(), r, "big.txt", 0, nil); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Fatalf("Put of %d bytes allocated %d bytes", size, alloc)
	}
}

func TestConcurrentPuts(t *testing.T) {
	s := newTestStore(t)
	same := pngBytes(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := same
			if i%2 == 1 {
				data = []byte(strings.Repeat("note ", 100) + string(rune('a'+i)))
			}
			b, err := s.Put(context.Background(), bytes.NewReader(data), "f.txt", 0, nil)
			if err == nil && b.SHA256 != shaOf(data) {
				err = errors.New("wrong hash")
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(listFiles(t, filepath.Join(s.Root(), "blobs"))); n != 17 {
		t.Fatalf("want 17 blobs, got %d", n)
	}
	if f := listFiles(t, filepath.Join(s.Root(), "tmp")); len(f) != 0 {
		t.Fatalf("temp left: %v", f)
	}
}

func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x01
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func TestOpenVerifies(t *testing.T) {
	s := newTestStore(t)
	data := bytes.Repeat([]byte("clinical letter "), 50_000) // 800 KB, several reads
	b, err := s.Put(context.Background(), bytes.NewReader(data), "l.txt", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := s.Open(b.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("intact read failed: %v", err)
	}
	if all, err := s.ReadAll(b.SHA256); err != nil || !bytes.Equal(all, data) {
		t.Fatalf("ReadAll: %v", err)
	}
	dst := filepath.Join(t.TempDir(), "view.txt")
	if err := s.CopyTo(context.Background(), b.SHA256, dst); err != nil {
		t.Fatal(err)
	}
	if c, _ := os.ReadFile(dst); !bytes.Equal(c, data) {
		t.Fatal("CopyTo content differs")
	}

	// Bit rot: one flipped bit in the middle.
	flipByte(t, s.Path(b.SHA256), int64(len(data)/2))

	rc, err = s.Open(b.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(rc)
	rc.Close()
	wantCode(t, err, apperr.FileCorrupt)

	all, err := s.ReadAll(b.SHA256)
	wantCode(t, err, apperr.FileCorrupt)
	if all != nil {
		t.Fatal("ReadAll returned unverified bytes")
	}

	dst2 := filepath.Join(t.TempDir(), "view.txt")
	err = s.CopyTo(context.Background(), b.SHA256, dst2)
	wantCode(t, err, apperr.FileCorrupt)
	if _, err := os.Stat(dst2); !os.IsNotExist(err) {
		t.Fatal("CopyTo left unverified bytes at the destination")
	}
	if f := listFiles(t, filepath.Dir(dst2)); len(f) != 0 {
		t.Fatalf("CopyTo left files: %v", f)
	}

	// A truncated blob is corrupt too.
	os.Truncate(s.Path(b.SHA256), 10)
	_, err = s.ReadAll(b.SHA256)
	wantCode(t, err, apperr.FileCorrupt)
}

func TestPutRepairsDamagedCopy(t *testing.T) {
	s := newTestStore(t)
	data := minimalPDF()
	b, _ := s.Put(context.Background(), bytes.NewReader(data), "a.pdf", 0, nil)
	flipByte(t, s.Path(b.SHA256), 3)
	if _, err := s.ReadAll(b.SHA256); !apperr.Is(err, apperr.FileCorrupt) {
		t.Fatal("corruption not detected")
	}
	if _, err := s.Put(context.Background(), bytes.NewReader(data), "a.pdf", 0, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ReadAll(b.SHA256); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("damaged blob not repaired by a fresh Put: %v", err)
	}
}

func TestOpenMissingAndInvalid(t *testing.T) {
	s := newTestStore(t)
	missing := shaOf([]byte("never stored"))
	_, err := s.Open(missing)
	wantCode(t, err, apperr.NotFound)
	_, err = s.ReadAll(missing)
	wantCode(t, err, apperr.NotFound)
	if s.Has(missing) {
		t.Fatal("Has(missing) = true")
	}
	for _, bad := range []string{"", "../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("g", 64),
		strings.Repeat("a", 63), strings.Repeat("a", 65), "../" + strings.Repeat("a", 61), strings.Repeat("a", 62) + "/x"} {
		if _, err := s.Open(bad); !apperr.Is(err, apperr.InvalidInput) {
			t.Errorf("Open(%q): %v", bad, err)
		}
		if s.Path(bad) != "" {
			t.Errorf("Path(%q) built a path", bad)
		}
		if s.Has(bad) {
			t.Errorf("Has(%q) = true", bad)
		}
		if err := s.Remove(bad); !apperr.Is(err, apperr.InvalidInput) {
			t.Errorf("Remove(%q): %v", bad, err)
		}
	}
}

func TestRemove(t *testing.T) {
	s := newTestStore(t)
	b, _ := s.Put(context.Background(), bytes.NewReader(minimalPDF()), "a.pdf", 0, nil)
	if err := s.Remove(b.SHA256); err != nil {
		t.Fatal(err)
	}
	if s.Has(b.SHA256) {
		t.Fatal("still there after Remove")
	}
	if err := s.Remove(b.SHA256); err != nil {
		t.Fatalf("removing a missing blob: %v", err)
	}
	// It can be stored again afterwards.
	if _, err := s.Put(context.Background(), bytes.NewReader(minimalPDF()), "a.pdf", 0, nil); err != nil || !s.Has(b.SHA256) {
		t.Fatalf("re-Put after Remove: %v", err)
	}
}

func TestImportPath(t *testing.T) {
	s := newTestStore(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "Scan 0001.pdf")
	writeFile(t, p, minimalPDF())
	var lastDone, lastTotal int64
	b, name, err := s.ImportPath(context.Background(), p, DefaultMaxBytes, func(done, total int64) { lastDone, lastTotal = done, total })
	if err != nil {
		t.Fatal(err)
	}
	if name != "Scan 0001.pdf" || b.MIME != MIMEPDF || b.SHA256 != shaOf(minimalPDF()) {
		t.Fatalf("got %+v %q", b, name)
	}
	if lastDone != int64(len(minimalPDF())) || lastTotal != lastDone {
		t.Fatalf("progress %d/%d", lastDone, lastTotal)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatal("ImportPath must not move or delete the source")
	}
}

// importRefusal is one file ImportPath must refuse, with the code it gives.
type importRefusal struct {
	name string
	path string
	max  int64
	code apperr.Code
}

func TestImportPathRefusals(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "Scans")
	os.Mkdir(folder, 0o700)
	empty := filepath.Join(dir, "empty.pdf")
	writeFile(t, empty, nil)
	big := filepath.Join(dir, "big.txt")
	writeFile(t, big, bytes.Repeat([]byte("a"), 2000))
	exe := filepath.Join(dir, "scan.exe")
	writeFile(t, exe, peBytes())
	cases := []importRefusal{
		{"folder", folder, 0, apperr.FileIsFolder},
		{"missing", filepath.Join(dir, "nope.pdf"), 0, apperr.FileUnreadable},
		{"empty", empty, 0, apperr.FileEmpty},
		{"too large by stat", big, 1000, apperr.FileTooLarge},
		{"program", exe, 0, apperr.FileTypeRefused},
		{"bad name", dir + string(filepath.Separator) + "..", 0, apperr.FileNameInvalid},
	}
	// Broken links, FIFOs and unreadable files are Unix things (store_unix_test.go).
	cases = append(cases, unixImportRefusals(t, dir, folder)...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newTestStore(t)
			b, name, err := s.ImportPath(context.Background(), c.path, c.max, nil)
			wantCode(t, err, c.code)
			if b != (Blob{}) || name != "" {
				t.Fatalf("refusal returned %+v %q", b, name)
			}
			assertNothingLeft(t, s)
		})
	}
}

func TestImportPathCleansName(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("control characters are not allowed in Windows file names")
	}
	s := newTestStore(t)
	p := filepath.Join(t.TempDir(), "letter\u202Etxt.pdf")
	writeFile(t, p, minimalPDF())
	_, name, err := s.ImportPath(context.Background(), p, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if name != "lettertxt.pdf" {
		t.Fatalf("name %q", name)
	}
}
