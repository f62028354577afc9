package access_test

import (
	"strings"
	"testing"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/store"
)

// TestOwnerOrManagerRefusalsNameWhatWasRefused: a clinician refused
// Recently deleted, the audit log, the store check or a backup is told what
// she tried, not "…change this setting".
func TestOwnerOrManagerRefusalsNameWhatWasRefused(t *testing.T) {
	clinician := access.Actor{StaffID: "s", Role: store.RoleClinician, Name: "C"}
	cases := map[string]struct {
		check func(access.Actor) error
		words string
	}{
		"recently deleted": {access.CheckRestore, "recently deleted"},
		"audit log":        {access.CheckReadAudit, "audit log"},
		"store check":      {access.CheckStoreCheck, "check the stored files"},
		"backup inspect":   {access.CheckInspectBackup, "look inside a backup"},
		"backup":           {access.CheckBackup, "make a backup"},
		"restore backup":   {access.CheckRestoreBackup, "restore the practice from a backup"},
		"hub":              {access.CheckJoinHub, "practice hub"},
		"settings":         {access.CheckManageSettings, "change this setting"},
	}
	seen := map[string]string{}
	for what, c := range cases {
		err := c.check(clinician)
		if !apperr.Is(err, apperr.OwnerOrManagerOnly) {
			t.Errorf("%s: %v, want owner_or_manager_only", what, err)
			continue
		}
		msg := apperr.As(err).Message
		if !strings.Contains(msg, c.words) {
			t.Errorf("%s refusal says %q, want it to speak of %q", what, msg, c.words)
		}
		if other, dup := seen[msg]; dup {
			t.Errorf("%s and %s are refused in the same words %q", what, other, msg)
		}
		seen[msg] = what
	}
}
