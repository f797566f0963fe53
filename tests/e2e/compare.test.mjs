// Carrying a configuration between projects end to end: compare project 1 with project 2 of
// the same sandbox and with a project on a second sandbox (another origin, another key), the
// plan and its apply (checked over HTTP), a write failing half way and the re-run, a 429
// waited out, a read-only target, export → import → compare, files refused, axe and layout.
// Every test starts from this file's seed (state, switches and request log reset).

import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  openConnectedAt, assertAccessible, setSwitches, apiRequests, allowWrites, assertNoUnaskedWrites, isRenameProbe,
  launchBrowser, startSandbox, startSandboxWithConfig, resetSandbox, artifactsDir, statusLogged, DEMO_KEY,
} from './harness.mjs';
import { layoutProblems } from './layout-checks.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const demo = JSON.parse(readFileSync(join(root, 'crates', 'sandbox', 'seed', 'demo.json'), 'utf8'));
const project1 = demo.projects.find((p) => p.id === 1);
const metricOf = (name, index = '0') => project1.metrics[index].find((m) => m.name === name);

/**
 * The seed: the demo, with project 2 holding project 1's group type keys (names differing at
 * indexes 0 and 1) and three metrics: one the same, one changed, one project 1 lacks.
 */
function seed(keys = demo.keys) {
  // Dashboards belong to one project: project 2's types show none.
  const types = project1.group_types.map((t) => ({ ...t, detail_dashboard: null }));
  types[0] = { ...types[0], name_singular: 'Org', name_plural: null };
  types[1] = { ...types[1], name_singular: 'Company', name_plural: 'Companies' };
  const changed = { ...metricOf('Active seats'), id: '0190e0a0-0000-7000-8000-00000000a002', interval: 14,
    filters: { ...metricOf('Active seats').filters, filter_test_accounts: false } };
  const metrics = {
    0: [
      { ...metricOf('Paid bills'), id: '0190e0a0-0000-7000-8000-00000000a001' },
      changed,
      { ...metricOf('Logins'), id: '0190e0a0-0000-7000-8000-00000000a003', name: 'Legacy logins' },
    ],
  };
  // The same warehouse tables and actions, as a staging project beside production has.
  // Project 3 (`account` at index 0) joins project 1's organization, for the index clash.
  const projects = demo.projects.map((p) => (p.id === 2
    ? { ...p, group_types: types, metrics, warehouse_tables: project1.warehouse_tables, actions: project1.actions }
    : p.id === 3 ? { ...p, organization: project1.organization } : p));
  return { ...demo, keys, projects };
}

const dir = mkdtempSync(join(tmpdir(), 'compare-seed-'));
const seedFile = join(dir, 'seed.json');
writeFileSync(seedFile, JSON.stringify(seed()));
// The second sandbox knows other keys than the first: the first's key sent there would fail.
const OTHER_KEY = 'phx_second_sandbox_full_access';
const OTHER_READ_ONLY = 'phx_second_sandbox_read_only';
const otherSeedFile = join(dir, 'other.json');
writeFileSync(otherSeedFile, JSON.stringify(seed([
  { key: OTHER_KEY, scopes: ['*'] },
  { key: OTHER_READ_ONLY, scopes: ['group:read', 'usage_metric:read'] },
])));

let sandbox;
let browser;
let other;
const opened = [];
before(async () => {
  // Started first: the app's policy must name it in connect-src, as a deployment that
  // talks to a second PostHog does.
  other = await startSandbox(['--seed', otherSeedFile]);
  sandbox = await startSandbox(['--seed', seedFile, '--csp', '--csp-connect', other.url]);
  browser = await launchBrowser();
});
after(async () => {
  try {
    await browser?.close();
    await sandbox?.stop();
    await other?.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
beforeEach(async () => {
  await resetSandbox(sandbox);
  await resetSandbox(other);
});
afterEach(async () => {
  await assertNoUnaskedWrites(sandbox);
  await assertNoUnaskedWrites(other);
  while (opened.length) {
    const page = opened.pop();
    if (!page.isClosed()) await page.close();
  }
});

const compareUrl = (query = '') => `${sandbox.url}/compare?host=${encodeURIComponent(sandbox.url)}&project=1${query}`;

/** Opens the compare screen connected to project 1 of the first sandbox. */
async function openCompare(query = '') {
  const opening = await openConnectedAt(browser.context, sandbox, compareUrl(query));
  opened.push(opening.page);
  await opening.page.getByRole('heading', { name: 'Compare and carry over', level: 1 }).waitFor();
  return opening;
}

/** Every metric of a project on `sb`, by index, without ids, sorted by index and name. */
async function metricsOf(sb, project, key = DEMO_KEY) {
  const get = async (path) => {
    const res = await fetch(`${sb.url}/api/projects/${project}/${path}`, { headers: { Authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200, path);
    return res.json();
  };
  const types = await get('groups_types/');
  const out = [];
  for (const index of [...new Set([0, ...types.map((t) => t.group_type_index)])]) {
    const page = await get(`groups_types/${index}/metrics/?limit=100`);
    assert.ok(page.count <= 100, 'one page holds them all');
    for (const { id: _, ...m } of page.results) out.push({ index, ...m });
  }
  out.sort((a, b) => a.index - b.index || a.name.localeCompare(b.name));
  return { types: types.map((t) => ({ key: t.group_type, index: t.group_type_index, singular: t.name_singular, plural: t.name_plural })), metrics: out };
}

const writesTo = async (sb) => (await apiRequests(sb)).filter((r) => r.method !== 'GET' && !isRenameProbe(r));
const headline = (page) => page.locator('.compare-result > p[role=status]');

/** Chooses "Another project" as the target, fills it, and compares. */
async function compareWith(page, project, host) {
  const target = page.getByRole('group', { name: /^Target/ });
  await target.getByRole('radio', { name: 'Another project' }).check();
  await target.getByLabel('Project id').fill(String(project));
  if (host) await target.getByLabel('Host').fill(host);
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
}

/** Ticks every change, opens the confirmation and applies; resolves with the status line. */
async function applyAll(page) {
  await page.getByRole('button', { name: 'Tick every change' }).click();
  await page.getByRole('button', { name: 'Apply…' }).click();
  await page.getByRole('dialog', { name: 'Apply the plan?' }).getByRole('button', { name: 'Apply now' }).click();
}

const applyStatus = (page) => page.locator('#apply-status');

test('project 1 → project 2: the compare shows each group of changes, and applying everything makes project 2 equal project 1 over HTTP', async () => {
  allowWrites();
  // Reached from the usage metrics page.
  const opening = await openConnectedAt(browser.context, sandbox, `${sandbox.url}/metrics?host=${encodeURIComponent(sandbox.url)}&project=1`);
  opened.push(opening.page);
  const { page, assertClean } = opening;
  await page.getByRole('link', { name: 'Compare with another project' }).click();
  await page.getByRole('heading', { name: 'Compare and carry over', level: 1 }).waitFor();
  await compareWith(page, 2);
  await page.waitForURL(/to=2/);
  assert.doesNotMatch(page.url(), /from=/);
  await headline(page).waitFor();
  // Focus lands on the result's heading.
  await page.waitForFunction(() => document.activeElement?.id === 'compare-result-title');
  assert.equal(await headline(page).textContent(),
    'Differences: 2 group type index(es); metrics 63 only in the source, 1 different, 1 only in the target.');
  // Group types side by side: names differ at 0 and 1, the same at 2 and 3.
  const types = page.getByRole('region', { name: 'Group types' });
  assert.deepEqual(await types.locator('.compare-item h3').allTextContents(),
    ['Index 0changed', 'Index 1changed', 'Index 2same', 'Index 3same']);
  // Metrics: the changed one names its fields, filters by path.
  const changed = page.getByRole('list', { name: /^Different/ }).getByRole('listitem').first();
  assert.match(await changed.textContent(), /Active seats/);
  assert.match(await changed.textContent(), /interval: target 14, source 7/);
  assert.match(await changed.textContent(), /filters differ at filter_test_accounts/);
  assert.equal(await page.getByRole('list', { name: /^Only in the target/ }).getByRole('listitem').count(), 1);
  // Nothing is ticked yet: nothing to send.
  assert.match(await page.locator('#plan-count').textContent(), /Nothing to send/);
  assert.deepEqual(await writesTo(sandbox), []);

  await page.getByRole('button', { name: 'Tick every change' }).click();
  assert.match(await page.locator('#plan-count').textContent(), /^66 requests/);
  const planned = await page.locator('.sync-plan > ol.plan-steps > li code').allTextContents();
  assert.equal(planned.length, 66);
  assert.equal(planned[0], 'PATCH /api/projects/2/groups_types/update_metadata/');
  assert.match(planned[1], /^POST \/api\/projects\/2\/groups_types\/0\/metrics\/$/);
  assert.match(planned[64], /^PATCH \/api\/projects\/2\/groups_types\/0\/metrics\/0190e0a0-0000-7000-8000-00000000a002\/$/);
  // The second copy of a name project 1 files under two indexes goes under its own index:
  // index 0 holds the name by then.
  const copy = page.locator('.sync-plan > ol.plan-steps > li').filter({ hasText: '/groups_types/1/metrics/' });
  assert.equal(await copy.count(), 1);
  assert.match(await copy.textContent(), /create "Support tickets opened" \(filed under index 1\)/);
  assert.match(planned[65], /^DELETE \/api\/projects\/2\/groups_types\/0\/metrics\/0190e0a0-0000-7000-8000-00000000a003\/$/);
  await page.getByRole('button', { name: 'Apply…' }).click();
  await page.getByRole('dialog', { name: 'Apply the plan?' }).getByRole('button', { name: 'Apply now' }).click();
  await page.getByText('Applied: 66 of 66 requests went through.', { exact: false }).waitFor({ timeout: 30_000 });
  await headline(page).filter({ hasText: 'No differences.' }).waitFor();

  const [one, two] = [await metricsOf(sandbox, 1), await metricsOf(sandbox, 2)];
  assert.deepEqual(two.types, one.types);
  // Every metric, field by field; a name project 1 files under two indexes keeps both.
  const byName = (list) => list.map(({ index: _, ...m }) => m).sort((a, b) => a.name.localeCompare(b.name) || JSON.stringify(a).localeCompare(JSON.stringify(b)));
  assert.deepEqual(byName(two.metrics), byName(one.metrics));
  const writes = await writesTo(sandbox);
  assert.equal(writes.length, 66);
  assert.equal(writes.filter((r) => r.method === 'POST').length, 63);
  assert.ok(writes.every((r) => r.path.startsWith('/api/projects/2/')), 'only project 2 changes');
  await assertClean();
});

test('project 1 → a second sandbox on another origin, with its own key kept in memory', async () => {
  allowWrites();
  const { page, assertClean } = await openCompare();
  await compareWith(page, 2, other.url);
  const key = page.getByRole('form', { name: `A key for ${other.url}` });
  await key.waitFor();
  // Focus lands in the key field the comparison needs first.
  await page.waitForFunction(() => document.activeElement?.id === 'side-key');
  await key.getByLabel('Personal API key for that host').fill(OTHER_KEY);
  await key.getByRole('button', { name: 'Use this key' }).click();
  await headline(page).waitFor();
  assert.match(page.url(), new RegExp(`to=2&to_host=${encodeURIComponent(other.url).replace(/[.]/g, '\\.')}`));
  assert.doesNotMatch(page.url(), /phx_/);
  await applyAll(page);
  await page.getByText('Applied: 66 of 66', { exact: false }).waitFor({ timeout: 30_000 });
  await headline(page).filter({ hasText: 'No differences.' }).waitFor();
  const [one, two] = [await metricsOf(sandbox, 1), await metricsOf(other, 2, OTHER_KEY)];
  assert.deepEqual(two.types, one.types);
  assert.equal(two.metrics.length, one.metrics.length);
  // The first sandbox's project 2 is untouched; nothing keyed went anywhere else.
  assert.deepEqual((await writesTo(sandbox)), []);
  assert.equal((await writesTo(other)).length, 66);
  // The key is kept nowhere but memory.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!stored.includes(OTHER_KEY), 'the other key is not stored');
  await assertClean();
});

test('a 500 on the third write stops the apply with its report; applying again sends only what remains, with no duplicate', async () => {
  allowWrites();
  const { page, assertClean } = await openCompare('&to=2');
  await headline(page).waitFor();
  await setSwitches(sandbox, { fail_write: { number: 3, status: 500 } });
  await applyAll(page);
  const status = applyStatus(page);
  await status.filter({ hasText: 'Stopped at step 3 of 66' }).waitFor({ timeout: 30_000 });
  assert.match(await status.textContent(), /: The server answered 500\. Nothing you entered is lost; try again in a moment\. Done: 2\. Not applied: 64\./);
  const states = await page.locator('.apply-run li .hint').allTextContents();
  assert.deepEqual(states.slice(0, 2), ['done', 'done']);
  assert.match(states[2], /^failed: /);
  assert.equal(states.filter((s) => s === 'not sent').length, 63);
  await assertAccessible(page, 'compare: a stopped apply');
  const out = await artifactsDir();
  for (const width of [390, 1280]) {
    for (const scheme of ['light', 'dark']) {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      assert.deepEqual(await page.evaluate(layoutProblems), { overflow: 0, split: [] }, `stopped ${width} ${scheme}`);
      await status.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(out, `apply-stopped-${width}-${scheme}.png`) });
    }
  }
  // The plan now lists what remains: 64 requests.
  await page.locator('#plan-count').filter({ hasText: /^64 requests/ }).waitFor();
  await page.getByRole('button', { name: 'Apply…' }).click();
  await page.getByRole('dialog', { name: 'Apply the plan?' }).getByRole('button', { name: 'Apply now' }).click();
  await applyStatus(page).filter({ hasText: 'Applied: 64 of 64' }).waitFor({ timeout: 30_000 });
  await headline(page).filter({ hasText: 'No differences.' }).waitFor();
  const posts = (await writesTo(sandbox)).filter((r) => r.method === 'POST' && r.status === 201);
  const names = posts.map((r) => `${r.path} ${r.body.name}`);
  assert.equal(new Set(names).size, names.length, 'no metric created twice');
  assert.equal(posts.length, 63);
  const [one, two] = [await metricsOf(sandbox, 1), await metricsOf(sandbox, 2)];
  assert.equal(two.metrics.length, one.metrics.length);
  // The one 500 this test asked for, and nothing else.
  await assertClean([statusLogged(500, `${sandbox.url}/api/projects/2/groups_types/0/metrics/`)]);
});

test('a 429 is waited out and the same request sent again', async () => {
  allowWrites();
  const { page, assertClean } = await openCompare('&to=2');
  await headline(page).waitFor();
  await setSwitches(sandbox, { fail_write: { number: 2, status: 429 } });
  await applyAll(page);
  await page.locator('.apply-run li .hint').filter({ hasText: 'asked to slow down (429)' }).waitFor({ timeout: 10_000 });
  await applyStatus(page).filter({ hasText: 'Applied: 66 of 66' }).waitFor({ timeout: 30_000 });
  const writes = await writesTo(sandbox);
  assert.equal(writes.filter((r) => r.status === 429).length, 1);
  assert.equal(writes.filter((r) => r.status < 300).length, 66);
  // The throttled request is the one sent again.
  const i = writes.findIndex((r) => r.status === 429);
  assert.deepEqual([writes[i + 1].method, writes[i + 1].path, writes[i + 1].body], [writes[i].method, writes[i].path, writes[i].body]);
  await assertClean([`status of 429 (Too Many Requests) (${sandbox.url}/api/projects/2/groups_types/0/metrics/`]);
});

test('a read-only target key shows the plan with every write not allowed, and sends nothing', async () => {
  const { page, assertClean } = await openCompare(`&to=2&to_host=${encodeURIComponent(other.url)}`);
  const key = page.getByRole('form', { name: `A key for ${other.url}` });
  await key.getByLabel('Personal API key for that host').fill(OTHER_READ_ONLY);
  await key.getByRole('button', { name: 'Use this key' }).click();
  await headline(page).waitFor();
  await page.getByRole('button', { name: 'Tick every change' }).click();
  await page.locator('#plan-refused').waitFor();
  const refusals = await page.locator('.sync-plan > ol.plan-steps > li .field-error').allTextContents();
  assert.equal(refusals.length, 66);
  assert.match(refusals[0], /cannot rename group types \(it lacks the scope group:write\)/);
  assert.match(refusals[1], /cannot write usage metrics \(it lacks the scope usage_metric:write\)/);
  assert.equal(await page.getByRole('button', { name: 'Apply…' }).isDisabled(), true);
  assert.deepEqual(await writesTo(other), []);
  assert.deepEqual(await writesTo(sandbox), []);
  await assertClean();
});

test('export → import → compare against the same project shows no differences; unknown fields are kept and reported', async () => {
  const { page, assertClean } = await openCompare('&to=2');
  await headline(page).waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download the source as a configuration file' }).click(),
  ]);
  const text = readFileSync(await download.path(), 'utf8');
  const file = JSON.parse(text);
  assert.equal(file.format, 'groups-console/configuration');
  assert.equal(file.version, 1);
  assert.equal(file.group_types.length, 4);
  assert.equal(file.metrics.length, 65);
  assert.ok(!text.includes('phx_'), 'no key in the file');
  const source = page.getByRole('group', { name: /^Source/ });
  await source.getByRole('radio', { name: 'A configuration file' }).check();
  await page.getByRole('group', { name: /^Target/ }).getByRole('radio', { name: /^This project/ }).check();
  await page.getByLabel('Configuration file (JSON)').setInputFiles({ name: 'config.json', mimeType: 'application/json', buffer: Buffer.from(text) });
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await page.waitForURL(/from=file&to=1/);
  await headline(page).filter({ hasText: 'No differences.' }).waitFor();
  // A field this console does not know: kept, and said.
  file.owner = 'growth team';
  file.metrics[0].description = 'kept';
  await page.getByLabel('Configuration file (JSON)').setInputFiles({ name: 'config.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
  await page.getByRole('note').filter({ hasText: 'owner, metrics[0].description' }).waitFor();
  assert.match(await headline(page).textContent(), /No differences\./);
  await assertClean();
});

test('a type at another index, or another key at an index, is flagged as an index clash', async () => {
  // Project 3 holds `account` at index 0, where project 1 holds `organization`.
  const { page, assertClean } = await openCompare('&to=3');
  await headline(page).waitFor();
  const types = page.getByRole('region', { name: 'Group types' });
  await types.getByRole('note').filter({ hasText: '1 index clash' }).waitFor();
  const first = types.locator('.compare-item').first();
  assert.match(await first.textContent(), /Index 0clash/);
  assert.match(await first.textContent(), /organization — “Organization” \/ “Organizations”/);
  assert.match(await first.textContent(), /account — default \/ default/);
  assert.match(await first.textContent(), /Index clash: events of one key land under different indexes/);
  // Nothing to tick for a clash, nor for the types the target lacks (events create them).
  assert.equal(await first.getByRole('checkbox').count(), 0);
  assert.match(await types.locator('.compare-item').nth(1).textContent(), /The API cannot create group types/);
  await assertClean();
});

test('a host outside config.json\'s allowed_hosts is refused, from a link or from the form, and no key is asked for it', async () => {
  const site = await startSandboxWithConfig((url) => ({ allowed_hosts: [url] }), ['--seed', seedFile, '--csp', '--csp-connect', other.url]);
  try {
    const q = `host=${encodeURIComponent(site.url)}&project=1`;
    const { page, assertClean } = await openConnectedAt(browser.context, site, `${site.url}/compare?${q}&to=2&to_host=${encodeURIComponent(other.url)}`);
    opened.push(page);
    const problem = page.locator('#compare-side-problem');
    await problem.waitFor();
    assert.equal(await problem.textContent(), `The target in this address is not valid: this console may not connect to ${other.url} (config.json's allowed_hosts)`);
    assert.equal(await page.getByLabel('Personal API key for that host').count(), 0);
    // Typed in the form: the same refusal, next to the Host field.
    await compareWith(page, 2, other.url);
    await page.locator('#compare-to-host-error').filter({ hasText: 'allowed_hosts' }).waitFor();
    assert.equal(await page.locator('#compare-to-host').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await apiRequests(other), []);
    await assertClean();
  } finally {
    await site.stop();
  }
});

test('a malformed file, or one of a newer version, is refused where it is chosen, and nothing is sent', async () => {
  const { page, assertClean } = await openCompare('&from=file&to=1');
  const input = page.getByLabel('Configuration file (JSON)');
  const bad = { format: 'groups-console/configuration', version: 1, group_types: [],
    metrics: [{ group_type_index: 0, name: 'A' }, { group_type_index: 0, name: 'B', interval: '7' }] };
  await input.setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
  const error = page.locator('#compare-file-error');
  await error.filter({ hasText: 'metrics[1].interval' }).waitFor();
  assert.match(await error.textContent(), /nothing was changed\. metrics\[1\]\.interval: Expected a whole number of days, found text\./);
  assert.equal(await input.getAttribute('aria-invalid'), 'true');
  await input.setInputFiles({ name: 'new.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...bad, version: 2 })) });
  await error.filter({ hasText: 'schema version 2' }).waitFor();
  await input.setInputFiles({ name: 'x.json', mimeType: 'application/json', buffer: Buffer.from('{"format": ') });
  await error.filter({ hasText: 'This is not JSON' }).waitFor();
  assert.equal(await page.locator('.compare-result').count(), 0);
  assert.deepEqual(await writesTo(sandbox), []);
  await assertClean();
});

test('axe is clean and nothing overflows on compare and plan at 390 and 1280 px, light and dark; screenshots', async () => {
  const out = await artifactsDir();
  const { page, assertClean } = await openCompare('&to=2');
  await headline(page).waitFor();
  await page.getByRole('button', { name: 'Tick every change' }).click();
  await page.locator('details.compare-same summary').first().click();
  for (const width of [390, 1280]) {
    for (const scheme of ['light', 'dark']) {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      await assertAccessible(page, `compare ${width} ${scheme}`);
      assert.deepEqual(await page.evaluate(layoutProblems), { overflow: 0, split: [] }, `${width} ${scheme}`);
      await page.screenshot({ path: join(out, `compare-${width}-${scheme}.png`), fullPage: false });
      await page.locator('#plan-title').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(out, `plan-${width}-${scheme}.png`) });
      await page.locator('#compare-title').scrollIntoViewIfNeeded();
    }
  }
  await assertClean();
});
