// The Wails event bus, for component tests: setup.ts sends src/api/runtime's
// onEvent here, and a test emits what Go would (emitChange for data:changed).
import { EventName, type Change } from '../api/eventkinds';

type Handler = (payload: unknown) => void;
const handlers = new Map<string, Set<Handler>>();

/** What src/api/runtime's onEvent does in the app: listen, and return how to stop. */
export function on(name: string, cb: Handler): () => void {
  let set = handlers.get(name);
  if (!set) handlers.set(name, (set = new Set()));
  set.add(cb);
  return () => set.delete(cb);
}

/** Sends an event to every listener, as Go's EventsEmit would. */
export function emitEvent(name: string, payload: unknown): void {
  for (const cb of [...(handlers.get(name) ?? [])]) cb(payload);
}

/** Sends `data:changed`: Go wrote a change of this kind. */
export function emitChange(change: Change): void {
  emitEvent(EventName.DataChanged, change);
}

/** How many listeners an event has (a view that ended must have stopped listening). */
export function listeners(name: string): number {
  return handlers.get(name)?.size ?? 0;
}

export function resetEvents(): void {
  handlers.clear();
}
