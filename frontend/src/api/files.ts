import * as Bound from '../../wailsjs/go/api/Files';
import { ApiError, call, hasBackend, toApiError } from './errors';
import type { StagedFile, StageResult, StoreReport } from './types';

/** Browser File objects go to Go in pieces of this size. */
export const CHUNK_SIZE = 512 * 1024;

/** base64 of a byte array, in slices so large chunks never overflow the stack. */
export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) {
    bin += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + step)));
  }
  return btoa(bin);
}

async function readSlice(blob: Blob): Promise<Uint8Array> {
  if (typeof blob.arrayBuffer === 'function') return new Uint8Array(await blob.arrayBuffer());
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(new Uint8Array(r.result as ArrayBuffer));
    r.onerror = () => reject(r.error);
    r.readAsArrayBuffer(blob);
  });
}

/**
 * Uploads one browser File in 512 KiB chunks. onProgress gets (chunks done,
 * chunks in all). Rejects with an ApiError (too large, refused type, ...).
 */
export async function uploadFile(file: File, onProgress?: (done: number, total: number) => void): Promise<StagedFile> {
  const total = Math.max(1, Math.ceil(file.size / CHUNK_SIZE));
  const id = await call(() => Bound.BeginUpload(file.name, file.size));
  try {
    for (let i = 0, off = 0; off < file.size; i++, off += CHUNK_SIZE) {
      let bytes: Uint8Array;
      try {
        bytes = await readSlice(file.slice(off, off + CHUNK_SIZE));
      } catch {
        throw new ApiError('file_unreadable', 'This file could not be read.');
      }
      await call(() => Bound.UploadChunk(id, toBase64(bytes)));
      onProgress?.(i + 1, total);
    }
    const staged = await call(() => Bound.FinishUpload(id));
    onProgress?.(total, total);
    return staged;
  } catch (e) {
    call(() => Bound.CancelUpload(id)).catch(() => {});
    throw toApiError(e);
  }
}

/**
 * Stages browser File objects (drag-and-drop, <input type=file>). Refused
 * files become problems; the others become StagedFile tokens. onProgress gets
 * a fraction 0..1 over all files.
 */
export async function stageBrowserFiles(files: File[], onProgress?: (fraction: number) => void): Promise<StageResult> {
  const result: StageResult = { files: [], problems: [] };
  const weights = files.map((f) => Math.max(1, Math.ceil(f.size / CHUNK_SIZE)));
  const all = weights.reduce((a, b) => a + b, 0) || 1;
  let before = 0;
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    try {
      result.files.push(await uploadFile(f, (done) => onProgress?.((before + done) / all)));
    } catch (e) {
      const err = toApiError(e);
      result.problems.push({ name: f.name, code: err.code, message: err.message });
    }
    before += weights[i];
    onProgress?.(before / all);
  }
  return result;
}

/** Stages files named by path (drop in the Wails window, native picker). */
export const stagePaths = (paths: string[]): Promise<StageResult> =>
  call(() => Bound.StagePaths(paths)).then((r) => ({ files: r.files ?? [], problems: r.problems ?? [] }));

/** Shows the native file dialog; [] when cancelled. */
export const pickFiles = (): Promise<string[]> => call(() => Bound.PickFiles()).then((l) => l ?? []);

/** The native picker exists only inside the app window. */
export const canPickNatively = (): boolean => hasBackend();

/** Compares the file store with the database (owner or manager). */
export const checkStore = (): Promise<StoreReport> =>
  call(() => Bound.CheckStore()).then((r) => ({
    ...r,
    missing: r.missing ?? [],
    corrupt: r.corrupt ?? [],
    unreferenced: r.unreferenced ?? [],
  }));
