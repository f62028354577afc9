package sync

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	gosync "sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"clinicdesk/backend/store"
)

// Kind says how changes of an entity combine.
type Kind int

const (
	// AppendOnly rows are inserted once and never change (messages, blobs,
	// documents, audit events): a second insert of the same id is a no-op.
	AppendOnly Kind = iota
	// LastWriterWins rows change in place; the change with the greatest
	// version (HLC, then origin) wins, whatever order changes arrive in.
	LastWriterWins
)

// Entity describes one synced table.
type Entity struct {
	Name  string // the change log's entity name
	Table string
	Key   string // primary key column
	Kind  Kind
	// Local columns belong to one desk and never travel (a desk's scan inbox
	// folder, a staff member's failed sign-in count on that desk).
	Local []string
	model reflect.Type
}

// New returns a pointer to a zero row of the entity's model.
func (e Entity) New() any { return reflect.New(e.model).Interface() }

// NewSlice returns a pointer to an empty slice of the entity's model.
func (e Entity) NewSlice() any {
	return reflect.New(reflect.SliceOf(e.model)).Interface()
}

// Entities lists every synced table in an order that satisfies foreign keys
// (a snapshot is uploaded and applied in this order).
var Entities = []Entity{
	ent("staff", "staff", "id", LastWriterWins, store.Staff{}, "failed_tries", "locked_until"),
	ent("client", "clients", "id", LastWriterWins, store.Client{}),
	ent("blob", "blobs", "sha256", AppendOnly, store.Blob{}),
	ent("settings", "settings", "id", LastWriterWins, store.Settings{}, "scan_inbox_path"),
	ent("appointment", "appointments", "id", LastWriterWins, store.Appointment{}),
	ent("thread", "threads", "id", LastWriterWins, store.Thread{}),
	ent("participant", "participants", "id", LastWriterWins, store.Participant{}),
	ent("message", "messages", "id", AppendOnly, store.Message{}),
	ent("attachment", "attachments", "id", LastWriterWins, store.Attachment{}),
	ent("document", "documents", "id", AppendOnly, store.Document{}),
	ent(EntityAudit, "audit_events", "id", AppendOnly, store.AuditEvent{}),
}

// EntityAudit is the entity name of audit events in the change log.
const EntityAudit = "audit_event"

func ent(name, table, key string, k Kind, model any, local ...string) Entity {
	return Entity{Name: name, Table: table, Key: key, Kind: k, Local: local, model: reflect.TypeOf(model)}
}

// EntityByName finds a synced entity.
func EntityByName(name string) (Entity, bool) {
	for _, e := range Entities {
		if e.Name == name {
			return e, true
		}
	}
	return Entity{}, false
}

// Ops lists the operations a change of the entity may carry. Nothing is
// ever deleted through sync: desks mark attachments removed (an update), and
// messages, documents, blobs and audit entries are append-only.
func (e Entity) Ops() []string {
	if e.Kind == AppendOnly {
		return []string{OpInsert}
	}
	return []string{OpInsert, OpUpdate}
}

// MaxPayload bounds one change's row (the longest legitimate row, a message
// of 20,000 characters, is well under it).
const MaxPayload = 256 << 10

// maxChangeID bounds a change id (desks send UUIDs).
const maxChangeID = 64

// CheckShape checks what every receiver checks of a change before applying
// it (the hub of a pushed change, a desk of a pulled one): an id, a known
// entity, an operation the entity allows, a payload that is exactly one row
// of the entity, and whose key is the change's entity id. It returns the
// decoded row, or the refusal in plain words. The clock stamp is checked by
// the receiver against its own clock (CheckHLC, HLC.Observe).
func CheckShape(c WireChange) (Entity, any, string) {
	if c.ID == "" || len(c.ID) > maxChangeID {
		return Entity{}, nil, "the change has no id, or an id too long."
	}
	e, ok := EntityByName(c.Entity)
	if !ok {
		return e, nil, fmt.Sprintf("records of kind %.40q are not known.", c.Entity)
	}
	allowed := false
	for _, op := range e.Ops() {
		allowed = allowed || op == c.Op
	}
	if !allowed {
		if c.Op == OpDelete {
			return e, nil, "records of kind " + e.Name + " are never deleted through sync."
		}
		return e, nil, fmt.Sprintf("operation %.20q is not allowed on records of kind %s.", c.Op, e.Name)
	}
	if len(c.Payload) > MaxPayload {
		return e, nil, "the record is larger than sync accepts."
	}
	row := e.New()
	dec := json.NewDecoder(strings.NewReader(c.Payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(row); err != nil || dec.More() || !strings.HasPrefix(strings.TrimSpace(c.Payload), "{") {
		return e, nil, "the record could not be read (malformed " + e.Name + ")."
	}
	if key := KeyOf(e, row); key != c.EntityID || key == "" {
		return e, nil, fmt.Sprintf("the change names record %.64q but carries record %.64q.", c.EntityID, key)
	}
	return e, row, ""
}

// Version orders two writes of one row: HLC first, then origin, so that two
// desks stamping the same instant still order the same way everywhere.
func Version(hlc, origin string) string { return hlc + "|" + origin }

func setVersion(tx *gorm.DB, entity, id, version string, deleted bool) error {
	return tx.Exec(`INSERT INTO sync_row_versions (entity, entity_id, version, deleted) VALUES (?, ?, ?, ?)
		ON CONFLICT (entity, entity_id) DO UPDATE SET version = excluded.version, deleted = excluded.deleted`,
		entity, id, version, deleted).Error
}

var schemaCache gosync.Map

// columns returns the entity's database columns, key first.
func (e Entity) columns(tx *gorm.DB) ([]string, error) {
	s, err := schema.Parse(e.New(), &schemaCache, tx.NamingStrategy)
	if err != nil {
		return nil, err
	}
	cols := []string{e.Key}
	for _, f := range s.Fields {
		if f.DBName != "" && f.DBName != e.Key {
			cols = append(cols, f.DBName)
		}
	}
	return cols, nil
}

func (e Entity) isLocal(col string) bool {
	for _, c := range e.Local {
		if c == col {
			return true
		}
	}
	return false
}

// Decode turns a change payload into a row of the entity.
func (e Entity) Decode(payload string) (any, error) {
	row := e.New()
	if err := json.Unmarshal([]byte(payload), row); err != nil {
		return nil, fmt.Errorf("%s payload: %w", e.Name, err)
	}
	return row, nil
}

// Insert writes row unless a row with its key exists (append-only entities).
func (e Entity) Insert(tx *gorm.DB, row any) error {
	q := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: e.Key}}, DoNothing: true})
	if e.Name == EntityAudit {
		q = q.Omit("seq")
	}
	return q.Create(row).Error
}

// InsertNew is Insert that reports whether the row was new.
func (e Entity) InsertNew(tx *gorm.DB, row any) (bool, error) {
	q := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: e.Key}}, DoNothing: true})
	if e.Name == EntityAudit {
		q = q.Omit("seq")
	}
	res := q.Create(row)
	return res.RowsAffected > 0, res.Error
}

// Upsert writes row over any row with its key, keeping this database's
// local columns.
func (e Entity) Upsert(tx *gorm.DB, row any) error {
	cols, err := e.columns(tx)
	if err != nil {
		return err
	}
	var set []string
	for _, c := range cols[1:] {
		if !e.isLocal(c) {
			set = append(set, c)
		}
	}
	return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: e.Key}}, DoUpdates: clause.AssignmentColumns(set)}).Create(row).Error
}

// Load reads the current row with key id (nil when there is none).
func (e Entity) Load(tx *gorm.DB, id string) (any, error) {
	rows := e.NewSlice()
	if err := tx.Table(e.Table).Where(e.Key+" = ?", id).Limit(1).Find(rows).Error; err != nil {
		return nil, err
	}
	v := reflect.ValueOf(rows).Elem()
	if v.Len() == 0 {
		return nil, nil
	}
	return v.Index(0).Addr().Interface(), nil
}

// Canonical is the JSON of a row as it travels between databases: times in
// UTC at microsecond precision (PostgreSQL's), local columns blanked, and for
// audit events the desk-specific chain fields left out.
func (e Entity) Canonical(row any) (string, error) {
	b, err := json.Marshal(row)
	if err != nil {
		return "", err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return "", err
	}
	s, err := schema.Parse(e.New(), &schemaCache, schema.NamingStrategy{})
	if err != nil {
		return "", err
	}
	for _, f := range s.Fields {
		if e.isLocal(f.DBName) || (e.Name == EntityAudit && (f.DBName == "seq" || f.DBName == "prev_hash" || f.DBName == "hash")) {
			delete(m, f.Name)
			continue
		}
		if str, ok := m[f.Name].(string); ok && (f.FieldType == reflect.TypeOf(time.Time{}) || f.FieldType == reflect.TypeOf(&time.Time{})) {
			if t, err := time.Parse(time.RFC3339Nano, str); err == nil {
				m[f.Name] = t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
			}
		}
	}
	out, err := json.Marshal(m)
	return string(out), err
}

// Fingerprint reads every synced table of db into canonical JSON keyed by
// entity and id, to compare two databases table by table, row by row.
func Fingerprint(db *gorm.DB) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, e := range Entities {
		rows := e.NewSlice()
		if err := db.Table(e.Table).Find(rows).Error; err != nil {
			return nil, fmt.Errorf("read %s: %w", e.Table, err)
		}
		v := reflect.ValueOf(rows).Elem()
		m := make(map[string]string, v.Len())
		for i := 0; i < v.Len(); i++ {
			row := v.Index(i).Addr().Interface()
			c, err := e.Canonical(row)
			if err != nil {
				return nil, err
			}
			m[KeyOf(e, row)] = c
		}
		out[e.Name] = m
	}
	return out, nil
}

// KeyOf returns the primary key value of row.
func KeyOf(e Entity, row any) string {
	v := reflect.ValueOf(row)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	s, err := schema.Parse(e.New(), &schemaCache, schema.NamingStrategy{})
	if err != nil {
		return ""
	}
	f := s.LookUpField(e.Key)
	if f == nil {
		return ""
	}
	return fmt.Sprint(v.FieldByIndex(f.StructField.Index).Interface())
}

// Diff describes how two fingerprints differ, "" when they are equal.
func Diff(nameA string, a map[string]map[string]string, nameB string, b map[string]map[string]string) string {
	var out []string
	for _, e := range Entities {
		ra, rb := a[e.Name], b[e.Name]
		if len(ra) != len(rb) {
			out = append(out, fmt.Sprintf("%s: %s has %d rows, %s has %d", e.Table, nameA, len(ra), nameB, len(rb)))
		}
		n := 0
		for id, ja := range ra {
			jb, ok := rb[id]
			switch {
			case !ok:
				out = append(out, fmt.Sprintf("%s %s: only in %s", e.Table, id, nameA))
			case ja != jb:
				out = append(out, fmt.Sprintf("%s %s differs:\n  %s: %s\n  %s: %s", e.Table, id, nameA, ja, nameB, jb))
			default:
				continue
			}
			if n++; n > 5 {
				break
			}
		}
		for id := range rb {
			if _, ok := ra[id]; !ok {
				out = append(out, fmt.Sprintf("%s %s: only in %s", e.Table, id, nameB))
				break
			}
		}
	}
	sort.Strings(out)
	s := ""
	for _, l := range out {
		s += l + "\n"
	}
	return s
}
