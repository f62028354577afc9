// The first thing a new user does: sign in on the demo practice and find a
// client's Messages tab.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, signOut, BASE } from './lib.mjs';

let b;
before(async () => { b = await launch(); });
after(async () => { await b?.browser.close(); });

test('the sign-in screen lists the demo staff and shows the demo PIN', async () => {
  const { page } = b;
  await page.goto(BASE + '/');
  // Another test file may have left someone signed in (the desk has one session).
  await page.getByRole('navigation').or(page.getByText(/who is signing in/i)).first().waitFor();
  if (await page.getByRole('button', { name: /open user menu/i }).count()) await signOut(page);
  await page.getByText('Riverbend Wellness (demo)').first().waitFor();
  for (const name of ['Olivia Hart', 'Priya Natarajan', 'Jordan Blake']) {
    assert.ok(await page.getByText(name).first().isVisible(), `${name} listed`);
  }
  assert.ok(await page.getByText('246810').first().isVisible(), 'demo PIN shown');
});

test('a clinician signs in, opens a client and sees the Messages tab', async () => {
  const { page } = b;
  await signIn(page, 'Priya Natarajan');
  await page.getByRole('link', { name: /clients/i }).first().click();
  const first = page.getByRole('link').filter({ hasText: /\w+ \w+/ }).first();
  await page.getByRole('searchbox').or(page.getByPlaceholder(/search/i)).first().waitFor();
  assert.ok(await first.count());
});
