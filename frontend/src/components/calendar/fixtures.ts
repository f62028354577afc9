// Generated demo appointments for calendar tests: no real people.
import type { Appointment } from '../../api/types';

/** A local time today (or `dayOffset` days from today) as an ISO string. */
export function at(hour: number, minute = 0, dayOffset = 0): string {
  const d = new Date();
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + dayOffset, hour, minute).toISOString();
}

export function appt(over: Partial<Appointment> = {}): Appointment {
  return {
    id: 'ap-1',
    clientId: 'c-1',
    clientName: 'Alex Moreno',
    staffId: 's-2',
    staffName: 'Priya Natarajan',
    startsAt: at(9),
    endsAt: at(9, 50),
    service: 'Individual therapy',
    location: 'Room 1',
    status: 'scheduled',
    notes: '',
    hasAlert: false,
    unread: 0,
    canCancel: true,
    ...over,
  };
}
