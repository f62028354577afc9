package store

import "encoding/json"

// PageIDs picks a page out of a sorted list of n rows: from the offset-th
// row, at most limit of them (limit <= 0: all the rest), offsets outside
// the list clamped to it. It returns the page's ids, id(i) for each row i
// of the page, as a JSON array to bind to `IN (SELECT value FROM
// json_each(?))` (one parameter however long the page, so SQLite's
// parameter limit never applies), or "" when the page is empty.
func PageIDs(n, offset, limit int, id func(i int) string) string {
	from := min(max(offset, 0), n)
	to := n
	if limit > 0 {
		to = min(from+limit, n)
	}
	if from == to {
		return ""
	}
	ids := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		ids = append(ids, id(i))
	}
	b, _ := json.Marshal(ids) // a []string always marshals
	return string(b)
}
