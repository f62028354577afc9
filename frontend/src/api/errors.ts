import { plainMessage } from '../lib/errors';

/** The one error type every src/api call rejects with. */
export class ApiError extends Error {
  readonly code: string;
  readonly field: string;

  constructor(code: string, message: string, field = '') {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.field = field;
  }
}

function fromObject(o: Record<string, unknown>): ApiError | null {
  if (typeof o.code !== 'string' || !o.code) return null;
  const message = typeof o.message === 'string' && o.message.trim() ? o.message : plainMessage(o.code);
  const field = typeof o.field === 'string' ? o.field : '';
  return new ApiError(o.code, message, field);
}

/**
 * Turns whatever a bound call rejected with into an ApiError: Wails' error
 * formatter gives `{code, message, field?}`; older paths give a string, which
 * may itself be that object as JSON.
 */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e && typeof e === 'object') {
    const got = fromObject(e as Record<string, unknown>);
    if (got) return got;
    if (e instanceof Error) {
      // Wails 2.15 rejects with `new Error(formattedError)`: a string
      // formatter result survives as the message (JSON or plain words), an
      // object one becomes "[object Object]". A TypeError and the like is a
      // fault on our side (a missing binding, a bug): keep its detail for the
      // console, not the screen.
      if (e.constructor === Error && e.message && e.message !== '[object Object]') return toApiError(e.message);
      console.error(e);
      return new ApiError('internal', plainMessage('internal'));
    }
  }
  if (typeof e === 'string') {
    const s = e.trim();
    if (s.startsWith('{')) {
      try {
        const parsed = JSON.parse(s);
        if (parsed && typeof parsed === 'object') {
          const got = fromObject(parsed);
          if (got) return got;
        }
      } catch {
        // not JSON: fall through
      }
    }
    if (s) return new ApiError('internal', s);
  }
  return new ApiError('internal', plainMessage('internal'));
}

type SignedOutListener = (e: ApiError) => void;
const signedOutListeners = new Set<SignedOutListener>();

/**
 * Calls cb whenever Go refuses a call because nobody is signed in (the desk
 * was locked or signed out, here or by the backend). Returns the function
 * that stops listening.
 */
export function onSignedOut(cb: SignedOutListener): () => void {
  signedOutListeners.add(cb);
  return () => signedOutListeners.delete(cb);
}

/** Runs a bound call and rejects with an ApiError instead of a raw value. */
export async function call<T>(fn: () => Promise<T>): Promise<T> {
  if (!hasBackend()) {
    throw new ApiError(
      'no_backend',
      'ClinicDesk is not connected to its data. Please close this window and open ClinicDesk again.',
    );
  }
  try {
    return await fn();
  } catch (e) {
    const err = toApiError(e);
    if (err.code === 'not_signed_in') {
      for (const cb of signedOutListeners) {
        try {
          cb(err);
        } catch (x) {
          console.error(x);
        }
      }
    }
    throw err;
  }
}

/** The words to show for any error, ApiError or not. */
export function messageOf(e: unknown): string {
  return toApiError(e).message;
}

/** True inside the Wails window, where the bound Go services exist. */
export function hasBackend(): boolean {
  return typeof window !== 'undefined' && typeof (window as { go?: unknown }).go === 'object';
}
