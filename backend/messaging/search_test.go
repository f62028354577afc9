package messaging_test

import (
	"strings"
	"testing"

	"clinicdesk/backend/dto"
	"clinicdesk/backend/messaging"
)

func TestFTSQueryQuotesEveryWordAndDropsSyntax(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "",
		"   ":                   "",
		"insurance":             `"insurance"*`,
		"insurance ":            `"insurance"`,
		"sleep diary":           `"sleep" "diary"*`,
		"in":                    `"in"`,
		`a OR b`:                `"a" "OR" "b"`,
		`"unbalanced`:           `"unbalanced"*`,
		`body:secret`:           `"body" "secret"*`,
		`NEAR(one two, 3)`:      `"NEAR" "one" "two" "3"`,
		`-minus +plus ^caret *`: `"minus" "plus" "caret"`,
		`café naïve`:            `"café" "naïve"*`,
		`x"); DROP TABLE t; --`: `"x" "DROP" "TABLE" "t"`,
		"one two three four five six seven eight nine ten": `"one" "two" "three" "four" "five" "six" "seven" "eight"`,
	} {
		if got := messaging.FTSQuery(in); got != want {
			t.Errorf("FTSQuery(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestSearchFindsOnlyMessagesInTheActorsThreads: a colleague's thread with
// the same client and the same words never shows up, not even as a count.
func TestSearchFindsOnlyMessagesInTheActorsThreads(t *testing.T) {
	p := newPractice(t)
	mine := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, Subject: "Card", Body: "Please send your insurance card"})
	theirs := p.compose(t, p.o, dto.ComposeRequest{ClientID: p.c.ID, Subject: "Form", Body: "The insurance form is attached"})
	p.clientWrites(t, p.c.ID, mine.ID, "Here is my insurance card, front and back")

	r, err := p.d.Messages.Search(p.s, "insurance", 0)
	must(t, err)
	if len(r.Hits) != 2 || r.More {
		t.Fatalf("S found %d hits (more=%v), want the 2 in S's thread", len(r.Hits), r.More)
	}
	for _, h := range r.Hits {
		if h.ThreadID != mine.ID || h.ThreadSubject != "Card" {
			t.Errorf("hit in thread %s %q, want only S's thread", h.ThreadID, h.ThreadSubject)
		}
		if len(h.Clients) != 1 || h.Clients[0].ID != p.c.ID {
			t.Errorf("hit clients = %+v", h.Clients)
		}
	}
	// Newest first: the client's reply, then S's message.
	if r.Hits[0].Author.ID != p.c.ID || r.Hits[1].Author.ID != p.s.StaffID || r.Hits[1].Author.Name == "" {
		t.Errorf("order/authors = %+v, %+v", r.Hits[0].Author, r.Hits[1].Author)
	}
	r, err = p.d.Messages.Search(p.o, "insurance", 0)
	must(t, err)
	if len(r.Hits) != 1 || r.Hits[0].ThreadID != theirs.ID {
		t.Fatalf("O's hits = %+v, want only O's thread", r.Hits)
	}
}

func TestSearchMatchesPrefixesAllWordsAndMarksTheMatch(t *testing.T) {
	p := newPractice(t)
	p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, Body: "Your sleep diary looks much better this week"})
	p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, Body: "Bring the diary next time"})

	r, err := p.d.Messages.Search(p.s, "sleep dia", 0)
	must(t, err)
	if len(r.Hits) != 1 {
		t.Fatalf("%d hits for both words, want 1", len(r.Hits))
	}
	var marked []string
	var text strings.Builder
	for _, part := range r.Hits[0].Snippet {
		text.WriteString(part.Text)
		if part.Match {
			marked = append(marked, part.Text)
		}
	}
	if strings.Join(marked, ",") != "sleep,diary" || !strings.Contains(text.String(), "Your sleep diary looks") {
		t.Errorf("snippet %q marks %v", text.String(), marked)
	}
	if r.Query != "sleep dia" {
		t.Errorf("query understood as %q", r.Query)
	}
}

func TestSearchNeverPassesUserSyntaxToFTS(t *testing.T) {
	p := newPractice(t)
	p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, Body: "ordinary words here"})
	for _, q := range []string{`"`, `*`, `ordinary OR`, `NOT ordinary`, `body:ordinary`, `(ordinary`, `ordinary AND (`, `NEAR(`, "\x00", `^ordinary`} {
		if _, err := p.d.Messages.Search(p.s, q, 0); err != nil {
			t.Errorf("Search(%q): %v", q, err)
		}
	}
	r, err := p.d.Messages.Search(p.s, `NOT ordinary`, 0)
	must(t, err)
	if len(r.Hits) != 0 {
		t.Errorf("NOT was read as an operator: %d hits", len(r.Hits))
	}
	if _, err := p.d.Messages.Search(p.s, strings.Repeat("a", 201), 0); err == nil {
		t.Error("a 201-character search was accepted")
	}
}

func TestSearchSaysWhenThereAreMoreHitsThanTheLimit(t *testing.T) {
	p := newPractice(t)
	th := p.compose(t, p.s, dto.ComposeRequest{ClientID: p.c.ID, Body: "reminder one"})
	for i := 0; i < 4; i++ {
		p.reply(t, p.s, th.ID, "reminder again")
	}
	r, err := p.d.Messages.Search(p.s, "reminder", 3)
	must(t, err)
	if len(r.Hits) != 3 || !r.More {
		t.Fatalf("%d hits, more=%v; want 3 and more", len(r.Hits), r.More)
	}
}
