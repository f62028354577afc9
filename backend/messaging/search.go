package messaging

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/store"
)

// Search limits.
const (
	MaxSearchQuery = 200 // characters a search may hold
	maxSearchTerms = 8
	maxSearchHits  = 200
	// snippetTokens is how many words a snippet shows around the match.
	snippetTokens = 14
)

// Markers FTS5's snippet() puts around matched words; ControlChars never
// typed in a message, and stripped from bodies' snippets before use.
const (
	markOpen  = "\x02"
	markClose = "\x03"
)

// FTSQuery turns what a person typed into a safe FTS5 query: the words only
// (runs of letters, digits and marks, as the unicode61 tokenizer of
// messages_fts sees them), each in double quotes so nothing the user types is
// read as FTS syntax (AND, OR, NOT, NEAR, column filters, *, ^, parentheses),
// all required, at most eight. When the query ends inside a word of three or
// more characters, that word also matches as a prefix, so results come while
// typing. It returns "" when there is no word to look for.
func FTSQuery(q string) string {
	terms, prefix := ftsTerms(q)
	return ftsBuild(terms, prefix)
}

// ftsTerms splits q into at most eight words and reports whether the last
// one is being typed (the query ends inside it and it has three or more
// characters).
func ftsTerms(q string) (terms []string, prefix bool) {
	var cur strings.Builder
	truncated := false
	flush := func() {
		if cur.Len() == 0 {
			return
		}
		if len(terms) < maxSearchTerms {
			terms = append(terms, cur.String())
		} else {
			truncated = true
		}
		cur.Reset()
	}
	endsInWord := false
	for _, r := range q {
		endsInWord = unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Co, r)
		if endsInWord {
			cur.WriteRune(r)
			continue
		}
		flush()
	}
	flush()
	prefix = len(terms) > 0 && endsInWord && !truncated && utf8.RuneCountInString(terms[len(terms)-1]) >= 3
	return terms, prefix
}

func ftsBuild(terms []string, prefix bool) string {
	if len(terms) == 0 {
		return ""
	}
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		// Only letters, digits and marks are left, so a term can hold no
		// double quote; quoting makes every term a plain string.
		b.WriteString(`"` + t + `"`)
	}
	if prefix {
		b.WriteByte('*')
	}
	return b.String()
}

type searchRow struct {
	RowID      int64
	ID         string
	ThreadID   string
	AuthorKind string
	AuthorID   string
	CreatedAt  time.Time
	Subject    string
	Snippet    string
}

// searchBudget is how many of the newest matching messages a search looks
// at, in the actor's threads or not. A common word matches hundreds of
// thousands of messages; an actor in few threads would otherwise make the
// search visit all of them to find none.
const searchBudget = 5000

// Search finds messages whose text matches query in threads the actor takes
// part in, newest first, at most limit (1..200, default 50).
//
// How (EXPLAIN QUERY PLAN in bench/README.md):
//   - messages_fts is walked in descending rowid order (the order messages
//     were stored in: newest first). FTS5 consumes "ORDER BY rowid DESC"
//     itself, so matches are never sorted, and the walk stops as soon as
//     limit+1 hits in the actor's threads are found; snippets are built only
//     for the rows returned. Each match costs one messages lookup by rowid
//     and one probe of participants' unique (thread_id, kind, person_id)
//     index. Threads the actor is not part of never leave the database.
//   - the walk is bounded to the searchBudget newest matches (one FTS-only
//     pass finds the rowid where the budget ends); Capped tells the UI that
//     older messages were not searched.
//   - whole words first: a prefix query ("insur"*) makes FTS5 merge the
//     postings of every word with that prefix before returning anything, so
//     the last word is used as a prefix only when the whole words found
//     fewer than limit hits without filling the budget (while a word is
//     still being typed).
func (s *Service) Search(a access.Actor, query string, limit int) (dto.SearchResult, error) {
	if err := access.CheckSignedIn(a); err != nil {
		return dto.SearchResult{}, err
	}
	if utf8.RuneCountInString(query) > MaxSearchQuery {
		return dto.SearchResult{}, apperr.Invalid("query", "That search is too long.")
	}
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, maxSearchHits)
	terms, prefix := ftsTerms(query)
	out := dto.SearchResult{Query: strings.Join(terms, " "), Hits: []dto.SearchHit{}}
	if len(terms) == 0 {
		return out, nil
	}
	rows, capped, err := s.searchRows(a, ftsBuild(terms, false), limit)
	// A word common enough to fill the budget is a whole word: no prefix.
	if err == nil && prefix && len(rows) < limit && !capped {
		rows, capped, err = s.searchRows(a, ftsBuild(terms, true), limit)
	}
	if err != nil {
		return dto.SearchResult{}, err
	}
	if len(rows) > limit {
		rows, out.More = rows[:limit], true
	}
	out.Capped = capped && !out.More
	if len(rows) == 0 {
		return out, nil
	}
	threadIDs := make([]string, 0, len(rows))
	keys := make([]store.PersonKey, 0, len(rows))
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.ThreadID] {
			seen[r.ThreadID] = true
			threadIDs = append(threadIDs, r.ThreadID)
		}
		keys = append(keys, store.PersonKey{Kind: r.AuthorKind, ID: r.AuthorID})
	}
	parts, err := participantsOf(s.DB.DB, threadIDs)
	if err != nil {
		return dto.SearchResult{}, err
	}
	names, err := store.Names(s.DB.DB, keys)
	if err != nil {
		return dto.SearchResult{}, err
	}
	for _, r := range rows {
		clients := []dto.Person{}
		for _, p := range parts[r.ThreadID] {
			if p.Kind == store.KindClient {
				clients = append(clients, p)
			}
		}
		key := store.PersonKey{Kind: r.AuthorKind, ID: r.AuthorID}
		out.Hits = append(out.Hits, dto.SearchHit{MessageID: r.ID, ThreadID: r.ThreadID, ThreadSubject: r.Subject, Clients: clients,
			Author: dto.Person{Kind: r.AuthorKind, ID: r.AuthorID, Name: names[key]}, SentAt: clock.RFC3339(r.CreatedAt),
			Snippet: snippetParts(r.Snippet)})
	}
	return out, nil
}

// searchRows returns up to limit+1 hits of the FTS query fts in the actor's
// threads among the searchBudget newest matches, and whether matches older
// than those exist.
func (s *Service) searchRows(a access.Actor, fts string, limit int) ([]searchRow, bool, error) {
	var floor []int64
	if err := s.DB.Raw(`SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?`,
		fts, searchBudget-1).Scan(&floor).Error; err != nil {
		return nil, false, err
	}
	var from int64
	if len(floor) == 1 {
		from = floor[0]
	}
	var rows []searchRow
	err := s.DB.Raw(`SELECT f.rowid AS row_id, m.id, m.thread_id, m.author_kind, m.author_id, m.created_at, t.subject,
			snippet(messages_fts, 0, char(2), char(3), '…', ?) AS snippet
		FROM messages_fts f
		JOIN messages m ON m.rowid = f.rowid
		JOIN threads t ON t.id = m.thread_id
		WHERE messages_fts MATCH ? AND f.rowid >= ?
		  AND EXISTS (SELECT 1 FROM participants ps WHERE ps.thread_id = m.thread_id AND ps.kind = 'staff' AND ps.person_id = ?)
		ORDER BY f.rowid DESC
		LIMIT ?`, snippetTokens, fts, from, a.StaffID, limit+1).Scan(&rows).Error
	return rows, len(floor) == 1, err
}

// snippetParts splits a snippet at the match markers into plain-text parts;
// line breaks and tabs become spaces, as in thread previews.
func snippetParts(s string) []dto.TextPart {
	out := []dto.TextPart{}
	match := false
	flat := func(t string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || unicode.IsControl(r) {
				return ' '
			}
			return r
		}, t)
	}
	for s != "" {
		i := strings.IndexAny(s, markOpen+markClose)
		if i < 0 {
			out = append(out, dto.TextPart{Text: flat(s), Match: match})
			break
		}
		if i > 0 {
			out = append(out, dto.TextPart{Text: flat(s[:i]), Match: match})
		}
		match = s[i] == markOpen[0]
		s = s[i+1:]
	}
	return out
}
