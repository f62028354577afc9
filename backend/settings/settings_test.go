package settings_test

import (
	"encoding/json"
	"testing"
	"time"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/settings"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
	"clinicdesk/backend/testutil"
)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

type writes struct{ audit, changes int64 }

func count(t *testing.T, d *desk.Desk) (w writes, row string) {
	t.Helper()
	d.DB.Model(&store.AuditEvent{}).Count(&w.audit)
	var err error
	w.changes, err = sync.PendingCount(d.DB.DB)
	must(t, err)
	s, err := store.GetSettings(d.DB.DB)
	must(t, err)
	b, err := json.Marshal(s)
	must(t, err)
	return w, string(b)
}

func settingsRow(t *testing.T, d *desk.Desk) store.Settings {
	t.Helper()
	s, err := store.GetSettings(d.DB.DB)
	must(t, err)
	return s
}

func actors(t *testing.T, d *desk.Desk) map[string]access.Actor {
	out := map[string]access.Actor{}
	for _, r := range []string{store.RoleOwner, store.RoleManager, store.RoleClinician, store.RoleFrontDesk} {
		out[r] = testutil.Actor(testutil.AddStaff(t, d, r, r))
	}
	return out
}

// TestOnlyOwnerOrManagerChangeSettings: a clinician or front desk is refused
// with OwnerOrManagerOnly for every setting and nothing is written.
func TestOnlyOwnerOrManagerChangeSettings(t *testing.T) {
	d, _ := testutil.Desk(t, false)
	as := actors(t, d)
	changes := map[string]func(a access.Actor) error{
		"records deletion": func(a access.Actor) error { _, err := d.Settings.SetRecordsDeletion(a, true); return err },
		"max file bytes":   func(a access.Actor) error { _, err := d.Settings.SetMaxFileBytes(a, 10<<20); return err },
		"lock minutes":     func(a access.Actor) error { _, err := d.Settings.SetLockAfterMinutes(a, 3); return err },
		"scan inbox":       func(a access.Actor) error { _, err := d.Settings.SetScanInboxPath(a, t.TempDir()); return err },
	}
	for name, change := range changes {
		for _, role := range []string{store.RoleClinician, store.RoleFrontDesk} {
			before, setBefore := count(t, d)
			if err := change(as[role]); !apperr.Is(err, apperr.OwnerOrManagerOnly) {
				t.Errorf("%s by %s: %v, want owner_or_manager_only", name, role, err)
			}
			after, setAfter := count(t, d)
			if before != after || setBefore != setAfter {
				t.Errorf("%s refused for %s but wrote: %+v → %+v", name, role, before, after)
			}
		}
		if err := change(access.Actor{}); !apperr.Is(err, apperr.NotSignedIn) {
			t.Errorf("%s signed out: %v", name, err)
		}
		for _, role := range []string{store.RoleOwner, store.RoleManager} {
			if err := change(as[role]); err != nil {
				t.Errorf("%s by %s: %v", name, role, err)
			}
		}
	}
	for _, role := range []string{store.RoleClinician, store.RoleFrontDesk} {
		got, err := d.Settings.Get(as[role])
		must(t, err)
		if got.CanChange {
			t.Errorf("%s is told they can change settings", role)
		}
	}
}

func TestRecordsDeletionChangeRecordsWhoWhenAndIsAudited(t *testing.T) {
	d, clk := testutil.Desk(t, false)
	as := actors(t, d)
	clk.Advance(time.Hour)
	before, _ := count(t, d)
	got, err := d.Settings.SetRecordsDeletion(as[store.RoleManager], true)
	must(t, err)
	after, _ := count(t, d)
	set := settingsRow(t, d)
	if !set.RecordsDeletion || set.RecordsDeletionChangedBy == nil || *set.RecordsDeletionChangedBy != as[store.RoleManager].StaffID ||
		set.RecordsDeletionChangedAt == nil || !set.RecordsDeletionChangedAt.Equal(clk.Now()) {
		t.Fatalf("settings row = %+v", set)
	}
	if !got.RecordsDeletion || got.RecordsDeletionChangedBy != as[store.RoleManager].Name || got.RecordsDeletionChangedAt != clock.RFC3339(clk.Now()) {
		t.Errorf("settings DTO = %+v", got)
	}
	if after.audit != before.audit+1 || after.changes != before.changes+1 {
		t.Errorf("writes %+v → %+v, want one audit entry and one change", before, after)
	}
	var ev store.AuditEvent
	must(t, d.DB.Order("seq DESC").First(&ev).Error)
	var detail map[string]any
	must(t, json.Unmarshal([]byte(ev.Detail), &detail))
	if ev.Action != "setting_changed" || ev.StaffID != as[store.RoleManager].StaffID || detail["setting"] != "records_deletion" || detail["value"] != true {
		t.Errorf("audit entry = %+v", ev)
	}

	// Turning it off again records the owner and the later time.
	clk.Advance(time.Hour)
	_, err = d.Settings.SetRecordsDeletion(as[store.RoleOwner], false)
	must(t, err)
	set = settingsRow(t, d)
	if set.RecordsDeletion || *set.RecordsDeletionChangedBy != as[store.RoleOwner].StaffID || !set.RecordsDeletionChangedAt.Equal(clk.Now()) {
		t.Errorf("after turning off: %+v", set)
	}
	// Other settings survive the save.
	if set.MaxFileBytes != 50<<20 || set.LockAfterMinutes != 10 {
		t.Errorf("other settings changed: %+v", set)
	}
}

func TestFileSizeAndLockBoundsAreEnforced(t *testing.T) {
	d, _ := testutil.Desk(t, false)
	owner := actors(t, d)[store.RoleOwner]
	for _, n := range []int64{settings.MinFileBytes, settings.MaxFileBytes} {
		got, err := d.Settings.SetMaxFileBytes(owner, n)
		if err != nil || got.MaxFileBytes != n {
			t.Errorf("max file bytes %d: %v (%d)", n, err, got.MaxFileBytes)
		}
	}
	for _, m := range []int{settings.MinLockMins, settings.MaxLockMins} {
		got, err := d.Settings.SetLockAfterMinutes(owner, m)
		if err != nil || got.LockAfterMinutes != m {
			t.Errorf("lock minutes %d: %v (%d)", m, err, got.LockAfterMinutes)
		}
	}
	before, setBefore := count(t, d)
	for _, n := range []int64{0, -1, settings.MinFileBytes - 1, settings.MaxFileBytes + 1} {
		if _, err := d.Settings.SetMaxFileBytes(owner, n); !apperr.Is(err, apperr.InvalidInput) {
			t.Errorf("max file bytes %d: %v, want invalid_input", n, err)
		}
	}
	for _, m := range []int{0, -5, settings.MinLockMins - 1, settings.MaxLockMins + 1} {
		if _, err := d.Settings.SetLockAfterMinutes(owner, m); !apperr.Is(err, apperr.InvalidInput) {
			t.Errorf("lock minutes %d: %v, want invalid_input", m, err)
		}
	}
	for _, p := range []string{"", "   ", "bad\x00path"} {
		if _, err := d.Settings.SetScanInboxPath(owner, p); !apperr.Is(err, apperr.InvalidInput) {
			t.Errorf("scan inbox %q: %v, want invalid_input", p, err)
		}
	}
	after, setAfter := count(t, d)
	if before != after || setBefore != setAfter {
		t.Errorf("out-of-bounds values wrote: %+v → %+v", before, after)
	}
}
