import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { longDay, startOfDay } from '../../lib/datetime';
import CalendarGrid from './CalendarGrid.svelte';
import { appt, at } from './fixtures';

const today = startOfDay(new Date());
const noon = new Date(today.getFullYear(), today.getMonth(), today.getDate(), 12, 0);

function box(name: RegExp) {
  const li = screen.getByRole('button', { name }).parentElement as HTMLElement;
  return { left: li.style.left, width: li.style.width, top: parseFloat(li.style.top), height: parseFloat(li.style.height) };
}

describe('CalendarGrid', () => {
  it('lays overlapping appointments side by side and a separate one full width', () => {
    render(CalendarGrid, {
      days: [today],
      now: noon,
      hourHeight: 60,
      onopen: vi.fn(),
      appointments: [
        appt({ id: 'a', clientName: 'Avery Abbott', startsAt: at(9), endsAt: at(9, 50) }),
        appt({ id: 'b', clientName: 'Bianca Baptiste', startsAt: at(9, 30), endsAt: at(10, 20), staffId: 's-3' }),
        appt({ id: 'c', clientName: 'Caleb Castillo', startsAt: at(14), endsAt: at(14, 50) }),
      ],
    });
    const a = box(/Avery Abbott/);
    const b = box(/Bianca Baptiste/);
    const c = box(/Caleb Castillo/);
    expect(a.width).toBe('calc(50% - 4px)');
    expect(b.width).toBe('calc(50% - 4px)');
    expect(a.left).toBe('calc(0% + 2px)');
    expect(b.left).toBe('calc(50% + 2px)');
    expect(c.width).toBe('calc(100% - 4px)');
    // 60 px an hour from 07:00: 9:00 is 120 px down, 9:30 is 150; 50 minutes is 48 px tall (2 px gap)
    expect(a.top).toBe(120);
    expect(b.top).toBe(150);
    expect(a.height).toBe(48);
  });

  it('lists each day’s appointments as buttons in time order, with what the eye sees also said in words', () => {
    render(CalendarGrid, {
      days: [today],
      now: noon,
      onopen: vi.fn(),
      appointments: [
        appt({ id: 'late', clientName: 'Late Client', startsAt: at(15), endsAt: at(15, 50) }),
        appt({ id: 'early', clientName: 'Early Client', startsAt: at(8), endsAt: at(8, 50), unread: 2, hasAlert: true }),
      ],
    });
    const list = screen.getByRole('list', { name: `Appointments on ${longDay(today)}` });
    const buttons = within(list).getAllByRole('button');
    expect(buttons.map((b) => b.dataset.apptId)).toEqual(['early', 'late']);
    expect(buttons[0].textContent).toContain('08:00–08:50');
    expect(buttons[0].textContent).toContain('2 unread messages');
    expect(buttons[0].textContent).toContain('has a client alert');
  });

  it('opens the appointment that was clicked', async () => {
    const onopen = vi.fn();
    render(CalendarGrid, { days: [today], now: noon, onopen, appointments: [appt({ id: 'x', clientName: 'Avery Abbott' })] });
    await fireEvent.click(screen.getByRole('button', { name: /Avery Abbott/ }));
    expect(onopen).toHaveBeenCalledOnce();
    expect(onopen.mock.calls[0][0].id).toBe('x');
  });

  it('draws the current-time line on today only', () => {
    const tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
    render(CalendarGrid, { days: [today, tomorrow], now: noon, onopen: vi.fn(), appointments: [] });
    const lines = screen.getAllByRole('img', { name: /^Now, 12:00$/ });
    expect(lines).toHaveLength(1);
    expect(lines[0].closest('section')?.getAttribute('aria-label')).toBe(longDay(today));
  });

  it('widens the hours shown so the current-time line is there late in the evening', () => {
    const late = new Date(today.getFullYear(), today.getMonth(), today.getDate(), 22, 30);
    render(CalendarGrid, { days: [today], now: late, onopen: vi.fn(), appointments: [] });
    expect(screen.getByRole('img', { name: 'Now, 22:30' })).toBeTruthy();
  });

  it('books at the empty half hour that was clicked', async () => {
    const oncreate = vi.fn();
    const { container } = render(CalendarGrid, { days: [today], now: noon, onopen: vi.fn(), oncreate, appointments: [] });
    const slot = container.querySelector<HTMLButtonElement>('button.slot[title="New appointment at 10:30"]');
    expect(slot).not.toBeNull();
    expect(slot!.tabIndex).toBe(-1); // the keyboard uses the New appointment button
    await fireEvent.click(slot!);
    const d: Date = oncreate.mock.calls[0][0];
    expect([d.getHours(), d.getMinutes(), d.getDate()]).toEqual([10, 30, today.getDate()]);
  });
});
