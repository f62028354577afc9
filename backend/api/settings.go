package api

import (
	"clinicdesk/backend/dto"
	"clinicdesk/backend/events"
)

// Settings serves Settings → Security and the other practice settings.
type Settings struct{ *Base }

// Get returns the practice settings.
func (s *Settings) Get() (dto.Settings, error) {
	defer s.hold()()
	a, err := s.actor()
	if err != nil {
		return dto.Settings{}, err
	}
	return s.Desk.Settings.Get(a)
}

func (s *Settings) done(out dto.Settings, err error) (dto.Settings, error) {
	if err == nil {
		s.changed(events.KindSettings)
	}
	return out, err
}

// SetRecordsDeletion turns Records Deletion on or off (owner or manager).
func (s *Settings) SetRecordsDeletion(on bool) (dto.Settings, error) {
	defer s.hold()()
	a, err := s.actor()
	if err != nil {
		return dto.Settings{}, err
	}
	return s.done(s.Desk.Settings.SetRecordsDeletion(a, on))
}

// SetMaxFileBytes changes the per-file size limit (owner or manager).
func (s *Settings) SetMaxFileBytes(n int64) (dto.Settings, error) {
	defer s.hold()()
	a, err := s.actor()
	if err != nil {
		return dto.Settings{}, err
	}
	return s.done(s.Desk.Settings.SetMaxFileBytes(a, n))
}

// SetLockAfterMinutes changes the inactivity lock (owner or manager).
func (s *Settings) SetLockAfterMinutes(m int) (dto.Settings, error) {
	defer s.hold()()
	a, err := s.actor()
	if err != nil {
		return dto.Settings{}, err
	}
	return s.done(s.Desk.Settings.SetLockAfterMinutes(a, m))
}
