// Generated demo data for tests: no real people.
import type { Attachment, MessagesTab, Person, ThreadSummary } from '../api/types';

export const me: Person = { kind: 'staff', id: 's-1', name: 'Dana Reyes' };
export const client: Person = { kind: 'client', id: 'c-1', name: 'Alex Moreno' };

export function thread(over: Partial<ThreadSummary> = {}): ThreadSummary {
  return {
    id: 't-1',
    subject: 'Intake forms',
    participants: [me, client],
    isGroup: false,
    lastMessage: 'Thanks, see you Tuesday.',
    lastAuthor: 'Alex Moreno',
    lastActivityAt: new Date(Date.now() - 3600_000).toISOString(),
    unread: 0,
    messageCount: 2,
    ...over,
  };
}

export function attachment(over: Partial<Attachment> = {}): Attachment {
  return {
    id: 'a-1',
    name: 'insurance-card.png',
    mime: 'image/png',
    typeLabel: 'Image',
    size: 1_258_291,
    sender: client,
    sentAt: new Date(Date.now() - 86_400_000 * 3).toISOString(),
    threadId: 't-1',
    threadSubject: 'Intake forms',
    messageId: 'm-1',
    shared: false,
    sharedBy: '',
    sharedAt: '',
    removed: false,
    canToggleShare: false,
    canGoToThread: false,
    canDelete: false,
    canCopy: false,
    canPreview: true,
    deleteBlocked: '',
    deleteBlockedReason: '',
    ...over,
  };
}

export function tab(over: Partial<MessagesTab> = {}): MessagesTab {
  const t = { clientId: 'c-1', threads: [], attachments: [], recordsDeletion: false, ...over };
  return { ...t, threadsTotal: over.threadsTotal ?? t.threads.length, attachmentsTotal: over.attachmentsTotal ?? t.attachments.length };
}
