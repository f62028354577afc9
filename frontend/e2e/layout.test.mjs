// At the 1280 × 800 window the app opens with, nothing a person reads or
// clicks in the attachments table is cut or clipped: sizes ("688 bytes")
// and usual file names show whole, every row action (Delete included) lies
// inside the table's visible box in the Messages tab and in the appointment
// pop-up, and a toast never covers a row's actions or its file name.
// Screenshots are kept in out/ to look at.
//
//   E2E_PORT=34123 E2E_TESTS=e2e/layout.test.mjs bash frontend/e2e/run.sh
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch, openClient, openTab, signIn, until } from './lib.mjs';

const OUT = new URL('./out/', import.meta.url).pathname;
// The demo practice (seeded, the same on every first start): the clinician
// and a client of hers whose Messages tab lists several attachments.
const CLINICIAN = 'Priya Natarajan';
const CLIENT = 'Cyrus Yamada';

let b;
let page;
before(async () => {
  mkdirSync(OUT, { recursive: true });
  b = await launch();
  page = b.page;
  page.setDefaultTimeout(30_000);
});
after(async () => {
  await b?.browser.close();
});

/**
 * What is cut or clipped in the attachments table inside scope: the rows
 * measured, cells whose text does not fit, and actions outside the box the
 * table is seen through (its scroller and the section around it).
 */
async function problems(scope) {
  const region = scope.getByRole('region', { name: 'Attachments' });
  await region.locator('tbody tr[data-index]').first().waitFor();
  return region.evaluate((sec) => {
    const wrap = sec.querySelector('.wrap');
    const box = wrap.getBoundingClientRect();
    const outer = sec.getBoundingClientRect();
    const right = Math.min(box.right, outer.right);
    const out = { rows: 0, cut: [], clipped: [] };
    for (const tr of sec.querySelectorAll('tbody tr[data-index]')) {
      const r = tr.getBoundingClientRect();
      if (r.bottom > box.bottom || r.top < box.top) continue; // scrolled out of view
      out.rows++;
      const cells = tr.querySelectorAll('td');
      const size = cells[2];
      if (size.scrollWidth > size.clientWidth) out.cut.push(`size "${size.textContent.trim()}"`);
      const name = cells[0].querySelector('.link-btn');
      if (name && name.textContent.trim().length <= 24 && name.scrollWidth > name.clientWidth)
        out.cut.push(`name "${name.textContent.trim()}"`);
      for (const btn of tr.querySelectorAll('td.actions button')) {
        const a = btn.getBoundingClientRect();
        if (a.right > right + 0.5 || a.left < box.left - 0.5) out.clipped.push(btn.getAttribute('aria-label'));
      }
    }
    return out;
  });
}

/** Settings → Security's Records Deletion switch, as the manager; returns whether it was on. */
async function setRecordsDeletion(on) {
  await signIn(page, 'Marcus Reid');
  await page.getByRole('navigation').getByRole('link', { name: /^settings/i }).click();
  const sw = page.getByRole('switch', { name: /Records Deletion/ });
  await sw.waitFor();
  const was = (await sw.getAttribute('aria-checked')) === 'true';
  if (was !== on) await sw.click();
  await until(async () => (await sw.getAttribute('aria-checked')) === String(on), `Records Deletion is ${on ? 'on' : 'off'}`);
  return was;
}

let deletionWas = false;
test('a manager turns Records Deletion on, so every row shows all its actions', async () => {
  deletionWas = await setRecordsDeletion(true);
});

test('Messages tab at 1280 px: sizes and names whole, Delete and every action inside the table', async () => {
  await signIn(page, CLINICIAN);
  await openClient(page, CLIENT);
  await openTab(page, 'Messages');
  const region = page.getByRole('region', { name: 'Attachments' });
  await region.getByRole('button', { name: /^Delete / }).first().waitFor();
  await region.scrollIntoViewIfNeeded();
  await page.screenshot({ path: OUT + 'layout-tab-1280.png' });
  const p = await problems(page.getByRole('main'));
  assert.ok(p.rows >= 3, `rows measured: ${p.rows}`);
  assert.deepEqual(p.cut, [], 'cut text');
  assert.deepEqual(p.clipped, [], 'clipped actions');
});

test('a toast never covers a row’s actions or its file name', async () => {
  const region = page.getByRole('region', { name: 'Attachments' });
  const toggle = region.getByRole('button', { name: /^(Share .* with all staff|Make .* private to its thread)$/ }).first();
  await toggle.click();
  const toast = page.locator('.toast').first();
  await toast.waitFor();
  await page.screenshot({ path: OUT + 'layout-toast-1280.png' });
  const t = await toast.boundingBox();
  const covered = await region.evaluate((sec, t) => {
    const hit = [];
    for (const el of sec.querySelectorAll('td.actions button, td.name .link-btn')) {
      const r = el.getBoundingClientRect();
      if (r.width && r.left < t.x + t.width && r.right > t.x && r.top < t.y + t.height && r.bottom > t.y)
        hit.push(el.getAttribute('aria-label'));
    }
    return hit;
  }, t);
  assert.deepEqual(covered, [], 'controls under the toast');
  // Put it back as it was.
  await toggle.click();
});

test('appointment pop-up at 1280 px: the same table shows every action, Delete included', async () => {
  await page.getByRole('navigation').getByRole('link', { name: /^Calendar/ }).click();
  await page.getByRole('heading', { name: 'Calendar', level: 1 }).waitFor();
  const appts = page.locator('button[data-appt-id]');
  await appts.first().waitFor();
  const popup = page.getByRole('dialog').filter({ has: page.getByRole('tablist', { name: 'Client profile' }) });
  let measured = null;
  for (let i = 0; i < (await appts.count()) && !measured; i++) {
    await appts.nth(i).click();
    await popup.waitFor();
    await popup.getByRole('tab', { name: /^Messages/ }).click();
    const rows = popup.getByRole('region', { name: 'Attachments' }).locator('tbody tr[data-index]');
    await rows.first().or(popup.getByText('No attachments')).first().waitFor();
    if (await rows.count()) {
      await popup.getByRole('button', { name: /^Delete / }).first().waitFor();
      await popup.getByRole('region', { name: 'Attachments' }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: OUT + 'layout-popup-1280.png' });
      measured = await problems(popup);
    }
    await page.keyboard.press('Escape');
    await popup.waitFor({ state: 'hidden' });
  }
  assert.ok(measured, 'an appointment of a client with attachments of hers');
  assert.deepEqual(measured.cut, [], 'cut text in the pop-up');
  assert.deepEqual(measured.clipped, [], 'clipped actions in the pop-up');
});

test('the manager puts Records Deletion back as it was (other tests expect the demo’s setting)', async () => {
  await setRecordsDeletion(deletionWas);
});
