package messaging

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/attachments"
	"clinicdesk/backend/audit"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/files"
	"clinicdesk/backend/limits"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
)

// Limits on what a message may hold.
const (
	MaxSubject    = limits.MaxSubject
	MaxBody       = limits.MaxBody
	MaxFiles      = limits.MaxFiles
	MaxPeople     = limits.MaxPeople
	previewLength = 140
)

// Service carries the dependencies of messaging.
type Service struct {
	DB          *store.DB
	Rec         *sync.Recorder
	Audit       audit.Log
	Clock       clock.Clock
	Attachments *attachments.Service
	// Views remembers the threads each staff member viewed since signing
	// in (the desk's session), so opening one again is not a new view.
	// Nil: every Open that is not a refusal is a view.
	Views Views
}

// Views remembers which threads a staff member has viewed in this sign-in.
type Views interface {
	Viewed(staffID, threadID string) bool
	RememberView(staffID, threadID string)
}

// threadListCols selects one thread of a list as a single packed row (see
// store.PackedRows): id, subject, last activity, the actor's unread count,
// the message count, the last message's body and author, and the
// participants with their names. ps is the actor's participation, t the
// thread, st its thread_stats row, lm its last message.
//
// Why it is shaped so (EXPLAIN QUERY PLAN in bench/README.md):
//   - message count and last message come from thread_stats (one row per
//     thread, kept by a trigger) and one rowid lookup, instead of counting
//     and sorting each thread's messages;
//   - the unread count is skipped when the actor has read up to the last
//     message (most threads), and otherwise is a range seek on
//     idx_messages_thread_created: "created_at > COALESCE(last_read_at, ”)"
//     is the old "last_read_at IS NULL OR created_at > last_read_at" (stored
//     times are never ”) written so the index can seek instead of scanning
//     the whole thread;
//   - participants come in the same row, so a list of 2,000 threads is one
//     statement instead of chunked IN queries; their names (a few dozen
//     people for 2,000 threads) are looked up once afterwards;
//   - no ORDER BY: sorting 2,000 wide rows in SQLite's sorter costs more
//     than sorting them in Go by the same text keys (see sortThreads).
const threadListCols = `json_array(t.id, t.subject, t.last_activity_at,
	CASE WHEN st.thread_id IS NULL OR ps.last_read_at >= st.last_created_at THEN 0 ELSE
		(SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id AND m.created_at > COALESCE(ps.last_read_at, '')
			AND NOT (m.author_kind = 'staff' AND m.author_id = ps.person_id)) END,
	COALESCE(st.message_count, 0), lm.body, lm.author_kind, lm.author_id,
	(SELECT json_group_array(json_array(p.kind, p.person_id, p.joined_at, p.id))
		FROM participants p WHERE p.thread_id = t.id))`

// threadListJoins completes a FROM that has ps and t.
const threadListJoins = `
	LEFT JOIN thread_stats st ON st.thread_id = t.id
	LEFT JOIN messages lm ON lm.rowid = st.last_message_rowid`

// ThreadsWithClient lists the threads in which both the client and the actor
// take part (group threads included), newest activity first.
func (s *Service) ThreadsWithClient(a access.Actor, clientID string) ([]dto.ThreadSummary, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return nil, err
	}
	// From the client's participations (idx_participants_person), the
	// actor's in the same thread (participants' unique index).
	return s.threadList(`SELECT `+threadListCols+`
		FROM participants pc
		JOIN participants ps ON ps.thread_id = pc.thread_id AND ps.kind = 'staff' AND ps.person_id = ?
		JOIN threads t ON t.id = pc.thread_id`+threadListJoins+`
		WHERE pc.kind = 'client' AND pc.person_id = ?`, a.StaffID, clientID)
}

// ThreadsWithClientPage is ThreadsWithClient from the offset-th thread, at
// most limit of them (limit <= 0: all the rest), with how many there are in
// all. The Messages tab draws from a first page (see dto.TabFirstThreads).
//
// Two steps, so a page costs what a page shows: every thread's id and last
// activity (three index seeks each, no unread count, no participants),
// sorted as the list is; then the full rows of the page's threads only,
// passed as one JSON array (json_each), so no parameter limit applies.
// For the heaviest client (1,800 threads) this is about a third of listing
// them all (bench/README.md).
func (s *Service) ThreadsWithClientPage(a access.Actor, clientID string, offset, limit int) ([]dto.ThreadSummary, int, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return nil, 0, err
	}
	if offset <= 0 && limit <= 0 { // the whole list in one statement
		all, err := s.ThreadsWithClient(a, clientID)
		return all, len(all), err
	}
	type key struct{ id, lastActivity string }
	var keys []key
	err := store.PackedRows(s.DB.DB, func(r *store.Row) error {
		keys = append(keys, key{r.Str(), r.Str()})
		return nil
	}, `SELECT json_array(t.id, t.last_activity_at)
		FROM participants pc
		JOIN participants ps ON ps.thread_id = pc.thread_id AND ps.kind = 'staff' AND ps.person_id = ?
		JOIN threads t ON t.id = pc.thread_id
		WHERE pc.kind = 'client' AND pc.person_id = ?`, a.StaffID, clientID)
	if err != nil {
		return nil, 0, err
	}
	slices.SortFunc(keys, func(x, y key) int { return newestActivityFirst(x.lastActivity, x.id, y.lastActivity, y.id) })
	page := store.PageIDs(len(keys), offset, limit, func(i int) string { return keys[i].id })
	if page == "" {
		return []dto.ThreadSummary{}, len(keys), nil
	}
	out, err := s.threadList(`SELECT `+threadListCols+`
		FROM participants ps JOIN threads t ON t.id = ps.thread_id`+threadListJoins+`
		WHERE ps.kind = 'staff' AND ps.person_id = ? AND ps.thread_id IN (SELECT value FROM json_each(?))`, a.StaffID, page)
	return out, len(keys), err
}

// MyThreads lists every thread the actor takes part in, newest activity first.
func (s *Service) MyThreads(a access.Actor) ([]dto.ThreadSummary, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return nil, err
	}
	return s.threadList(`SELECT `+threadListCols+`
		FROM participants ps JOIN threads t ON t.id = ps.thread_id`+threadListJoins+`
		WHERE ps.kind = 'staff' AND ps.person_id = ?`, a.StaffID)
}

type listedThread struct {
	dto.ThreadSummary
	lastActivity string // as stored, for sorting like SQL would
	lastKind     string
	lastAuthorID string
}

type listedPerson struct {
	dto.Person
	joinedAt, id string
}

func (s *Service) threadList(query string, args ...any) ([]dto.ThreadSummary, error) {
	var rows []*listedThread
	var keys []store.PersonKey
	seen := map[store.PersonKey]bool{}
	addKey := func(k store.PersonKey) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	var people []listedPerson
	err := store.PackedRows(s.DB.DB, func(r *store.Row) error {
		t := &listedThread{}
		t.ID, t.Subject, t.lastActivity = r.Str(), r.Str(), r.Str()
		t.Unread, t.MessageCount = int(r.Int()), int(r.Int())
		t.LastMessage = preview(r.Str())
		t.lastKind, t.lastAuthorID = r.Str(), r.Str()
		if t.lastAuthorID != "" {
			addKey(store.PersonKey{Kind: t.lastKind, ID: t.lastAuthorID})
		}
		ps := r.Array()
		people = people[:0]
		for ps.More() {
			var p listedPerson
			pr := ps.Array()
			p.Kind, p.ID, p.joinedAt, p.id = pr.Str(), pr.Str(), pr.Str(), pr.Str()
			if err := pr.Err(); err != nil {
				return err
			}
			people = append(people, p)
		}
		if err := ps.Err(); err != nil {
			return err
		}
		// Staff first, then by joining time and id, as participantsOf orders.
		slices.SortFunc(people, func(x, y listedPerson) int {
			if c := strings.Compare(y.Kind, x.Kind); c != 0 {
				return c
			}
			if c := strings.Compare(x.joinedAt, y.joinedAt); c != 0 {
				return c
			}
			return strings.Compare(x.id, y.id)
		})
		t.Participants = make([]dto.Person, len(people))
		for i, p := range people {
			t.Participants[i] = p.Person
			addKey(store.PersonKey{Kind: p.Kind, ID: p.ID})
		}
		t.IsGroup = len(people) > 2
		if at, err := store.ParseDBTime(t.lastActivity); err == nil {
			t.LastActivityAt = clock.RFC3339(at)
		}
		rows = append(rows, t)
		return nil
	}, query, args...)
	if err != nil {
		return nil, err
	}
	// A list of 2,000 threads names a few dozen people: one lookup.
	names, err := store.Names(s.DB.DB, keys)
	if err != nil {
		return nil, err
	}
	for _, t := range rows {
		for i, p := range t.Participants {
			t.Participants[i].Name = names[store.PersonKey{Kind: p.Kind, ID: p.ID}]
		}
		if t.lastAuthorID != "" {
			t.LastAuthor = names[store.PersonKey{Kind: t.lastKind, ID: t.lastAuthorID}]
		}
	}
	slices.SortFunc(rows, func(x, y *listedThread) int { return newestActivityFirst(x.lastActivity, x.ID, y.lastActivity, y.ID) })
	out := make([]dto.ThreadSummary, len(rows))
	for i, r := range rows {
		out[i] = r.ThreadSummary
	}
	return out, nil
}

// newestActivityFirst orders threads by last activity, newest first, then by
// id descending: "ORDER BY last_activity_at DESC, id DESC" on the stored text.
func newestActivityFirst(xActivity, xID, yActivity, yID string) int {
	if c := strings.Compare(yActivity, xActivity); c != 0 {
		return c
	}
	return strings.Compare(yID, xID)
}

// participantsOf returns each thread's people with names, staff first.
func participantsOf(tx *gorm.DB, threadIDs []string) (map[string][]dto.Person, error) {
	var ps []store.Participant
	for _, ids := range store.Chunk(threadIDs, 500) {
		var part []store.Participant
		if err := tx.Where("thread_id IN ?", ids).Order("kind DESC, joined_at, id").Find(&part).Error; err != nil {
			return nil, err
		}
		ps = append(ps, part...)
	}
	keys := make([]store.PersonKey, len(ps))
	for i, p := range ps {
		keys[i] = store.PersonKey{Kind: p.Kind, ID: p.PersonID}
	}
	names, err := store.Names(tx, keys)
	if err != nil {
		return nil, err
	}
	out := map[string][]dto.Person{}
	for _, p := range ps {
		out[p.ThreadID] = append(out[p.ThreadID], dto.Person{Kind: p.Kind, ID: p.PersonID, Name: names[store.PersonKey{Kind: p.Kind, ID: p.PersonID}]})
	}
	return out, nil
}

func preview(body string) string {
	body = strings.Join(strings.Fields(body), " ")
	if utf8.RuneCountInString(body) <= previewLength {
		return body
	}
	r := []rune(body)
	return string(r[:previewLength-1]) + "…"
}

// Open returns a thread the actor takes part in, with every message and the
// attachments they may see; see OpenThread for what it writes.
func (s *Service) Open(a access.Actor, threadID string) (dto.Thread, error) {
	t, _, err := s.OpenThread(a, threadID)
	return t, err
}

// Opened says what an OpenThread wrote.
type Opened struct {
	MarkedRead bool // the thread had messages after the reader's last read; it is read now
	Audited    bool // a view was added to the audit log
}

// OpenThread returns a thread the actor takes part in and writes only what
// is new: it marks the thread read when a message came after the reader's
// last read (a participant change, recorded for sync), and audits a view the
// first time the reader opens the thread in this sign-in or when it shows
// them messages they had not read. Opening a thread that is read and already
// viewed in this sign-in writes nothing, so a screen may show it again as
// often as it likes.
func (s *Service) OpenThread(a access.Actor, threadID string) (dto.Thread, Opened, error) {
	var out dto.Thread
	var did Opened
	err := s.DB.Tx(func(tx *gorm.DB) error {
		var th store.Thread
		if err := tx.Where("id = ?", threadID).Limit(1).Find(&th).Error; err != nil {
			return err
		}
		participant, err := store.IsStaffParticipant(tx, threadID, a.StaffID)
		if err != nil {
			return err
		}
		if th.ID == "" || !participant {
			// Non-participants learn nothing, not even that the thread exists.
			if err := access.CheckGoToThread(a, false); apperr.Is(err, apperr.NotSignedIn) {
				return err
			}
			return apperr.New(apperr.NotParticipant, "You are not part of this message thread, so you can't open it.")
		}
		if did.MarkedRead, err = s.markReadIfNew(tx, a, threadID); err != nil {
			return err
		}
		if did.MarkedRead || s.Views == nil || !s.Views.Viewed(a.StaffID, threadID) {
			if err := s.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: audit.ActOpenThread, ThreadID: threadID}); err != nil {
				return err
			}
			did.Audited = true
		}
		out, err = s.threadView(tx, a, th)
		return err
	})
	if err != nil {
		return dto.Thread{}, Opened{}, err
	}
	if s.Views != nil {
		s.Views.RememberView(a.StaffID, threadID)
	}
	return out, did, nil
}

// markReadIfNew marks the thread read for the actor when it holds a message
// after their last read (compared as stored, like the unread counts), and
// reports whether it did. Read up to the newest message even when that one
// carries a later time than this desk's clock (another desk's), so the
// thread does not stay "new" for ever.
func (s *Service) markReadIfNew(tx *gorm.DB, a access.Actor, threadID string) (bool, error) {
	var p store.Participant
	err := tx.Raw(`SELECT p.* FROM participants p WHERE p.thread_id = ? AND p.kind = 'staff' AND p.person_id = ?
		AND EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = p.thread_id AND m.created_at > COALESCE(p.last_read_at, ''))
		LIMIT 1`, threadID, a.StaffID).Scan(&p).Error
	if err != nil || p.ID == "" {
		return false, err
	}
	var last store.Message
	if err := tx.Where("thread_id = ?", threadID).Order("created_at DESC").Limit(1).Find(&last).Error; err != nil {
		return false, err
	}
	at := s.Clock.Now()
	if last.CreatedAt.After(at) {
		at = last.CreatedAt
	}
	p.LastReadAt = &at
	if err := tx.Model(&store.Participant{}).Where("id = ?", p.ID).Update("last_read_at", at).Error; err != nil {
		return false, err
	}
	return true, s.Rec.Record(tx, "participant", p.ID, sync.OpUpdate, p)
}

func (s *Service) markRead(tx *gorm.DB, a access.Actor, threadID string) error {
	now := s.Clock.Now()
	var p store.Participant
	if err := tx.Where("thread_id = ? AND kind = 'staff' AND person_id = ?", threadID, a.StaffID).First(&p).Error; err != nil {
		return err
	}
	if p.LastReadAt != nil && !p.LastReadAt.Before(now) {
		return nil
	}
	p.LastReadAt = &now
	if err := tx.Model(&store.Participant{}).Where("id = ?", p.ID).Update("last_read_at", now).Error; err != nil {
		return err
	}
	return s.Rec.Record(tx, "participant", p.ID, sync.OpUpdate, p)
}

func (s *Service) threadView(tx *gorm.DB, a access.Actor, th store.Thread) (dto.Thread, error) {
	parts, err := participantsOf(tx, []string{th.ID})
	if err != nil {
		return dto.Thread{}, err
	}
	// A thread of 1,000 messages: one packed row per message from
	// idx_messages_thread_created, put in order in Go by the stored text
	// (as "ORDER BY created_at, id" would), times read by position.
	type msgRow struct {
		store.Message
		at string
	}
	var rows []msgRow
	err = store.PackedRows(tx, func(r *store.Row) error {
		m := msgRow{Message: store.Message{ID: r.Str(), ThreadID: th.ID, AuthorKind: r.Str(), AuthorID: r.Str(), Body: r.Str()}, at: r.Str()}
		var err error
		m.CreatedAt, err = store.ParseDBTime(m.at)
		rows = append(rows, m)
		return err
	}, `SELECT json_array(id, author_kind, author_id, body, created_at) FROM messages WHERE thread_id = ?`, th.ID)
	if err != nil {
		return dto.Thread{}, err
	}
	slices.SortFunc(rows, func(x, y msgRow) int {
		if c := strings.Compare(x.at, y.at); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	msgs := make([]store.Message, len(rows))
	for i, r := range rows {
		msgs[i] = r.Message
	}
	atts, err := s.Attachments.ForThread(tx, a, th.ID)
	if err != nil {
		return dto.Thread{}, err
	}
	names := map[store.PersonKey]string{}
	var clientIDs []string
	for _, p := range parts[th.ID] {
		names[store.PersonKey{Kind: p.Kind, ID: p.ID}] = p.Name
		if p.Kind == store.KindClient {
			clientIDs = append(clientIDs, p.ID)
		}
	}
	var missing []store.PersonKey
	for _, m := range msgs {
		if _, ok := names[store.PersonKey{Kind: m.AuthorKind, ID: m.AuthorID}]; !ok {
			missing = append(missing, store.PersonKey{Kind: m.AuthorKind, ID: m.AuthorID})
		}
	}
	if len(missing) > 0 {
		more, err := store.Names(tx, missing)
		if err != nil {
			return dto.Thread{}, err
		}
		for k, v := range more {
			names[k] = v
		}
	}
	out := dto.Thread{ID: th.ID, Subject: th.Subject, Participants: parts[th.ID], IsGroup: len(parts[th.ID]) > 2, ClientIDs: clientIDs,
		Messages: make([]dto.Message, 0, len(msgs))}
	for _, m := range msgs {
		key := store.PersonKey{Kind: m.AuthorKind, ID: m.AuthorID}
		ma := atts[m.ID]
		if ma == nil {
			ma = []dto.Attachment{}
		}
		out.Messages = append(out.Messages, dto.Message{ID: m.ID, Author: dto.Person{Kind: m.AuthorKind, ID: m.AuthorID, Name: names[key]},
			Body: m.Body, SentAt: clock.RFC3339(m.CreatedAt), Mine: m.AuthorKind == store.KindStaff && m.AuthorID == a.StaffID, Attachments: ma})
	}
	return out, nil
}

func cleanText(field, s string, max int, required bool, label string) (string, error) {
	s = strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
	if err := limits.Text(field, label, s, max, required); err != nil {
		return "", err
	}
	return s, nil
}

// Compose starts a new thread with the client, the sender, and anyone else
// chosen (more than two people make it a group), with a first message.
func (s *Service) Compose(a access.Actor, req dto.ComposeRequest) (dto.Thread, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return dto.Thread{}, err
	}
	subject, err := cleanText("subject", req.Subject, MaxSubject, true, "subject")
	if err != nil {
		return dto.Thread{}, err
	}
	body, err := cleanText("body", req.Body, MaxBody, len(req.Files) == 0, "message")
	if err != nil {
		return dto.Thread{}, err
	}
	// A blank id would be dropped by dedupe below and leave a thread with no client.
	req.ClientID = strings.TrimSpace(req.ClientID)
	if req.ClientID == "" {
		return dto.Thread{}, apperr.Invalid("clientId", "Choose the client this message is for.")
	}
	clientIDs := dedupe(append([]string{req.ClientID}, req.OtherClientIDs...), "")
	staffIDs := dedupe(append([]string{a.StaffID}, req.StaffIDs...), "")
	if len(clientIDs)+len(staffIDs) > MaxPeople {
		return dto.Thread{}, apperr.Invalid("people", "A thread can include at most 50 people.")
	}
	if len(req.Files) > MaxFiles {
		return dto.Thread{}, apperr.Invalid("files", "A message can carry at most 20 files.")
	}
	claim, err := s.Attachments.TakeStaged(a, "compose", req.Files)
	if err != nil {
		return dto.Thread{}, err
	}
	var th store.Thread
	err = s.DB.Tx(func(tx *gorm.DB) error {
		if err := mustExist(tx, &store.Client{}, clientIDs, "clientIds", "One of the chosen clients no longer exists."); err != nil {
			return err
		}
		if err := mustExist(tx, &store.Staff{}, staffIDs, "staffIds", "One of the chosen staff members no longer exists."); err != nil {
			return err
		}
		now := s.Clock.Now()
		th = store.Thread{ID: clock.NewID(), Subject: subject, CreatedByKind: store.KindStaff, CreatedByID: a.StaffID, CreatedAt: now, LastActivityAt: now}
		if err := tx.Create(&th).Error; err != nil {
			return err
		}
		if err := s.Rec.Record(tx, "thread", th.ID, sync.OpInsert, th); err != nil {
			return err
		}
		add := func(kind, id string) error {
			p := store.Participant{ID: clock.NewID(), ThreadID: th.ID, Kind: kind, PersonID: id, JoinedAt: now}
			if kind == store.KindStaff && id == a.StaffID {
				p.LastReadAt = &now
			}
			if err := tx.Create(&p).Error; err != nil {
				return err
			}
			return s.Rec.Record(tx, "participant", p.ID, sync.OpInsert, p)
		}
		for _, id := range staffIDs {
			if err := add(store.KindStaff, id); err != nil {
				return err
			}
		}
		for _, id := range clientIDs {
			if err := add(store.KindClient, id); err != nil {
				return err
			}
		}
		msgID, err := s.appendMessage(tx, a, th.ID, body, req.Files, claim.Blobs, now)
		if err != nil {
			return err
		}
		return s.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: audit.ActCompose, ClientID: req.ClientID, ThreadID: th.ID,
			Detail: map[string]any{"message": msgID, "files": len(req.Files), "people": len(clientIDs) + len(staffIDs)}})
	})
	claim.Done(err == nil)
	if err != nil {
		return dto.Thread{}, err
	}
	return s.view(a, th.ID)
}

// Reply appends a message to a thread the actor takes part in.
func (s *Service) Reply(a access.Actor, req dto.ReplyRequest) (dto.Thread, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return dto.Thread{}, err
	}
	body, err := cleanText("body", req.Body, MaxBody, len(req.Files) == 0, "message")
	if err != nil {
		return dto.Thread{}, err
	}
	if len(req.Files) > MaxFiles {
		return dto.Thread{}, apperr.Invalid("files", "A message can carry at most 20 files.")
	}
	claim, err := s.Attachments.TakeStaged(a, "reply", req.Files)
	if err != nil {
		return dto.Thread{}, err
	}
	err = s.DB.Tx(func(tx *gorm.DB) error {
		participant, err := store.IsStaffParticipant(tx, req.ThreadID, a.StaffID)
		if err != nil {
			return err
		}
		if err := access.CheckGoToThread(a, participant); err != nil {
			return err
		}
		now := s.Clock.Now()
		msgID, err := s.appendMessage(tx, a, req.ThreadID, body, req.Files, claim.Blobs, now)
		if err != nil {
			return err
		}
		if err := tx.Model(&store.Thread{}).Where("id = ?", req.ThreadID).Update("last_activity_at", now).Error; err != nil {
			return err
		}
		var th store.Thread
		if err := tx.Where("id = ?", req.ThreadID).First(&th).Error; err != nil {
			return err
		}
		if err := s.Rec.Record(tx, "thread", th.ID, sync.OpUpdate, th); err != nil {
			return err
		}
		if err := s.markRead(tx, a, req.ThreadID); err != nil {
			return err
		}
		var clientID string
		tx.Raw(`SELECT person_id FROM participants WHERE thread_id = ? AND kind = 'client' ORDER BY joined_at LIMIT 1`, req.ThreadID).Scan(&clientID)
		return s.Audit.Append(tx, audit.Entry{StaffID: a.StaffID, Action: audit.ActReply, ClientID: clientID, ThreadID: req.ThreadID,
			Detail: map[string]any{"message": msgID, "files": len(req.Files)}})
	})
	claim.Done(err == nil)
	if err != nil {
		return dto.Thread{}, err
	}
	return s.view(a, req.ThreadID)
}

func (s *Service) view(a access.Actor, threadID string) (dto.Thread, error) {
	var th store.Thread
	if err := s.DB.Where("id = ?", threadID).First(&th).Error; err != nil {
		return dto.Thread{}, err
	}
	return s.threadView(s.DB.DB, a, th)
}

// appendMessage writes a staff message and its attachments: outgoing[i]
// names the file whose content is blobs[i] (claimed with TakeStaged).
func (s *Service) appendMessage(tx *gorm.DB, a access.Actor, threadID, body string, outgoing []dto.OutgoingFile, blobs []files.Blob, now time.Time) (string, error) {
	m := store.Message{ID: clock.NewID(), ThreadID: threadID, AuthorKind: store.KindStaff, AuthorID: a.StaffID, Body: body, CreatedAt: now}
	if err := tx.Create(&m).Error; err != nil {
		return "", err
	}
	if err := s.Rec.Record(tx, "message", m.ID, sync.OpInsert, m); err != nil {
		return "", err
	}
	for i, f := range outgoing {
		name, err := files.CleanName(f.Name)
		if err != nil {
			return "", err
		}
		b := blobs[i]
		if err := s.Attachments.EnsureBlobRow(tx, b); err != nil {
			return "", err
		}
		att := store.Attachment{ID: clock.NewID(), MessageID: m.ID, ThreadID: threadID, BlobSHA256: b.SHA256, Name: name, MIME: b.MIME, Size: b.Size,
			SenderKind: store.KindStaff, SenderID: a.StaffID, CreatedAt: now}
		if err := tx.Create(&att).Error; err != nil {
			return "", err
		}
		if err := s.Rec.Record(tx, "attachment", att.ID, sync.OpInsert, att); err != nil {
			return "", err
		}
	}
	return m.ID, nil
}

func mustExist(tx *gorm.DB, model any, ids []string, field, msg string) error {
	var n int64
	q := tx.Model(model).Where("id IN ?", ids)
	if _, ok := model.(*store.Staff); ok {
		q = q.Where("active = ?", true)
	}
	if err := q.Count(&n).Error; err != nil {
		return err
	}
	if int(n) != len(ids) {
		return apperr.Invalid(field, msg)
	}
	return nil
}

func dedupe(ids []string, drop string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || id == drop || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	return out
}

// UnreadThreads lists the actor's threads with unread messages, for Home.
func (s *Service) UnreadThreads(a access.Actor, limit int) ([]dto.UnreadThread, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return nil, err
	}
	// Only threads with messages after the actor's last read can have
	// unread ones: thread_stats rules the others out without a look at
	// their messages.
	ts, err := s.threadList(`SELECT `+threadListCols+`
		FROM participants ps JOIN threads t ON t.id = ps.thread_id`+threadListJoins+`
		WHERE ps.kind = 'staff' AND ps.person_id = ?
		  AND (ps.last_read_at IS NULL OR ps.last_read_at < st.last_created_at)`, a.StaffID)
	if err != nil {
		return nil, err
	}
	out := []dto.UnreadThread{}
	for _, t := range ts {
		if t.Unread == 0 {
			continue
		}
		u := dto.UnreadThread{ThreadID: t.ID, Subject: t.Subject, Unread: t.Unread, LastAt: t.LastActivityAt}
		for _, p := range t.Participants {
			if p.Kind == store.KindClient {
				u.ClientID, u.ClientName = p.ID, p.Name
				break
			}
		}
		out = append(out, u)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// unreadExpr is the actor's (ps) unread count in thread st.thread_id: zero
// without looking at messages when they read up to the last one, else a
// range seek on idx_messages_thread_created (see threadListCols).
const unreadExpr = `CASE WHEN ps.last_read_at >= st.last_created_at THEN 0 ELSE
	(SELECT COUNT(*) FROM messages m WHERE m.thread_id = st.thread_id AND m.created_at > COALESCE(ps.last_read_at, '')
		AND NOT (m.author_kind = 'staff' AND m.author_id = ps.person_id)) END`

// manyClients is where UnreadForClients stops looking clients up one by one
// and walks the actor's threads instead.
const manyClients = 1000

// UnreadForClients returns, per client, the actor's unread message count in
// threads with that client (clients without unread messages are absent).
func (s *Service) UnreadForClients(tx *gorm.DB, a access.Actor, clientIDs []string) (map[string]int, error) {
	out := map[string]int{}
	type unreadRow struct {
		ClientID string
		Unread   int
	}
	if len(clientIDs) > manyClients {
		// The clients list asks for thousands of clients: walk the actor's
		// own participations once (idx_participants_person) and skip every
		// thread read to the end by its thread_stats row, rather than
		// probing each client's threads. CROSS JOIN keeps that loop order:
		// without statistics SQLite would otherwise start from every
		// client participation in the practice.
		want := make(map[string]bool, len(clientIDs))
		for _, id := range clientIDs {
			want[id] = true
		}
		var rows []unreadRow
		err := tx.Raw(`SELECT pc.person_id AS client_id, SUM(`+unreadExpr+`) AS unread
			FROM participants ps
			CROSS JOIN thread_stats st ON st.thread_id = ps.thread_id AND (ps.last_read_at IS NULL OR ps.last_read_at < st.last_created_at)
			CROSS JOIN participants pc ON pc.thread_id = ps.thread_id AND pc.kind = 'client'
			WHERE ps.kind = 'staff' AND ps.person_id = ?
			GROUP BY pc.person_id`, a.StaffID).Scan(&rows).Error
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if want[r.ClientID] && r.Unread > 0 {
				out[r.ClientID] = r.Unread
			}
		}
		return out, nil
	}
	for _, ids := range store.Chunk(clientIDs, 500) {
		var rows []unreadRow
		err := tx.Raw(`SELECT pc.person_id AS client_id, SUM(`+unreadExpr+`) AS unread
			FROM participants pc
			JOIN participants ps ON ps.thread_id = pc.thread_id AND ps.kind = 'staff' AND ps.person_id = ?
			JOIN thread_stats st ON st.thread_id = pc.thread_id
			WHERE pc.kind = 'client' AND pc.person_id IN ? GROUP BY pc.person_id`, a.StaffID, ids).Scan(&rows).Error
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if r.Unread > 0 {
				out[r.ClientID] = r.Unread
			}
		}
	}
	return out, nil
}
