import * as Bound from '../../wailsjs/go/api/Sync';
import { call } from './errors';
import { onEvent } from './runtime';
import type { EnrollCode, SyncNotice, SyncProgress, SyncStatus } from './types';

/** Online/offline, pending changes, last sync and the last problem. */
export const status = (): Promise<SyncStatus> => call(() => Bound.Status());
/** Joins a practice hub with its address and a one-time enrollment code (owner or manager). */
export const join = (hubUrl: string, code: string): Promise<SyncStatus> => call(() => Bound.Join(hubUrl, code));
/** Stops syncing; this desk keeps its data (owner or manager). */
export const leave = (): Promise<SyncStatus> => call(() => Bound.Leave());
export const syncNow = (): Promise<SyncStatus> => call(() => Bound.SyncNow());
/** Changes the hub undid, newest first. */
export const notices = (): Promise<SyncNotice[]> => call(() => Bound.Notices()).then((l) => l ?? []);
export const dismissNotice = (id: string): Promise<void> => call(() => Bound.DismissNotice(id));
/** A one-time code for another desk to join (the hub gives one only to an owner). */
export const newEnrollCode = (): Promise<EnrollCode> => call(() => Bound.NewEnrollCode());

/** `sync:status` is sent whenever the state or the last error changes. */
export const onSyncStatus = (cb: (s: SyncStatus) => void): (() => void) => onEvent<SyncStatus>('sync:status', cb);
/** `sync:progress` reports a long push or pull. */
export const onSyncProgress = (cb: (p: SyncProgress) => void): (() => void) =>
  onEvent<SyncProgress>('sync:progress', cb);
