package sync

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/apperr"
)

// Join enrolls this desk with the hub at hubURL using a one-time code. On a
// hub with no practice yet, this desk's whole practice (every row; files
// follow as their rows need them) becomes the hub's starting state. On a hub
// that has a practice, this desk must be empty; it then pulls everything.
func (e *Engine) Join(ctx context.Context, hubURL, code string) error {
	url, err := NormalizeHubURL(hubURL)
	if err != nil {
		return err
	}
	if c, _ := e.client(); c != nil {
		return apperr.New(apperr.Conflict, "This desk already syncs with a hub. Leave it first.")
	}
	empty, err := e.db.IsEmpty()
	if err != nil {
		return err
	}
	c := &hubClient{base: url, http: e.httpClient()}
	resp, err := c.enroll(ctx, EnrollRequest{Protocol: ProtocolVersion, Code: code, DeskName: e.opt.DeskName, Empty: empty})
	if err != nil {
		var off *Offline
		var he *HubError
		switch {
		case errors.As(err, &off):
			return apperr.Wrap(apperr.Conflict, "Can't reach a hub at "+url+". Check the address and the network.", err)
		case errors.As(err, &he):
			return apperr.Wrap(apperr.Conflict, he.Message, err)
		}
		return err
	}
	if len(resp.DeskID) < 8 || len(resp.DeskID) > 64 {
		return apperr.New(apperr.Conflict, "The hub at "+url+" did not give this desk an id; it may run an older ClinicDesk. Update the hub first.")
	}
	err = e.db.Tx(func(tx *gorm.DB) error {
		// The hub names this desk: its changes carry that id from now on
		// (and are signed with it), kept across restarts in sync_state.
		e.rec.setOrigin(resp.DeskID)
		for k, v := range map[string]string{"hub_url": url, "token": resp.Token, "hub_id": resp.HubID, stateCursor: "0", stateDeskID: resp.DeskID} {
			if err := setState(tx, k, v); err != nil {
				return err
			}
		}
		if !resp.Seed {
			return nil
		}
		if err := setState(tx, "seeding", "1"); err != nil {
			return err
		}
		return e.rec.snapshot(tx, e.opt.Clock.Now())
	})
	if err != nil {
		return err
	}
	e.refreshStatus()
	e.SyncNow()
	return nil
}

// snapshot records every row of the practice as an insert change, in
// foreign-key order, and marks the earlier log delivered: the snapshot
// carries their effect.
func (r *Recorder) snapshot(tx *gorm.DB, now time.Time) error {
	if err := r.captureAudit(tx); err != nil {
		return err
	}
	if err := tx.Exec(`UPDATE changes SET pushed_at = ? WHERE pushed_at IS NULL`, now).Error; err != nil {
		return err
	}
	for _, e := range Entities {
		rows := e.NewSlice()
		if err := tx.Table(e.Table).Find(rows).Error; err != nil {
			return fmt.Errorf("snapshot %s: %w", e.Table, err)
		}
		v := reflect.ValueOf(rows).Elem()
		for i := 0; i < v.Len(); i++ {
			row := v.Index(i).Addr().Interface()
			if err := r.Record(tx, e.Name, KeyOf(e, row), OpInsert, row); err != nil {
				return err
			}
		}
	}
	// The snapshot is the hub's starting state, taken whole from the desk
	// the owner enrolled with a code from the hub's own command line: its
	// rows are not signed one by one.
	return markSealed(tx)
}

// stateDeskID keeps the id the hub gave this desk.
const stateDeskID = "desk_id"

// JoinedDeskID returns the id a hub gave this desk, "" when it never joined
// one (the desk then uses the id in its data folder).
func JoinedDeskID(db *gorm.DB) (string, error) { return getState(db, stateDeskID) }

// Leave stops syncing with the hub (its data stays on this desk) and tells
// the hub to forget this desk's token when it can be reached.
func (e *Engine) Leave(ctx context.Context) error {
	e.round.Lock()
	defer e.round.Unlock()
	if c, _ := e.client(); c != nil {
		if err := c.postJSON(ctx, "/api/v1/leave", struct{}{}, nil); err != nil {
			// Unreachable or refused: leave locally all the same; the
			// token can be revoked at the hub.
			_ = err
		}
	}
	err := e.db.Tx(func(tx *gorm.DB) error {
		for _, k := range []string{"hub_url", "token", "hub_id", stateCursor, "seeding"} {
			if err := delState(tx, k); err != nil {
				return err
			}
		}
		return nil
	})
	e.mu.Lock()
	e.status.LastError, e.status.LastSyncAt = "", ""
	e.mu.Unlock()
	e.setState(StateNotJoined, "")
	return err
}

// NewEnrollCode asks the hub for a one-time code to join another desk, as
// the signed-in staff member of s (who must be an owner at the hub): the
// request carries their signature, so naming an owner is not enough.
func (e *Engine) NewEnrollCode(ctx context.Context, s Signer) (EnrollCodeResponse, error) {
	var out EnrollCodeResponse
	c, err := e.client()
	if err != nil {
		return out, err
	}
	if c == nil {
		return out, apperr.New(apperr.Conflict, "This desk does not sync with a hub yet.")
	}
	staffID, key, ok := s.SigningKey()
	if !ok {
		return out, apperr.New(apperr.OwnerOrManagerOnly, "Sign in again: only a signed-in owner whose signing key is open can create an enrollment code.")
	}
	hubID, err := getState(e.db.DB, "hub_id")
	if err != nil {
		return out, err
	}
	at := e.opt.Clock.Now().UTC().Format(time.RFC3339)
	req := EnrollCodeRequest{StaffID: staffID, At: at, Signature: Sign(key, EnrollCodeSigningBytes(staffID, e.rec.Origin(), hubID, at))}
	err = c.postJSON(ctx, "/api/v1/enroll-codes", req, &out)
	var he *HubError
	if errors.As(err, &he) {
		return out, apperr.Wrap(apperr.OwnerOrManagerOnly, he.Message, err)
	}
	return out, err
}
