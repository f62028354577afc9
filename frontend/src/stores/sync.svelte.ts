import { onDataChanged } from '../api/events';
import * as syncApi from '../api/sync';
import type { SyncStatus } from '../api/types';
import { plural, relativeTime } from '../lib/format';

/** What the sync indicator says, in plain words. */
export interface SyncSummary {
  tone: 'quiet' | 'ok' | 'busy' | 'warn' | 'bad';
  label: string;
  detail: string;
}

export function describeSync(s: SyncStatus | null, now: Date = new Date()): SyncSummary {
  if (!s) return { tone: 'quiet', label: 'Sync status unknown', detail: '' };
  const waiting = s.pending > 0 ? `${plural(s.pending, 'change')} waiting to be sent.` : '';
  const last = s.lastSyncAt ? `Last synced ${relativeTime(s.lastSyncAt, now)}.` : 'Not synced yet.';
  switch (s.state) {
    case 'not_joined':
      return {
        tone: 'quiet',
        label: 'This desk only',
        detail: 'This desk is not connected to a practice hub. Everything is kept on this computer.',
      };
    case 'online':
      return {
        tone: s.pending > 0 ? 'busy' : 'ok',
        label: s.pending > 0 ? `Online · ${s.pending} waiting` : 'Online · up to date',
        detail: [last, waiting].filter(Boolean).join(' '),
      };
    case 'syncing':
      return { tone: 'busy', label: s.seeding ? 'Sending practice to hub…' : 'Syncing…', detail: [last, waiting].filter(Boolean).join(' ') };
    case 'offline':
      return {
        tone: 'warn',
        label: s.pending > 0 ? `Offline · ${s.pending} waiting` : 'Offline',
        detail: [
          'The practice hub cannot be reached. You can keep working; changes are sent when it is back.',
          waiting,
          last,
        ]
          .filter(Boolean)
          .join(' '),
      };
    default:
      return {
        tone: 'bad',
        label: 'Sync problem',
        detail: [s.lastError || 'Sync stopped with a problem. It will try again.', waiting, last].filter(Boolean).join(' '),
      };
  }
}

/** The desk's sync status, live: `sync:status` events, any local change, and a slow poll. */
class SyncStore {
  status = $state<SyncStatus | null>(null);
  error = $state('');
  #users = 0;
  #stop: (() => void) | null = null;

  async refresh(): Promise<void> {
    try {
      this.status = await syncApi.status();
      this.error = '';
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  set(s: SyncStatus): void {
    this.status = s;
  }

  start(): () => void {
    this.#users++;
    if (this.#users === 1) {
      this.refresh();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const soon = () => {
        clearTimeout(timer);
        timer = setTimeout(() => this.refresh(), 300);
      };
      const offStatus = syncApi.onSyncStatus((s) => (s ? (this.status = s) : soon()));
      const offData = onDataChanged(soon);
      const poll = setInterval(() => this.refresh(), 30_000);
      this.#stop = () => {
        clearTimeout(timer);
        clearInterval(poll);
        offStatus();
        offData();
      };
    }
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      this.#users--;
      if (this.#users === 0) {
        this.#stop?.();
        this.#stop = null;
      }
    };
  }
}

export const sync = new SyncStore();
