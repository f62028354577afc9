// The long lists of the Messages tab: 10,000 rows render as a window with
// their place in the whole kept for assistive technology; copying from a
// thread with several clients asks whose record.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import * as attachmentsApi from '../../api/attachments';
import type { Person } from '../../api/types';
import { attachment, client, me, thread } from '../../test/fixtures';
import AttachmentsTable from './AttachmentsTable.svelte';
import ThreadList from './ThreadList.svelte';

const many = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

describe('windowed lists', () => {
  it('renders a window of 10,000 attachments and keeps the table’s shape', async () => {
    const atts = many(10_000, (i) => attachment({ id: `a-${i}`, name: `file-${i}.pdf`, messageId: `m-${i}` }));
    render(AttachmentsTable, { clientId: 'c-1', attachments: atts, ongotothread: vi.fn(), onchanged: vi.fn() });
    const table = screen.getByRole('table');
    expect(table.getAttribute('aria-rowcount')).toBe('10001');
    const rows = within(table).getAllByRole('row').filter((r) => r.hasAttribute('data-index'));
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(60);
    expect(rows[0].getAttribute('aria-rowindex')).toBe('2');
    expect(within(rows[0]).getByRole('button', { name: 'Open file-0.pdf' })).toBeTruthy();
    expect(screen.queryByText('file-9999.pdf')).toBeNull();
  });

  it('renders a window of 10,000 threads, newest first, each with its position', () => {
    const threads = many(10_000, (i) =>
      thread({ id: `t-${i}`, subject: `Thread ${i}`, lastActivityAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString() }),
    );
    render(ThreadList, { threads, onopen: vi.fn() });
    const items = within(screen.getByRole('list', { name: 'Message threads' })).getAllByRole('listitem');
    expect(items.length).toBeLessThan(60);
    expect(items[0].textContent).toContain('Thread 9999');
    expect(items[0].getAttribute('aria-setsize')).toBe('10000');
    expect(items[0].getAttribute('aria-posinset')).toBe('1');
  });

  it('moves focus to the next thread with the arrow key', async () => {
    const threads = many(30, (i) => thread({ id: `t-${i}`, subject: `Thread ${i}`, lastActivityAt: `2026-01-01T10:${String(59 - i).padStart(2, '0')}:00Z` }));
    render(ThreadList, { threads, onopen: vi.fn() });
    const buttons = within(screen.getByRole('list', { name: 'Message threads' })).getAllByRole('button');
    buttons[0].focus();
    await fireEvent.keyDown(buttons[0], { key: 'ArrowDown' });
    await waitFor(() => expect(document.activeElement?.textContent).toContain('Thread 1'));
  });
});

describe('copy to Documents on File', () => {
  const other: Person = { kind: 'client', id: 'c-2', name: 'Jamie Moreno' };

  it('asks whose record when the thread has two clients, and copies to the one chosen', async () => {
    render(AttachmentsTable, {
      clientId: 'c-1',
      clientName: 'Alex Moreno',
      attachments: [attachment({ canCopy: true })],
      threads: [thread({ participants: [me, client, other], isGroup: true })],
      ongotothread: vi.fn(),
      onchanged: vi.fn(),
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Copy insurance-card.png to Documents on File' }));
    const dialog = await screen.findByRole('dialog', { name: 'Copy to Documents on File' });
    expect((within(dialog).getByRole('radio', { name: /Alex Moreno/ }) as HTMLInputElement).checked).toBe(true);
    await fireEvent.click(within(dialog).getByRole('radio', { name: /Jamie Moreno/ }));
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Copy' }));
    await waitFor(() => expect(attachmentsApi.copyToDocuments).toHaveBeenCalledWith('a-1', 'c-2'));
  });

  it('copies a shared file straight to this client when the thread has one client', async () => {
    render(AttachmentsTable, {
      clientId: 'c-1',
      attachments: [attachment({ canCopy: true, shared: true, sharedBy: 'Dana Reyes' })],
      threads: [thread()],
      ongotothread: vi.fn(),
      onchanged: vi.fn(),
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Copy insurance-card.png to Documents on File' }));
    await waitFor(() => expect(attachmentsApi.copyToDocuments).toHaveBeenCalledWith('a-1', 'c-1'));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('warns before a private file is copied where every staff member can see it', async () => {
    render(AttachmentsTable, {
      clientId: 'c-1',
      clientName: 'Alex Moreno',
      attachments: [attachment({ canCopy: true, shared: false })],
      threads: [thread()],
      ongotothread: vi.fn(),
      onchanged: vi.fn(),
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Copy insurance-card.png to Documents on File' }));
    const dialog = await screen.findByRole('dialog', { name: 'Copy to Documents on File' });
    expect(within(dialog).getByRole('note').textContent).toContain('every staff member will be able to see it');
    expect(attachmentsApi.copyToDocuments).not.toHaveBeenCalled();
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Copy' }));
    await waitFor(() => expect(attachmentsApi.copyToDocuments).toHaveBeenCalledWith('a-1', 'c-1'));
  });
});

describe('delete not offered', () => {
  it('says why, in the backend rule’s words, when Records Deletion is on', async () => {
    const reason = 'Only staff on this thread, or an owner or manager, can delete this attachment.';
    render(AttachmentsTable, {
      clientId: 'c-1',
      attachments: [attachment({ shared: true, canDelete: false, deleteBlocked: 'forbidden', deleteBlockedReason: reason })],
      threads: [],
      ongotothread: vi.fn(),
      onchanged: vi.fn(),
    });
    expect(screen.queryByRole('button', { name: /^Delete insurance-card.png/ })).toBeNull();
    const why = screen.getByRole('button', { name: /Why can’t I delete insurance-card.png\?/ });
    expect(why.getAttribute('aria-label')).toContain(reason);
    await fireEvent.click(why);
    expect((await screen.findByRole('status')).textContent).toContain(reason);
  });

  it('adds nothing per row when Records Deletion is off (the tab says it once)', async () => {
    render(AttachmentsTable, {
      clientId: 'c-1',
      attachments: [attachment({ canDelete: false, deleteBlocked: 'records_deletion_off', deleteBlockedReason: 'Deleting attachments is turned off.' })],
      threads: [],
      ongotothread: vi.fn(),
      onchanged: vi.fn(),
    });
    expect(screen.queryByRole('button', { name: /delete/i })).toBeNull();
  });
});
