import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import * as attachmentsApi from '../../api/attachments';
import { ApiError } from '../../api/errors';
import { session } from '../../stores/session.svelte';
import RecentlyDeleted from './RecentlyDeleted.svelte';

const day = 86_400_000;
const rows = [
  {
    id: 'a-1',
    name: 'referral-letter.pdf',
    size: 245_760,
    deletedBy: 'Jordan Blake',
    deletedAt: new Date(Date.now() - 2 * day).toISOString(),
    restoreUntil: new Date(Date.now() + 28 * day - 60_000).toISOString(),
    clients: 'Avery Abbott',
    threadSubject: 'Referral letter',
  },
  {
    id: 'a-2',
    name: 'old-scan.png',
    size: 1_048_576,
    deletedBy: 'Olivia Hart',
    deletedAt: new Date(Date.now() - 29 * day).toISOString(),
    restoreUntil: new Date(Date.now() + day - 60_000).toISOString(),
    clients: 'Bianca Baptiste, Caleb Castillo',
    threadSubject: '',
  },
];

function as(role: string, canManage: boolean) {
  session.current = {
    staff: { id: 's-1', name: 'Test Person', role, initials: 'TP' },
    practiceName: '',
    canManage,
    demoPin: '',
    lockAfterMinutes: 10,
  };
  session.lockedBy = null;
}

describe('Settings → Recently deleted', () => {
  it('lists who deleted what, when, and until when it can be restored', async () => {
    as('owner', true);
    vi.mocked(attachmentsApi.recentlyDeleted).mockResolvedValue(rows);
    render(RecentlyDeleted);
    const row = (await screen.findByText('referral-letter.pdf')).closest('tr')!;
    expect(within(row).getByText('Jordan Blake')).toBeTruthy();
    expect(within(row).getByText('240 KB')).toBeTruthy();
    expect(within(row).getByText(/\(28 days left\)/)).toBeTruthy();
    const other = screen.getByText('old-scan.png').closest('tr')!;
    expect(within(other).getByText(/\(1 day left\)/)).toBeTruthy();
  });

  it('names each file’s client and thread, and only the thread the viewer could see', async () => {
    as('manager', true);
    vi.mocked(attachmentsApi.recentlyDeleted).mockResolvedValue(rows);
    render(RecentlyDeleted);
    const row = (await screen.findByText('referral-letter.pdf')).closest('tr')!;
    expect(screen.getByRole('columnheader', { name: 'Client' })).toBeTruthy();
    expect(screen.getByRole('columnheader', { name: 'Thread' })).toBeTruthy();
    expect(within(row).getByText('Avery Abbott')).toBeTruthy();
    expect(within(row).getByText('Referral letter')).toBeTruthy();
    const other = screen.getByText('old-scan.png').closest('tr')!;
    expect(within(other).getByText('Bianca Baptiste, Caleb Castillo')).toBeTruthy();
    expect(within(other).getByText('A private thread you are not on')).toBeTruthy();
  });

  it('restores a file and says so plainly', async () => {
    as('manager', true);
    vi.mocked(attachmentsApi.recentlyDeleted).mockResolvedValueOnce(rows).mockResolvedValue([rows[1]]);
    render(RecentlyDeleted);
    await fireEvent.click(await screen.findByRole('button', { name: 'Restore referral-letter.pdf' }));
    await waitFor(() => expect(attachmentsApi.restore).toHaveBeenCalledWith('a-1'));
    expect((await screen.findByRole('status')).textContent).toContain('referral-letter.pdf is restored');
    await waitFor(() => expect(screen.queryByText('referral-letter.pdf', { selector: 'td' })).toBeNull());
  });

  it('explains a refused restore in plain words', async () => {
    as('owner', true);
    vi.mocked(attachmentsApi.recentlyDeleted).mockResolvedValue([rows[1]]);
    vi.mocked(attachmentsApi.restore).mockRejectedValue(
      new ApiError('restore_window_expired', 'This file was deleted more than 30 days ago and can no longer be restored.'),
    );
    render(RecentlyDeleted);
    await fireEvent.click(await screen.findByRole('button', { name: 'Restore old-scan.png' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('old-scan.png could not be restored.');
    expect(alert.textContent).toContain('more than 30 days ago');
  });

  it('tells a clinician only an owner or manager can restore, without asking Go', async () => {
    as('clinician', false);
    render(RecentlyDeleted);
    expect(screen.getByText('Only an owner or manager can see and restore deleted files.')).toBeTruthy();
    expect(attachmentsApi.recentlyDeleted).not.toHaveBeenCalled();
    expect(screen.queryByRole('table')).toBeNull();
  });
});
