import * as Bound from '../../wailsjs/go/api/Messages';
import { dto } from '../../wailsjs/go/models';
import { call } from './errors';
import type {
  ComposeRequest,
  MessagesTab,
  ReplyRequest,
  Staff,
  Thread,
  ThreadSummary,
  UnreadThread,
} from './types';

function normalizeThread(t: Thread): Thread {
  return {
    ...t,
    participants: t.participants ?? [],
    clientIds: t.clientIds ?? [],
    messages: (t.messages ?? []).map((m) => ({ ...m, attachments: m.attachments ?? [] })),
  };
}

function normalizeSummaries(l: ThreadSummary[] | null | undefined): ThreadSummary[] {
  return (l ?? []).map((th) => ({ ...th, participants: th.participants ?? [] }));
}

function normalizeTab(t: dto.MessagesTab): MessagesTab {
  const threads = normalizeSummaries(t.threads);
  const attachments = t.attachments ?? [];
  return { ...t, threads, attachments, threadsTotal: t.threadsTotal ?? threads.length, attachmentsTotal: t.attachmentsTotal ?? attachments.length };
}

/** The newest threads and attachments of the client's Messages tab, with their totals. */
export const tab = (clientId: string): Promise<MessagesTab> => call(() => Bound.Tab(clientId)).then(normalizeTab);
/** The rest of the tab: threads after the first `threadsFrom`, attachments after the first `attachmentsFrom`. */
export const tabRest = (clientId: string, threadsFrom: number, attachmentsFrom: number): Promise<MessagesTab> =>
  call(() => Bound.TabRest(clientId, threadsFrom, attachmentsFrom)).then(normalizeTab);
/** All threads of the signed-in staff member; pass "" for every client. */
export const myThreads = (clientId: string): Promise<ThreadSummary[]> =>
  call(() => Bound.MyThreads(clientId)).then(normalizeSummaries);
/** Opens a thread and marks it read for the signed-in staff member. */
export const open = (threadId: string): Promise<Thread> => call(() => Bound.Open(threadId)).then(normalizeThread);
export const compose = (req: ComposeRequest): Promise<Thread> =>
  call(() => Bound.Compose(dto.ComposeRequest.createFrom(req))).then(normalizeThread);
export const reply = (req: ReplyRequest): Promise<Thread> =>
  call(() => Bound.Reply(dto.ReplyRequest.createFrom(req))).then(normalizeThread);
export const staffDirectory = (): Promise<Staff[]> => call(() => Bound.StaffDirectory()).then((l) => l ?? []);
export const unreadThreads = (): Promise<UnreadThread[]> => call(() => Bound.UnreadThreads()).then((l) => l ?? []);
