package api

import (
	"strings"

	"clinicdesk/backend/demo"
	"clinicdesk/backend/dto"
	"clinicdesk/backend/events"
	"clinicdesk/backend/store"
)

// Session signs staff in and out of the desk.
type Session struct{ *Base }

// StaffList lists active staff for the sign-in picker.
func (s *Session) StaffList() ([]dto.Staff, error) {
	defer s.hold()()
	return staffList(s.Base)
}

func staffList(b *Base) ([]dto.Staff, error) {
	var rows []store.Staff
	if err := b.Desk.DB.Where("active = ?", true).Order("first_name, last_name").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]dto.Staff, 0, len(rows))
	for _, r := range rows {
		out = append(out, staffDTO(r))
	}
	return out, nil
}

func staffDTO(r store.Staff) dto.Staff {
	initials := ""
	if r.FirstName != "" {
		initials += strings.ToUpper(r.FirstName[:1])
	}
	if r.LastName != "" {
		initials += strings.ToUpper(r.LastName[:1])
	}
	return dto.Staff{ID: r.ID, Name: r.FullName(), Role: r.Role, Initials: initials}
}

// SignIn signs staffID in with their PIN or password.
func (s *Session) SignIn(staffID, secret string) (dto.Session, error) {
	defer s.hold()()
	if _, err := s.Desk.Auth.SignIn(staffID, secret); err != nil {
		return dto.Session{}, err
	}
	s.changed(events.KindSession)
	return s.current()
}

// SignOut ends the session.
func (s *Session) SignOut() error {
	defer s.hold()()
	return s.Desk.Auth.SignOut()
}

// Lock locks the desk (inactivity or the lock button).
func (s *Session) Lock() error {
	defer s.hold()()
	return s.Desk.Auth.Lock()
}

// Current returns who is signed in (staff is null when nobody is, or the desk is locked).
func (s *Session) Current() (dto.Session, error) {
	defer s.hold()()
	return s.current()
}

func (s *Session) current() (dto.Session, error) {
	set, err := store.GetSettings(s.Desk.DB.DB)
	if err != nil {
		return dto.Session{}, err
	}
	out := dto.Session{PracticeName: set.PracticeName, LockAfterMinutes: set.LockAfterMinutes}
	if set.Demo {
		out.DemoPIN = demo.PIN
	}
	if locked, who := s.Desk.Session.Locked(); locked && who.StaffID != "" {
		var st store.Staff
		if err := s.Desk.DB.Where("id = ?", who.StaffID).First(&st).Error; err != nil {
			return dto.Session{}, err
		}
		d := staffDTO(st)
		out.LockedBy = &d
		return out, nil
	}
	a := s.Desk.Session.Actor()
	if a.StaffID == "" {
		return out, nil
	}
	var st store.Staff
	if err := s.Desk.DB.Where("id = ?", a.StaffID).First(&st).Error; err != nil {
		return dto.Session{}, err
	}
	d := staffDTO(st)
	out.Staff = &d
	out.CanManage = a.IsManager()
	return out, nil
}
