// The front desk works from the Calendar: open an appointment, read the
// Client Alert, answer the client's messages inside the pop-up (with an
// attachment), close it with Escape, and find the reply in the client's
// profile. Then book an appointment and meet the double-booking question.
//
//   E2E_PORT=34135 E2E_TESTS=e2e/calendar.test.mjs bash frontend/e2e/run.sh
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { launch, signIn } from './lib.mjs';

const OUT = new URL('./out/', import.meta.url).pathname;
const stamp = Date.now().toString(36);
const REPLY = `Seen at the front desk, see you soon (${stamp})`;
const FILE = `calendar-${stamp}.png`;

let b;
let opened = { id: '', client: '' };

before(async () => {
  mkdirSync(OUT, { recursive: true });
  b = await launch();
  b.page.setDefaultTimeout(20_000);
});
after(async () => {
  await b?.browser.close();
});

// ---- a small real PNG, made here ----
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const x of buf) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(w = 32, h = 24) {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) raw.set([x * 8, y * 10, 150], y * (w * 3 + 1) + 1 + x * 3);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const popup = (page) => page.getByRole('dialog').filter({ has: page.getByRole('tablist', { name: 'Client profile' }) });

/** Runs a test body; on failure keeps a screenshot in out/ to look at. */
function shot(name, body) {
  return async () => {
    try {
      await body();
    } catch (e) {
      await b.page.screenshot({ path: OUT + `failed-${name}.png` }).catch(() => {});
      throw e;
    }
  };
}

async function openCalendar(page) {
  // Whatever an earlier failure left open is closed first.
  for (let i = 0; i < 3 && (await page.getByRole('dialog').count()) > 0; i++) await page.keyboard.press('Escape');
  await page.getByRole('navigation').getByRole('link', { name: /^Calendar/ }).click();
  await page.getByRole('heading', { name: 'Calendar', level: 1 }).waitFor();
  await page.locator('button[data-appt-id]').first().waitFor();
}

test('front desk: calendar → appointment pop-up → Client Alert → reply with a file in Messages → Escape → profile', shot('popup', async () => {
  const { page } = b;
  await signIn(page, 'Jordan Blake');

  // Home: today's appointments for everyone (front desk), each opening the same pop-up.
  await page.getByRole('navigation').getByRole('link', { name: /^Home/ }).click();
  const todayList = page.getByRole('list', { name: "Today's appointments" });
  await todayList.getByRole('button').first().waitFor();
  await page.screenshot({ path: OUT + 'home.png' });
  const homeAppt = todayList.getByRole('button').first();
  const homeId = await homeAppt.getAttribute('data-appt-id');
  await homeAppt.click();
  await popup(page).getByRole('region', { name: 'Client alert' }).waitFor();
  await popup(page).getByRole('button', { name: 'Close' }).click();
  await popup(page).waitFor({ state: 'hidden' });
  await page.waitForFunction((id) => document.activeElement?.getAttribute('data-appt-id') === id, homeId);

  await openCalendar(page);
  await page.getByRole('button', { name: 'Week', exact: true }).click();
  await page.locator('section[aria-label^="Sunday"]').or(page.locator('section[aria-label^="Monday"]')).first().waitFor();
  assert.equal(await page.locator('.cal section[aria-label]').count(), 7, 'the week view shows seven days');

  // An appointment of a client with an alert (and, when there is one, unread
  // messages for Jordan, so there is a thread to answer), reached with the keyboard.
  const withAlert = page.locator('button[data-appt-id]', { hasText: 'has a client alert' });
  const withThread = withAlert.filter({ hasText: 'unread' });
  const appt = (await withThread.count()) > 0 ? withThread.first() : withAlert.first();
  await appt.waitFor();
  opened.id = await appt.getAttribute('data-appt-id');
  opened.client = (await appt.locator('.client').textContent()).trim();
  await appt.focus();
  await page.keyboard.press('Enter');

  const dlg = popup(page);
  await dlg.waitFor();
  assert.equal((await dlg.getByRole('heading').first().textContent()).trim(), opened.client);

  // The Client Alert, read before anything else below the details.
  const alert = dlg.getByRole('region', { name: 'Client alert' });
  await alert.locator('p.text').waitFor();
  const alertText = (await alert.locator('p.text').textContent()).trim();
  assert.ok(alertText.length > 5, `alert text shown: "${alertText}"`);

  // Edit it there: a live count, Save, a clear result.
  await alert.getByRole('button', { name: /Edit alert/ }).click();
  const area = alert.getByLabel('Client alert text');
  const newAlert = `${alertText} Checked at the desk ${stamp}.`;
  await area.fill(newAlert);
  await alert.getByText(`${[...newAlert].length} / 500 characters`).waitFor();
  await alert.getByRole('button', { name: 'Save alert' }).click();
  await alert.getByRole('status').getByText('Client alert saved.').waitFor();
  assert.equal((await alert.locator('p.text').textContent()).trim(), newAlert);

  // The Messages tab, inside the pop-up.
  await dlg.getByRole('tab', { name: /^Messages/ }).click();
  await dlg.getByRole('button', { name: /Compose/ }).waitFor();
  await dlg.getByRole('list', { name: 'Message threads' }).or(dlg.getByText(/No messages with/)).first().waitFor();
  // A dialog opened from the pop-up (Compose) closes alone with Escape.
  await dlg.getByRole('button', { name: /Compose/ }).click();
  await page.getByRole('dialog', { name: /new message/i }).waitFor();
  await page.keyboard.press('Escape');
  await page.getByRole('dialog', { name: /new message/i }).waitFor({ state: 'hidden' });
  assert.ok(await dlg.isVisible(), 'Escape in Compose leaves the pop-up open');

  const threads = dlg.getByRole('list', { name: 'Message threads' }).getByRole('button');
  const file = { name: FILE, mimeType: 'image/png', buffer: png() };
  if ((await threads.count()) > 0) {
    await threads.first().click();
    const form = dlg.getByRole('form', { name: 'Reply' });
    await form.waitFor();
    await form.getByLabel('Your reply').fill(REPLY);
    await form.locator('input[type=file]').setInputFiles(file);
    await form.getByRole('list', { name: 'Files to be sent' }).getByText(FILE).waitFor();
    await form.getByRole('button', { name: 'Send reply' }).click();
  } else {
    // No thread with this client yet: compose one.
    await dlg.getByRole('button', { name: /Compose/ }).click();
    const compose = page.getByRole('dialog', { name: /new message/i });
    await compose.getByLabel('Subject').fill(`From the calendar ${stamp}`);
    await compose.getByLabel('Message', { exact: true }).fill(REPLY);
    await compose.locator('input[type=file]').setInputFiles(file);
    await compose.getByText(FILE).waitFor();
    await compose.getByRole('button', { name: 'Send', exact: true }).click();
    await compose.waitFor({ state: 'hidden' });
  }
  // The message and its attachment show in the thread, still inside the pop-up.
  await dlg.getByRole('list', { name: 'Messages', exact: true }).getByText(REPLY).waitFor();
  await dlg.getByRole('list', { name: 'Messages', exact: true }).getByRole('button', { name: FILE }).first().waitFor();

  // Share it with all staff, and view it, still inside the pop-up.
  const mine = dlg.getByRole('list', { name: 'Messages', exact: true }).getByRole('listitem').filter({ hasText: REPLY }).last();
  await mine.getByRole('button', { name: /Share with all staff/ }).click();
  await mine.getByRole('button', { name: /Make private/ }).waitFor();
  await mine.getByRole('button', { name: FILE }).click();
  // (the e2e run sets CLINICDESK_NO_OPEN: Go makes the copy, launches nothing)
  await page.getByText(`Opened ${FILE} in your viewer.`).waitFor();
  assert.ok(await dlg.isVisible(), 'viewing keeps the pop-up open');

  // A picture of the pop-up at 1280×800, for people to look at.
  await dlg.evaluate((el) => (el.scrollTop = 0));
  await page.screenshot({ path: OUT + 'appointment-popup.png' });

  // Escape closes it; focus is back on the appointment that opened it.
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'hidden' });
  await page.waitForFunction((id) => document.activeElement?.getAttribute('data-appt-id') === id, opened.id);

  // The client's profile (Clients → name → Messages) has the reply.
  await page.getByRole('navigation').getByRole('link', { name: /^Clients/ }).click();
  await page.getByLabel('Search clients').fill(opened.client);
  await page.getByRole('link', { name: opened.client, exact: true }).first().click();
  await page.getByRole('heading', { name: opened.client, level: 1 }).waitFor();
  await page.getByRole('tab', { name: /^Messages/ }).click();
  const row = page.getByRole('list', { name: 'Message threads' }).getByRole('button').filter({ hasText: stamp });
  await row.first().click();
  await page.getByRole('list', { name: 'Messages', exact: true }).getByText(REPLY).waitFor();
  await page.getByRole('list', { name: 'Messages', exact: true }).getByRole('button', { name: FILE }).first().waitFor();
}));

test('front desk: day view, today / previous / next, book an appointment, then a double-booking asks "Book anyway?"', shot('booking', async () => {
  const { page } = b;
  await openCalendar(page);
  await page.getByRole('button', { name: 'Day', exact: true }).click();
  const label = page.locator('h2.range');
  const today = await label.textContent();
  await page.getByRole('button', { name: 'Next day' }).click();
  await page.waitForFunction((t) => document.querySelector('h2.range')?.textContent !== t, today);
  await page.getByRole('button', { name: 'Previous day' }).click();
  await page.getByRole('button', { name: 'Previous day' }).click();
  await page.getByRole('button', { name: 'Today', exact: true }).click();
  await page.waitForFunction((t) => document.querySelector('h2.range')?.textContent === t, today);
  assert.equal(await page.locator('.cal section[aria-label]').count(), 1, 'the day view shows one day');
  assert.equal(await page.getByRole('img', { name: /^Now, \d\d:\d\d$/ }).count(), 1, 'the current-time line is drawn today');

  // Two days ahead at 19:00, after the demo's working hours.
  const day = new Date();
  day.setDate(day.getDate() + 2);
  const ymd = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;

  async function book(clientQuery) {
    await page.getByRole('button', { name: 'New appointment' }).click();
    const form = page.getByRole('dialog', { name: 'New appointment' });
    await form.waitFor();
    await form.getByLabel('Client').fill(clientQuery);
    await page.waitForTimeout(500); // the search is debounced
    const option = page.getByRole('listbox').getByRole('option').first();
    await option.waitFor();
    const name = (await option.locator('span').first().textContent()).trim();
    await option.click();
    await form.getByLabel('Clinician').selectOption({ label: 'Priya Natarajan' });
    await form.getByLabel('Date').fill(ymd);
    await form.getByLabel('Starts').fill('19:00');
    await form.getByLabel('Ends').fill('19:50');
    await form.getByLabel('Service').fill('Follow-up');
    await form.getByRole('button', { name: 'Book appointment' }).click();
    return { form, name };
  }

  // A first booking appears on the calendar.
  const first = await book('a');
  await first.form.waitFor({ state: 'hidden' });
  const booked = page.locator('button[data-appt-id]', { hasText: first.name }).filter({ hasText: '19:00–19:50' });
  await booked.first().waitFor();

  // Same clinician, same time: Go refuses with `conflict`; the form asks.
  const second = await book('e');
  await second.form.getByText('Book anyway?').waitFor();
  await second.form.getByText(/Priya Natarajan already has an appointment/).waitFor();
  await second.form.getByRole('button', { name: 'Book anyway' }).click();
  await second.form.waitFor({ state: 'hidden' });
  const both = page.locator('button[data-appt-id]').filter({ hasText: '19:00–19:50' });
  await page.waitForFunction(
    () => [...document.querySelectorAll('button[data-appt-id]')].filter((b) => b.textContent.includes('19:00–19:50')).length >= 2,
  );
  // Focus lands on the new booking (scrolled into view); the two sit side by side.
  await page.waitForFunction(() => document.activeElement?.textContent?.includes('19:00–19:50'));
  const boxes = await Promise.all([both.nth(0).boundingBox(), both.nth(1).boundingBox()]);
  assert.ok(Math.abs(boxes[0].y - boxes[1].y) < 2, 'same start, same height on screen');
  assert.ok(Math.abs(boxes[0].x - boxes[1].x) > 10, 'placed side by side, not on top of each other');
  await page.screenshot({ path: OUT + 'calendar-day.png' });

  // Cancel the double-booking with a reason, from its pop-up.
  const id = await page.evaluate(() => document.activeElement?.getAttribute('data-appt-id'));
  await page.keyboard.press('Enter');
  const dlg = popup(page);
  await dlg.waitFor();
  await dlg.getByRole('button', { name: 'Cancel appointment' }).click();
  const confirm = page.getByRole('dialog', { name: 'Cancel this appointment?' });
  await confirm.getByLabel(/Reason/).fill('Booked twice by mistake');
  await confirm.getByRole('button', { name: 'Cancel appointment' }).click();
  await confirm.waitFor({ state: 'hidden' });
  await dlg.getByText('Cancelled', { exact: true }).waitFor();
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'hidden' });
  // Hidden from the calendar unless "Show cancelled" is ticked.
  await page.waitForFunction((x) => !document.querySelector(`[data-appt-id="${x}"]`), id);
  await page.getByLabel('Show cancelled').check();
  await page.locator(`[data-appt-id="${id}"]`).waitFor();
}));
