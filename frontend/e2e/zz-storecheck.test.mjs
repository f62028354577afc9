// Runs last (the files run in name order): after everything the suite did —
// files staged and never sent, uploads cancelled, files refused — the store
// check of an owner finds every stored file named by an attachment or a
// document. Staged files die with the sign-in that staged them, so once a
// new sign-in has begun nothing may be left "pending" either: that is what
// makes this test fail if unsent bytes are left behind (unreferenced bytes
// only count as orphans after a grace period, longer than the suite).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, signIn, BASE } from './lib.mjs';

const DATA = process.env.CLINICDESK_E2E_DATA ?? '';
let b;
let page;

before(async () => {
  b = await launch();
  page = b.page;
  await page.goto(BASE + '/#/home');
});
after(async () => {
  await b?.browser.close();
});

test('after the whole suite the store check finds no orphans and nothing left staged', async () => {
  // Two sign-ins: whoever the suite left signed in is switched out, and the
  // owner's session is new, so every earlier session has ended.
  await signIn(page, 'Jordan Blake');
  await signIn(page, 'Olivia Hart');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Files' }).click();
  await page.getByRole('button', { name: 'Check stored files' }).click();
  const result = page.getByRole('status').filter({ hasText: /present and undamaged/ });
  await result.waitFor({ timeout: 120000 });
  assert.doesNotMatch(await result.innerText(), /not sent yet|no longer used/);

  const r = await page.evaluate(() => window.go.api.Files.CheckStore());
  assert.deepEqual(
    { ok: r.ok, missing: r.missing, corrupt: r.corrupt, unreferenced: r.unreferenced, pending: r.pending, staleTemp: r.staleTemp },
    { ok: true, missing: [], corrupt: [], unreferenced: [], pending: 0, staleTemp: 0 },
    `store check after the suite: ${JSON.stringify(r)}`,
  );
  assert.ok(r.blobs > 0, 'the demo practice has stored files');
  if (DATA && existsSync(join(DATA, 'files', 'tmp'))) {
    assert.deepEqual(readdirSync(join(DATA, 'files', 'tmp')), [], 'no temporary file is left in the store');
  }
});
