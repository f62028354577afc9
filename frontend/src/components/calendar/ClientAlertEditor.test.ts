import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import * as clientsApi from '../../api/clients';
import { ApiError } from '../../api/errors';
import type { ClientProfile } from '../../api/types';
import ClientAlertEditor from './ClientAlertEditor.svelte';

const profile = (alert: string): ClientProfile => ({
  id: 'c-1',
  firstName: 'Alex',
  lastName: 'Moreno',
  name: 'Alex Moreno',
  dateOfBirth: '1990-01-01',
  email: '',
  phone: '',
  alert,
  nextAppointment: '',
  unread: 0,
});

async function startEditing(text = 'Prefers text reminders.') {
  const onsaved = vi.fn();
  render(ClientAlertEditor, { clientId: 'c-1', text, onsaved });
  await fireEvent.click(screen.getByRole('button', { name: text ? /Edit alert/ : /Add alert/ }));
  return { onsaved, area: screen.getByLabelText('Client alert text') as HTMLTextAreaElement };
}

describe('ClientAlertEditor', () => {
  it('shows the alert to read first', () => {
    render(ClientAlertEditor, { clientId: 'c-1', text: 'Uses they/them pronouns.' });
    expect(screen.getByRole('region', { name: 'Client alert' }).textContent).toContain('Uses they/them pronouns.');
    expect(screen.queryByRole('textbox')).toBeNull();
  });

  it('counts characters live as the user types', async () => {
    const { area } = await startEditing();
    expect(document.activeElement).toBe(area);
    expect(screen.getByText('23 / 500 characters')).toBeTruthy();
    await fireEvent.input(area, { target: { value: 'Call before 5 pm' } });
    expect(screen.getByText('16 / 500 characters')).toBeTruthy();
    // Emoji count as one character each, as Go counts them.
    await fireEvent.input(area, { target: { value: '👋🏽 hi' } });
    expect(screen.getByText('5 / 500 characters')).toBeTruthy();
  });

  it('refuses to save past 500 characters and says by how many', async () => {
    const { area } = await startEditing();
    await fireEvent.input(area, { target: { value: 'x'.repeat(500) } });
    expect(screen.getByText('500 / 500 characters')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Save alert' }) as HTMLButtonElement).disabled).toBe(false);
    await fireEvent.input(area, { target: { value: 'x'.repeat(512) } });
    expect(screen.getByText(/512 \/ 500 characters — 12 too many/)).toBeTruthy();
    expect(area.getAttribute('aria-invalid')).toBe('true');
    expect((screen.getByRole('button', { name: 'Save alert' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('saves and says so', async () => {
    vi.mocked(clientsApi.setAlert).mockResolvedValue(profile('Call before 5 pm'));
    const { area, onsaved } = await startEditing();
    await fireEvent.input(area, { target: { value: 'Call before 5 pm' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save alert' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('Client alert saved.'));
    expect(clientsApi.setAlert).toHaveBeenCalledWith('c-1', 'Call before 5 pm');
    expect(onsaved).toHaveBeenCalledWith(profile('Call before 5 pm'));
    expect(screen.queryByLabelText('Client alert text')).toBeNull();
  });

  it('keeps the text and explains in plain words when saving fails', async () => {
    vi.mocked(clientsApi.setAlert).mockRejectedValue(
      new ApiError('invalid_input', 'The Client Alert can be at most 500 characters.', 'alert'),
    );
    const { area } = await startEditing();
    await fireEvent.input(area, { target: { value: 'New words' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save alert' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Not saved: The Client Alert can be at most 500 characters.');
    expect((screen.getByLabelText('Client alert text') as HTMLTextAreaElement).value).toBe('New words');
  });

  it('leaves editing with Escape without closing anything around it', async () => {
    const outer = vi.fn();
    document.addEventListener('keydown', outer);
    const { area } = await startEditing();
    await fireEvent.keyDown(area, { key: 'Escape' });
    document.removeEventListener('keydown', outer);
    expect(screen.queryByLabelText('Client alert text')).toBeNull();
    expect(outer).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: /Edit alert/ }));
  });
});
