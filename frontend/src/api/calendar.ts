import * as Bound from '../../wailsjs/go/api/Calendar';
import { dto } from '../../wailsjs/go/models';
import { toRFC3339 } from '../lib/datetime';
import { call } from './errors';
import type { Appointment, AppointmentInput } from './types';

/** Appointments overlapping [from, to); staffId "" for everyone. */
export const range = (from: Date, to: Date, staffId: string): Promise<Appointment[]> =>
  call(() => Bound.Range(toRFC3339(from), toRFC3339(to), staffId)).then((l) => l ?? []);

/**
 * Today's appointments in local time: staffId's when given, else the
 * signed-in clinician's own, else everyone's (front desk, owner, manager).
 */
export const today = (staffId = ''): Promise<Appointment[]> => call(() => Bound.Today(staffId)).then((l) => l ?? []);

/** Books an appointment; a clash rejects with code `conflict` unless input.allowOverlap. */
export const create = (input: AppointmentInput): Promise<Appointment> =>
  call(() => Bound.Create(dto.AppointmentInput.createFrom(input)));

/** Edits or reschedules an appointment, with the same checks as create. */
export const update = (id: string, input: AppointmentInput): Promise<Appointment> =>
  call(() => Bound.Update(id, dto.AppointmentInput.createFrom(input)));

/** Cancels an appointment; the reason (optional, ≤ 500 characters) goes to the audit log. */
export const cancel = (id: string, reason: string): Promise<Appointment> => call(() => Bound.Cancel(id, reason));
