// The Messages tab as the practice uses it, step by step on the demo practice:
// a clinician reads and sends, shares and unshares; a colleague who is not on
// the thread sees exactly what is shared; a copy goes to Documents on File;
// Records Deletion is off, then a manager turns it on and files are deleted.
// Every step is checked on the screen, the way a person would see it.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, openClient, openTab, until, makePNG, makePDF, makeELF, BASE } from './lib.mjs';

const stamp = Date.now().toString(36).slice(-5);
const PNG = `insurance-card-${stamp}.png`;
const PDF = `consent-form-${stamp}.pdf`;
const SUBJECT = `Forms for your next visit ${stamp}`;

let b;
let page;
let client = ''; // the client whose profile we work in, found on the Clients list

before(async () => {
  b = await launch();
  page = b.page;
  await page.goto(BASE + '/');
});
after(async () => {
  await b?.browser.close();
});

/** The page's content, without toasts. */
const main = () => page.getByRole('main');
const threadList = () => page.getByRole('list', { name: 'Message threads' });
const attachmentsSection = () => page.getByRole('region', { name: 'Attachments' });
const attRow = (name) => attachmentsSection().getByRole('row').filter({ hasText: name });
/** The attachments of the message this test sent, inside the open thread. */
const sentFiles = () =>
  page.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: 'Please look these over' }).getByRole('list', { name: 'Attachments' });
const messagesTabCount = () => page.getByRole('tab', { name: /^Messages/ });

async function openMessagesOf(name) {
  await openClient(page, name);
  await openTab(page, 'Messages');
  await page.getByRole('heading', { name: 'Threads' }).waitFor();
}

test('a clinician opens a client from Clients and reads a thread: its unread count goes away', async () => {
  await signIn(page, 'Priya Natarajan');
  await page.getByRole('navigation').getByRole('link', { name: /^clients/i }).click();
  // A client with unread messages for me: the Messages column shows a count.
  const withUnread = page.getByRole('row').filter({ has: page.getByLabel(/unread messages/) }).first();
  await withUnread.waitFor();
  client = (await withUnread.getByRole('link').first().innerText()).trim();
  await withUnread.getByRole('link', { name: client }).click();
  await page.getByRole('heading', { name: client, level: 1 }).waitFor();

  const before = Number((await messagesTabCount().innerText()).replace(/\D/g, ''));
  assert.ok(before > 0, 'the Messages tab shows an unread count');
  await openTab(page, 'Messages');
  const unreadThread = threadList().getByRole('button').filter({ has: page.getByLabel(/\d+ unread/) }).first();
  await unreadThread.waitFor();
  const subject = (await unreadThread.locator('.subject').innerText()).trim();
  const n = Number((await unreadThread.getByLabel(/\d+ unread/).innerText()).trim());
  await unreadThread.click();

  await page.getByRole('heading', { name: subject, level: 2 }).waitFor();
  assert.ok(await page.getByRole('list', { name: 'Messages' }).getByRole('listitem').count() >= 1, 'messages shown');
  await page.getByRole('button', { name: 'All threads' }).click();
  const row = threadList().getByRole('button').filter({ hasText: subject }).first();
  await row.waitFor();
  await until(async () => (await row.getByLabel(/\d+ unread/).count()) === 0, 'the thread is no longer unread');
  const expectLeft = before - n;
  await until(
    async () => Number((await messagesTabCount().innerText()).replace(/\D/g, '') || '0') === expectLeft,
    `the tab count drops from ${before} to ${expectLeft}`,
  );
});

test('a refused file (a program named tool.exe) shows a plain error beside it and nothing is sent', async () => {
  await page.getByRole('button', { name: /^Compose/ }).click();
  const dialog = page.getByRole('dialog', { name: 'New message' });
  await dialog.waitFor();
  await dialog.getByLabel('Subject').fill(`Should not be sent ${stamp}`);
  await dialog.getByLabel('Message', { exact: true }).fill('This message has a program attached.');
  const chooser = page.waitForEvent('filechooser');
  await dialog.getByRole('button', { name: /Choose files/ }).click();
  await (await chooser).setFiles([{ name: 'tool.exe', mimeType: 'application/octet-stream', buffer: makeELF() }]);

  const problem = dialog.getByRole('alert').filter({ hasText: 'tool.exe' });
  await problem.waitFor();
  const text = await problem.innerText();
  assert.match(text, /tool\.exe/);
  assert.doesNotMatch(text, /error|exception|\{|null|undefined/i, `plain words: ${text}`);
  assert.equal(await dialog.getByRole('list', { name: 'Files to be sent' }).count(), 0, 'not among the files to send');

  // Cancel on a written message asks first; Discard throws it away.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  const ask = page.getByRole('alertdialog', { name: 'Discard this message?' });
  await ask.getByRole('button', { name: 'Discard' }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await threadList().getByText(`Should not be sent ${stamp}`).count(), 0, 'no thread was created');
});

test('she sends a message with two attachments; the thread shows both, private to the thread', async () => {
  await page.getByRole('button', { name: /^Compose/ }).click();
  const dialog = page.getByRole('dialog', { name: 'New message' });
  await dialog.waitFor();
  assert.match(await dialog.getByRole('list', { name: 'To' }).innerText(), new RegExp(client), 'the client is preselected');
  await dialog.getByLabel('Subject').fill(SUBJECT);
  await dialog.getByLabel('Message', { exact: true }).fill('Please look these over before you come in.');
  const chooser = page.waitForEvent('filechooser');
  await dialog.getByRole('button', { name: /Choose files/ }).click();
  await (await chooser).setFiles([
    { name: PNG, mimeType: 'image/png', buffer: makePNG(120, 80) },
    { name: PDF, mimeType: 'application/pdf', buffer: makePDF('Consent form') },
  ]);
  const toSend = dialog.getByRole('list', { name: 'Files to be sent' });
  await toSend.getByText(PNG).waitFor();
  await toSend.getByText(PDF).waitFor();
  await dialog.getByRole('button', { name: /^Send$/ }).click();
  await dialog.waitFor({ state: 'hidden' });

  await page.getByRole('heading', { name: SUBJECT, level: 2 }).waitFor();
  const atts = page.getByRole('list', { name: 'Messages' }).getByRole('list', { name: 'Attachments' });
  for (const name of [PNG, PDF]) {
    const li = atts.getByRole('listitem').filter({ hasText: name });
    await li.waitFor();
    assert.match(await li.innerText(), /Private to thread/);
  }
});

test('she shares one with all staff from the thread; the Attachments section says so', async () => {
  const li = page.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: PNG }).last();
  await li.getByRole('button', { name: /Share with all staff/ }).click();
  await li.getByText('Shared with all staff').waitFor();
  await page.getByRole('button', { name: 'All threads' }).click();
  await attRow(PNG).getByText('Shared with all staff').waitFor();
  await attRow(PDF).getByText('Private to thread').waitFor();
  assert.match(await attRow(PNG).innerText(), /Priya Natarajan/, 'sent by');
  assert.match(await attRow(PNG).innerText(), new RegExp(SUBJECT), 'thread');
});

test('a colleague who is not on the thread sees the shared file and nothing of the private one', async () => {
  await signIn(page, 'Hannah Lind');
  await openMessagesOf(client);
  await attRow(PNG).waitFor();
  assert.equal(await main().getByText(PDF).count(), 0, 'the private file is not shown at all');
  assert.equal(await attRow(PNG).getByRole('button', { name: /Go to thread/ }).count(), 0, 'no Go to thread: not a participant');
  assert.equal(await attRow(PNG).getByRole('button', { name: /Make .* private|Share .* with all staff/ }).count(), 0, 'only the sender toggles');
  assert.equal(await threadList().getByText(SUBJECT).count(), 0, 'the thread is not listed for her');
});

test('the sender makes it private again: it disappears for the colleague', async () => {
  await signIn(page, 'Priya Natarajan');
  await openMessagesOf(client);
  await attRow(PNG).getByRole('button', { name: `Make ${PNG} private to its thread` }).click();
  await attRow(PNG).getByText('Private to thread').waitFor();

  await signIn(page, 'Hannah Lind');
  await openMessagesOf(client);
  await page.getByRole('heading', { name: 'Attachments' }).waitFor();
  await page.waitForLoadState('networkidle');
  await until(async () => (await main().getByText(PNG).count()) === 0, 'the file is gone for her');
  assert.equal(await main().getByText(PDF).count(), 0);
});

test('she copies the PDF to Documents on File and finds it in Docs & Forms', async () => {
  await signIn(page, 'Priya Natarajan');
  await openMessagesOf(client);
  await attRow(PDF).getByRole('button', { name: `Copy ${PDF} to Documents on File` }).click();
  // It is private to its thread: the confirm says every staff member will see the copy.
  const ask = page.getByRole('dialog', { name: 'Copy to Documents on File' });
  assert.match(await ask.getByRole('note').innerText(), /private to its thread.*every staff member will be able to see it/s);
  await ask.getByRole('button', { name: 'Copy', exact: true }).click();
  await page.getByText(`${PDF} was copied to Documents on File.`).waitFor();
  // A second copy to the same client is refused in plain words, and makes no second document.
  await attRow(PDF).getByRole('button', { name: `Copy ${PDF} to Documents on File` }).click();
  await ask.getByRole('button', { name: 'Copy', exact: true }).click();
  await main().getByText(`“${PDF}” is already in Documents on File.`).waitFor();
  await openTab(page, 'Docs & Forms');
  const doc = page.getByRole('region', { name: 'Documents on File' }).getByRole('row').filter({ hasText: PDF });
  await doc.waitFor();
  assert.equal(await doc.count(), 1, 'one document, not two');
  assert.match(await doc.innerText(), /From a message/);
});

test('with Records Deletion off, Delete is not offered and the tab says who can turn it on', async () => {
  await openTab(page, 'Messages');
  await attRow(PDF).waitFor();
  assert.equal(await attachmentsSection().getByRole('button', { name: /^Delete/ }).count(), 0, 'no Delete anywhere');
  await attachmentsSection().getByText(/owner or manager can turn on Records Deletion in Settings → Security/).waitFor();
});

test('a manager turns Records Deletion on in Settings → Security', async () => {
  await signIn(page, 'Marcus Reid');
  await page.getByRole('navigation').getByRole('link', { name: /^settings/i }).click();
  const sw = page.getByRole('switch', { name: /Records Deletion/ });
  await sw.waitFor();
  assert.equal(await sw.getAttribute('aria-checked'), 'false');
  await sw.click();
  await until(async () => (await sw.getAttribute('aria-checked')) === 'true', 'the switch is on');
  await page.getByText(/Last changed by Marcus Reid/).waitFor();
});

test('the sender deletes the PDF after confirming; the thread shows it removed and the document copy stays', async () => {
  await signIn(page, 'Priya Natarajan');
  await openMessagesOf(client);
  assert.equal(await attachmentsSection().getByText(/owner or manager can turn on Records Deletion/).count(), 0);
  await attRow(PDF).getByRole('button', { name: `Delete ${PDF}` }).click();
  const confirm = page.getByRole('alertdialog');
  await confirm.waitFor();
  assert.match(await confirm.innerText(), /removes the file for everyone/);
  await confirm.getByRole('button', { name: 'Delete file' }).click();
  await confirm.waitFor({ state: 'hidden' });
  await until(async () => (await attRow(PDF).count()) === 0, 'the file is gone from the Attachments section');
  assert.equal(await main().getByText(PDF).count(), 0);

  await threadList().getByRole('button').filter({ hasText: SUBJECT }).click();
  const files = sentFiles();
  await files.getByText(PNG).waitFor();
  // She removed her own file: the thread says the sender did, not "the practice".
  await until(async () => (await files.getByText('Attachment removed by the sender').count()) === 1, 'shown as removed by the sender in the thread');
  assert.equal(await files.getByText('Attachment removed by the practice').count(), 0);
  assert.equal(await files.getByText(PDF).count(), 0);
  await page.getByRole('button', { name: 'All threads' }).click();

  await openTab(page, 'Docs & Forms');
  await page.getByRole('region', { name: 'Documents on File' }).getByRole('row').filter({ hasText: PDF }).waitFor();
});

test('a manager who is not on the thread deletes a shared file after confirming; it is gone for him and removed in the thread', async () => {
  // Priya shares the PNG again so the practice can see it.
  await openTab(page, 'Messages');
  await attRow(PNG).getByRole('button', { name: `Share ${PNG} with all staff` }).click();
  await attRow(PNG).getByText('Shared with all staff').waitFor();

  await signIn(page, 'Marcus Reid');
  await openMessagesOf(client);
  await attRow(PNG).getByRole('button', { name: `Delete ${PNG}` }).click();
  const confirm = page.getByRole('alertdialog');
  await confirm.getByRole('button', { name: 'Delete file' }).click();
  await confirm.waitFor({ state: 'hidden' });
  await until(async () => (await attRow(PNG).count()) === 0, 'the file is gone for him');

  await signIn(page, 'Priya Natarajan');
  await openMessagesOf(client);
  assert.equal(await main().getByText(PNG).count(), 0, 'gone for the sender too');
  await threadList().getByRole('button').filter({ hasText: SUBJECT }).click();
  await until(
    async () =>
      (await sentFiles().getByText('Attachment removed by the practice').count()) === 1 &&
      (await sentFiles().getByText('Attachment removed by the sender').count()) === 1,
    'both shown as removed in the thread: one by the practice (the manager), one by the sender',
  );
});

test('Records Deletion goes back off (a manager), and no page error happened', async () => {
  await signIn(page, 'Marcus Reid');
  await page.getByRole('navigation').getByRole('link', { name: /^settings/i }).click();
  const sw = page.getByRole('switch', { name: /Records Deletion/ });
  await until(async () => (await sw.getAttribute('aria-checked')) === 'true', 'loaded');
  await sw.click();
  await until(async () => (await sw.getAttribute('aria-checked')) === 'false', 'the switch is off');
  assert.deepEqual(b.errors, []);
});
