package files

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"clinicdesk/backend/apperr"
)

func testInboxOptions() InboxOptions {
	return InboxOptions{
		Settle:      100 * time.Millisecond,
		Debounce:    20 * time.Millisecond,
		PollMissing: 50 * time.Millisecond,
	}
}

func startInbox(t *testing.T, dir string, opts InboxOptions) *Inbox {
	t.Helper()
	in, err := NewInbox(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	return in
}

func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func pendingNames(in *Inbox) []string {
	var names []string
	for _, f := range in.Pending() {
		names = append(names, f.Name)
	}
	slices.Sort(names)
	return names
}

func findPending(in *Inbox, name string) (InboxFile, bool) {
	for _, f := range in.Pending() {
		if f.Name == name {
			return f, true
		}
	}
	return InboxFile{}, false
}

func hasPending(in *Inbox, name string) func() bool {
	return func() bool { _, ok := findPending(in, name); return ok }
}

func TestInboxOffersSettledFile(t *testing.T) {
	dir := t.TempDir()
	in := startInbox(t, dir, testInboxOptions())
	var changes atomic.Int32
	in.OnChange(func() { changes.Add(1); in.Pending() })

	p := filepath.Join(dir, "Scan 0001.pdf")
	writeFile(t, p, minimalPDF())
	waitFor(t, 3*time.Second, "the scan to be offered", hasPending(in, "Scan 0001.pdf"))

	f, _ := findPending(in, "Scan 0001.pdf")
	fi, _ := os.Stat(p)
	if f.Path != p || f.Size != int64(len(minimalPDF())) || f.MIME != MIMEPDF || f.Problem != "" || !f.ModTime.Equal(fi.ModTime()) {
		t.Fatalf("unexpected %+v", f)
	}
	if f.ID != inboxID(p) || len(f.ID) != 32 {
		t.Fatalf("ID %q not stable per path", f.ID)
	}
	waitFor(t, time.Second, "OnChange", func() bool { return changes.Load() > 0 })
}

func TestInboxOffersExistingFilesOnStart(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "old.pdf"), minimalPDF())
	writeFile(t, filepath.Join(dir, "notes.txt"), textBytes())
	in := startInbox(t, dir, testInboxOptions())
	waitFor(t, 3*time.Second, "existing files", func() bool { return len(in.Pending()) == 2 })
	if got := pendingNames(in); !slices.Equal(got, []string{"notes.txt", "old.pdf"}) {
		t.Fatalf("pending %v", got)
	}
}

func TestInboxWaitsUntilWritingStops(t *testing.T) {
	dir := t.TempDir()
	in := startInbox(t, dir, testInboxOptions())
	p := filepath.Join(dir, "slow.txt")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() }) // also when the test fails early: Windows cannot delete an open file
	var size int64
	for range 15 { // ~600ms of writing, pauses shorter than Settle
		n, _ := f.Write([]byte("another line of the scanned page\n"))
		size += int64(n)
		if _, ok := findPending(in, "slow.txt"); ok {
			t.Fatal("file offered while still being written")
		}
		time.Sleep(40 * time.Millisecond)
	}
	f.Close()
	waitFor(t, 3*time.Second, "the finished file", hasPending(in, "slow.txt"))
	if got, _ := findPending(in, "slow.txt"); got.Size != size {
		t.Fatalf("offered size %d, want %d", got.Size, size)
	}
}

func TestInboxIgnores(t *testing.T) {
	dir := t.TempDir()
	in := startInbox(t, dir, testInboxOptions())
	for _, n := range []string{"a.pdf.part", "b.pdf.crdownload", "c.tmp", "~$letter.docx", ".hidden.pdf", "Thumbs.db", "desktop.ini", "backup.txt~"} {
		writeFile(t, filepath.Join(dir, n), minimalPDF())
	}
	os.Mkdir(filepath.Join(dir, "Sub folder"), 0o700)
	writeFile(t, filepath.Join(dir, "Sub folder", "inner.pdf"), minimalPDF())
	os.Symlink(filepath.Join(dir, "Sub folder", "inner.pdf"), filepath.Join(dir, "link.pdf"))
	writeFile(t, filepath.Join(dir, "real.pdf"), minimalPDF())

	waitFor(t, 3*time.Second, "real.pdf", hasPending(in, "real.pdf"))
	time.Sleep(300 * time.Millisecond) // several more settle intervals
	if got := pendingNames(in); !slices.Equal(got, []string{"real.pdf"}) {
		t.Fatalf("pending %v, want only real.pdf", got)
	}
}

func TestInboxReportsProblems(t *testing.T) {
	dir := t.TempDir()
	opts := testInboxOptions()
	opts.MaxBytes = 20_000
	in := startInbox(t, dir, opts)
	writeFile(t, filepath.Join(dir, "setup.exe"), peBytes())
	writeFile(t, filepath.Join(dir, "run.txt"), shellBytes())
	writeFile(t, filepath.Join(dir, "empty.pdf"), nil)
	writeFile(t, filepath.Join(dir, "huge.txt"), make([]byte, 30_000))
	writeFile(t, filepath.Join(dir, "archive.zip"), plainZipBytes(t))
	writeFile(t, filepath.Join(dir, "late.docx"), docxLateWordBytes(t))
	writeFile(t, filepath.Join(dir, "ok.png"), pngBytes(t))
	waitFor(t, 3*time.Second, "all files", func() bool { return len(in.Pending()) == 7 })

	want := map[string]apperr.Code{
		"setup.exe": apperr.FileTypeRefused, "run.txt": apperr.FileTypeRefused,
		"empty.pdf": apperr.FileEmpty, "huge.txt": apperr.FileTooLarge,
		"archive.zip": apperr.FileTypeRefused, "late.docx": "", "ok.png": "",
	}
	for _, f := range in.Pending() {
		code, ok := want[f.Name]
		if !ok {
			t.Fatalf("unexpected %q", f.Name)
		}
		if f.ProblemCode != code || (code != "") != (f.Problem != "") || (code == "") != (f.MIME != "") {
			t.Errorf("%s: %+v, want problem code %q", f.Name, f, code)
		}
	}
	if f, _ := findPending(in, "late.docx"); f.MIME != MIMEDocx {
		t.Errorf("late.docx MIME %q", f.MIME)
	}
}

func TestInboxImport(t *testing.T) {
	dir := t.TempDir()
	s := newTestStore(t)
	in := startInbox(t, dir, testInboxOptions())

	p := filepath.Join(dir, "scan.pdf")
	writeFile(t, p, minimalPDF())
	waitFor(t, 3*time.Second, "scan.pdf", hasPending(in, "scan.pdf"))
	f, _ := findPending(in, "scan.pdf")

	blob, name, err := in.Import(t.Context(), f.ID, s, DefaultMaxBytes)
	if err != nil {
		t.Fatal(err)
	}
	if name != "scan.pdf" || blob.SHA256 != shaOf(minimalPDF()) || blob.MIME != MIMEPDF || !s.Has(blob.SHA256) {
		t.Fatalf("got %+v %q", blob, name)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatal("source still in the inbox")
	}
	if b, err := os.ReadFile(filepath.Join(dir, "Imported", "scan.pdf")); err != nil || string(b) != string(minimalPDF()) {
		t.Fatalf("not moved to Imported: %v", err)
	}
	if len(in.Pending()) != 0 {
		t.Fatalf("still pending: %v", pendingNames(in))
	}
	_, _, err = in.Import(t.Context(), f.ID, s, DefaultMaxBytes)
	wantCode(t, err, apperr.NotFound)

	// Same name again, different content: unique name in Imported.
	writeFile(t, p, append(minimalPDF(), "% second scan\n"...))
	waitFor(t, 3*time.Second, "second scan.pdf", hasPending(in, "scan.pdf"))
	f2, _ := findPending(in, "scan.pdf")
	if f2.ID != f.ID {
		t.Fatal("ID changed for the same path")
	}
	if _, _, err := in.Import(t.Context(), f2.ID, s, DefaultMaxBytes); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "Imported", "scan (2).pdf")); err != nil {
		t.Fatalf("second import not kept under a unique name: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "Imported", "scan.pdf")); string(b) != string(minimalPDF()) {
		t.Fatal("first imported file was overwritten")
	}
	// The Imported folder itself is never offered.
	time.Sleep(200 * time.Millisecond)
	if len(in.Pending()) != 0 {
		t.Fatalf("pending %v", pendingNames(in))
	}
}

func TestInboxImportRefusalLeavesFile(t *testing.T) {
	dir := t.TempDir()
	s := newTestStore(t)
	in := startInbox(t, dir, testInboxOptions())
	exe := filepath.Join(dir, "scan.exe")
	writeFile(t, exe, peBytes())
	big := filepath.Join(dir, "big.txt")
	writeFile(t, big, []byte("0123456789abcdef0123456789abcdef"))
	waitFor(t, 3*time.Second, "both", func() bool { return len(in.Pending()) == 2 })

	fe, _ := findPending(in, "scan.exe")
	_, _, err := in.Import(t.Context(), fe.ID, s, DefaultMaxBytes)
	wantCode(t, err, apperr.FileTypeRefused)
	if msg := apperr.As(err).Message; msg != "“scan.exe” is a program, and programs can't be attached for safety." {
		t.Fatalf("message %q", msg)
	}
	fb, _ := findPending(in, "big.txt")
	_, _, err = in.Import(t.Context(), fb.ID, s, 10)
	wantCode(t, err, apperr.FileTooLarge)

	for _, p := range []string{exe, big} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("refused file moved: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "Imported")); !os.IsNotExist(err) {
		t.Fatal("Imported folder touched by a refusal")
	}
	assertNothingLeft(t, s)
	if len(in.Pending()) != 2 {
		t.Fatal("refused files no longer pending")
	}
}

func TestInboxImportWhileChanging(t *testing.T) {
	dir := t.TempDir()
	s := newTestStore(t)
	opts := testInboxOptions()
	opts.Debounce = time.Second // the watcher won't notice before Import does
	in := startInbox(t, dir, opts)
	p := filepath.Join(dir, "grow.txt")
	writeFile(t, p, textBytes())
	waitFor(t, 5*time.Second, "grow.txt", hasPending(in, "grow.txt"))
	f, _ := findPending(in, "grow.txt")

	fh, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	fh.Write([]byte("more text arriving\n"))
	fh.Close()

	_, _, err := in.Import(t.Context(), f.ID, s, DefaultMaxBytes)
	wantCode(t, err, apperr.Conflict)
	if _, err := os.Stat(p); err != nil {
		t.Fatal("changing file was moved")
	}
}

func TestInboxConcurrentImportOfSameFile(t *testing.T) {
	dir := t.TempDir()
	s := newTestStore(t)
	in := startInbox(t, dir, testInboxOptions())
	writeFile(t, filepath.Join(dir, "one.pdf"), minimalPDF())
	waitFor(t, 3*time.Second, "one.pdf", hasPending(in, "one.pdf"))
	f, _ := findPending(in, "one.pdf")

	var ok, refused atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := in.Import(context.Background(), f.ID, s, DefaultMaxBytes)
			switch {
			case err == nil:
				ok.Add(1)
			case apperr.Is(err, apperr.Conflict), apperr.Is(err, apperr.NotFound):
				refused.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 || refused.Load() != 7 {
		t.Fatalf("ok %d refused %d", ok.Load(), refused.Load())
	}
	if files := listFiles(t, filepath.Join(dir, "Imported")); len(files) != 1 {
		t.Fatalf("imported %v", files)
	}
}

func TestInboxRenamesAndRemovals(t *testing.T) {
	dir := t.TempDir()
	s := newTestStore(t)
	in := startInbox(t, dir, testInboxOptions())

	part := filepath.Join(dir, "scan.pdf.part")
	writeFile(t, part, minimalPDF())
	time.Sleep(250 * time.Millisecond)
	if len(in.Pending()) != 0 {
		t.Fatal("partial download offered")
	}
	final := filepath.Join(dir, "scan.pdf")
	os.Rename(part, final)
	waitFor(t, 3*time.Second, "renamed scan.pdf", hasPending(in, "scan.pdf"))
	old, _ := findPending(in, "scan.pdf")

	renamed := filepath.Join(dir, "Smith referral.pdf")
	os.Rename(final, renamed)
	waitFor(t, 3*time.Second, "rename to be seen", func() bool {
		return slices.Equal(pendingNames(in), []string{"Smith referral.pdf"})
	})
	nf, _ := findPending(in, "Smith referral.pdf")
	if nf.ID == old.ID {
		t.Fatal("a different path kept the same ID")
	}
	_, _, err := in.Import(t.Context(), old.ID, s, DefaultMaxBytes)
	wantCode(t, err, apperr.NotFound)

	os.Remove(renamed)
	waitFor(t, 3*time.Second, "removal to be seen", func() bool { return len(in.Pending()) == 0 })
	_, _, err = in.Import(t.Context(), nf.ID, s, DefaultMaxBytes)
	wantCode(t, err, apperr.NotFound)
	assertNothingLeft(t, s)
}

func TestInboxRemovedWhileImportPending(t *testing.T) {
	// The file disappears after being offered but before the watcher notices.
	dir := t.TempDir()
	s := newTestStore(t)
	opts := testInboxOptions()
	opts.Debounce = time.Second
	in := startInbox(t, dir, opts)
	p := filepath.Join(dir, "gone.pdf")
	writeFile(t, p, minimalPDF())
	waitFor(t, 5*time.Second, "gone.pdf", hasPending(in, "gone.pdf"))
	f, _ := findPending(in, "gone.pdf")
	os.Remove(p)
	_, _, err := in.Import(t.Context(), f.ID, s, DefaultMaxBytes)
	wantCode(t, err, apperr.NotFound)
	assertNothingLeft(t, s)
}

func TestInboxBurstOf500(t *testing.T) {
	dir := t.TempDir()
	s := newTestStore(t)
	in := startInbox(t, dir, testInboxOptions())
	var calls atomic.Int32
	in.OnChange(func() { calls.Add(1) })

	start := time.Now()
	for i := range 500 {
		writeFile(t, filepath.Join(dir, fmt.Sprintf("page-%03d.txt", i)), fmt.Appendf(nil, "scanned page %d\n", i))
	}
	waitFor(t, 15*time.Second, "500 files", func() bool { return len(in.Pending()) == 500 })
	t.Logf("500 files offered %v after the burst started (%d OnChange calls)", time.Since(start), calls.Load())

	start = time.Now()
	for _, f := range in.Pending() {
		if _, _, err := in.Import(t.Context(), f.ID, s, DefaultMaxBytes); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
	}
	t.Logf("500 files imported in %v", time.Since(start))
	if n := len(listFiles(t, filepath.Join(dir, "Imported"))); n != 500 {
		t.Fatalf("%d files in Imported", n)
	}
	if n := len(listFiles(t, filepath.Join(s.Root(), "blobs"))); n != 500 {
		t.Fatalf("%d blobs", n)
	}
	waitFor(t, 3*time.Second, "empty inbox", func() bool { return len(in.Pending()) == 0 })
}

func TestInboxFolderDeletedAndRecreated(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Scans")
	os.Mkdir(dir, 0o700)
	in := startInbox(t, dir, testInboxOptions())
	writeFile(t, filepath.Join(dir, "a.pdf"), minimalPDF())
	waitFor(t, 3*time.Second, "a.pdf", hasPending(in, "a.pdf"))

	for round := range 3 {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		// On Windows a deleted folder that is still watched stays (delete
		// pending) until the watcher lets go of it, which the inbox does once it
		// sees the folder gone: only then can a folder of the same name be made.
		waitFor(t, 3*time.Second, "the inbox to see its folder gone", func() bool {
			in.mu.Lock()
			defer in.mu.Unlock()
			return in.missing
		})
		if n := len(in.Pending()); n != 0 {
			t.Fatalf("a deleted folder still offers %d files", n)
		}
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("after-%d.pdf", round)
		writeFile(t, filepath.Join(dir, name), minimalPDF())
		waitFor(t, 3*time.Second, name+" in the recreated folder", hasPending(in, name))
	}

	// Renamed away and a new folder made in its place.
	if err := os.Rename(dir, dir+" old"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 3*time.Second, "renamed-away folder to empty the list", func() bool { return len(in.Pending()) == 0 })
	writeFile(t, filepath.Join(dir+" old", "ghost.pdf"), minimalPDF()) // not ours any more
	os.Mkdir(dir, 0o700)
	writeFile(t, filepath.Join(dir, "fresh.pdf"), minimalPDF())
	waitFor(t, 3*time.Second, "fresh.pdf", hasPending(in, "fresh.pdf"))
	time.Sleep(200 * time.Millisecond)
	if got := pendingNames(in); !slices.Equal(got, []string{"fresh.pdf"}) {
		t.Fatalf("pending %v", got)
	}
}

func TestInboxFolderMissingAtStart(t *testing.T) {
	parent := filepath.Join(t.TempDir(), "not", "yet")
	dir := filepath.Join(parent, "Scans")
	in := startInbox(t, dir, testInboxOptions())
	time.Sleep(100 * time.Millisecond)
	os.MkdirAll(dir, 0o700)
	writeFile(t, filepath.Join(dir, "a.pdf"), minimalPDF())
	waitFor(t, 3*time.Second, "a.pdf once the folder exists", hasPending(in, "a.pdf"))
}

func TestInboxPeriodicRescanCatchesMissedEvents(t *testing.T) {
	dir := t.TempDir()
	opts := testInboxOptions()
	opts.Rescan = 300 * time.Millisecond
	opts.Debounce = 10 * time.Second // events effectively ignored
	in := startInbox(t, dir, opts)
	writeFile(t, filepath.Join(dir, "quiet.pdf"), minimalPDF())
	waitFor(t, 5*time.Second, "the periodic rescan to find quiet.pdf", hasPending(in, "quiet.pdf"))
}

func TestInboxLifecycle(t *testing.T) {
	dir := t.TempDir()
	in, err := NewInbox(dir, InboxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if in.opts.Settle != time.Second || in.opts.Rescan != 30*time.Second || in.opts.PollMissing != time.Second || in.opts.ImportedDir != "Imported" {
		t.Fatalf("defaults %+v", in.opts)
	}
	if err := in.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := in.Start(t.Context()); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("second Start: %v", err)
	}
	in.Close()
	in.Close()
	if err := in.Start(t.Context()); err == nil {
		t.Fatal("Start after Close")
	}
	_ = in.Pending()

	// Close without Start, and stop by context.
	in2, _ := NewInbox(dir, InboxOptions{})
	in2.Close()
	ctx, cancel := context.WithCancel(context.Background())
	in3, _ := NewInbox(dir, InboxOptions{})
	in3.Start(ctx)
	cancel()
	in3.Close()

	if _, err := NewInbox(" ", InboxOptions{}); !apperr.Is(err, apperr.InvalidInput) {
		t.Fatalf("blank dir: %v", err)
	}
}
