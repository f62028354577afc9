package sync

import (
	"context"
	"log"
	gosync "sync"
	"time"

	"clinicdesk/backend/store"
)

// HookFunc receives changes after they were committed, oldest first. It runs
// on the poller's goroutine and must return quickly (hand work to another
// goroutine); it must never write to the change log itself.
type HookFunc func(ctx context.Context, changes []store.Change)

// Hooks offers every committed change to the registered hooks. Services
// record changes inside their own transactions and know nothing of hooks:
// the poller reads the change log after commit, so a hook never sees a change
// that rolled back, and sees each committed one once per run.
type Hooks struct {
	db *store.DB

	mu    gosync.Mutex
	hooks []namedHook
	last  int64 // highest seq offered
	init  bool
}

type namedHook struct {
	name string
	fn   HookFunc
}

// NewHooks returns an empty registry over db's change log.
func NewHooks(db *store.DB) *Hooks { return &Hooks{db: db} }

// Add registers a hook.
func (h *Hooks) Add(name string, fn HookFunc) {
	h.mu.Lock()
	h.hooks = append(h.hooks, namedHook{name, fn})
	h.mu.Unlock()
}

// Poll offers the changes committed since the last poll. The first poll of a
// run starts from the end of the log: changes already there are the pusher's
// backlog, not news.
func (h *Hooks) Poll(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.init {
		if err := h.db.Raw(`SELECT COALESCE(MAX(seq), 0) FROM changes`).Scan(&h.last).Error; err != nil {
			return err
		}
		h.init = true
		return nil
	}
	for {
		var batch []store.Change
		if err := h.db.Where("seq > ?", h.last).Order("seq").Limit(1000).Find(&batch).Error; err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		h.last = batch[len(batch)-1].Seq
		for _, hk := range h.hooks {
			func() {
				defer func() {
					if r := recover(); r != nil {
						log.Printf("sync hook %s panicked: %v", hk.name, r)
					}
				}()
				hk.fn(ctx, batch)
			}()
		}
	}
}

// Run polls every interval until ctx ends.
func (h *Hooks) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := h.Poll(ctx); err != nil && ctx.Err() == nil {
			log.Printf("sync hooks: %v", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
