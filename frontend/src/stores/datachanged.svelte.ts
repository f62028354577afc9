import { Kind, onDataChanged, type Change } from '../api/events';

/** The hub's changes and a restored backup may change anything: every view reloads on them. */
const EVERYTHING: readonly Kind[] = [Kind.Sync, Kind.Restore];

export interface RefreshOptions {
  /** The thread the view shows: a change in another thread is not for it. */
  threadId?: () => string | null | undefined;
  /** Debounce, so a burst of changes is one reload. */
  delayMs?: number;
}

/** Whether a view showing these kinds (in this thread, if any) must reload for change. */
export function concerns(kinds: readonly Kind[], change: Change, threadId?: string | null): boolean {
  if (EVERYTHING.includes(change.what)) return true;
  if (!kinds.includes(change.what)) return false;
  return !threadId || !change.threadId || change.threadId === threadId;
}

/**
 * Calls reload (debounced) when Go says data of one of these kinds changed.
 * List only the kinds the view shows; a reload must only read, so it can
 * never cause the change it reacts to. Use inside a component's script: the
 * listener ends with the component.
 */
export function refreshOnDataChanged(kinds: readonly Kind[], reload: () => void, opts: RefreshOptions = {}): void {
  const delayMs = opts.delayMs ?? 150;
  $effect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = onDataChanged((change) => {
      if (!concerns(kinds, change, opts.threadId?.())) return;
      clearTimeout(timer);
      timer = setTimeout(reload, delayMs);
    });
    return () => {
      clearTimeout(timer);
      off();
    };
  });
}
