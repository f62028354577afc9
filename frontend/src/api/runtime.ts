// The only module touching the Wails JavaScript runtime. Every function is safe
// in a plain browser (no `window.runtime`): it then does nothing.
import { EventsOn, OnFileDrop } from '../../wailsjs/runtime/runtime';

export function hasRuntime(): boolean {
  return typeof window !== 'undefined' && typeof (window as { runtime?: unknown }).runtime === 'object';
}

/** Listens to a Go event; returns the function that stops listening. */
export function onEvent<T>(name: string, cb: (payload: T) => void): () => void {
  if (!hasRuntime()) return () => {};
  try {
    return EventsOn(name, (payload: T) => cb(payload));
  } catch (e) {
    console.error(e);
    return () => {};
  }
}

type PathsHandler = (paths: string[]) => void;
interface Zone {
  el: HTMLElement;
  onPaths: PathsHandler;
  lastNativeDrop: number;
}
const zones = new Set<Zone>();
let nativeDropInstalled = false;

function zoneAt(x: number, y: number): Zone | null {
  const hit = typeof document.elementFromPoint === 'function' ? document.elementFromPoint(x, y) : null;
  let best: Zone | null = null;
  for (const z of zones) {
    if (hit && z.el.contains(hit)) {
      // the innermost zone wins (a reply box inside a larger area)
      if (!best || best.el.contains(z.el)) best = z;
    }
  }
  return best;
}

function installNativeDrop(): void {
  if (nativeDropInstalled || !hasRuntime()) return;
  nativeDropInstalled = true;
  try {
    OnFileDrop((x, y, paths) => {
      const z = zoneAt(x, y);
      if (!z || !paths?.length) return;
      z.lastNativeDrop = Date.now();
      z.onPaths(paths);
    }, true);
  } catch (e) {
    console.error(e);
  }
}

/**
 * Registers an element (styled with `--wails-drop-target: drop`) to receive
 * files dropped from the desktop in the Wails window, as paths. Returns an
 * unregister function and a way to ask whether a native drop just arrived, so
 * the HTML5 path can stand aside and nothing is staged twice.
 */
export function registerDropZone(
  el: HTMLElement,
  onPaths: PathsHandler,
): { unregister: () => void; nativeDropSince: (t: number) => boolean } {
  installNativeDrop();
  const zone: Zone = { el, onPaths, lastNativeDrop: 0 };
  zones.add(zone);
  return {
    unregister: () => zones.delete(zone),
    nativeDropSince: (t: number) => zone.lastNativeDrop >= t,
  };
}
