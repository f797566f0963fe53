// What a key can do, learned with reads: the key's own record (`@current`) on connect, the
// empty rename probe once per tab when the group types open, nothing that writes; a reload
// sends only the reads its screen shows; an instance without `@current` still connects.

import {
  test, before, after, beforeEach, afterEach,
} from 'node:test';
import assert from 'node:assert/strict';
import {
  browserSuite, openPage, connect, setSwitches, capabilityLines, PICKERS_YES, PICKERS_OFF, metricTable, metricsUrl,
  metricUrl, sandboxMetrics, statusLogged, isRenameProbe, assertAccessible,
} from './harness.mjs';

let sandbox;
let browser;
const { opened } = browserSuite({ before, after, beforeEach, afterEach }, {
  ready: (suite) => ({ sandbox, browser } = suite),
});

const CURRENT = '/api/personal_api_keys/@current/';
const LIST = '/api/projects/1/groups_types/';
const groupTypesTable = (page) => page.getByRole('table', { name: 'Group types of this project' });

async function start(url = sandbox.url) {
  const opening = await openPage(browser.context, url);
  opened.push(opening.page);
  return opening;
}

/** The API requests the sandbox received since the log was last cleared, as `METHOD path`. */
async function sent() {
  const log = await sandbox.control('requests');
  return log.map((r) => `${r.method} ${r.path}${r.query ? `?${r.query}` : ''}${isRenameProbe(r) ? ' []' : ''}`);
}

const clearLog = () => sandbox.control('requests', { method: 'DELETE' });

/**
 * Waits until no API request has arrived for `quietMs`: a screen's reads are all sent by
 * then (they start together when it renders).
 */
async function settled(quietMs = 700) {
  let last = -1;
  for (;;) {
    const now = (await sandbox.control('requests')).length;
    if (now === last) return;
    last = now;
    await new Promise((ok) => setTimeout(ok, quietMs));
  }
}

test('connecting reads the key record and the list, then the group types send the rename probe once', async () => {
  const { page, assertClean } = await start();
  await connect(page);
  await groupTypesTable(page).waitFor();
  assert.deepEqual(await capabilityLines(page), [
    'List group types: yes', 'Rename group types: yes', 'Delete group types: yes',
    'View usage metrics: yes', 'Create, edit and delete usage metrics: yes',
    'See metric values for a group: yes', ...PICKERS_YES,
  ]);
  await settled();
  assert.deepEqual((await sent()).sort(), [
    `GET ${CURRENT}`, `GET ${LIST}`, `PATCH ${LIST}update_metadata/ []`,
  ].sort());

  // Back to the group types from another screen: the probe is not sent again in this tab.
  await page.getByRole('link', { name: 'Usage metrics', exact: true }).click();
  await metricTable(page).waitFor();
  await page.getByRole('link', { name: 'Group types', exact: true }).click();
  await groupTypesTable(page).waitFor();
  await settled();
  const probes = (await sent()).filter((r) => r.endsWith(' []'));
  assert.equal(probes.length, 1, 'one rename probe per connection per tab');
  assertClean();
});

/**
 * Reloads the page, waits for each of `ready` (locators of what the screen shows once
 * loaded) and for the requests to settle; the API requests the reload sent, sorted.
 */
async function reloadAndCount(page, ...ready) {
  await settled();
  await clearLog();
  await page.reload();
  for (const locator of ready) await locator.waitFor();
  await settled();
  return (await sent()).sort();
}

/** The reads of the project's metrics list on the demo seed: the group types, then each of
 *  the 4 indexes in one page of 100. */
const PROJECT_READS = [`GET ${LIST}`, ...[0, 1, 2, 3].map((i) => `GET ${LIST}${i}/metrics/?limit=100&offset=0`)].sort();

test('a reload sends only the reads its screen shows, in parallel where it can', async () => {
  const { page, assertClean } = await start();
  await connect(page);
  await groupTypesTable(page).waitFor();
  assert.deepEqual(
    await reloadAndCount(page, groupTypesTable(page), page.locator('summary', { hasText: 'What this key can do' })),
    [`GET ${LIST}`],
    'group types page: the list only (key record and probe kept for the tab)',
  );

  await page.goto(metricsUrl(sandbox, 0));
  await metricTable(page).waitFor();
  // With a slow server, the two reads overlap: the second starts before the first is answered.
  await setSwitches(sandbox, { latency_ms: 400 });
  const spans = [];
  const onRequest = (r) => { if (new URL(r.url()).pathname.startsWith('/api/')) spans.push({ r, start: Date.now() }); };
  const onFinished = (r) => { const s = spans.find((x) => x.r === r); if (s) s.end = Date.now(); };
  page.on('request', onRequest);
  page.on('requestfinished', onFinished);
  assert.deepEqual(
    await reloadAndCount(page, metricTable(page), page.getByRole('link', { name: 'New metric' })),
    PROJECT_READS,
    'metrics page: the group types and each index once',
  );
  page.off('request', onRequest);
  page.off('requestfinished', onFinished);
  await setSwitches(sandbox, { latency_ms: 0 });
  assert.equal(spans.length, 5, JSON.stringify(spans.map((x) => x.r.url())));
  // Index 0 (always read) goes beside the group types; the other indexes, named by the group
  // types, go together once they are known.
  const span = (path) => spans.find((x) => new URL(x.r.url()).pathname === path);
  const overlap = (list) => Math.max(...list.map((x) => x.start)) < Math.min(...list.map((x) => x.end));
  assert.ok(overlap([span(LIST), span(`${LIST}0/metrics/`)]), 'index 0 beside the group types');
  assert.ok(overlap([1, 2, 3].map((i) => span(`${LIST}${i}/metrics/`))), 'the other indexes in parallel');

  const [metric] = await sandboxMetrics(sandbox, 1, 0);
  await page.goto(metricUrl(sandbox, 0, metric.id));
  const heading = page.getByRole('heading', { name: metric.name, level: 1 });
  await heading.waitFor();
  const reads = await reloadAndCount(page, heading, page.getByRole('link', { name: 'Edit', exact: true }));
  assert.ok(reads.length <= 2, `a metric's page: ${reads.join(', ')}`);
  assert.ok(reads.includes(`GET ${LIST}0/metrics/${metric.id}/`), reads.join(', '));
  assert.ok(reads.every((r) => r.startsWith('GET ')), reads.join(', '));
  assertClean();
});

test('a deep link in a tab that has not learned the key reads its record once, beside the screen, and keeps it', async () => {
  const { page, assertClean } = await start();
  // The key is kept in this tab's storage, as after "Connect", but nothing was learned yet.
  await page.evaluate((url) => sessionStorage.setItem('groups-console.key', JSON.stringify({ host: url, key: 'phx_sandbox_demo_full_access' })), sandbox.url);
  await clearLog();
  await page.goto(metricsUrl(sandbox, 0));
  await metricTable(page).waitFor();
  await page.getByRole('link', { name: 'New metric' }).waitFor();
  await settled();
  assert.deepEqual((await sent()).sort(), [`GET ${CURRENT}`, ...PROJECT_READS].sort());
  // What it learned stays beside the key: a reload asks only for what the screen shows.
  assert.deepEqual(
    await reloadAndCount(page, metricTable(page), page.getByRole('link', { name: 'New metric' })),
    PROJECT_READS,
  );
  assertClean();
});

test('an instance without @current still connects, and says writes are not checked', async () => {
  await setSwitches(sandbox, { current_key_route: false });
  const { page, assertClean } = await start();
  await connect(page);
  await groupTypesTable(page).waitFor();
  const lines = await capabilityLines(page);
  assert.equal(lines[0], 'List group types: yes');
  assert.equal(lines[3], 'View usage metrics: yes');
  for (const i of [1, 2, 4, 5]) assert.match(lines[i], /: not checked — it needs .*; the server will say if it refuses$/);
  // Not checked is marked as not known (?), not as a no.
  const marks = await page.locator('details.capabilities li .mark').allTextContents();
  assert.deepEqual(marks, ['✓', '?', '?', '✓', '?', '?', '?', '?', '?', '?']);
  for (const i of [6, 7, 8, 9]) assert.match(lines[i], /: not checked — it needs \w+:read; the server will say if it refuses$/);
  await page.getByText('This PostHog does not say what a key may do').waitFor();
  await assertAccessible(page, 'group types screen with unchecked writes');
  // Writes are offered, and left for the server to judge.
  assert.equal(await groupTypesTable(page).getByRole('button', { name: /^Delete / }).count(), 4);
  await page.getByRole('link', { name: 'Usage metrics', exact: true }).click();
  await metricTable(page).waitFor();
  await page.getByRole('link', { name: 'New metric' }).waitFor();
  const log = await sent();
  assert.ok(log.every((r) => r.startsWith('GET ') || r.endsWith(' []')), log.join('\n'));
  assertClean([statusLogged(404, `${sandbox.url}${CURRENT}`)]);
});

test('a read-only key sees names as text and no delete on the group types', async () => {
  const { page, assertClean } = await start();
  await connect(page, { key: 'phx_sandbox_read_only' });
  await groupTypesTable(page).waitFor();
  const lines = await capabilityLines(page);
  assert.deepEqual(lines, [
    'List group types: yes',
    'Rename group types: no — the key lacks the scope group:write',
    'Delete group types: no — the key lacks the scope group:write',
    'View usage metrics: yes',
    'Create, edit and delete usage metrics: no — the key lacks the scope usage_metric:write',
    'See metric values for a group: no — the key lacks the scope query:read',
    ...PICKERS_OFF,
  ]);
  const table = groupTypesTable(page);
  assert.equal(await table.getByRole('textbox').count(), 0, 'no name inputs');
  assert.equal(await table.getByRole('button').count(), 0, 'no delete buttons');
  await table.getByText('Organizations').waitFor();
  await assertAccessible(page, 'read-only group types');
  await settled();
  // Renaming is refused by scope, so not even the probe is sent.
  assert.deepEqual((await sent()).sort(), [`GET ${CURRENT}`, `GET ${LIST}`].sort());
  assertClean();
});
