package api

import (
	"clinicdesk/backend/dto"
	"clinicdesk/backend/events"
	"clinicdesk/backend/store"
)

// Messages serves the Messages tab and the Messages screen.
type Messages struct{ *Base }

// Tab returns what the client's Messages tab shows first for the signed-in
// staff member: the newest threads and attachments with their totals.
func (m *Messages) Tab(clientID string) (dto.MessagesTab, error) {
	defer m.hold()()
	return m.tab(clientID, 0, dto.TabFirstThreads, 0, dto.TabFirstAttachments)
}

// TabRest returns the rest of the tab's lists: the threads after the first
// threadsFrom and the attachments after the first attachmentsFrom, in the
// order Tab gives them.
func (m *Messages) TabRest(clientID string, threadsFrom, attachmentsFrom int) (dto.MessagesTab, error) {
	defer m.hold()()
	return m.tab(clientID, threadsFrom, 0, attachmentsFrom, 0)
}

func (m *Messages) tab(clientID string, threadsFrom, threadsMax, attachmentsFrom, attachmentsMax int) (dto.MessagesTab, error) {
	a, err := m.actor()
	if err != nil {
		return dto.MessagesTab{}, err
	}
	threads, threadsTotal, err := m.Desk.Messages.ThreadsWithClientPage(a, clientID, threadsFrom, threadsMax)
	if err != nil {
		return dto.MessagesTab{}, err
	}
	atts, attsTotal, err := m.Desk.Attachments.ForClientPage(a, clientID, attachmentsFrom, attachmentsMax)
	if err != nil {
		return dto.MessagesTab{}, err
	}
	set, err := store.GetSettings(m.Desk.DB.DB)
	if err != nil {
		return dto.MessagesTab{}, err
	}
	return dto.MessagesTab{ClientID: clientID, Threads: threads, ThreadsTotal: threadsTotal, Attachments: atts,
		AttachmentsTotal: attsTotal, RecordsDeletion: set.RecordsDeletion}, nil
}

// MyThreads lists the signed-in staff member's threads, with clientID ("" for all).
func (m *Messages) MyThreads(clientID string) ([]dto.ThreadSummary, error) {
	defer m.hold()()
	a, err := m.actor()
	if err != nil {
		return nil, err
	}
	if clientID != "" {
		return m.Desk.Messages.ThreadsWithClient(a, clientID)
	}
	return m.Desk.Messages.MyThreads(a)
}

// Open returns a thread for the signed-in staff member. It writes only what
// is new: it marks the thread read when a message came after their last read
// (and then tells the UI, as a threads change) and audits a view the first
// time they open it after signing in or when it shows them unread messages.
// Opening it again writes nothing and emits nothing, so a view may reload it.
func (m *Messages) Open(threadID string) (dto.Thread, error) {
	defer m.hold()()
	a, err := m.actor()
	if err != nil {
		return dto.Thread{}, err
	}
	t, did, err := m.Desk.Messages.OpenThread(a, threadID)
	if err == nil && did.MarkedRead {
		m.changedIn(events.KindThreads, threadID)
	}
	return t, err
}

// Compose starts a thread.
func (m *Messages) Compose(req dto.ComposeRequest) (dto.Thread, error) {
	defer m.hold()()
	a, err := m.actor()
	if err != nil {
		return dto.Thread{}, err
	}
	t, err := m.Desk.Messages.Compose(a, req)
	if err == nil {
		m.changedIn(events.KindMessages, t.ID)
	}
	return t, err
}

// Reply appends a message to a thread.
func (m *Messages) Reply(req dto.ReplyRequest) (dto.Thread, error) {
	defer m.hold()()
	a, err := m.actor()
	if err != nil {
		return dto.Thread{}, err
	}
	t, err := m.Desk.Messages.Reply(a, req)
	if err == nil {
		m.changedIn(events.KindMessages, t.ID)
	}
	return t, err
}

// StaffDirectory lists active staff, for adding people to a thread.
func (m *Messages) StaffDirectory() ([]dto.Staff, error) {
	defer m.hold()()
	if _, err := m.actor(); err != nil {
		return nil, err
	}
	return staffList(m.Base)
}

// UnreadThreads lists the signed-in staff member's threads with unread messages.
func (m *Messages) UnreadThreads() ([]dto.UnreadThread, error) {
	defer m.hold()()
	a, err := m.actor()
	if err != nil {
		return nil, err
	}
	return m.Desk.Messages.UnreadThreads(a, 20)
}
