// Reads start with the page (issue 29): the start-up script in index.html sends a route's
// first reads with a key kept for the URL's host, while the wasm is still on its way, and the
// app takes up their answers instead of sending them again. Nothing goes early without a kept
// key, with a memory-only key, or to a host other than the kept key's; an early read that
// failed is shown exactly as the app's own read would be. And a split screen's reads start
// in the main module while its chunk loads.

import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_KEY, browserSuite, openPage, metricsUrl, metricUrl, metricTable, setSwitches, closedPort,
  startSandboxWithConfig, sandboxMetrics, eventually,
} from './harness.mjs';

let sandbox;
let browser;
const { opened } = browserSuite({ before, after, beforeEach, afterEach }, {
  ready: (suite) => ({ sandbox, browser } = suite),
});

/** A new tab whose session storage holds `key` for `host`, as the app keeps it, before any load. */
async function tabWithKeptKey(host, key = DEMO_KEY, area = 'sessionStorage') {
  const page = await browser.context.newPage();
  await page.addInitScript(([host, key, area]) => {
    if (!window[area].getItem('groups-console.key')) {
      window[area].setItem('groups-console.key', JSON.stringify({ host, key }));
    }
  }, [host, key, area]);
  opened.push(page);
  return page;
}

/** A link of about 40 ms and 20 Mbit/s, so the wasm takes its real share of a load. */
async function slowLink(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  // Each load cold, as a first visit: the wasm comes over the link, not from the cache.
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 40, downloadThroughput: 2_500_000, uploadThroughput: 2_500_000,
  });
}

/** The API requests in the sandbox's log, as `METHOD path?query`. */
async function apiLog() {
  const log = await sandbox.control('requests');
  return log.map((r) => `${r.method} ${r.path}${r.query ? `?${r.query}` : ''}`);
}

/** How many times each entry occurs. */
function counts(list) {
  const out = {};
  for (const x of list) out[x] = (out[x] ?? 0) + 1;
  return out;
}

test('a cold deep link to the metrics list reads with the page, before the wasm has arrived, and sends each read once', async () => {
  const page = await tabWithKeptKey(sandbox.url);
  await slowLink(page);
  await page.goto(metricsUrl(sandbox, null, { limit: 100 }));
  await metricTable(page).waitFor();
  const timing = await page.evaluate(() => {
    const entries = performance.getEntriesByType('resource');
    const wasm = entries.find((e) => /groups-console-[0-9a-f]+_bg\.wasm$/.test(new URL(e.name).pathname));
    const list = entries.find((e) => new URL(e.name).pathname === '/api/projects/1/groups_types/');
    return { wasmEnd: wasm?.responseEnd, listStart: list?.startTime };
  });
  assert.ok(timing.wasmEnd && timing.listStart !== undefined, `both were fetched: ${JSON.stringify(timing)}`);
  assert.ok(timing.listStart < timing.wasmEnd,
    `the group types read started at ${timing.listStart.toFixed(0)} ms, before the wasm finished at ${timing.wasmEnd.toFixed(0)} ms`);
  const log = await apiLog();
  const twice = Object.entries(counts(log)).filter(([, n]) => n > 1);
  assert.deepEqual(twice, [], `no read was sent twice: ${log.join(', ')}`);
  assert.ok(log.includes('GET /api/projects/1/groups_types/'), log.join(', '));
  assert.ok(log.includes('GET /api/projects/1/groups_types/0/metrics/?limit=100&offset=0'), log.join(', '));
});

test('a cold deep link to a metric and to its form sends each read once, the first before the wasm finished', async () => {
  const [metric] = await sandboxMetrics(sandbox, 1, 0);
  for (const edit of [false, true]) {
    await sandbox.control('requests', { method: 'DELETE' });
    const page = await tabWithKeptKey(sandbox.url);
    await slowLink(page);
    await page.goto(metricUrl(sandbox, 0, metric.id, { edit }));
    if (edit) await page.getByLabel('Name', { exact: true }).waitFor();
    else await page.getByRole('heading', { name: metric.name, level: 1 }).waitFor();
    const timing = await page.evaluate((id) => {
      const entries = performance.getEntriesByType('resource');
      const wasm = entries.find((e) => /groups-console-[0-9a-f]+_bg\.wasm$/.test(new URL(e.name).pathname));
      const read = entries.find((e) => new URL(e.name).pathname.endsWith(`/metrics/${id}/`));
      return { wasmEnd: wasm?.responseEnd, readStart: read?.startTime };
    }, metric.id);
    assert.ok(timing.readStart < timing.wasmEnd, `${edit ? 'form' : 'page'}: the metric's read started before the wasm finished: ${JSON.stringify(timing)}`);
    const log = await apiLog();
    const twice = Object.entries(counts(log)).filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], `no read was sent twice: ${log.join(', ')}`);
    await page.close();
  }
});

test('nothing is sent early without a kept key, or to a host other than the kept key\'s', async () => {
  // No key kept: the deep link says how to connect, and the sandbox saw nothing.
  const opening = await openPage(browser.context, metricsUrl(sandbox, null));
  opened.push(opening.page);
  await opening.page.getByRole('heading', { name: 'Usage metrics', level: 1 }).waitFor();
  await opening.page.getByText(/Not connected|Connect/).first().waitFor();
  // A key kept for another host: the URL's host gets nothing, and neither does the other one.
  const other = `http://127.0.0.1:${await closedPort()}`;
  const page = await tabWithKeptKey(other);
  const sent = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/api/')) sent.push(r.url()); });
  await page.goto(metricsUrl(sandbox, null));
  await page.getByRole('heading', { name: 'Usage metrics', level: 1 }).waitFor();
  await page.waitForTimeout(300);
  assert.deepEqual(await apiLog(), [], 'the sandbox saw no API request');
  assert.deepEqual(sent, [], 'the page sent no API request anywhere');
});

test('a memory-only key (config.json key_storage "memory") leaves nothing behind, so nothing is sent early', async () => {
  const memory = await startSandboxWithConfig({ key_storage: 'memory' });
  try {
    const opening = await openPage(browser.context, memory.url);
    opened.push(opening.page);
    const { page } = opening;
    await page.getByRole('radio', { name: /Local sandbox/ }).check();
    await page.getByLabel('Project id').fill('1');
    await page.getByLabel('Personal API key').fill(DEMO_KEY);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('heading', { name: 'Group types', level: 1 }).waitFor();
    await page.getByRole('table').waitFor();
    const stored = await page.evaluate(() => [sessionStorage.getItem('groups-console.key'), localStorage.getItem('groups-console.key')]);
    assert.deepEqual(stored, [null, null], 'the key is in no storage');
    await memory.control('requests', { method: 'DELETE' });
    await page.goto(metricsUrl(memory, null));
    await page.getByRole('heading', { name: 'Usage metrics', level: 1 }).waitFor();
    await page.waitForTimeout(300);
    const log = await memory.control('requests');
    assert.deepEqual(log.map((r) => r.path), [], 'nothing was sent after the reload');
  } finally {
    await memory.stop();
  }
});

test('a key kept on the device is not sent early when config.json no longer allows its host', async () => {
  const strict = await startSandboxWithConfig({ allowed_hosts: ['https://us.posthog.com'] });
  try {
    const page = await tabWithKeptKey(strict.url, DEMO_KEY, 'localStorage');
    await page.goto(metricsUrl(strict, null));
    await page.getByText(/allowed_hosts/).first().waitFor();
    const log = await strict.control('requests');
    assert.deepEqual(log.map((r) => r.path), [], 'nothing reached the host config.json refuses');
  } finally {
    await strict.stop();
  }
});

/** The text of the page's first error panel after a cold load of `url` with `key` kept, with
 *  the early reads taken up (`hide: false`) or hidden from the app (`hide: true`: the app
 *  then reads as it did before the start-up script existed). */
async function errorShown(url, key, host, hide) {
  const page = await tabWithKeptKey(host, key);
  if (hide) {
    await page.addInitScript(() => {
      Object.defineProperty(window, 'groupsConsoleEarly', { get: () => undefined, set: () => {}, configurable: false });
    });
  }
  await page.goto(url);
  const panel = page.locator('.error-panel:visible').first();
  await panel.waitFor({ timeout: 30_000 });
  const text = (await panel.innerText()).trim();
  await page.close();
  return text;
}

test('a refused early read (401, 500, no answer) is shown exactly like the app\'s own read', async () => {
  const url = metricsUrl(sandbox, null);
  // 401: a key the server does not know.
  const bad = 'phx_not_a_key_this_sandbox_knows';
  const early401 = await errorShown(url, bad, sandbox.url, false);
  const own401 = await errorShown(url, bad, sandbox.url, true);
  assert.equal(early401, own401, 'the 401 reads the same');
  assert.match(early401, /invalid or was revoked/);
  // 500 on every read: the early answer is not taken; the app's retries and message follow.
  await setSwitches(sandbox, { failure_rate: 1 });
  const early500 = await errorShown(url, DEMO_KEY, sandbox.url, false);
  const own500 = await errorShown(url, DEMO_KEY, sandbox.url, true);
  assert.equal(early500, own500, 'the 500 reads the same');
  await setSwitches(sandbox, { failure_rate: 0 });
  // No answer at all: the kept key's host is a closed port (the URL names it too).
  const gone = `http://127.0.0.1:${await closedPort()}`;
  const goneUrl = url.replace(`host=${encodeURIComponent(sandbox.url)}`, `host=${encodeURIComponent(gone)}`);
  const earlyNet = await errorShown(goneUrl, DEMO_KEY, gone, false);
  const ownNet = await errorShown(goneUrl, DEMO_KEY, gone, true);
  assert.equal(earlyNet, ownNet, 'the network failure reads the same');
});

test('a split screen\'s reads start while its chunk is still loading', async () => {
  const page = await tabWithKeptKey(sandbox.url);
  // The group types page, with its chunk preload held back: then the chunk is slow to come.
  let release;
  const held = new Promise((ok) => { release = ok; });
  await page.route(/split_metric_list-[0-9a-f]+\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(`${sandbox.url}/group-types?host=${encodeURIComponent(sandbox.url)}&project=1`);
  await page.getByRole('table').waitFor();
  await sandbox.control('requests', { method: 'DELETE' });
  await page.getByRole('link', { name: 'Usage metrics' }).first().click();
  // The chunk is held; the list's reads are on their way regardless.
  await eventually(async () => (await apiLog()).some((l) => l.startsWith('GET /api/projects/1/groups_types/0/metrics/')),
    'the list\'s first page to be read while the chunk is held');
  release();
  await metricTable(page).waitFor();
  const log = await apiLog();
  const twice = Object.entries(counts(log)).filter(([, n]) => n > 1);
  assert.deepEqual(twice, [], `no read was sent twice: ${log.join(', ')}`);
});
