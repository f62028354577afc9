package audit_test

import (
	"errors"
	"fmt"
	gosync "sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/audit"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// fill appends n entries (in batches of 100 per transaction) and returns the
// highest seq.
func fill(t *testing.T, d *desk.Desk, n int) int64 {
	t.Helper()
	for done := 0; done < n; {
		must(t, d.DB.Tx(func(tx *gorm.DB) error {
			for i := 0; i < 100 && done < n; i++ {
				if err := d.Audit.Append(tx, audit.Entry{StaffID: "s", Action: audit.ActView, ClientID: "c",
					Detail: map[string]any{"i": done, "name": fmt.Sprintf("file-%d.pdf", done)}}); err != nil {
					return err
				}
				done++
			}
			return nil
		}))
	}
	var max int64
	d.DB.Raw(`SELECT MAX(seq) FROM audit_events`).Scan(&max)
	return max
}

// tamper drops the append-only triggers, as someone editing the file with
// another tool could, and runs q.
func tamper(t *testing.T, d *desk.Desk, q string, args ...any) {
	t.Helper()
	must(t, d.DB.Exec(`DROP TRIGGER audit_append_only_upd`).Error)
	must(t, d.DB.Exec(`DROP TRIGGER audit_append_only_del`).Error)
	res := d.DB.Exec(q, args...)
	must(t, res.Error)
	if res.RowsAffected != 1 {
		t.Fatalf("%s touched %d rows", q, res.RowsAffected)
	}
}

func chainBreak(t *testing.T, err error) *audit.ChainError {
	t.Helper()
	var ce *audit.ChainError
	if !errors.As(err, &ce) {
		t.Fatalf("Verify = %v, want a *ChainError", err)
	}
	return ce
}

func TestChainVerifiesAfterManyActions(t *testing.T) {
	d, clk := testutil.Desk(t, false)
	s := testutil.Actor(testutil.AddStaff(t, d, "Sam", store.RoleOwner))
	c := testutil.AddClient(t, d, "Casey")
	// Real actions through the services...
	th, err := d.Messages.Compose(s, dto.ComposeRequest{ClientID: c.ID, Subject: "Hi", Body: "Hello"})
	must(t, err)
	for i := 0; i < 5; i++ {
		clk.Advance(time.Second)
		_, err = d.Messages.Reply(s, dto.ReplyRequest{ThreadID: th.ID, Body: "again"})
		must(t, err)
		_, err = d.Messages.Open(s, th.ID)
		must(t, err)
	}
	_, err = d.Settings.SetRecordsDeletion(s, true)
	must(t, err)
	_, err = d.Clients.SetAlert(s, c.ID, "Prefers mornings")
	must(t, err)
	// ...and enough entries that Verify reads more than one batch.
	last := fill(t, d, 1500)
	if last < 1500 {
		t.Fatalf("only %d entries", last)
	}
	if err := audit.Verify(d.DB.DB); err != nil {
		t.Fatalf("intact log: %v", err)
	}
}

func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	d, _ := testutil.Desk(t, false)
	var wg gosync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if err := d.DB.Tx(func(tx *gorm.DB) error {
					return d.Audit.Append(tx, audit.Entry{StaffID: fmt.Sprint(g), Action: audit.ActView})
				}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var n int64
	d.DB.Model(&store.AuditEvent{}).Count(&n)
	if n != 160 {
		t.Fatalf("%d entries, want 160", n)
	}
	if err := audit.Verify(d.DB.DB); err != nil {
		t.Fatalf("concurrent appends forked the chain: %v", err)
	}
}

func TestEditedAuditDetailBreaksTheChainAtThatEntry(t *testing.T) {
	for _, seq := range []int64{1, 7, 1100} {
		t.Run(fmt.Sprint(seq), func(t *testing.T) {
			t.Parallel()
			d, _ := testutil.Desk(t, false)
			fill(t, d, 1200)
			tamper(t, d, `UPDATE audit_events SET detail = '{"name":"innocent.pdf"}' WHERE seq = ?`, seq)
			if ce := chainBreak(t, audit.Verify(d.DB.DB)); ce.Seq != seq {
				t.Fatalf("break reported at %d, want %d (%v)", ce.Seq, seq, ce)
			}
		})
	}
}

func TestEditedAuditWhoOrWhenBreaksTheChain(t *testing.T) {
	for col, val := range map[string]any{"staff_id": "someone-else", "action": "preview", "at": "2020-01-01 00:00:00+00:00", "client_id": "other"} {
		t.Run(col, func(t *testing.T) {
			d, _ := testutil.Desk(t, false)
			fill(t, d, 20)
			tamper(t, d, `UPDATE audit_events SET `+col+` = ? WHERE seq = 10`, val)
			if ce := chainBreak(t, audit.Verify(d.DB.DB)); ce.Seq != 10 {
				t.Fatalf("break reported at %d, want 10", ce.Seq)
			}
		})
	}
}

func TestDeletedAuditEntryBreaksTheChainAtTheNextEntry(t *testing.T) {
	for _, seq := range []int64{1, 500, 1000} {
		t.Run(fmt.Sprint(seq), func(t *testing.T) {
			t.Parallel()
			d, _ := testutil.Desk(t, false)
			fill(t, d, 1200)
			tamper(t, d, `DELETE FROM audit_events WHERE seq = ?`, seq)
			// The entry after the gap no longer links to its predecessor.
			if ce := chainBreak(t, audit.Verify(d.DB.DB)); ce.Seq != seq+1 {
				t.Fatalf("break reported at %d, want %d (%v)", ce.Seq, seq+1, ce)
			}
		})
	}
}

func TestEditedHashBreaksTheChainAtThatEntry(t *testing.T) {
	d, _ := testutil.Desk(t, false)
	fill(t, d, 10)
	tamper(t, d, `UPDATE audit_events SET hash = 'forged' WHERE seq = 4`)
	ce := chainBreak(t, audit.Verify(d.DB.DB))
	if ce.Seq != 4 {
		t.Fatalf("break at %d, want 4", ce.Seq)
	}
}
