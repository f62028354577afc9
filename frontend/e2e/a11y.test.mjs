// Accessibility scan (axe-core) of the client profile and its Messages tab
// in the states people see: the profile, the thread list with attachments,
// an open thread, Compose, Docs & Forms and the Clients list. Serious and
// critical violations fail; every finding is printed for the record.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { launch, signIn, openTab, BASE } from './lib.mjs';

let b;
let page;
const results = {};

before(async () => {
  b = await launch();
  page = b.page;
  await page.goto(BASE + '/');
  await signIn(page, 'Priya Natarajan');
});
after(async () => {
  mkdirSync(new URL('./out/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./out/axe.json', import.meta.url), JSON.stringify(results, null, 2));
  await b?.browser.close();
});

async function scan(name) {
  await page.waitForTimeout(300); // let transitions settle
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const found = r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  results[name] = { violations: found, passes: r.passes.length };
  console.log(`axe ${name}: ${found.length ? found.map((f) => `${f.impact} ${f.id} (${f.nodes})`).join(', ') : 'no violations'}; ${r.passes.length} rules pass`);
  const bad = found.filter((f) => f.impact === 'serious' || f.impact === 'critical');
  assert.deepEqual(bad, [], `${name}: serious or critical violations`);
}

test('the Clients list', async () => {
  await page.getByRole('navigation').getByRole('link', { name: /^clients/i }).click();
  await page.getByRole('table').getByRole('link').first().waitFor();
  await scan('clients list');
});

test('the client profile (Overview, with a Client Alert)', async () => {
  const withAlert = page.getByRole('row').filter({ hasText: 'Has an alert' }).filter({ has: page.getByLabel(/unread messages/) }).first();
  const row = (await withAlert.count()) ? withAlert : page.getByRole('row').filter({ has: page.getByLabel(/unread messages/) }).first();
  await row.getByRole('link').first().click();
  await page.getByRole('tab', { name: /^Overview/ }).waitFor();
  await page.waitForLoadState('networkidle');
  await scan('client profile');
});

test('the Messages tab: threads and attachments, with the why? disclosure open', async () => {
  await openTab(page, 'Messages');
  await page.getByRole('list', { name: 'Message threads' }).waitFor();
  await page.getByRole('button', { name: /why\?/i }).click();
  await scan('messages tab');
});

test('an open thread with its reply box', async () => {
  await page.getByRole('list', { name: 'Message threads' }).getByRole('button').first().click();
  await page.getByRole('form', { name: 'Reply' }).waitFor();
  await scan('thread view');
  await page.getByRole('button', { name: 'All threads' }).click();
});

test('Compose', async () => {
  await page.getByRole('button', { name: /^Compose/ }).click();
  await page.getByRole('dialog', { name: 'New message' }).waitFor();
  await scan('compose dialog');
  await page.keyboard.press('Escape');
});

test('Docs & Forms', async () => {
  await openTab(page, 'Docs & Forms');
  await page.getByRole('region', { name: 'Documents on File' }).waitFor();
  await page.waitForLoadState('networkidle');
  await scan('docs and forms');
});
