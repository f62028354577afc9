package hub

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	gosync "sync"

	"gorm.io/gorm"
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

func (h *Hub) handlePush(w http.ResponseWriter, r *http.Request, d deskRow) {
	var req sync.PushRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 256<<20)).Decode(&req); err != nil {
		writeErr(w, http.StatusBadRequest, "The pushed changes could not be read.")
		return
	}
	practice, err := getMeta(h.db, "practice")
	if err != nil {
		h.internal(w, err)
		return
	}
	if practice == sync.PracticeSeeding {
		if seeder, _ := getMeta(h.db, "seeder"); seeder != d.ID {
			writeErr(w, http.StatusConflict, "The hub is still receiving the practice from the first desk. Try again in a few minutes.")
			return
		}
	}
	var missing []string
	for _, c := range req.Changes {
		if sha := sync.BlobOf(c); sha != "" {
			if !files.ValidSHA256(sha) {
				writeErr(w, http.StatusBadRequest, "A change names a file by an invalid SHA-256.")
				return
			}
			if !h.blobs.Has(sha) {
				missing = append(missing, sha)
			}
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
		// Changes seen before (a retried push) are found in two queries.
		ids := make([]string, len(req.Changes))
		for i, c := range req.Changes {
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
		for _, c := range req.Changes {
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
			if reason, err := h.prove(tx, &c, practice == sync.PracticeSeeding, signers); err != nil {
				return fmt.Errorf("change %s (%s %s): %w", c.ID, c.Entity, c.EntityID, err)
			} else if reason != "" {
				res, err := h.refuse(tx, c, reason)
				if err != nil {
					return err
				}
				resp.Results = append(resp.Results, res)
				continue
			}
			res, err := h.accept(tx, d, c)
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
	res := sync.PushResult{ID: r.ID, Status: sync.StatusRejected, Reason: r.Reason}
	if r.Undo != "" {
		var u sync.WireChange
		if json.Unmarshal([]byte(r.Undo), &u) == nil {
			res.Undo = &u
		}
	}
	return res
}

// accept processes one pushed change inside the log-locked transaction.
// A change seen before gets the same answer again (retries are safe).
func (h *Hub) accept(tx *gorm.DB, d deskRow, c sync.WireChange) (sync.PushResult, error) {
	res := sync.PushResult{ID: c.ID, Status: sync.StatusAccepted}
	if c.ID == "" || len(c.HLC) != len("0000000000000-000000") {
		return res, errors.New("change without id or clock")
	}
	e, ok := sync.EntityByName(c.Entity)
	if !ok {
		return res, h.appendLog(tx, c, c.HLC, c.Payload)
	}
	if e.Kind == sync.AppendOnly && c.Op != sync.OpDelete {
		row, err := e.Decode(c.Payload)
		if err != nil {
			return res, err
		}
		if err := e.Insert(tx, row); err != nil {
			return res, err
		}
		return res, h.appendLog(tx, c, c.HLC, c.Payload)
	}
	return h.acceptMutable(tx, e, c)
}

func (h *Hub) acceptMutable(tx *gorm.DB, e sync.Entity, c sync.WireChange) (sync.PushResult, error) {
	res := sync.PushResult{ID: c.ID, Status: sync.StatusAccepted}
	v := sync.Version(c.HLC, c.Origin)
	vers, err := loadVersions(tx, e.Name, c.EntityID)
	if err != nil {
		return res, err
	}
	cur, err := e.Load(tx, c.EntityID)
	if err != nil {
		return res, err
	}
	if c.Op == sync.OpDelete {
		if v <= vers["*"] {
			return res, h.appendLog(tx, c, c.HLC, c.Payload) // older than the row: desks skip it too
		}
		if err := tx.Exec(`DELETE FROM `+e.Table+` WHERE `+e.Key+` = ?`, c.EntityID).Error; err != nil {
			return res, err
		}
		if err := saveVersion(tx, e.Name, c.EntityID, "*", v); err != nil {
			return res, err
		}
		return res, h.appendLog(tx, c, c.HLC, c.Payload)
	}
	inc, err := e.Decode(c.Payload)
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
	res := sync.PushResult{ID: c.ID, Status: sync.StatusRejected, Reason: reason}
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
	if err := tx.Create(&rejection{ID: c.ID, DeskID: c.Origin, Reason: reason, Undo: string(uj), At: h.clock.Now()}).Error; err != nil {
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
	var st []store.Staff
	if err := tx.Where("id = ? AND active = ?", c.Actor, true).Limit(1).Find(&st).Error; err != nil {
		return "", err
	}
	if c.Actor == "" || len(st) == 0 {
		return "the hub could not tell which staff member made this change.", nil
	}
	a := access.Actor{StaffID: st[0].ID, Role: st[0].Role, Name: st[0].FullName()}
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
// the only state it reads, so hubs sharing a database agree.
func (h *Hub) nextHLC(tx *gorm.DB, floors ...string) (string, error) {
	var maxHLC string
	if err := tx.Raw(`SELECT COALESCE(MAX(hlc), '') FROM hub_changes`).Scan(&maxHLC).Error; err != nil {
		return "", err
	}
	for _, f := range floors {
		if len(f) >= 20 && f[:20] > maxHLC {
			maxHLC = f[:20]
		}
	}
	var wall, counter int64
	fmt.Sscanf(maxHLC, "%013d-%06d", &wall, &counter)
	now := h.clock.Now().UnixMilli()
	if now > wall {
		wall, counter = now, 0
	} else {
		counter++
	}
	return fmt.Sprintf("%013d-%06d", wall, counter), nil
}
