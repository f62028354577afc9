package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

const helperRootEnv = "CLINICDESK_FILES_HELPER_STORE"

// genReader yields a deterministic stream of text (so it passes the type
// check) with a small sleep per Read, like a slow network share.
type genReader struct {
	left  int64
	state uint32
	sleep time.Duration
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.left <= 0 {
		return 0, fmt.Errorf("genReader: past end") // never reached: the parent kills first
	}
	if g.sleep > 0 {
		time.Sleep(g.sleep)
	}
	n := int64(len(p))
	if n > g.left {
		n = g.left
	}
	for i := range p[:n] {
		g.state = g.state*1664525 + 1013904223
		if g.state>>27 == 0 {
			p[i] = '\n'
		} else {
			p[i] = 'a' + byte((g.state>>16)%26)
		}
	}
	g.left -= n
	return int(n), nil
}

// TestHelperProcess is not a real test: TestKillDuringPut runs this test
// binary again with only this test selected, and it Puts a slow 200 MB stream
// until it is killed.
func TestHelperProcess(t *testing.T) {
	root := os.Getenv(helperRootEnv)
	if root == "" {
		t.Skip("only runs as the child of TestKillDuringPut")
	}
	s, err := NewStore(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	_, err = s.Put(context.Background(), &genReader{left: 200 << 20, state: 1, sleep: 10 * time.Millisecond}, "big.txt", 0, nil)
	fmt.Fprintln(os.Stderr, "helper finished unexpectedly:", err)
	os.Exit(3)
}

func TestKillDuringPut(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	root := filepath.Join(t.TempDir(), "store")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperRootEnv+"="+root)
	var stderr safeBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	// Wait until the child has streamed a few MB into tmp.
	tmp := filepath.Join(root, "tmp")
	var partial string
	deadline := time.Now().Add(30 * time.Second)
	for partial == "" {
		select {
		case err := <-exited:
			t.Fatalf("child exited early: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("child never wrote to tmp")
		}
		entries, _ := os.ReadDir(tmp)
		for _, e := range entries {
			if fi, err := e.Info(); err == nil && fi.Size() >= 2<<20 {
				partial = filepath.Join(tmp, e.Name())
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no deferred clean-up runs
		t.Fatal(err)
	}
	<-exited

	// The kill left a partial temp file and no blob.
	data, err := os.ReadFile(partial)
	if err != nil {
		t.Fatalf("partial temp file: %v", err)
	}
	if len(data) >= 200<<20 {
		t.Fatal("child finished before being killed")
	}
	if blobs := listFiles(t, filepath.Join(root, "blobs")); len(blobs) != 0 {
		t.Fatalf("a killed Put left blobs: %v", blobs)
	}
	sum := sha256.Sum256(data)
	partialSHA := hex.EncodeToString(sum[:])

	// Reopening the store cleans tmp; nothing exists for the partial hash.
	s, err := NewStore(root)
	if err != nil {
		t.Fatal(err)
	}
	if left := listFiles(t, tmp); len(left) != 0 {
		t.Fatalf("NewStore left stale temp files: %v", left)
	}
	if s.Has(partialSHA) {
		t.Fatal("a blob exists for the partial content")
	}
	rep, err := s.Check(context.Background(), nil, nil)
	if err != nil || !rep.OK() || rep.Blobs != 0 {
		t.Fatalf("store not clean after the crash: %+v %v", rep, err)
	}
	t.Logf("child killed after writing %d bytes", len(data))
}
