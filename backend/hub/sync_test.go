package hub_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"clinicdesk/backend/audit"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
)

// seeded starts a hub, joins a demo desk A as the first desk (its practice
// becomes the hub's) and an empty desk B that pulls everything.
func seeded(t *testing.T, dsn string) (*testHub, *testDesk, *testDesk) {
	t.Helper()
	th := startHub(t, dsn)
	a := openDesk(t, "deskA", true)
	a.join(t, th)
	a.sync(t)
	if p, _ := th.hub().Practice(); p != sync.PracticeReady {
		t.Fatalf("after the first desk's snapshot the hub is %q, want ready", p)
	}
	b := openDesk(t, "deskB", false)
	b.join(t, th)
	b.sync(t)
	return th, a, b
}

func TestChangesOnEachDeskReachTheOther(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, a, b := seeded(t, newDSN())
		assertSame(t, th, a, b)

		// A writes a thread with a file; B changes a Client Alert and
		// Records Deletion; both sync; everything is everywhere.
		ownerA := a.staff(t, store.RoleOwner)
		c := a.client(t, 0)
		thr := a.compose(t, ownerA, c, "From desk A", []byte("hello from desk A\n"))
		ownerB := b.staff(t, store.RoleOwner)
		if _, err := b.Clients.SetAlert(ownerB, c.ID, "Prefers mornings (set on desk B)"); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Settings.SetRecordsDeletion(ownerB, true); err != nil {
			t.Fatal(err)
		}
		a.sync(t)
		b.sync(t)
		a.sync(t)
		assertSame(t, th, a, b)

		var alert string
		a.DB.Model(&store.Client{}).Where("id = ?", c.ID).Pluck("alert", &alert)
		if alert != "Prefers mornings (set on desk B)" {
			t.Errorf("desk A's alert = %q", alert)
		}
		var n int64
		b.DB.Model(&store.Thread{}).Where("id = ?", thr.ID).Count(&n)
		if n != 1 {
			t.Error("desk A's thread did not reach desk B")
		}
		for _, d := range []*testDesk{a, b} {
			if err := audit.Verify(d.DB.DB); err != nil {
				t.Errorf("%s audit chain after sync: %v", d.name, err)
			}
		}
		if s := b.eng.Status(); s.State != sync.StateOnline || s.Pending != 0 || s.LastSyncAt == "" {
			t.Errorf("desk B status = %+v", s)
		}
	})
}

func TestLastWriterWinsWhateverTheArrivalOrder(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, a, b := seeded(t, newDSN())
		c := a.client(t, 1)
		// A writes first, B writes later (newer HLC), but B pushes first.
		if _, err := a.Clients.SetAlert(a.staff(t, store.RoleOwner), c.ID, "older, from A"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		if _, err := b.Clients.SetAlert(b.staff(t, store.RoleOwner), c.ID, "newer, from B"); err != nil {
			t.Fatal(err)
		}
		b.sync(t)
		a.sync(t)
		b.sync(t)
		assertSame(t, th, a, b)
		var alert string
		a.DB.Model(&store.Client{}).Where("id = ?", c.ID).Pluck("alert", &alert)
		if alert != "newer, from B" {
			t.Errorf("alert = %q, want the newer write", alert)
		}
	})
}

func TestOfflineDeskCatchesUpByItself(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, a, b := seeded(t, newDSN())
		b.net.offline.Store(true)
		b.eng.Start(context.Background())
		owner := b.staff(t, store.RoleOwner)
		var clients []store.Client
		b.DB.Order("id").Find(&clients)
		for i := 0; i < 150; i++ {
			c := clients[i%len(clients)]
			if _, err := b.Clients.SetAlert(owner, c.ID, fmt.Sprintf("offline note %d", i)); err != nil {
				t.Fatal(err)
			}
		}
		b.compose(t, owner, clients[3], "Written offline", []byte("written while the hub was away\n"))
		a.compose(t, a.staff(t, store.RoleManager), clients[4], "Written on A meanwhile", []byte("desk A file\n"))
		a.sync(t)
		eventually(t, 5*time.Second, "desk B to report offline", func() bool {
			s := b.eng.Status()
			return s.State == sync.StateOffline && s.Pending > 150 && strings.Contains(s.LastError, "hub")
		})
		b.net.offline.Store(false)
		eventually(t, 20*time.Second, "desk B to push everything", func() bool {
			s := b.eng.Status()
			return s.Pending == 0 && s.State == sync.StateOnline
		})
		b.eng.Stop()
		b.sync(t)
		a.sync(t)
		assertSame(t, th, a, b)
	})
}

func TestPushCutOffAndRetriedCreatesNoDuplicates(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, a, b := seeded(t, newDSN())
		owner := a.staff(t, store.RoleOwner)
		for i := 0; i < 5; i++ {
			a.compose(t, owner, a.client(t, i), fmt.Sprintf("Cut test %d", i), []byte(fmt.Sprintf("file %d\n", i)))
		}
		ctx := context.Background()
		// The hub commits the batch but the answer is lost.
		a.net.loseAnswers.Store(1)
		if err := a.eng.Round(ctx); err == nil {
			t.Fatal("a round whose answer was lost reported success")
		}
		// The next push is cut after 300 bytes of its body.
		a.net.cutBodies.Store(1)
		a.net.cutAt = 300
		if err := a.eng.Round(ctx); err == nil {
			t.Fatal("a round whose request was cut reported success")
		}
		a.sync(t)
		b.sync(t)
		assertSame(t, th, a, b)
		var dup int64
		th.hub().DB().Raw(`SELECT COUNT(*) FROM (SELECT id FROM hub_changes GROUP BY id HAVING COUNT(*) > 1) d`).Scan(&dup)
		if dup != 0 {
			t.Errorf("%d changes logged twice", dup)
		}
		var threads int64
		b.DB.Model(&store.Thread{}).Where("subject LIKE 'Cut test %'").Count(&threads)
		if threads != 5 {
			t.Errorf("desk B has %d cut-test threads, want 5", threads)
		}
	})
}

func TestHubRestartedMidSyncLosesNothing(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, a, b := seeded(t, newDSN())
		owner := a.staff(t, store.RoleOwner)
		var clients []store.Client
		a.DB.Order("id").Find(&clients)
		for i := 0; i < 600; i++ {
			if _, err := a.Clients.SetAlert(owner, clients[i%len(clients)].ID, fmt.Sprintf("note %d", i)); err != nil {
				t.Fatal(err)
			}
		}
		a.compose(t, owner, clients[0], "Before the restart", []byte("restart file\n"))
		// On the third request of the round the hub process restarts.
		restarted := false
		a.net.onRequest = func(n int64, r *http.Request) {
			if !restarted && strings.HasSuffix(r.URL.Path, "/push") && a.net.requests.Load() > 2 {
				restarted = true
				th.restart()
			}
		}
		a.eng.Start(context.Background())
		eventually(t, 20*time.Second, "desk A to push everything after the restart", func() bool {
			s := a.eng.Status()
			return s.Pending == 0 && s.State == sync.StateOnline
		})
		a.eng.Stop()
		if !restarted {
			t.Fatal("the hub was never restarted")
		}
		a.sync(t)
		b.sync(t)
		assertSame(t, th, a, b)
	})
}

func TestSecondDeskWithItsOwnPracticeIsRefused(t *testing.T) {
	th := startHub(t, t.TempDir()+"/hub.db")
	a := openDesk(t, "deskA", true)
	a.join(t, th)
	a.sync(t)
	c := openDesk(t, "deskC", true)
	err := c.eng.Join(context.Background(), th.srv.URL, th.code())
	if err == nil || !strings.Contains(err.Error(), "--no-demo") {
		t.Fatalf("joining with data: %v, want a refusal that explains --no-demo", err)
	}
	if s := c.eng.Status(); s.Joined {
		t.Error("the refused desk says it joined")
	}
	empty := openDesk(t, "deskE", false)
	th2 := startHub(t, t.TempDir()+"/hub2.db")
	if err := empty.eng.Join(context.Background(), th2.srv.URL, th2.code()); err == nil || !strings.Contains(err.Error(), "no practice yet") {
		t.Fatalf("an empty desk seeding an empty hub: %v", err)
	}
}

// attachmentOf returns the one attachment of a thread.
func attachmentOf(t *testing.T, d *testDesk, threadID string) store.Attachment {
	t.Helper()
	var a store.Attachment
	if err := d.DB.Where("thread_id = ?", threadID).First(&a).Error; err != nil {
		t.Fatalf("%s: attachment of thread %s: %v", d.name, threadID, err)
	}
	return a
}

func TestHubUndoesADeleteMadeOfflineAfterRecordsDeletionWasTurnedOff(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		th, a, b := seeded(t, newDSN())
		ownerA, ownerB := a.staff(t, store.RoleOwner), b.staff(t, store.RoleOwner)
		thr := b.compose(t, ownerB, b.client(t, 2), "Please delete me later", []byte("to be deleted\n"))
		if _, err := a.Settings.SetRecordsDeletion(ownerA, true); err != nil {
			t.Fatal(err)
		}
		a.sync(t)
		b.sync(t)
		a.sync(t)
		// Desk B loses the network; meanwhile Records Deletion is turned off.
		if _, err := a.Settings.SetRecordsDeletion(a.staff(t, store.RoleManager), false); err != nil {
			t.Fatal(err)
		}
		a.sync(t)
		att := attachmentOf(t, b, thr.ID)
		if err := b.Attachments.Delete(ownerB, att.ID); err != nil {
			t.Fatalf("desk B (still seeing Records Deletion on) deletes: %v", err)
		}
		b.sync(t)
		got := attachmentOf(t, b, thr.ID)
		if got.DeletedAt != nil {
			t.Fatal("the hub refused the delete but desk B still shows the attachment deleted")
		}
		ns, err := b.eng.Notices()
		if err != nil || len(ns) != 1 || !strings.Contains(ns[0].Message, "Records Deletion") || ns[0].EntityID != att.ID {
			t.Fatalf("notices = %+v, %v; want one about Records Deletion", ns, err)
		}
		if s := b.eng.Status(); s.Notices != 1 {
			t.Errorf("status notices = %d", s.Notices)
		}
		if err := b.eng.DismissNotice(ns[0].ID); err != nil || b.eng.Status().Notices != 0 {
			t.Errorf("dismiss: %v", err)
		}
		a.sync(t)
		assertSame(t, th, a, b)
		var rd bool
		b.DB.Model(&store.Settings{}).Where("id = 1").Pluck("records_deletion", &rd)
		if rd {
			t.Error("desk B still has Records Deletion on")
		}
	})
}

func TestPushThroughput(t *testing.T) {
	th := startHub(t, t.TempDir()+"/hub.db")
	a := openDesk(t, "deskA", true)
	a.join(t, th)
	a.sync(t)
	owner := a.staff(t, store.RoleOwner)
	var clients []store.Client
	a.DB.Order("id").Find(&clients)
	const n = 1000
	for i := 0; i < n; i++ {
		if _, err := a.Clients.SetAlert(owner, clients[i%len(clients)].ID, fmt.Sprintf("n%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	a.Rec.CaptureAudit(a.DB)
	pending, _ := sync.PendingCount(a.DB.DB)
	var pushed time.Duration
	start := time.Now()
	a.net.onRequest = func(_ int64, r *http.Request) {
		if pushed == 0 && strings.HasSuffix(r.URL.Path, "/pull") {
			pushed = time.Since(start)
		}
	}
	a.sync(t)
	el := time.Since(start)
	t.Logf("pushed %d changes (client alerts and their audit entries) in %s: %.0f changes/s; the whole round with pulling them back took %s (SQLite hub on loopback, batches of 200)",
		pending, pushed.Round(time.Millisecond), float64(pending)/pushed.Seconds(), el.Round(time.Millisecond))
}

func TestTwoHubsOnOneDatabaseNeverHandOutACursorTwice(t *testing.T) {
	backends(t, func(t *testing.T, newDSN func() string) {
		dsn, dir := newDSN(), t.TempDir()
		h1 := startHubIn(t, dsn, dir)
		h2 := startHubIn(t, dsn, dir)
		a := openDesk(t, "deskA", true)
		a.join(t, h1)
		a.sync(t)
		b := openDesk(t, "deskB", false)
		b.join(t, h2)
		b.sync(t)
		// Both desks write at once, each through its own hub.
		ctx := context.Background()
		a.eng.Start(ctx)
		b.eng.Start(ctx)
		done := make(chan error, 2)
		for _, d := range []*testDesk{a, b} {
			go func(d *testDesk) {
				owner := d.staff(t, store.RoleOwner)
				var cs []store.Client
				d.DB.Order("id").Find(&cs)
				for i := 0; i < 120; i++ {
					if _, err := d.Clients.SetAlert(owner, cs[i%len(cs)].ID, fmt.Sprintf("%s %d", d.name, i)); err != nil {
						done <- err
						return
					}
					if i%40 == 0 {
						time.Sleep(20 * time.Millisecond)
					}
				}
				done <- nil
			}(d)
		}
		for i := 0; i < 2; i++ {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		eventually(t, 20*time.Second, "both desks to push everything", func() bool {
			return a.eng.Status().Pending == 0 && b.eng.Status().Pending == 0
		})
		a.eng.Stop()
		b.eng.Stop()
		a.sync(t)
		b.sync(t)
		a.sync(t)
		assertSame(t, h1, a, b)
		var dup int64
		h1.hub().DB().Raw(`SELECT COUNT(*) FROM (SELECT cursor FROM hub_changes GROUP BY cursor HAVING COUNT(*) > 1) d`).Scan(&dup)
		if dup != 0 {
			t.Errorf("%d cursors handed out twice", dup)
		}
	})
}

func TestHooksSeeEveryCommittedChangeOnceAndNoRolledBackOne(t *testing.T) {
	d := openDesk(t, "deskA", true)
	var got []store.Change
	d.eng.Hooks.Add("test", func(_ context.Context, cs []store.Change) { got = append(got, cs...) })
	ctx := context.Background()
	if err := d.eng.Hooks.Poll(ctx); err != nil { // the first poll only marks where the log ends
		t.Fatal(err)
	}
	owner := d.staff(t, store.RoleOwner)
	c := d.client(t, 0)
	if _, err := d.Clients.SetAlert(owner, c.ID, "hooked"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Clients.SetAlert(owner, c.ID, strings.Repeat("x", 501)); err == nil {
		t.Fatal("an over-long alert was accepted")
	}
	for i := 0; i < 2; i++ {
		if err := d.eng.Hooks.Poll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 1 || got[0].Entity != "client" || got[0].EntityID != c.ID || !strings.Contains(got[0].Payload, "hooked") {
		t.Fatalf("hooks saw %+v, want the one committed alert change", got)
	}
}
