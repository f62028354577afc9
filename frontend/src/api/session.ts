import * as Bound from '../../wailsjs/go/api/Session';
import { call } from './errors';
import type { Session, Staff } from './types';

export const staffList = (): Promise<Staff[]> => call(() => Bound.StaffList()).then((l) => l ?? []);
type Raw = Omit<Session, 'staff'> & { staff?: Staff | null };
const normalize = (s: Raw): Session => ({
  staff: s.staff ?? null,
  practiceName: s.practiceName ?? '',
  canManage: !!s.canManage,
  demoPin: s.demoPin ?? '',
  lockAfterMinutes: s.lockAfterMinutes ?? 0,
  lockedBy: s.lockedBy ?? null,
});

export const signIn = (staffId: string, secret: string): Promise<Session> =>
  call(() => Bound.SignIn(staffId, secret)).then(normalize);
export const signOut = (): Promise<void> => call(() => Bound.SignOut());
export const lock = (): Promise<void> => call(() => Bound.Lock());
export const current = (): Promise<Session> => call(() => Bound.Current()).then(normalize);
