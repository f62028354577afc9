// Files on the client profile: Documents on File added by the picker and by
// drag-and-drop, opened and previewed; a large attachment shows its progress
// and can be cancelled; a copy from a conversation with two clients asks
// whose record it goes to.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, openClient, openTab, until, dropFiles, makePNG, makePDF, makeELF, BASE } from './lib.mjs';

const stamp = Date.now().toString(36).slice(-5);
let b;
let page;
let clientA = '';
let clientB = '';

before(async () => {
  b = await launch();
  page = b.page;
  await page.goto(BASE + '/');
  await signIn(page, 'Priya Natarajan');
  // Two clients from the Clients list (the demo's names are generated).
  await page.getByRole('navigation').getByRole('link', { name: /^clients/i }).click();
  const names = page.getByRole('table').getByRole('link').filter({ hasText: /\w+ \w+/ });
  await names.first().waitFor();
  clientA = (await names.nth(2).innerText()).trim();
  clientB = (await names.nth(5).innerText()).trim();
});
after(async () => {
  await b?.browser.close();
});

const docsRegion = () => page.getByRole('region', { name: 'Documents on File' });
const docRow = (name) => docsRegion().getByRole('row').filter({ hasText: name });
const main = () => page.getByRole('main');

test('Docs & Forms: files added by the picker and by drag-and-drop are filed; a program is refused in plain words', async () => {
  await openClient(page, clientA);
  await openTab(page, 'Docs & Forms');
  await docsRegion().waitFor();

  const chooser = page.waitForEvent('filechooser');
  await docsRegion().getByRole('button', { name: /Add files/ }).click();
  await (await chooser).setFiles([
    { name: `scan-${stamp}.png`, mimeType: 'image/png', buffer: makePNG(200, 120, 3) },
    { name: `notes-${stamp}.txt`, mimeType: 'text/plain', buffer: Buffer.from('Plain notes for the record.\n') },
  ]);
  await docRow(`scan-${stamp}.png`).waitFor();
  await docRow(`notes-${stamp}.txt`).waitFor();
  assert.match(await docRow(`scan-${stamp}.png`).innerText(), /Priya Natarajan/, 'added by');

  const zone = docsRegion().getByRole('group', { name: /You can drop files here/ });
  await dropFiles(page, zone, [{ name: `referral-${stamp}.pdf`, mimeType: 'application/pdf', buffer: makePDF('Referral') }]);
  await docRow(`referral-${stamp}.pdf`).waitFor();

  await dropFiles(page, zone, [{ name: 'tool.exe', mimeType: 'application/octet-stream', buffer: makeELF() }]);
  const problem = docsRegion().getByRole('alert').filter({ hasText: 'tool.exe' });
  await problem.waitFor();
  assert.doesNotMatch(await problem.innerText(), /\{|undefined|null|exception/i);
  assert.equal(await docRow('tool.exe').count(), 0, 'nothing filed');
});

test('a document opens in the system viewer by its name, and an image or PDF previews in the app', async () => {
  await docsRegion().getByRole('button', { name: `Open scan-${stamp}.png` }).click();
  await page.getByText(`Opened scan-${stamp}.png in your viewer.`).waitFor();

  await docRow(`scan-${stamp}.png`).getByRole('button', { name: `Preview scan-${stamp}.png here` }).click();
  const dialog = page.getByRole('dialog', { name: `scan-${stamp}.png` });
  const img = dialog.getByRole('img', { name: `Preview of scan-${stamp}.png` });
  await img.waitFor();
  await until(() => img.evaluate((el) => el.complete && el.naturalWidth === 200), 'the image is shown at its real size');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });

  const pdfResponse = page.waitForResponse((r) => r.url().includes('/preview/document/'));
  await docRow(`referral-${stamp}.pdf`).getByRole('button', { name: `Preview referral-${stamp}.pdf here` }).click();
  const res = await pdfResponse;
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['content-type'], 'application/pdf');
  await page.getByRole('dialog', { name: `referral-${stamp}.pdf` }).locator('iframe').waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await docRow(`notes-${stamp}.txt`).getByRole('button', { name: /Preview/ }).count(), 0, 'no preview for text');
});

test('a large attachment shows its progress while it is added, and Cancel keeps nothing of it', async () => {
  await openTab(page, 'Messages');
  await page.getByRole('button', { name: /^Compose/ }).click();
  const dialog = page.getByRole('dialog', { name: 'New message' });
  await dialog.waitFor();
  const big = Buffer.alloc(30 * 1024 * 1024, 'All work and no play makes a long sleep diary.\n');
  let chooser = page.waitForEvent('filechooser');
  await dialog.getByRole('button', { name: /Choose files/ }).click();
  await (await chooser).setFiles([{ name: `sleep-diary-${stamp}.txt`, mimeType: 'text/plain', buffer: big }]);
  const progress = dialog.getByText(new RegExp(`Adding sleep-diary-${stamp}\\.txt: [\\d.]+ (KB|MB) of 30 MB`));
  await progress.waitFor();
  assert.ok(await dialog.getByRole('progressbar', { name: 'Adding files' }).isVisible());
  await dialog.getByRole('button', { name: 'Cancel', exact: true }).first().click();
  await dialog.getByRole('status').filter({ hasText: /Cancelled/ }).waitFor();
  assert.equal(await dialog.getByRole('list', { name: 'Files to be sent' }).count(), 0, 'the cancelled file is not attached');

  const medium = Buffer.alloc(6 * 1024 * 1024, 'Mood log line, fine.\n');
  chooser = page.waitForEvent('filechooser');
  await dialog.getByRole('button', { name: /Choose files/ }).click();
  await (await chooser).setFiles([{ name: `mood-log-${stamp}.txt`, mimeType: 'text/plain', buffer: medium }]);
  const listed = dialog.getByRole('list', { name: 'Files to be sent' }).getByRole('listitem').filter({ hasText: `mood-log-${stamp}.txt` });
  await listed.waitFor({ timeout: 60000 });
  assert.match(await listed.innerText(), /6 MB/);
  // Escape with a file attached asks before throwing the message away.
  await page.keyboard.press('Escape');
  await page.getByRole('alertdialog', { name: 'Discard this message?' }).getByRole('button', { name: 'Discard' }).click();
  await dialog.waitFor({ state: 'hidden' });
});

test('copying from a conversation with two clients asks whose record, and files it there', async () => {
  const subject = `Family session handout ${stamp}`;
  await page.getByRole('button', { name: /^Compose/ }).click();
  const dialog = page.getByRole('dialog', { name: 'New message' });
  const add = dialog.getByRole('combobox', { name: 'Add staff or another client' });
  await add.click();
  await add.pressSequentially(clientB.split(' ')[1], { delay: 30 });
  await page.getByRole('option', { name: new RegExp(clientB) }).first().click();
  await dialog.getByText(/This will be a group conversation/).waitFor();
  await dialog.getByLabel('Subject').fill(subject);
  await dialog.getByLabel('Message', { exact: true }).fill('A handout for both of you.');
  const chooser = page.waitForEvent('filechooser');
  await dialog.getByRole('button', { name: /Choose files/ }).click();
  await (await chooser).setFiles([{ name: `handout-${stamp}.pdf`, mimeType: 'application/pdf', buffer: makePDF('Handout') }]);
  await dialog.getByRole('list', { name: 'Files to be sent' }).getByText(`handout-${stamp}.pdf`).waitFor();
  await dialog.getByRole('button', { name: /^Send$/ }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByRole('button', { name: 'All threads' }).click();

  const row = page.getByRole('region', { name: 'Attachments' }).getByRole('row').filter({ hasText: `handout-${stamp}.pdf` });
  await row.getByRole('button', { name: `Copy handout-${stamp}.pdf to Documents on File` }).click();
  const ask = page.getByRole('dialog', { name: 'Copy to Documents on File' });
  await ask.waitFor();
  assert.ok(await ask.getByRole('radio', { name: new RegExp(clientA) }).isChecked(), 'this profile is the default');
  await ask.getByRole('radio', { name: new RegExp(clientB) }).check();
  await ask.getByRole('button', { name: 'Copy', exact: true }).click();
  await page.getByText(`handout-${stamp}.pdf was copied to the Documents on File of ${clientB}.`).waitFor();

  await openTab(page, 'Docs & Forms');
  await docsRegion().waitFor();
  assert.equal(await docRow(`handout-${stamp}.pdf`).count(), 0, `not in ${clientA}'s record`);
  await openClient(page, clientB);
  await openTab(page, 'Docs & Forms');
  await docRow(`handout-${stamp}.pdf`).waitFor();
  assert.match(await docRow(`handout-${stamp}.pdf`).innerText(), /From a message/);
});

test('an attachment previews in the app from the Attachments section; no page error happened', async () => {
  await openTab(page, 'Messages');
  const row = page.getByRole('region', { name: 'Attachments' }).getByRole('row').filter({ hasText: `handout-${stamp}.pdf` });
  await row.getByRole('button', { name: `Open handout-${stamp}.pdf` }).click();
  await page.getByText(`Opened handout-${stamp}.pdf in your viewer.`).waitFor();
  const res = page.waitForResponse((r) => r.url().includes('/preview/attachment/'));
  await row.getByRole('button', { name: `Preview handout-${stamp}.pdf here` }).click();
  assert.equal((await res).status(), 200);
  await page.keyboard.press('Escape');
  assert.equal(await main().getByRole('dialog').count(), 0);
  assert.deepEqual(b.errors, []);
});
