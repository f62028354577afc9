// Command importbench measures importing files into the blob store the way
// the app does (files.Store.ImportPath, one file after another, as
// Files.StagePaths does), against `sha256sum` + `cp` of the same files
// (bench/run.sh times those).
//
//	go run ./bench/cmd/importbench -gen  -src bench/out/import/src   # once: the 1 GB mix
//	go run ./bench/cmd/importbench -src bench/out/import/src -store bench/out/import/store
//
// The mix: PDFs, plain text, CSV and PNG files from 10 KB to 50 MB (sizes
// spread evenly on a log scale, so most files are small and most bytes are
// in the large ones), 1 GiB in all, every file different.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"clinicdesk/backend/demo"
	"clinicdesk/backend/files"
)

func main() {
	src := flag.String("src", "bench/out/import/src", "folder of files to import")
	gen := flag.Bool("gen", false, "write the 1 GB mix into -src (when it is not there yet)")
	storeDir := flag.String("store", "bench/out/import/store", "blob store to import into (emptied first and after)")
	total := flag.Int64("bytes", 1<<30, "size of the mix for -gen")
	flag.Parse()
	if *gen {
		if err := generate(*src, *total); err != nil {
			fmt.Fprintln(os.Stderr, "importbench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*src, *storeDir); err != nil {
		fmt.Fprintln(os.Stderr, "importbench:", err)
		os.Exit(1)
	}
}

func run(src, storeDir string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	var paths []string
	var bytes int64
	for _, e := range entries {
		if e.Type().IsRegular() && e.Name()[0] != '.' {
			fi, _ := e.Info()
			bytes += fi.Size()
			paths = append(paths, filepath.Join(src, e.Name()))
		}
	}
	if err := os.RemoveAll(storeDir); err != nil {
		return err
	}
	defer os.RemoveAll(storeDir)
	s, err := files.NewStore(storeDir)
	if err != nil {
		return err
	}
	start := time.Now()
	for _, p := range paths {
		if _, _, err := s.ImportPath(context.Background(), p, files.DefaultMaxBytes, nil); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	took := time.Since(start)
	fmt.Printf("import files=%d bytes=%d seconds=%.3f MBps=%.1f\n", len(paths), bytes, took.Seconds(), float64(bytes)/1e6/took.Seconds())
	return nil
}

// generate writes the mix; a finished mix has a .done marker.
func generate(dir string, total int64) error {
	done := filepath.Join(dir, ".done")
	if _, err := os.Stat(done); err == nil {
		fmt.Printf("mix already in %s\n", dir)
		return nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(8, 1))
	lo, hi := math.Log(10<<10), math.Log(50<<20)
	var sizes []int64
	var sum int64
	for sum < total {
		n := int64(math.Exp(lo + rng.Float64()*(hi-lo)))
		n = min(n, total-sum)
		if n < 10<<10 {
			n = 10 << 10
		}
		sizes = append(sizes, n)
		sum += n
	}
	rng.Shuffle(len(sizes), func(i, j int) { sizes[i], sizes[j] = sizes[j], sizes[i] })
	for i, n := range sizes {
		var err error
		switch {
		case i%7 == 3 && n <= 4<<20:
			err = writePNG(filepath.Join(dir, fmt.Sprintf("scan-%04d.png", i)), n, rng)
		case i%3 == 0:
			err = writeFile(filepath.Join(dir, fmt.Sprintf("letter-%04d.pdf", i)), demo.SamplePDF("Letter", fmt.Sprintf("No. %d", i)), n, rng, false)
		case i%3 == 1:
			err = writeFile(filepath.Join(dir, fmt.Sprintf("notes-%04d.txt", i)), nil, n, rng, false)
		default:
			err = writeFile(filepath.Join(dir, fmt.Sprintf("log-%04d.csv", i)), []byte("date,value,notes\n"), n, rng, true)
		}
		if err != nil {
			return err
		}
	}
	fmt.Printf("wrote %d files, %d bytes, into %s\n", len(sizes), sum, dir)
	return os.WriteFile(done, nil, 0o600)
}

const words = "appointment insurance worksheet homework sleep anxiety breathing journal medication referral invoice receipt parking schedule "

// writeFile writes head and then lines of words (or CSV rows) up to n bytes.
func writeFile(path string, head []byte, n int64, rng *rand.Rand, csv bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	written, _ := w.Write(head)
	left := n - int64(written)
	var line []byte
	for left > 0 {
		line = line[:0]
		if csv {
			line = fmt.Appendf(line, "2026-%02d-%02d,%d,%x\n", 1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(10), rng.Uint64())
		} else {
			for k := 0; k < 10; k++ {
				start := rng.IntN(len(words) - 12)
				line = append(line, words[start:start+12]...)
			}
			line = fmt.Appendf(line, " %x\n", rng.Uint64())
		}
		if int64(len(line)) > left {
			line = line[:left]
		}
		k, err := w.Write(line)
		if err != nil {
			f.Close()
			return err
		}
		left -= int64(k)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writePNG writes a noisy PNG of roughly n bytes (noise does not compress).
func writePNG(path string, n int64, rng *rand.Rand) error {
	side := max(16, int(math.Sqrt(float64(n)/3)))
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = byte(rng.Uint32())
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
