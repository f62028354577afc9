package files

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"clinicdesk/backend/apperr"
)

func putT(t *testing.T, s *Store, data []byte, name string) Blob {
	t.Helper()
	b, err := s.Put(context.Background(), bytes.NewReader(data), name, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func makeOld(t *testing.T, s *Store, sha string) {
	t.Helper()
	old := time.Now().Add(-2 * UnreferencedGrace)
	if err := os.Chtimes(s.Path(sha), old, old); err != nil {
		t.Fatal(err)
	}
}

func TestCheckCleanStore(t *testing.T) {
	s := newTestStore(t)
	rep, err := s.Check(context.Background(), nil, nil)
	if err != nil || !rep.OK() || rep.Blobs != 0 {
		t.Fatalf("%+v %v", rep, err)
	}
	a := putT(t, s, minimalPDF(), "a.pdf")
	b := putT(t, s, pngBytes(t), "b.png")
	rep, err = s.Check(context.Background(), []string{a.SHA256, b.SHA256}, func(string) bool { return true })
	if err != nil || !rep.OK() || rep.Blobs != 2 || rep.Bytes != a.Size+b.Size {
		t.Fatalf("%+v %v", rep, err)
	}
}

func TestCheckFindsProblems(t *testing.T) {
	s := newTestStore(t)
	good := putT(t, s, minimalPDF(), "a.pdf")
	bad := putT(t, s, textBytes(), "b.txt")
	orphan := putT(t, s, csvBytes(), "c.csv")
	flipByte(t, s.Path(bad.SHA256), 0)
	missing := shaOf([]byte("lost"))

	// Stray files and a stale temp file from "another run".
	os.WriteFile(filepath.Join(s.Root(), "blobs", "notes.txt"), []byte("x"), 0o600)
	os.MkdirAll(filepath.Join(s.Root(), "blobs", "zz"), 0o700)
	misplaced := shaOf([]byte("misplaced"))
	os.WriteFile(filepath.Join(s.Root(), "blobs", good.SHA256[:2], good.SHA256[2:4], misplaced), []byte("misplaced"), 0o600)
	os.WriteFile(filepath.Join(s.Root(), "tmp", "put-0000000000000000-1.tmp"), []byte("partial"), 0o600)
	// A temp file of this process that is recent is an in-flight Put, not stale.
	os.WriteFile(filepath.Join(s.Root(), "tmp", tmpPrefix+procToken+"-2.tmp"), []byte("writing"), 0o600)

	referenced := func(sha string) bool { return sha != orphan.SHA256 }
	rep, err := s.Check(context.Background(), []string{good.SHA256, bad.SHA256, missing, "not-a-sha", good.SHA256}, referenced)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Missing, []string{missing}) {
		t.Errorf("Missing = %v", rep.Missing)
	}
	if !slices.Equal(rep.Corrupt, []string{bad.SHA256}) {
		t.Errorf("Corrupt = %v", rep.Corrupt)
	}
	if !slices.Equal(rep.Unreferenced, []string{orphan.SHA256}) {
		t.Errorf("Unreferenced = %v", rep.Unreferenced)
	}
	if !slices.Equal(rep.InvalidExpected, []string{"not-a-sha"}) {
		t.Errorf("InvalidExpected = %v", rep.InvalidExpected)
	}
	wantStray := []string{
		filepath.Join("blobs", good.SHA256[:2], good.SHA256[2:4], misplaced),
		filepath.Join("blobs", "notes.txt"),
		filepath.Join("blobs", "zz"),
	}
	slices.Sort(wantStray)
	if !slices.Equal(rep.Stray, wantStray) {
		t.Errorf("Stray = %v, want %v", rep.Stray, wantStray)
	}
	if !slices.Equal(rep.StaleTemp, []string{filepath.Join("tmp", "put-0000000000000000-1.tmp")}) {
		t.Errorf("StaleTemp = %v", rep.StaleTemp)
	}
	if rep.Blobs != 2 || rep.OK() {
		t.Errorf("Blobs = %d, OK = %v", rep.Blobs, rep.OK())
	}
	// Check changes nothing.
	if !s.Has(orphan.SHA256) || !s.Has(bad.SHA256) {
		t.Fatal("Check removed something")
	}

	n, err := s.RemoveStaleTemp()
	if err != nil || n != 1 {
		t.Fatalf("RemoveStaleTemp = %d, %v", n, err)
	}
}

func TestCheckCancelled(t *testing.T) {
	s := newTestStore(t)
	putT(t, s, minimalPDF(), "a.pdf")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Check(ctx, nil, nil)
	wantCode(t, err, apperr.Cancelled)
}

func TestRemoveUnreferencedOnlyWhatCallerAllows(t *testing.T) {
	s := newTestStore(t)
	a := putT(t, s, minimalPDF(), "a.pdf")
	b := putT(t, s, textBytes(), "b.txt")
	c := putT(t, s, csvBytes(), "c.csv")

	if _, err := s.RemoveUnreferenced(context.Background(), []string{a.SHA256}, nil); !apperr.Is(err, apperr.InvalidInput) {
		t.Fatalf("nil mayRemove: %v", err)
	}

	// Fresh blobs are within the grace period: kept even if the caller agrees.
	removed, err := s.RemoveUnreferenced(context.Background(), []string{a.SHA256}, func(string) bool { return true })
	if err != nil || len(removed) != 0 || !s.Has(a.SHA256) {
		t.Fatalf("fresh blob removed: %v %v", removed, err)
	}

	for _, sha := range []string{a.SHA256, b.SHA256, c.SHA256} {
		makeOld(t, s, sha)
	}
	// Re-Put refreshes a blob: it is in use again.
	putT(t, s, csvBytes(), "again.csv")

	asked := map[string]int{}
	removed, err = s.RemoveUnreferenced(context.Background(),
		[]string{a.SHA256, b.SHA256, c.SHA256, "bogus", shaOf([]byte("absent"))},
		func(sha string) bool { asked[sha]++; return sha != b.SHA256 })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(removed, []string{a.SHA256}) {
		t.Fatalf("removed %v, want only a", removed)
	}
	if s.Has(a.SHA256) || !s.Has(b.SHA256) || !s.Has(c.SHA256) {
		t.Fatal("wrong blobs removed")
	}
	if asked["bogus"] != 0 {
		t.Fatal("mayRemove asked about an invalid hash")
	}
}
