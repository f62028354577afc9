// Benchmarks on the large practice (backend/demo.GenerateLarge), for
// benchstat:
//
//	go run ./bench/cmd/genlarge                 # once; cached in bench/out/large
//	go test ./bench -run '^$' -bench . -count 6 | tee new.txt
//
// They skip when the practice has not been generated, unless
// CLINICDESK_BENCH_LARGE=1 asks to generate it first (a few minutes). Each
// run works on a copy, so writes (share toggles, compose, thread reads)
// never change the cached practice. Percentiles come from bench/cmd/latency.
package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"clinicdesk/backend/demo"
	"clinicdesk/bench/internal/largefix"
	"clinicdesk/bench/internal/ops"
)

var env *ops.Env

func TestMain(m *testing.M) {
	code := m.Run()
	if env != nil {
		env.Close()
	}
	os.Exit(code)
}

// large opens the working copy once per test binary.
func large(b testing.TB) *ops.Env {
	b.Helper()
	if env != nil {
		return env
	}
	cache := largefix.CacheDir()
	if _, err := largefix.Load(cache); errors.Is(err, largefix.ErrAbsent) {
		if os.Getenv("CLINICDESK_BENCH_LARGE") == "" {
			b.Skipf("no large practice in %s: run `go run ./bench/cmd/genlarge` or set CLINICDESK_BENCH_LARGE=1 to generate it (a few minutes)", cache)
		}
		fmt.Fprintf(os.Stderr, "generating the large practice in %s\n", cache)
		if _, _, err := largefix.Generate(context.Background(), cache, demo.DefaultLarge(), os.Stderr); err != nil {
			b.Fatal(err)
		}
	}
	e, err := ops.Open(context.Background(), cache)
	if err != nil {
		b.Fatal(err)
	}
	env = e
	return e
}

func run(b *testing.B, name string) {
	e := large(b)
	for _, op := range e.Ops() {
		if op.Name != name {
			continue
		}
		if err := op.Run(); err != nil { // warm
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if op.Prepare != nil {
				b.StopTimer()
				if err := op.Prepare(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			if err := op.Run(); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	b.Fatalf("no operation %s", name)
}

// The Messages tab of the heaviest client (2,000 threads, 10,000
// attachments) for the clinician in most of them, as api.Messages.Tab
// returns it: the newest 100 threads with unread counts and 150
// attachments, with the totals.
func BenchmarkMessagesTab(b *testing.B) { run(b, "MessagesTab") }

// The same with every attachment, as the tab holds it once the rest has
// come (Messages.MoreAttachments); the floors below select this much.
func BenchmarkMessagesTabWhole(b *testing.B) { run(b, "MessagesTabWhole") }

// The same data by hand-written SQL through database/sql: the floor.
func BenchmarkMessagesTabFloorSQL(b *testing.B) { run(b, "MessagesTabFloorSQL") }

// The floor SQL with each row packed into one column, as the app reads lists.
func BenchmarkMessagesTabFloorPacked(b *testing.B) { run(b, "MessagesTabFloorPacked") }

func BenchmarkMessagesTabThreads(b *testing.B)     { run(b, "MessagesTabThreads") }
func BenchmarkMessagesTabAttachments(b *testing.B) { run(b, "MessagesTabAttachments") }

// Open (and mark read) the heaviest client's thread of 1,000 messages.
func BenchmarkOpenThread1000(b *testing.B) { run(b, "OpenThread1000") }

// Client search as typed ("nak") and the clients list (empty query, 20,000).
func BenchmarkClientSearch(b *testing.B)  { run(b, "ClientSearch") }
func BenchmarkClientListAll(b *testing.B) { run(b, "ClientListAll") }

// Full-text message search (FTS5), in the actor's threads, 50 hits.
func BenchmarkSearchCommonWord(b *testing.B)      { run(b, "SearchCommonWord") }
func BenchmarkSearchTwoWords(b *testing.B)        { run(b, "SearchTwoWords") }
func BenchmarkSearchRareWord(b *testing.B)        { run(b, "SearchRareWord") }
func BenchmarkSearchPrefix(b *testing.B)          { run(b, "SearchPrefix") }
func BenchmarkSearchFewThreadsStaff(b *testing.B) { run(b, "SearchFewThreadsStaff") }

// Share an attachment with all staff, then make it private, alternately.
func BenchmarkShareToggle(b *testing.B) { run(b, "ShareToggle") }

// Stage a new 10 MB file from disk and send it in a new thread.
func BenchmarkCompose10MB(b *testing.B) { run(b, "Compose10MB") }

// Open the large practice's desk and run the sign-in screen's first query.
func BenchmarkAppStart(b *testing.B) { run(b, "AppStart") }

// TestFloorReturnsWhatTheAppReturns keeps the floor honest: on the large
// practice it selects as many threads and attachments as the app's path.
func TestFloorReturnsWhatTheAppReturns(t *testing.T) {
	e := large(t)
	tab, err := e.TabWhole(e.Heavy, e.Info.HeavyClientID)
	if err != nil {
		t.Fatal(err)
	}
	threads, atts, err := e.TabFloor(e.Heavy.StaffID, e.Info.HeavyClientID)
	if err != nil {
		t.Fatal(err)
	}
	nt, np, na, err := e.TabFloorPacked(e.Heavy.StaffID, e.Info.HeavyClientID)
	if err != nil {
		t.Fatal(err)
	}
	people := 0
	for _, th := range tab.Threads {
		people += len(th.Participants)
	}
	if len(threads) != len(tab.Threads) || nt != len(tab.Threads) || np != people || len(atts) != len(tab.Attachments) || na != len(tab.Attachments) {
		t.Fatalf("app: %d threads, %d people, %d attachments; floor: %d, -, %d; packed floor: %d, %d, %d",
			len(tab.Threads), people, len(tab.Attachments), len(threads), len(atts), nt, np, na)
	}
	for i := range threads {
		if threads[i].ID != tab.Threads[i].ID || threads[i].Unread != tab.Threads[i].Unread || threads[i].MessageCount != tab.Threads[i].MessageCount {
			t.Fatalf("thread %d: floor %+v, app %+v", i, threads[i], tab.Threads[i])
		}
	}
	for i := range atts {
		if atts[i].ID != tab.Attachments[i].ID {
			t.Fatalf("attachment %d: floor %s, app %s", i, atts[i].ID, tab.Attachments[i].ID)
		}
	}
	t.Logf("%d threads, %d attachments", len(threads), len(atts))
}
