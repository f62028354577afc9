import { EventName, Kind, type Change } from './eventkinds';
import { onEvent } from './runtime';
import type { FileProgress } from './types';

export { Kind, type Change };

/**
 * `data:changed` is sent by Go after it wrote a change, saying what kind of
 * data changed (and in which thread, when it is one): a view reloads only
 * for the kinds it shows.
 */
export function onDataChanged(cb: (change: Change) => void): () => void {
  return onEvent<Change>(EventName.DataChanged, (p) => {
    if (p?.what) cb(p);
  });
}

/** `files:progress` reports a long file job in the backend. */
export function onFileProgress(cb: (p: FileProgress) => void): () => void {
  return onEvent<FileProgress>(EventName.FileProgress, cb);
}
