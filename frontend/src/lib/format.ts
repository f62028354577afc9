// Formatting for people: sizes, dates and relative times. Deterministic (no
// locale lookups), so tests and screens agree. Times are shown in local time.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** "12 bytes", "340 KB", "1.2 MB", "3.4 GB". */
export function formatSize(bytes: number | null | undefined): string {
  const b = Number(bytes) || 0;
  if (b < 1024) return b === 1 ? '1 byte' : `${b} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = b / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const shown = v < 10 ? Math.round(v * 10) / 10 : Math.round(v);
  return `${shown} ${units[u]}`;
}

export function parseTime(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function formatClock(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function startOfDay(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

function dayDiff(a: Date, b: Date): number {
  return Math.round((startOfDay(a).getTime() - startOfDay(b).getTime()) / 86_400_000);
}

/** "3 Nov", or "3 Nov 2023" outside the current year. */
export function formatDay(d: Date, now: Date = new Date()): string {
  const s = `${d.getDate()} ${MONTHS[d.getMonth()]}`;
  return d.getFullYear() === now.getFullYear() ? s : `${s} ${d.getFullYear()}`;
}

/** "Today 14:05", "Yesterday 09:10", "Tomorrow 10:00", "3 Nov", "3 Nov 2023". */
export function formatDate(iso: string | null | undefined, now: Date = new Date()): string {
  const d = parseTime(iso);
  if (!d) return '';
  const diff = dayDiff(d, now);
  if (diff === 0) return `Today ${formatClock(d)}`;
  if (diff === -1) return `Yesterday ${formatClock(d)}`;
  if (diff === 1) return `Tomorrow ${formatClock(d)}`;
  return formatDay(d, now);
}

/** "Today 14:05" or "Mon 3 Nov, 14:05": for appointments, where the time matters. */
export function formatDateTime(iso: string | null | undefined, now: Date = new Date()): string {
  const d = parseTime(iso);
  if (!d) return '';
  const diff = dayDiff(d, now);
  if (diff >= -1 && diff <= 1) return formatDate(iso, now);
  return `${DAYS[d.getDay()]} ${formatDay(d, now)}, ${formatClock(d)}`;
}

/** "just now", "5 min ago", "3 h ago", "Yesterday", "Tue", "3 Nov". */
export function relativeTime(iso: string | null | undefined, now: Date = new Date()): string {
  const d = parseTime(iso);
  if (!d) return '';
  const secs = Math.round((now.getTime() - d.getTime()) / 1000);
  if (secs < 0) return formatDate(iso, now);
  if (secs < 60) return 'just now';
  const mins = Math.floor(secs / 60);
  if (mins < 60) return `${mins} min ago`;
  const diff = dayDiff(d, now);
  if (diff === 0) return `${Math.floor(mins / 60)} h ago`;
  if (diff === -1) return 'Yesterday';
  if (diff > -7) return DAYS[d.getDay()];
  return formatDay(d, now);
}

/** A date of birth "1987-04-12" as "12 Apr 1987" (no time zone shift). */
export function formatDob(ymd: string | null | undefined): string {
  if (!ymd) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(ymd);
  if (!m) return ymd;
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

/** Age in whole years on `now`. */
export function ageFrom(ymd: string | null | undefined, now: Date = new Date()): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(ymd ?? '');
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let age = now.getFullYear() - y;
  if (now.getMonth() + 1 < mo || (now.getMonth() + 1 === mo && now.getDate() < d)) age--;
  return age;
}

export function roleLabel(role: string): string {
  switch (role) {
    case 'owner':
      return 'Owner';
    case 'manager':
      return 'Manager';
    case 'clinician':
      return 'Clinician';
    case 'front_desk':
      return 'Front desk';
    default:
      return role;
  }
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
