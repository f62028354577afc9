package auth_test

import (
	"crypto/ed25519"
	"testing"

	"clinicdesk/backend/auth"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

// The sealed key opens with the right secret only, only for its own staff
// member, and only as the private half of its public key.
func TestSealedKeyOpensOnlyWithItsPINForItsMember(t *testing.T) {
	pub, sealed, err := auth.NewStaffKey("s-1", pin)
	must(t, err)
	key, err := auth.Unseal("s-1", pub, sealed, pin)
	must(t, err)
	pk, _ := auth.ParsePublicKey(pub)
	if !key.Public().(ed25519.PublicKey).Equal(pk) {
		t.Fatal("the opened key is not the public key's")
	}
	other, _, err := auth.NewStaffKey("s-2", pin)
	must(t, err)
	for name, try := range map[string]func() error{
		"wrong PIN":         func() error { _, err := auth.Unseal("s-1", pub, sealed, "135791"); return err },
		"empty PIN":         func() error { _, err := auth.Unseal("s-1", pub, sealed, ""); return err },
		"another member":    func() error { _, err := auth.Unseal("s-2", pub, sealed, pin); return err },
		"another pub key":   func() error { _, err := auth.Unseal("s-1", other, sealed, pin); return err },
		"damaged":           func() error { _, err := auth.Unseal("s-1", pub, sealed[:len(sealed)-2]+"AA", pin); return err },
		"not sealed at all": func() error { _, err := auth.Unseal("s-1", pub, "", pin); return err },
	} {
		if try() == nil {
			t.Errorf("%s: the key opened", name)
		}
	}
	if !auth.ValidSealedKey(sealed) || auth.ValidSealedKey("") || auth.ValidHash("") {
		t.Error("format checks")
	}
}

// Sign-in opens the member's key (making one the first time), and locking,
// signing out and switching drop it.
func TestSignInOpensTheSigningKeyAndLockDropsIt(t *testing.T) {
	d, _ := testutil.Desk(t, false)
	s := withPIN(t, d, store.RoleManager)
	if _, _, ok := d.Session.SigningKey(); ok {
		t.Fatal("a key before anyone signed in")
	}
	_, err := d.Auth.SignIn(s.ID, pin)
	must(t, err)
	id, key, ok := d.Session.SigningKey()
	if !ok || id != s.ID {
		t.Fatalf("after sign-in: %q, %v", id, ok)
	}
	var row store.Staff
	must(t, d.DB.Where("id = ?", s.ID).First(&row).Error)
	pk, err := auth.ParsePublicKey(row.SigningKey)
	if err != nil || !key.Public().(ed25519.PublicKey).Equal(pk) {
		t.Fatalf("the staff row holds another public key (%v)", err)
	}
	must(t, d.Auth.Lock())
	if _, _, ok := d.Session.SigningKey(); ok {
		t.Error("the key stayed while locked")
	}
	_, err = d.Auth.SignIn(s.ID, pin)
	must(t, err)
	var again store.Staff
	must(t, d.DB.Where("id = ?", s.ID).First(&again).Error)
	if again.SigningKey != row.SigningKey {
		t.Error("a second sign-in made a new key")
	}
	if _, k2, ok := d.Session.SigningKey(); !ok || !k2.Equal(key) {
		t.Error("the key did not open again")
	}
	must(t, d.Auth.SignOut())
	if _, _, ok := d.Session.SigningKey(); ok {
		t.Error("the key stayed after sign-out")
	}
	// A wrong PIN opens nothing.
	if _, err := d.Auth.SignIn(s.ID, "000000"); err == nil {
		t.Fatal("wrong PIN signed in")
	}
	if _, _, ok := d.Session.SigningKey(); ok {
		t.Error("a key after a failed sign-in")
	}
}
