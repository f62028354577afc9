// Words and colours for appointments, shared by the Calendar, Home and the pop-up.
import type { Appointment, Staff } from '../../api/types';
import { formatClock, parseTime } from '../../lib/format';

export const STATUSES = [
  { value: 'scheduled', label: 'Scheduled' },
  { value: 'arrived', label: 'Arrived' },
  { value: 'completed', label: 'Completed' },
  { value: 'no_show', label: 'No-show' },
  { value: 'cancelled', label: 'Cancelled' },
] as const;

export function statusLabel(status: string): string {
  return STATUSES.find((s) => s.value === status)?.label ?? (status || 'Scheduled');
}

/** "09:00–09:50" in local time. */
export function timeRange(a: Pick<Appointment, 'startsAt' | 'endsAt'>): string {
  const s = parseTime(a.startsAt);
  const e = parseTime(a.endsAt);
  if (!s) return '';
  return e ? `${formatClock(s)}–${formatClock(e)}` : formatClock(s);
}

/** Staff who can hold appointments (the front desk books but does not hold them). */
export function canHoldAppointments(s: Pick<Staff, 'role'>): boolean {
  return s.role === 'clinician' || s.role === 'owner' || s.role === 'manager';
}

// Left-edge colours telling clinicians apart; all dark enough to read as a
// 4px bar next to white.
const PALETTE = ['#0f6e66', '#7c3aed', '#b45309', '#1d4ed8', '#be185d', '#4d7c0f', '#0e7490', '#9f1239'];

export function staffColor(staffId: string, order: readonly string[] = []): string {
  const i = order.indexOf(staffId);
  if (i >= 0) return PALETTE[i % PALETTE.length];
  let h = 0;
  for (const ch of staffId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

/** What a screen reader hears after the visible text of an appointment. */
export function appointmentExtras(a: Appointment): string {
  const parts = [statusLabel(a.status)];
  if (a.unread > 0) parts.push(`${a.unread} unread ${a.unread === 1 ? 'message' : 'messages'}`);
  if (a.hasAlert) parts.push('has a client alert');
  return parts.join(', ');
}
