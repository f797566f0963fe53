// Request discipline: a view seen in the last 30 s comes back at once and is checked with one
// request; identical reads in flight at once are sent once; writes drop what was kept.

import {
  test, before, after, beforeEach, afterEach,
} from 'node:test';
import assert from 'node:assert/strict';
import {
  browserSuite, openPage, connect, sandboxApi, metricTable, metricsUrl, recordRequests,
  allowWrites,
} from './harness.mjs';

let sandbox;
let browser;
const { opened } = browserSuite({ before, after, beforeEach, afterEach }, {
  ready: (suite) => ({ sandbox, browser } = suite),
});

const table = (page) => page.getByRole('table', { name: 'Group types of this project' });
const singular = (page, key) => page.getByLabel(`Singular name of ${key}`, { exact: true });
const LIST = '/api/projects/1/groups_types/';
const METRICS_0 = '/api/projects/1/groups_types/0/metrics/';

async function start() {
  const { page, assertClean } = await openPage(browser.context, sandbox.url);
  opened.push(page);
  return { page, assertClean };
}

/**
 * Holds the page's GETs whose path is `path` (answered by the real server once released),
 * and counts them.
 */
async function hold(page, path) {
  const gate = { count: 0, release: () => {} };
  const released = new Promise((ok) => { gate.release = ok; });
  await page.route((url) => url.pathname === path, async (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    gate.count += 1;
    await released;
    return route.continue();
  });
  return gate;
}

test('going back to the group types shows them at once, then one request brings the change', async () => {
  const { page, assertClean } = await start();
  await connect(page);
  await table(page).waitFor();
  await page.getByRole('link', { name: 'Usage metrics', exact: true }).click();
  await metricTable(page).waitFor();
  // Someone else renames a group type meanwhile.
  await sandboxApi(sandbox, 'PATCH', `${LIST}update_metadata/`, [
    { group_type_index: 1, name_singular: 'Client', name_plural: 'Clients' },
  ]);
  const gate = await hold(page, LIST);
  await page.getByRole('link', { name: 'Group types', exact: true }).click();
  // The answer seen before is shown while the check is still held.
  await table(page).waitFor({ timeout: 2000 });
  assert.equal(await singular(page, 'company').inputValue(), '');
  assert.equal(gate.count, 1, 'one request checks the shown list');
  gate.release();
  await page.waitForFunction(
    () => document.querySelector('input[aria-label="Singular name of company"]')?.value === 'Client',
  );
  assert.equal(gate.count, 1, 'and no other request');
  assertClean();
});

test('going back to a page of metrics shows it at once and sends nothing (paging is in the browser)', async () => {
  const { page, assertClean } = await start();
  await connect(page);
  await page.goto(metricsUrl(sandbox, 0));
  await metricTable(page).waitFor();
  const first = await metricTable(page).locator('tbody th[scope=row]').first().textContent();
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Next' }).click();
  await page.waitForURL(/offset=25/);
  await metricTable(page).locator('tbody th[scope=row]').first().filter({ hasNotText: first }).waitFor();
  const gate = await hold(page, METRICS_0);
  await page.goBack();
  await metricTable(page).locator('tbody th[scope=row]').first().filter({ hasText: first }).waitFor({ timeout: 2000 });
  assert.equal(gate.count, 0, 'the page is cut from the list already read');
  gate.release();
  await page.unrouteAll({ behavior: 'wait' });
  assertClean();
});

test('after a save, the list is not shown from before the save', async () => {
  allowWrites();
  const { page, assertClean } = await start();
  await connect(page);
  await page.goto(metricsUrl(sandbox, 1));
  await metricTable(page).waitFor();
  const name = (await metricTable(page).locator('tbody th[scope=row]').first().textContent()).trim();
  await metricTable(page).getByRole('link', { name, exact: true }).click();
  await page.getByRole('link', { name: 'Edit' }).click();
  await page.getByLabel('Name', { exact: true }).fill(`${name} renamed`);
  await page.getByRole('button', { name: 'Save metric' }).click();
  await page.getByRole('heading', { name: `${name} renamed` }).waitFor();
  const gate = await hold(page, '/api/projects/1/groups_types/1/metrics/');
  await page.getByRole('link', { name: 'Back to the metrics', exact: true }).click();
  await page.getByText('Loading metrics…').waitFor();
  assert.equal(await metricTable(page).count(), 0, 'the list before the save is not shown');
  gate.release();
  // The project's list: the renamed metric (filed under company) is on a later page.
  await metricTable(page).waitFor();
  await page.getByLabel('Filter by name').fill(`${name} renamed`);
  await metricTable(page).getByRole('link', { name: `${name} renamed`, exact: true }).waitFor();
  await page.unrouteAll({ behavior: 'wait' });
  assertClean();
});

test('a cold deep link asks for the group types once, though two parts of the page need them', async () => {
  const { page, assertClean } = await start();
  await connect(page);
  await table(page).waitFor();
  const log = recordRequests(page);
  await page.goto(metricsUrl(sandbox, 0));
  await metricTable(page).waitFor();
  await page.getByLabel('Filed under').locator('option').nth(1).waitFor({ state: 'attached' });
  await page.getByRole('region', { name: 'Values for a group' }).waitFor();
  const requests = await log.settle();
  const lists = requests.filter((r) => r.method === 'GET' && new URL(r.url).pathname === LIST);
  assert.equal(lists.length, 1, `group types asked for ${lists.length} times`);
  assertClean();
});
