package api

import (
	"testing"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/demo"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
	"clinicdesk/backend/version"
)

func TestAboutShowsBuildDataFolderAndSchemaToSignedInStaffOnly(t *testing.T) {
	d, _ := testutil.Desk(t, true)
	b := &Base{Desk: d}
	about := &About{b}
	if _, err := about.Info(); !apperr.Is(err, apperr.NotSignedIn) {
		t.Fatalf("About while signed out: %v, want not_signed_in", err)
	}
	var front store.Staff
	if err := d.DB.Where("role = ?", store.RoleFrontDesk).First(&front).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := (&Session{b}).SignIn(front.ID, demo.PIN); err != nil {
		t.Fatal(err)
	}
	old := version.Version
	version.Version = "v1.4.0-test"
	defer func() { version.Version = old }()
	got, err := about.Info()
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != "v1.4.0-test" || got.Build == "" || got.DataDir != d.Dir || got.SchemaVersion != store.LatestVersion() || got.HubURL != "" {
		t.Fatalf("About = %+v (data dir %s, schema %d, not joined)", got, d.Dir, store.LatestVersion())
	}
}
