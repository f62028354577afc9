package desk

import (
	"context"
	"os"
	"path/filepath"
	gosync "sync"

	"clinicdesk/backend/files"
	"clinicdesk/backend/store"
)

// DefaultInboxName is the scan inbox folder created in the user's home.
const DefaultInboxName = "ClinicDesk Inbox"

// InboxWatcher keeps the scan inbox running on the folder the settings name,
// restarting it when the setting changes.
type InboxWatcher struct {
	mu       gosync.Mutex
	inbox    *files.Inbox
	cancel   context.CancelFunc
	onChange func()
	opts     files.InboxOptions
}

// InboxPath is the scan inbox folder: the setting, or ~/ClinicDesk Inbox.
func (d *Desk) InboxPath() (string, error) {
	set, err := store.GetSettings(d.DB.DB)
	if err != nil {
		return "", err
	}
	if set.ScanInboxPath != "" {
		return set.ScanInboxPath, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, DefaultInboxName), nil
}

// StartInbox (re)starts watching the scan inbox folder, creating it if
// needed. onChange is called whenever the list of waiting files changes.
func (d *Desk) StartInbox(ctx context.Context, opts files.InboxOptions, onChange func()) error {
	dir, err := d.InboxPath()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	w := &d.inbox
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.inbox != nil {
		w.cancel()
		w.inbox.Close()
		w.inbox = nil
	}
	set, err := store.GetSettings(d.DB.DB)
	if err != nil {
		return err
	}
	opts.MaxBytes = set.MaxFileBytes
	in, err := files.NewInbox(dir, opts)
	if err != nil {
		return err
	}
	if onChange != nil {
		in.OnChange(onChange)
	}
	ictx, cancel := context.WithCancel(ctx)
	if err := in.Start(ictx); err != nil {
		cancel()
		in.Close()
		return err
	}
	w.inbox, w.cancel, w.onChange, w.opts = in, cancel, onChange, opts
	return nil
}

// Inbox returns the running scan inbox, or nil.
func (d *Desk) Inbox() *files.Inbox {
	d.inbox.mu.Lock()
	defer d.inbox.mu.Unlock()
	return d.inbox.inbox
}

// RestartInbox applies a changed inbox folder setting.
func (d *Desk) RestartInbox(ctx context.Context) error {
	d.inbox.mu.Lock()
	opts, onChange := d.inbox.opts, d.inbox.onChange
	d.inbox.mu.Unlock()
	return d.StartInbox(ctx, opts, onChange)
}

func (d *Desk) stopInbox() {
	d.inbox.mu.Lock()
	defer d.inbox.mu.Unlock()
	if d.inbox.inbox != nil {
		d.inbox.cancel()
		d.inbox.inbox.Close()
		d.inbox.inbox = nil
	}
}
