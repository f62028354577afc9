package clients_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/store"
	"clinicdesk/backend/testutil"
)

// Seed corpus: testdata/fuzz/FuzzSearch. Run longer with:
// go test -run '^$' -fuzz '^FuzzSearch$' ./backend/clients

// asciiFold lowers ASCII letters only, as SQLite's LIKE compares.
func asciiFold(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// The search box is typed into freely: Search never panics and never fails
// except InvalidInput for more than 100 characters, and every client it
// returns contains every word of the query literally (no LIKE wildcards).
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"", "ann", "Ann Lee", "%", "_", `\`, `a%b_c\`, "'; DROP TABLE clients; --", "555-01", "1985-03",
		"Zoë", "\xff\xfe", strings.Repeat("a", 100), strings.Repeat("é", 101), " \t\n ", "\x00", "[a-z]*", "ESCAPE '\\'", "100%", "o'brien", "a_b"} {
		f.Add(s)
	}
	d, _ := testutil.Desk(f, false)
	a := testutil.Actor(testutil.AddStaff(f, d, "Fuzz", store.RoleFrontDesk))
	var all []store.Client
	for _, c := range [][4]string{
		{"Ann", "Lee", "555-0101", "ann@example.org"}, {"Zoë", "O'Brien", "555 0102", "zoe@example.org"},
		{"Percent", "100%", "", "p_c@example.org"}, {"Under", "a_b", "", ""}, {"Back", `sl\ash`, "", ""},
		{"Émile", "Ünal", "+1 (555) 0199", "EMILE@EXAMPLE.ORG"},
	} {
		cl := store.Client{ID: clock.NewID(), FirstName: c[0], LastName: c[1], Phone: c[2], Email: c[3], DateOfBirth: "1985-03-04",
			CreatedAt: testutil.Now, UpdatedAt: testutil.Now}
		must(f, d.DB.Create(&cl).Error)
		all = append(all, cl)
	}
	byID := map[string]store.Client{}
	for _, c := range all {
		byID[c.ID] = c
	}
	f.Fuzz(func(t *testing.T, q string) {
		res, err := d.Clients.Search(a, q, 0)
		if utf8.RuneCountInString(q) > 100 {
			if !apperr.Is(err, apperr.InvalidInput) {
				t.Fatalf("Search(%d runes) = %v, want invalid input", utf8.RuneCountInString(q), err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		// Control characters separate words, like spaces.
		words := strings.Fields(strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, q))
		if len(words) == 0 && len(res) != len(all) {
			t.Fatalf("empty query %q found %d of %d clients", q, len(res), len(all))
		}
		if !utf8.ValidString(q) {
			return // SQLite decodes invalid UTF-8 its own way; only no-error/no-panic holds
		}
		for _, r := range res {
			c, ok := byID[r.ID]
			if !ok {
				t.Fatalf("unknown client %s", r.ID)
			}
			hay := asciiFold(strings.Join([]string{c.FirstName, c.LastName, c.Email, c.Phone, c.DateOfBirth}, "\n"))
			for _, w := range words {
				if !strings.Contains(hay, asciiFold(w)) {
					t.Fatalf("Search(%q) returned %s %s, which does not contain %q", q, c.FirstName, c.LastName, w)
				}
			}
		}
	})
}
