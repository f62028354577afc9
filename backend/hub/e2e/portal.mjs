// Portal end to end in headless Chromium: a client signs in with e-mail and
// a one-time code, opens the practice's message, downloads its attachment,
// replies with a file, and the desk has the reply and the file after sync.
// Run with backend/hub/e2e/run.sh (needs frontend/node_modules/playwright-core
// and /usr/bin/chromium; no other frontend part is used).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const require = createRequire(join(root, 'frontend', 'package.json'));
const { chromium } = require('playwright-core');

const fixture = spawn(process.env.FIXTURE || join(here, 'fixture.bin'), [], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: fixture.stdout });
const waiting = [];
lines.on('line', (l) => { const w = waiting.shift(); if (w) w(l); });
const nextLine = () => new Promise((res) => waiting.push(res));
const ask = async (cmd) => { const p = nextLine(); fixture.stdin.write(cmd + '\n'); return p; };

const deadline = setTimeout(() => { console.error('portal e2e: timed out'); process.exit(1); }, 90_000);
const tmp = mkdtempSync(join(tmpdir(), 'portal-e2e-'));
let browser;
let failed = 0;
let passed = 0;
function check(cond, what) {
  if (cond) { console.log('ok   ' + what); passed++; } else { console.log('FAIL ' + what); failed++; }
}
try {
  const info = JSON.parse(await nextLine());
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
  const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await page.goto(info.url + '/portal/');
  await page.getByLabel('E-mail address').fill(info.email);
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await page.getByLabel('Six-digit code').waitFor();
  const code = await ask('code');
  check(/^\d{6}$/.test(code), 'the hub logged a sign-in code');
  await page.getByLabel('Six-digit code').fill(code);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Your messages' }).waitFor();
  check(true, 'signed in with e-mail and one-time code');

  await page.getByRole('link', { name: info.subject }).click();
  await page.getByRole('heading', { name: info.subject }).waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: info.file }).click()]);
  const saved = join(tmp, 'downloaded.txt');
  await download.saveAs(saved);
  check(readFileSync(saved, 'utf8').includes('first visit'), 'downloaded the attachment from the original message');
  check(!(await page.content()).toLowerCase().includes('shared'), 'no sharing state in the portal');

  const reply = join(tmp, 'My answers.txt');
  writeFileSync(reply, 'Answers from the client, written in the e2e test.\n');
  await page.getByLabel('Your message').fill('Thanks, my answers are attached.');
  await page.locator('input[type=file]').setInputFiles(reply);
  await page.getByRole('button', { name: 'Send reply' }).click();
  await page.getByText('Your reply was sent.').waitFor();
  check(await page.getByRole('link', { name: 'My answers.txt' }).isVisible(), 'the reply shows with its attachment');

  const synced = await ask('sync');
  check(synced === 'ok Thanks, my answers are attached. | My answers.txt', 'the desk has the reply and its file after sync (' + synced + ')');
} catch (e) {
  console.error(e);
  if (browser) { for (const c of browser.contexts()) for (const pg of c.pages()) console.error('page at failure:', pg.url(), (await pg.content()).slice(0, 1500)); }
  failed++;
} finally {
  clearTimeout(deadline);
  if (browser) await browser.close();
  fixture.stdin.write('quit\n');
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
