// The usage-metric screens end to end: paging by URL, page size, the page kept while the next
// loads, deep links, creating each shape, client and server validation, partial edits that
// keep unknown filter keys, double submits, failed saves, the unsaved-changes guard, undoable
// deletes (one, several, and on closing the page), hostile and longest names, and axe on each
// screen. Export and import are in metrics-transfer.test.mjs. Every test starts from
// the seed (state, switches and request log reset).

import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  openConnectedAt, assertAccessible,
  setSwitches, statusLogged,
  metricsUrl, metricUrl, sandboxMetrics, apiRequests, metricTable, rowNames, sandboxApi,
  strictSuite,
  allowWrites,
} from './harness.mjs';

let sandbox;
let browser;
const { opened } = strictSuite({ before, after, beforeEach, afterEach }, (suite) => {
  ({ sandbox, browser } = suite);
});

/** Opens the app in a new tab, connects to project `project`, then loads `url` in that tab. */
async function openAt(url, project = '1') {
  return openConnectedAt(browser.context, sandbox, url, { project }, (page) => opened.push(page));
}

/** Opens the metrics list of group type `index` at a page and waits for its table. */
async function openList(index = 0, page = {}) {
  const opening = await openAt(metricsUrl(sandbox, index, page));
  await metricTable(opening.page).waitFor();
  return opening;
}

const clearLog = () => sandbox.control('requests', { method: 'DELETE' });
const range = (page) => page.getByRole('navigation', { name: 'Pages' }).locator('p.range');
const pager = (page) => page.getByRole('navigation', { name: 'Pages' });
const notice = (page, text) => page.locator('div.notice[role=status]').filter({ hasText: text });
const deletedRegion = (page) => page.getByRole('region', { name: 'Deleted metrics' });
const writes = async () => (await apiRequests(sandbox)).filter((r) => r.method !== 'GET');
const METRICS0 = '/api/projects/1/groups_types/0/metrics/';
const METRICS1 = '/api/projects/1/groups_types/1/metrics/';

/** The list reads the app sent for a group type index (paging happens in the browser over the
 *  list read once, so paging itself should send none). */
async function pageLoads(index = 0) {
  return (await apiRequests(sandbox))
    .filter((r) => r.method === 'GET' && r.path === `/api/projects/1/groups_types/${index}/metrics/`)
    .map((r) => Object.fromEntries(new URLSearchParams(r.query ?? '')));
}

// ---- Paging ----

test('paging forward and back keeps the page in the URL, reads nothing more, and Back works', async () => {
  const seeded = await sandboxMetrics(sandbox, 1, 0);
  assert.equal(seeded.length, 61);
  const { page, assertClean } = await openList(0);
  await assertAccessible(page, 'metrics list');
  await page.getByRole('heading', { name: 'Usage metrics', level: 1 }).waitFor();
  assert.equal(await page.getByLabel('Filed under').inputValue(), '0');

  assert.equal(await range(page).innerText(), '1–25 of 61');
  assert.deepEqual(await rowNames(page), seeded.slice(0, 25).map((m) => m.name));
  assert.equal(await pager(page).getByRole('link', { name: 'Previous' }).count(), 0, 'no previous link on the first page');
  assert.equal(await pager(page).getByText('Previous').getAttribute('aria-disabled'), 'true');

  await clearLog();
  await pager(page).getByRole('link', { name: 'Next' }).click();
  await page.waitForFunction(() => new URL(location.href).searchParams.get('offset') === '25');
  await range(page).filter({ hasText: '26–50 of 61' }).waitFor();
  let url = new URL(page.url());
  assert.equal(url.pathname, '/metrics');
  assert.deepEqual([url.searchParams.get('limit'), url.searchParams.get('offset'), url.searchParams.get('project'), url.searchParams.get('host')],
    ['25', '25', '1', sandbox.url]);
  assert.deepEqual(await rowNames(page), seeded.slice(25, 50).map((m) => m.name));
  assert.deepEqual(await pageLoads(0), [], 'the next page is cut from the list already read');

  await pager(page).getByRole('link', { name: 'Next' }).click();
  await range(page).filter({ hasText: '51–61 of 61' }).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('offset'), '50');
  assert.deepEqual(await rowNames(page), seeded.slice(50).map((m) => m.name));
  assert.equal(await pager(page).getByRole('link', { name: 'Next' }).count(), 0, 'no next link on the last page');

  await pager(page).getByRole('link', { name: 'Previous' }).click();
  await range(page).filter({ hasText: '26–50 of 61' }).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('offset'), '25');

  // The browser's Back and Forward walk the same pages.
  await page.goBack();
  await range(page).filter({ hasText: '51–61 of 61' }).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('offset'), '50');
  await page.goBack();
  await range(page).filter({ hasText: '26–50 of 61' }).waitFor();
  await page.goBack();
  await range(page).filter({ hasText: '1–25 of 61' }).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('offset'), '0');
  assert.deepEqual(await rowNames(page), seeded.slice(0, 25).map((m) => m.name));
  await page.goForward();
  await range(page).filter({ hasText: '26–50 of 61' }).waitFor();
  assert.deepEqual(await rowNames(page), seeded.slice(25, 50).map((m) => m.name));

  // A URL typed with an offset opens that page directly (a full load).
  await clearLog();
  await page.goto(metricsUrl(sandbox, 0, { offset: 50 }));
  await range(page).filter({ hasText: '51–61 of 61' }).waitFor();
  assert.deepEqual(await rowNames(page), seeded.slice(50).map((m) => m.name));
  assert.deepEqual(await pageLoads(0), [{ limit: '100', offset: '0' }], 'a full load reads the index once, in pages of 100');
  await pager(page).getByRole('link', { name: 'Previous' }).click();
  await range(page).filter({ hasText: '26–50 of 61' }).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('offset'), '25');

  // An offset that is not a page boundary is kept as asked.
  await page.goto(metricsUrl(sandbox, 0, { offset: 10 }));
  await range(page).filter({ hasText: '11–35 of 61' }).waitFor();
  assert.deepEqual(await rowNames(page), seeded.slice(10, 35).map((m) => m.name));
  await pager(page).getByRole('link', { name: 'Previous' }).click();
  await range(page).filter({ hasText: '1–25 of 61' }).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('offset'), '0');

  assert.deepEqual(await writes(), [], 'paging only reads');
  assertClean();
});

test('the page size is chosen with Per page and kept in the URL', async () => {
  const seeded = await sandboxMetrics(sandbox, 1, 0);
  const { page, assertClean } = await openList(0, { offset: 25 });
  await range(page).filter({ hasText: '26–50 of 61' }).waitFor();
  const perPage = page.getByLabel('Per page');
  assert.equal(await perPage.inputValue(), '25');
  assert.deepEqual(await perPage.locator('option').allInnerTexts(), ['10', '25', '50', '100']);

  await clearLog();
  await perPage.selectOption('50');
  await range(page).filter({ hasText: '1–50 of 61' }).waitFor();
  let url = new URL(page.url());
  assert.deepEqual([url.searchParams.get('limit'), url.searchParams.get('offset')], ['50', '0'], 'a new size starts at the first page');
  assert.equal(await metricTable(page).locator('tbody tr').count(), 50);
  assert.deepEqual(await rowNames(page), seeded.slice(0, 50).map((m) => m.name));
  assert.deepEqual(await pageLoads(0), [], 'a new size reads nothing');
  assert.equal(await page.getByLabel('Per page').inputValue(), '50');

  await pager(page).getByRole('link', { name: 'Next' }).click();
  await range(page).filter({ hasText: '51–61 of 61' }).waitFor();
  url = new URL(page.url());
  assert.deepEqual([url.searchParams.get('limit'), url.searchParams.get('offset')], ['50', '50']);
  assert.equal(await metricTable(page).locator('tbody tr').count(), 11);

  await page.getByLabel('Per page').selectOption('10');
  await range(page).filter({ hasText: '1–10 of 61' }).waitFor();
  assert.equal(await metricTable(page).locator('tbody tr').count(), 10);
  assert.equal(new URL(page.url()).searchParams.get('limit'), '10');

  await page.getByLabel('Per page').selectOption('100');
  await range(page).filter({ hasText: '1–61 of 61' }).waitFor();
  assert.equal(await metricTable(page).locator('tbody tr').count(), 61);
  assert.equal(await pager(page).getByRole('link', { name: 'Next' }).count(), 0);
  assert.equal(await pager(page).getByRole('link', { name: 'Previous' }).count(), 0);

  // Another group type keeps the size; a reload keeps it too.
  await page.getByLabel('Filed under').selectOption({ label: 'company(s) (index 1)' });
  await range(page).filter({ hasText: '1–4 of 4' }).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('limit'), '100');
  await page.goBack();
  await range(page).filter({ hasText: '1–61 of 61' }).waitFor();
  await page.reload();
  await range(page).filter({ hasText: '1–61 of 61' }).waitFor();
  assert.equal(await page.getByLabel('Per page').inputValue(), '100');

  // Back returns to the previous size.
  await page.goBack();
  await range(page).filter({ hasText: '1–10 of 61' }).waitFor();
  assert.equal(await page.getByLabel('Per page').inputValue(), '10');
  assertClean();
});

test('a group type with no metrics says so; Filed under switches group types', async () => {
  const { page, assertClean } = await openList(0);
  await page.getByLabel('Filed under').selectOption({ label: 'project(s) (index 2)' });
  await page.getByText('No usage metric is filed under project(s) (index 2).').waitFor();
  assert.equal(new URL(page.url()).searchParams.get('index'), '2');
  assert.equal(await metricTable(page).count(), 0);
  assert.equal(await pager(page).count(), 0);
  await assertAccessible(page, 'empty metrics list');
  await page.getByLabel('Filed under').selectOption({ label: 'company(s) (index 1)' });
  await range(page).filter({ hasText: '1–4 of 4' }).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('index'), '1');
  assert.deepEqual(await rowNames(page), (await sandboxMetrics(sandbox, 1, 1)).map((m) => m.name));
  assertClean();
});

test('sorting and the name filter work over the whole list, and send nothing', async () => {
  const seeded = await sandboxMetrics(sandbox, 1, 0);
  const { page, assertClean } = await openList(0);
  await clearLog();
  const header = (name) => metricTable(page).getByRole('columnheader', { name });
  for (const name of ['Name', 'Calculation', 'Interval']) assert.equal(await header(name).getAttribute('aria-sort'), 'none');
  await header('Name').getByRole('button').click();
  assert.equal(await header('Name').getAttribute('aria-sort'), 'ascending');
  const byName = seeded.map((m) => m.name).sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  assert.deepEqual(await rowNames(page), byName.slice(0, 25));
  await header('Name').getByRole('button').click();
  assert.equal(await header('Name').getAttribute('aria-sort'), 'descending');
  assert.deepEqual(await rowNames(page), [...byName].reverse().slice(0, 25));
  await header('Interval').getByRole('button').click();
  assert.equal(await header('Interval').getAttribute('aria-sort'), 'ascending');
  assert.equal(await header('Name').getAttribute('aria-sort'), 'none');
  const intervals = await metricTable(page).locator('tbody tr td.num').allInnerTexts();
  const days = intervals.map((t) => parseInt(t, 10));
  assert.deepEqual(days, [...days].sort((a, b) => a - b));

  await page.getByLabel('Filter by name').fill('support');
  assert.deepEqual((await rowNames(page)).sort(), ['Support tickets opened', 'Support tickets resolved']);
  await page.getByLabel('Filter by name').fill('zzz');
  await page.getByText('No metric matches the filter.').waitFor();
  assert.deepEqual(await pageLoads(0), [], 'sorting and filtering send nothing');
  assertClean();
});

// ---- The metric page and deep links ----

const PAID_BILLS = '5a239999-30db-5642-a993-e2b2d15fb5bc';
const LOGINS = 'ab94f873-cd29-530e-af9b-032f037374b4';
const NPS = 'aa2fd97a-0dcb-5060-ae9b-5ed6acf2c0f0';

/** The metric page's details list as [term, description] pairs. */
async function details(page) {
  return page.locator('dl.details').evaluate((dl) => {
    const out = [];
    for (const dt of dl.querySelectorAll('dt')) out.push([dt.textContent.trim(), dt.nextElementSibling.textContent.trim()]);
    return out;
  });
}

test('a deep link opens a metric on a cold load, and a reload keeps it', async () => {
  const { page, assertClean } = await openAt(null);
  await clearLog();
  await page.goto(metricUrl(sandbox, 0, PAID_BILLS));
  await page.getByRole('heading', { name: 'Paid bills', level: 1 }).waitFor();
  // The title names the page and its subject (issue 28).
  await page.waitForFunction(() => document.title === 'Paid bills · Usage metrics · Groups console');
  assert.equal(await page.locator('p.lead').innerText(),
    'Sum of amount over paid_bill events, in the last 30 days, shown as a sparkline of amounts of money.');
  assert.deepEqual(await details(page), [
    ['Calculation', 'Sum of amount'],
    ['Source', 'Events — Events: paid_bill'],
    ['Interval', '30 days'],
    ['Format', 'currency'],
    ['Display', 'sparkline'],
    ['Test accounts', 'Included'],
    ['Shown in PostHog', 'Every group page, of every group type, and person pages.'],
    ['Filed under', "Index 0 — listed in PostHog's settings."],
    ['Id', PAID_BILLS],
  ]);
  // Loaded with the retrieve endpoint, not by walking the list.
  const reads = (await apiRequests(sandbox)).filter((r) => r.path.includes('/metrics/'));
  assert.deepEqual(reads.map((r) => [r.method, r.path, r.status]), [['GET', `${METRICS0}${PAID_BILLS}/`, 200]]);
  await assertAccessible(page, 'metric page');

  const edit = page.getByRole('link', { name: 'Edit', exact: true });
  assert.equal(new URL(await edit.evaluate((a) => a.href)).pathname, `/metrics/${PAID_BILLS}/edit`);
  await page.reload();
  await page.getByRole('heading', { name: 'Paid bills', level: 1 }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/metrics/${PAID_BILLS}`);

  await page.getByRole('link', { name: 'Back to the metrics' }).click();
  await metricTable(page).waitFor();
  assert.equal(new URL(page.url()).pathname, '/metrics');
  await page.waitForFunction(() => document.title === 'Usage metrics · Groups console');
  // From the list, the row header links to the metric page.
  await metricTable(page).getByRole('link', { name: 'Logins', exact: true }).click();
  await page.getByRole('heading', { name: 'Logins', level: 1 }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/metrics/${LOGINS}`);
  assert.deepEqual((await details(page)).find(([t]) => t === 'Test accounts'), ['Test accounts', 'Filtered out']);
  await page.goBack();
  await metricTable(page).waitFor();
  assertClean();
});

test('a deep link to a deleted metric says it is not found and links back', async () => {
  allowWrites();
  const { page, assertClean } = await openAt(null);
  const gone = await sandboxApi(sandbox, 'DELETE', `${METRICS0}${LOGINS}/`);
  assert.equal(gone.status, 204);
  await page.goto(metricUrl(sandbox, 0, LOGINS));
  await page.getByRole('heading', { name: 'Metric not found', level: 1 }).waitFor();
  const alert = page.getByRole('alert').filter({ hasText: 'This metric does not exist; it may have been deleted.' });
  await alert.waitFor();
  await assertAccessible(page, 'metric not found');
  // Its edit link is no better.
  await page.goto(metricUrl(sandbox, 0, LOGINS, { edit: true }));
  await page.getByRole('heading', { name: 'Metric not found', level: 1 }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Save metric' }).count(), 0);

  await page.goto(metricUrl(sandbox, 0, LOGINS));
  await page.getByRole('link', { name: 'Back to the metrics' }).click();
  await metricTable(page).waitFor();
  await range(page).filter({ hasText: '1–25 of 64' }).waitFor();
  assert.ok(!(await rowNames(page)).includes('Logins'));
  assertClean([statusLogged(404, `${sandbox.url}${METRICS0}${LOGINS}/`)]);
});

// ---- Creating ----

/** The new-metric form, reached from the list's New metric link. */
async function openNewForm(index = 0) {
  const opening = await openList(index);
  await opening.page.getByRole('link', { name: 'New metric' }).click();
  await opening.page.getByRole('heading', { name: 'New usage metric', level: 1 }).waitFor();
  await opening.page.getByRole('button', { name: 'Save metric' }).waitFor();
  return opening;
}

const nameField = (page) => page.getByLabel('Name', { exact: true });
const saveButton = (page) => page.getByRole('button', { name: /^(Save metric|Saving…)$/ });
const posts = async (path = METRICS0) => (await apiRequests(sandbox)).filter((r) => r.method === 'POST' && r.path === path);
const patches = async () => (await apiRequests(sandbox)).filter((r) => r.method === 'PATCH');

/** Saves and waits for the created or saved metric's page; returns its id from the URL. */
async function saveAndWait(page, name, verb = 'Created') {
  await saveButton(page).click();
  await page.getByRole('heading', { name, exact: true, level: 1 }).waitFor();
  await notice(page, `${verb} the metric “${name}”.`).waitFor();
  const m = new URL(page.url()).pathname.match(/^\/metrics\/([0-9a-f-]{36})$/);
  assert.ok(m, page.url());
  return m[1];
}

/** The stored metric by id, without its id. */
async function stored(index, id, project = 1) {
  const found = (await sandboxMetrics(sandbox, project, index)).find((m) => m.id === id);
  assert.ok(found, `metric ${id} stored`);
  const { id: _, ...rest } = found;
  return rest;
}

test('creating a count metric over an event stores exactly the fields filled in', async () => {
  allowWrites();
  const { page, assertClean } = await openNewForm();
  await assertAccessible(page, 'new metric form');
  await clearLog();
  await nameField(page).fill('  Seats active  ');
  await page.getByRole('radio', { name: '30 days' }).check();
  await page.getByLabel('Display').selectOption('sparkline');
  await page.getByRole('radio', { name: 'Count' }).check();
  await page.getByRole('button', { name: 'Add event' }).click();
  await page.getByRole('combobox', { name: 'Event 1 name', exact: true }).fill('seat_active');
  await page.getByLabel('Filter out internal and test accounts').check();
  await assertAccessible(page, 'filled metric form');
  const id = await saveAndWait(page, 'Seats active');

  const expected = {
    name: 'Seats active', format: 'numeric', interval: 30, display: 'sparkline', math: 'count', math_property: null,
    filters: { events: [{ id: 'seat_active', name: 'seat_active', type: 'events', order: 0 }], filter_test_accounts: true },
  };
  const sent = await posts();
  assert.equal(sent.length, 1);
  assert.equal(sent[0].status, 201);
  assert.deepEqual(sent[0].body, expected);
  assert.deepEqual(await stored(0, id), expected);
  assert.equal(await page.locator('p.lead').innerText(),
    'Count over seat_active events, excluding test accounts, in the last 30 days, shown as a sparkline.');

  // The project's list shows it (66 metrics now, the new one last of index 0's).
  await page.getByRole('link', { name: 'Back to the metrics' }).click();
  await range(page).filter({ hasText: '1–25 of 66' }).waitFor();
  await page.getByLabel('Per page').selectOption('100');
  await range(page).filter({ hasText: '1–66 of 66' }).waitFor();
  assert.equal((await rowNames(page)).at(61), 'Seats active');
  assertClean();
});

test('creating a sum metric stores its property, the typed interval and the format', async () => {
  allowWrites();
  // From the list narrowed to company (index 1): New metric still files under index 0.
  const { page, assertClean } = await openNewForm(1);
  await clearLog();
  await nameField(page).fill('Paid seats');
  await page.getByRole('radio', { name: 'Other' }).check();
  await page.getByLabel('Number of days').fill('14');
  await page.getByLabel('Format').selectOption('currency');
  await page.getByRole('radio', { name: 'Sum' }).check();
  await page.getByRole('combobox', { name: 'Property to sum', exact: true }).fill('seats');
  await page.getByRole('button', { name: 'Add event' }).click();
  await page.getByRole('combobox', { name: 'Event 1 name', exact: true }).fill('seat_paid');
  await page.getByRole('button', { name: 'Add property filter' }).click();
  await page.getByRole('combobox', { name: 'Property 1 key', exact: true }).fill('plan');
  await page.getByLabel('Property 1 operator').selectOption('exact');
  await page.getByLabel('Property 1 value').fill('pro');
  await page.getByLabel('Property 1 type').selectOption('person');
  const id = await saveAndWait(page, 'Paid seats');

  const expected = {
    name: 'Paid seats', format: 'currency', interval: 14, display: 'number', math: 'sum', math_property: 'seats',
    filters: {
      events: [{ id: 'seat_paid', name: 'seat_paid', type: 'events', order: 0 }],
      // `exact` takes a list of values in PostHog's filters.
      properties: [{ key: 'plan', operator: 'exact', type: 'person', value: ['pro'] }],
    },
  };
  const sent = await posts(METRICS0);
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0].body, expected);
  assert.deepEqual(await stored(0, id), expected);
  assert.deepEqual(await posts(METRICS1), []);
  assert.equal(new URL(page.url()).pathname, `/metrics/${id}`);
  // The demo project has never seen a seat_paid event: its page says so.
  assert.deepEqual((await details(page)).slice(0, 5), [
    ['Calculation', 'Sum of seats'],
    ['Source', 'Events — Events: seat_paidNo event named “seat_paid” has been seen in this project: the metric would count 0 until one is sent.'],
    ['Interval', '14 days'],
    ['Format', 'currency'], ['Display', 'number'],
  ]);
  assert.equal((await sandboxMetrics(sandbox, 1, 1)).length, 4, 'nothing added under the index the list was narrowed to');
  assertClean();
});

test('creating a data warehouse metric on a table of the project stores the table, its columns and the column summed', async () => {
  allowWrites();
  const { page, assertClean } = await openNewForm();
  await clearLog();
  await nameField(page).fill('Charge totals');
  await page.getByRole('radio', { name: '90 days' }).check();
  await page.getByRole('radio', { name: 'Data warehouse' }).check();
  await page.getByRole('combobox', { name: 'Table', exact: true }).fill('stripe_charges');
  await page.getByRole('combobox', { name: 'Timestamp column', exact: true }).fill('created');
  await page.getByRole('combobox', { name: 'Key column', exact: true }).fill('customer_id');
  await page.getByRole('radio', { name: 'Sum' }).check();
  await page.getByRole('combobox', { name: 'Column to sum', exact: true }).fill('amount');
  assert.equal(await page.getByRole('combobox', { name: 'Property to sum', exact: true }).count(), 0);
  await assertAccessible(page, 'data warehouse metric form');
  const id = await saveAndWait(page, 'Charge totals');

  const expected = {
    name: 'Charge totals', format: 'numeric', interval: 90, display: 'number', math: 'sum', math_property: 'amount',
    filters: { source: 'data_warehouse', table_name: 'stripe_charges', timestamp_field: 'created', key_field: 'customer_id' },
  };
  const sent = await posts();
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0].body, expected);
  assert.deepEqual(await stored(0, id), expected);
  assert.deepEqual((await details(page)).slice(0, 3), [
    ['Calculation', 'Sum of amount'],
    ['Source', 'Warehouse: stripe_charges — Table stripe_charges, timestamp column created, key column customer_id'],
    ['Interval', '90 days'],
  ]);
  assertClean();
});

// ---- Validation ----

/** The error shown under a form control (by the control's id), and whether the control says it is invalid. */
async function fieldError(page, id) {
  return page.evaluate((id) => {
    const control = document.getElementById(id);
    const error = document.getElementById(`${id}-error`);
    const described = (control?.getAttribute('aria-describedby') ?? '').split(' ').includes(`${id}-error`);
    return { text: error?.textContent.trim() ?? null, invalid: control?.getAttribute('aria-invalid') === 'true', described };
  }, id);
}
const filtersError = (page) => page.locator('#filters-error').evaluate((p) => p.textContent.trim());
const focusedId = (page) => page.evaluate(() => document.activeElement?.id ?? null);
/** Focus moves to the invalid control after the render (a zero timeout): wait a moment for it. */
async function expectFocus(page, id) {
  await page.waitForFunction((id) => document.activeElement?.id === id, id, { timeout: 2000 }).catch(() => {});
  assert.equal(await focusedId(page), id, `focus on #${id}`);
}

test('each client-side rule stops the save before anything is sent, with the message next to its field', async () => {
  const { page, assertClean } = await openNewForm();
  await clearLog();
  const submit = () => page.getByRole('button', { name: 'Save metric' }).click();

  // Nothing is flagged before the first save.
  await nameField(page).fill('x'.repeat(256));
  assert.deepEqual(await fieldError(page, 'metric-name'), { text: '', invalid: false, described: false });

  // Name: required, at most 255, unique in the group type (the taken name is on page 3 of the list).
  await nameField(page).fill('');
  await submit();
  assert.deepEqual(await fieldError(page, 'metric-name'), { text: 'Give the metric a name.', invalid: true, described: true });
  await expectFocus(page, 'metric-name');
  await assertAccessible(page, 'metric form with an error');
  await nameField(page).fill('x'.repeat(256));
  await submit();
  assert.equal((await fieldError(page, 'metric-name')).text, 'At most 255 characters (this one has 256).');
  await nameField(page).fill('  NPS responses ');
  await submit();
  assert.equal((await fieldError(page, 'metric-name')).text, 'Another metric of this group type already has this name.');
  await nameField(page).fill('Valid name');
  assert.deepEqual(await fieldError(page, 'metric-name'), { text: '', invalid: false, described: false }, 'fixed name clears its error');

  // Sum needs a property.
  await page.getByRole('radio', { name: 'Sum' }).check();
  await submit();
  assert.deepEqual(await fieldError(page, 'metric-property'), { text: 'Choose the property to sum.', invalid: true, described: true });
  await expectFocus(page, 'metric-property');
  await page.getByRole('combobox', { name: 'Property to sum', exact: true }).fill('amount');

  // Interval: a whole number of days, 1 or more.
  await page.getByRole('radio', { name: 'Other' }).check();
  for (const [typed, message] of [
    ['0', 'The interval is a whole number of days, 1 or more.'],
    ['-3', 'The interval is a whole number of days, 1 or more.'],
    ['2.5', 'Enter a whole number of days, such as 7, 30 or 90.'],
    ['', 'Enter a whole number of days, such as 7, 30 or 90.'],
  ]) {
    await page.getByLabel('Number of days').fill(typed);
    await submit();
    assert.deepEqual(await fieldError(page, 'metric-interval'), { text: message, invalid: true, described: true }, `interval ${JSON.stringify(typed)}`);
  }
  await expectFocus(page, 'metric-interval');
  await page.getByLabel('Number of days').fill('10');

  // Data warehouse needs its three inputs: each empty one says so under itself (as the
  // server's message would land on the first empty one), none on the editor as a whole.
  await page.getByRole('radio', { name: 'Data warehouse' }).check();
  await page.getByRole('combobox', { name: 'Table', exact: true }).fill('bills');
  await submit();
  assert.deepEqual(await fieldError(page, 'filters-timestamp_field'), { text: "Enter the table's timestamp column.", invalid: true, described: true });
  assert.deepEqual(await fieldError(page, 'filters-key_field'), { text: 'Enter the column that holds the group key.', invalid: true, described: true });
  assert.deepEqual(await fieldError(page, 'filters-table_name'), { text: '', invalid: false, described: false });
  assert.equal(await filtersError(page), '');
  await expectFocus(page, 'filters-timestamp_field');
  await page.getByRole('combobox', { name: 'Timestamp column', exact: true }).fill('ts');
  await page.getByRole('combobox', { name: 'Key column', exact: true }).fill('  ');
  await submit();
  assert.deepEqual(await fieldError(page, 'filters-timestamp_field'), { text: '', invalid: false, described: false }, 'filled in, its message goes');
  assert.equal((await fieldError(page, 'filters-key_field')).text, 'Enter the column that holds the group key.', 'only spaces is empty');
  await assertAccessible(page, 'metric form with an empty warehouse input');

  // Raw JSON with an unknown source.
  await page.getByRole('radio', { name: 'Raw JSON' }).check();
  await page.getByLabel('Filters (JSON)').fill('{"source": "x"}');
  await submit();
  assert.equal(await filtersError(page), "Unknown source 'x': use events or data_warehouse.");
  await assertAccessible(page, 'metric form with a filters error');

  assert.deepEqual(await posts(), [], 'no create was sent for any of these');
  assert.deepEqual(await writes(), []);
  assert.equal((await sandboxMetrics(sandbox, 1, 0)).length, 61);
  assertClean();
});

test('with several errors, focus goes to the first invalid field in the form\'s order', async () => {
  const { page, assertClean } = await openNewForm();
  await clearLog();
  // Name empty (first field) and an unknown filters source (last field).
  await page.getByRole('radio', { name: 'Raw JSON' }).check();
  await page.getByLabel('Filters (JSON)').fill('{"source": "x"}');
  await page.getByRole('button', { name: 'Save metric' }).click();
  assert.equal((await fieldError(page, 'metric-name')).text, 'Give the metric a name.');
  assert.equal(await filtersError(page), "Unknown source 'x': use events or data_warehouse.");
  await expectFocus(page, 'metric-name');
  assert.deepEqual(await posts(), []);
  assertClean();
});

test('Raw JSON that does not parse stops the save (the last valid filters are not sent instead)', async () => {
  const { page, assertClean } = await openNewForm();
  await clearLog();
  await nameField(page).fill('Half typed filters');
  await page.getByRole('radio', { name: 'Raw JSON' }).check();
  const raw = page.getByLabel('Filters (JSON)');
  await raw.fill('{"events": [{"id": "paid_bill"}], "x": 1}');
  await raw.fill('{"events": [{"id": "paid_bill"}], "x": ');
  await page.locator('#filters-raw-error').filter({ hasText: /^Not valid JSON/ }).waitFor();
  assert.equal(await raw.getAttribute('aria-invalid'), 'true');
  await page.getByRole('button', { name: 'Save metric' }).click();
  await page.waitForTimeout(1000);
  assert.deepEqual(await posts(), [], 'the text on screen is not valid JSON: nothing may be sent');
  assert.equal(new URL(page.url()).pathname, '/metrics/new');
  assert.equal(await raw.inputValue(), '{"events": [{"id": "paid_bill"}], "x": ', 'the text is kept as typed');
  assertClean();
});

test('a rule only the server checks: its 400 lands on the field it is about, on top of the editor while that input is hidden, and the form is kept', async () => {
  allowWrites();
  const { page, assertClean } = await openNewForm();
  await clearLog();
  // Only the server knows the project's warehouse tables. Typed as raw JSON, the table input
  // is not on screen: the message stands on top of the filters editor instead.
  const raw = '{"source": "data_warehouse", "table_name": "nope", "timestamp_field": "ts", "key_field": "k"}';
  await nameField(page).fill('Unknown table');
  await page.getByRole('radio', { name: '30 days' }).check();
  await page.getByRole('radio', { name: 'Raw JSON' }).check();
  await page.getByLabel('Filters (JSON)').fill(raw);
  await page.getByRole('button', { name: 'Save metric' }).click();
  await page.locator('#filters-error').filter({ hasText: "Data warehouse table 'nope' does not exist." }).waitFor();
  assert.match(await page.locator('fieldset.filters-editor').getAttribute('aria-describedby') ?? '', /filters-error/);
  await expectFocus(page, 'filters-raw');
  assert.equal(await page.getByRole('alert').filter({ hasText: 'The server rejected a value' }).count(), 0,
    'a placed validation error is not repeated in a panel');
  const sent = await posts();
  assert.deepEqual(sent.map((r) => r.status), [400]);
  assert.deepEqual(sent[0].body.filters, JSON.parse(raw));
  assert.equal(await nameField(page).inputValue(), 'Unknown table');
  assert.equal(await page.getByRole('radio', { name: '30 days' }).isChecked(), true);
  assert.equal(await page.getByLabel('Filters (JSON)').inputValue(), raw);
  assert.equal(new URL(page.url()).pathname, '/metrics/new');
  assert.equal((await sandboxMetrics(sandbox, 1, 0)).length, 61);
  await assertAccessible(page, 'metric form with a server validation error');

  // Back in the warehouse inputs, the message is under the table's.
  await page.getByRole('radio', { name: 'Data warehouse' }).check();
  assert.deepEqual(await fieldError(page, 'filters-table_name'),
    { text: "Data warehouse table 'nope' does not exist.", invalid: true, described: true });
  assert.equal(await filtersError(page), '');

  // Corrected, it saves.
  await page.getByRole('radio', { name: 'Raw JSON' }).check();
  await page.getByLabel('Filters (JSON)').fill('{"events": []}');
  const id = await saveAndWait(page, 'Unknown table');
  assert.deepEqual((await stored(0, id)).filters, { events: [] });
  assertClean([statusLogged(400, `${sandbox.url}${METRICS0}`)]);
});

test('an edit to a name taken by someone else after the form loaded: the PATCH\'s 500 is told on Name, and the names read again are checked from then on', async () => {
  allowWrites();
  const { page, assertClean } = await openAt(metricUrl(sandbox, 0, LOGINS, { edit: true }));
  await page.getByRole('heading', { name: 'Edit “Logins”', level: 1 }).waitFor();
  // Another user creates the name while this form is open (the form's name list is from before).
  const other = await sandboxApi(sandbox, 'POST', METRICS0, { name: 'Taken meanwhile', filters: {} });
  assert.equal(other.status, 201);
  await clearLog();
  await nameField(page).fill('Taken meanwhile');
  await page.getByRole('button', { name: 'Save metric' }).click();
  const message = 'Another metric named “Taken meanwhile” was created meanwhile; choose another name.';
  await page.locator('#metric-name-error').filter({ hasText: message }).waitFor();
  assert.deepEqual(await fieldError(page, 'metric-name'), { text: message, invalid: true, described: true });
  assert.equal(await page.getByRole('alert').count(), 0, 'no server-error panel once the cause is known');
  assert.equal(await nameField(page).inputValue(), 'Taken meanwhile');
  assert.equal(new URL(page.url()).pathname, `/metrics/${LOGINS}/edit`);
  assert.deepEqual((await patches()).map((r) => [r.body, r.status]), [[{ name: 'Taken meanwhile' }, 500]]);
  const reads = (await apiRequests(sandbox)).filter((r) => r.method === 'GET');
  assert.deepEqual(reads.map((r) => r.path), [`${METRICS0}${LOGINS}/`, METRICS0],
    'the metric read again before the PATCH (issue 32), then one read of the names');
  assert.equal((await stored(0, LOGINS)).name, 'Logins', 'the edited metric is unchanged');
  assert.equal((await sandboxMetrics(sandbox, 1, 0)).filter((m) => m.name === 'Taken meanwhile').length, 1);
  await assertAccessible(page, 'metric form with a name taken meanwhile');

  // The same save again is stopped before sending: the names read are the form's now.
  await page.getByRole('button', { name: 'Save metric' }).click();
  assert.equal((await fieldError(page, 'metric-name')).text, 'Another metric of this group type already has this name.');
  await page.waitForTimeout(500);
  assert.equal((await patches()).length, 1, 'no second PATCH');
  assertClean([statusLogged(500, `${sandbox.url}${METRICS0}`)]);
});

// ---- Editing ----

test('an edit sends one PATCH with only the changed field, and unknown filter keys survive', async () => {
  allowWrites();
  const seeded = (await sandboxMetrics(sandbox, 1, 0)).find((m) => m.id === NPS);
  assert.ok(seeded.filters.x_owner && seeded.filters.breakdown && seeded.filters.date_from, 'the seed has unknown filter keys');
  const { page, assertClean } = await openList(0, { offset: 50 });
  await metricTable(page).getByRole('link', { name: 'Edit NPS responses' }).click();
  await page.getByRole('heading', { name: 'Edit “NPS responses”', level: 1 }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/metrics/${NPS}/edit`);
  await assertAccessible(page, 'edit metric form');
  assert.equal(await nameField(page).inputValue(), 'NPS responses');
  assert.equal(await page.getByRole('radio', { name: '90 days' }).isChecked(), true);
  assert.equal(await page.getByRole('combobox', { name: 'Event 1 name', exact: true }).inputValue(), 'survey sent');
  await clearLog();

  // Saving with nothing changed sends nothing.
  await page.getByRole('button', { name: 'Save metric' }).click();
  await notice(page, 'Nothing to save: no field changed.').waitFor();
  assert.deepEqual(await patches(), []);

  await page.getByRole('radio', { name: '30 days' }).check();
  await saveAndWait(page, 'NPS responses', 'Saved');
  let sent = await patches();
  assert.equal(sent.length, 1);
  assert.equal(sent[0].path, `${METRICS0}${NPS}/`);
  assert.equal(sent[0].status, 200);
  assert.deepEqual(sent[0].body, { interval: 30 });
  const { id: _, ...seededFields } = seeded;
  assert.deepEqual(await stored(0, NPS), { ...seededFields, interval: 30 }, 'only the interval changed');
  assert.equal((await details(page)).find(([t]) => t === 'Interval')[1], '30 days');

  // Changing the filters sends them whole, with every key the editor does not show.
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await page.getByRole('heading', { name: 'Edit “NPS responses”', level: 1 }).waitFor();
  await clearLog();
  await page.getByLabel('Filter out internal and test accounts').check();
  await saveAndWait(page, 'NPS responses', 'Saved');
  sent = await patches();
  assert.equal(sent.length, 1);
  const filters = { ...seeded.filters, filter_test_accounts: true };
  assert.deepEqual(sent[0].body, { filters });
  const after = await stored(0, NPS);
  assert.deepEqual(after.filters, filters);
  assert.deepEqual(after.filters.x_owner, { team: 'customer-success', reviewed: true });
  assert.deepEqual(after.filters.events[0].properties, seeded.filters.events[0].properties);
  assert.equal(after.interval, 30);
  assertClean();
});

test('double-clicking Save creates one metric; the button says Saving… and is disabled meanwhile', async () => {
  allowWrites();
  const { page, assertClean } = await openNewForm();
  await setSwitches(sandbox, { latency_ms: 1000 });
  await clearLog();
  await nameField(page).fill('Clicked twice');
  await page.getByRole('button', { name: 'Save metric' }).dblclick();
  const busy = page.getByRole('button', { name: 'Saving…' });
  await busy.waitFor();
  // Marked disabled for assistive technology, yet focusable: a disabled button would drop focus.
  assert.equal(await busy.getAttribute('aria-disabled'), 'true');
  // Enter in a field does not submit again either.
  await nameField(page).press('Enter');
  await page.getByRole('heading', { name: 'Clicked twice', level: 1 }).waitFor({ timeout: 10_000 });
  await setSwitches(sandbox, { latency_ms: 0 });
  await page.waitForTimeout(500);
  assert.equal((await posts()).length, 1);
  assert.equal((await sandboxMetrics(sandbox, 1, 0)).filter((m) => m.name === 'Clicked twice').length, 1);
  assertClean();
});

test('a failed save keeps every field, and the same form saves once the server recovers', async () => {
  allowWrites();
  const { page, assertClean } = await openNewForm();
  await setSwitches(sandbox, { failure_rate: 1 });
  await clearLog();
  await nameField(page).fill('Retry me');
  await page.getByRole('radio', { name: '30 days' }).check();
  await page.getByLabel('Format').selectOption('currency');
  await page.getByRole('radio', { name: 'Sum' }).check();
  await page.getByRole('combobox', { name: 'Property to sum', exact: true }).fill('amount');
  await page.getByRole('button', { name: 'Add event' }).click();
  await page.getByRole('combobox', { name: 'Event 1 name', exact: true }).fill('paid_bill');
  await page.getByRole('button', { name: 'Save metric' }).click();

  const alert = page.getByRole('alert').filter({ hasText: 'The server had a problem' });
  await alert.waitFor();
  assert.match(await alert.innerText(), /500/);
  assert.equal(new URL(page.url()).pathname, '/metrics/new');
  assert.equal(await nameField(page).inputValue(), 'Retry me');
  assert.equal(await page.getByRole('radio', { name: '30 days' }).isChecked(), true);
  assert.equal(await page.getByLabel('Format').inputValue(), 'currency');
  assert.equal(await page.getByRole('radio', { name: 'Sum' }).isChecked(), true);
  assert.equal(await page.getByRole('combobox', { name: 'Property to sum', exact: true }).inputValue(), 'amount');
  assert.equal(await page.getByRole('combobox', { name: 'Event 1 name', exact: true }).inputValue(), 'paid_bill');
  assert.equal(await page.getByRole('button', { name: 'Save metric' }).isEnabled(), true);
  assert.equal((await sandboxMetrics(sandbox, 1, 0)).length, 61);
  await assertAccessible(page, 'metric form after a failed save');

  await setSwitches(sandbox, { failure_rate: 0 });
  const id = await saveAndWait(page, 'Retry me');
  const sent = await posts();
  assert.deepEqual(sent.map((r) => r.status), [500, 201]);
  assert.deepEqual(sent[1].body, sent[0].body);
  assert.deepEqual(await stored(0, id), {
    name: 'Retry me', format: 'currency', interval: 30, display: 'number', math: 'sum', math_property: 'amount',
    filters: { events: [{ id: 'paid_bill', name: 'paid_bill', type: 'events', order: 0 }] },
  });
  // The pickers' searches, sent while typing, failed too (their message is in the picker).
  assertClean([statusLogged(500, `${sandbox.url}${METRICS0}`),
    statusLogged(500, `${sandbox.url}/api/projects/1/event_definitions/`),
    statusLogged(500, `${sandbox.url}/api/projects/1/property_definitions/`)]);
});

test('unsaved form edits are guarded: links ask first, closing the tab asks, a save ends the question', async () => {
  allowWrites();
  const { page, assertClean } = await openAt(metricUrl(sandbox, 0, LOGINS, { edit: true }));
  await page.getByRole('heading', { name: 'Edit “Logins”', level: 1 }).waitFor();
  const dialogs = [];
  let answer = 'dismiss';
  page.on('dialog', async (d) => {
    dialogs.push({ type: d.type(), message: d.message() });
    if (answer === 'accept') await d.accept(); else await d.dismiss();
  });
  await clearLog();
  const question = 'You have unsaved changes. Leave this page and lose them?';

  // Untouched, Cancel leaves without asking.
  await page.getByRole('link', { name: 'Cancel' }).click();
  await page.getByRole('heading', { name: 'Logins', level: 1 }).waitFor();
  assert.deepEqual(dialogs, []);
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await page.getByRole('heading', { name: 'Edit “Logins”', level: 1 }).waitFor();

  await nameField(page).fill('Logins renamed');
  for (const link of [page.getByRole('link', { name: 'Group types', exact: true }), page.getByRole('link', { name: 'Cancel' })]) {
    await link.click();
    assert.deepEqual(dialogs.at(-1), { type: 'confirm', message: question });
    assert.equal(new URL(page.url()).pathname, `/metrics/${LOGINS}/edit`);
    assert.equal(await nameField(page).inputValue(), 'Logins renamed');
  }
  assert.equal(dialogs.length, 2);

  // Closing the tab asks through beforeunload; staying keeps the edit.
  const asked = new Promise((ok) => page.once('dialog', (d) => ok(d.type())));
  await page.close({ runBeforeUnload: true });
  assert.equal(await asked, 'beforeunload');
  assert.equal(page.isClosed(), false);
  assert.equal(await nameField(page).inputValue(), 'Logins renamed');

  // Accepting leaves and stores nothing.
  answer = 'accept';
  await page.getByRole('link', { name: 'Cancel' }).click();
  await page.getByRole('heading', { name: 'Logins', level: 1 }).waitFor();
  assert.equal(dialogs.length, 4);
  assert.deepEqual(await patches(), []);
  assert.equal((await stored(0, LOGINS)).name, 'Logins');

  // After a save, leaving asks nothing.
  answer = 'dismiss';
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await page.getByRole('heading', { name: 'Edit “Logins”', level: 1 }).waitFor();
  await nameField(page).fill('Sign-ins');
  await saveAndWait(page, 'Sign-ins', 'Saved');
  await page.getByRole('link', { name: 'Group types', exact: true }).click();
  await page.getByRole('heading', { name: 'Group types', level: 1 }).waitFor();
  assert.equal(dialogs.length, 4, 'no question once saved');
  assert.deepEqual((await patches()).map((r) => r.body), [{ name: 'Sign-ins' }]);
  assertClean();
});

// ---- Undoable deletes ----

/** The lines of the pending-deletes region (hidden when empty), whitespace collapsed. */
const pendingLines = (page) => page.locator('div.pending-deletes p')
  .evaluateAll((ps) => ps.map((p) => p.textContent.replace(/\s+/g, ' ').trim()));
const deletes = async () => (await apiRequests(sandbox)).filter((r) => r.method === 'DELETE');

/** Waits until the sandbox has logged `n` metric DELETEs (or the time is up); returns them. */
async function waitForDeletes(n, timeout = 10_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const found = await deletes();
    if (found.length >= n || Date.now() > end) return found;
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

test('a deleted row goes at once and Undo brings it back: no DELETE is ever sent', async () => {
  const seeded = await sandboxMetrics(sandbox, 1, 0);
  const { page, assertClean } = await openList(0);
  await clearLog();
  await metricTable(page).getByRole('button', { name: 'Delete Logins', exact: true }).click();
  await metricTable(page).getByRole('link', { name: 'Logins', exact: true }).waitFor({ state: 'detached' });
  // The page stays full: paged in the browser, the next metric moves up.
  assert.deepEqual(await rowNames(page), seeded.map((m) => m.name).filter((n) => n !== 'Logins').slice(0, 25));
  const region = deletedRegion(page);
  assert.deepEqual(await pendingLines(page), ['Deleted “Logins”. Undo']);
  const undo = region.getByRole('button', { name: 'Undo delete of Logins' });
  await undo.waitFor();
  await assertAccessible(page, 'metrics list with a pending delete');

  await undo.click();
  await metricTable(page).getByRole('link', { name: 'Logins', exact: true }).waitFor();
  assert.deepEqual(await rowNames(page), seeded.slice(0, 25).map((m) => m.name), 'back in its place');
  assert.deepEqual(await pendingLines(page), []);

  // Well past the undo window: nothing was sent, the server still has it.
  await page.waitForTimeout(7000);
  assert.deepEqual(await deletes(), []);
  assert.deepEqual(await writes(), []);
  assert.ok((await sandboxMetrics(sandbox, 1, 0)).some((m) => m.id === LOGINS));
  assert.deepEqual(await rowNames(page), seeded.slice(0, 25).map((m) => m.name));
  assertClean();
});

test('three deletes and an Undo of the second: the first and third reach the server after the window', async () => {
  allowWrites();
  const seeded = await sandboxMetrics(sandbox, 1, 0);
  const byName = Object.fromEntries(seeded.map((m) => [m.name, m.id]));
  const { page, assertClean } = await openList(0);
  // Counts every moment the list's table leaves the page: the list read again after the
  // deletes must replace its rows in place, never swap the table for a loading line.
  await page.evaluate(() => {
    window.__tableGone = 0;
    new MutationObserver(() => {
      if (!document.getElementById('metric-results')) window.__tableGone += 1;
    }).observe(document.getElementById('main'), { childList: true, subtree: true });
  });
  await clearLog();
  const three = ['Logins', 'Projects created', 'Invoices sent'];
  for (const name of three) {
    await metricTable(page).getByRole('button', { name: `Delete ${name}`, exact: true }).click();
    await metricTable(page).getByRole('link', { name, exact: true }).waitFor({ state: 'detached' });
  }
  const region = deletedRegion(page);
  assert.deepEqual(await pendingLines(page), three.map((n) => `Deleted “${n}”. Undo`));
  await region.getByRole('button', { name: 'Undo delete of Projects created' }).click();
  await metricTable(page).getByRole('link', { name: 'Projects created', exact: true }).waitFor();
  assert.deepEqual(await pendingLines(page), ['Deleted “Logins”. Undo', 'Deleted “Invoices sent”. Undo']);

  // Still inside the window: nothing sent yet.
  await page.waitForTimeout(3000);
  assert.deepEqual(await deletes(), [], 'nothing is sent during the undo window');

  const sent = await waitForDeletes(2);
  await page.waitForTimeout(500);
  assert.deepEqual((await deletes()).map((r) => [r.path, r.status]).sort(), [
    [`${METRICS0}${byName.Logins}/`, 204],
    [`${METRICS0}${byName['Invoices sent']}/`, 204],
  ].sort());
  assert.equal(sent.length, 2);
  const left = (await sandboxMetrics(sandbox, 1, 0)).map((m) => m.name);
  assert.ok(!left.includes('Logins') && !left.includes('Invoices sent'));
  assert.ok(left.includes('Projects created'));
  assert.equal(left.length, 59);

  // The list reloads from the server once the deletes are through.
  await range(page).filter({ hasText: '1–25 of 59' }).waitFor();
  const names = await rowNames(page);
  assert.deepEqual(names, left.slice(0, 25));
  assert.deepEqual(await pendingLines(page), []);
  assert.equal(await page.evaluate(() => window.__tableGone), 0, 'the table stayed while the list was read again');
  assertClean();
});

test('a delete waiting for its undo is sent when the page closes (after the leave question)', async () => {
  allowWrites();
  const { page, assertClean } = await openList(0);
  await clearLog();
  await metricTable(page).getByRole('button', { name: 'Delete Logins', exact: true }).click();
  await deletedRegion(page).getByRole('button', { name: 'Undo delete of Logins' }).waitFor();
  const clickedAt = Date.now();

  // Closing asks; staying keeps the pending delete.
  let answer = 'dismiss';
  const types = [];
  page.on('dialog', async (d) => {
    types.push(d.type());
    if (answer === 'accept') await d.accept(); else await d.dismiss();
  });
  await page.close({ runBeforeUnload: true });
  await page.waitForTimeout(200);
  assert.deepEqual(types, ['beforeunload']);
  assert.equal(page.isClosed(), false);
  await deletedRegion(page).getByRole('button', { name: 'Undo delete of Logins' }).waitFor();
  assert.deepEqual(await deletes(), []);
  assertClean();

  answer = 'accept';
  const closed = new Promise((ok) => page.once('close', ok));
  await page.close({ runBeforeUnload: true });
  await closed;
  assert.deepEqual(types, ['beforeunload', 'beforeunload']);
  // Sent on the way out (the page's 6 s timer died with it).
  const sent = await waitForDeletes(1, 3000);
  assert.ok(Date.now() - clickedAt < 6000, 'sent before the undo window would have ended');
  assert.deepEqual(sent.map((r) => [r.path, r.status]), [[`${METRICS0}${LOGINS}/`, 204]]);
  assert.ok(!(await sandboxMetrics(sandbox, 1, 0)).some((m) => m.id === LOGINS));
});

test('deleting from the metric page returns to the list with the same Undo', async () => {
  allowWrites();
  const { page, assertClean } = await openAt(metricUrl(sandbox, 0, LOGINS));
  await page.getByRole('heading', { name: 'Logins', level: 1 }).waitFor();
  await clearLog();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await metricTable(page).waitFor();
  assert.equal(new URL(page.url()).pathname, '/metrics');
  assert.ok(!(await rowNames(page)).includes('Logins'));
  const undo = deletedRegion(page).getByRole('button', { name: 'Undo delete of Logins' });
  await undo.click();
  await metricTable(page).getByRole('link', { name: 'Logins', exact: true }).waitFor();
  await page.waitForTimeout(6500);
  assert.deepEqual(await deletes(), []);
  assertClean();
});

// ---- Hostile and longest names ----

const HOSTILE = '<img src=x onerror=alert(1)>';
const LONGEST = ('Überlänge ' + 'abcdefghij'.repeat(30)).slice(0, 254) + 'Z';

/** Fails if the page holds any <img> or an element named like the name's markup. */
async function assertNoMarkup(page, where) {
  const found = await page.evaluate(() => ({
    imgs: document.querySelectorAll('img').length,
    html: document.body.innerHTML.includes('<img'),
  }));
  assert.deepEqual(found, { imgs: 0, html: false }, `no <img> created on ${where}`);
}

for (const [label, name] of [['markup', HOSTILE], ['255 characters', LONGEST]]) {
  test(`a metric name of ${label} is shown as text everywhere`, async () => {
    allowWrites();
    assert.equal([...name].length, name === LONGEST ? 255 : name.length);
    const { page, assertClean } = await openNewForm();
    const dialogs = [];
    page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
    await nameField(page).fill(name);
    const id = await saveAndWait(page, name);
    assert.equal((await stored(0, id)).name, name);

    // Metric page: the heading is the text, with no child elements but the line-break
    // opportunities a long token gets (<wbr>, issue 27).
    const h1 = page.getByRole('heading', { level: 1 });
    assert.deepEqual(await h1.evaluate((h) => [h.textContent, [...h.children].filter((c) => c.tagName !== 'WBR').length]), [name, 0]);
    await notice(page, `Created the metric “${name}”.`).waitFor();
    await assertNoMarkup(page, 'metric page');

    // Edit form: title and field.
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await page.getByRole('heading', { name: `Edit “${name}”`, exact: true, level: 1 }).waitFor();
    assert.equal(await page.getByRole('heading', { level: 1 }).evaluate((h) => h.children.length), 0);
    assert.equal(await nameField(page).inputValue(), name);
    await assertNoMarkup(page, 'edit form');

    // List: row header, action labels.
    await page.goto(metricsUrl(sandbox, 0, { limit: 100 }));
    await range(page).filter({ hasText: '1–62 of 62' }).waitFor();
    const link = metricTable(page).getByRole('link', { name, exact: true });
    assert.deepEqual(await link.evaluate((a) => [a.textContent, [...a.children].filter((c) => c.tagName !== 'WBR').length]), [name, 0]);
    await metricTable(page).getByRole('link', { name: `Edit ${name}`, exact: true }).waitFor();
    await assertNoMarkup(page, 'list');
    await assertAccessible(page, `list with a ${label} name`);

    // Delete notice and its Undo.
    await metricTable(page).getByRole('button', { name: `Delete ${name}`, exact: true }).click();
    const line = deletedRegion(page).locator('p');
    await line.waitFor();
    assert.equal((await line.innerText()).replace(/\s+Undo$/, ''), `Deleted “${name}”.`);
    assert.equal(await line.evaluate((p) => p.querySelectorAll('*').length), 1, 'only the Undo button inside');
    await assertNoMarkup(page, 'delete notice');
    await deletedRegion(page).getByRole('button', { name: `Undo delete of ${name}`, exact: true }).click();
    await link.waitFor();

    assert.deepEqual(dialogs, [], 'no script ran');
    assertClean();
  });
}

// ---- A key that may only read ----

/** Connects with the read-only demo key; resolves on the group types screen. */
async function openReadOnly() {
  return openConnectedAt(browser.context, sandbox, null, { key: 'phx_sandbox_read_only' }, (page) => opened.push(page));
}

/** Which write controls the metrics list offers. */
async function listWriteControls(page) {
  return {
    newMetric: await page.getByRole('link', { name: 'New metric' }).count(),
    import: await page.getByRole('button', { name: 'Import', exact: true }).count(),
    rowEdit: await metricTable(page).getByRole('link', { name: /^Edit / }).count(),
    rowCopyDelete: await metricTable(page).getByRole('button', { name: /^(Copy|Delete) / }).count(),
  };
}
const NO_WRITE_CONTROLS = { newMetric: 0, import: 0, rowEdit: 0, rowCopyDelete: 0 };

/** Chromium's lines for the connect-time probes a read-only key is refused (403), and nothing else. */
const readOnlyProbes = () => [
  statusLogged(403, `${sandbox.url}/api/projects/1/groups_types/0/metrics/00000000-0000-0000-0000-000000000000/`),
  statusLogged(403, `${sandbox.url}/api/projects/1/groups_types/99/`),
  statusLogged(403, `${sandbox.url}/api/projects/1/groups_types/update_metadata/`),
];

test('with a read-only key, the list and the metric page offer nothing that writes', async () => {
  const { page, assertClean } = await openReadOnly();
  await page.getByRole('link', { name: 'Usage metrics', exact: true }).click();
  await metricTable(page).waitFor();
  await clearLog();
  assert.deepEqual(await listWriteControls(page), NO_WRITE_CONTROLS);
  assert.equal(await page.getByRole('button', { name: 'Export' }).count(), 1, 'reading is enough to export');
  await assertAccessible(page, 'read-only metrics list');

  await metricTable(page).getByRole('link', { name: 'Logins', exact: true }).click();
  await page.getByRole('heading', { name: 'Logins', level: 1 }).waitFor();
  assert.deepEqual({
    edit: await page.getByRole('link', { name: 'Edit', exact: true }).count(),
    delete: await page.getByRole('button', { name: 'Delete', exact: true }).count(),
  }, { edit: 0, delete: 0 }, 'the metric page offers no Edit or Delete to a key that cannot write');
  assert.deepEqual(await writes(), []);
  assertClean(readOnlyProbes());
});

test('with a read-only key, a reload or deep link of the list still offers nothing that writes', async () => {
  const { page, assertClean } = await openReadOnly();
  await page.getByRole('link', { name: 'Usage metrics', exact: true }).click();
  await metricTable(page).waitFor();
  assert.deepEqual(await listWriteControls(page), NO_WRITE_CONTROLS, 'reached in-app');
  await page.reload();
  await metricTable(page).waitFor();
  assert.deepEqual(await listWriteControls(page), NO_WRITE_CONTROLS, 'after a reload');
  await page.goto(metricsUrl(sandbox, 1));
  await metricTable(page).waitFor();
  assert.deepEqual(await listWriteControls(page), NO_WRITE_CONTROLS, 'deep link to another group type');
  assertClean(readOnlyProbes());
});
