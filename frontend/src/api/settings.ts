import * as Bound from '../../wailsjs/go/api/Settings';
import { call } from './errors';
import type { Settings } from './types';

export const get = (): Promise<Settings> => call(() => Bound.Get());
export const setRecordsDeletion = (on: boolean): Promise<Settings> => call(() => Bound.SetRecordsDeletion(on));
export const setMaxFileBytes = (n: number): Promise<Settings> => call(() => Bound.SetMaxFileBytes(n));
export const setLockAfterMinutes = (m: number): Promise<Settings> => call(() => Bound.SetLockAfterMinutes(m));
