// Package largefix keeps the large demo practice (backend/demo.GenerateLarge)
// in a cache directory for benchmarks and the latency harness: it generates
// it once, reuses it across runs, and hands out working copies so a run that
// writes (share toggles, compose) never changes the cached practice.
//
// It is bench-only code; the app never imports it.
package largefix

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"clinicdesk/backend/demo"
	"clinicdesk/backend/desk"
)

// Manifest is written last into a finished cache directory.
const Manifest = "large.json"

// ErrAbsent: no finished large practice in the cache directory.
var ErrAbsent = errors.New("the large practice has not been generated")

// RepoRoot walks up from the working directory to the go.mod.
func RepoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// CacheDir is $CLINICDESK_BENCH_DIR, else <repo>/bench/out/large.
func CacheDir() string {
	if d := os.Getenv("CLINICDESK_BENCH_DIR"); d != "" {
		return d
	}
	return filepath.Join(RepoRoot(), "bench", "out", "large")
}

// Load reads the manifest of a finished practice in dir.
func Load(dir string) (demo.LargeInfo, error) {
	var info demo.LargeInfo
	b, err := os.ReadFile(filepath.Join(dir, Manifest))
	if errors.Is(err, fs.ErrNotExist) {
		return info, ErrAbsent
	}
	if err != nil {
		return info, err
	}
	return info, json.Unmarshal(b, &info)
}

// Generate builds the practice in dir+".tmp" and renames it to dir when it
// is complete, so an interrupted run never leaves a practice that looks
// finished. It logs progress lines to log about once a second.
func Generate(ctx context.Context, dir string, spec demo.LargeSpec, log io.Writer) (demo.LargeInfo, time.Duration, error) {
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return demo.LargeInfo{}, 0, err
	}
	start := time.Now()
	d, err := desk.Open(ctx, tmp, desk.Options{})
	if err != nil {
		return demo.LargeInfo{}, 0, err
	}
	var lastLog time.Time
	lastPhase := ""
	progress := func(done, total int64, phase string) {
		if log == nil || (phase == lastPhase && time.Since(lastLog) < time.Second && done != total) {
			return
		}
		lastLog, lastPhase = time.Now(), phase
		fmt.Fprintf(log, "  %6.1fs  %-13s %5.1f%%\n", time.Since(start).Seconds(), phase, 100*float64(done)/float64(total))
	}
	info, err := demo.GenerateLarge(ctx, d.DB, d.Blobs, time.Now(), spec, progress)
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return info, 0, err
	}
	took := time.Since(start)
	b, _ := json.MarshalIndent(info, "", "  ")
	if err := os.WriteFile(filepath.Join(tmp, Manifest), b, 0o600); err != nil {
		return info, took, err
	}
	if err := os.RemoveAll(dir); err != nil {
		return info, took, err
	}
	return info, took, os.Rename(tmp, dir)
}

// WorkCopy makes dst a copy of the practice in src: the database is copied,
// the blob files (immutable, content-addressed) are hard-linked when the
// file system allows and copied otherwise.
func WorkCopy(src, dst string) error {
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	return filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if e.IsDir() {
			return os.MkdirAll(to, 0o700)
		}
		if !e.Type().IsRegular() {
			return nil
		}
		if filepath.Base(filepath.Dir(filepath.Dir(filepath.Dir(rel)))) == "blobs" || filepath.Base(filepath.Dir(filepath.Dir(rel))) == "blobs" {
			if os.Link(p, to) == nil {
				return nil
			}
		}
		return copyFile(p, to)
	})
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
