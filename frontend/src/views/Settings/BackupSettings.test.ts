import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import * as backupApi from '../../api/backup';
import { ApiError } from '../../api/errors';
import { session } from '../../stores/session.svelte';
import BackupSettings from './BackupSettings.svelte';

const info = {
  path: '/media/usb/ClinicDesk backup 2025-03-01 09-00',
  createdAt: '2025-03-01T09:00:00Z',
  practiceName: 'Riverbend Wellness (demo)',
  schemaVersion: 4,
  files: 120,
  bytes: 52_428_800,
  counts: { clients: 40, messages: 900 },
  unavailable: 0,
};

function owner() {
  session.current = {
    staff: { id: 's-own', name: 'Olivia Hart', role: 'owner', initials: 'OH' },
    practiceName: '',
    canManage: true,
    demoPin: '',
    lockAfterMinutes: 10,
  };
  session.lockedBy = null;
}

describe('Settings → Backup', () => {
  it('makes a backup into the chosen folder and describes it', async () => {
    owner();
    vi.mocked(backupApi.chooseFolder).mockResolvedValue('/media/usb');
    vi.mocked(backupApi.create).mockResolvedValue(info);
    render(BackupSettings);
    await fireEvent.click(screen.getByRole('button', { name: /Back up now/ }));
    await waitFor(() => expect(backupApi.create).toHaveBeenCalledWith('/media/usb'));
    const ok = await screen.findByText('The backup is complete and checked.');
    expect(ok.closest('[role=status]')?.textContent).toContain('120 stored files, 50 MB in all.');
    expect(ok.closest('[role=status]')?.textContent).toContain('40 clients, 900 messages');
  });

  it('restores only after the backup was checked and RESTORE was typed', async () => {
    owner();
    vi.mocked(backupApi.chooseBackup).mockResolvedValue(info.path);
    vi.mocked(backupApi.inspect).mockResolvedValue(info);
    vi.mocked(backupApi.restore).mockResolvedValue({ backup: info, previousData: '/data/ClinicDesk.replaced' });
    render(BackupSettings);
    await fireEvent.click(screen.getByRole('button', { name: /Restore from a backup/ }));
    await waitFor(() => expect(backupApi.inspect).toHaveBeenCalledWith(info.path));
    const confirm = await screen.findByRole('button', { name: 'Replace with the backup' });
    expect((confirm as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(screen.getByLabelText('To confirm, type RESTORE'), { target: { value: 'restor' } });
    expect((confirm as HTMLButtonElement).disabled).toBe(true);
    expect(backupApi.restore).not.toHaveBeenCalled();
    await fireEvent.input(screen.getByLabelText('To confirm, type RESTORE'), { target: { value: 'restore' } });
    expect((confirm as HTMLButtonElement).disabled).toBe(false);
    await fireEvent.click(confirm);
    await waitFor(() => expect(backupApi.restore).toHaveBeenCalledWith(info.path));
    await waitFor(() => expect(session.staff).toBeNull());
  });

  it('a damaged backup is refused in plain words and nothing is asked', async () => {
    owner();
    vi.mocked(backupApi.chooseBackup).mockResolvedValue('/tmp/x');
    vi.mocked(backupApi.inspect).mockRejectedValue(new ApiError('file_corrupt', 'This backup is damaged: 3 files do not match.'));
    render(BackupSettings);
    await fireEvent.click(screen.getByRole('button', { name: /Restore from a backup/ }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('This backup cannot be used.');
    expect(alert.textContent).toContain('3 files do not match');
    expect(screen.queryByRole('button', { name: 'Replace with the backup' })).toBeNull();
    expect(backupApi.restore).not.toHaveBeenCalled();
  });

  it('tells a clinician only an owner or manager can make or restore backups', () => {
    session.current = { staff: { id: 's', name: 'P', role: 'clinician', initials: 'P' }, practiceName: '', canManage: false, demoPin: '', lockAfterMinutes: 10 };
    render(BackupSettings);
    expect(screen.getByText('Only an owner or manager can make or restore backups.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Back up now/ })).toBeNull();
  });
});
