// What the screens say about PostHog's own behaviour, end to end: where metrics show (the text
// under the group-type tabs, "group pages only" for data-warehouse metrics), metrics PostHog
// never computes (flagged in the list and on their page, and the form's warning before a save,
// which stays allowed), the tab's pointer to the project's one list, and what deleting a group type leaves
// (with the slots used). axe on each of these states. Every test starts from the seed.

import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  openConnectedAt, assertAccessible,
  metricsUrl, metricUrl, metricTable, sandboxApi, sandboxMetrics,
  strictSuite,
  allowWrites,
} from './harness.mjs';

let sandbox;
let browser;
const { opened } = strictSuite({ before, after, beforeEach, afterEach }, (suite) => {
  ({ sandbox, browser } = suite);
});

/** Opens the app in a new tab, connects to project 1, then loads `url` in that tab. */
async function openAt(url) {
  return openConnectedAt(browser.context, sandbox, url, { project: '1' }, (page) => opened.push(page));
}

/** Opens group type `index`'s metrics, every one on one page, and waits for the table. */
async function openList(index) {
  const opening = await openAt(metricsUrl(sandbox, index, { limit: 100 }));
  await metricTable(opening.page).waitFor();
  return opening;
}

/** Creates a metric through the API, as another user would (no Origin: not the app's write). */
async function createMetric(index, body) {
  const res = await sandboxApi(sandbox, 'POST', `/api/projects/1/groups_types/${index}/metrics/`, body);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

const row = (page, name) => metricTable(page).getByRole('row')
  .filter({ has: page.getByRole('rowheader', { name, exact: true }) });
const saveButton = (page) => page.getByRole('button', { name: /^(Save metric|Saving…)$/ });
const formWarning = (page) => page.locator('#metric-form-warning');

/** The metric page's details list as [term, description] pairs. */
async function details(page) {
  return page.locator('dl.details').evaluate((dl) => [...dl.querySelectorAll('dt')]
    .map((dt) => [dt.textContent.trim(), dt.nextElementSibling.textContent.trim()]));
}

const EVERY_EVENT = 'PostHog never computes this metric: it matches every event (no event, action or property filter).';
const SUM_WITHOUT = 'PostHog never computes this metric: a sum needs a property to sum.';
const EVERYWHERE = 'Every group page, of every group type, and person pages.';

test('data-warehouse metrics say group pages only, in the list and on their page; events metrics do not', async () => {
  const seeded = await sandboxMetrics(sandbox, 1, 0);
  const warehouse = seeded.filter((m) => m.filters?.source === 'data_warehouse');
  assert.ok(warehouse.length > 0, 'the seed has data-warehouse metrics in group type 0');
  const { page, assertClean } = await openList(0);
  for (const m of warehouse) {
    await row(page, m.name).locator('.reach-note', { hasText: 'Group pages only: not shown on person pages.' }).waitFor();
  }
  // Every other row says nothing more: the seed's events metrics are all computed.
  const notes = await metricTable(page).locator('tbody .reach-note').allInnerTexts();
  assert.equal(notes.length, warehouse.length, notes.join('\n'));
  assert.equal(await metricTable(page).locator('tbody tr.never-computed').count(), 0);

  await row(page, warehouse[0].name).getByRole('link', { name: warehouse[0].name, exact: true }).click();
  await page.getByRole('heading', { name: warehouse[0].name, level: 1 }).waitFor();
  const shown = (await details(page)).find(([t]) => t === 'Shown in PostHog');
  assert.deepEqual(shown, ['Shown in PostHog', 'Group pages only (of every group type), not person pages: a data-warehouse metric.']);
  assert.equal(await page.locator('p.warning').count(), 0, 'not flagged as never computed');
  await assertAccessible(page, 'data-warehouse metric page');
  assertClean();
});

test('a metric PostHog never computes is flagged in the list and on its page; near misses are not', async () => {
  const everything = await createMetric(1, { name: 'Everything', filters: { events: [], actions: [], properties: [] } });
  await createMetric(1, { name: 'All events entry', filters: { events: [{ id: null, name: 'All events', type: 'events', order: 0 }] } });
  // Counter-examples: property filters alone, and test-account filtering (which may add filters).
  await createMetric(1, { name: 'Pro plan events', filters: { properties: [{ key: 'plan', value: ['pro'], operator: 'exact', type: 'event' }] } });
  await createMetric(1, { name: 'Without test accounts', filters: { events: [], filter_test_accounts: true } });

  const { page, assertClean } = await openList(1);
  for (const name of ['Everything', 'All events entry']) {
    const r = row(page, name);
    await r.locator('.reach-note.never', { hasText: EVERY_EVENT }).waitFor();
    assert.match(await r.getAttribute('class'), /never-computed/);
  }
  for (const name of ['Pro plan events', 'Without test accounts']) {
    assert.equal(await row(page, name).locator('.reach-note').count(), 0, `${name} is not flagged`);
  }
  // Only those two, of every row (the seed's included).
  assert.equal(await metricTable(page).locator('tbody tr.never-computed').count(), 2);
  assert.equal(await metricTable(page).locator('tbody .reach-note.never').count(), 2);
  await row(page, 'Everything').screenshot({ path: '/tmp/truth-row.png' });
  await assertAccessible(page, 'metrics list with a never-computed metric');

  await row(page, 'Everything').getByRole('link', { name: 'Everything', exact: true }).click();
  await page.getByRole('heading', { name: 'Everything', level: 1 }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/metrics/${everything.id}`);
  assert.equal(await page.locator('p.warning.never-computed').innerText(), EVERY_EVENT);
  assert.deepEqual((await details(page)).find(([t]) => t === 'Shown in PostHog'),
    ['Shown in PostHog', 'Nowhere: PostHog never computes it (see above).']);
  await assertAccessible(page, 'never-computed metric page');

  // A computed metric's page says where it shows, and has no warning.
  await page.goto(metricUrl(sandbox, 1, (await sandboxMetrics(sandbox, 1, 1)).find((m) => m.name === 'Pro plan events').id));
  await page.getByRole('heading', { name: 'Pro plan events', level: 1 }).waitFor();
  assert.deepEqual((await details(page)).find(([t]) => t === 'Shown in PostHog'), ['Shown in PostHog', EVERYWHERE]);
  assert.equal(await page.locator('p.warning').count(), 0);
  assertClean();
});

test('the form warns before saving a metric PostHog never computes, and still saves it', async () => {
  allowWrites();
  const { page, assertClean } = await openAt(metricUrl(sandbox, 1, 'new'));
  await page.getByRole('heading', { name: 'New usage metric', level: 1 }).waitFor();
  const save = saveButton(page);

  // A new metric has no filter yet: warned at once, before any save.
  await formWarning(page).waitFor();
  assert.equal(await formWarning(page).innerText(),
    `${EVERY_EVENT} You can still save it, but no PostHog page shows it until it has a filter.`);
  assert.equal(await save.getAttribute('aria-describedby'), 'metric-form-warning');
  assert.equal(await page.locator('div.form-warning[role=status]').count(), 1, 'announced as a status');
  await page.locator('form.metric-form').screenshot({ path: '/tmp/truth-form.png' });
  await assertAccessible(page, 'metric form warning of a metric matching every event');

  // An event filter is enough: the warning goes.
  await page.getByRole('button', { name: 'Add event' }).click();
  await page.getByRole('combobox', { name: 'Event 1 name', exact: true }).fill('paid_bill');
  await formWarning(page).waitFor({ state: 'detached' });
  assert.equal(await save.getAttribute('aria-describedby'), null);

  // A sum without a property: the server would refuse it, so it is only reachable here.
  await page.getByRole('radio', { name: 'Sum' }).check();
  await formWarning(page).filter({ hasText: SUM_WITHOUT }).waitFor();
  assert.equal(await formWarning(page).innerText(), SUM_WITHOUT);
  await assertAccessible(page, 'metric form warning of a sum without property');
  await page.getByRole('combobox', { name: 'Property to sum', exact: true }).fill('   ');
  assert.equal(await formWarning(page).innerText(), SUM_WITHOUT, 'spaces are no property');
  await page.getByRole('combobox', { name: 'Property to sum', exact: true }).fill('amount');
  await formWarning(page).waitFor({ state: 'detached' });

  // Back to a count over every event, named, and saved: a warning, not a block.
  await page.getByRole('radio', { name: 'Count' }).check();
  await page.getByRole('button', { name: 'Remove event 1' }).click();
  await formWarning(page).filter({ hasText: EVERY_EVENT }).waitFor();
  await page.getByLabel('Name', { exact: true }).fill('Everything, on purpose');
  await save.click();
  await page.getByRole('heading', { name: 'Everything, on purpose', level: 1 }).waitFor();
  assert.equal(await page.locator('p.warning.never-computed').innerText(), EVERY_EVENT);
  const stored = (await sandboxMetrics(sandbox, 1, 0)).find((m) => m.name === 'Everything, on purpose');
  assert.ok(stored, 'the sandbox stored it');
  assert.deepEqual(stored.filters, { events: [] });
  assertClean();
});

test('the metrics list says every metric is computed on every page, whatever it is filed under', async () => {
  const { page, assertClean } = await openList(1);
  const lead = page.locator('p.lead').first();
  assert.match(await lead.innerText(), /^Usage metrics belong to the project: PostHog computes every one of them on every group page and person page, whatever group type it is filed under\./);
  assert.match(await lead.innerText(), /The group type only decides whether PostHog's own settings list it/);
  await assertAccessible(page, 'the project list narrowed to one index');
  assertClean();
});

test('the delete dialog says what stays, that the type comes back, and how many slots are used', async () => {
  const { page, assertClean } = await openAt(null);
  const groupTypes = await sandboxApi(sandbox, 'GET', '/api/projects/1/groups_types/');
  assert.equal(groupTypes.body.length, 4);
  await page.getByRole('button', { name: 'Delete project', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete the group type “Workspace”?' });
  await dialog.waitFor();
  const text = await dialog.innerText();
  assert.match(text, /It cannot be undone\./);
  assert.match(text, /What stays:/);
  assert.match(text, /The events, and the groups of this type with their properties\./);
  assert.match(text, /The usage metrics filed under it\. They keep showing on group pages: PostHog computes every metric of the project on every group page, whatever group type it is filed under\./);
  assert.match(text, /If events carry this group type again, it comes back, possibly at another index\./);
  assert.match(text, /4 of this project's 5 group type slots are used; deleting this one frees one\./);
  await dialog.screenshot({ path: '/tmp/truth-delete.png' });
  await assertAccessible(page, 'delete dialog with what stays and the slots');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal((await sandboxApi(sandbox, 'GET', '/api/projects/1/groups_types/')).body.length, 4, 'nothing deleted');
  assertClean();
});
