package settings_test

import (
	"strings"
	"testing"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/settings"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

// Seed corpus: testdata/fuzz/FuzzSettingsValues. Run longer with:
// go test -run '^$' -fuzz '^FuzzSettingsValues$' ./backend/settings

// Settings values arrive from a form: a value inside its bounds is stored
// exactly; anything else is InvalidInput on that field and changes nothing.
func FuzzSettingsValues(f *testing.F) {
	for _, s := range []struct {
		n    int64
		m    int
		path string
	}{
		{50 << 20, 10, "/home/desk/Scans"}, {settings.MinFileBytes, settings.MinLockMins, "C:\\Scans"},
		{settings.MaxFileBytes, settings.MaxLockMins, " /x "}, {settings.MinFileBytes - 1, 0, ""},
		{settings.MaxFileBytes + 1, settings.MaxLockMins + 1, "\x00"}, {-1, -1, "   "}, {0, 0, "a\x00b"},
		{1<<63 - 1, 1<<31 - 1, "\u202e/evil"}, {-1 << 63, -1 << 31, strings.Repeat("p", 5000)},
	} {
		f.Add(s.n, s.m, s.path)
	}
	d, _ := testutil.Desk(f, false)
	owner := testutil.Actor(testutil.AddStaff(f, d, "Fuzz", store.RoleOwner))
	get := func(t *testing.T) store.Settings {
		s, err := store.GetSettings(d.DB.DB)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	refused := func(t *testing.T, err error, field string) {
		t.Helper()
		if e := apperr.As(err); err == nil || e.Code != apperr.InvalidInput || e.Field != field {
			t.Fatalf("%s: %v, want invalid input", field, err)
		}
	}
	f.Fuzz(func(t *testing.T, n int64, m int, path string) {
		before := get(t)
		_, err := d.Settings.SetMaxFileBytes(owner, n)
		if n >= settings.MinFileBytes && n <= settings.MaxFileBytes {
			if err != nil || get(t).MaxFileBytes != n {
				t.Fatalf("SetMaxFileBytes(%d): %v, stored %d", n, err, get(t).MaxFileBytes)
			}
		} else {
			refused(t, err, "maxFileBytes")
			if get(t).MaxFileBytes != before.MaxFileBytes {
				t.Fatalf("refused SetMaxFileBytes(%d) changed the limit", n)
			}
		}

		before = get(t)
		_, err = d.Settings.SetLockAfterMinutes(owner, m)
		if m >= settings.MinLockMins && m <= settings.MaxLockMins {
			if err != nil || get(t).LockAfterMinutes != m {
				t.Fatalf("SetLockAfterMinutes(%d): %v", m, err)
			}
		} else {
			refused(t, err, "lockAfterMinutes")
			if get(t).LockAfterMinutes != before.LockAfterMinutes {
				t.Fatalf("refused SetLockAfterMinutes(%d) changed it", m)
			}
		}

		before = get(t)
		_, err = d.Settings.SetScanInboxPath(owner, path)
		clean := strings.TrimSpace(path)
		if clean != "" && !strings.ContainsRune(clean, 0) {
			if err != nil || get(t).ScanInboxPath != clean {
				t.Fatalf("SetScanInboxPath(%q): %v, stored %q", path, err, get(t).ScanInboxPath)
			}
		} else {
			refused(t, err, "scanInboxPath")
			if get(t).ScanInboxPath != before.ScanInboxPath {
				t.Fatalf("refused SetScanInboxPath(%q) changed it", path)
			}
		}
	})
}
