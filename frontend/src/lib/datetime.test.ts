import { describe, expect, it } from 'vitest';
import { addDays, fromInputs, minutesInto, mondayOf, toRFC3339, weekLabel } from './datetime';

describe('datetime', () => {
  it('writes RFC 3339 with the local offset that Go reads back to the same instant', () => {
    const d = new Date(2026, 10, 30, 9, 5, 0);
    const s = toRFC3339(d);
    expect(s).toMatch(/^2026-11-30T09:05:00(Z|[+-]\d\d:\d\d)$/);
    expect(Date.parse(s)).toBe(d.getTime());
  });

  it('reads date and time inputs, refusing what is not a date', () => {
    expect(fromInputs('2026-11-30', '14:30')?.getTime()).toBe(new Date(2026, 10, 30, 14, 30).getTime());
    expect(fromInputs('2026-02-31', '10:00')).toBeNull();
    expect(fromInputs('', '10:00')).toBeNull();
    expect(fromInputs('2026-11-30', '25:00')).toBeNull();
    expect(fromInputs('2026-11-30', 'soon')).toBeNull();
  });

  it('starts weeks on Monday and labels them across months and years', () => {
    expect(mondayOf(new Date(2026, 10, 29, 15)).getTime()).toBe(new Date(2026, 10, 23).getTime());
    expect(weekLabel(new Date(2026, 10, 30))).toBe('30 Nov – 6 Dec 2026');
    expect(weekLabel(new Date(2026, 10, 23))).toBe('23 – 29 Nov 2026');
    expect(weekLabel(new Date(2026, 11, 28))).toBe('28 Dec 2026 – 3 Jan 2027');
  });

  it('places a time by its wall clock on its own day and by elapsed minutes on others', () => {
    const day = new Date(2026, 10, 30);
    expect(minutesInto(day, new Date(2026, 10, 30, 14, 30))).toBe(870);
    expect(minutesInto(day, addDays(new Date(2026, 10, 30, 1, 0), 1))).toBe(24 * 60 + 60);
  });
});
