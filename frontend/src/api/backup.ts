import * as Bound from '../../wailsjs/go/api/Backup';
import { call } from './errors';
import { onEvent } from './runtime';
import type { BackupInfo, BackupProgress, RestoreResult } from './types';

const info = (b: BackupInfo): BackupInfo => ({ ...b, counts: b.counts ?? {} });

/** Native folder dialog: where to save a backup; "" when cancelled (owner or manager). */
export const chooseFolder = (): Promise<string> => call(() => Bound.ChooseFolder()).then((p) => p ?? '');
/** Native folder dialog: a "ClinicDesk backup …" folder to check or restore; "" when cancelled. */
export const chooseBackup = (): Promise<string> => call(() => Bound.ChooseBackup()).then((p) => p ?? '');
/** Backs the practice up into a new folder inside dir while the desk keeps working. */
export const create = (dir: string): Promise<BackupInfo> => call(() => Bound.Create(dir)).then(info);
/** Verifies a backup folder in full and describes it. */
export const inspect = (dir: string): Promise<BackupInfo> => call(() => Bound.Inspect(dir)).then(info);
/** Replaces the practice with the backup in dir; everyone is signed out afterwards. */
export const restore = (dir: string): Promise<RestoreResult> =>
  call(() => Bound.Restore(dir)).then((r) => ({ ...r, backup: info(r.backup) }));
/** Stops the running backup, check or restore (a restore only until its swap). */
export const cancel = (): Promise<void> => call(() => Bound.Cancel());
/** `backup:progress`, at most every 100 ms and at each change of phase. */
export const onBackupProgress = (cb: (p: BackupProgress) => void): (() => void) =>
  onEvent<BackupProgress>('backup:progress', cb);
