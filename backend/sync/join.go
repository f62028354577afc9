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
	resp, err := c.enroll(ctx, EnrollRequest{Protocol: ProtocolVersion, Code: code, DeskID: e.rec.Origin, DeskName: e.opt.DeskName, Empty: empty})
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
	err = e.db.Tx(func(tx *gorm.DB) error {
		for k, v := range map[string]string{"hub_url": url, "token": resp.Token, "hub_id": resp.HubID, stateCursor: "0"} {
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
	return nil
}

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
// the signed-in staff member staffID (who must be an owner at the hub).
func (e *Engine) NewEnrollCode(ctx context.Context, staffID string) (EnrollCodeResponse, error) {
	var out EnrollCodeResponse
	c, err := e.client()
	if err != nil {
		return out, err
	}
	if c == nil {
		return out, apperr.New(apperr.Conflict, "This desk does not sync with a hub yet.")
	}
	err = c.postJSON(ctx, "/api/v1/enroll-codes", EnrollCodeRequest{StaffID: staffID}, &out)
	var he *HubError
	if errors.As(err, &he) {
		return out, apperr.Wrap(apperr.OwnerOrManagerOnly, he.Message, err)
	}
	return out, err
}
