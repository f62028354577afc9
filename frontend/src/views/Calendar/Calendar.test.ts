import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import * as calendarApi from '../../api/calendar';
import * as messagesApi from '../../api/messages';
import { appt, at } from '../../components/calendar/fixtures';
import { addDays, mondayOf, startOfDay } from '../../lib/datetime';
import Calendar from './Calendar.svelte';
import { calendarState } from './state.svelte';

const staff = [
  { id: 's-2', name: 'Priya Natarajan', role: 'clinician', initials: 'PN' },
  { id: 's-3', name: 'Samuel Okafor', role: 'clinician', initials: 'SO' },
  { id: 's-9', name: 'Jordan Blake', role: 'front_desk', initials: 'JB' },
];

function reset() {
  calendarState.view = 'day';
  calendarState.anchor = startOfDay(new Date());
  calendarState.staffId = null;
}

describe('Calendar', () => {
  it('asks Go for the day shown, then the week, then one clinician', async () => {
    reset();
    vi.mocked(messagesApi.staffDirectory).mockResolvedValue(staff);
    vi.mocked(calendarApi.range).mockResolvedValue([appt({ startsAt: at(10), endsAt: at(10, 50) })]);
    render(Calendar);
    await screen.findByRole('button', { name: /Alex Moreno/ });
    const day = startOfDay(new Date());
    expect(vi.mocked(calendarApi.range).mock.calls[0]).toEqual([day, addDays(day, 1), '']);

    await fireEvent.click(screen.getByRole('button', { name: 'Week' }));
    await waitFor(() => expect(vi.mocked(calendarApi.range).mock.calls).toHaveLength(2));
    const monday = mondayOf(new Date());
    expect(vi.mocked(calendarApi.range).mock.calls[1]).toEqual([monday, addDays(monday, 7), '']);

    await fireEvent.click(screen.getByRole('button', { name: 'Next week' }));
    await waitFor(() => expect(vi.mocked(calendarApi.range).mock.calls).toHaveLength(3));
    expect(vi.mocked(calendarApi.range).mock.calls[2][0]).toEqual(addDays(monday, 7));

    // The clinician filter lists those who hold appointments, not the front desk.
    const select = screen.getByLabelText('Clinician') as HTMLSelectElement;
    await screen.findByRole('option', { name: 'Samuel Okafor' });
    expect([...select.options].map((o) => o.textContent)).toEqual(['All clinicians', 'Priya Natarajan', 'Samuel Okafor']);
    await fireEvent.change(select, { target: { value: 's-3' } });
    await waitFor(() => expect(vi.mocked(calendarApi.range).mock.calls).toHaveLength(4));
    expect(vi.mocked(calendarApi.range).mock.calls[3][2]).toBe('s-3');
  });

  it('hides cancelled appointments unless asked and says how many', async () => {
    reset();
    vi.mocked(calendarApi.range).mockResolvedValue([
      appt({ id: 'a', clientName: 'Avery Abbott', startsAt: at(10), endsAt: at(10, 50) }),
      appt({ id: 'b', clientName: 'Bianca Baptiste', startsAt: at(11), endsAt: at(11, 50), status: 'cancelled' }),
    ]);
    render(Calendar);
    await screen.findByRole('button', { name: /Avery Abbott/ });
    expect(screen.queryByRole('button', { name: /Bianca Baptiste/ })).toBeNull();
    expect(screen.getByText(/1 cancelled not shown/)).toBeTruthy();
    await fireEvent.click(screen.getByLabelText('Show cancelled'));
    expect(await screen.findByRole('button', { name: /Bianca Baptiste/ })).toBeTruthy();
  });

  it('opens the New appointment form from the button', async () => {
    reset();
    render(Calendar);
    await fireEvent.click(screen.getByRole('button', { name: 'New appointment' }));
    expect(await screen.findByRole('dialog', { name: 'New appointment' })).toBeTruthy();
  });
});
