package ops

import (
	"database/sql"
	"strings"
	"time"

	"clinicdesk/backend/store"
)

// FloorThread and FloorAttachment hold what the Messages tab shows, as
// plain rows.
type FloorThread struct {
	ID, Subject, LastBody, LastKind, LastAuthorID string
	LastActivityAt                                time.Time
	Unread, MessageCount                          int
	People                                        []FloorPerson
}

type FloorPerson struct{ Kind, ID, Name string }

type FloorAttachment struct {
	ID, MessageID, ThreadID, Name, MIME, SenderKind, SenderID, SenderName, ThreadSubject string
	Size                                                                                 int64
	CreatedAt                                                                            time.Time
	Shared, Participant                                                                  bool
	SharedBy                                                                             sql.NullString
	SharedAt                                                                             sql.NullTime
}

// The floor: the Messages tab's data selected by hand-written SQL straight
// through database/sql (no gorm, no DTOs, no permission helpers), with the
// best plan the schema allows (thread_stats, one participation probe per
// thread, names joined in SQL, ordered by SQL), one plain column per field.
// It is what the app's path should approach.
const (
	floorThreadsSQL = `SELECT t.id, t.subject, t.last_activity_at,
		CASE WHEN ps.last_read_at >= st.last_created_at THEN 0 ELSE
			(SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id AND m.created_at > COALESCE(ps.last_read_at, '')
				AND NOT (m.author_kind = 'staff' AND m.author_id = ps.person_id)) END,
		st.message_count, lm.body, lm.author_kind, lm.author_id
	FROM participants pc
	JOIN participants ps ON ps.thread_id = pc.thread_id AND ps.kind = 'staff' AND ps.person_id = ?1
	JOIN threads t ON t.id = pc.thread_id
	JOIN thread_stats st ON st.thread_id = t.id
	JOIN messages lm ON lm.rowid = st.last_message_rowid
	WHERE pc.kind = 'client' AND pc.person_id = ?2
	ORDER BY t.last_activity_at DESC, t.id DESC`

	floorPeopleSQL = `SELECT p.thread_id, p.kind, p.person_id,
		COALESCE(s.first_name || ' ' || s.last_name, c.first_name || ' ' || c.last_name, 'Unknown person')
	FROM participants pc
	JOIN participants ps ON ps.thread_id = pc.thread_id AND ps.kind = 'staff' AND ps.person_id = ?1
	JOIN participants p ON p.thread_id = pc.thread_id
	LEFT JOIN staff s ON p.kind = 'staff' AND s.id = p.person_id
	LEFT JOIN clients c ON p.kind = 'client' AND c.id = p.person_id
	WHERE pc.kind = 'client' AND pc.person_id = ?2
	ORDER BY p.thread_id, p.kind DESC, p.joined_at, p.id`

	floorAttachmentsSQL = `WITH th AS MATERIALIZED (
		SELECT pc.thread_id, t.subject,
			EXISTS (SELECT 1 FROM participants ps WHERE ps.thread_id = pc.thread_id AND ps.kind = 'staff' AND ps.person_id = ?1) AS participant
		FROM participants pc JOIN threads t ON t.id = pc.thread_id
		WHERE pc.kind = 'client' AND pc.person_id = ?2)
	SELECT a.id, a.message_id, a.thread_id, a.name, a.mime, a.size, a.sender_kind, a.sender_id,
		COALESCE(s.first_name || ' ' || s.last_name, c.first_name || ' ' || c.last_name, 'Unknown person'),
		th.subject, a.created_at, a.shared_with_staff, th.participant,
		sb.first_name || ' ' || sb.last_name, a.shared_at
	FROM th JOIN attachments a ON a.thread_id = th.thread_id
	LEFT JOIN staff s ON a.sender_kind = 'staff' AND s.id = a.sender_id
	LEFT JOIN clients c ON a.sender_kind = 'client' AND c.id = a.sender_id
	LEFT JOIN staff sb ON sb.id = a.shared_by_staff_id
	WHERE a.removed_at IS NULL AND (th.participant OR a.shared_with_staff = 1)
	ORDER BY a.created_at DESC, a.id DESC`
)

// TabFloor selects the Messages tab's data with the floor queries.
func (e *Env) TabFloor(staffID, clientID string) ([]FloorThread, []FloorAttachment, error) {
	rows, err := e.Raw.Query(floorThreadsSQL, staffID, clientID)
	if err != nil {
		return nil, nil, err
	}
	var threads []FloorThread
	index := map[string]int{}
	for rows.Next() {
		var t FloorThread
		if err := rows.Scan(&t.ID, &t.Subject, &t.LastActivityAt, &t.Unread, &t.MessageCount, &t.LastBody, &t.LastKind, &t.LastAuthorID); err != nil {
			rows.Close()
			return nil, nil, err
		}
		index[t.ID] = len(threads)
		threads = append(threads, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = e.Raw.Query(floorPeopleSQL, staffID, clientID)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var threadID string
		var p FloorPerson
		if err := rows.Scan(&threadID, &p.Kind, &p.ID, &p.Name); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if i, ok := index[threadID]; ok {
			threads[i].People = append(threads[i].People, p)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = e.Raw.Query(floorAttachmentsSQL, staffID, clientID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var atts []FloorAttachment
	for rows.Next() {
		var a FloorAttachment
		if err := rows.Scan(&a.ID, &a.MessageID, &a.ThreadID, &a.Name, &a.MIME, &a.Size, &a.SenderKind, &a.SenderID, &a.SenderName,
			&a.ThreadSubject, &a.CreatedAt, &a.Shared, &a.Participant, &a.SharedBy, &a.SharedAt); err != nil {
			return nil, nil, err
		}
		atts = append(atts, a)
	}
	return threads, atts, rows.Err()
}

// packed wraps a floor query's select list in json_array(...), the way the
// app reads long lists (store.PackedRows), keeping FROM and ORDER BY.
func packed(query string) string {
	sel := strings.Index(query, "SELECT ")
	if strings.HasPrefix(query, "WITH") {
		sel = strings.Index(query, ")\n\tSELECT ") + 3
	}
	from := strings.Index(query[sel:], "\n\tFROM ") + sel
	return query[:sel] + "SELECT json_array(" + query[sel+len("SELECT "):from] + ")" + query[from:]
}

// TabFloorPacked is TabFloor with every row packed into one column: the
// floor of the way the app reads the tab (same SQL, no DTOs, no checks).
func (e *Env) TabFloorPacked(staffID, clientID string) (threads, people, atts int, err error) {
	count := func(q string, n *int) error {
		rows, err := e.Raw.Query(packed(q), staffID, clientID)
		if err != nil {
			return err
		}
		defer rows.Close()
		var s string
		for rows.Next() {
			if err := rows.Scan(&s); err != nil {
				return err
			}
			r := store.NewRow(s)
			for r.More() {
				r.Str()
			}
			if r.Err() != nil {
				return r.Err()
			}
			*n++
		}
		return rows.Err()
	}
	if err = count(floorThreadsSQL, &threads); err == nil {
		if err = count(floorPeopleSQL, &people); err == nil {
			err = count(floorAttachmentsSQL, &atts)
		}
	}
	return
}
