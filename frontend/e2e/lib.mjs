// Shared helpers for the end-to-end tests: one headless Debian Chromium,
// driven by playwright-core (never a downloaded browser), clicking what a
// receptionist would click.
import { chromium } from 'playwright-core';
import { deflateSync } from 'node:zlib';

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
  const errors = [];
  page.on('pageerror', (e) => {
    // The wails dev IPC script (not ours) throws once while connecting.
    if (/\/wails\/ipc\.js/.test(e.stack ?? '')) return;
    errors.push(e.message);
    console.error('page error:', e.message);
  });
  return { browser, context, page, errors };
}

/** The user menu at the bottom of the left menu. */
const userMenu = (page) => page.getByRole('button', { name: /open user menu/i });

// signIn picks a staff member by name on the sign-in screen and enters the
// demo PIN; whoever is signed in first switches user through the user menu.
export async function signIn(page, name) {
  if (!page.url().startsWith(BASE)) await page.goto(BASE + '/#/home');
  const locked = page.getByRole('heading', { name: 'ClinicDesk is locked' });
  await page.getByRole('navigation').or(page.getByText(/who is signing in/i)).or(locked).first().waitFor();
  if (await locked.count()) await page.getByRole('button', { name: /switch user/i }).click();
  if (await userMenu(page).count()) {
    if (new RegExp(name).test((await userMenu(page).getAttribute('aria-label')) ?? '')) return;
    await signOut(page);
  }
  await page.locator('label').filter({ hasText: name }).click();
  await page.getByLabel(/PIN or password/i).fill(DEMO_PIN);
  await page.getByRole('button', { name: /^sign in$/i }).click();
  await userMenu(page).waitFor();
}

// signOut switches user through the user menu, once: the sign-in screen must follow.
export async function signOut(page) {
  await userMenu(page).click();
  await page.getByRole('menuitem', { name: /switch user/i }).click();
  await page.getByText(/who is signing in/i).waitFor({ timeout: 10000 });
}

/** Clients (left menu) → search → click the client's name. */
export async function openClient(page, name) {
  await page.getByRole('navigation').getByRole('link', { name: /^clients/i }).click();
  await page.getByRole('heading', { name: 'Clients', level: 1 }).waitFor();
  await page.getByLabel('Search clients').fill(name);
  await page.getByRole('link', { name, exact: true }).first().click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
}

/** The tab of the client profile with this name ("Messages", "Docs & Forms"...). */
export async function openTab(page, tab) {
  await page.getByRole('tab', { name: new RegExp('^' + tab) }).click();
}

/** Waits until fn() is true (polling), or fails with what. */
export async function until(fn, what, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---- small real files, made in the test ----

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A w×h RGB PNG with a simple gradient (a real, decodable image). */
export function makePNG(w = 64, h = 40, seed = 1) {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = (x * 4 * seed) & 0xff;
      raw[o + 1] = (y * 6) & 0xff;
      raw[o + 2] = 160;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A one-page PDF saying text. */
export function makePDF(text = 'ClinicDesk test document') {
  const content = `BT /F1 18 Tf 72 720 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** Bytes that look like a Linux program: refused whatever the name says. */
export function makeELF() {
  const b = Buffer.alloc(256);
  Buffer.from('\x7fELF\x02\x01\x01', 'latin1').copy(b);
  return b;
}

/**
 * Drops files on the element matched by locator the way a browser does:
 * dragenter, dragover and drop with a DataTransfer holding File objects.
 * files: [{name, mimeType, buffer}].
 */
export async function dropFiles(page, locator, files) {
  const payload = files.map((f) => ({ name: f.name, type: f.mimeType, b64: f.buffer.toString('base64') }));
  const dt = await page.evaluateHandle((list) => {
    const d = new DataTransfer();
    for (const f of list) {
      const bin = atob(f.b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      d.items.add(new File([bytes], f.name, { type: f.type }));
    }
    return d;
  }, payload);
  await locator.dispatchEvent('dragenter', { dataTransfer: dt });
  await locator.dispatchEvent('dragover', { dataTransfer: dt });
  await locator.dispatchEvent('drop', { dataTransfer: dt });
}
