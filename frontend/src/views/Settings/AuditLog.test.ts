import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import * as auditApi from '../../api/audit';
import * as sessionApi from '../../api/session';
import type { AuditEntry } from '../../api/types';
import { session } from '../../stores/session.svelte';
import AuditLog from './AuditLog.svelte';
import AuditFilterForm from './components/AuditFilterForm.svelte';

const staff = [
  { id: 's-own', name: 'Olivia Hart', role: 'owner', initials: 'OH' },
  { id: 's-cli', name: 'Priya Natarajan', role: 'clinician', initials: 'PN' },
];
const actions = [
  { value: 'sign_in', label: 'Signed in' },
  { value: 'attachment_deleted', label: 'Deleted an attachment' },
];

function entry(seq: number, over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    seq,
    at: new Date(Date.now() - seq * 60_000).toISOString(),
    staffId: 's-own',
    staffName: 'Olivia Hart',
    action: 'sign_in',
    actionLabel: 'Signed in',
    clientId: '',
    clientName: '',
    threadId: '',
    attachmentId: '',
    summary: '',
    detail: {},
    ...over,
  };
}

function asOwner(canManage = true) {
  session.current = {
    staff: canManage ? staff[0] : staff[1],
    practiceName: '',
    canManage,
    demoPin: '',
    lockAfterMinutes: 10,
  };
  session.lockedBy = null;
}

describe('Audit log filter form', () => {
  it('sends staff, action and whole days, and "Clear" asks for everything again', async () => {
    const onapply = vi.fn();
    render(AuditFilterForm, { staff, actions, onapply });
    await fireEvent.change(screen.getByLabelText('Staff member'), { target: { value: 's-cli' } });
    await fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'attachment_deleted' } });
    await fireEvent.input(screen.getByLabelText('From'), { target: { value: '2025-03-01' } });
    await fireEvent.input(screen.getByLabelText('To'), { target: { value: '2025-03-31' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Show entries' }));
    expect(onapply).toHaveBeenLastCalledWith({
      clientId: '',
      staffId: 's-cli',
      action: 'attachment_deleted',
      from: '2025-03-01',
      to: '2025-03-31',
      limit: 0,
      offset: 0,
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(onapply).toHaveBeenLastCalledWith({ clientId: '', staffId: '', action: '', from: '', to: '', limit: 0, offset: 0 });
    expect((screen.getByLabelText('Staff member') as HTMLSelectElement).value).toBe('');
  });

  it('refuses a range that ends before it starts, in plain words, and sends nothing', async () => {
    const onapply = vi.fn();
    render(AuditFilterForm, { staff, actions, onapply });
    await fireEvent.input(screen.getByLabelText('From'), { target: { value: '2025-04-02' } });
    await fireEvent.input(screen.getByLabelText('To'), { target: { value: '2025-04-01' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Show entries' }));
    expect(screen.getByRole('alert').textContent).toBe('The “From” date is after the “To” date.');
    expect(onapply).not.toHaveBeenCalled();
  });

  it('filters by a client chosen by name', async () => {
    const { search } = await import('../../api/clients');
    vi.mocked(search).mockResolvedValue([
      { id: 'c-9', name: 'Alex Moreno', dateOfBirth: '1990-05-04', nextAppointment: '', hasAlert: false, unread: 0 },
    ]);
    const onapply = vi.fn();
    render(AuditFilterForm, { staff, actions, onapply });
    await fireEvent.click(screen.getByRole('button', { name: /Any client/ }));
    await fireEvent.click(await screen.findByRole('button', { name: /Alex Moreno/ }));
    await fireEvent.click(screen.getByRole('button', { name: 'Show entries' }));
    expect(onapply).toHaveBeenLastCalledWith(expect.objectContaining({ clientId: 'c-9' }));
  });
});

describe('Settings → Audit log', () => {
  it('shows a page of entries and pages on to older ones', async () => {
    asOwner();
    vi.mocked(sessionApi.staffList).mockResolvedValue(staff);
    vi.mocked(auditApi.actions).mockResolvedValue(actions);
    const first = Array.from({ length: 50 }, (_, i) => entry(i + 1));
    vi.mocked(auditApi.list)
      .mockResolvedValueOnce({ entries: first, total: 120, limit: 50, offset: 0 })
      .mockResolvedValueOnce({
        entries: [entry(51, { action: 'attachment_deleted', actionLabel: 'Deleted an attachment', clientName: 'Alex Moreno', summary: 'scan.pdf' })],
        total: 120,
        limit: 50,
        offset: 50,
      });
    render(AuditLog);
    expect(await screen.findByText('Showing 1–50 of 120')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: /Older/ }));
    await waitFor(() => expect(auditApi.list).toHaveBeenLastCalledWith(expect.objectContaining({ offset: 50, limit: 50 })));
    expect(await screen.findByText('scan.pdf')).toBeTruthy();
    expect(screen.getByText('Alex Moreno')).toBeTruthy();
  });

  it('says in plain words whether the chain is intact or where it breaks', async () => {
    asOwner();
    vi.mocked(auditApi.verifyChain).mockResolvedValueOnce({ ok: true, entries: 1234, brokenAt: 0, reason: '' });
    render(AuditLog);
    await fireEvent.click(screen.getByRole('button', { name: 'Check integrity' }));
    expect((await screen.findByRole('status')).textContent).toMatch(/intact: all 1,234 entries were checked/);

    vi.mocked(auditApi.verifyChain).mockResolvedValueOnce({ ok: false, entries: 1234, brokenAt: 57, reason: 'Entry 57 was changed.' });
    await fireEvent.click(screen.getByRole('button', { name: 'Check integrity' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/changed or damaged.*starting at entry 57/);
  });

  it('exports the filtered log to the path chosen in the save dialog', async () => {
    asOwner();
    vi.mocked(auditApi.list).mockResolvedValue({ entries: [entry(1)], total: 1, limit: 50, offset: 0 });
    vi.mocked(auditApi.chooseExportPath).mockResolvedValue('/tmp/audit.csv');
    vi.mocked(auditApi.exportCsv).mockResolvedValue({ path: '/tmp/audit.csv', rows: 1 });
    render(AuditLog);
    await screen.findByText('Showing 1–1 of 1');
    await fireEvent.click(screen.getByRole('button', { name: 'Export to CSV' }));
    expect((await screen.findByRole('status')).textContent).toContain('Exported 1 entry to /tmp/audit.csv.');
    expect(auditApi.exportCsv).toHaveBeenCalledWith(expect.objectContaining({ clientId: '', action: '' }), '/tmp/audit.csv');
  });

  it('tells a clinician only an owner or manager can read it', () => {
    asOwner(false);
    render(AuditLog);
    expect(screen.getByText('Only an owner or manager can read the audit log.')).toBeTruthy();
    expect(auditApi.list).not.toHaveBeenCalled();
  });
});
