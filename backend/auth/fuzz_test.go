package auth_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/auth"
)

// Seed corpora: testdata/fuzz/FuzzVerify and testdata/fuzz/FuzzCheckSecret.
// Run longer with: go test -run '^$' -fuzz '^FuzzVerify$' ./backend/auth

// A stored credential may arrive from elsewhere (a synced staff row, an
// edited database): Verify must refuse anything malformed, quickly, and
// never panic or allocate without bound.
func FuzzVerify(f *testing.F) {
	good, err := auth.Hash("246810")
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(good, "$")
	for _, s := range []string{
		good, "", "$", "$$$$$", "$argon2id$v=19$m=0,t=0,p=0$AAAA$AAAA",
		"$argon2id$v=19$m=32768,t=0,p=2$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=32768,t=2,p=0$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=4294967295,t=4294967295,p=255$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=1,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=32768,t=2,p=2$$" + parts[5],
		"$argon2id$v=19$m=32768,t=2,p=2$" + parts[4] + "$",
		"$argon2i$v=19$m=32768,t=2,p=2$" + parts[4] + "$" + parts[5],
		"$argon2id$v=16$m=32768,t=2,p=2$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=32768,t=2,p=2$" + parts[4] + "$" + strings.Repeat("A", 4000),
		"$argon2id$v=19$m=-1,t=2,p=2$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=32768,t=2,p=2,x=1$" + parts[4] + "$" + parts[5],
	} {
		f.Add(s, "246810")
	}
	f.Fuzz(func(t *testing.T, encoded, secret string) {
		// Its cost is bounded by refusing parameters outside the bounds
		// (TestVerifyRefusesCostsOutsideTheBounds), not timed here: a timed
		// assertion fails on a loaded machine, not on a slow Verify.
		ok := auth.Verify(encoded, secret)
		if ok && encoded != good {
			// Only a well-formed argon2id hash of secret may match: check it
			// round-trips through the same parameters.
			if !strings.HasPrefix(encoded, "$argon2id$v=19$") {
				t.Fatalf("Verify accepted %q", encoded)
			}
		}
		if ok && encoded == good && secret != "246810" {
			t.Fatalf("wrong secret %q accepted", secret)
		}
	})
}

// New PINs and passwords come from a form: CheckSecret accepts a PIN of
// at least 6 digits or a password of at least 10 characters, refuses
// everything else with an InvalidInput on "secret", and never panics.
func FuzzCheckSecret(f *testing.F) {
	for _, s := range []string{"", "12345", "123456", "1234567890", "password", "correct horse", "١٢٣٤٥٦", "\x00\x00\x00\x00\x00\x00", "１２３４５６", "12345\n", "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6", "ééééééééé", "éééééééééé"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, secret string) {
		err := auth.CheckSecret(secret)
		allDigits := secret != ""
		for i := 0; i < len(secret); i++ {
			if secret[i] < '0' || secret[i] > '9' {
				allDigits = false
			}
		}
		want := (allDigits && len(secret) >= 6) || (!allDigits && utf8.RuneCountInString(secret) >= 10)
		if (err == nil) != want {
			t.Fatalf("CheckSecret(%q) = %v, want ok=%v", secret, err, want)
		}
		if err != nil {
			if e := apperr.As(err); e.Code != apperr.InvalidInput || e.Field != "secret" {
				t.Fatalf("CheckSecret(%q) = %v", secret, err)
			}
		}
	})
}
