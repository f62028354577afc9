package store_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"clinicdesk/backend/store"
)

// A desk downgraded (an older installer run over a newer one) must not open,
// read or migrate data a newer ClinicDesk wrote, and must say what to do.
func TestOpenRefusesADatabaseFromANewerSchemaWithWhatToDo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "newer.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	newer := store.LatestVersion() + 2
	must(t, db.Exec(`INSERT INTO schema_version (version, applied_at) VALUES (?, ?)`, newer, time.Now().UTC()).Error)
	must(t, db.Close())

	_, err = store.Open(path)
	var ns *store.NewerSchemaError
	if !errors.As(err, &ns) {
		t.Fatalf("Open of a schema-%d database: %v, want a *store.NewerSchemaError", newer, err)
	}
	if ns.Found != newer || ns.Known != store.LatestVersion() {
		t.Errorf("NewerSchemaError = %+v", ns)
	}
	for _, words := range []string{"newer version of ClinicDesk", "Install the newest ClinicDesk", "Nothing was changed"} {
		if !strings.Contains(err.Error(), words) {
			t.Errorf("message %q does not say %q", err.Error(), words)
		}
	}

}
