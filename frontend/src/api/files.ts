import * as Bound from '../../wailsjs/go/api/Files';
import { formatSize } from '../lib/format';
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

/** Why an upload stopped when the person pressed Cancel. */
export const CANCELLED = 'cancelled';

function cancelled(): ApiError {
  return new ApiError(CANCELLED, 'Cancelled: nothing of this file was kept.');
}

/** The practice's per-file limit in bytes, as Go enforces it (Settings → Security). */
export const maxFileBytes = (): Promise<number> => call(() => Bound.MaxFileBytes());

/**
 * Why file cannot be sent under limit (bytes, from maxFileBytes), or null:
 * empty and too large files are refused before any byte moves. Go checks
 * the same again.
 */
export function sizeProblem(file: File, limit: number): ApiError | null {
  if (file.size <= 0) return new ApiError('file_empty', `“${file.name}” is empty, so there is nothing to attach.`);
  if (limit > 0 && file.size > limit) {
    return new ApiError(
      'file_too_large',
      `“${file.name}” is too large to attach (${formatSize(file.size)}). The limit is ${formatSize(limit)} per file.`,
    );
  }
  return null;
}

/**
 * Uploads one browser File in 512 KiB chunks. onProgress gets (bytes sent,
 * bytes in all). Aborting signal stops after the chunk in flight and tells Go
 * to drop what it has (Files.CancelUpload). Rejects with an ApiError (too
 * large, refused type, cancelled, ...); an empty file or one over the
 * practice's limit (limit, else asked of Go) is refused before the upload
 * starts.
 */
export async function uploadFile(
  file: File,
  onProgress?: (done: number, total: number) => void,
  signal?: AbortSignal,
  limit?: number,
): Promise<StagedFile> {
  if (signal?.aborted) throw cancelled();
  const problem = sizeProblem(file, limit ?? (await maxFileBytes()));
  if (problem) throw problem;
  const id = await call(() => Bound.BeginUpload(file.name, file.size));
  try {
    for (let off = 0; off < file.size; off += CHUNK_SIZE) {
      if (signal?.aborted) throw cancelled();
      let bytes: Uint8Array;
      try {
        bytes = await readSlice(file.slice(off, off + CHUNK_SIZE));
      } catch {
        throw new ApiError('file_unreadable', 'This file could not be read.');
      }
      await call(() => Bound.UploadChunk(id, toBase64(bytes)));
      onProgress?.(Math.min(file.size, off + CHUNK_SIZE), file.size);
    }
    if (signal?.aborted) throw cancelled();
    const staged = await call(() => Bound.FinishUpload(id));
    onProgress?.(file.size, file.size);
    return staged;
  } catch (e) {
    call(() => Bound.CancelUpload(id)).catch(() => {});
    throw toApiError(e);
  }
}

/** Where staging is: the file in hand (bytes) and the share of all the work done. */
export interface StageProgress {
  name: string;
  done: number;
  total: number;
  /** 0..1 over every file of the batch, weighted by size. */
  fraction: number;
}

/**
 * Stages browser File objects (drag-and-drop, <input type=file>). Refused
 * files become problems; the others become StagedFile tokens. Aborting signal
 * stops the file in flight and skips the rest (`cancelled` is then true; the
 * files already staged are kept).
 */
export async function stageBrowserFiles(
  files: File[],
  onProgress?: (p: StageProgress) => void,
  signal?: AbortSignal,
): Promise<StageResult & { cancelled: boolean }> {
  const result: StageResult & { cancelled: boolean } = { files: [], problems: [], cancelled: false };
  if (files.length === 0) return result;
  let limit: number;
  try {
    limit = await maxFileBytes();
  } catch (e) {
    const err = toApiError(e);
    result.problems = files.map((f) => ({ name: f.name, code: err.code, message: err.message }));
    return result;
  }
  // Files refused by size weigh nothing: the bar shows only bytes that move.
  const all = files.reduce((a, f) => a + (sizeProblem(f, limit) ? 0 : Math.max(1, f.size)), 0) || 1;
  let before = 0;
  for (const f of files) {
    const problem = sizeProblem(f, limit);
    if (problem) {
      result.problems.push({ name: f.name, code: problem.code, message: problem.message });
      continue;
    }
    try {
      result.files.push(
        await uploadFile(
          f,
          (done, total) => onProgress?.({ name: f.name, done, total, fraction: (before + done) / all }),
          signal,
          limit,
        ),
      );
    } catch (e) {
      const err = toApiError(e);
      if (err.code === CANCELLED) {
        result.cancelled = true;
        break;
      }
      result.problems.push({ name: f.name, code: err.code, message: err.message });
    }
    before += Math.max(1, f.size);
    onProgress?.({ name: f.name, done: f.size, total: f.size, fraction: before / all });
  }
  return result;
}

/** Stages files named by path (drop in the Wails window, native picker). */
export const stagePaths = (paths: string[]): Promise<StageResult> =>
  call(() => Bound.StagePaths(paths)).then((r) => ({ files: r.files ?? [], problems: r.problems ?? [] }));

/** Shows the native file dialog; [] when cancelled. */
export const pickFiles = (): Promise<string[]> => call(() => Bound.PickFiles()).then((l) => l ?? []);

/**
 * The native picker exists only inside the app window. A browser connected to
 * `wails dev` has the bindings too, but a native dialog would open in the
 * desktop window instead: there the HTML file input is used.
 */
export function canPickNatively(): boolean {
  if (!hasBackend() || typeof window === 'undefined') return false;
  const w = window as unknown as {
    webkit?: { messageHandlers?: { external?: unknown } };
    chrome?: { webview?: unknown };
  };
  return !!(w.webkit?.messageHandlers?.external || w.chrome?.webview);
}

/** Compares the file store with the database (owner or manager). */
export const checkStore = (): Promise<StoreReport> =>
  call(() => Bound.CheckStore()).then((r) => ({
    ...r,
    missing: r.missing ?? [],
    corrupt: r.corrupt ?? [],
    unreferenced: r.unreferenced ?? [],
    pending: r.pending ?? 0,
  }));
