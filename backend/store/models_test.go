package store_test

import (
	"sort"
	"strings"
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
// from drifting: every model field has a column and every column a field, and
// every table of the schema has a model.
func TestModelsMatchTableColumns(t *testing.T) {
	db := openDB(t)
	tables := map[string]bool{}
	for _, m := range models {
		stmt := &gorm.Statement{DB: db.DB}
		must(t, stmt.Parse(m))
		table := stmt.Schema.Table
		tables[table] = true
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
	var all []string
	must(t, db.Raw(`SELECT name FROM sqlite_master WHERE type = 'table'`).Scan(&all).Error)
	var orphan []string
	for _, name := range all {
		switch {
		case tables[name], name == "schema_version", name == "sqlite_sequence", strings.HasPrefix(name, "messages_fts"):
		default:
			orphan = append(orphan, name)
		}
	}
	sort.Strings(orphan)
	if len(orphan) > 0 {
		t.Errorf("tables with no model: %v", orphan)
	}
}
