// The project's usage metrics in one list (issue 26, first part): every metric of every
// group type index, each row saying where it is filed and what that means, the placement
// filter, paging in the browser, New metric filed under index 0, and the reads a reload
// costs. On the demo seed: 61 metrics under index 0, 4 under company (index 1), one of them
// named as an index-0 metric ("Support tickets opened"). Under the strict policy.

import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  openConnectedAt, assertAccessible, strictSuite, allowWrites, sandboxMetrics, apiRequests,
  statusLogged,
} from './harness.mjs';

let sandbox;
let browser;
const { opened } = strictSuite({ before, after, beforeEach, afterEach }, (suite) => {
  ({ sandbox, browser } = suite);
});

const listUrl = (query = {}) => `${sandbox.url}/metrics?${new URLSearchParams({ host: sandbox.url, project: '1', ...query })}`;
const table = (page) => page.getByRole('table', { name: 'Usage metrics of this project' });
const rowOf = (page, name) => table(page).getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });

async function openList(query) {
  const opening = await openConnectedAt(browser.context, sandbox, listUrl(query), {}, (p) => opened.push(p));
  await table(opening.page).waitFor();
  return opening;
}

test('every metric of every index in one list; those outside index 0 and those shown twice are marked', async () => {
  const index0 = await sandboxMetrics(sandbox, 1, 0);
  const index1 = await sandboxMetrics(sandbox, 1, 1);
  assert.equal(index0.length + index1.length, 65);
  const { page, assertClean } = await openList({ limit: '100' });
  assert.equal(await page.getByRole('status').filter({ hasText: 'usage metrics' }).innerText(),
    "65 usage metrics: 4 not in PostHog's settings, 2 shown twice on each page.");
  assert.equal(await table(page).locator('tbody tr').count(), 65);
  for (const m of index1) {
    const row = rowOf(page, m.name).filter({ hasText: '(index 1)' });
    assert.match(await row.innerText(), /Not in PostHog's settings/, m.name);
  }
  const tickets = rowOf(page, 'Support tickets opened');
  assert.equal(await tickets.count(), 2, 'both copies are listed');
  for (const text of await tickets.allInnerTexts()) assert.match(text, /Shown twice on each page/);
  assert.match(await tickets.filter({ hasText: '(index 0)' }).innerText(), /Organizations \(index 0\)/);
  assert.doesNotMatch(await tickets.filter({ hasText: '(index 0)' }).innerText(), /Not in PostHog's settings/);
  await assertAccessible(page, 'the project metrics list');

  // The filter is in the URL and keeps what it says.
  await page.getByLabel('Show').selectOption({ label: "Not in PostHog's settings" });
  await page.waitForURL((u) => u.searchParams.get('placement') === 'not-in-settings');
  await page.getByRole('navigation', { name: 'Pages' }).getByText('1–4 of 4').waitFor();
  assert.deepEqual((await table(page).getByRole('rowheader').allInnerTexts()).sort(), index1.map((m) => m.name).sort());
  await page.getByLabel('Show').selectOption({ label: 'Shown twice on each page' });
  await page.getByRole('navigation', { name: 'Pages' }).getByText('1–2 of 2').waitFor();
  assert.deepEqual(await table(page).getByRole('rowheader').allInnerTexts(), ['Support tickets opened', 'Support tickets opened']);
  await page.reload();
  await table(page).waitFor();
  assert.equal(await page.getByLabel('Show').inputValue(), 'shown-twice');
  assertClean();
});

test('paged in the browser over the merged list, with the page in the URL', async () => {
  const { page, assertClean } = await openList({ limit: '25' });
  const pages = page.getByRole('navigation', { name: 'Pages' });
  assert.equal(await pages.locator('p.range').innerText(), '1–25 of 65');
  await pages.getByRole('link', { name: 'Next' }).click();
  await pages.getByText('26–50 of 65').waitFor();
  await pages.getByRole('link', { name: 'Next' }).click();
  await pages.getByText('51–65 of 65').waitFor();
  // The last page holds the metrics filed under company, after index 0's.
  const names = await table(page).getByRole('rowheader').allInnerTexts();
  const index1 = (await sandboxMetrics(sandbox, 1, 1)).map((m) => m.name);
  assert.deepEqual(names.slice(-4), index1);
  assert.equal(await pages.getByRole('link', { name: 'Next' }).count(), 0);
  assertClean();
});

test('narrowed to one group type index (its old tab address), the list keeps the marks and says where', async () => {
  const { page, assertClean } = await openConnectedAt(browser.context, sandbox,
    `${sandbox.url}/group-types/1/metrics?${new URLSearchParams({ host: sandbox.url, project: '1' })}`, {}, (p) => opened.push(p));
  await table(page).waitFor();
  await page.waitForURL((u) => u.pathname === '/metrics' && u.searchParams.get('index') === '1');
  assert.equal(await page.getByLabel('Filed under').inputValue(), '1');
  await page.getByRole('navigation', { name: 'Pages' }).getByText('1–4 of 4').waitFor();
  const index1 = (await sandboxMetrics(sandbox, 1, 1)).map((m) => m.name);
  assert.deepEqual(await table(page).getByRole('rowheader').allInnerTexts(), index1);
  // Its twin under index 0 is not on screen, yet the row still says it is shown twice.
  assert.match(await rowOf(page, 'Support tickets opened').innerText(), /Shown twice on each page/);
  await page.getByLabel('Filed under').selectOption({ label: 'Any group type' });
  await page.waitForURL((u) => !u.searchParams.has('index'));
  await page.getByRole('navigation', { name: 'Pages' }).getByText('1–25 of 65').waitFor();
  await page.getByLabel('Filed under').selectOption({ label: 'company(s) (index 1)' });
  await page.waitForURL((u) => u.searchParams.get('index') === '1');
  await page.reload();
  await table(page).waitFor();
  assert.equal(await page.getByLabel('Filed under').inputValue(), '1');
  await assertAccessible(page, 'the list narrowed to one index');
  assertClean();
});

test('each old address opens the right content at its new address', async () => {
  const company = await sandboxMetrics(sandbox, 1, 1);
  const pro = company[0];
  const q = new URLSearchParams({ host: sandbox.url, project: '1' });
  const { page, assertClean } = await openConnectedAt(browser.context, sandbox,
    `${sandbox.url}/group-types/1/metrics?${q}&group=0:acme&limit=10&offset=0`, {}, (p) => opened.push(p));
  // The list: narrowed to that index, with the group and the paging kept.
  await table(page).waitFor();
  let url = new URL(page.url());
  assert.equal(url.pathname, '/metrics');
  assert.deepEqual(Object.fromEntries(url.searchParams), { host: sandbox.url, project: '1', group: '0:acme', index: '1', limit: '10', offset: '0' });
  assert.deepEqual(await table(page).getByRole('rowheader').allInnerTexts(), company.map((m) => m.name));

  // A metric, and its form: one address each, the index in the query.
  await page.goto(`${sandbox.url}/group-types/1/metrics/${pro.id}?${q}`);
  await page.getByRole('heading', { name: pro.name, level: 1 }).waitFor();
  url = new URL(page.url());
  assert.equal(url.pathname, `/metrics/${pro.id}`);
  assert.equal(url.searchParams.get('index'), '1');
  // The page says where it is filed, and what that means.
  assert.match(await page.locator('dl.details').innerText(),
    /Filed under\s+Index 1 — not in PostHog's settings: PostHog computes it on every page, but its settings list only index 0/);
  await page.goto(`${sandbox.url}/group-types/1/metrics/${pro.id}/edit?${q}`);
  await page.getByRole('heading', { name: `Edit “${pro.name}”`, level: 1 }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/metrics/${pro.id}/edit`);
  assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), pro.name);

  // New: the form, which files under index 0 whatever the old address said.
  await page.goto(`${sandbox.url}/group-types/2/metrics/new?${q}`);
  await page.getByRole('heading', { name: 'New usage metric', level: 1 }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/metrics/new');

  // A metric's address without its index (typed or shared by hand) finds where it is filed.
  await page.goto(`${sandbox.url}/metrics/${pro.id}?${q}`);
  await page.getByRole('heading', { name: pro.name, level: 1 }).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('index'), '1');
  await page.goto(`${sandbox.url}/metrics/00000000-0000-4000-8000-000000000000?${q}`);
  await page.getByText('No metric of this project has this id; it may have been deleted.').waitFor();
  await assertAccessible(page, 'a metric address naming no metric');
  // The old address is replaced in the history, so Back does not bounce through it.
  await page.goto(`${sandbox.url}/group-types/1/metrics?${q}`);
  await table(page).waitFor();
  await page.goBack();
  await page.getByText('No metric of this project has this id; it may have been deleted.').waitFor();
  assertClean();
});

test('deleting a group type offers to move its metrics into PostHog\'s list first', async () => {
  const { page, assertClean } = await openConnectedAt(browser.context, sandbox,
    `${sandbox.url}/group-types?${new URLSearchParams({ host: sandbox.url, project: '1' })}`, {}, (p) => opened.push(p));
  await page.getByRole('button', { name: 'Delete company', exact: true }).click();
  const del = page.getByRole('dialog', { name: /^Delete the group type/ });
  await del.getByText(/^4 usage metrics are filed under it\./).waitFor();
  await assertAccessible(page, 'the delete dialog offering to move the metrics');
  allowWrites();
  await del.getByRole('button', { name: "Move the 4 into PostHog's list first" }).click();
  await moveTheFourKeepingIndex0s(page);
  assert.deepEqual(await sandboxMetrics(sandbox, 1, 1), []);
  assert.equal((await sandboxMetrics(sandbox, 1, 0)).length, 64);
  await dialog(page).getByRole('button', { name: 'Close' }).click();
  // Back to the delete dialog, which has nothing left to offer; the group type is still there.
  await del.getByRole('textbox', { name: /to confirm/ }).waitFor();
  await del.getByText(/^\d+ usage metrics? (is|are) filed under it\./).waitFor({ state: 'detached' });
  await del.getByRole('button', { name: 'Cancel' }).click();
  const deletes = (await apiRequests(sandbox)).filter((r) => r.method === 'DELETE' && /groups_types\/\d+\/$/.test(r.path));
  assert.deepEqual(deletes, [], 'the group type itself is deleted only when asked');
  assertClean();
});

test('a reload of /metrics reads the group types and each index once', async () => {
  const { page, assertClean } = await openList();
  await sandbox.control('requests', { method: 'DELETE' });
  await page.reload();
  await table(page).waitFor();
  const reads = (await apiRequests(sandbox)).filter((r) => r.method === 'GET');
  const types = reads.filter((r) => r.path === '/api/projects/1/groups_types/');
  const lists = reads.filter((r) => /\/groups_types\/\d+\/metrics\/$/.test(r.path));
  assert.equal(types.length, 1, 'the group types once');
  const indexes = lists.map((r) => r.path.match(/groups_types\/(\d+)\//)[1]).sort();
  assert.deepEqual(indexes, [...new Set(indexes)], 'each index at most once');
  assert.ok(reads.length <= 4 + 1, `at most one read per group type index plus one: ${reads.map((r) => r.path)}`);
  assertClean();
});

test('New metric from the project list is filed under index 0', async () => {
  const { page, assertClean } = await openList();
  await page.getByRole('link', { name: 'New metric' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Filed where PostHog shows it');
  await page.getByRole('button', { name: 'Add event' }).click();
  await page.getByRole('combobox', { name: 'Event 1 name', exact: true }).fill('paid_bill');
  allowWrites();
  await page.getByRole('button', { name: 'Save metric' }).click();
  await page.getByRole('heading', { name: 'Filed where PostHog shows it', level: 1 }).waitFor();
  const creates = (await apiRequests(sandbox)).filter((r) => r.method === 'POST');
  assert.deepEqual(creates.map((r) => r.path), ['/api/projects/1/groups_types/0/metrics/']);
  assert.ok((await sandboxMetrics(sandbox, 1, 0)).some((m) => m.name === 'Filed where PostHog shows it'));
  assertClean();
});

test('an empty project says so', async () => {
  const opening = await openConnectedAt(browser.context, sandbox,
    `${sandbox.url}/metrics?${new URLSearchParams({ host: sandbox.url, project: '2' })}`, { project: '2', key: 'phx_sandbox_demo_full_access' }, (p) => opened.push(p));
  await opening.page.getByText('This project has no usage metrics yet.').waitFor();
  await assertAccessible(opening.page, 'the empty project metrics list');
  opening.assertClean();
});

// ---- Moving into PostHog's list (index 0) ----

const dialog = (page) => page.getByRole('dialog');

/** In the open move dialog: Move, then at "Support tickets opened" (taken under index 0) keep
 *  index 0's and delete the other, until Done. */
async function moveTheFourKeepingIndex0s(page) {
  await dialog(page).getByRole('button', { name: 'Move' }).click();
  await dialog(page).getByRole('heading', { name: /already has “Support tickets opened”/ }).waitFor();
  await dialog(page).getByRole('radio', { name: /Keep PostHog's list's metric/ }).check();
  await dialog(page).getByRole('button', { name: 'Continue' }).click();
  await dialog(page).getByText('Done.').waitFor();
}
const writesSent = async () => (await apiRequests(sandbox)).filter((r) => r.method !== 'GET');

test('moving one metric creates it under index 0, then deletes the old copy', async () => {
  const { page, assertClean } = await openList({ limit: '100' });
  const [active] = (await sandboxMetrics(sandbox, 1, 1)).filter((m) => m.name === 'Active users');
  await sandbox.control('requests', { method: 'DELETE' });
  allowWrites();
  await page.getByRole('button', { name: "Move Active users into PostHog's list" }).click();
  await assertAccessible(page, 'the move dialog');
  await dialog(page).getByRole('button', { name: 'Move' }).click();
  await dialog(page).getByText('Done.').waitFor();
  assert.match(await dialog(page).innerText(), /Moved: Active users/);
  const sent = await writesSent();
  assert.deepEqual(sent.map((r) => `${r.method} ${r.path} ${r.status}`), [
    'POST /api/projects/1/groups_types/0/metrics/ 201',
    `DELETE /api/projects/1/groups_types/1/metrics/${active.id}/ 204`,
  ]);
  const { id, ...definition } = active;
  assert.deepEqual(sent[0].body, definition, 'the same definition, under index 0');
  assert.ok(!(await sandboxMetrics(sandbox, 1, 1)).some((m) => m.name === 'Active users'));
  assert.ok((await sandboxMetrics(sandbox, 1, 0)).some((m) => m.name === 'Active users'));
  await dialog(page).getByRole('button', { name: 'Close' }).click();
  await page.getByText("65 usage metrics: 3 not in PostHog's settings").waitFor();
  assertClean();
});

test('a name taken under index 0 shows both definitions; Cancel sends nothing', async () => {
  const { page, assertClean } = await openList({ limit: '100' });
  await sandbox.control('requests', { method: 'DELETE' });
  const row = table(page).getByRole('row').filter({ hasText: '(index 1)' }).filter({ has: page.getByRole('rowheader', { name: 'Support tickets opened' }) });
  await row.getByRole('button', { name: /^Move / }).click();
  await dialog(page).getByRole('button', { name: 'Move' }).click();
  await dialog(page).getByRole('heading', { name: 'PostHog\'s list already has “Support tickets opened”' }).waitFor();
  const sides = await dialog(page).locator('.move-side').allInnerTexts();
  assert.equal(sides.length, 2);
  assert.match(sides[0], /In PostHog's list \(index 0\)/);
  assert.match(sides[1], /Filed under index 1/);
  assert.equal(await dialog(page).getByRole('textbox', { name: 'New name' }).inputValue(), 'Support tickets opened (copy)');
  await assertAccessible(page, 'the conflict dialog');
  await dialog(page).getByRole('button', { name: 'Cancel' }).click();
  await dialog(page).waitFor({ state: 'detached' });
  assert.deepEqual(await writesSent(), [], 'a cancelled choice sends nothing');
  assertClean();
});

test('a refused create deletes nothing; a failed delete keeps both, says so, and Try again completes it', async () => {
  const { page, assertClean } = await openList({ limit: '100' });
  const before1 = await sandboxMetrics(sandbox, 1, 1);
  allowWrites();
  // The create is refused: nothing is deleted.
  await setSwitchesTo({ failure_rate: 1, failure_methods: ['POST'] });
  await page.getByRole('button', { name: "Move Revenue into PostHog's list" }).click();
  await dialog(page).getByRole('button', { name: 'Move' }).click();
  await dialog(page).getByText('“Revenue” was not moved: PostHog refused to create it under index 0, so nothing was deleted.').waitFor();
  assert.deepEqual(await sandboxMetrics(sandbox, 1, 1), before1);
  assert.ok(!(await writesSent()).some((r) => r.method === 'DELETE'));
  await dialog(page).getByRole('button', { name: 'Close' }).click();

  // The delete fails: both copies are kept, and Try again finishes the move.
  await setSwitchesTo({ failure_rate: 1, failure_methods: ['DELETE'] });
  await page.getByRole('button', { name: "Move Revenue into PostHog's list" }).click();
  await dialog(page).getByRole('button', { name: 'Move' }).click();
  await dialog(page).getByText('both copies are kept until the delete works').waitFor();
  assert.ok((await sandboxMetrics(sandbox, 1, 0)).some((m) => m.name === 'Revenue'));
  assert.ok((await sandboxMetrics(sandbox, 1, 1)).some((m) => m.name === 'Revenue'));
  await setSwitchesTo({ failure_rate: 0, failure_methods: null });
  await dialog(page).getByRole('button', { name: 'Try again' }).click();
  await dialog(page).getByText('Done.').waitFor();
  assert.ok(!(await sandboxMetrics(sandbox, 1, 1)).some((m) => m.name === 'Revenue'));
  assert.equal((await sandboxMetrics(sandbox, 1, 0)).filter((m) => m.name === 'Revenue').length, 1);
  assertClean([statusLogged(500, sandbox.url)]);
});

test('moving all 4 leaves none outside index 0 and none shown twice', async () => {
  const { page, assertClean } = await openList({ limit: '100' });
  allowWrites();
  await page.getByRole('button', { name: "Move all 4 not in PostHog's settings" }).click();
  await moveTheFourKeepingIndex0s(page);
  for (const index of [1, 2, 3]) assert.deepEqual(await sandboxMetrics(sandbox, 1, index), [], `index ${index}`);
  const names = (await sandboxMetrics(sandbox, 1, 0)).map((m) => m.name);
  assert.equal(names.length, new Set(names).size, 'no name twice');
  assert.equal(names.length, 64);
  await dialog(page).getByRole('button', { name: 'Close' }).click();
  await page.getByText('64 usage metrics, all in PostHog\'s settings.').waitFor();
  assertClean();
});

async function setSwitchesTo(switches) {
  await sandbox.control('switches', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(switches) });
}
