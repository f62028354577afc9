package store

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Packed rows: large lists (a Messages tab with 10,000 attachments) select
// each row as ONE column, json_array(col1, col2, ...), and read it back with
// a Row.
//
// Why: the SQLite driver (glebarez/go-sqlite over modernc.org/sqlite) makes
// three or four calls into SQLite per column of every row (type, text,
// length, declared type), each behind SQLite's mutexes, plus database/sql's
// per-column conversion. For a 14-column list of 10,000 rows that cost more
// than the query itself. json_array makes it one call per row, and SQLite's
// JSON escaping means any text (a subject with control characters, quotes,
// any Unicode) comes back exactly.

// PackedRows runs query, whose single result column is a json_array per
// row, and calls fn with each row.
func PackedRows(tx *gorm.DB, fn func(r *Row) error, query string, args ...any) error {
	return Packed(tx.Raw(query, args...), fn)
}

// Packed runs a gorm query whose single selected column is a json_array
// per row (Select("json_array(...)")) and calls fn with each row.
func Packed(q *gorm.DB, fn func(r *Row) error) error {
	rows, err := q.Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	var s string
	for rows.Next() {
		if err := rows.Scan(&s); err != nil {
			return err
		}
		r := NewRow(s)
		if err := fn(r); err != nil {
			return err
		}
		if err := r.Err(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Row reads the elements of a JSON array in order. Reading past the end or
// the wrong kind of element records an error (see Err) and returns zero
// values.
type Row struct {
	s     string
	i     int
	first bool
	err   error
}

var errPacked = errors.New("packed row")

// NewRow starts reading the JSON array s.
func NewRow(s string) *Row {
	r := &Row{s: s, first: true}
	r.skipSpace()
	if r.i >= len(r.s) || r.s[r.i] != '[' {
		r.fail("not an array")
		return r
	}
	r.i++
	return r
}

// Err is the first problem met, nil when every read was good.
func (r *Row) Err() error { return r.err }

func (r *Row) fail(why string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s at byte %d of %.80q", errPacked, why, r.i, r.s)
	}
	r.i = len(r.s)
}

func (r *Row) skipSpace() {
	for r.i < len(r.s) && (r.s[r.i] == ' ' || r.s[r.i] == '\n' || r.s[r.i] == '\t' || r.s[r.i] == '\r') {
		r.i++
	}
}

// next moves to the start of the next element and reports whether there is one.
func (r *Row) next() bool {
	if r.err != nil {
		return false
	}
	r.skipSpace()
	if r.i >= len(r.s) {
		r.fail("unterminated array")
		return false
	}
	if r.s[r.i] == ']' {
		return false
	}
	if !r.first {
		if r.s[r.i] != ',' {
			r.fail("expected ,")
			return false
		}
		r.i++
		r.skipSpace()
		if r.i >= len(r.s) || r.s[r.i] == ']' {
			r.fail("missing element after ,")
			return false
		}
	}
	r.first = false
	return true
}

// More reports whether another element follows (for nested arrays of
// unknown length).
func (r *Row) More() bool {
	if r.err != nil {
		return false
	}
	r.skipSpace()
	return r.i < len(r.s) && r.s[r.i] != ']'
}

// Str reads a string element ("" for null; a number's text as is).
func (r *Row) Str() string {
	if !r.next() {
		r.fail("missing element")
		return ""
	}
	switch c := r.s[r.i]; {
	case c == '"':
		return r.str()
	case c == 'n' && strings.HasPrefix(r.s[r.i:], "null"):
		r.i += 4
		return ""
	default:
		return r.scalar()
	}
}

// Int reads a number element (0 for null).
func (r *Row) Int() int64 {
	s := r.Str()
	if s == "" || r.err != nil {
		return 0
	}
	if s == "true" {
		return 1
	}
	if s == "false" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil {
			r.fail("not a number")
			return 0
		}
		return int64(f)
	}
	return n
}

// Bool reads a 0/1 (or true/false) element; null is false.
func (r *Row) Bool() bool { return r.Int() != 0 }

// Array reads a nested array element and returns a Row over it; null reads
// as an empty array.
func (r *Row) Array() *Row {
	if !r.next() {
		r.fail("missing element")
		return &Row{err: r.err}
	}
	if strings.HasPrefix(r.s[r.i:], "null") {
		r.i += 4
		return NewRow("[]")
	}
	if r.s[r.i] != '[' {
		r.fail("expected an array")
		return &Row{err: r.err}
	}
	start, depth := r.i, 0
	for r.i < len(r.s) {
		switch r.s[r.i] {
		case '"':
			r.str()
			continue
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				r.i++
				return NewRow(r.s[start:r.i])
			}
		}
		r.i++
	}
	r.fail("unterminated nested array")
	return &Row{err: r.err}
}

// scalar reads a number, true or false up to the next delimiter.
func (r *Row) scalar() string {
	start := r.i
	for r.i < len(r.s) && r.s[r.i] != ',' && r.s[r.i] != ']' && r.s[r.i] != ' ' {
		r.i++
	}
	if r.i == start {
		r.fail("empty element")
	}
	return r.s[start:r.i]
}

// str reads a JSON string at r.i (the opening quote): a substring of the row
// when it holds no escape, decoded otherwise.
func (r *Row) str() string {
	r.i++ // opening quote
	start := r.i
	for r.i < len(r.s) {
		switch r.s[r.i] {
		case '"':
			out := r.s[start:r.i]
			r.i++
			return out
		case '\\':
			return r.escaped(start)
		}
		r.i++
	}
	r.fail("unterminated string")
	return ""
}

func (r *Row) escaped(start int) string {
	var b strings.Builder
	b.WriteString(r.s[start:r.i])
	for r.i < len(r.s) {
		c := r.s[r.i]
		switch {
		case c == '"':
			r.i++
			return b.String()
		case c != '\\':
			b.WriteByte(c)
			r.i++
			continue
		}
		if r.i+1 >= len(r.s) {
			break
		}
		e := r.s[r.i+1]
		r.i += 2
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			c1, ok := r.hex4()
			if !ok {
				return ""
			}
			if utf16.IsSurrogate(c1) && strings.HasPrefix(r.s[r.i:], `\u`) {
				save := r.i
				r.i += 2
				if c2, ok := r.hex4(); ok {
					if d := utf16.DecodeRune(c1, c2); d != utf8.RuneError {
						b.WriteRune(d)
						continue
					}
				}
				r.i = save
			}
			b.WriteRune(c1)
		default:
			r.fail("bad escape")
			return ""
		}
	}
	r.fail("unterminated string")
	return ""
}

func (r *Row) hex4() (rune, bool) {
	if r.i+4 > len(r.s) {
		r.fail("short \\u escape")
		return 0, false
	}
	n, err := strconv.ParseUint(r.s[r.i:r.i+4], 16, 16)
	if err != nil {
		r.fail("bad \\u escape")
		return 0, false
	}
	r.i += 4
	return rune(n), true
}
