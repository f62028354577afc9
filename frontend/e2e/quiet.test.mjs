// A screen that only shows data writes nothing while it stays open (issue 11,
// item 1). An owner opens a thread with a message she has not read; opening
// it marks it read and audits one view. Then the thread stays on screen,
// untouched, for 15 seconds: the audit log and the change log must not grow.
//
// The counts come from calls an owner can make: the audit log's total
// (Audit.List) and the changes waiting for the hub (Sync.Status().pending;
// this desk has no hub, so every change it records stays there).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, openClient, openTab, BASE } from './lib.mjs';

const OWNER = 'Olivia Hart';
const CLINICIAN = 'Priya Natarajan';
const SUBJECT = `Left open ${Date.now().toString(36).slice(-5)}`;

let b;
let page;

before(async () => {
  b = await launch();
  page = b.page;
  await page.goto(BASE + '/');
});
after(async () => {
  await b?.browser.close();
});

/** Calls a bound Go method the way src/api does; throws what Go refused. */
async function bound(struct, method, ...args) {
  const r = await page.evaluate(
    async ([s, m, a]) => {
      try {
        return { ok: true, value: await window.go.api[s][m](...a) };
      } catch (e) {
        return { ok: false, text: e && typeof e === 'object' && 'message' in e ? e.message : String(e) };
      }
    },
    [struct, method, args],
  );
  if (!r.ok) throw new Error(`${struct}.${method}: ${r.text}`);
  return r.value;
}

/** Audit entries and recorded changes so far (the signed-in owner may read both). */
async function counts() {
  const audit = (await bound('Audit', 'List', { limit: 1 })).total;
  const changes = (await bound('Sync', 'Status')).pending;
  return { audit, changes };
}

test('a thread left open for 15 s adds nothing to the audit log or the change log', { timeout: 120_000 }, async () => {
  // Set up with the same calls the UI makes: the owner writes to a client
  // with Priya on the thread, Priya answers, so the owner has one unread message.
  await signIn(page, OWNER);
  const staff = await bound('Session', 'StaffList');
  const priya = staff.find((s) => s.name === CLINICIAN);
  const client = (await bound('Clients', 'Search', ''))[0];
  const thread = await bound('Messages', 'Compose', {
    clientId: client.id, otherClientIds: [], staffIds: [priya.id], subject: SUBJECT, body: 'Could you look at this before Friday?', files: [],
  });
  await signIn(page, CLINICIAN);
  await bound('Messages', 'Reply', { threadId: thread.id, body: 'Done, see my notes.', files: [] });
  await signIn(page, OWNER);

  await openClient(page, client.name);
  await openTab(page, 'Messages');
  const row = page.getByRole('list', { name: 'Message threads' }).getByRole('button').filter({ hasText: SUBJECT });
  await row.getByLabel(/1 unread/).waitFor();
  const beforeOpen = await counts();
  await row.click();
  await page.getByRole('heading', { name: SUBJECT, level: 2 }).waitFor();
  await page.getByRole('list', { name: 'Messages' }).getByText('Done, see my notes.').waitFor();
  const opened = await counts();

  // The subject of this test: 15 s with the thread on screen and nothing touched.
  await page.waitForTimeout(15_000);
  const later = await counts();

  console.log(`thread open: audit entries ${beforeOpen.audit} before opening, ${opened.audit} once open, ${later.audit} 15 s later; ` +
    `recorded changes ${beforeOpen.changes}, ${opened.changes}, ${later.changes}`);
  assert.ok(opened.audit > beforeOpen.audit, 'opening the thread is audited');
  assert.ok(opened.changes > beforeOpen.changes, 'opening the thread marks it read (a recorded change)');
  assert.deepEqual(later, opened, 'nothing was written while the thread stayed open');
  assert.deepEqual(b.errors, []);
});
