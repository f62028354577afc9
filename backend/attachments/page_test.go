package attachments_test

import (
	"fmt"
	"testing"
)

// Pages of the consolidated list put back together are the whole list, in
// the same order, and every page knows the total; a colleague's pages hold
// only what they may see.
func TestForClientPagesAreTheWholeListInOrder(t *testing.T) {
	c := newClinic(t)
	for i := range 7 {
		_, a := c.send(t, fmt.Sprintf("file-%d.txt", i), []byte(fmt.Sprintf("content %d", i)))
		if i%3 == 0 {
			_, err := c.d.Attachments.SetShared(c.sender, a.ID, true)
			must(t, err)
		}
	}
	all, err := c.d.Attachments.ForClient(c.sender, c.client.ID)
	must(t, err)
	if len(all) != 7 || all[0].Name != "file-6.txt" {
		t.Fatalf("whole list: %d, first %q", len(all), all[0].Name)
	}
	var joined []string
	for offset := 0; offset < 9; offset += 3 {
		page, total, err := c.d.Attachments.ForClientPage(c.sender, c.client.ID, offset, 3)
		must(t, err)
		if total != 7 {
			t.Fatalf("offset %d: total %d", offset, total)
		}
		for _, a := range page {
			joined = append(joined, a.ID)
		}
	}
	if len(joined) != len(all) {
		t.Fatalf("pages hold %d, the list %d", len(joined), len(all))
	}
	for i := range all {
		if joined[i] != all[i].ID {
			t.Fatalf("row %d: page order %s, list order %s", i, joined[i], all[i].ID)
		}
	}
	rest, total, err := c.d.Attachments.ForClientPage(c.sender, c.client.ID, 5, 0)
	must(t, err)
	if total != 7 || len(rest) != 2 || rest[1].ID != all[6].ID {
		t.Fatalf("the rest from 5: %d of %d", len(rest), total)
	}
	if past, total, err := c.d.Attachments.ForClientPage(c.sender, c.client.ID, 50, 10); err != nil || len(past) != 0 || total != 7 {
		t.Fatalf("past the end: %d of %d, %v", len(past), total, err)
	}
	// The colleague is on none of the threads: the shared ones only (0, 3, 6).
	page, total, err := c.d.Attachments.ForClientPage(c.colleague, c.client.ID, 0, 2)
	must(t, err)
	if total != 3 || len(page) != 2 || page[0].Name != "file-6.txt" || page[1].Name != "file-3.txt" {
		t.Fatalf("colleague: %d of %d", len(page), total)
	}
}
