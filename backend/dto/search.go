package dto

// SearchResult is the answer to a full-text message search.
type SearchResult struct {
	Query string      `json:"query"` // the terms searched for, as understood
	Hits  []SearchHit `json:"hits"`  // newest first
	// More is true when more messages match than were returned.
	More bool `json:"more"`
	// Capped is true when only the newest matching messages of the practice
	// were searched (a very common word) and older ones may hold more hits:
	// the UI suggests adding a word.
	Capped bool `json:"capped"`
}

// SearchHit is one matching message in a thread the signed-in staff member
// takes part in.
type SearchHit struct {
	MessageID     string     `json:"messageId"`
	ThreadID      string     `json:"threadId"`
	ThreadSubject string     `json:"threadSubject"`
	Clients       []Person   `json:"clients"` // the thread's clients
	Author        Person     `json:"author"`
	SentAt        string     `json:"sentAt"`
	Snippet       []TextPart `json:"snippet"` // the matching words have match=true
}

// TextPart is a piece of a snippet; the UI highlights the parts that matched
// and renders every part as plain text.
type TextPart struct {
	Text  string `json:"text"`
	Match bool   `json:"match"`
}
