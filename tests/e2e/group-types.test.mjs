// The group types screen end to end: renaming (review, save, reset to default, validation,
// PostHog Cloud's refusal, a failing server), the unsaved-changes guard, deleting with a typed
// confirmation, deep links and Back, keyboard-only use, the empty project, and axe on each
// screen and dialog. Every test starts from the seed (state, switches and request log reset).

import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  openPage, connect, assertAccessible, capabilityLines, PICKERS_YES,
  setSwitches, sandboxProject, statusLogged, DEMO_KEY,
  strictSuite,
  allowWrites,
} from './harness.mjs';

let sandbox;
let browser;
const { opened } = strictSuite({ before, after, beforeEach, afterEach }, (suite) => {
  ({ sandbox, browser } = suite);
});

/** Opens the app in a new tab and connects to project `project` of the sandbox. */
async function openConnected(project = '1') {
  const opening = await openPage(browser.context, sandbox.url);
  opened.push(opening.page);
  await connect(opening.page, { project });
  await opening.page.getByRole('heading', { name: 'Group types', level: 1 }).waitFor();
  if (project === '1') await table(opening.page).waitFor();
  return opening;
}

const table = (page) => page.getByRole('table', { name: 'Group types of this project' });
const singular = (page, key) => page.getByLabel(`Singular name of ${key}`, { exact: true });
const plural = (page, key) => page.getByLabel(`Plural name of ${key}`, { exact: true });
const row = (page, key) => table(page).getByRole('row').filter({ has: singular(page, key) });
const unsaved = (page) => page.getByRole('region', { name: 'Unsaved changes' });
const status = (page, text) => page.getByRole('status').filter({ hasText: text });
const groupTypesUrl = (project = 1) => `${sandbox.url}/group-types?host=${encodeURIComponent(sandbox.url)}&project=${project}`;
const focused = (page) => page.evaluate(() => {
  const el = document.activeElement;
  return el && { id: el.id, label: el.getAttribute('aria-label'), text: el.textContent.trim(), tag: el.tagName };
});
const clearLog = () => sandbox.control('requests', { method: 'DELETE' });
const patches = async () => (await sandbox.control('requests')).filter((r) => r.method === 'PATCH');
const UPDATE_METADATA = '/api/projects/1/groups_types/update_metadata/';

/**
 * Records every dialog the page opens and answers it as `answer.with` says at that moment
 * ('dismiss' until a test changes it).
 */
function answerDialogs(page) {
  const dialogs = [];
  const answer = { with: 'dismiss' };
  page.on('dialog', async (d) => {
    dialogs.push({ type: d.type(), message: d.message() });
    if (answer.with === 'accept') await d.accept(); else await d.dismiss();
  });
  return { dialogs, answer };
}

async function groupTypes() {
  return Object.fromEntries((await sandboxProject(sandbox, 1)).group_types
    .map((g) => [g.group_type, [g.name_singular, g.name_plural]]));
}

const SEEDED = {
  organization: ['Organization', 'Organizations'],
  company: [null, null],
  project: ['Workspace', null],
  instance: [null, null],
};

/** The review dialog's rows as [group type, name, now, after saving]. */
async function reviewRows(dialog) {
  return dialog.getByRole('table', { name: 'Changes to save' }).locator('tbody tr')
    .evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent.trim())));
}

test('several rows renamed, reviewed and saved in one request', async () => {
  allowWrites();
  const { page, assertClean } = await openConnected();
  await assertAccessible(page, 'group types table');
  await clearLog();

  await singular(page, 'company').fill('  Company  ');
  await plural(page, 'company').fill('Companies');
  await plural(page, 'project').fill('Workspaces');
  // An edit typed back to the stored name is no change.
  await plural(page, 'organization').fill('Orgs');
  await plural(page, 'organization').fill('Organizations');

  for (const key of ['company', 'project']) {
    assert.match(await row(page, key).getAttribute('class') ?? '', /\bchanged\b/, key);
    await row(page, key).getByText('changed', { exact: true }).waitFor();
  }
  for (const key of ['organization', 'instance']) {
    assert.doesNotMatch(await row(page, key).getAttribute('class') ?? '', /\bchanged\b/, key);
    assert.equal(await row(page, key).getByText('changed', { exact: true }).count(), 0, key);
  }
  await unsaved(page).getByText('2 unsaved changes', { exact: true }).waitFor();
  await assertAccessible(page, 'group types table with unsaved changes');

  // Review, go back to editing (nothing lost), review again.
  await unsaved(page).getByRole('button', { name: 'Review' }).click();
  let dialog = page.getByRole('dialog', { name: 'Review name changes' });
  await dialog.waitFor();
  assert.deepEqual(await reviewRows(dialog), [
    ['company', 'Singular name', 'company', 'Company'],
    ['company', 'Plural name', 'company(s)', 'Companies'],
    ['project', 'Plural name', 'project(s)', 'Workspaces'],
  ]);
  await assertAccessible(page, 'review dialog');
  await dialog.getByRole('button', { name: 'Back to editing' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await singular(page, 'company').inputValue(), '  Company  ');
  assert.deepEqual(await patches(), [], 'nothing sent by reviewing');

  await unsaved(page).getByRole('button', { name: 'Review' }).click();
  dialog = page.getByRole('dialog', { name: 'Review name changes' });
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await status(page, 'Saved the names of 2 group types.').waitFor();
  await dialog.waitFor({ state: 'detached' });
  // The bar that held focus is gone: focus lands on the screen's heading.
  await page.waitForFunction(() => document.activeElement?.id === 'gt-title');

  // One request, with only the changed rows and their trimmed names.
  const sent = await patches();
  assert.equal(sent.length, 1, JSON.stringify(sent));
  assert.equal(sent[0].path, UPDATE_METADATA);
  assert.equal(sent[0].status, 200);
  assert.deepEqual(sent[0].body, [
    { group_type_index: 1, name_singular: 'Company', name_plural: 'Companies' },
    { group_type_index: 2, name_singular: 'Workspace', name_plural: 'Workspaces' },
  ]);
  assert.ok((await sandbox.control('requests')).every((r) => r.method === 'GET' || r.method === 'PATCH'));
  assert.deepEqual(await groupTypes(), {
    ...SEEDED, company: ['Company', 'Companies'], project: ['Workspace', 'Workspaces'],
  });

  // The table shows the server's names, with nothing left to save.
  assert.equal(await singular(page, 'company').inputValue(), 'Company');
  assert.equal(await plural(page, 'company').inputValue(), 'Companies');
  assert.equal(await plural(page, 'project').inputValue(), 'Workspaces');
  assert.equal(await unsaved(page).count(), 0);
  assert.equal(await table(page).getByText('changed', { exact: true }).count(), 0);
  assertClean();
});

test('clearing a name resets it to PostHog\'s default', async () => {
  allowWrites();
  const { page, assertClean } = await openConnected();
  await clearLog();
  await singular(page, 'organization').fill('');
  assert.equal(await singular(page, 'organization').getAttribute('placeholder'), 'organization');
  await unsaved(page).getByText('1 unsaved change', { exact: true }).waitFor();

  await unsaved(page).getByRole('button', { name: 'Review' }).click();
  const dialog = page.getByRole('dialog', { name: 'Review name changes' });
  assert.deepEqual(await reviewRows(dialog), [
    ['organization', 'Singular name', 'Organization', 'organization (default)'],
  ]);
  await dialog.getByRole('button', { name: 'Back to editing' }).click();
  await dialog.waitFor({ state: 'detached' });

  await unsaved(page).getByRole('button', { name: 'Save' }).click();
  await status(page, 'Saved the names of 1 group type.').waitFor();
  const sent = await patches();
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0].body, [{ group_type_index: 0, name_singular: null, name_plural: 'Organizations' }]);
  assert.deepEqual(await groupTypes(), { ...SEEDED, organization: [null, 'Organizations'] });
  // Empty input, the default as its placeholder.
  assert.equal(await singular(page, 'organization').inputValue(), '');
  assert.equal(await singular(page, 'organization').getAttribute('placeholder'), 'organization');
  assert.equal(await plural(page, 'organization').inputValue(), 'Organizations');
  assertClean();
});

test('a name over 400 characters is refused at its input and nothing is sent', async () => {
  allowWrites();
  const { page, assertClean } = await openConnected();
  await clearLog();
  await singular(page, 'organization').fill('Org');
  const input = plural(page, 'company');
  await input.fill('x'.repeat(401));

  await page.getByText('At most 400 characters (this one has 401).').waitFor();
  assert.equal(await input.getAttribute('aria-invalid'), 'true');
  const described = await input.evaluate((el) => (el.getAttribute('aria-describedby') ?? '')
    .split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' '));
  assert.match(described, /At most 400 characters/);
  await unsaved(page).getByText('2 unsaved changes', { exact: true }).waitFor();
  await assertAccessible(page, 'group types table with an invalid name');

  // Save and Review both send focus to the invalid input instead.
  await page.getByRole('link', { name: 'Connection', exact: true }).focus();
  await unsaved(page).getByRole('button', { name: 'Save' }).click();
  assert.equal((await focused(page)).label, 'Plural name of company');
  await page.getByRole('link', { name: 'Connection', exact: true }).focus();
  await unsaved(page).getByRole('button', { name: 'Review' }).click();
  assert.equal((await focused(page)).label, 'Plural name of company');
  assert.equal(await page.getByRole('dialog').count(), 0);
  assert.equal(await input.inputValue(), 'x'.repeat(401), 'the typed name is kept');

  // Exactly 400 is fine. Only this later save reaches the server: the refused attempts sent nothing.
  await input.fill('y'.repeat(400));
  assert.equal(await input.getAttribute('aria-invalid'), null);
  await unsaved(page).getByRole('button', { name: 'Save' }).click();
  await status(page, 'Saved the names of 2 group types.').waitFor();
  const sent = await patches();
  assert.equal(sent.length, 1, JSON.stringify(sent.map((r) => r.body)));
  assert.deepEqual(sent[0].body, [
    { group_type_index: 0, name_singular: 'Org', name_plural: 'Organizations' },
    { group_type_index: 1, name_singular: null, name_plural: 'y'.repeat(400) },
  ]);
  assert.deepEqual(await groupTypes(), { ...SEEDED, organization: ['Org', 'Organizations'], company: [null, 'y'.repeat(400)] });
  assertClean();
});

test('when the instance refuses personal keys for renaming, the edits stay and PostHog\'s page is offered', async () => {
  allowWrites();
  const { page, assertClean } = await openConnected();
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: sandbox.url });
  await setSwitches(sandbox, { cloud_update_metadata: true });
  await clearLog();

  await singular(page, 'company').fill('Company');
  await plural(page, 'project').fill('Workspaces');
  await unsaved(page).getByRole('button', { name: 'Save' }).click();

  const alert = page.getByRole('alert').filter({ hasText: "This instance allows renaming only in PostHog's own settings" });
  await alert.waitFor();
  const link = alert.getByRole('link', { name: "PostHog's group type settings" });
  assert.equal(await link.getAttribute('href'),
    `${sandbox.url}/project/1/settings/environment-customer-analytics#group-analytics`);
  const names = alert.getByRole('textbox', { name: 'Names to enter in PostHog' });
  assert.equal(await names.getAttribute('readonly'), '');
  assert.equal(await names.inputValue(),
    'company: singular "Company", plural "(default)"\nproject: singular "Workspace", plural "Workspaces"');
  await assertAccessible(page, 'rename refused by the instance');

  // The edits are kept, nothing was stored.
  assert.equal(await singular(page, 'company').inputValue(), 'Company');
  assert.equal(await plural(page, 'project').inputValue(), 'Workspaces');
  await unsaved(page).getByText('2 unsaved changes', { exact: true }).waitFor();
  assert.deepEqual(await groupTypes(), SEEDED);
  const sent = await patches();
  assert.equal(sent.length, 1);
  assert.equal(sent[0].status, 403);

  // Copy names puts that text on the clipboard.
  await alert.getByRole('button', { name: 'Copy names' }).click();
  await alert.getByText('Copied.').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await names.inputValue());
  assertClean([statusLogged(403, `${sandbox.url}${UPDATE_METADATA}`)]);
});

test('with renaming refused at connect time, the summary and a warning say so', async () => {
  await setSwitches(sandbox, { cloud_update_metadata: true });
  const { page, assertClean } = await openConnected();
  const lines = await capabilityLines(page);
  assert.equal(lines[1], "Rename group types: only in PostHog's own settings — this instance refuses personal API keys for it");
  assert.deepEqual([lines[0], ...lines.slice(2)], [
    'List group types: yes', 'Delete group types: yes', 'View usage metrics: yes', 'Create, edit and delete usage metrics: yes',
    'See metric values for a group: yes', ...PICKERS_YES,
  ]);
  const warning = page.locator('p.warning', { hasText: "This instance allows renaming only in PostHog's own settings" });
  await warning.waitFor();
  assert.equal(await warning.getByRole('link', { name: "PostHog's group type settings" }).getAttribute('href'),
    `${sandbox.url}/project/1/settings/environment-customer-analytics#group-analytics`);
  await assertAccessible(page, 'group types screen where renaming is refused');
  // The connect-time probe (an empty rename) got the 403 that the summary reports.
  assertClean([statusLogged(403, `${sandbox.url}${UPDATE_METADATA}`)]);
});

test('a failing save shows an error and keeps the edits for a retry', async () => {
  allowWrites();
  const { page, assertClean } = await openConnected();
  // The save's own request fails (the list read just before it answers).
  await setSwitches(sandbox, { fail_write: { number: 1, status: 500 } });
  await clearLog();
  await plural(page, 'organization').fill('Orgs');
  await unsaved(page).getByRole('button', { name: 'Save' }).click();

  const alert = page.getByRole('alert').filter({ hasText: 'The server had a problem' });
  await alert.waitFor();
  assert.match(await alert.innerText(), /The server answered 500/);
  assert.equal(await plural(page, 'organization').inputValue(), 'Orgs');
  await unsaved(page).getByText('1 unsaved change', { exact: true }).waitFor();
  assert.deepEqual(await groupTypes(), SEEDED);
  await assertAccessible(page, 'save failed');

  // The server recovers (the switch fails one write): the same edits save.
  await unsaved(page).getByRole('button', { name: 'Save' }).click();
  await status(page, 'Saved the names of 1 group type.').waitFor();
  await alert.waitFor({ state: 'detached' });
  const sent = await patches();
  assert.deepEqual(sent.map((r) => r.status), [500, 200]);
  assert.deepEqual(sent[1].body, [{ group_type_index: 0, name_singular: 'Organization', name_plural: 'Orgs' }]);
  assert.deepEqual(await groupTypes(), { ...SEEDED, organization: ['Organization', 'Orgs'] });
  assertClean([statusLogged(500, `${sandbox.url}${UPDATE_METADATA}`)]);
});

test('unsaved edits are guarded: in-app links ask first, and so does closing the tab', async () => {
  allowWrites();
  const { page, assertClean } = await openConnected();
  const { dialogs, answer } = answerDialogs(page);
  const connectionLink = page.getByRole('link', { name: 'Connection', exact: true });
  const groupTypesLink = page.getByRole('link', { name: 'Group types', exact: true });
  const connectHeading = page.getByRole('heading', { name: 'Connect to PostHog' });

  // Without edits, leaving asks nothing.
  await connectionLink.click();
  await connectHeading.waitFor();
  assert.deepEqual(dialogs, []);
  await groupTypesLink.click();
  await table(page).waitFor();

  // With an edit: dismissing the question stays, with the edit.
  await singular(page, 'company').fill('Company');
  await connectionLink.click();
  assert.deepEqual(dialogs, [{ type: 'confirm', message: 'You have unsaved changes. Leave this page and lose them?' }]);
  assert.equal(new URL(page.url()).pathname, '/group-types');
  assert.equal(await singular(page, 'company').inputValue(), 'Company');
  await unsaved(page).waitFor();

  // Accepting leaves.
  answer.with = 'accept';
  await connectionLink.click();
  await connectHeading.waitFor();
  assert.equal(dialogs.length, 2);
  assert.equal(dialogs[1].type, 'confirm');

  // Back on the screen the edit is gone, and after a save there is nothing to guard.
  await groupTypesLink.click();
  await table(page).waitFor();
  assert.equal(await singular(page, 'company').inputValue(), '');
  await singular(page, 'company').fill('Company');
  await unsaved(page).getByRole('button', { name: 'Save' }).click();
  await status(page, 'Saved the names of 1 group type.').waitFor();
  await connectionLink.click();
  await connectHeading.waitFor();
  assert.equal(dialogs.length, 2, 'no question once saved');

  // Closing the tab with an edit asks through beforeunload; staying keeps the page.
  await groupTypesLink.click();
  await table(page).waitFor();
  await plural(page, 'company').click();
  await plural(page, 'company').fill('Companies');
  answer.with = 'dismiss';
  const asked = new Promise((ok) => page.once('dialog', (d) => ok(d.type())));
  await page.close({ runBeforeUnload: true });
  assert.equal(await asked, 'beforeunload');
  assert.equal(page.isClosed(), false);
  assert.equal(await plural(page, 'company').inputValue(), 'Companies');
  assertClean();

  answer.with = 'accept';
  const closed = new Promise((ok) => page.once('close', ok));
  const askedAgain = new Promise((ok) => page.once('dialog', (d) => ok(d.type())));
  await page.close({ runBeforeUnload: true });
  assert.equal(await askedAgain, 'beforeunload');
  await closed;
  assert.equal(page.isClosed(), true);
  assert.deepEqual(dialogs.slice(2).map((d) => d.type), ['beforeunload', 'beforeunload']);
});

test('going Back with unsaved edits asks first too', async () => {
  const { page, assertClean } = await openConnected();
  const { dialogs, answer } = answerDialogs(page);
  await singular(page, 'company').fill('Company');

  // Refusing to leave keeps the screen, its URL and the edit.
  const asked = new Promise((ok) => page.once('dialog', () => ok('asked')));
  await page.goBack({ waitUntil: 'commit' });
  const outcome = await Promise.race([
    asked,
    page.getByRole('heading', { name: 'Connect to PostHog' }).waitFor().then(() => 'left without asking'),
  ]);
  assert.equal(outcome, 'asked');
  await table(page).waitFor();
  assert.deepEqual(dialogs, [{ type: 'confirm', message: 'You have unsaved changes. Leave this page and lose them?' }]);
  assert.equal(page.url(), groupTypesUrl(1));
  assert.equal(await singular(page, 'company').inputValue(), 'Company');
  await unsaved(page).getByText('1 unsaved change', { exact: true }).waitFor();

  // Accepting goes back to the connection screen.
  answer.with = 'accept';
  await page.goBack({ waitUntil: 'commit' });
  await page.getByRole('heading', { name: 'Connect to PostHog' }).waitFor();
  assert.equal(dialogs.length, 2);
  assert.equal(dialogs[1].type, 'confirm');
  assertClean();
});

test('deleting a group type needs its key typed; Cancel and Escape give focus back', async () => {
  allowWrites();
  const { page, assertClean } = await openConnected();
  await clearLog();
  const opener = page.getByRole('button', { name: 'Delete project', exact: true });
  await opener.click();
  const dialog = page.getByRole('dialog', { name: 'Delete the group type “Workspace”?' });
  await dialog.waitFor();
  const text = await dialog.innerText();
  assert.match(text, /cannot be undone/);
  assert.match(text, /The events, and the groups of this type with their properties\./);
  assert.match(text, /The usage metrics filed under it\. They keep showing on group pages/);
  assert.match(text, /it comes back, possibly at another index/);

  const confirmField = dialog.getByLabel('Type project to confirm');
  const confirmButton = dialog.getByRole('button', { name: 'Delete group type' });
  assert.equal(await confirmButton.isDisabled(), true);
  await assertAccessible(page, 'delete dialog');
  for (const wrong of ['projec', 'Project', 'projects']) {
    await confirmField.fill(wrong);
    assert.equal(await confirmButton.isDisabled(), true, wrong);
  }
  await confirmField.fill('project');
  assert.equal(await confirmButton.isEnabled(), true);

  // Cancel closes and deletes nothing; focus should be back on the button that opened it
  // (checked at the end, so the rest of the flow is still exercised).
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  const focusAfterCancel = (await focused(page))?.label;

  // Opened from the keyboard and closed with Escape: the same.
  await opener.focus();
  await page.keyboard.press('Enter');
  await dialog.waitFor();
  assert.equal(await confirmButton.isDisabled(), true, 'a new dialog starts empty');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  const focusAfterEscape = (await focused(page))?.label;
  assert.ok(!(await sandbox.control('requests')).some((r) => r.method === 'DELETE'));
  assert.equal((await sandboxProject(sandbox, 1)).group_types.length, 4);

  // Typed and confirmed: the row goes, the server no longer has it.
  await opener.click();
  await dialog.waitFor();
  await confirmField.fill('project');
  await confirmButton.click();
  await status(page, 'Deleted the group type project.').waitFor();
  await dialog.waitFor({ state: 'detached' });
  await singular(page, 'project').waitFor({ state: 'detached' });
  assert.equal(await table(page).getByRole('row').count(), 4, 'header and three group types');
  // The Delete button is gone with its row: focus goes to the screen's heading, not the void.
  await page.waitForFunction(() => document.activeElement?.id === 'gt-title');
  assert.equal((await focused(page)).text, 'Group types');
  const deletes = (await sandbox.control('requests')).filter((r) => r.method === 'DELETE');
  assert.deepEqual(deletes.map((r) => [r.path, r.status]), [['/api/projects/1/groups_types/2/', 204]]);
  assert.deepEqual((await sandboxProject(sandbox, 1)).group_types.map((g) => g.group_type),
    ['organization', 'company', 'instance']);
  assert.deepEqual({ focusAfterCancel, focusAfterEscape },
    { focusAfterCancel: 'Delete project', focusAfterEscape: 'Delete project' },
    'closing the dialog gives focus back to the Delete button that opened it');
  assertClean();
});

test('deep links reload, Back and Forward move between the screens, a new tab asks to connect', async () => {
  const { page, assertClean } = await openConnected();
  assert.equal(page.url(), groupTypesUrl(1));

  await page.goBack();
  await page.getByRole('heading', { name: 'Connect to PostHog' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/');
  await page.goForward();
  await table(page).waitFor();
  assert.equal(page.url(), groupTypesUrl(1));

  // A reload keeps the screen: the key is kept for this tab.
  await page.reload();
  await table(page).waitFor();
  assert.equal(page.url(), groupTypesUrl(1));
  await page.getByText(`Project 1 on ${sandbox.url}`, { exact: true }).waitFor();

  // A new tab has no key: it says so and links to the connection screen with the same target.
  const other = await openPage(browser.context, groupTypesUrl(1));
  opened.push(other.page);
  await other.page.getByText('Not connected.').waitFor();
  assert.equal(await table(other.page).count(), 0);
  await assertAccessible(other.page, 'not connected');
  const link = other.page.getByRole('link', { name: 'Go to the connection screen' });
  const target = new URL(await link.evaluate((a) => a.href));
  assert.equal(target.pathname, '/');
  assert.equal(target.searchParams.get('host'), sandbox.url);
  assert.equal(target.searchParams.get('project'), '1');
  await link.click();
  await other.page.getByRole('heading', { name: 'Connect to PostHog' }).waitFor();
  assert.equal(await other.page.getByRole('radio', { name: 'Local sandbox (this server)' }).isChecked(), true);
  assert.equal(await other.page.getByLabel('Project id').inputValue(), '1');
  await other.page.getByLabel('Personal API key').fill(DEMO_KEY);
  await other.page.getByRole('button', { name: 'Connect' }).click();
  await table(other.page).waitFor();
  assert.equal(other.page.url(), groupTypesUrl(1));
  assertClean();
  other.assertClean();
});

/** Presses Tab until `want(focused)` holds; returns every element focused on the way. */
async function tabUntil(page, want, max = 60) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    seen.push(f);
    if (want(f)) return seen;
  }
  throw new Error(`Tab never reached the element; focused on the way: ${JSON.stringify(seen.map((f) => f?.label ?? f?.text))}`);
}

test('a rename can be done with the keyboard alone', async () => {
  allowWrites();
  const { page, assertClean } = await openConnected();
  await clearLog();
  // Start at the top of the document and walk it with Tab: from a focus point placed
  // before everything (the page's heading has focus, and Tab would start there). It stays:
  // removing the focused element would hand focus to the heading again.
  await page.evaluate(() => {
    window.scrollTo(0, 0);
    const start = document.createElement('span');
    start.tabIndex = -1;
    document.body.prepend(start);
    start.focus();
  });
  const seen = await tabUntil(page, (f) => f?.label === 'Singular name of company');
  // Everything before it on the page was reachable on the way.
  const names = seen.map((f) => f.label ?? f.text);
  for (const expected of ['Connection', 'Group types', 'What this key can do',
    'Singular name of organization', 'Plural name of organization', 'Delete organization']) {
    assert.ok(names.includes(expected), `${expected} reachable with Tab: ${JSON.stringify(names)}`);
  }
  await page.keyboard.type('Company');
  const rest = await tabUntil(page, (f) => f?.tag === 'BUTTON' && f.text === 'Save');
  const restNames = rest.map((f) => f.label ?? f.text);
  for (const expected of ['Plural name of company', 'Singular name of project', 'Plural name of instance',
    'Delete company', 'Delete project', 'Delete instance', 'Review']) {
    assert.ok(restNames.includes(expected), `${expected} reachable with Tab: ${JSON.stringify(restNames)}`);
  }
  await page.keyboard.press('Enter');
  await status(page, 'Saved the names of 1 group type.').waitFor();
  assert.deepEqual((await groupTypes()).company, ['Company', null]);

  // A second rename through the review dialog, confirmed with Space.
  await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  await tabUntil(page, (f) => f?.label === 'Plural name of company');
  await page.keyboard.type('Companies');
  await tabUntil(page, (f) => f?.tag === 'BUTTON' && f.text === 'Review');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Review name changes' });
  await dialog.waitFor();
  await tabUntil(page, (f) => f?.tag === 'BUTTON' && f.text === 'Save changes', 10);
  await page.keyboard.press('Space');
  await status(page, 'Saved the names of 1 group type.').waitFor();
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual((await groupTypes()).company, ['Company', 'Companies']);
  assert.deepEqual((await patches()).map((r) => r.body), [
    [{ group_type_index: 1, name_singular: 'Company', name_plural: null }],
    [{ group_type_index: 1, name_singular: 'Company', name_plural: 'Companies' }],
  ]);
  assertClean();
});

test('an empty project shows its empty state', async () => {
  const { page, assertClean } = await openConnected('2');
  await page.getByText('This project has no group types yet.').waitFor();
  await page.getByText(`Project 2 on ${sandbox.url}`, { exact: true }).waitFor();
  assert.equal(await table(page).count(), 0);
  assert.equal(await unsaved(page).count(), 0);
  assert.equal((await capabilityLines(page)).length, 10);
  await assertAccessible(page, 'empty project');
  assertClean();
});
