import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import * as clientsApi from '../../api/clients';
import * as messagesApi from '../../api/messages';
import type { ClientProfile } from '../../api/types';
import { tab, thread } from '../../test/fixtures';
import AppointmentPopup from './AppointmentPopup.svelte';
import { appt } from './fixtures';

const profile: ClientProfile = {
  id: 'c-1',
  firstName: 'Alex',
  lastName: 'Moreno',
  name: 'Alex Moreno',
  dateOfBirth: '1990-01-01',
  email: '',
  phone: '',
  alert: 'Prefers text reminders; please don’t leave voicemails.',
  nextAppointment: '',
  unread: 2,
};

describe('AppointmentPopup', () => {
  it('shows the details, then the Client Alert, then the profile tabs', async () => {
    vi.mocked(clientsApi.profile).mockResolvedValue(profile);
    render(AppointmentPopup, { appointment: appt({ hasAlert: true, notes: 'Bring the intake form.' }) });
    const dialog = await screen.findByRole('dialog', { name: 'Alex Moreno' });
    const alert = await within(dialog).findByRole('region', { name: 'Client alert' });
    await waitFor(() => expect(alert.textContent).toContain('please don’t leave voicemails'));
    const tabs = within(dialog).getByRole('tablist', { name: 'Client profile' });
    const names = within(tabs).getAllByRole('tab').map((t) => t.textContent?.replace(/\s+/g, ' ').trim());
    expect(names).toEqual(['Overview', 'Appointments', 'Docs & Forms', 'Messages 2']);
    const when = within(dialog).getByText('Service').closest('dl') as HTMLElement;
    // order on the page: details, alert, tabs
    expect(when.compareDocumentPosition(alert) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(alert.compareDocumentPosition(tabs) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(within(dialog).getByText('Bring the intake form.')).toBeTruthy();
    expect(within(dialog).getByText('Priya Natarajan')).toBeTruthy();
  });

  it('offers Cancel appointment only when the backend says it can be cancelled', async () => {
    vi.mocked(clientsApi.profile).mockResolvedValue(profile);
    const { unmount } = render(AppointmentPopup, { appointment: appt({ status: 'completed', canCancel: false }) });
    const dialog = await screen.findByRole('dialog', { name: 'Alex Moreno' });
    expect(within(dialog).queryByRole('button', { name: 'Cancel appointment' })).toBeNull();
    unmount();
    render(AppointmentPopup, { appointment: appt({ status: 'scheduled', canCancel: true }) });
    const again = await screen.findByRole('dialog', { name: 'Alex Moreno' });
    expect(within(again).getByRole('button', { name: 'Cancel appointment' })).toBeTruthy();
  });

  it('opens the client’s Messages tab inside the pop-up', async () => {
    vi.mocked(clientsApi.profile).mockResolvedValue(profile);
    vi.mocked(messagesApi.tab).mockResolvedValue(tab({ threads: [thread({ subject: 'Intake forms' })] }));
    render(AppointmentPopup, { appointment: appt() });
    const dialog = await screen.findByRole('dialog', { name: 'Alex Moreno' });
    const messages = within(dialog).getByRole('tab', { name: /Messages/ });
    await fireEvent.mouseDown(messages);
    await fireEvent.click(messages);
    expect(await within(dialog).findByText('Intake forms')).toBeTruthy();
    expect(messagesApi.tab).toHaveBeenCalledWith('c-1');
  });

  it('closes with Escape and gives focus back to the appointment that opened it', async () => {
    vi.mocked(clientsApi.profile).mockResolvedValue(profile);
    const opener = document.createElement('button');
    opener.dataset.apptId = 'ap-1';
    opener.textContent = '09:00 Alex Moreno';
    document.body.append(opener);
    opener.focus();
    render(AppointmentPopup, { appointment: appt(), opener });
    const dialog = await screen.findByRole('dialog', { name: 'Alex Moreno' });
    await waitFor(() => expect(dialog.contains(document.activeElement)).toBe(true));
    await fireEvent.keyDown(document.activeElement as Element, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(opener));
  });
});
