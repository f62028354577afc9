import { render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import * as messagesApi from '../../api/messages';
import type { Thread } from '../../api/types';
import { attachment, client, me } from '../../test/fixtures';
import ThreadView from './ThreadView.svelte';

function opened(over: Partial<Thread> = {}): Thread {
  return {
    id: 't-1',
    subject: 'Insurance card update',
    participants: [me, client],
    isGroup: false,
    clientIds: [client.id],
    messages: [{ id: 'm-1', author: me, body: 'Here it is.', sentAt: new Date().toISOString(), mine: true, attachments: [] }],
    ...over,
  };
}

describe('ThreadView', () => {
  it('puts focus on the thread’s heading once it has opened, not on <body>', async () => {
    vi.mocked(messagesApi.open).mockResolvedValue(opened());
    render(ThreadView, { threadId: 't-1' });
    const heading = await screen.findByRole('heading', { name: 'Insurance card update' });
    await waitFor(() => expect(document.activeElement).toBe(heading));
    expect(heading.getAttribute('tabindex')).toBe('-1');
  });

  it('says the sender removed her own attachment when she did', async () => {
    vi.mocked(messagesApi.open).mockResolvedValue(
      opened({
        messages: [
          {
            id: 'm-1',
            author: me,
            body: 'Here it is.',
            sentAt: new Date().toISOString(),
            mine: true,
            attachments: [
              attachment({
                removed: true,
                name: 'Attachment removed by the sender',
                removedNote: 'Attachment removed by the sender',
              }),
            ],
          },
        ],
      }),
    );
    render(ThreadView, { threadId: 't-1' });
    expect(await screen.findByText('Attachment removed by the sender')).toBeTruthy();
    expect(screen.queryByText('Attachment removed by the practice')).toBeNull();
  });
});
