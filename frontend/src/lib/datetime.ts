// Local calendar arithmetic for the Calendar and Home: days, weeks, the values
// of <input type="date"> / <input type="time">, and RFC 3339 for Go. Times are
// always shown in this computer's local time and sent with its UTC offset.

export const MINUTE = 60_000;
export const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
export const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');

/**
 * An instant as RFC 3339 with this computer's UTC offset
 * ("2026-11-30T09:00:00+01:00"), so what Go logs matches the wall clock.
 */
export function toRFC3339(d: Date): string {
  const off = -d.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${pad(off / 60)}:${pad(off % 60)}`;
  return `${toDateInput(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${zone}`;
}

export function startOfDay(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

/** d plus n calendar days at the same wall-clock time (safe across DST). */
export function addDays(d: Date, n: number): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n, d.getHours(), d.getMinutes(), d.getSeconds());
}

/** Midnight of the Monday of d's week. */
export function mondayOf(d: Date): Date {
  const x = startOfDay(d);
  return addDays(x, -((x.getDay() + 6) % 7));
}

export function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/**
 * Minutes since local midnight of `day` (may be negative or above 1440). On
 * the day itself it is the wall-clock time, so a 14:00 appointment sits at
 * 14:00 on the grid even on a daylight-saving day.
 */
export function minutesInto(day: Date, t: Date): number {
  if (sameDay(day, t)) return t.getHours() * 60 + t.getMinutes() + t.getSeconds() / 60;
  return (t.getTime() - startOfDay(day).getTime()) / MINUTE;
}

/** "2026-11-30": the value of an <input type="date">. */
export function toDateInput(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "09:05": the value of an <input type="time">. */
export function toTimeInput(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A local instant from date and time input values; null when either cannot be read. */
export function fromInputs(date: string, time: string): Date | null {
  const dm = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(date.trim());
  const tm = /^(\d{1,2})[:.](\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(time.trim());
  if (!dm || !tm) return null;
  const [y, mo, d] = [Number(dm[1]), Number(dm[2]), Number(dm[3])];
  const [h, mi] = [Number(tm[1]), Number(tm[2])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
  const out = new Date(y, mo - 1, d, h, mi);
  return out.getMonth() === mo - 1 ? out : null; // 31 Feb and the like
}

/** "Monday 30 November 2026". */
export function longDay(d: Date): string {
  return `${DAY_NAMES[d.getDay()]} ${d.getDate()} ${MONTH_NAMES[d.getMonth()]} ${d.getFullYear()}`;
}

/** "Mon 30". */
export function shortDay(d: Date): string {
  return `${DAY_NAMES[d.getDay()].slice(0, 3)} ${d.getDate()}`;
}

/** "30 Nov – 6 Dec 2026", "28 Dec 2026 – 3 Jan 2027". */
export function weekLabel(monday: Date): string {
  const sunday = addDays(monday, 6);
  const m = (d: Date) => MONTH_NAMES[d.getMonth()].slice(0, 3);
  const left =
    monday.getFullYear() !== sunday.getFullYear()
      ? `${monday.getDate()} ${m(monday)} ${monday.getFullYear()}`
      : monday.getMonth() !== sunday.getMonth()
        ? `${monday.getDate()} ${m(monday)}`
        : `${monday.getDate()}`;
  return `${left} – ${sunday.getDate()} ${m(sunday)} ${sunday.getFullYear()}`;
}
