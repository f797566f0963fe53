// Slow and failing servers: the slow notice, reads retried on their own, writes sent once.

import {
  test, before, after, beforeEach, afterEach,
} from 'node:test';
import assert from 'node:assert/strict';
import {
  browserSuite, openPage, connect, setSwitches, resetSandbox, apiRequests, statusLogged,
  metricTable, assertAccessible,
  allowWrites,
} from './harness.mjs';

let sandbox;
let browser;
browserSuite({ before, after, beforeEach, afterEach }, { ready: (suite) => ({ sandbox, browser } = suite) });

const table = (page) => page.getByRole('table', { name: 'Group types of this project' });

test('a slow server gets a notice that goes away when the answer arrives', async () => {
  await resetSandbox(sandbox);
  const { page, assertClean } = await openPage(browser.context, sandbox.url);
  await connect(page);
  await table(page).waitFor();
  await setSwitches(sandbox, { latency_ms: 4500 });
  await page.reload();
  const notice = page.getByRole('status').filter({ hasText: 'Still waiting for the server' });
  await notice.waitFor({ timeout: 6000 });
  await table(page).waitFor({ timeout: 20_000 });
  await notice.waitFor({ state: 'detached', timeout: 6000 });
  await setSwitches(sandbox, { latency_ms: 0 });
  assertClean();
});

test('a read that fails with 5xx is retried without the user, and then shows the data', async () => {
  await resetSandbox(sandbox);
  const { page, assertClean } = await openPage(browser.context, sandbox.url);
  await connect(page);
  await table(page).waitFor();
  await sandbox.control('requests', { method: 'DELETE' });
  await setSwitches(sandbox, { failure_rate: 1 });
  await page.getByRole('link', { name: 'Usage metrics', exact: true }).click();
  // Let the first attempt fail, then let the server recover: the retry brings the data.
  await new Promise((ok) => setTimeout(ok, 300));
  await setSwitches(sandbox, { failure_rate: 0 });
  await page.getByRole('table', { name: 'Usage metrics of this project' }).waitFor({ timeout: 10_000 });
  const gets = (await apiRequests(sandbox)).filter((r) => r.method === 'GET' && r.path === '/api/projects/1/groups_types/0/metrics/');
  assert.ok(gets.length >= 2, `expected a failed attempt and a retry, saw ${gets.map((r) => r.status)}`);
  assert.equal(gets[0].status, 500);
  assert.equal(gets.at(-1).status, 200);
  assertClean([statusLogged(500, `${sandbox.url}/api/`)]);
});

test('a write that fails is not repeated by the app', async () => {
  await resetSandbox(sandbox);
  allowWrites();
  const { page, assertClean } = await openPage(browser.context, sandbox.url);
  await connect(page);
  await table(page).waitFor();
  await page.getByLabel('Singular name of company', { exact: true }).fill('Company');
  await sandbox.control('requests', { method: 'DELETE' });
  // The write itself fails (the list read just before it answers: issue 32).
  await setSwitches(sandbox, { fail_write: { number: 1, status: 500 } });
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'The server answered 500' }).waitFor();
  await new Promise((ok) => setTimeout(ok, 2500));
  const patches = (await apiRequests(sandbox)).filter((r) => r.method === 'PATCH');
  assert.deepEqual(patches.map((r) => r.status), [500], 'one PATCH, never repeated');
  assert.equal(await page.getByLabel('Singular name of company', { exact: true }).inputValue(), 'Company');
  assertClean([statusLogged(500, `${sandbox.url}/api/`)]);
});

test('leaving a view aborts its requests in flight', async () => {
  await resetSandbox(sandbox);
  const { page, assertClean } = await openPage(browser.context, sandbox.url);
  await connect(page);
  await table(page).waitFor();
  await setSwitches(sandbox, { latency_ms: 3000 });
  const aborted = [];
  page.on('requestfailed', (r) => aborted.push([r.url(), r.failure()?.errorText]));
  await page.getByRole('link', { name: 'Usage metrics', exact: true }).click();
  await page.getByText('Loading metrics…').waitFor();
  // Leave before the slow answer arrives.
  await page.getByRole('link', { name: 'Group types', exact: true }).click();
  await table(page).waitFor();
  await setSwitches(sandbox, { latency_ms: 0 });
  const metricsUrl = `${sandbox.url}/api/projects/1/groups_types/0/metrics/?limit=100&offset=0`;
  assert.ok(
    aborted.some(([url, why]) => url === metricsUrl && why === 'net::ERR_ABORTED'),
    `the metrics request was aborted: ${JSON.stringify(aborted)}`,
  );
  assertClean();
});

test('a server that is down gets a clear state, and the view comes back by itself once it is up', async () => {
  await resetSandbox(sandbox);
  const { page, assertClean } = await openPage(browser.context, sandbox.url);
  await connect(page);
  await table(page).waitFor();
  await setSwitches(sandbox, { failure_rate: 1 });
  await page.getByRole('link', { name: 'Usage metrics', exact: true }).click();
  // The reads' own retries come first (about 3 s), then the panel says what is going on.
  const panel = page.getByRole('alert').filter({ hasText: 'The server had a problem' });
  await panel.waitFor({ timeout: 15_000 });
  await panel.getByText('tries again every 10 seconds').waitFor();
  await assertAccessible(page, 'server down');
  await setSwitches(sandbox, { failure_rate: 0 });
  // Nobody clicks: the panel's own retry brings the list.
  await metricTable(page).waitFor({ timeout: 15_000 });
  await panel.waitFor({ state: 'detached' });
  // And the app is usable: a metric opens.
  await metricTable(page).getByRole('link').first().click();
  await page.getByRole('link', { name: 'Edit' }).waitFor();
  assertClean([statusLogged(500, `${sandbox.url}/api/`)]);
});

test('offline: the app says so, and loads again by itself when the network is back', async () => {
  await resetSandbox(sandbox);
  const { page, assertClean } = await openPage(browser.context, sandbox.url);
  await connect(page);
  await table(page).waitFor();
  await browser.context.setOffline(true);
  try {
    const banner = page.getByRole('status').filter({ hasText: 'You are offline' });
    await banner.waitFor();
    await page.getByRole('link', { name: 'Usage metrics', exact: true }).click();
    const panel = page.getByRole('alert').filter({ hasText: 'Could not reach the host' });
    await panel.waitFor({ timeout: 15_000 });
    await assertAccessible(page, 'offline');
    await browser.context.setOffline(false);
    await banner.waitFor({ state: 'detached' });
    // The 'online' event retries at once: well before the 10-second timer would.
    await metricTable(page).waitFor({ timeout: 5_000 });
  } finally {
    await browser.context.setOffline(false);
  }
  assertClean(['net::ERR_INTERNET_DISCONNECTED']);
});
