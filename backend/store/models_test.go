package store_test

import (
	"testing"

	"gorm.io/gorm"

	"clinicdesk/backend/store"
)

// models are every gorm model the code reads and writes.
var models = []any{
	&store.Staff{}, &store.Client{}, &store.Appointment{}, &store.Thread{}, &store.Participant{}, &store.Message{},
	&store.Blob{}, &store.Attachment{}, &store.Document{}, &store.Settings{}, &store.AuditEvent{}, &store.Change{},
}

// TestModelsMatchTableColumns keeps the gorm models and the SQL migrations
// from drifting: every model field has a column and every column a field.
// (Tables kept with raw SQL only, such as schema_version and the search
// index, have no model and are not checked.)
func TestModelsMatchTableColumns(t *testing.T) {
	db := openDB(t)
	for _, m := range models {
		stmt := &gorm.Statement{DB: db.DB}
		must(t, stmt.Parse(m))
		table := stmt.Schema.Table
		if !db.Migrator().HasTable(table) {
			t.Errorf("model %T: table %q does not exist", m, table)
			continue
		}
		cols, err := db.Migrator().ColumnTypes(m)
		must(t, err)
		have := map[string]bool{}
		for _, c := range cols {
			have[c.Name()] = true
		}
		want := map[string]bool{}
		for _, f := range stmt.Schema.Fields {
			if f.DBName == "" {
				continue // not persisted
			}
			want[f.DBName] = true
			if !have[f.DBName] {
				t.Errorf("%s.%s (field %s) has no column in the schema", table, f.DBName, f.Name)
			}
		}
		for c := range have {
			if !want[c] {
				t.Errorf("%s.%s has no field in %T", table, c, m)
			}
		}
	}
}
