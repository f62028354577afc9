package api

import (
	"testing"

	"clinicdesk/backend/demo"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

func TestCurrentSessionShowsWhoLockedTheDeskAndNoStaff(t *testing.T) {
	d, _ := testutil.Desk(t, true)
	s := &Session{&Base{Desk: d}}
	var priya store.Staff
	if err := d.DB.Where("first_name = ?", "Priya").First(&priya).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(priya.ID, demo.PIN); err != nil {
		t.Fatal(err)
	}
	if err := s.Lock(); err != nil {
		t.Fatal(err)
	}
	cur, err := s.Current()
	if err != nil {
		t.Fatal(err)
	}
	if cur.Staff != nil || cur.CanManage {
		t.Fatalf("locked desk still reports a signed-in staff member: %+v", cur)
	}
	if cur.LockedBy == nil || cur.LockedBy.ID != priya.ID {
		t.Fatalf("lockedBy = %+v, want Priya", cur.LockedBy)
	}
	if _, err := (&Clients{s.Base}).Search(""); err == nil {
		t.Fatal("a locked desk answered a client search")
	}
}
