// Every src/api module that reaches Go is replaced by vi.fn()s with harmless
// defaults; a test sets what it needs with vi.mocked(api.fn).mockResolvedValue.
// Component tests never touch wailsjs.
import { cleanup } from '@testing-library/svelte';
import { afterEach, vi } from 'vitest';
import { resetEvents } from './events';

vi.mock('../api/session', () => ({
  staffList: vi.fn(async () => []),
  signIn: vi.fn(async () => ({ staff: null, practiceName: '', canManage: false, demoPin: '', lockAfterMinutes: 0 })),
  signOut: vi.fn(async () => {}),
  lock: vi.fn(async () => {}),
  current: vi.fn(async () => ({ staff: null, practiceName: '', canManage: false, demoPin: '', lockAfterMinutes: 0 })),
}));
vi.mock('../api/clients', () => ({
  search: vi.fn(async () => []),
  profile: vi.fn(async () => ({})),
  setAlert: vi.fn(async () => ({})),
  appointments: vi.fn(async () => []),
  documents: vi.fn(async () => []),
  addDocuments: vi.fn(async () => []),
}));
vi.mock('../api/messages', () => ({
  tab: vi.fn(async (clientId: string) => ({ clientId, threads: [], threadsTotal: 0, attachments: [], attachmentsTotal: 0, recordsDeletion: false })),
  tabRest: vi.fn(async (clientId: string) => ({ clientId, threads: [], threadsTotal: 0, attachments: [], attachmentsTotal: 0, recordsDeletion: false })),
  myThreads: vi.fn(async () => []),
  open: vi.fn(async () => ({ id: '', subject: '', participants: [], isGroup: false, messages: [], clientIds: [] })),
  compose: vi.fn(async () => ({ id: '', subject: '', participants: [], isGroup: false, messages: [], clientIds: [] })),
  reply: vi.fn(async () => ({ id: '', subject: '', participants: [], isGroup: false, messages: [], clientIds: [] })),
  staffDirectory: vi.fn(async () => []),
  unreadThreads: vi.fn(async () => []),
}));
vi.mock('../api/attachments', () => ({
  setShared: vi.fn(async () => ({})),
  view: vi.fn(async () => ({ opened: true, path: '', preview: '' })),
  viewDocument: vi.fn(async () => ({ opened: true, path: '', preview: '' })),
  remove: vi.fn(async () => {}),
  copyToDocuments: vi.fn(async () => ({})),
  recentlyDeleted: vi.fn(async () => []),
  restore: vi.fn(async () => {}),
}));
vi.mock('../api/files', () => ({
  CHUNK_SIZE: 512 * 1024,
  toBase64: vi.fn(() => ''),
  uploadFile: vi.fn(async () => ({})),
  maxFileBytes: vi.fn(async () => 50 * 1024 * 1024),
  sizeProblem: vi.fn(() => null),
  stageBrowserFiles: vi.fn(async () => ({ files: [], problems: [] })),
  stagePaths: vi.fn(async () => ({ files: [], problems: [] })),
  pickFiles: vi.fn(async () => []),
  canPickNatively: vi.fn(() => false),
  checkStore: vi.fn(async () => ({ ok: true, blobs: 0, bytes: 0, missing: [], corrupt: [], unreferenced: [], staleTemp: 0, pending: 0 })),
}));
vi.mock('../api/settings', () => ({
  get: vi.fn(async () => ({})),
  setRecordsDeletion: vi.fn(async () => ({})),
  setMaxFileBytes: vi.fn(async () => ({})),
  setLockAfterMinutes: vi.fn(async () => ({})),
}));
vi.mock('../api/calendar', () => ({
  range: vi.fn(async () => []),
  today: vi.fn(async () => []),
  create: vi.fn(async () => ({})),
  update: vi.fn(async () => ({})),
  cancel: vi.fn(async () => ({})),
}));
vi.mock('../api/audit', () => ({
  list: vi.fn(async () => ({ entries: [], total: 0, limit: 50, offset: 0 })),
  actions: vi.fn(async () => []),
  chooseExportPath: vi.fn(async () => ''),
  exportCsv: vi.fn(async () => ({ path: '', rows: 0 })),
  verifyChain: vi.fn(async () => ({ ok: true, entries: 0, brokenAt: 0, reason: '' })),
}));
vi.mock('../api/inbox', () => ({
  list: vi.fn(async () => ({ folder: '', files: [] })),
  attach: vi.fn(async () => ({})),
  fileToDocuments: vi.fn(async () => ({})),
  chooseFolder: vi.fn(async () => ({})),
  onInboxChanged: vi.fn(() => () => {}),
}));
vi.mock('../api/backup', () => ({
  chooseFolder: vi.fn(async () => ''),
  chooseBackup: vi.fn(async () => ''),
  create: vi.fn(async () => ({})),
  inspect: vi.fn(async () => ({})),
  restore: vi.fn(async () => ({})),
  cancel: vi.fn(async () => {}),
  onBackupProgress: vi.fn(() => () => {}),
}));
vi.mock('../api/sync', () => ({
  status: vi.fn(async () => ({ joined: false, hubUrl: '', state: 'not_joined', pending: 0, lastSyncAt: '', lastError: '', notices: 0, seeding: false })),
  join: vi.fn(async () => ({})),
  leave: vi.fn(async () => ({})),
  syncNow: vi.fn(async () => ({})),
  notices: vi.fn(async () => []),
  dismissNotice: vi.fn(async () => {}),
  newEnrollCode: vi.fn(async () => ({ code: '', expiresAt: '' })),
  onSyncStatus: vi.fn(() => () => {}),
  onSyncProgress: vi.fn(() => () => {}),
}));
// Go's events come from the test's own bus (src/test/events.ts: emitChange).
vi.mock('../api/runtime', async () => {
  const bus = await import('./events');
  return {
    hasRuntime: vi.fn(() => false),
    onEvent: vi.fn(bus.on),
    registerDropZone: vi.fn(() => ({ unregister: () => {}, nativeDropSince: () => false })),
  };
});

// What jsdom lacks and bits-ui uses.
class RO {
  observe() {}
  unobserve() {}
  disconnect() {}
}
const g = globalThis as unknown as Record<string, unknown>;
g.ResizeObserver ??= RO;
if (!Element.prototype.scrollIntoView) Element.prototype.scrollIntoView = () => {};
if (!Element.prototype.hasPointerCapture) Element.prototype.hasPointerCapture = () => false;
if (!Element.prototype.releasePointerCapture) Element.prototype.releasePointerCapture = () => {};
if (!window.matchMedia) {
  window.matchMedia = (q: string) =>
    ({
      matches: false,
      media: q,
      onchange: null,
      addListener() {},
      removeListener() {},
      addEventListener() {},
      removeEventListener() {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
}

afterEach(() => {
  cleanup();
  resetEvents();
  document.body.innerHTML = '';
});
