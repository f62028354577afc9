package store_test

import (
	"encoding/json"
	"strings"
	"testing"

	"clinicdesk/backend/store"
)

// TestPackedRowsRoundTripAnyText: whatever a subject or name holds (quotes,
// backslashes, control characters, the separators a hand-made packing would
// use, emoji, other scripts, NUL), json_array in SQLite and Row in Go give
// back the same string; integers, NULLs and nested arrays too.
func TestPackedRowsRoundTripAnyText(t *testing.T) {
	db := openDB(t)
	texts := []string{"", "plain", `quo"te`, `back\slash`, "tab\tnew\nline\r", "\x1f\x1e\x01\x7f", "naïve café — ☕ 😀 漢字",
		"/slash/", `\u0041 not an escape`, "nul\x00inside", strings.Repeat("long ", 500)}
	for _, want := range texts {
		var got, inner string
		var n, null int64
		err := store.PackedRows(db.DB, func(r *store.Row) error {
			got = r.Str()
			n = r.Int()
			null = r.Int()
			in := r.Array()
			for in.More() {
				inner += in.Str() + "|"
			}
			if in.Err() != nil {
				return in.Err()
			}
			if r.More() {
				t.Error("elements left over")
			}
			return nil
		}, `SELECT json_array(CAST(? AS TEXT), 42, NULL, (SELECT json_group_array(v) FROM (SELECT ? AS v UNION ALL SELECT 'b')))`, want, want)
		if err != nil {
			t.Fatalf("%q: %v", want, err)
		}
		if got != want || n != 42 || null != 0 || inner != want+"|b|" {
			t.Errorf("%q came back as %q, %d, %d, %q", want, got, n, null, inner)
		}
	}
}

// FuzzRowMatchesEncodingJSON: for any array of strings and integers that
// encoding/json writes, Row reads the same values.
func FuzzRowMatchesEncodingJSON(f *testing.F) {
	f.Add("a", "b\"c", int64(7))
	f.Add("\u2028", "\x00\x1f", int64(-1))
	f.Add("😀", `\`, int64(1<<40))
	f.Fuzz(func(t *testing.T, a, b string, n int64) {
		if !validUTF8(a) || !validUTF8(b) {
			return
		}
		js, _ := json.Marshal([]any{a, n, []string{b, a}, nil})
		r := store.NewRow(string(js))
		if got := r.Str(); got != a {
			t.Fatalf("%s: first %q, want %q", js, got, a)
		}
		if got := r.Int(); got != n {
			t.Fatalf("%s: int %d, want %d", js, got, n)
		}
		in := r.Array()
		if x, y := in.Str(), in.Str(); x != b || y != a || in.More() {
			t.Fatalf("%s: nested %q %q", js, x, y)
		}
		if r.Str() != "" || r.More() || r.Err() != nil {
			t.Fatalf("%s: tail, err %v", js, r.Err())
		}
	})
}

func validUTF8(s string) bool { return strings.ToValidUTF8(s, "") == s }

// TestRowReportsMalformedInput: a truncated or wrong row is an error, never
// a panic or silent zero values.
func TestRowReportsMalformedInput(t *testing.T) {
	for _, s := range []string{"", "{}", `["a"`, `["a",`, `["a" "b"]`, `["\u12"]`, `["\q"]`, `[1,]`} {
		r := store.NewRow(s)
		r.Str()
		r.Str()
		if r.Err() == nil {
			t.Errorf("%q: no error", s)
		}
	}
}
