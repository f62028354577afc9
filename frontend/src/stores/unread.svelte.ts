import * as messagesApi from '../api/messages';
import type { UnreadThread } from '../api/types';

/** Unread threads of the signed-in staff member (Home list, menu badge). */
class UnreadStore {
  threads = $state<UnreadThread[]>([]);

  get total(): number {
    return this.threads.reduce((n, t) => n + (t.unread || 0), 0);
  }

  async refresh(): Promise<void> {
    try {
      this.threads = await messagesApi.unreadThreads();
    } catch {
      // a badge is not worth an error on screen; the next refresh will retry
    }
  }
}

export const unread = new UnreadStore();
