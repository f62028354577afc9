package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"reflect"
	"strconv"
	gosync "sync"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/apperr"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/files"
	"clinicdesk/backend/store"
)

// Event names the engine emits (the UI listens through backend/events).
const (
	EventStatus   = "sync:status"   // Status
	EventProgress = "sync:progress" // {phase, done, total}
	EventApplied  = "data:changed"  // {what: "sync"} after hub changes were applied
)

// Emitter is the subset of events.Emitter the engine needs.
type Emitter interface{ Emit(name string, data any) }

// Status is what the desk's sync indicator shows.
type Status struct {
	Joined     bool   `json:"joined"`
	HubURL     string `json:"hubUrl"`
	State      string `json:"state"` // not_joined | online | offline | syncing | error
	Pending    int64  `json:"pending"`
	LastSyncAt string `json:"lastSyncAt"` // RFC 3339 or ""
	LastError  string `json:"lastError"`  // plain words, "" when fine
	Notices    int    `json:"notices"`    // undismissed notices
	Seeding    bool   `json:"seeding"`    // uploading this desk's practice as the hub's first state
}

// Sync states.
const (
	StateNotJoined = "not_joined"
	StateOnline    = "online"
	StateOffline   = "offline"
	StateSyncing   = "syncing"
	StateError     = "error"
)

// Notice tells staff that the hub undid one of this desk's changes.
type Notice struct {
	ID       string `json:"id"`
	At       string `json:"at"`
	Entity   string `json:"entity"`
	EntityID string `json:"entityId"`
	Message  string `json:"message"`
}

// Options tune an Engine; zero values take the defaults.
type Options struct {
	// Transport carries HTTP (tests cut connections with it).
	Transport http.RoundTripper
	// PollInterval is how often the hub is asked for new changes while all is well.
	PollInterval time.Duration
	// MinBackoff and MaxBackoff bound the wait between failed attempts; it
	// doubles after each failure, with jitter.
	MinBackoff, MaxBackoff time.Duration
	// BatchSize is the number of changes per push or pull.
	BatchSize int
	// DeskName is how the hub lists this desk.
	DeskName string
	Emitter  Emitter
	Clock    clock.Clock
}

// Engine runs one desk's sync with its hub: the hook poller, the push and
// pull loop with back-off, blob transfer, and the status for the UI.
type Engine struct {
	db    *store.DB
	blobs *files.Store
	rec   *Recorder
	opt   Options
	Hooks *Hooks

	round gosync.Mutex // one sync round at a time

	mu      gosync.Mutex
	status  Status
	cancel  context.CancelFunc
	done    chan struct{}
	wake    chan struct{} // a local change committed
	kick    chan struct{} // someone asked to sync now
	failing bool
}

// NewEngine returns the sync engine of a desk. It does nothing until Start.
func NewEngine(db *store.DB, blobs *files.Store, rec *Recorder, opt Options) *Engine {
	if opt.PollInterval == 0 {
		opt.PollInterval = 5 * time.Second
	}
	if opt.MinBackoff == 0 {
		opt.MinBackoff = time.Second
	}
	if opt.MaxBackoff == 0 {
		opt.MaxBackoff = time.Minute
	}
	if opt.BatchSize == 0 {
		opt.BatchSize = 500
	}
	if opt.Clock == nil {
		opt.Clock = clock.System{}
	}
	if opt.DeskName == "" {
		opt.DeskName, _ = os.Hostname()
	}
	e := &Engine{db: db, blobs: blobs, rec: rec, opt: opt, wake: make(chan struct{}, 1), kick: make(chan struct{}, 1)}
	e.Hooks = NewHooks(db)
	// The hub transport is one hook: any committed change wakes the pusher.
	e.Hooks.Add("hub", func(ctx context.Context, _ []store.Change) { e.nudge(e.wake) })
	e.status.State = StateNotJoined
	e.refreshStatus()
	return e
}

func (e *Engine) nudge(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func (e *Engine) client() (*hubClient, error) {
	url, err := getState(e.db.DB, "hub_url")
	if err != nil {
		return nil, err
	}
	token, err := getState(e.db.DB, "token")
	if err != nil {
		return nil, err
	}
	if url == "" || token == "" {
		return nil, nil
	}
	if _, err := NormalizeHubURL(url); err != nil {
		return nil, err // a plain http:// hub elsewhere: never send the token there
	}
	return &hubClient{base: url, token: token, http: e.httpClient()}, nil
}

func (e *Engine) httpClient() *http.Client {
	t := e.opt.Transport
	if t == nil {
		t = http.DefaultTransport
	}
	return &http.Client{Transport: t}
}

// Start runs the background loop until Stop or ctx ends.
func (e *Engine) Start(ctx context.Context) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cancel != nil {
		return
	}
	ctx, e.cancel = context.WithCancel(ctx)
	e.done = make(chan struct{})
	go e.Hooks.Run(ctx, 250*time.Millisecond)
	go e.run(ctx, e.done)
}

// Stop ends the background loop and waits for it.
func (e *Engine) Stop() {
	e.mu.Lock()
	cancel, done := e.cancel, e.done
	e.cancel = nil
	e.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// SyncNow asks the background loop for a round at once.
func (e *Engine) SyncNow() { e.nudge(e.kick) }

func (e *Engine) run(ctx context.Context, done chan struct{}) {
	defer close(done)
	failures := 0
	for {
		err := e.Round(ctx)
		if ctx.Err() != nil {
			return
		}
		wait := e.opt.PollInterval
		if err != nil {
			failures++
			wait = backoff(e.opt.MinBackoff, e.opt.MaxBackoff, failures)
		} else {
			failures = 0
		}
		timer := time.NewTimer(wait)
		wake := e.wake
		if failures > 0 {
			wake = nil // while the hub is away, local changes wait for the back-off
		}
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		case <-wake:
			timer.Stop()
		case <-e.kick:
			timer.Stop()
		}
	}
}

// backoff doubles from min up to max, with ±25% jitter so desks that lost
// the hub together do not return all at once.
func backoff(min, max time.Duration, failures int) time.Duration {
	d := min
	for i := 1; i < failures && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	j := time.Duration(rand.Int64N(int64(d)/2+1)) - d/4
	return d + j
}

// Round runs one full sync: audit capture, push everything pending (blobs
// first), pull everything new. It returns nil when the desk is not joined.
func (e *Engine) Round(ctx context.Context) error {
	e.round.Lock()
	defer e.round.Unlock()
	c, err := e.client()
	if err != nil || c == nil {
		e.refreshStatus()
		return err
	}
	e.setState(StateSyncing, "")
	err = e.roundWith(ctx, c)
	if err != nil {
		var off *Offline
		if errors.As(err, &off) {
			e.setState(StateOffline, "Can't reach the practice hub. This desk keeps working; changes will be sent when the connection is back.")
		} else {
			if ctx.Err() == nil {
				log.Printf("sync: %v", err)
			}
			e.setState(StateError, plainError(err))
		}
		return err
	}
	e.mu.Lock()
	e.status.LastSyncAt = clock.RFC3339(e.opt.Clock.Now())
	e.mu.Unlock()
	e.setState(StateOnline, "")
	return nil
}

func plainError(err error) string {
	var he *HubError
	if errors.As(err, &he) {
		switch he.Status {
		case http.StatusUnauthorized:
			return "The practice hub no longer accepts this desk. Ask an owner for a new enrollment code and join again."
		case http.StatusForbidden, http.StatusConflict, http.StatusBadRequest:
			if he.Message != "" {
				return he.Message
			}
		}
		return "The practice hub had a problem (" + strconv.Itoa(he.Status) + "). Sync will try again."
	}
	if ae := new(apperr.Error); errors.As(err, &ae) {
		return ae.Message
	}
	return "Sync failed: " + err.Error()
}

func (e *Engine) roundWith(ctx context.Context, c *hubClient) error {
	if err := e.rec.CaptureAudit(e.db); err != nil {
		return err
	}
	if err := e.pushAll(ctx, c); err != nil {
		return err
	}
	if seeding, _ := getState(e.db.DB, "seeding"); seeding == "1" {
		if err := c.postJSON(ctx, "/api/v1/snapshot/done", struct{}{}, nil); err != nil {
			return err
		}
		if err := delState(e.db.DB, "seeding"); err != nil {
			return err
		}
	}
	return e.pullAll(ctx, c)
}

type pendingRow struct {
	Seq       int64
	ID        string
	HLC       string `gorm:"column:hlc"`
	Origin    string
	Entity    string
	EntityID  string
	Op        string
	Payload   string
	Actor     *string
	Action    *string
	Detail    *string
	Signer    string
	Signature string
}

// wire is the change as it travels (and as it is signed).
func (r pendingRow) wire() WireChange {
	c := WireChange{ID: r.ID, HLC: r.HLC, Origin: r.Origin, Entity: r.Entity, EntityID: r.EntityID, Op: r.Op, Payload: r.Payload,
		Signer: r.Signer, Signature: r.Signature}
	if r.Actor != nil {
		c.Actor = *r.Actor
	}
	if r.Action != nil {
		c.Action = *r.Action
	}
	if r.Detail != nil && *r.Detail != "{}" {
		c.Detail = *r.Detail
	}
	return c
}

// pendingWire returns up to limit changes not yet acknowledged by the hub.
func pendingWire(db *gorm.DB, limit int) ([]WireChange, error) {
	var rows []pendingRow
	if err := db.Raw(`SELECT c.seq, c.id, c.hlc, c.origin, c.entity, c.entity_id, c.op, c.payload, a.actor, a.action, a.detail, c.signer, c.signature
		FROM changes c LEFT JOIN sync_change_actors a ON a.change_id = c.id
		WHERE c.pushed_at IS NULL ORDER BY c.seq LIMIT ?`, limit).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]WireChange, len(rows))
	for i, r := range rows {
		out[i] = r.wire()
	}
	return out, nil
}

func (e *Engine) pushAll(ctx context.Context, c *hubClient) error {
	total, _ := PendingCount(e.db.DB)
	var done int64
	progress := e.progress("push")
	for {
		batch, err := pendingWire(e.db.DB, min(e.opt.BatchSize, MaxPushChanges))
		if err != nil || len(batch) == 0 {
			return err
		}
		// A push must fit the hub's limit: long messages make fewer per push.
		for len(batch) > 1 {
			b, err := json.Marshal(PushRequest{Changes: batch})
			if err != nil {
				return err
			}
			if len(b) <= MaxPushBytes {
				break
			}
			batch = batch[:len(batch)/2]
		}
		var shas []string
		for _, ch := range batch {
			if sha := BlobOf(ch); sha != "" {
				shas = append(shas, sha)
			}
		}
		if len(shas) > 0 {
			missing, err := c.missingBlobs(ctx, shas)
			if err != nil {
				return err
			}
			if err := e.upload(ctx, c, missing); err != nil {
				return err
			}
		}
		resp, missing, err := c.push(ctx, batch)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			if err := e.upload(ctx, c, missing); err != nil {
				return err
			}
			continue
		}
		if err := e.acknowledge(batch, resp); err != nil {
			return err
		}
		done += int64(len(batch))
		progress(done, max(total, done))
		e.refreshStatus()
	}
}

func (e *Engine) upload(ctx context.Context, c *hubClient, shas []string) error {
	for _, sha := range shas {
		if err := c.uploadBlob(ctx, e.blobs, sha); err != nil {
			return err
		}
	}
	return nil
}

// acknowledge marks a pushed batch delivered and undoes what the hub refused.
func (e *Engine) acknowledge(batch []WireChange, resp PushResponse) error {
	now := e.opt.Clock.Now()
	ids := make([]string, len(batch))
	for i, ch := range batch {
		ids[i] = ch.ID
	}
	var undo []WireChange
	err := e.db.Tx(func(tx *gorm.DB) error {
		for _, part := range store.Chunk(ids, 500) {
			if err := tx.Model(&store.Change{}).Where("id IN ?", part).Update("pushed_at", now).Error; err != nil {
				return err
			}
		}
		for _, r := range resp.Results {
			if r.Status != StatusRejected {
				continue
			}
			var ch WireChange
			for _, b := range batch {
				if b.ID == r.ID {
					ch = b
				}
			}
			msg := "The practice hub undid a change made on this desk: " + r.Reason
			if r.Undo == nil {
				msg = "The practice hub refused a change made on this desk (it stays on this desk only): " + r.Reason
			}
			if err := tx.Exec(`INSERT INTO sync_notices (id, at, entity, entity_id, message) VALUES (?, ?, ?, ?, ?)`,
				clock.NewID(), now, ch.Entity, ch.EntityID, msg).Error; err != nil {
				return err
			}
			if r.Undo != nil {
				undo = append(undo, *r.Undo)
			}
		}
		if len(undo) > 0 {
			_, err := e.rec.applyBatch(tx, undo, 0, now)
			return err
		}
		return nil
	})
	if err == nil && len(undo) > 0 {
		e.emit(EventApplied, map[string]string{"what": "sync"})
	}
	return err
}

func (e *Engine) pullAll(ctx context.Context, c *hubClient) error {
	progress := e.progress("pull")
	var done int64
	for {
		v, err := getState(e.db.DB, stateCursor)
		if err != nil {
			return err
		}
		after, _ := strconv.ParseInt(v, 10, 64)
		resp, err := c.pull(ctx, after, e.opt.BatchSize)
		if err != nil {
			return err
		}
		if len(resp.Changes) == 0 {
			return nil
		}
		skip := map[string]string{}
		for _, ch := range resp.Changes {
			if sha := BlobOf(ch); sha != "" && !e.blobs.Has(sha) {
				if err := c.downloadBlob(ctx, e.blobs, sha); err != nil {
					var he *HubError
					if !errors.As(err, &he) || he.Status != http.StatusNotFound {
						return err
					}
					// The hub lists a file it does not have: set the change
					// aside (and with it whatever uses the file) and go on.
					skip[ch.ID] = "the hub does not have the file it names."
				}
			}
		}
		last := resp.Changes[len(resp.Changes)-1].Cursor
		notices := e.Status().Notices
		var applied int
		err = e.db.Tx(func(tx *gorm.DB) error {
			var err error
			applied, err = e.rec.applyBatchSkipping(tx, resp.Changes, last, e.opt.Clock.Now(), skip)
			return err
		})
		if err != nil {
			return fmt.Errorf("apply hub changes: %w", err)
		}
		if s := e.Status(); s.Notices != notices {
			e.emit(EventStatus, s) // changes were set aside: the notice shows at once
		}
		done += int64(len(resp.Changes))
		progress(done, done)
		if applied > 0 {
			e.emit(EventApplied, map[string]string{"what": "sync"})
		}
		if !resp.More {
			return nil
		}
	}
}

func (e *Engine) emit(name string, data any) {
	if e.opt.Emitter != nil && !reflect.ValueOf(e.opt.Emitter).IsZero() {
		e.opt.Emitter.Emit(name, data)
	}
}

// progress returns a throttled (100 ms) progress reporter for one phase.
func (e *Engine) progress(phase string) func(done, total int64) {
	var last time.Time
	return func(done, total int64) {
		if done != total && time.Since(last) < 100*time.Millisecond {
			return
		}
		last = time.Now()
		e.emit(EventProgress, map[string]any{"phase": phase, "done": done, "total": total})
	}
}

func (e *Engine) setState(state, lastErr string) {
	e.mu.Lock()
	changed := e.status.State != state || e.status.LastError != lastErr
	e.status.State, e.status.LastError = state, lastErr
	e.mu.Unlock()
	e.refreshStatus()
	if changed {
		e.emit(EventStatus, e.Status())
	}
}

// refreshStatus re-reads the counts and the hub address from the database.
func (e *Engine) refreshStatus() {
	pending, _ := PendingCount(e.db.DB)
	url, _ := getState(e.db.DB, "hub_url")
	seeding, _ := getState(e.db.DB, "seeding")
	var notices int64
	e.db.Raw(`SELECT COUNT(*) FROM sync_notices WHERE dismissed_at IS NULL`).Scan(&notices)
	e.mu.Lock()
	e.status.Pending, e.status.HubURL, e.status.Joined, e.status.Notices = pending, url, url != "", int(notices)
	e.status.Seeding = seeding == "1"
	if url == "" {
		e.status.State = StateNotJoined
	} else if e.status.State == StateNotJoined {
		e.status.State = StateOffline
	}
	e.mu.Unlock()
}

// Status returns the current sync status.
func (e *Engine) Status() Status {
	e.refreshStatus()
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.status
}

// Notices lists the undismissed notices, newest first.
func (e *Engine) Notices() ([]Notice, error) {
	var rows []struct {
		ID       string
		At       time.Time
		Entity   string
		EntityID string
		Message  string
	}
	if err := e.db.Raw(`SELECT id, at, entity, entity_id, message FROM sync_notices WHERE dismissed_at IS NULL ORDER BY at DESC, id DESC`).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Notice, 0, len(rows))
	for _, r := range rows {
		out = append(out, Notice{ID: r.ID, At: clock.RFC3339(r.At), Entity: r.Entity, EntityID: r.EntityID, Message: r.Message})
	}
	return out, nil
}

// DismissNotice hides a notice.
func (e *Engine) DismissNotice(id string) error {
	err := e.db.Exec(`UPDATE sync_notices SET dismissed_at = ? WHERE id = ?`, e.opt.Clock.Now(), id).Error
	e.refreshStatus()
	return err
}
