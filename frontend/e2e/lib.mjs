// Shared helpers for the end-to-end tests: one headless Debian Chromium,
// driven by playwright-core (never a downloaded browser).
import { chromium } from 'playwright-core';

export const BASE = process.env.CLINICDESK_E2E_URL ?? 'http://localhost:34115';
export const DEMO_PIN = '246810';

export async function launch() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  return { browser, context, page };
}

// signIn picks a staff member by name on the sign-in screen and enters the demo PIN.
export async function signIn(page, name) {
  await page.goto(BASE + '/#/home');
  const current = page.getByRole('button', { name: /switch user|sign out/i });
  if (await current.count()) {
    await signOut(page);
  }
  await page.getByRole('radio', { name: new RegExp(name) }).or(page.getByRole('button', { name: new RegExp(name) })).first().click();
  await page.getByLabel(/PIN or password/i).fill(DEMO_PIN);
  await page.getByRole('button', { name: /^sign in$/i }).click();
  await page.getByRole('navigation').waitFor();
}

export async function signOut(page) {
  await page.getByRole('button', { name: /switch user/i }).click();
  const item = page.getByRole('menuitem', { name: /sign out|switch user/i }).first();
  if (await item.count()) await item.click();
}
