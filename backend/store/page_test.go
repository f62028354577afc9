package store

import "testing"

func TestPageIDsClampsAndEncodes(t *testing.T) {
	ids := []string{"a", "b", "c", "d", "e"}
	id := func(i int) string { return ids[i] }
	for _, c := range []struct {
		offset, limit int
		want          string
	}{
		{0, 2, `["a","b"]`},
		{3, 0, `["d","e"]`},
		{4, 10, `["e"]`},
		{-3, 1, `["a"]`},
		{5, 2, ""},
		{9, 0, ""},
	} {
		if got := PageIDs(len(ids), c.offset, c.limit, id); got != c.want {
			t.Errorf("PageIDs(5, %d, %d) = %q, want %q", c.offset, c.limit, got, c.want)
		}
	}
	if got := PageIDs(1, 0, 0, func(int) string { return `quote" and \ slash` }); got != `["quote\" and \\ slash"]` {
		t.Errorf("escaping: %s", got)
	}
}
