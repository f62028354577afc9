package messaging_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/messaging"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

// Seed corpus: testdata/fuzz/FuzzMessageSearch. Run longer with:
// go test -run '^$' -fuzz '^FuzzMessageSearch$' ./backend/messaging

// The message search box is typed into freely and its words reach an FTS5
// MATCH: whatever is typed, FTSQuery yields only quoted words (at most
// eight, no FTS syntax), and Search never fails except InvalidInput for more
// than 200 characters, never panics, and returns only messages of threads
// the searcher takes part in.
func FuzzMessageSearch(f *testing.F) {
	for _, s := range []string{"", "insurance", "sleep diary", `a OR b`, `"unbalanced`, "NEAR(a b)", "body:x", "x*", "^start", "(a", "a)",
		"-x", "+y", "ünïcödé", "日本語のテキスト", "\x00", "\xff\xfe", "a\"b", "a'b", strings.Repeat("w ", 20), strings.Repeat("é", 201), "AND", "NOT x"} {
		f.Add(s)
	}
	d, _ := testutil.Desk(f, false)
	me := testutil.Actor(testutil.AddStaff(f, d, "Me", store.RoleClinician))
	other := testutil.Actor(testutil.AddStaff(f, d, "Other", store.RoleClinician))
	c := testutil.AddClient(f, d, "Casey")
	mine := map[string]bool{}
	for i, body := range []string{"Insurance card attached", "sleep diary for the week", `quotes "inside" and OR NEAR(x y)`,
		"ünïcödé text 日本語のテキスト", "a*b ^c (d) -e +f", "insurance renewal next month"} {
		a := me
		if i%3 == 2 {
			a = other
		}
		th, err := d.Messages.Compose(a, dto.ComposeRequest{ClientID: c.ID, Subject: "s", Body: body})
		if err != nil {
			f.Fatal(err)
		}
		if a == me {
			mine[th.ID] = true
		}
	}
	f.Fuzz(func(t *testing.T, q string) {
		fts := messaging.FTSQuery(q)
		if fts != "" {
			body := strings.TrimSuffix(fts, "*")
			terms := strings.Split(body, " ")
			if len(terms) > 8 {
				t.Fatalf("FTSQuery(%q) = %d terms", q, len(terms))
			}
			for _, term := range terms {
				if len(term) < 3 || term[0] != '"' || term[len(term)-1] != '"' || strings.Contains(term[1:len(term)-1], `"`) || !utf8.ValidString(term) {
					t.Fatalf("FTSQuery(%q) = %q: term %q is not one quoted word", q, fts, term)
				}
			}
		}
		res, err := d.Messages.Search(me, q, 0)
		if utf8.RuneCountInString(q) > messaging.MaxSearchQuery {
			if !apperr.Is(err, apperr.InvalidInput) {
				t.Fatalf("Search(%d characters) = %v", utf8.RuneCountInString(q), err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Search(%q) [%s]: %v", q, fts, err)
		}
		for _, h := range res.Hits {
			if !mine[h.ThreadID] {
				t.Fatalf("Search(%q) returned a message of a thread the searcher is not in", q)
			}
		}
	})
}
