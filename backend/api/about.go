package api

import (
	"clinicdesk/backend/dto"
	"clinicdesk/backend/version"
)

// About answers the About dialog: the build, the data folder, the database's
// schema version and the hub this desk syncs with. Any signed-in staff member
// may read it; it writes nothing.
type About struct{ *Base }

// Info returns what the About dialog shows.
func (a *About) Info() (dto.About, error) {
	defer a.hold()()
	if _, err := a.actor(); err != nil {
		return dto.About{}, err
	}
	d := a.Desk
	schema, err := d.DB.Version()
	if err != nil {
		return dto.About{}, err
	}
	out := dto.About{Version: version.Version, Build: version.Build(), DataDir: d.Dir, SchemaVersion: schema}
	if s := a.sync; s != nil && s.eng != nil {
		out.HubURL = s.eng.Status().HubURL
	}
	return out, nil
}
