// Window-level safety nets installed once at start-up. No wailsjs import here,
// so they are testable anywhere.

const GUARD = Symbol.for('clinicdesk.dropGuard');

/**
 * Stops the web view from navigating to a file dropped anywhere in the window
 * (WebKit on Linux would otherwise open it and replace the whole app, typed
 * text and all). A file manager's drag on Linux arrives as `text/uri-list`,
 * not always as `Files`, so every dragover and drop is stopped: the app has
 * no in-page dragging, and drop zones still receive their events. Capture
 * phase, so it runs before anything else; safe to call any number of times.
 */
export function installDropGuards(target: Window = window): void {
  const w = target as unknown as Record<symbol, boolean>;
  if (w[GUARD]) return;
  w[GUARD] = true;
  const stop = (e: Event) => e.preventDefault();
  target.addEventListener('dragover', stop, { capture: true });
  target.addEventListener('drop', stop, { capture: true });
}

const BRIDGE = Symbol.for('clinicdesk.errorBridge');

/**
 * Keeps structured errors intact. The Wails 2.15 runtime rejects a bound call
 * with `new Error(message.error)`, which turns the ErrorFormatter's
 * `{code, message, field}` object into "[object Object]". Go delivers every
 * reply through `window.wails.Callback(json)`, so we turn an object error into
 * its JSON text first; toApiError parses it back. String errors pass through
 * untouched. Safe to call any number of times and outside the app window.
 */
export function installErrorBridge(target: Window = window): void {
  const w = target as unknown as { wails?: { Callback?: (m: string) => unknown } } & Record<symbol, boolean>;
  const orig = w.wails?.Callback;
  if (!w.wails || typeof orig !== 'function' || w[BRIDGE]) return;
  w[BRIDGE] = true;
  w.wails.Callback = (incoming: string) => {
    try {
      const m = JSON.parse(incoming);
      if (m && m.error && typeof m.error === 'object') {
        m.error = JSON.stringify(m.error);
        return orig(JSON.stringify(m));
      }
    } catch {
      // not ours to judge: hand it on unchanged
    }
    return orig(incoming);
  };
}
