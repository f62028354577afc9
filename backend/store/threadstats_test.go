package store_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"clinicdesk/backend/store"
)

type stat struct {
	ThreadID      string
	MessageCount  int
	LastMessageID string
	LastRowid     int64
}

// truth computes every thread's count and last message (created_at, then id)
// from messages, the way thread lists used to.
func truth(t *testing.T, db *store.DB) map[string]stat {
	t.Helper()
	var rows []stat
	must(t, db.Raw(`SELECT t.thread_id AS thread_id, t.n AS message_count, m.id AS last_message_id, m.rowid AS last_rowid
		FROM (SELECT thread_id, COUNT(*) AS n FROM messages GROUP BY thread_id) t
		JOIN messages m ON m.rowid = (SELECT rowid FROM messages WHERE thread_id = t.thread_id ORDER BY created_at DESC, id DESC LIMIT 1)`).Scan(&rows).Error)
	out := map[string]stat{}
	for _, r := range rows {
		out[r.ThreadID] = r
	}
	return out
}

func stats(t *testing.T, db *store.DB) map[string]stat {
	t.Helper()
	var rows []stat
	must(t, db.Raw(`SELECT thread_id, message_count, last_message_id, last_message_rowid AS last_rowid FROM thread_stats`).Scan(&rows).Error)
	out := map[string]stat{}
	for _, r := range rows {
		out[r.ThreadID] = r
	}
	return out
}

func sameStats(t *testing.T, got, want map[string]stat) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("thread_stats has %d threads, messages %d", len(got), len(want))
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("thread %s: stats %+v, want %+v", id, got[id], w)
		}
	}
}

// TestThreadStatsFollowInsertsInAnyOrder: messages arriving out of order
// (from the hub), with equal times (id breaks the tie), and ignored
// duplicates leave thread_stats equal to what counting the messages gives.
func TestThreadStatsFollowInsertsInAnyOrder(t *testing.T) {
	db := openDB(t)
	must(t, db.Exec(`INSERT INTO staff (id, first_name, last_name, role, created_at, updated_at) VALUES ('s', 'S', 'T', 'clinician', '2025-01-01', '2025-01-01')`).Error)
	rng := rand.New(rand.NewPCG(1, 2))
	for th := 0; th < 5; th++ {
		must(t, db.Exec(`INSERT INTO threads (id, subject, created_by_kind, created_by_id, created_at, last_activity_at) VALUES (?, 'x', 'staff', 's', '2025-01-01', '2025-01-01')`,
			fmt.Sprintf("t%d", th)).Error)
	}
	for i := 0; i < 200; i++ {
		th := fmt.Sprintf("t%d", rng.IntN(5))
		at := fmt.Sprintf("2025-01-%02d 10:00:00+00:00", 1+rng.IntN(9)) // many equal times
		id := fmt.Sprintf("m%03d", rng.IntN(1000))
		must(t, db.Exec(`INSERT INTO messages (id, thread_id, author_kind, author_id, body, created_at) VALUES (?, ?, 'staff', 's', 'hi', ?) ON CONFLICT (id) DO NOTHING`,
			id, th, at).Error)
	}
	sameStats(t, stats(t, db), truth(t, db))
}

// TestUpgradeFillsThreadStatsFromExistingMessages: a schema-3 database with
// messages gets thread_stats filled by the migration.
func TestUpgradeFillsThreadStatsFromExistingMessages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v3.db")
	old, err := store.OpenAt(path, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range v1Rows {
		must(t, old.Exec(q).Error)
	}
	must(t, old.Close())
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := stats(t, db)
	sameStats(t, got, truth(t, db))
	if got["t1"].MessageCount != 2 || got["t1"].LastMessageID != "m2" {
		t.Errorf("t1 stats %+v, want 2 messages, last m2", got["t1"])
	}
}
