// An open thread reloads for the changes it shows (its own messages and
// files, the hub's changes) and never for the change opening it makes (a
// thread read: Kind.Threads), so an open thread cannot call Open for ever.
import { render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Kind } from '../../api/events';
import * as messagesApi from '../../api/messages';
import type { Thread } from '../../api/types';
import { client, me } from '../../test/fixtures';
import { emitChange, listeners } from '../../test/events';
import ThreadView from './ThreadView.svelte';

const shown: Thread = {
  id: 't-1',
  subject: 'Intake forms',
  participants: [me, client],
  isGroup: false,
  clientIds: [client.id],
  messages: [{ id: 'm-1', author: client, body: 'Here are my forms.', sentAt: '2026-02-01T10:00:00Z', mine: false, attachments: [] }],
};

/** Lets a debounced reload fire and its answer arrive. */
async function settle() {
  vi.advanceTimersByTime(1000);
  await Promise.resolve();
  await Promise.resolve();
}

afterEach(() => {
  vi.useRealTimers();
});

describe('an open thread and data:changed', () => {
  it('reloads for its own messages and files and the hub’s changes, never for a thread being read', async () => {
    vi.mocked(messagesApi.open).mockResolvedValue(shown);
    const onread = vi.fn();
    render(ThreadView, { threadId: 't-1', onread });
    await screen.findByText('Here are my forms.');
    expect(messagesApi.open).toHaveBeenCalledTimes(1);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });

    // What opening it emitted, and changes elsewhere: no reload.
    emitChange({ what: Kind.Threads, threadId: 't-1' });
    emitChange({ what: Kind.Messages, threadId: 't-2' });
    emitChange({ what: Kind.Attachments, threadId: 't-2' });
    emitChange({ what: Kind.Appointments });
    emitChange({ what: Kind.Settings });
    await settle();
    expect(messagesApi.open).toHaveBeenCalledTimes(1);

    // A reply in this thread: one reload, however many events came at once.
    emitChange({ what: Kind.Messages, threadId: 't-1' });
    emitChange({ what: Kind.Messages, threadId: 't-1' });
    await settle();
    expect(messagesApi.open).toHaveBeenCalledTimes(2);

    // A file deleted somewhere (Go does not say which thread), and the hub's changes.
    emitChange({ what: Kind.Attachments });
    await settle();
    expect(messagesApi.open).toHaveBeenCalledTimes(3);
    emitChange({ what: Kind.Sync });
    await settle();
    expect(messagesApi.open).toHaveBeenCalledTimes(4);
  });

  it('stops listening when it closes', async () => {
    vi.mocked(messagesApi.open).mockResolvedValue(shown);
    const view = render(ThreadView, { threadId: 't-1' });
    await screen.findByText('Here are my forms.');
    expect(listeners('data:changed')).toBe(1);
    view.unmount();
    expect(listeners('data:changed')).toBe(0);
  });
});
