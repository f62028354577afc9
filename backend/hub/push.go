package hub

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	gosync "sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/files"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
)

// fieldGroups are the parts of a row that change independently: a change
// made for one reason (share, delete, one setting) takes only its own group
// from the desk's row, so an offline desk's stale copy of the other fields
// never overwrites newer ones. Entities not listed form one group.
var fieldGroups = map[string]map[string][]string{
	"attachment": {
		"share":   {"shared_with_staff", "shared_by_staff_id", "shared_at"},
		"removed": {"removed_at", "removed_by_staff_id"},
		"purge":   {"purged_at"},
	},
	"settings": {
		"records_deletion":   {"records_deletion", "records_deletion_changed_by", "records_deletion_changed_at", "updated_at"},
		"max_file_bytes":     {"max_file_bytes", "updated_at"},
		"lock_after_minutes": {"lock_after_minutes", "updated_at"},
		"practice_name":      {"practice_name", "updated_at"},
	},
}

var hubSchemas gosync.Map

func fieldsOf(e sync.Entity) *schema.Schema {
	s, err := schema.Parse(e.New(), &hubSchemas, schema.NamingStrategy{})
	if err != nil {
		panic(err)
	}
	return s
}

// groupColumns returns the columns of group g of entity e.
func groupColumns(e sync.Entity, g string) []string {
	if cols, ok := fieldGroups[e.Name][g]; ok {
		return cols
	}
	var out []string
	for _, f := range fieldsOf(e).Fields {
		if f.DBName == "" || f.DBName == e.Key || isLocal(e, f.DBName) {
			continue
		}
		out = append(out, f.DBName)
	}
	return out
}

func isLocal(e sync.Entity, col string) bool {
	for _, c := range e.Local {
		if c == col {
			return true
		}
	}
	return false
}

func field(e sync.Entity, row any, col string) reflect.Value {
	f := fieldsOf(e).LookUpField(col)
	return reflect.ValueOf(row).Elem().FieldByIndex(f.StructField.Index)
}

func copyGroup(e sync.Entity, dst, src any, g string) {
	for _, c := range groupColumns(e, g) {
		field(e, dst, c).Set(field(e, src, c))
	}
}

func groupDiffers(e sync.Entity, a, b any, g string) bool {
	for _, c := range groupColumns(e, g) {
		ja, _ := json.Marshal(field(e, a, c).Interface())
		jb, _ := json.Marshal(field(e, b, c).Interface())
		if string(ja) != string(jb) {
			return true
		}
	}
	return false
}

// intentGroups decides which groups a change means to set: from the audit
// action (and for settings, which setting) the desk sent with it.
func intentGroups(e sync.Entity, c sync.WireChange) []string {
	switch e.Name {
	case "attachment":
		switch c.Action {
		case "share", "unshare":
			return []string{"share"}
		case "delete", "restore":
			return []string{"removed"}
		}
		return []string{"purge"} // the only change made without a staff member
	case "settings":
		var d struct {
			Setting string `json:"setting"`
		}
		json.Unmarshal([]byte(c.Detail), &d)
		if _, ok := fieldGroups["settings"][d.Setting]; ok && c.Action == "setting_changed" {
			return []string{d.Setting}
		}
		return nil
	}
	return []string{""}
}

// Limits of one push (Config.MaxPushBytes and MaxPushChanges override them).
// A desk splits its pending changes into pushes that fit (sync.MaxPushBytes).
const (
	DefaultMaxPushBytes   = sync.MaxPushBytes
	DefaultMaxPushChanges = sync.MaxPushChanges
)

func (h *Hub) maxPushBytes() int64 {
	if h.cfg.MaxPushBytes > 0 {
		return h.cfg.MaxPushBytes
	}
	return DefaultMaxPushBytes
}

func (h *Hub) maxPushChanges() int {
	if h.cfg.MaxPushChanges > 0 {
		return h.cfg.MaxPushChanges
	}
	return DefaultMaxPushChanges
}

// readPush decodes a push while it streams in: the body is cut off at
// maxPushBytes and the changes at maxPushChanges, so a huge or endless push
// costs the hub no more memory than a full legitimate one. status is 0 when
// the push could be read, else the refusal (4xx) with msg.
func (h *Hub) readPush(w http.ResponseWriter, r *http.Request) (changes []sync.WireChange, status int, msg string) {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, h.maxPushBytes()))
	fail := func(err error) ([]sync.WireChange, int, string) {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("This push is larger than the hub accepts (%d MiB); send fewer changes at a time.", h.maxPushBytes()>>20)
		}
		return nil, http.StatusBadRequest, "The pushed changes could not be read (malformed JSON): the hub refuses this push."
	}
	delim := func(want json.Delim) error {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if t != want {
			return fmt.Errorf("expected %v", want)
		}
		return nil
	}
	if err := delim('{'); err != nil {
		return fail(err)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		if key != "changes" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fail(err)
			}
			continue
		}
		if err := delim('['); err != nil {
			return fail(err)
		}
		for dec.More() {
			if len(changes) >= h.maxPushChanges() {
				return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("A push carries at most %d changes; send fewer at a time.", h.maxPushChanges())
			}
			var c sync.WireChange
			if err := dec.Decode(&c); err != nil {
				return fail(err)
			}
			changes = append(changes, c)
		}
		if err := delim(']'); err != nil {
			return fail(err)
		}
	}
	if err := delim('}'); err != nil {
		return fail(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail(errors.New("data after the push"))
	}
	// Every change must be named, once: answers are given by id.
	ids := make(map[string]bool, len(changes))
	for i, c := range changes {
		if c.ID == "" {
			return nil, http.StatusBadRequest, fmt.Sprintf("Change %d of this push has no id; the hub refuses the whole push.", i+1)
		}
		if ids[c.ID] {
			return nil, http.StatusBadRequest, fmt.Sprintf("Change %.64s appears twice in this push; the hub refuses the whole push.", c.ID)
		}
		ids[c.ID] = true
	}
	return changes, 0, ""
}

func (h *Hub) handlePush(w http.ResponseWriter, r *http.Request, d deskRow) {
	changes, status, msg := h.readPush(w, r)
	if status != 0 {
		h.log.Printf("refused a push from desk %s: %s", d.ID, msg)
		writeErr(w, status, msg)
		return
	}
	practice, err := getMeta(h.db, "practice")
	if err != nil {
		h.internal(w, err)
		return
	}
	seeding := false
	if practice == sync.PracticeSeeding {
		if seeder, _ := getMeta(h.db, "seeder"); seeder != d.ID {
			writeErr(w, http.StatusConflict, "The hub is still receiving the practice from the first desk. Try again in a few minutes.")
			return
		}
		seeding = true
	}
	var missing []string
	for _, c := range changes {
		if sha := sync.BlobOf(c); sha != "" && files.ValidSHA256(sha) && !h.blobs.Has(sha) {
			missing = append(missing, sha)
		}
	}
	if len(missing) > 0 {
		writeJSON(w, http.StatusConflict, sync.MissingBlobs{Error: "Files must be uploaded first.", MissingBlobs: missing})
		return
	}
	var resp sync.PushResponse
	err = h.db.Transaction(func(tx *gorm.DB) error {
		if err := lockLog(tx); err != nil {
			return err
		}
		resp.Results = resp.Results[:0]
		now := h.clock.Now()
		// Changes seen before (a retried push) are found in two queries.
		ids := make([]string, len(changes))
		for i, c := range changes {
			ids[i] = c.ID
		}
		seen := map[string]bool{}
		rejected := map[string]rejection{}
		signers := map[string]store.Staff{} // prove's cache of this push's signers
		for _, part := range store.Chunk(ids, 500) {
			var logged []string
			if err := tx.Model(&logEntry{}).Where("id IN ?", part).Pluck("id", &logged).Error; err != nil {
				return err
			}
			for _, id := range logged {
				seen[id] = true
			}
			var rs []rejection
			if err := tx.Where("id IN ?", part).Find(&rs).Error; err != nil {
				return err
			}
			for _, r := range rs {
				rejected[r.ID] = r
			}
		}
		for _, c := range changes {
			c.Origin = d.ID // a desk pushes only its own changes
			if seen[c.ID] {
				resp.Results = append(resp.Results, sync.PushResult{ID: c.ID, Status: sync.StatusAccepted})
				continue
			}
			if r, ok := rejected[c.ID]; ok && r.DeskID == d.ID { // another desk's refusal under this id says nothing of this one
				resp.Results = append(resp.Results, rejectedAgain(r))
				continue
			}
			seen[c.ID] = true // a batch naming a change twice logs it once
			// Who made the change is proven first (signing.go): from here on
			// c.Actor is the verified signer, or "".
			if reason, err := h.prove(tx, &c, seeding, signers); err != nil {
				return fmt.Errorf("change %s (%s %s): %w", c.ID, c.Entity, c.EntityID, err)
			} else if reason != "" {
				res, err := h.refuseUnproven(tx, c, reason)
				if err != nil {
					return err
				}
				resp.Results = append(resp.Results, res)
				continue
			}
			res, err := h.accept(tx, d, c, seeding, now)
			if err != nil {
				return fmt.Errorf("change %s (%s %s): %w", c.ID, c.Entity, c.EntityID, err)
			}
			resp.Results = append(resp.Results, res)
		}
		return nil
	})
	if err != nil {
		h.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// rejectedAgain repeats the answer given to a refused change.
func rejectedAgain(r rejection) sync.PushResult {
	res := sync.PushResult{ID: r.ID, Status: sync.StatusRejected, Reason: r.Reason, Code: r.Code}
	if r.Undo != "" {
		var u sync.WireChange
		if json.Unmarshal([]byte(r.Undo), &u) == nil {
			res.Undo = &u
		}
	}
	return res
}

// accept processes one pushed change inside the log-locked transaction:
// checked first (validate.go), then merged into the hub's rows and logged.
func (h *Hub) accept(tx *gorm.DB, d deskRow, c sync.WireChange, seeding bool, now time.Time) (sync.PushResult, error) {
	e, inc, reason := h.checkShape(c, now)
	if reason != "" {
		return h.refuse(tx, c, http.StatusUnprocessableEntity, reason)
	}
	if e.Kind == sync.AppendOnly {
		return h.acceptAppend(tx, d, e, c, inc, seeding, now)
	}
	cur, err := e.Load(tx, c.EntityID)
	if err != nil {
		return sync.PushResult{}, err
	}
	reason, err = h.checkRow(tx, d, e, c, cur, inc, seeding, now)
	if err != nil {
		return sync.PushResult{}, err
	}
	if reason != "" {
		if cur != nil && e.Kind == sync.LastWriterWins {
			return h.reject(tx, e, c, cur, reason)
		}
		return h.refuse(tx, c, http.StatusUnprocessableEntity, reason)
	}
	return h.acceptMutable(tx, e, c, cur, inc)
}

// acceptAppend adds a row that never changes once written (message, blob,
// document, audit entry): checked as a new row, inserted unless its id is
// taken; the same row again is a no-op, a different one under a taken id is
// refused.
func (h *Hub) acceptAppend(tx *gorm.DB, d deskRow, e sync.Entity, c sync.WireChange, inc any, seeding bool, now time.Time) (sync.PushResult, error) {
	reason, err := h.checkRow(tx, d, e, c, nil, inc, seeding, now)
	if err != nil || reason != "" {
		if err != nil {
			return sync.PushResult{}, err
		}
		return h.refuse(tx, c, http.StatusUnprocessableEntity, reason)
	}
	res := sync.PushResult{ID: c.ID, Status: sync.StatusAccepted}
	inserted, err := e.InsertNew(tx, inc)
	if err != nil {
		return res, err
	}
	if inserted {
		return res, h.appendLog(tx, c, c.HLC, c.Payload)
	}
	cur, err := e.Load(tx, c.EntityID)
	if err != nil || cur == nil {
		return res, err
	}
	a, err := e.Canonical(cur)
	if err != nil {
		return res, err
	}
	b, err := e.Canonical(inc)
	if err != nil {
		return res, err
	}
	if a != b {
		return h.refuse(tx, c, http.StatusUnprocessableEntity, "this "+e.Name+" already exists and can never be changed.")
	}
	return res, nil
}

// refuse answers a change the hub will not take, without touching any row
// or the log, and remembers the answer for retries.
func (h *Hub) refuse(tx *gorm.DB, c sync.WireChange, code int, reason string) (sync.PushResult, error) {
	// Another desk may have sent a change under the same id: the first
	// refusal stays, and answers only the desk it was given to.
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rejection{ID: c.ID, DeskID: c.Origin, Reason: reason, Code: code, At: h.clock.Now()}).Error; err != nil {
		return sync.PushResult{}, err
	}
	h.log.Printf("refused change %.64s (%.40s %.64s) from desk %s: %s", c.ID, c.Entity, c.EntityID, c.Origin, reason)
	return sync.PushResult{ID: c.ID, Status: sync.StatusRejected, Reason: reason, Code: code}, nil
}

func (h *Hub) acceptMutable(tx *gorm.DB, e sync.Entity, c sync.WireChange, cur, inc any) (sync.PushResult, error) {
	res := sync.PushResult{ID: c.ID, Status: sync.StatusAccepted}
	v := sync.Version(c.HLC, c.Origin)
	vers, err := loadVersions(tx, e.Name, c.EntityID)
	if err != nil {
		return res, err
	}
	if cur == nil {
		if vers["*"] != "" && v <= vers["*"] {
			return res, h.appendLog(tx, c, c.HLC, c.Payload) // a tombstone is newer
		}
		if err := e.Upsert(tx, inc); err != nil {
			return res, err
		}
		for g := range fieldGroups[e.Name] {
			if err := saveVersion(tx, e.Name, c.EntityID, g, v); err != nil {
				return res, err
			}
		}
		if err := saveVersion(tx, e.Name, c.EntityID, "*", v); err != nil {
			return res, err
		}
		return res, h.appendLog(tx, c, c.HLC, c.Payload)
	}
	groups := intentGroups(e, c)
	// Privileged groups are re-checked against the hub's own rows.
	for _, g := range groups {
		if !groupDiffers(e, cur, inc, g) {
			continue
		}
		reason, err := h.recheck(tx, e, c, g, cur, inc)
		if err != nil {
			return res, err
		}
		if reason != "" {
			return h.reject(tx, e, c, cur, reason)
		}
	}
	merged := e.New()
	reflect.ValueOf(merged).Elem().Set(reflect.ValueOf(cur).Elem())
	for _, g := range groups {
		key := g
		if key == "" {
			key = "*"
		}
		if v > vers[key] {
			copyGroup(e, merged, inc, g)
			if g != "" {
				if err := saveVersion(tx, e.Name, c.EntityID, g, v); err != nil {
					return res, err
				}
			}
		}
	}
	mj, err := e.Canonical(merged)
	if err != nil {
		return res, err
	}
	ij, err := e.Canonical(inc)
	if err != nil {
		return res, err
	}
	hlc, payload := c.HLC, c.Payload
	if mj != ij || v <= vers["*"] {
		// The hub's row differs from what the desk sent (another desk's
		// newer fields kept, or the desk's write was older): log the merged
		// row under a newer stamp so every desk, the sender included, ends
		// with it.
		hlc, err = h.nextHLC(tx, c.HLC, vers["*"])
		if err != nil {
			return res, err
		}
		b, err := json.Marshal(merged)
		if err != nil {
			return res, err
		}
		payload = string(b)
	}
	if err := e.Upsert(tx, merged); err != nil {
		return res, err
	}
	if err := saveVersion(tx, e.Name, c.EntityID, "*", sync.Version(hlc, c.Origin)); err != nil {
		return res, err
	}
	return res, h.appendLog(tx, c, hlc, payload)
}

// reject refuses a change: the hub's current row goes back to every desk
// under a newer stamp (the sender re-applies it, undoing its change), and
// the refusal is remembered for retries.
func (h *Hub) reject(tx *gorm.DB, e sync.Entity, c sync.WireChange, cur any, reason string) (sync.PushResult, error) {
	res := sync.PushResult{ID: c.ID, Status: sync.StatusRejected, Reason: reason, Code: http.StatusForbidden}
	vers, err := loadVersions(tx, e.Name, c.EntityID)
	if err != nil {
		return res, err
	}
	hlc, err := h.nextHLC(tx, c.HLC, vers["*"])
	if err != nil {
		return res, err
	}
	b, err := json.Marshal(cur)
	if err != nil {
		return res, err
	}
	undo := sync.WireChange{ID: clock.NewID(), HLC: hlc, Origin: "hub", Entity: e.Name, EntityID: c.EntityID, Op: sync.OpUpdate, Payload: string(b)}
	entry, err := h.appendLogEntry(tx, undo, hlc, undo.Payload)
	if err != nil {
		return res, err
	}
	undo.Cursor = entry.Cursor
	if err := saveVersion(tx, e.Name, c.EntityID, "*", sync.Version(hlc, "hub")); err != nil {
		return res, err
	}
	uj, _ := json.Marshal(undo)
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rejection{ID: c.ID, DeskID: c.Origin, Reason: reason, Code: res.Code, Undo: string(uj), At: h.clock.Now()}).Error; err != nil {
		return res, err
	}
	h.log.Printf("refused change %s from desk %s: %s", c.ID, c.Origin, reason)
	res.Undo = &undo
	return res, nil
}

// recheck applies backend/access to a privileged group change with the
// hub's facts; it returns the refusal in plain words, "" when allowed.
func (h *Hub) recheck(tx *gorm.DB, e sync.Entity, c sync.WireChange, g string, cur, inc any) (string, error) {
	needsActor := (e.Name == "attachment" && (g == "share" || g == "removed")) || e.Name == "settings"
	if !needsActor {
		return "", nil
	}
	a, ok, err := h.actorOf(tx, c)
	if err != nil {
		return "", err
	}
	if !ok {
		return "the hub could not tell which staff member made this change.", nil
	}
	if e.Name == "settings" {
		if err := access.CheckManageSettings(a); err != nil {
			return "changing practice settings: " + apperr.As(err).Message, nil
		}
		return "", nil
	}
	att := cur.(*store.Attachment)
	next := inc.(*store.Attachment)
	participant, err := store.IsStaffParticipant(tx, att.ThreadID, a.StaffID)
	if err != nil {
		return "", err
	}
	f := access.AttachmentFacts{Participant: participant, Shared: att.SharedWithStaff, SenderKind: att.SenderKind, SenderID: att.SenderID, Removed: att.DeletedAt != nil}
	if g == "share" && next.DeletedAt == nil {
		// Shared or made private on a desk that had not yet seen the file
		// deleted: judged as that desk saw it, so a share and a delete made
		// apart both survive whichever reaches the hub first (docs/sync.md).
		f.Removed = false
	}
	name := "“" + att.Name + "”"
	switch {
	case g == "share":
		if err := access.CheckToggleShare(a, f); err != nil {
			return "sharing " + name + " was refused: " + apperr.As(err).Message, nil
		}
	case next.DeletedAt != nil && att.DeletedAt == nil:
		set, err := store.GetSettings(tx)
		if err != nil {
			return "", err
		}
		if err := access.CheckDelete(a, f, set.RecordsDeletion); err != nil {
			return "deleting " + name + " was refused: " + apperr.As(err).Message, nil
		}
	case next.DeletedAt == nil && att.DeletedAt != nil:
		if err := access.CheckRestore(a); err != nil {
			return "restoring " + name + " was refused: " + apperr.As(err).Message, nil
		}
	}
	return "", nil
}

func loadVersions(tx *gorm.DB, entity, id string) (map[string]string, error) {
	var rows []rowVersion
	if err := tx.Where("entity = ? AND entity_id = ?", entity, id).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.Grp] = r.Version
	}
	return out, nil
}

func saveVersion(tx *gorm.DB, entity, id, grp, v string) error {
	return tx.Exec(`INSERT INTO hub_row_versions (entity, entity_id, grp, version) VALUES (?, ?, ?, ?)
		ON CONFLICT (entity, entity_id, grp) DO UPDATE SET version = excluded.version`, entity, id, grp, v).Error
}

func (h *Hub) appendLog(tx *gorm.DB, c sync.WireChange, hlc, payload string) error {
	_, err := h.appendLogEntry(tx, c, hlc, payload)
	return err
}

func (h *Hub) appendLogEntry(tx *gorm.DB, c sync.WireChange, hlc, payload string) (logEntry, error) {
	e := logEntry{ID: c.ID, HLC: hlc, Origin: c.Origin, Entity: c.Entity, EntityID: c.EntityID, Op: c.Op,
		Payload: payload, ReceivedAt: h.clock.Now()}
	err := tx.Create(&e).Error
	return e, err
}

// nextHLC returns a stamp newer than every stamp in the log, than each
// floor given and than the hub's clock. The log lock is held, and the log is
// the only state it reads, so hubs sharing a database agree. Stamps further
// ahead of the clock than MaxAhead (logged before the hub refused them) are
// passed over: desks set such changes aside, and following them would push
// every later stamp into the far future.
func (h *Hub) nextHLC(tx *gorm.DB, floors ...string) (string, error) {
	bound := sync.FormatHLC(h.clock.Now().Add(h.maxAhead()).UnixMilli(), 999999)
	var maxHLC string
	if err := tx.Raw(`SELECT COALESCE(MAX(hlc), '') FROM hub_changes WHERE hlc <= ?`, bound).Scan(&maxHLC).Error; err != nil {
		return "", err
	}
	for _, f := range floors {
		if len(f) >= sync.HLCLen && f[:sync.HLCLen] > maxHLC && f[:sync.HLCLen] <= bound {
			if _, _, err := sync.ParseHLC(f[:sync.HLCLen]); err == nil {
				maxHLC = f[:sync.HLCLen]
			}
		}
	}
	wall, counter, _ := sync.ParseHLC(maxHLC)
	now := h.clock.Now().UnixMilli()
	switch {
	case now > wall:
		wall, counter = now, 0
	case counter >= 999999:
		wall, counter = wall+1, 0
	default:
		counter++
	}
	return sync.FormatHLC(wall, counter), nil
}
