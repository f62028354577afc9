import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import * as calendarApi from '../../api/calendar';
import { ApiError } from '../../api/errors';
import * as messagesApi from '../../api/messages';
import AppointmentForm from './AppointmentForm.svelte';
import { appt, at } from './fixtures';

const staff = [
  { id: 's-2', name: 'Priya Natarajan', role: 'clinician', initials: 'PN' },
  { id: 's-9', name: 'Jordan Blake', role: 'front_desk', initials: 'JB' },
];

async function openEdit(over = {}) {
  vi.mocked(messagesApi.staffDirectory).mockResolvedValue(staff);
  const onsaved = vi.fn();
  render(AppointmentForm, { open: true, appointment: appt(over), onsaved });
  await screen.findByRole('dialog', { name: 'Edit appointment' });
  await screen.findByRole('option', { name: 'Priya Natarajan' });
  return { onsaved };
}

describe('AppointmentForm', () => {
  it('offers only staff who hold appointments as the clinician', async () => {
    await openEdit();
    expect(screen.queryByRole('option', { name: 'Jordan Blake' })).toBeNull();
  });

  it('shows the backend’s field error beside the end time and marks that input', async () => {
    vi.mocked(calendarApi.update).mockRejectedValue(
      new ApiError('invalid_input', 'The appointment must end after it starts.', 'endsAt'),
    );
    await openEdit();
    await fireEvent.input(screen.getByLabelText('Ends'), { target: { value: '08:00' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    const msg = await screen.findByText('The appointment must end after it starts.');
    const end = screen.getByLabelText('Ends');
    expect(end.getAttribute('aria-invalid')).toBe('true');
    expect(end.getAttribute('aria-describedby')).toBe(msg.id);
    await waitFor(() => expect(document.activeElement).toBe(end));
    // The start is not blamed.
    expect(screen.getByLabelText('Starts').getAttribute('aria-invalid')).toBeNull();
    // Changing the end clears the message.
    await fireEvent.input(end, { target: { value: '10:00' } });
    expect(screen.queryByText('The appointment must end after it starts.')).toBeNull();
  });

  it('sends the times as RFC 3339 with the local offset', async () => {
    vi.mocked(calendarApi.update).mockResolvedValue(appt());
    const { onsaved } = await openEdit();
    await fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(onsaved).toHaveBeenCalled());
    const [id, input] = vi.mocked(calendarApi.update).mock.calls[0];
    expect(id).toBe('ap-1');
    expect(input.startsAt).toMatch(/^\d{4}-\d\d-\d\dT09:00:00(Z|[+-]\d\d:\d\d)$/);
    expect(Date.parse(input.startsAt)).toBe(Date.parse(at(9)));
    expect(Date.parse(input.endsAt)).toBe(Date.parse(at(9, 50)));
    expect(input.allowOverlap).toBe(false);
  });

  it('asks "Book anyway?" on a double-booking and retries with allowOverlap', async () => {
    const clash = 'Priya Natarajan already has an appointment with Avery Abbott on Mon 30 Nov 2026 from 09:00 to 09:50.';
    vi.mocked(calendarApi.update).mockRejectedValueOnce(new ApiError('conflict', clash, 'startsAt')).mockResolvedValueOnce(appt());
    const { onsaved } = await openEdit();
    await fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Book anyway?')).toBeTruthy();
    expect(screen.getByText(clash)).toBeTruthy();
    const again = screen.getByRole('button', { name: 'Book anyway' });
    await waitFor(() => expect(document.activeElement).toBe(again));
    await fireEvent.click(again);
    await waitFor(() => expect(onsaved).toHaveBeenCalled());
    expect(vi.mocked(calendarApi.update).mock.calls[1][1].allowOverlap).toBe(true);
  });

  it('drops the conflict question when the user chooses another time', async () => {
    vi.mocked(calendarApi.update).mockRejectedValue(new ApiError('conflict', 'Already booked then.', 'startsAt'));
    await openEdit();
    await fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Choose another time' }));
    expect(screen.queryByText('Book anyway?')).toBeNull();
    expect(document.activeElement).toBe(screen.getByLabelText('Starts'));
    expect(screen.getByRole('button', { name: 'Save changes' })).toBeTruthy();
  });

  it('shows a missing client under the Client field when booking', async () => {
    vi.mocked(messagesApi.staffDirectory).mockResolvedValue(staff);
    vi.mocked(calendarApi.create).mockRejectedValue(
      new ApiError('invalid_input', 'Choose the client for this appointment.', 'clientId'),
    );
    render(AppointmentForm, { open: true, start: new Date(Date.parse(at(11))), staffId: 's-2' });
    await screen.findByRole('dialog', { name: 'New appointment' });
    expect((screen.getByLabelText('Starts') as HTMLInputElement).value).toBe('11:00');
    expect((screen.getByLabelText('Ends') as HTMLInputElement).value).toBe('11:50');
    await fireEvent.click(screen.getByRole('button', { name: 'Book appointment' }));
    const msg = await screen.findByText('Choose the client for this appointment.');
    expect(screen.getByLabelText('Client').getAttribute('aria-describedby')).toBe(msg.id);
    expect(vi.mocked(calendarApi.create).mock.calls[0][0]).toMatchObject({ clientId: '', staffId: 's-2', status: '' });
  });

  it('shows an error without a field as a plain sentence for the whole form', async () => {
    vi.mocked(calendarApi.update).mockRejectedValue(new ApiError('forbidden', 'You do not have permission to do that.'));
    await openEdit();
    await fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    expect((await screen.findByRole('alert')).textContent).toContain('You do not have permission to do that.');
  });

  it('moves the end with the start so the length stays the same', async () => {
    await openEdit();
    const startInput = screen.getByLabelText('Starts');
    await fireEvent.input(startInput, { target: { value: '10:30' } });
    await fireEvent.change(startInput, { target: { value: '10:30' } });
    expect((screen.getByLabelText('Ends') as HTMLInputElement).value).toBe('11:20');
  });
});
