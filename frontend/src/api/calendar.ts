import * as Bound from '../../wailsjs/go/api/Calendar';
import { call } from './errors';
import type { Appointment } from './types';

/** Appointments between two instants; staffId "" for everyone. */
export const range = (from: Date, to: Date, staffId: string): Promise<Appointment[]> =>
  call(() => Bound.Range(from.toISOString(), to.toISOString(), staffId)).then((l) => l ?? []);
