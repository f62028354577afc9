import { messageOf } from '../api/errors';
import * as inboxApi from '../api/inbox';
import type { Inbox } from '../api/types';

/**
 * The scan inbox, kept live: the left menu shows how many files wait, the
 * Scan inbox page lists them. Refreshes on `inbox:changed` while started.
 */
class InboxStore {
  data = $state<Inbox | null>(null);
  error = $state('');
  #users = 0;
  #off: (() => void) | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #seq = 0;

  /** Files that can be attached or filed (not refused). */
  get ready(): number {
    return (this.data?.files ?? []).filter((f) => !f.problem).length;
  }

  async refresh(): Promise<void> {
    const seq = ++this.#seq;
    try {
      const d = await inboxApi.list();
      if (seq === this.#seq) {
        this.data = d;
        this.error = '';
      }
    } catch (e) {
      if (seq === this.#seq) this.error = messageOf(e);
    }
  }

  /** Starts following `inbox:changed` (counted: the last stop ends it). */
  start(): () => void {
    this.#users++;
    if (this.#users === 1) {
      this.refresh();
      this.#off = inboxApi.onInboxChanged(() => {
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => this.refresh(), 100);
      });
    }
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      this.#users--;
      if (this.#users === 0) {
        clearTimeout(this.#timer);
        this.#off?.();
        this.#off = null;
      }
    };
  }
}

export const inbox = new InboxStore();
