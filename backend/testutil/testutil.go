// Package testutil opens real desks in temp directories for tests, with a
// fixed clock, and offers small helpers to act as a given staff member.
// It is imported only from _test.go files.
package testutil

import (
	"context"
	gosync "sync"
	"testing"
	"time"

	"clinicdesk/backend/access"
	"clinicdesk/backend/auth"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/store"
)

// Now is the fixed time tests start at.
var Now = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// Desk opens a desk in a temp dir with a fixed clock; demo adds the demo practice.
func Desk(t testing.TB, demo bool) (*desk.Desk, *clock.Fixed) {
	t.Helper()
	c := clock.NewFixed(Now)
	d, err := desk.Open(context.Background(), t.TempDir(), desk.Options{Demo: demo, Clock: c})
	if err != nil {
		t.Fatalf("open desk: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d, c
}

// Actor returns the Actor for a staff row.
func Actor(s store.Staff) access.Actor {
	return access.Actor{StaffID: s.ID, Role: s.Role, Name: s.FullName()}
}

// PIN is the PIN of every staff member AddStaff creates.
const PIN = "975310"

// pinHash is PIN hashed once (hashing is slow on purpose); every test staff
// member shares it.
var pinHash = gosync.OnceValues(func() (string, error) { return auth.Hash(PIN) })

// AddStaff creates a staff member with role, who signs in with PIN.
func AddStaff(t testing.TB, d *desk.Desk, first, role string) store.Staff {
	t.Helper()
	h, err := pinHash()
	if err != nil {
		t.Fatal(err)
	}
	s := store.Staff{ID: clock.NewID(), FirstName: first, LastName: "Test", Role: role, Active: true, Credential: h, CreatedAt: Now, UpdatedAt: Now}
	if err := d.DB.Create(&s).Error; err != nil {
		t.Fatal(err)
	}
	return s
}

// AddClient creates a client.
func AddClient(t testing.TB, d *desk.Desk, first string) store.Client {
	t.Helper()
	c := store.Client{ID: clock.NewID(), FirstName: first, LastName: "Client", DateOfBirth: "1990-01-01", CreatedAt: Now, UpdatedAt: Now}
	if err := d.DB.Create(&c).Error; err != nil {
		t.Fatal(err)
	}
	return c
}
