import type { StagedFile } from '../api/types';

/**
 * Files staged elsewhere (the scan inbox) waiting to go into a new message to
 * one client. The inbox puts them here and opens the client's Messages tab;
 * the tab opens Compose, and Compose takes them as its first attachments.
 */
class PendingAttachments {
  byClient = $state<Record<string, StagedFile[]>>({});

  add(clientId: string, file: StagedFile): void {
    this.byClient = { ...this.byClient, [clientId]: [...(this.byClient[clientId] ?? []), file] };
  }

  has(clientId: string): boolean {
    return (this.byClient[clientId]?.length ?? 0) > 0;
  }

  /** Returns the files waiting for clientId and forgets them. */
  take(clientId: string): StagedFile[] {
    const files = this.byClient[clientId] ?? [];
    if (files.length) {
      const next = { ...this.byClient };
      delete next[clientId];
      this.byClient = next;
    }
    return files;
  }

  clear(): void {
    this.byClient = {};
  }
}

export const pendingAttachments = new PendingAttachments();
