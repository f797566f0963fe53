// No edit lost between two people or two tabs (issue 32). PostHog's API has no version field,
// so the app reads an item again before it writes and merges field by field: a change made
// elsewhere in a field the user left alone is kept, a field both changed is a conflict the
// user settles before anything is sent, and a metric deleted meanwhile can be created again.
// "Elsewhere" is the sandbox's API called directly, as another user would, or a second tab.

import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  openConnectedAt, assertAccessible, metricUrl, sandboxMetrics, apiRequests, sandboxApi,
  strictSuite, allowWrites, sandboxProject, statusLogged, eventually,
} from './harness.mjs';
import { assertLayoutAt } from './layout-checks.mjs';

let sandbox;
let browser;
const { opened } = strictSuite({ before, after, beforeEach, afterEach }, (suite) => {
  ({ sandbox, browser } = suite);
});

const LOGINS = 'ab94f873-cd29-530e-af9b-032f037374b4';
const METRICS0 = '/api/projects/1/groups_types/0/metrics/';
const clearLog = () => sandbox.control('requests', { method: 'DELETE' });
const notice = (page, text) => page.locator('div.notice[role=status]').filter({ hasText: text });
const nameField = (page) => page.getByLabel('Name', { exact: true });
/** The writes the app sent (a test's own API calls carry no Origin). */
const writes = async () => (await apiRequests(sandbox))
  .filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method) && r.origin != null);

async function openAt(url, project = '1') {
  return openConnectedAt(browser.context, sandbox, url, { project }, (page) => opened.push(page));
}

async function stored(id) {
  return (await sandboxMetrics(sandbox, 1, 0)).find((m) => m.id === id);
}

/** Opens the edit form of Logins (interval 7 in the seed). */
async function openLoginsForm() {
  const opening = await openAt(metricUrl(sandbox, 0, LOGINS, { edit: true }));
  await opening.page.getByRole('heading', { name: 'Edit “Logins”', level: 1 }).waitFor();
  assert.equal((await stored(LOGINS)).interval, 7, 'the seed');
  return opening;
}

/** Another user's change, over the API. */
async function changeElsewhere(id, body) {
  const res = await sandboxApi(sandbox, 'PATCH', `${METRICS0}${id}/`, body);
  assert.equal(res.status, 200);
}

test('a field changed elsewhere is kept, the user\'s own change is sent alone, and the confirmation says so', async () => {
  allowWrites();
  const { page, assertClean } = await openLoginsForm();
  await changeElsewhere(LOGINS, { interval: 30 });
  await clearLog();
  await nameField(page).fill('Logins this month');
  await page.getByRole('button', { name: 'Save metric' }).click();
  await page.getByRole('heading', { name: 'Logins this month', level: 1 }).waitFor();
  await notice(page, 'Saved the metric “Logins this month”. Kept the change made elsewhere to Interval.').waitFor();
  const log = await apiRequests(sandbox);
  const patches = log.filter((r) => r.method === 'PATCH');
  assert.deepEqual(patches.map((r) => r.body), [{ name: 'Logins this month' }], 'only the user\'s change is sent');
  const readFirst = log.findIndex((r) => r.method === 'GET' && r.path === `${METRICS0}${LOGINS}/`);
  assert.ok(readFirst >= 0 && readFirst < log.indexOf(patches[0]), 'the metric is read again before the PATCH');
  const now = await stored(LOGINS);
  assert.deepEqual([now.name, now.interval], ['Logins this month', 30], 'the server holds both');
  assertClean();
});

test('both sides change the interval: the conflict view, no PATCH until a side is chosen, then the chosen value', async () => {
  allowWrites();
  const { page, assertClean } = await openLoginsForm();
  await changeElsewhere(LOGINS, { interval: 30 });
  await clearLog();
  await nameField(page).fill('Logins, quarterly');
  await page.getByRole('radio', { name: '90 days' }).check();
  await page.getByRole('button', { name: 'Save metric' }).click();
  const view = page.getByRole('region', { name: 'Changed since you opened it' });
  await view.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'conflicts-title', 'focus moves to the view');
  const interval = view.getByRole('group', { name: 'Interval' });
  assert.deepEqual(await interval.locator('dd .conflict-value').allInnerTexts(), ['7 days', '30 days', '90 days'],
    'when opened, now on the server, yours');
  assert.equal(await view.getByRole('group').count(), 1, 'the name changed on one side only: no conflict');
  await assertAccessible(page, 'conflict view');
  await assertLayoutAt(page, 'conflict view', [[390, 'light'], [390, 'dark'], [1280, 'dark']]);
  await assertAccessible(page, 'conflict view at 390 px, dark');
  assert.deepEqual(await writes(), [], 'nothing sent while the conflict stands');

  // Saving without a choice is refused next to the button, and sends nothing.
  await view.getByRole('button', { name: 'Save with these choices' }).click();
  await view.getByText('Choose which value to keep for Interval.').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'conflict-interval-theirs');
  await page.waitForTimeout(300);
  assert.deepEqual(await writes(), []);

  // Keyboard: the server's value, then the user's, with the arrows of a radio group.
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  assert.equal(await interval.getByRole('radio', { name: 'Keep yours' }).isChecked(), true);
  await view.getByRole('button', { name: 'Save with these choices' }).click();
  await page.getByRole('heading', { name: 'Logins, quarterly', level: 1 }).waitFor();
  await notice(page, 'Saved the metric “Logins, quarterly”.').waitFor();
  const sent = (await writes()).map((r) => [r.method, r.body]);
  assert.deepEqual(sent, [['PATCH', { name: 'Logins, quarterly', interval: 90 }]]);
  const now = await stored(LOGINS);
  assert.deepEqual([now.name, now.interval], ['Logins, quarterly', 90]);
  assertClean();
});

test('a conflict over 255-character snake_case names and filters stays inside a 390 px window', async () => {
  allowWrites();
  const { page, assertClean } = await openLoginsForm();
  const long = (tag) => `${tag}_${'quarterly_active_workspace_members_'.repeat(8)}`.slice(0, 255);
  await changeElsewhere(LOGINS, {
    name: long('server'),
    filters: { events: [{ id: `${'billing_portal_subscription_renewed_'.repeat(6)}event`, type: 'events', order: 0 }] },
  });
  await nameField(page).fill(long('mine'));
  const testAccounts = page.getByLabel('Filter out internal and test accounts');
  await testAccounts.setChecked(!(await testAccounts.isChecked()));
  await page.getByRole('button', { name: 'Save metric' }).click();
  const view = page.getByRole('region', { name: 'Changed since you opened it' });
  await view.waitFor();
  assert.deepEqual(await view.getByRole('group').evaluateAll((gs) => gs.map((g) => g.querySelector('legend').textContent)), ['Name', 'Filters']);
  await assertLayoutAt(page, 'long conflict', [[390, 'light'], [390, 'dark'], [1280, 'light']]);
  await assertAccessible(page, 'conflict over long names at 390 px');
  assert.deepEqual(await writes(), [], 'nothing sent while the conflict stands');
  // Back to editing: the form and its buttons come back, focus on Save; leaving then is the
  // user's choice, and nothing was saved.
  await view.getByRole('button', { name: 'Back to editing' }).click();
  await view.waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.activeElement?.id === 'metric-save');
  assert.equal(await nameField(page).inputValue(), long('mine'));
  page.once('dialog', (d) => d.accept());
  await page.getByRole('link', { name: 'Cancel' }).click();
  await page.waitForURL((u) => !u.pathname.endsWith('/edit'));
  assert.deepEqual(await writes(), []);
  assertClean();
});

test('keeping the server\'s value stores it, and the form shows what was saved', async () => {
  allowWrites();
  const { page, assertClean } = await openLoginsForm();
  await changeElsewhere(LOGINS, { interval: 30 });
  await page.getByRole('radio', { name: '90 days' }).check();
  await page.getByRole('button', { name: 'Save metric' }).click();
  const view = page.getByRole('region', { name: 'Changed since you opened it' });
  await view.getByRole('radio', { name: 'Keep the server\'s' }).check();
  await clearLog();
  await view.getByRole('button', { name: 'Save with these choices' }).click();
  await page.getByRole('heading', { name: 'Logins', level: 1 }).waitFor();
  // Nothing of the user's survived the choice, so nothing was sent.
  assert.deepEqual(await writes(), []);
  assert.equal((await stored(LOGINS)).interval, 30);
  assertClean();
});

test('a metric deleted before the save: the form says so, keeps the typing, and creates it again', async () => {
  allowWrites();
  const { page, assertClean } = await openLoginsForm();
  const del = await sandboxApi(sandbox, 'DELETE', `${METRICS0}${LOGINS}/`);
  assert.equal(del.status, 204);
  await clearLog();
  await page.getByRole('radio', { name: '30 days' }).check();
  await page.getByRole('button', { name: 'Save metric' }).click();
  const gone = page.getByRole('heading', { name: 'This metric was deleted', level: 2 });
  await gone.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'metric-deleted-title');
  assert.equal(await page.getByRole('radio', { name: '30 days' }).isChecked(), true, 'the typing is kept');
  assert.equal(await nameField(page).inputValue(), 'Logins');
  assert.deepEqual(await writes(), [], 'no PATCH to a deleted metric');
  await assertAccessible(page, 'metric deleted meanwhile');

  await page.getByRole('button', { name: 'Create it again' }).click();
  await page.getByRole('heading', { name: 'Logins', level: 1 }).waitFor();
  await notice(page, 'Created the metric “Logins”.').waitFor();
  const id = new URL(page.url()).pathname.split('/')[2];
  assert.notEqual(id, LOGINS);
  const sent = await writes();
  assert.deepEqual(sent.map((r) => [r.method, r.path, r.status]), [['POST', METRICS0, 201]]);
  const again = await stored(id);
  assert.deepEqual([again.name, again.interval], ['Logins', 30]);
  assertClean([statusLogged(404, `${sandbox.url}${METRICS0}${LOGINS}/`)]);
});

// ---- Group type names ----

const UPDATE_METADATA = '/api/projects/1/groups_types/update_metadata/';
const groupTypesUrl = () => `${sandbox.url}/group-types?host=${encodeURIComponent(sandbox.url)}&project=1`;
const singular = (page, key) => page.getByLabel(`Singular name of ${key}`, { exact: true });
const unsaved = (page) => page.getByRole('region', { name: 'Unsaved changes' });
const appPatches = async () => (await sandbox.control('requests'))
  .filter((r) => r.method === 'PATCH' && r.origin != null && !(Array.isArray(r.body) && r.body.length === 0));

async function openGroupTypes() {
  const opening = await openAt(groupTypesUrl());
  await opening.page.getByRole('table', { name: 'Group types of this project' }).waitFor();
  return opening;
}

async function indexOf(key) {
  const types = (await sandboxProject(sandbox, 1)).group_types;
  return types.find((g) => g.group_type === key).group_type_index;
}

async function names(key) {
  const g = (await sandboxProject(sandbox, 1)).group_types.find((t) => t.group_type === key);
  return [g.name_singular, g.name_plural];
}

async function renameElsewhere(key, singularName, pluralName) {
  const res = await sandboxApi(sandbox, 'PATCH', UPDATE_METADATA,
    [{ group_type_index: await indexOf(key), name_singular: singularName, name_plural: pluralName }]);
  assert.equal(res.status, 200);
}

test('a group type renamed elsewhere while another row has unsaved edits: only the edited row is sent, and the other rename stays', async () => {
  allowWrites();
  const { page, assertClean } = await openGroupTypes();
  await singular(page, 'company').fill('Customer');
  await renameElsewhere('project', 'Workspace', 'Workspaces');
  await clearLog();
  await unsaved(page).getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved the names of 1 group type.' }).waitFor();
  const log = await sandbox.control('requests');
  const sent = await appPatches();
  assert.deepEqual(sent.map((r) => r.body),
    [[{ group_type_index: await indexOf('company'), name_singular: 'Customer', name_plural: null }]]);
  const reread = log.findIndex((r) => r.method === 'GET' && r.path === '/api/projects/1/groups_types/');
  const write = log.findIndex((r) => r.method === 'PATCH' && r.origin != null && r.body?.length);
  assert.ok(reread >= 0 && reread < write, 'the list is read again before sending');
  assert.deepEqual(await names('company'), ['Customer', null]);
  assert.deepEqual(await names('project'), ['Workspace', 'Workspaces'], 'the rename made elsewhere stays');
  assertClean();
});

test('the same name renamed on both sides is a conflict: nothing is sent until a side is chosen', async () => {
  allowWrites();
  const { page, assertClean } = await openGroupTypes();
  await singular(page, 'company').fill('Customer');
  await renameElsewhere('company', 'Account', null);
  await clearLog();
  await unsaved(page).getByRole('button', { name: 'Save' }).click();
  const view = page.getByRole('region', { name: 'Changed since you opened it' });
  await view.waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'conflicts-title');
  const item = view.getByRole('group', { name: 'Singular name of company' });
  assert.deepEqual(await item.locator('dd .conflict-value').allInnerTexts(), ['company', 'Account', 'Customer']);
  await assertAccessible(page, 'group type name conflict');
  await assertLayoutAt(page, 'name conflict', [[390, 'light']]);
  assert.deepEqual(await appPatches(), [], 'nothing sent while the conflict stands');
  assert.equal(await singular(page, 'company').inputValue(), 'Customer', 'the typing stays');

  await item.getByRole('radio', { name: 'Keep yours' }).check();
  await view.getByRole('button', { name: 'Save with these choices' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved the names of 1 group type.' }).waitFor();
  assert.deepEqual((await appPatches()).map((r) => r.body),
    [[{ group_type_index: await indexOf('company'), name_singular: 'Customer', name_plural: null }]]);
  assert.deepEqual(await names('company'), ['Customer', null]);
  assertClean();
});

// ---- Deletes of something that changed since it was shown ----

test('a metric changed after its delete was asked: nothing is sent, the bar says what changed, and Delete anyway deletes it', async () => {
  allowWrites();
  const { page, assertClean } = await openAt(`${sandbox.url}/metrics?host=${encodeURIComponent(sandbox.url)}&project=1`);
  const table = page.getByRole('table', { name: 'Usage metrics of this project' });
  await table.waitFor();
  await clearLog();
  await table.getByRole('button', { name: 'Delete Logins', exact: true }).click();
  await changeElsewhere(LOGINS, { interval: 30 });
  const bar = page.getByRole('region', { name: 'Deleted metrics' });
  const line = bar.locator('p.pending-delete.changed');
  // After the undo window, the metric is read again instead of deleted.
  await line.waitFor({ timeout: 25_000 });
  assert.equal((await line.innerText()).replace(/\s+/g, ' ').trim(),
    'Not deleted: “Logins” changed since it was shown (Interval: 7 days → 30 days). Delete anyway Keep it');
  assert.deepEqual((await writes()).map((r) => r.method), [], 'no DELETE');
  const anyway = bar.getByRole('button', { name: 'Delete anyway: Logins' });
  await page.waitForFunction(() => document.activeElement?.textContent === 'Delete anyway');
  await assertAccessible(page, 'a delete asked again');
  await anyway.click();
  await line.waitFor({ state: 'detached' });
  await eventually(async () => !(await stored(LOGINS)), 'the metric deleted');
  assert.deepEqual((await writes()).map((r) => [r.method, r.path, r.status]), [['DELETE', `${METRICS0}${LOGINS}/`, 204]]);
  assertClean();
});

test('a group type renamed while its delete dialog is open: not deleted, what changed is said, the second press deletes', async () => {
  allowWrites();
  const { page, assertClean } = await openGroupTypes();
  await page.getByRole('button', { name: 'Delete instance', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete the group type “instance”?' });
  await dialog.getByLabel('Type instance to confirm').fill('instance');
  await renameElsewhere('instance', 'Server', null);
  await clearLog();
  await dialog.getByRole('button', { name: 'Delete group type' }).click();
  const changed = dialog.locator('#delete-gt-changed');
  await changed.waitFor();
  assert.match(await changed.innerText(), /Not deleted: it changed since it was shown\.\s+Singular name: instance → Server/);
  await page.waitForFunction(() => document.activeElement?.id === 'delete-gt-changed');
  assert.deepEqual((await sandbox.control('requests')).filter((r) => r.method === 'DELETE'), []);
  await assertAccessible(page, 'a group type delete asked again');
  await dialog.getByRole('button', { name: 'Delete group type' }).click();
  await page.getByRole('status').filter({ hasText: 'Deleted the group type instance.' }).waitFor();
  assert.deepEqual((await sandbox.control('requests')).filter((r) => r.method === 'DELETE').map((r) => r.status), [204]);
  assert.ok(!(await sandboxProject(sandbox, 1)).group_types.some((g) => g.group_type === 'instance'));
  assertClean();
});

// ---- Two tabs of one browser ----

test('two tabs: a save in tab A updates tab B\'s list and metric page at once, and B\'s open form keeps its typing and shows the notice', async () => {
  allowWrites();
  const listUrl = `${sandbox.url}/metrics?host=${encodeURIComponent(sandbox.url)}&project=1`;
  const a = await openAt(metricUrl(sandbox, 0, LOGINS, { edit: true }));
  await a.page.getByRole('heading', { name: 'Edit “Logins”', level: 1 }).waitFor();
  // Tabs B, same browser context (so the same origin's BroadcastChannel): the list, and the form.
  const { page: bList } = await openAt(listUrl);
  const bTable = bList.getByRole('table', { name: 'Usage metrics of this project' });
  await bTable.getByRole('link', { name: 'Logins', exact: true }).waitFor();
  const { page: bForm } = await openAt(metricUrl(sandbox, 0, LOGINS, { edit: true }));
  await bForm.getByRole('heading', { name: 'Edit “Logins”', level: 1 }).waitFor();
  await nameField(bForm).fill('Typed in tab B');
  // And the metric's own page, which reads it again when another tab writes it.
  const { page: bMetric } = await openAt(metricUrl(sandbox, 0, LOGINS));
  await bMetric.getByRole('heading', { name: 'Logins', level: 1 }).waitFor();
  await clearLog();

  await nameField(a.page).fill('Logins saved in A');
  await a.page.getByRole('button', { name: 'Save metric' }).click();
  await a.page.getByRole('heading', { name: 'Logins saved in A', level: 1 }).waitFor();

  await bTable.getByRole('link', { name: 'Logins saved in A', exact: true }).waitFor({ timeout: 5000 });
  await bForm.locator('#metric-other-tab').filter({ hasText: 'This metric was changed in another tab.' }).waitFor({ timeout: 5000 });
  assert.equal(await nameField(bForm).inputValue(), 'Typed in tab B', 'B\'s typing is kept');
  await bMetric.getByRole('heading', { name: 'Logins saved in A', level: 1 }).waitFor({ timeout: 5000 });
  await assertAccessible(bForm, 'form told of another tab\'s save');
  // Only tab A wrote: B read, and nothing else.
  const sent = (await writes()).map((r) => [r.method, r.body]);
  assert.deepEqual(sent, [['PATCH', { name: 'Logins saved in A' }]]);
  await new Promise((ok) => setTimeout(ok, 500));
  assert.equal((await writes()).length, 1, 'no write from the tab the user is not acting in');
  a.assertClean();
});
