package auth_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/auth"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

const pin = "135790"

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// withPIN adds a staff member whose PIN is pin.
func withPIN(t *testing.T, d *desk.Desk, role string) store.Staff {
	t.Helper()
	s := testutil.AddStaff(t, d, "Pat", role)
	h, err := auth.Hash(pin)
	must(t, err)
	must(t, d.DB.Model(&store.Staff{}).Where("id = ?", s.ID).Update("credential", h).Error)
	return s
}

func failedAudits(t *testing.T, d *desk.Desk, staffID string) int64 {
	var n int64
	must(t, d.DB.Model(&store.AuditEvent{}).Where("staff_id = ? AND action = ?", staffID, "sign_in_failed").Count(&n).Error)
	return n
}

func TestHashVerifyRoundTripAndWrongSecretFails(t *testing.T) {
	h, err := auth.Hash(pin)
	must(t, err)
	if strings.Contains(h, pin) || !strings.HasPrefix(h, "$argon2id$") {
		t.Fatalf("hash %q is not an argon2id encoding or holds the PIN", h)
	}
	if !auth.Verify(h, pin) {
		t.Fatal("the right PIN does not verify")
	}
	for _, wrong := range []string{"", "135791", "13579", pin + "0", " " + pin} {
		if auth.Verify(h, wrong) {
			t.Errorf("wrong secret %q verifies", wrong)
		}
	}
	h2, err := auth.Hash(pin)
	must(t, err)
	if h2 == h {
		t.Error("two hashes of one PIN are equal: no salt")
	}
	for _, bad := range []string{"", pin, "$argon2id$v=19$m=1,t=1,p=1$$", "$bcrypt$x$y$z$w", strings.Replace(h, "$argon2id$", "$argon2i$", 1)} {
		if auth.Verify(bad, pin) {
			t.Errorf("malformed hash %q verifies", bad)
		}
	}
}

func TestFiveWrongTriesLockTheAccountEvenForTheRightPIN(t *testing.T) {
	d, clk := testutil.Desk(t, false)
	s := withPIN(t, d, store.RoleClinician)
	for i := 1; i < auth.MaxFailedTries; i++ {
		if _, err := d.Auth.SignIn(s.ID, "000000"); !apperr.Is(err, apperr.BadCredentials) {
			t.Fatalf("wrong try %d: %v, want bad_credentials", i, err)
		}
	}
	if _, err := d.Auth.SignIn(s.ID, "000000"); !apperr.Is(err, apperr.AccountLocked) {
		t.Fatalf("fifth wrong try: %v, want account_locked", err)
	}
	if _, err := d.Auth.SignIn(s.ID, pin); !apperr.Is(err, apperr.AccountLocked) {
		t.Fatalf("right PIN while locked: %v, want account_locked", err)
	}
	if d.Session.Actor().StaffID != "" {
		t.Fatal("a locked account got signed in")
	}
	clk.Advance(auth.LockoutFor - time.Second)
	if _, err := d.Auth.SignIn(s.ID, pin); !apperr.Is(err, apperr.AccountLocked) {
		t.Fatalf("right PIN a second before the lock-out ends: %v", err)
	}
	clk.Advance(time.Second)
	a, err := d.Auth.SignIn(s.ID, pin)
	if err != nil {
		t.Fatalf("right PIN after the lock-out: %v", err)
	}
	if a.StaffID != s.ID || d.Session.Actor().StaffID != s.ID {
		t.Fatalf("signed in as %+v", a)
	}
}

func TestSuccessfulSignInResetsTheFailedCount(t *testing.T) {
	d, _ := testutil.Desk(t, false)
	s := withPIN(t, d, store.RoleFrontDesk)
	for i := 1; i < auth.MaxFailedTries; i++ {
		d.Auth.SignIn(s.ID, "000000")
	}
	if _, err := d.Auth.SignIn(s.ID, pin); err != nil {
		t.Fatal(err)
	}
	var row store.Staff
	must(t, d.DB.First(&row, "id = ?", s.ID).Error)
	if row.FailedTries != 0 || row.LockedUntil != nil {
		t.Fatalf("after success: tries=%d locked=%v", row.FailedTries, row.LockedUntil)
	}
	// Four more wrong tries do not lock: the count started again.
	for i := 1; i < auth.MaxFailedTries; i++ {
		if _, err := d.Auth.SignIn(s.ID, "000000"); !apperr.Is(err, apperr.BadCredentials) {
			t.Fatalf("wrong try %d after a success: %v", i, err)
		}
	}
}

func TestEveryFailedSignInIsAudited(t *testing.T) {
	d, clk := testutil.Desk(t, false)
	s := withPIN(t, d, store.RoleOwner)
	for i := 1; i <= auth.MaxFailedTries; i++ {
		d.Auth.SignIn(s.ID, "000000")
		if n := failedAudits(t, d, s.ID); n != int64(i) {
			t.Fatalf("after %d wrong tries, %d audit entries", i, n)
		}
	}
	// Tries while locked are failed tries too, right PIN or not.
	d.Auth.SignIn(s.ID, pin)
	d.Auth.SignIn(s.ID, "999999")
	if n := failedAudits(t, d, s.ID); n != auth.MaxFailedTries+2 {
		t.Fatalf("tries while locked: %d audit entries, want %d", n, auth.MaxFailedTries+2)
	}
	clk.Advance(auth.LockoutFor)
	_, err := d.Auth.SignIn(s.ID, pin)
	must(t, err)
	var ok int64
	d.DB.Model(&store.AuditEvent{}).Where("staff_id = ? AND action = ?", s.ID, "sign_in").Count(&ok)
	if ok != 1 {
		t.Errorf("%d sign_in entries, want 1", ok)
	}
	var details []string
	d.DB.Model(&store.AuditEvent{}).Where("staff_id = ?", s.ID).Pluck("detail", &details)
	for _, det := range details {
		if strings.Contains(det, pin) || strings.Contains(det, "000000") {
			t.Fatalf("a secret reached the audit log: %s", det)
		}
	}
}

func TestUnknownOrInactiveStaffCannotSignIn(t *testing.T) {
	d, _ := testutil.Desk(t, false)
	s := withPIN(t, d, store.RoleClinician)
	must(t, d.DB.Model(&store.Staff{}).Where("id = ?", s.ID).Update("active", false).Error)
	for _, id := range []string{s.ID, "no-such-staff", ""} {
		if _, err := d.Auth.SignIn(id, pin); !apperr.Is(err, apperr.BadCredentials) {
			t.Errorf("sign in as %q: %v, want bad_credentials", id, err)
		}
	}
	// An account with no credential takes no secret at all, not even an
	// empty one (a forged staff row with an empty credential must never
	// open the desk: issue 12, item 2).
	fresh := testutil.AddStaff(t, d, "New", store.RoleOwner)
	must(t, d.DB.Model(&store.Staff{}).Where("id = ?", fresh.ID).Update("credential", "").Error)
	for _, secret := range []string{"anything", ""} {
		if _, err := d.Auth.SignIn(fresh.ID, secret); !apperr.Is(err, apperr.BadCredentials) {
			t.Errorf("account without a credential, secret %q: %v, want bad_credentials", secret, err)
		}
	}
	if a := d.Session.Actor(); a.StaffID != "" {
		t.Errorf("signed in as %+v", a)
	}
}

func TestLockHidesTheActorUntilSignIn(t *testing.T) {
	d, _ := testutil.Desk(t, false)
	s := withPIN(t, d, store.RoleManager)
	_, err := d.Auth.SignIn(s.ID, pin)
	must(t, err)
	if d.Session.Actor().StaffID != s.ID {
		t.Fatal("not signed in")
	}
	must(t, d.Auth.Lock())
	if a := d.Session.Actor(); a.StaffID != "" || a.Valid() {
		t.Fatalf("locked desk still acts as %+v", a)
	}
	if locked, who := d.Session.Locked(); !locked || who.StaffID != s.ID {
		t.Fatalf("Locked() = %v, %+v", locked, who)
	}
	// Services refuse the hidden actor.
	if _, err := d.Clients.Search(d.Session.Actor(), "", 0); !apperr.Is(err, apperr.NotSignedIn) {
		t.Fatalf("search while locked: %v", err)
	}
	must(t, d.Auth.Lock()) // locking twice is harmless and audited once
	var locks int64
	d.DB.Model(&store.AuditEvent{}).Where("action = ?", "lock").Count(&locks)
	if locks != 1 {
		t.Errorf("%d lock entries, want 1", locks)
	}
	if _, err := d.Auth.SignIn(s.ID, "000000"); err == nil {
		t.Fatal("wrong PIN unlocked the desk")
	}
	if d.Session.Actor().StaffID != "" {
		t.Fatal("a failed sign-in unlocked the desk")
	}
	_, err = d.Auth.SignIn(s.ID, pin)
	must(t, err)
	if locked, _ := d.Session.Locked(); locked || d.Session.Actor().StaffID != s.ID {
		t.Fatal("sign-in did not unlock")
	}
	must(t, d.Auth.SignOut())
	if d.Session.Actor().StaffID != "" {
		t.Fatal("signed out but still acting")
	}
}

func TestCheckSecretRules(t *testing.T) {
	cases := map[string]bool{
		"123456":               true,
		"0000000000":           true,
		"12345":                false,
		"":                     false,
		"short":                false,
		"abc123def":            false,
		"long enough password": true,
		"ééééééééé":            false, // 9 characters, 18 bytes
		"éééééééééé":           true,  // 10 characters
		"12345 ":               false, // not all digits, and short
	}
	for secret, ok := range cases {
		err := auth.CheckSecret(secret)
		if (err == nil) != ok {
			t.Errorf("CheckSecret(%q) = %v, want ok=%v", secret, err, ok)
		}
		if err != nil && !apperr.Is(err, apperr.InvalidInput) {
			t.Errorf("CheckSecret(%q) error is not invalid_input: %v", secret, err)
		}
	}
}

// A stored hash names its own cost. One whose rounds or lanes lie outside the
// bounds never matches, even when it is a true hash of the secret, so a
// credential from elsewhere cannot make sign-in run for minutes.
func TestVerifyRefusesCostsOutsideTheBounds(t *testing.T) {
	salt := []byte("0123456789abcdef")
	enc := func(m, tm uint32, p uint8) string {
		key := argon2.IDKey([]byte("246810"), salt, tm, m, p, 32)
		return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, m, tm, p,
			base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
	}
	if !auth.Verify(enc(64, 1, 1), "246810") {
		t.Fatal("a cheap but valid hash inside the bounds was refused: the test proves nothing")
	}
	for name, e := range map[string]string{"11 rounds": enc(64, 11, 1), "17 lanes": enc(17*8, 1, 17)} {
		if auth.Verify(e, "246810") {
			t.Errorf("%s: accepted", name)
		}
	}
}
