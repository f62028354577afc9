package limits_test

import (
	"strings"
	"testing"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/limits"
)

func TestLimitsCountCharactersNotBytesAndRefuseOneOver(t *testing.T) {
	cases := []struct {
		name string
		err  error
		ok   bool
	}{
		{"alert of 500 characters", limits.Alert(strings.Repeat("é", 500)), true},
		{"alert of 501 characters", limits.Alert(strings.Repeat("a", 501)), false},
		{"alert of invalid UTF-8", limits.Alert("\xff"), false},
		{"subject required", limits.Text("subject", "subject", "", limits.MaxSubject, true), false},
		{"subject of 200", limits.Text("subject", "subject", strings.Repeat("ü", 200), limits.MaxSubject, true), true},
		{"subject of 201", limits.Text("subject", "subject", strings.Repeat("u", 201), limits.MaxSubject, true), false},
		{"body of 20,000", limits.Text("body", "message", strings.Repeat("x", limits.MaxBody), limits.MaxBody, false), true},
		{"body of 20,001", limits.Text("body", "message", strings.Repeat("x", limits.MaxBody+1), limits.MaxBody, false), false},
		{"notes of 2,001", limits.Short("notes", "notes", strings.Repeat("n", 2001), limits.MaxNotes), false},
		{"file limit 1 MB", limits.FileBytes(1 << 20), true},
		{"file limit under 1 MB", limits.FileBytes(1<<20 - 1), false},
		{"file limit over 500 MB", limits.FileBytes(500<<20 + 1), false},
		{"lock 120", limits.LockMinutes(120), true},
		{"lock 0", limits.LockMinutes(0), false},
	}
	for _, c := range cases {
		if (c.err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, c.err)
		}
		if c.err != nil && apperr.As(c.err).Code != apperr.InvalidInput {
			t.Errorf("%s: code %v", c.name, apperr.As(c.err).Code)
		}
	}
}
