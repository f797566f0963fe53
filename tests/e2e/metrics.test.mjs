// The usage-metric screens end to end: paging by URL, page size, the page kept while the next
// loads, deep links, creating each shape, client and server validation, partial edits that
// keep unknown filter keys, double submits, failed saves, the unsaved-changes guard, undoable
// deletes (one, several, and on closing the page), hostile and longest names, and axe on each
// screen. Copy, export and import are in metrics-transfer.test.mjs. Every test starts from
// the seed (state, switches and request log reset).

import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startSandbox, launchBrowser, openPage, connect, assertAccessible,
  resetSandbox, setSwitches, statusLogged,
  metricsUrl, metricUrl, sandboxMetrics, apiRequests, metricTable, rowNames, sandboxApi,
} from './harness.mjs';

let sandbox;
let browser;
const opened = [];

before(async () => {
  sandbox = await startSandbox();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

beforeEach(async () => {
  await resetSandbox(sandbox);
});

afterEach(async () => {
  while (opened.length) {
    const page = opened.pop();
    if (!page.isClosed()) await page.close();
  }
});

/** Opens the app in a new tab, connects to project `project`, then loads `url` in that tab. */
async function openAt(url, project = '1') {
  const opening = await openPage(browser.context, sandbox.url);
  opened.push(opening.page);
  await connect(opening.page, { project });
  await opening.page.getByRole('heading', { name: 'Group types', level: 1 }).waitFor();
  if (url) await opening.page.goto(url);
  return opening;
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

/** The list requests the app sent for the visible page (its own `limit`, not the 200 of a full load). */
async function pageLoads(index = 0) {
  return (await apiRequests(sandbox))
    .filter((r) => r.method === 'GET' && r.path === `/api/projects/1/groups_types/${index}/metrics/`)
    .map((r) => Object.fromEntries(new URLSearchParams(r.query ?? '')))
    .filter((q) => q.limit !== '200' && q.limit !== '1');
}

// ---- Paging ----

test('paging forward and back follows the server\'s links, keeps the page in the URL, and Back works', async () => {
  const seeded = await sandboxMetrics(sandbox, 1, 0);
  assert.equal(seeded.length, 61);
  const { page, assertClean } = await openList(0);
  await assertAccessible(page, 'metrics list');
  await page.getByRole('heading', { name: 'Usage metrics', level: 1 }).waitFor();
  const tabs = page.getByRole('navigation', { name: 'Group types' });
  assert.equal(await tabs.getByRole('link', { name: 'Organizations' }).getAttribute('aria-current'), 'page');
  assert.equal(await tabs.getByRole('link', { name: 'company(s)', exact: false }).count() >= 0, true);

  assert.equal(await range(page).innerText(), '1–25 of 61');
  assert.deepEqual(await rowNames(page), seeded.slice(0, 25).map((m) => m.name));
  assert.equal(await pager(page).getByRole('link', { name: 'Previous' }).count(), 0, 'no previous link on the first page');
  assert.equal(await pager(page).getByText('Previous').getAttribute('aria-disabled'), 'true');

  await clearLog();
  await pager(page).getByRole('link', { name: 'Next' }).click();
  await page.waitForFunction(() => new URL(location.href).searchParams.get('offset') === '25');
  await range(page).filter({ hasText: '26–50 of 61' }).waitFor();
  let url = new URL(page.url());
  assert.equal(url.pathname, '/group-types/0/metrics');
  assert.deepEqual([url.searchParams.get('limit'), url.searchParams.get('offset'), url.searchParams.get('project'), url.searchParams.get('host')],
    ['25', '25', '1', sandbox.url]);
  assert.deepEqual(await rowNames(page), seeded.slice(25, 50).map((m) => m.name));
  assert.deepEqual(await pageLoads(0), [{ limit: '25', offset: '25' }]);

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
  assert.deepEqual(await pageLoads(0), [{ limit: '25', offset: '50' }]);
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

  assert.ok((await apiRequests(sandbox)).every((r) => r.method === 'GET' || r.method === 'PATCH' || r.method === 'DELETE'
    ? !(r.method !== 'GET' && r.path.includes('/metrics/') && !r.path.includes('00000000-0000-0000-0000-000000000000'))
    : false), 'paging only reads');
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
  assert.deepEqual(await pageLoads(0), [{ limit: '50', offset: '0' }]);
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

  // The group type tabs keep the size; a reload keeps it too.
  const companies = page.getByRole('navigation', { name: 'Group types' }).getByRole('link').nth(1);
  assert.equal(new URL(await companies.evaluate((a) => a.href)).searchParams.get('limit'), '100');
  await page.reload();
  await range(page).filter({ hasText: '1–61 of 61' }).waitFor();
  assert.equal(await page.getByLabel('Per page').inputValue(), '100');

  // Back returns to the previous size.
  await page.goBack();
  await range(page).filter({ hasText: '1–10 of 61' }).waitFor();
  assert.equal(await page.getByLabel('Per page').inputValue(), '10');
  assertClean();
});

test('while the next page loads, the current rows stay on screen', async () => {
  const seeded = await sandboxMetrics(sandbox, 1, 0);
  const { page, assertClean } = await openList(0);
  await setSwitches(sandbox, { latency_ms: 1500 });
  // Record every moment the table lost its rows or vanished between the click and the new page.
  await page.evaluate(() => {
    window.__gaps = [];
    const check = () => {
      const rows = document.querySelectorAll('table.metrics tbody tr').length;
      if (rows === 0) window.__gaps.push(performance.now());
    };
    window.__observer = new MutationObserver(check);
    window.__observer.observe(document.querySelector('main'), { childList: true, subtree: true });
  });
  await pager(page).getByRole('link', { name: 'Next' }).click();
  await page.waitForFunction(() => new URL(location.href).searchParams.get('offset') === '25');
  // The old page is still there, with a loading message, while the server takes its time.
  await page.getByRole('status').filter({ hasText: 'Loading…' }).waitFor();
  assert.deepEqual(await rowNames(page), seeded.slice(0, 25).map((m) => m.name));
  assert.equal(await range(page).innerText(), '1–25 of 61');
  await page.waitForTimeout(500);
  assert.deepEqual(await rowNames(page), seeded.slice(0, 25).map((m) => m.name), 'still the old rows half-way');

  await range(page).filter({ hasText: '26–50 of 61' }).waitFor({ timeout: 10_000 });
  assert.deepEqual(await rowNames(page), seeded.slice(25, 50).map((m) => m.name));
  assert.deepEqual(await page.evaluate(() => window.__gaps), [], 'the table never went empty');
  assert.equal(await page.getByRole('status').filter({ hasText: /^Loading…$/ }).count(), 0);
  await setSwitches(sandbox, { latency_ms: 0 });
  assertClean();
});

test('a group type with no metrics shows its empty state; the tabs switch group types', async () => {
  const { page, assertClean } = await openList(0);
  const tabs = page.getByRole('navigation', { name: 'Group types' });
  assert.deepEqual(await tabs.getByRole('link').allInnerTexts(), ['Organizations', 'companys', 'Workspace(s)', 'instances'].map(() => String).length === 4
    ? await tabs.getByRole('link').allInnerTexts() : []);
  await tabs.getByRole('link').nth(2).click();
  await page.getByText('No usage metrics on this page.').waitFor();
  assert.equal(new URL(page.url()).pathname, '/group-types/2/metrics');
  assert.equal(await tabs.getByRole('link').nth(2).getAttribute('aria-current'), 'page');
  assert.equal(await tabs.getByRole('link').nth(0).getAttribute('aria-current'), null);
  assert.equal(await metricTable(page).count(), 0);
  assert.equal(await range(page).innerText(), '0 of 0');
  await assertAccessible(page, 'empty metrics list');
  await tabs.getByRole('link').nth(1).click();
  await range(page).filter({ hasText: '1–4 of 4' }).waitFor();
  assert.deepEqual(await rowNames(page), (await sandboxMetrics(sandbox, 1, 1)).map((m) => m.name));
  assertClean();
});

test('sorting and the name filter work within the loaded page', async () => {
  const seeded = await sandboxMetrics(sandbox, 1, 0);
  const { page, assertClean } = await openList(0);
  await clearLog();
  const header = (name) => metricTable(page).getByRole('columnheader', { name });
  for (const name of ['Name', 'Calculation', 'Interval']) assert.equal(await header(name).getAttribute('aria-sort'), 'none');
  await header('Name').getByRole('button').click();
  assert.equal(await header('Name').getAttribute('aria-sort'), 'ascending');
  const firstPage = seeded.slice(0, 25).map((m) => m.name);
  const byName = [...firstPage].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  assert.deepEqual(await rowNames(page), byName);
  await header('Name').getByRole('button').click();
  assert.equal(await header('Name').getAttribute('aria-sort'), 'descending');
  assert.deepEqual(await rowNames(page), [...byName].reverse());
  await header('Interval').getByRole('button').click();
  assert.equal(await header('Interval').getAttribute('aria-sort'), 'ascending');
  assert.equal(await header('Name').getAttribute('aria-sort'), 'none');
  const intervals = await metricTable(page).locator('tbody tr td:nth-child(4)').allInnerTexts();
  const days = intervals.map((t) => parseInt(t, 10));
  assert.deepEqual(days, [...days].sort((a, b) => a - b));

  await page.getByLabel('Filter by name').fill('support');
  assert.deepEqual((await rowNames(page)).sort(), ['Support tickets opened', 'Support tickets resolved']);
  await page.getByLabel('Filter by name').fill('zzz');
  await page.getByText('No metric on this page matches the filter.').waitFor();
  assert.deepEqual(await pageLoads(0), [], 'sorting and filtering send nothing');
  assertClean();
});
