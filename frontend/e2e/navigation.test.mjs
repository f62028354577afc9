// Moving around the way people do: the browser's back and forward buttons
// across clients, tabs and threads; the keyboard alone for Compose and the
// thread list.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, openTab, until, BASE } from './lib.mjs';

let b;
let page;
let first = '';
let second = '';

before(async () => {
  b = await launch();
  page = b.page;
  await page.goto(BASE + '/');
  await signIn(page, 'Priya Natarajan');
});
after(async () => {
  await b?.browser.close();
});

const h1 = (name) => page.getByRole('heading', { name, level: 1 });
const selectedTab = async () => (await page.getByRole('tab', { selected: true }).innerText()).replace(/\d+/g, '').trim();
const hash = () => new URL(page.url()).hash;

test('back and forward move between the list, a client, its tabs and a thread', async () => {
  await page.getByRole('navigation').getByRole('link', { name: /^clients/i }).click();
  await h1('Clients').waitFor();
  // A client with messages for me (an unread count), and another one.
  const withUnread = page.getByRole('row').filter({ has: page.getByLabel(/unread messages/) });
  await withUnread.first().waitFor();
  first = (await withUnread.first().getByRole('link').first().innerText()).trim();
  second = (await page.getByRole('table').getByRole('link').filter({ hasNotText: first }).first().innerText()).trim();

  await page.getByRole('link', { name: first, exact: true }).click();
  await h1(first).waitFor();
  assert.equal(await selectedTab(), 'Overview');
  const profileHash = hash();
  assert.match(profileHash, /^#\/clients\/[^/]+$/);

  await openTab(page, 'Messages');
  await until(() => hash() === profileHash + '/messages', 'the URL records the tab');
  const thread = page.getByRole('list', { name: 'Message threads' }).getByRole('button').first();
  const subject = (await thread.locator('.subject').innerText()).trim();
  await thread.click();
  await page.getByRole('heading', { name: subject, level: 2 }).waitFor();
  assert.match(hash(), /\/messages\/thread\/[^/]+$/);

  await page.goBack();
  await page.getByRole('heading', { name: 'Threads' }).waitFor();
  assert.equal(await selectedTab(), 'Messages');
  await page.goBack();
  await until(async () => (await selectedTab()) === 'Overview', 'back to Overview');
  await page.goBack();
  await h1('Clients').waitFor();

  await page.goForward();
  await h1(first).waitFor();
  await page.goForward();
  await until(async () => (await selectedTab()) === 'Messages', 'forward to Messages');
  await page.goForward();
  await page.getByRole('heading', { name: subject, level: 2 }).waitFor();

  // To another client and back again: the first one comes back on the thread.
  await page.getByRole('navigation').getByRole('link', { name: /^clients/i }).click();
  await page.getByRole('link', { name: second, exact: true }).click();
  await h1(second).waitFor();
  await openTab(page, 'Docs & Forms');
  await page.getByRole('region', { name: 'Documents on File' }).waitFor();
  await page.goBack();
  await until(async () => (await selectedTab()) === 'Overview', `${second}: Overview`);
  await page.goBack();
  await h1('Clients').waitFor();
  await page.goBack();
  await page.getByRole('heading', { name: subject, level: 2 }).waitFor();
  await h1(first).waitFor();
  await page.goForward();
  await page.goForward();
  await h1(second).waitFor();
  await page.goForward();
  await until(async () => (await selectedTab()) === 'Docs & Forms', `${second}: Docs & Forms`);
});

test('Compose opens from the keyboard with the subject focused, closes with Escape, and focus goes back to Compose', async () => {
  await page.getByRole('navigation').getByRole('link', { name: /^clients/i }).click();
  await page.getByRole('link', { name: first, exact: true }).click();
  await openTab(page, 'Messages');
  const compose = page.getByRole('button', { name: /^Compose/ });
  await compose.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'New message' });
  await dialog.waitFor();
  await until(() => page.evaluate(() => document.activeElement?.id === 'compose-subject'), 'the subject has focus');
  // Tab stays inside the dialog.
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), `focus stays in the dialog (tab ${i + 1})`);
  }
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  await until(() => compose.evaluate((el) => el === document.activeElement), 'focus is back on Compose');
});

test('the arrow keys move between threads and Enter opens one', async () => {
  const list = page.getByRole('list', { name: 'Message threads' });
  const buttons = list.getByRole('button');
  if ((await buttons.count()) < 2) return; // this client has one thread
  await buttons.first().focus();
  await page.keyboard.press('ArrowDown');
  const second = list.getByRole('listitem').nth(1);
  await until(() => second.getByRole('button').evaluate((el) => el === document.activeElement), 'the second thread has focus');
  const subject = (await second.locator('.subject').innerText()).trim();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: subject, level: 2 }).waitFor();
  assert.deepEqual(b.errors, []);
});
