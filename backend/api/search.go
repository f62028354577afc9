package api

import "clinicdesk/backend/dto"

// searchLimit is how many hits one search returns; the UI asks again with
// more words when More is set.
const searchLimit = 50

// Search finds messages matching query (plain words; the last one also as a
// prefix) in the threads the signed-in staff member takes part in, newest
// first.
func (m *Messages) Search(query string) (dto.SearchResult, error) {
	defer m.hold()()
	a, err := m.actor()
	if err != nil {
		return dto.SearchResult{}, err
	}
	return m.Desk.Messages.Search(a, query, searchLimit)
}
