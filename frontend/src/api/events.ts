import { onEvent } from './runtime';
import type { DataChanged, FileProgress } from './types';

/** `data:changed` is sent by Go after any change so open views refresh. */
export function onDataChanged(cb: (what: string) => void): () => void {
  return onEvent<DataChanged>('data:changed', (p) => cb(p?.what ?? ''));
}

/** `files:progress` reports a long file job in the backend. */
export function onFileProgress(cb: (p: FileProgress) => void): () => void {
  return onEvent<FileProgress>('files:progress', cb);
}
