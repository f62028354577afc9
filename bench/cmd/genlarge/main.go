// Command genlarge writes the large demo practice (20,000 clients, 200,000
// threads, 1,000,000 messages, 200,000 attachments) into a data directory,
// for benchmarks or to run the app on it:
//
//	go run ./bench/cmd/genlarge --data-dir /tmp/large
//	./build/bin/clinicdesk --data-dir /tmp/large
//
// Without --data-dir it fills the benchmark cache (bench/out/large). An
// existing finished practice is kept unless --force is given.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"clinicdesk/backend/demo"
	"clinicdesk/bench/internal/largefix"
)

func main() {
	dir := flag.String("data-dir", "", "where to write the practice (default: the benchmark cache, bench/out/large)")
	force := flag.Bool("force", false, "generate again even when a finished practice is there")
	scale := flag.Int("divide", 1, "divide every count by this (a quick smaller practice for trying things)")
	flag.Parse()
	if *dir == "" {
		*dir = largefix.CacheDir()
	}
	if info, err := largefix.Load(*dir); err == nil && !*force {
		fmt.Printf("large practice already in %s (heaviest client %s); --force generates it again\n", *dir, info.HeavyClientID)
		return
	}
	spec := demo.DefaultLarge()
	if *scale > 1 {
		d := *scale
		spec = demo.LargeSpec{Clients: spec.Clients / d, Threads: spec.Threads / d, Messages: spec.Messages / d, Attachments: spec.Attachments / d,
			HeavyThreads: spec.HeavyThreads / d, HeavyAttachments: spec.HeavyAttachments / d, LongThread: spec.LongThread / d,
			ExtraClinicians: spec.ExtraClinicians, UniqueFiles: max(10, spec.UniqueFiles/d), Appointments: spec.Appointments / d}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	fmt.Printf("generating the large practice in %s\n", *dir)
	info, took, err := largefix.Generate(ctx, *dir, spec, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genlarge:", err)
		os.Exit(1)
	}
	summary := fmt.Sprintf("generated in %.1fs on %s: %d clients, %d threads, %d messages, %d attachments (%d distinct files, %d bytes), %d participants\n",
		took.Seconds(), time.Now().UTC().Format(time.RFC3339), spec.Clients, spec.Threads, spec.Messages, spec.Attachments, info.Blobs, info.BlobBytes, info.Participants)
	fmt.Print(summary)
	// Kept beside the practice so later benchmark runs can report it.
	_ = os.WriteFile(filepath.Join(*dir, "generated.txt"), []byte(summary), 0o600)
	fmt.Printf("heaviest client %s, clinician %s, long thread %s\n", info.HeavyClientID, info.HeavyStaffID, info.LongThreadID)
}
