package desk_test

import (
	"context"
	"testing"

	"clinicdesk/backend/audit"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

func TestDemoPracticeHasEveryRoleClientsThreadsAndFiles(t *testing.T) {
	d, _ := testutil.Desk(t, true)
	var roles []string
	d.DB.Model(&store.Staff{}).Distinct().Pluck("role", &roles)
	if len(roles) != 4 {
		t.Errorf("roles = %v, want all four", roles)
	}
	count := func(m any) int64 { var n int64; d.DB.Model(m).Count(&n); return n }
	if n := count(&store.Staff{}); n < 5 {
		t.Errorf("staff = %d, want at least 5", n)
	}
	if n := count(&store.Client{}); n != 40 {
		t.Errorf("clients = %d, want 40", n)
	}
	if n := count(&store.Appointment{}); n < 20 {
		t.Errorf("appointments = %d", n)
	}
	if n := count(&store.Attachment{}); n < 10 {
		t.Errorf("attachments = %d", n)
	}
	var shared, private int64
	d.DB.Model(&store.Attachment{}).Where("shared_with_staff = 1").Count(&shared)
	d.DB.Model(&store.Attachment{}).Where("shared_with_staff = 0").Count(&private)
	if shared == 0 || private == 0 {
		t.Errorf("shared=%d private=%d, want some of each", shared, private)
	}
	var group int64
	d.DB.Raw(`SELECT COUNT(*) FROM (SELECT thread_id FROM participants GROUP BY thread_id HAVING COUNT(*) > 2)`).Scan(&group)
	if group == 0 {
		t.Error("no group threads in the demo")
	}
	var blobs []store.Blob
	d.DB.Find(&blobs)
	for _, b := range blobs {
		if !d.Blobs.Has(b.SHA256) {
			t.Errorf("blob %s is in the database but not in the store", b.SHA256)
		}
	}
	if err := audit.Verify(d.DB.DB); err != nil {
		t.Error(err)
	}
}

func TestReopeningNeverOverwritesAPractice(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	d, err := desk.Open(ctx, dir, desk.Options{Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	var first []string
	d.DB.Model(&store.Client{}).Order("id").Pluck("id", &first)
	d.Close()
	d, err = desk.Open(ctx, dir, desk.Options{Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var again []string
	d.DB.Model(&store.Client{}).Order("id").Pluck("id", &again)
	if len(first) != len(again) || first[0] != again[0] {
		t.Fatalf("clients changed on reopen: %d → %d", len(first), len(again))
	}
}

// TestDemoMessagesThatSpeakOfAFileCarryIt: a demo message that says "Here's
// the picture of my card." has the picture attached.
func TestDemoMessagesThatSpeakOfAFileCarryIt(t *testing.T) {
	d, _ := testutil.Desk(t, true)
	for body, want := range map[string]string{
		"Here's the picture of my card.": "Insurance card.png",
		"I filled it in, attached.":      "Intake form.pdf",
	} {
		var total, carrying int64
		d.DB.Model(&store.Message{}).Where("body = ?", body).Count(&total)
		d.DB.Raw(`SELECT COUNT(*) FROM messages m WHERE m.body = ?
			AND EXISTS (SELECT 1 FROM attachments a WHERE a.message_id = m.id AND a.name = ?)`, body, want).Scan(&carrying)
		if total == 0 {
			t.Fatalf("the demo has no message %q", body)
		}
		if carrying != total {
			t.Errorf("%d of %d messages %q carry %q", carrying, total, body, want)
		}
	}
}
