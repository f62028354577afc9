package api

import (
	"clinicdesk/backend/dto"
	"clinicdesk/backend/events"
)

// Clients serves the clients list and the client profile.
type Clients struct{ *Base }

// Search lists clients matching query (all for "").
func (c *Clients) Search(query string) ([]dto.ClientSummary, error) {
	defer c.hold()()
	a, err := c.actor()
	if err != nil {
		return nil, err
	}
	return c.Desk.Clients.Search(a, query, 0)
}

// Profile returns a client's header and Overview.
func (c *Clients) Profile(clientID string) (dto.ClientProfile, error) {
	defer c.hold()()
	a, err := c.actor()
	if err != nil {
		return dto.ClientProfile{}, err
	}
	return c.Desk.Clients.Profile(a, clientID)
}

// SetAlert replaces the Client Alert.
func (c *Clients) SetAlert(clientID, text string) (dto.ClientProfile, error) {
	defer c.hold()()
	a, err := c.actor()
	if err != nil {
		return dto.ClientProfile{}, err
	}
	p, err := c.Desk.Clients.SetAlert(a, clientID, text)
	if err == nil {
		c.changed(events.KindClients)
	}
	return p, err
}

// Appointments lists the client's appointments.
func (c *Clients) Appointments(clientID string) ([]dto.Appointment, error) {
	defer c.hold()()
	a, err := c.actor()
	if err != nil {
		return nil, err
	}
	return c.Desk.Calendar.ForClient(a, clientID)
}

// Documents lists the client's Documents on File.
func (c *Clients) Documents(clientID string) ([]dto.Document, error) {
	defer c.hold()()
	a, err := c.actor()
	if err != nil {
		return nil, err
	}
	return c.Desk.Clients.Documents(a, clientID)
}

// AddDocuments files staged files (dropped or picked) in the client's Documents on File.
func (c *Clients) AddDocuments(clientID string, staged []dto.OutgoingFile) ([]dto.Document, error) {
	defer c.hold()()
	a, err := c.actor()
	if err != nil {
		return nil, err
	}
	out := make([]dto.Document, 0, len(staged))
	for _, f := range staged {
		d, err := c.Desk.Attachments.AddDocument(a, clientID, f.Token, f.Name)
		if err != nil {
			return out, err
		}
		out = append(out, d)
	}
	c.changed(events.KindDocuments)
	return out, nil
}
