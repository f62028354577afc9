// Trust and files in the real app: the lock screen, Settings → Security,
// Audit log, Recently deleted, Files, Sync and Backup, and the scan inbox,
// as an owner and as a clinician. Set E2E_SHOTS=<dir> to keep a screenshot
// of every screen.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import * as lib from './lib.mjs';

const { launch, BASE, DEMO_PIN } = lib;

const OWNER = 'Olivia Hart';
const CLINICIAN = 'Priya Natarajan';
const SHOTS = process.env.E2E_SHOTS ?? '';
const DATA = process.env.CLINICDESK_E2E_DATA ?? '';
// The app's home folder (run.sh gives it its own) holds the default scan inbox.
const INBOX = join(process.env.CLINICDESK_E2E_HOME ?? homedir(), 'ClinicDesk Inbox');
const TAG = `e2e-settings-${process.pid}`;

let b;
let page;
let clientNames = [];
const made = [];

before(async () => {
  b = await launch();
  page = b.page;
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
});
after(async () => {
  for (const f of made) rmSync(f, { force: true });
  await b?.browser.close();
});

async function shot(name) {
  if (!SHOTS) return;
  await page.waitForTimeout(250);
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

async function until(fn, what, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const userMenu = () => page.getByRole('button', { name: /open user menu/i });
const whoIs = () => page.getByText(/who is signing in/i);
const lockHeading = () => page.getByRole('heading', { name: 'ClinicDesk is locked' });

/** Calls a bound Go method the way src/api does; resolves {ok, value} or {ok:false, code}. */
function bound(struct, method, ...args) {
  return page.evaluate(
    async ([s, m, a]) => {
      try {
        return { ok: true, value: await window.go.api[s][m](...a) };
      } catch (e) {
        const text = e && typeof e === 'object' && 'message' in e ? e.message : String(e);
        try {
          return { ok: false, code: JSON.parse(text).code, text };
        } catch {
          return { ok: false, code: '', text };
        }
      }
    },
    [struct, method, args],
  );
}

async function signInAs(name) {
  if (!page.url().startsWith(BASE)) await page.goto(BASE + '/#/home');
  await page.getByRole('navigation').or(whoIs()).or(lockHeading()).first().waitFor();
  if (await lockHeading().count()) {
    await page.getByRole('button', { name: /switch user/i }).click();
  } else if (await userMenu().count()) {
    if ((await userMenu().getAttribute('aria-label'))?.includes(name)) return;
    await userMenu().click();
    await page.getByRole('menuitem', { name: /switch user/i }).click();
  }
  await whoIs().waitFor();
  await page.locator('label').filter({ hasText: name }).click();
  await page.getByLabel(/PIN or password/i).fill(DEMO_PIN);
  await page.getByRole('button', { name: /^sign in$/i }).click();
  await userMenu().waitFor();
}

async function settings(section) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: section }).click();
}

test('an owner sets the lock time and the file size limit, with plain validation', async () => {
  await signInAs(OWNER);
  await settings('Security');
  const mins = page.getByLabel('Lock the desk after this many minutes without use');
  await mins.fill('0');
  await mins.press('Enter');
  await page.getByText('Enter a number of minutes from 1 to 120.').waitFor();
  await mins.fill('ten');
  await mins.press('Enter');
  await page.getByText('Enter a number of minutes as a whole number, like 10.').waitFor();
  await mins.fill('15');
  await mins.press('Enter');
  await page.getByText('The desk now locks after 15 minutes without use.').waitFor();

  const size = page.getByLabel('Largest file accepted');
  await size.fill('900');
  await size.press('Enter');
  await page.getByText('Enter a size in MB from 1 to 500.').waitFor();
  await size.fill('60');
  await size.press('Enter');
  await page.getByText('Files up to 60 MB are accepted now.').waitFor();
  const s = await bound('Settings', 'Get');
  assert.equal(s.value.lockAfterMinutes, 15);
  assert.equal(s.value.maxFileBytes, 60 * 1024 * 1024);
  await shot('settings-security');
});

test('the Lock button shows a lock screen with no client data; Go refuses calls until the same PIN unlocks', async () => {
  await signInAs(OWNER);
  const found = await bound('Clients', 'Search', '');
  clientNames = found.value.map((c) => c.name);
  assert.ok(clientNames.length > 3, 'demo clients');
  // Be somewhere full of client data first.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Clients/ }).click();
  await page.getByRole('link', { name: clientNames[0], exact: true }).first().waitFor();

  await userMenu().click();
  await page.getByRole('menuitem', { name: /lock screen/i }).click();
  await lockHeading().waitFor();
  const text = await page.evaluate(() => document.body.innerText);
  for (const n of clientNames) assert.ok(!text.includes(n), `lock screen shows no client (${n})`);
  assert.equal(await page.locator('main#main').count(), 0, 'the app is unmounted, not covered');
  assert.ok(text.includes(OWNER));
  await shot('lock-screen');

  const refused = await bound('Clients', 'Search', '');
  assert.equal(refused.ok, false);
  assert.equal(refused.code, 'not_signed_in');

  const pin = page.getByLabel(`PIN or password for ${OWNER}`);
  await pin.fill('000000');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /not right/i);
  await pin.fill(DEMO_PIN);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await userMenu().waitFor();
  assert.ok((await bound('Clients', 'Search', '')).ok);
});

test('a desk locked behind the UI’s back goes to the lock screen at the next call', async () => {
  await signInAs(OWNER);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Clients/ }).click();
  await page.getByLabel('Search clients').waitFor();
  await bound('Session', 'Lock');
  // The next call the UI makes (typing a search here, or a background status
  // poll that got there first) is refused, and the UI goes to the lock screen.
  await page.getByLabel('Search clients').fill('a', { timeout: 2000 }).catch(() => {});
  await lockHeading().waitFor();
  await page.getByLabel(`PIN or password for ${OWNER}`).fill(DEMO_PIN);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await userMenu().waitFor();
});

test('the owner reads the audit log, filters it, checks its integrity and exports it', async () => {
  await signInAs(OWNER);
  await settings('Audit log');
  const table = page.getByRole('table');
  await table.waitFor();
  const signIn = table.getByRole('row').filter({ hasText: 'Signed in' }).filter({ hasText: OWNER });
  assert.ok((await signIn.count()) > 0, 'a sign-in entry by the owner');
  assert.ok((await table.getByRole('row').filter({ hasText: 'Locked the desk' }).count()) > 0, 'the lock was audited');
  await shot('settings-audit');

  await page.getByLabel('Action').selectOption({ label: 'Signed in' });
  await page.getByRole('button', { name: 'Show entries' }).click();
  await until(async () => {
    const cells = await table.locator('tbody tr td:nth-child(3)').allInnerTexts();
    return cells.length > 0 && cells.every((c) => c === 'Signed in');
  }, 'only sign-ins listed');

  await page.getByLabel('From', { exact: true }).fill('2030-01-02');
  await page.getByLabel('To', { exact: true }).fill('2030-01-01');
  await page.getByRole('button', { name: 'Show entries' }).click();
  await page.getByText('The “From” date is after the “To” date.').waitFor();
  await page.getByRole('button', { name: 'Clear' }).click();

  await page.getByRole('button', { name: 'Check integrity' }).click();
  await page.getByText(/The audit log is intact: all [\d,]+ entries were checked/).waitFor();

  // The save dialog is native (GTK) and cannot be driven from the browser:
  // call the same bound Export the button calls after it, with a temp path.
  const out = join(dirname(DATA || '/tmp/x'), `${TAG}-audit.csv`);
  made.push(out);
  const r = await bound('Audit', 'Export', { clientId: '', staffId: '', action: 'sign_in', from: '', to: '', limit: 0, offset: 0 }, out);
  assert.ok(r.ok, r.text);
  assert.ok(r.value.rows > 0);
  const csv = readFileSync(out, 'utf8');
  const lines = csv.trim().split(/\r?\n/);
  assert.equal(lines.length, r.value.rows + 1, 'header + one line per entry');
  assert.ok(lines.slice(1).every((l) => l.includes(OWNER) || l.includes(CLINICIAN) || /,/.test(l)));
  assert.ok(csv.includes(OWNER));
});

test('with Records Deletion on, a deleted attachment shows in Recently deleted and can be restored', async () => {
  await signInAs(OWNER);
  await settings('Security');
  const sw = page.getByRole('switch', { name: 'Records Deletion' });
  if ((await sw.getAttribute('aria-checked')) !== 'true') {
    await sw.click();
    await until(async () => (await sw.getAttribute('aria-checked')) === 'true', 'Records Deletion on');
  }
  // a client whose Messages tab lists an attachment the owner may delete
  const pick = await page.evaluate(async () => {
    const clients = await window.go.api.Clients.Search('');
    for (const c of clients) {
      const tab = await window.go.api.Messages.Tab(c.id);
      const a = (tab.attachments ?? []).find((x) => x.canDelete && !x.removed);
      if (a) return { clientId: c.id, name: a.name, id: a.id };
    }
    return null;
  });
  assert.ok(pick, 'a deletable attachment in the demo practice');
  await page.goto(`${BASE}/#/clients/${pick.clientId}/messages`);
  await page.getByRole('button', { name: `Delete ${pick.name}` }).first().click();
  await page.getByRole('button', { name: 'Delete file' }).click();
  await until(async () => (await page.getByRole('button', { name: `Delete ${pick.name}` }).count()) === 0, 'attachment gone');

  await settings('Recently deleted');
  const row = page.getByRole('row').filter({ hasText: pick.name });
  await row.first().waitFor();
  assert.match(await row.first().innerText(), new RegExp(OWNER));
  assert.match(await row.first().innerText(), /days left/);
  await shot('settings-recently-deleted');
  await page.getByRole('button', { name: `Restore ${pick.name}` }).first().click();
  await page.getByText(`${pick.name} is restored.`, { exact: false }).waitFor();
  const tab = await bound('Messages', 'Tab', pick.clientId);
  assert.ok(tab.value.attachments.some((a) => a.id === pick.id && !a.removed), 'back in the Messages tab');
});

test('the scan inbox lists new files live, explains refused ones, files one to Documents on File and stages one in Compose', async () => {
  await signInAs(OWNER);
  mkdirSync(INBOX, { recursive: true });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Scan inbox/ }).click();
  await page.getByRole('heading', { name: 'Scan inbox', level: 1 }).waitFor();

  const pdf = `${TAG}-referral.pdf`;
  const card = `${TAG}-card.pdf`;
  const bad = `${TAG}-tool.pdf`;
  const pdfBytes = lib.makePDF ? lib.makePDF('Referral letter') : Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
  for (const [n, bytes] of [
    [pdf, pdfBytes],
    [card, pdfBytes],
    [bad, Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), Buffer.alloc(200)])],
  ]) {
    const p = join(INBOX, n);
    made.push(p, join(INBOX, 'Imported', n));
    writeFileSync(p, bytes);
  }
  const pdfRow = page.getByRole('row').filter({ hasText: pdf });
  await pdfRow.waitFor({ timeout: 20000 });
  const badRow = page.getByRole('row').filter({ hasText: bad });
  await badRow.waitFor({ timeout: 20000 });
  await until(async () => /cannot|refused|not allowed|program/i.test(await badRow.innerText()), 'refused file explained');
  assert.equal(await badRow.getByRole('button').count(), 0, 'no actions on a refused file');
  await shot('scan-inbox');

  const target = clientNames[1] ?? clientNames[0];
  await page.getByRole('button', { name: `File ${pdf} to Documents on File` }).click();
  await page.getByLabel('Search clients').fill(target.split(' ')[0]);
  await page.getByRole('button', { name: new RegExp(target) }).first().click();
  await page.getByText(`${pdf} was filed to ${target}'s Documents on File.`).waitFor();
  await until(async () => (await pdfRow.count()) === 0, 'filed file leaves the list');

  await page.getByRole('button', { name: `Attach ${card} to a message` }).click();
  await page.getByLabel('Search clients').fill(target.split(' ')[0]);
  await page.getByRole('button', { name: new RegExp(target) }).first().click();
  await page.getByRole('heading', { name: 'New message' }).or(page.getByText('New message')).first().waitFor();
  const dialog = page.getByRole('dialog');
  await dialog.getByText(card).waitFor();
  await shot('scan-inbox-compose');
  // A compose holding a file asks before it is thrown away.
  await dialog.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('alertdialog', { name: 'Discard this message?' }).getByRole('button', { name: 'Discard' }).click();
  await page.getByRole('dialog').waitFor({ state: 'hidden' });
  rmSync(join(INBOX, bad), { force: true });
});

test('Settings → Files and Sync explain themselves; joining an unreachable hub says why in plain words', async () => {
  await signInAs(OWNER);
  await settings('Files');
  await page.getByTestId('inbox-folder').waitFor();
  assert.match(await page.getByTestId('inbox-folder').innerText(), /ClinicDesk Inbox/);
  await page.getByRole('button', { name: 'Check stored files' }).click();
  await page.getByText(/stored files? .*(present and undamaged|checked)/).first().waitFor({ timeout: 60000 });
  await shot('settings-files');

  const indicator = page.getByTestId('sync-indicator');
  assert.match(await indicator.innerText(), /This desk only/);
  await settings('Sync');
  await page.getByLabel('Hub address').fill('http://127.0.0.1:9');
  await page.getByLabel('Enrollment code').fill('NOT-A-CODE');
  await shot('settings-sync');
  await page.getByRole('button', { name: 'Join hub' }).click();
  const alert = page.locator('.field-error[role="alert"]');
  await alert.waitFor({ timeout: 30000 });
  const words = await alert.innerText();
  assert.ok(words.length > 10 && !/\{|\bdial tcp\b|ECONNREFUSED/i.test(words), `plain words: ${words}`);
  assert.match(await indicator.innerText(), /This desk only/, 'still not joined');

  await settings('Backup');
  await page.getByRole('button', { name: /Back up now/ }).waitFor();
  await shot('settings-backup');
});

test('a clinician cannot read the audit log, change Records Deletion or see deleted files', async () => {
  await signInAs(CLINICIAN);
  await settings('Audit log');
  await page.getByText('Only an owner or manager can read the audit log.').waitFor();
  assert.equal(await page.getByRole('table').count(), 0);
  await shot('settings-audit-clinician');
  const r = await bound('Audit', 'List', { clientId: '', staffId: '', action: '', from: '', to: '', limit: 0, offset: 0 });
  assert.equal(r.ok, false, 'Go refuses too');

  await settings('Security');
  const sw = page.getByRole('switch', { name: 'Records Deletion' });
  await sw.waitFor();
  assert.ok(await sw.isDisabled(), 'switch disabled');
  await page.getByText('Only an owner or manager can change this.').waitFor();
  assert.equal(await page.getByLabel('Lock the desk after this many minutes without use').count(), 0);
  await page.getByText('Only an owner or manager can change these.').waitFor();

  await settings('Recently deleted');
  await page.getByText('Only an owner or manager can see and restore deleted files.').waitFor();
  assert.equal((await bound('Attachments', 'RecentlyDeleted')).ok, false);
});

test('after a minute without activity the desk locks itself', async () => {
  await signInAs(OWNER);
  await settings('Security');
  const mins = page.getByLabel('Lock the desk after this many minutes without use');
  await mins.fill('1');
  await mins.press('Enter');
  await page.getByText('The desk now locks after 1 minute without use.').waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Clients/ }).click();
  const t0 = Date.now();
  await lockHeading().waitFor({ timeout: 90000 });
  const waited = (Date.now() - t0) / 1000;
  assert.ok(waited > 50, `locked after ${waited}s, not before a minute`);
  assert.equal((await bound('Clients', 'Search', '')).code, 'not_signed_in');
  // put the practice back to the default
  await page.getByLabel(`PIN or password for ${OWNER}`).fill(DEMO_PIN);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await userMenu().waitFor();
  assert.ok((await bound('Settings', 'SetLockAfterMinutes', 10)).ok);
  assert.ok(existsSync(INBOX));
});
