import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import * as attachmentsApi from '../../api/attachments';
import { ApiError } from '../../api/errors';
import * as messagesApi from '../../api/messages';
import { attachment, client, me, tab, thread } from '../../test/fixtures';
import MessagesTab from './MessagesTab.svelte';

const props = { clientId: 'c-1', clientName: 'Alex Moreno' };

describe('Messages tab', () => {
  it('shows that it is loading until the backend answers', () => {
    vi.mocked(messagesApi.tab).mockReturnValue(new Promise(() => {}));
    render(MessagesTab, props);
    expect(screen.getByRole('status').textContent).toContain('Loading messages');
  });

  it('says so when there are no threads and no attachments', async () => {
    vi.mocked(messagesApi.tab).mockResolvedValue(tab());
    render(MessagesTab, props);
    expect(await screen.findByText('No messages with Alex Moreno yet')).toBeTruthy();
    expect(screen.getByText('No attachments')).toBeTruthy();
    expect(screen.getByRole('button', { name: /Compose/ })).toBeTruthy();
  });

  it('lists threads newest first with unread counts and the Group badge', async () => {
    const other: typeof me = { kind: 'staff', id: 's-2', name: 'Sam Lee' };
    vi.mocked(messagesApi.tab).mockResolvedValue(
      tab({
        threads: [
          thread({ id: 't-old', subject: 'Older thread', lastActivityAt: '2026-01-01T10:00:00Z' }),
          thread({
            id: 't-new',
            subject: 'Care team check-in',
            isGroup: true,
            participants: [me, client, other],
            unread: 3,
            lastActivityAt: '2026-02-01T10:00:00Z',
          }),
        ],
      }),
    );
    render(MessagesTab, props);
    const list = await screen.findByRole('list', { name: 'Message threads' });
    const rows = within(list).getAllByRole('button');
    expect(rows[0].textContent).toContain('Care team check-in');
    expect(rows[1].textContent).toContain('Older thread');
    expect(within(rows[0]).getByText('Group')).toBeTruthy();
    expect(within(rows[0]).getByLabelText('3 unread').textContent).toContain('3');
    expect(within(rows[1]).queryByText('Group')).toBeNull();
  });

  it('offers no Delete and explains Records Deletion when it is off', async () => {
    vi.mocked(messagesApi.tab).mockResolvedValue(
      tab({ recordsDeletion: false, attachments: [attachment({ canCopy: true, canGoToThread: true })] }),
    );
    render(MessagesTab, props);
    await screen.findByRole('button', { name: 'Open insurance-card.png' });
    expect(screen.queryByRole('button', { name: /^Delete/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /Share .* with all staff/ })).toBeNull();
    expect(screen.getByRole('button', { name: /Copy insurance-card.png to Documents on File/ })).toBeTruthy();
    expect(screen.getByRole('button', { name: /Go to thread/ })).toBeTruthy();
    expect(
      screen.getByText('Not seeing Delete? An owner or manager can turn on Records Deletion in Settings → Security.'),
    ).toBeTruthy();
    expect(screen.getByText('Private to thread')).toBeTruthy();
  });

  it('shows exactly the actions each row allows', async () => {
    vi.mocked(messagesApi.tab).mockResolvedValue(
      tab({
        recordsDeletion: true,
        attachments: [
          attachment({ id: 'a-1', name: 'mine.pdf', canToggleShare: true, canDelete: true, canCopy: true, canGoToThread: true }),
          attachment({ id: 'a-2', name: 'theirs.pdf', shared: true, sharedBy: 'Sam Lee' }),
        ],
      }),
    );
    render(MessagesTab, props);
    await screen.findByRole('button', { name: 'Open mine.pdf' });
    expect(screen.getByRole('button', { name: 'Delete mine.pdf' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Share mine.pdf with all staff' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Delete theirs.pdf' })).toBeNull();
    expect(screen.queryByRole('button', { name: /theirs.pdf (with all staff|private)/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /Copy theirs.pdf/ })).toBeNull();
    expect(screen.getByText('Shared with all staff')).toBeTruthy();
    expect(screen.queryByText(/Not seeing Delete/)).toBeNull();
  });

  it('share toggle calls the backend and reloads the tab', async () => {
    vi.mocked(messagesApi.tab).mockResolvedValue(
      tab({ attachments: [attachment({ canToggleShare: true })] }),
    );
    render(MessagesTab, props);
    await fireEvent.click(await screen.findByRole('button', { name: 'Share insurance-card.png with all staff' }));
    await waitFor(() => expect(attachmentsApi.setShared).toHaveBeenCalledWith('a-1', true));
    await waitFor(() => expect(messagesApi.tab).toHaveBeenCalledTimes(2));
  });

  it('asks before deleting, then deletes and reloads', async () => {
    vi.mocked(messagesApi.tab).mockResolvedValue(
      tab({ recordsDeletion: true, attachments: [attachment({ canDelete: true })] }),
    );
    render(MessagesTab, props);
    await fireEvent.click(await screen.findByRole('button', { name: 'Delete insurance-card.png' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toContain('This removes the file for everyone, including the client in the portal. An owner or manager can restore it for 30 days.');
    expect(attachmentsApi.remove).not.toHaveBeenCalled();
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Delete file' }));
    await waitFor(() => expect(attachmentsApi.remove).toHaveBeenCalledWith('a-1'));
    await waitFor(() => expect(messagesApi.tab).toHaveBeenCalledTimes(2));
  });

  it('cancelling the confirmation deletes nothing', async () => {
    vi.mocked(messagesApi.tab).mockResolvedValue(
      tab({ recordsDeletion: true, attachments: [attachment({ canDelete: true })] }),
    );
    render(MessagesTab, props);
    await fireEvent.click(await screen.findByRole('button', { name: 'Delete insurance-card.png' }));
    const dialog = await screen.findByRole('alertdialog');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(attachmentsApi.remove).not.toHaveBeenCalled();
  });

  it('copies to Documents on File for this client', async () => {
    vi.mocked(messagesApi.tab).mockResolvedValue(tab({ attachments: [attachment({ canCopy: true, shared: true })] }));
    render(MessagesTab, props);
    await fireEvent.click(await screen.findByRole('button', { name: /Copy insurance-card.png/ }));
    await waitFor(() => expect(attachmentsApi.copyToDocuments).toHaveBeenCalledWith('a-1', 'c-1'));
  });

  it('shows a failed load in plain words', async () => {
    vi.mocked(messagesApi.tab).mockRejectedValue(new ApiError('forbidden', 'You do not have permission to do that.'));
    render(MessagesTab, props);
    expect((await screen.findByRole('alert')).textContent).toContain('You do not have permission to do that.');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });

  it('shows a refused action in plain words, from the code when the message is empty', async () => {
    vi.mocked(messagesApi.tab).mockResolvedValue(tab({ attachments: [attachment({ canToggleShare: true })] }));
    vi.mocked(attachmentsApi.setShared).mockRejectedValue({ code: 'not_sender', message: '' });
    render(MessagesTab, props);
    await fireEvent.click(await screen.findByRole('button', { name: 'Share insurance-card.png with all staff' }));
    await waitFor(() =>
      expect(screen.getByText('Only the person who sent this file can change who sees it.')).toBeTruthy(),
    );
  });

  it('opening a thread from the list shows it and marks it read', async () => {
    vi.mocked(messagesApi.tab).mockResolvedValue(tab({ threads: [thread({ unread: 2 })] }));
    vi.mocked(messagesApi.open).mockResolvedValue({
      id: 't-1',
      subject: 'Intake forms',
      participants: [me, client],
      isGroup: false,
      clientIds: ['c-1'],
      messages: [
        {
          id: 'm-1',
          author: client,
          body: 'Here is my card.',
          sentAt: '2026-02-01T10:00:00Z',
          mine: false,
          attachments: [attachment({ canToggleShare: true, shared: true, sharedBy: 'Dana Reyes' })],
        },
      ],
    });
    render(MessagesTab, props);
    await fireEvent.click(await screen.findByRole('button', { name: /Intake forms/ }));
    expect(await screen.findByText('Here is my card.')).toBeTruthy();
    expect(messagesApi.open).toHaveBeenCalledWith('t-1');
    expect(screen.getByText('Shared with all staff')).toBeTruthy();
    expect(screen.getByRole('button', { name: /Make private/ })).toBeTruthy();
    // counts are refreshed from the backend after opening
    await waitFor(() => expect(messagesApi.tab).toHaveBeenCalledTimes(2));
  });
});

describe('long lists', () => {
  it('draws the first threads and attachments at once, then adds the rest', async () => {
    let rest: (t: ReturnType<typeof tab>) => void = () => {};
    vi.mocked(messagesApi.tab).mockResolvedValue(
      tab({
        threads: [thread({ id: 't-1', subject: 'Newest thread', lastActivityAt: '2026-02-01T10:00:00Z' })],
        threadsTotal: 2,
        attachments: [attachment({ id: 'a-1', name: 'newest.pdf' })],
        attachmentsTotal: 2,
      }),
    );
    vi.mocked(messagesApi.tabRest).mockReturnValue(new Promise((r) => (rest = r)));
    render(MessagesTab, props);
    expect(await screen.findByRole('button', { name: 'Open newest.pdf' })).toBeTruthy();
    expect(screen.getByText('Newest thread')).toBeTruthy();
    await waitFor(() => expect(messagesApi.tabRest).toHaveBeenCalledWith('c-1', 1, 1));
    expect(screen.queryByRole('button', { name: 'Open older.pdf' })).toBeNull();
    rest(
      tab({
        threads: [thread({ id: 't-2', subject: 'Older thread', lastActivityAt: '2026-01-01T10:00:00Z' })],
        threadsTotal: 2,
        attachments: [attachment({ id: 'a-2', name: 'older.pdf' })],
        attachmentsTotal: 2,
      }),
    );
    expect(await screen.findByRole('button', { name: 'Open older.pdf' })).toBeTruthy();
    expect(screen.getByText('Older thread')).toBeTruthy();
    expect(screen.getAllByRole('button', { name: /^Open / })).toHaveLength(2);
  });
});
