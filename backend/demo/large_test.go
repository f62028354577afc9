package demo_test

import (
	"context"
	"testing"
	"time"

	"clinicdesk/backend/demo"
	"clinicdesk/backend/testutil"
)

func smallLarge() demo.LargeSpec {
	return demo.LargeSpec{Clients: 60, Threads: 400, Messages: 2500, Attachments: 500, HeavyThreads: 40, HeavyAttachments: 120,
		LongThread: 100, ExtraClinicians: 3, UniqueFiles: 30, Appointments: 50}
}

// TestLargePracticeHasTheSpecifiedShape: exact counts, the heaviest client's
// threads and attachments, the long thread, consistent foreign keys, a
// working search index, and the connection's pragmas restored.
func TestLargePracticeHasTheSpecifiedShape(t *testing.T) {
	d, _ := testutil.Desk(t, false)
	spec := smallLarge()
	var calls int
	start := time.Now()
	info, err := demo.GenerateLarge(context.Background(), d.DB, d.Blobs, testutil.Now, spec, func(done, total int64, phase string) {
		calls++
		if done > total || phase == "" {
			t.Errorf("progress %d/%d %q", done, total, phase)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	// At most every 100 ms, plus the few calls that mark a new phase or the end.
	if max := int(time.Since(start)/(100*time.Millisecond)) + 4; calls == 0 || calls > max {
		t.Errorf("%d progress calls, want 1..%d", calls, max)
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := d.DB.Raw(q, args...).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	for q, want := range map[string]int{
		`SELECT COUNT(*) FROM clients`:      spec.Clients,
		`SELECT COUNT(*) FROM threads`:      spec.Threads,
		`SELECT COUNT(*) FROM messages`:     spec.Messages,
		`SELECT COUNT(*) FROM attachments`:  spec.Attachments,
		`SELECT COUNT(*) FROM staff`:        6 + spec.ExtraClinicians,
		`SELECT COUNT(*) FROM participants`: info.Participants,
	} {
		if got := count(q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}
	if got := count(`SELECT COUNT(*) FROM participants WHERE kind = 'client' AND person_id = ?`, info.HeavyClientID); got != spec.HeavyThreads {
		t.Errorf("heaviest client has %d threads, want %d", got, spec.HeavyThreads)
	}
	if got := count(`SELECT COUNT(*) FROM attachments a JOIN participants p ON p.thread_id = a.thread_id AND p.kind = 'client' AND p.person_id = ?`, info.HeavyClientID); got != spec.HeavyAttachments {
		t.Errorf("heaviest client has %d attachments, want %d", got, spec.HeavyAttachments)
	}
	if got := count(`SELECT COUNT(*) FROM messages WHERE thread_id = ?`, info.LongThreadID); got != spec.LongThread {
		t.Errorf("long thread has %d messages, want %d", got, spec.LongThread)
	}
	if got := count(`SELECT COUNT(*) FROM participants WHERE thread_id = ? AND kind = 'staff' AND person_id = ?`, info.LongThreadID, info.HeavyStaffID); got != 1 {
		t.Error("the heavy clinician is not in the long thread")
	}
	if info.ShareAttachmentID == "" {
		t.Error("no attachment for the share toggle")
	}
	if got := count(`SELECT COUNT(*) FROM pragma_foreign_key_check`); got != 0 {
		t.Errorf("%d foreign key violations", got)
	}
	if got := count(`SELECT COUNT(*) FROM messages_fts WHERE messages_fts MATCH 'appointment'`); got == 0 {
		t.Error("search index finds nothing")
	}
	if got := count(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ('messages_fts_ins', 'thread_stats_ins')`); got != 2 {
		t.Error("search index and thread_stats triggers not restored")
	}
	if got := count(`SELECT COUNT(*) FROM thread_stats`); got != spec.Threads {
		t.Errorf("thread_stats has %d threads, want %d", got, spec.Threads)
	}
	if got := count(`SELECT message_count FROM thread_stats WHERE thread_id = ?`, info.LongThreadID); got != spec.LongThread {
		t.Errorf("thread_stats counts %d messages in the long thread, want %d", got, spec.LongThread)
	}
	if got := count(`SELECT COUNT(*) FROM blobs`); got != info.Blobs || got >= spec.UniqueFiles {
		t.Errorf("%d blobs for %d files: want fewer (repeated content is stored once)", got, spec.UniqueFiles)
	}
	var sha string
	must(t, d.DB.Raw(`SELECT blob_sha256 FROM attachments LIMIT 1`).Scan(&sha).Error)
	if err := d.Blobs.Verify(sha); err != nil {
		t.Errorf("attachment blob: %v", err)
	}
	// Every pooled connection is back to the desk's settings.
	for i := 0; i < 3; i++ {
		if got := count(`SELECT foreign_keys FROM pragma_foreign_keys`); got != 1 {
			t.Errorf("foreign_keys = %d after generation", got)
		}
		if got := count(`SELECT synchronous FROM pragma_synchronous`); got != 1 {
			t.Errorf("synchronous = %d after generation, want 1 (NORMAL)", got)
		}
	}
	if _, err := demo.GenerateLarge(context.Background(), d.DB, d.Blobs, testutil.Now, spec, nil); err != demo.ErrNotEmpty {
		t.Errorf("second run: %v, want ErrNotEmpty", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
