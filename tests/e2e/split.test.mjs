// The metric screens are two chunks (src/pages/lazy.rs, scripts/split.mjs): the metrics list
// (with the group type delete dialog), and a metric's page with its form. A cold load of the
// group types page fetches neither before the list is shown (nor the connection page's chunk
// at all), then preloads both once that view has painted and the browser is idle, unless the
// connection is metered; a deep link to a metric screen fetches its chunk at once; a chunk that cannot be fetched gives an
// error panel (not a panic) that brings the screen once the chunk can be had. Under the
// strict CSP: the chunk and its loader are fetched from the app's own origin.

import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, connect, assertAccessible, metricsUrl, metricTable, strictSuite, eventually } from './harness.mjs';

let sandbox;
let browser;
const { opened } = strictSuite({ before, after, beforeEach, afterEach }, (suite) => {
  ({ sandbox, browser } = suite);
});

/** The metrics list's chunk. */
const CHUNK = /\/split_metric_list-[0-9a-f]{16}\.wasm$/;
/** A metric's page and form. */
const DETAIL_CHUNK = /\/split_metric_detail-[0-9a-f]{16}\.wasm$/;
/** The connection page's chunk: a kept key never shows that page, so never fetches it. */
const CONNECT_CHUNK = /\/split_connect-[0-9a-f]{16}\.wasm$/;

/** A new tab that records which of the app's static files it fetched, in order. */
async function recordingPage() {
  const page = await browser.context.newPage();
  const fetched = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (/\.(wasm|js)$/.test(path)) fetched.push(path);
  });
  return { page, fetched };
}

test('the group types page shows its list without the metric screens\' chunks, then preloads them', async () => {
  const opening = await openPage(browser.context, sandbox.url);
  opened.push(opening.page);
  const { page } = opening;
  // In order: the list's answer, then the chunk's request.
  const events = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname === '/api/projects/1/groups_types/') events.push('list');
  });
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (CHUNK.test(path)) events.push('chunk');
    if (DETAIL_CHUNK.test(path)) events.push('detail');
  });
  await page.getByRole('heading', { name: 'Connect to PostHog' }).waitFor();
  await connect(page);
  await page.getByRole('table').waitFor();
  await eventually(async () => events.includes('chunk') && events.includes('detail'), 'both chunks to be preloaded after the list');
  assert.equal(events.filter((e, i) => events.indexOf(e) === i)[0], 'list', `the list came first: ${events}`);
  // The preloaded chunks serve the next screens without another fetch.
  await page.getByRole('link', { name: 'Usage metrics' }).first().click();
  await metricTable(page).waitFor();
  await metricTable(page).locator('tbody th[scope=row] a').first().click();
  await page.getByRole('link', { name: 'Edit', exact: true }).first().waitFor();
  assert.equal(events.filter((e) => e === 'chunk').length, 1, 'the list\'s chunk is fetched once');
  assert.equal(events.filter((e) => e === 'detail').length, 1, 'the metric\'s chunk is fetched once');
  opening.assertClean();
});

/** Stamps `window.__firstRowAt` (the page's `performance.now()`) when the first table row appears. */
function stampFirstRow() {
  new MutationObserver((_, observer) => {
    if (document.querySelector('table tbody tr')) {
      window.__firstRowAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
}

test('a cold load of group types asks for no chunk before its first row is on screen', async () => {
  const opening = await openPage(browser.context, sandbox.url);
  opened.push(opening.page);
  const { page } = opening;
  await page.getByRole('heading', { name: 'Connect to PostHog' }).waitFor();
  await connect(page);
  await page.getByRole('table').waitFor();
  // Cold: a reload of the group types address with the key kept in this tab. Times are the
  // page's own clock: when the chunk's request started, and when the first row appeared.
  await page.addInitScript(stampFirstRow);
  await page.reload();
  await page.getByRole('table').waitFor();
  // Any split-off wasm: the screens' chunks and the code they share (chunk_<n>).
  const chunkStarts = () => page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => /^\/(split_\w+|chunk_\d+)-[0-9a-f]{16}\.wasm$/.test(new URL(e.name).pathname))
    .map((e) => [new URL(e.name).pathname, e.startTime]));
  await eventually(async () => (await chunkStarts()).some(([p]) => CHUNK.test(p)), 'the list\'s chunk to be preloaded');
  await eventually(async () => (await chunkStarts()).some(([p]) => DETAIL_CHUNK.test(p)), 'the metric\'s chunk to be preloaded');
  const [starts, firstRowAt] = [await chunkStarts(), await page.evaluate(() => window.__firstRowAt)];
  assert.ok(firstRowAt > 0, 'the first row was stamped');
  for (const [path, at] of starts) {
    assert.ok(at >= firstRowAt, `${path} was asked for ${Math.round(firstRowAt - at)} ms before the first row showed`);
  }
  const connectChunk = await page.evaluate((source) => performance.getEntriesByType('resource')
    .filter((e) => new RegExp(source).test(new URL(e.name).pathname)).length, CONNECT_CHUNK.source);
  assert.equal(connectChunk, 0, 'the connection page\'s chunk is not part of the group types\' cold load');
  opening.assertClean();
});

test('on a metered connection (Save-Data) nothing is preloaded; the metric screens still open', async () => {
  const opening = await openPage(browser.context, sandbox.url);
  opened.push(opening.page);
  const { page } = opening;
  // Chromium's own navigator.connection, with Save-Data on (as a user's data saver sets it).
  await page.addInitScript(() => {
    const real = navigator.connection;
    Object.defineProperty(navigator, 'connection', {
      get: () => ({ saveData: true, effectiveType: real?.effectiveType ?? '4g' }),
    });
  });
  await page.reload();
  const chunks = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (CHUNK.test(path) || DETAIL_CHUNK.test(path)) chunks.push(path);
  });
  await page.getByRole('heading', { name: 'Connect to PostHog' }).waitFor();
  await connect(page);
  await page.getByRole('table').waitFor();
  // Longer than the idle wait (at most 2 s after the paint).
  await page.waitForTimeout(3000);
  assert.deepEqual(chunks, [], 'no preload on a metered connection');
  await page.getByRole('link', { name: 'Usage metrics' }).first().click();
  await metricTable(page).waitFor();
  assert.equal(chunks.length, 1, `only the list's chunk, fetched when the screen was opened: ${chunks}`);
  assert.ok(CHUNK.test(chunks[0]), chunks[0]);
  opening.assertClean();
});

test('a cold load of the connection page fetches its own chunk, and no other screen\'s', async () => {
  const { page, fetched } = await recordingPage();
  opened.push(page);
  await page.goto(sandbox.url);
  await page.getByRole('heading', { name: 'Connect to PostHog' }).waitFor();
  // Give a stray preload time to show itself.
  await page.waitForTimeout(500);
  const wasm = fetched.filter((p) => p.endsWith('.wasm'));
  // The main module, the page's chunk, and only the code it shares with other chunks
  // (chunk_<n>, named by the loader); never the metric screens' or the sign-in's own.
  assert.equal(wasm.filter((p) => /^\/groups-console-[0-9a-f]+_bg\.wasm$/.test(p)).length, 1, JSON.stringify(fetched));
  assert.equal(wasm.filter((p) => CONNECT_CHUNK.test(p)).length, 1, JSON.stringify(fetched));
  const others = wasm.filter((p) => !/^\/groups-console-/.test(p) && !CONNECT_CHUNK.test(p));
  assert.ok(others.every((p) => /^\/chunk_\d+-[0-9a-f]{16}\.wasm$/.test(p)), JSON.stringify(fetched));
});

/**
 * A new tab, connected and on the group types, whose requests for the metrics list's chunk
 * (the preload's included) are refused until `page.unroute(CHUNK)`; `errors` collects its
 * page errors (a panic would be one).
 */
async function connectedWithListChunkRefused() {
  const { page } = await recordingPage();
  opened.push(page);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route(CHUNK, (route) => route.abort('internetdisconnected'));
  await page.goto(sandbox.url);
  await connect(page);
  await page.getByRole('heading', { name: 'Group types', level: 1 }).waitFor();
  return { page, errors };
}

test('a chunk that cannot be fetched shows an error panel; Try again brings the screen', async () => {
  // Refused from the start, so the preload fails too (silently: the screen says it).
  const { page, errors } = await connectedWithListChunkRefused();
  await page.goto(metricsUrl(sandbox, 0));
  const panel = page.getByRole('alert').filter({ hasText: 'This screen could not be loaded' });
  await panel.waitFor();
  await assertAccessible(page, 'the chunk error panel');
  await page.unroute(CHUNK);
  await panel.getByRole('button', { name: 'Try again' }).click();
  await metricTable(page).waitFor();
  // The app is alive: navigation still works after the failed load.
  await page.getByRole('link', { name: 'Group types' }).first().click();
  await page.getByRole('heading', { name: 'Group types', level: 1 }).waitFor();
  assert.deepEqual(errors, [], 'no page error (a panic would be one)');
});

test('the group types page\'s dialogs come from the list\'s chunk: refused, each says so and keeps the edits; then they open', async () => {
  // The list's chunk holds the dialogs' code.
  const { page, errors } = await connectedWithListChunkRefused();
  const singular = page.getByLabel('Singular name of company', { exact: true });
  await singular.fill('Firm');
  const unsaved = page.getByRole('region', { name: 'Unsaved changes' });
  await unsaved.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('status').filter({ hasText: 'The review could not be loaded' }).waitFor();
  assert.equal(await page.getByRole('dialog').count(), 0, 'no dialog while its code is missing');
  assert.equal(await singular.inputValue(), 'Firm', 'the edit is kept');
  await page.getByRole('button', { name: 'Delete company', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'The delete dialog could not be loaded' }).waitFor();
  assert.equal(await page.getByRole('dialog').count(), 0, 'no delete dialog either');
  // The code can be had again: pressing the buttons again opens the dialogs.
  await page.unroute(CHUNK);
  await unsaved.getByRole('button', { name: 'Review' }).click();
  const review = page.getByRole('dialog', { name: 'Review name changes' });
  await review.waitFor();
  await review.getByRole('button', { name: 'Back to editing' }).click();
  await review.waitFor({ state: 'detached' });
  assert.equal(await singular.inputValue(), 'Firm', 'still kept');
  await page.getByRole('button', { name: 'Delete company', exact: true }).click();
  const remove = page.getByRole('dialog', { name: /^Delete the group type/ });
  await remove.waitFor();
  await remove.getByRole('button', { name: 'Cancel' }).click();
  assert.deepEqual(errors, [], 'no page error (a panic would be one)');
});
