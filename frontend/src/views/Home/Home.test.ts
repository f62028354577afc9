import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import * as calendarApi from '../../api/calendar';
import * as messagesApi from '../../api/messages';
import { appt, at } from '../../components/calendar/fixtures';
import Home from './Home.svelte';

describe('Home', () => {
  it("lists today's appointments with time, client, clinician, status and unread count", async () => {
    vi.mocked(calendarApi.today).mockResolvedValue([
      appt({ id: 'b', clientName: 'Bianca Baptiste', startsAt: at(11), endsAt: at(11, 50), status: 'arrived', unread: 3 }),
      appt({ id: 'a', clientName: 'Avery Abbott', startsAt: at(9), endsAt: at(9, 50), status: 'completed', hasAlert: true }),
    ]);
    render(Home);
    const list = await screen.findByRole('list', { name: "Today's appointments" });
    const rows = within(list).getAllByRole('button');
    expect(rows.map((r) => r.dataset.apptId)).toEqual(['a', 'b']);
    expect(rows[0].textContent).toContain('09:00–09:50');
    expect(rows[0].textContent).toContain('Avery Abbott');
    expect(rows[0].textContent).toContain('Priya Natarajan');
    expect(rows[0].textContent).toContain('Completed');
    expect(rows[0].textContent).toContain('has a client alert');
    expect(within(rows[1]).getByLabelText('3 unread messages').textContent).toBe('3');
    expect(rows[1].textContent).toContain('Arrived');
    expect(calendarApi.today).toHaveBeenCalledWith('');
  });

  it('links each unread thread to the thread in the client’s Messages tab', async () => {
    vi.mocked(messagesApi.unreadThreads).mockResolvedValue([
      { threadId: 't-9', subject: 'Insurance card update', clientId: 'c-7', clientName: 'Farah Galloway', unread: 2, lastAt: at(8) },
    ]);
    render(Home);
    const link = await screen.findByRole('link', { name: /Insurance card update/ });
    expect(link.getAttribute('href')).toBe('#/clients/c-7/messages/thread/t-9');
    expect(link.textContent).toContain('Farah Galloway');
  });
});
