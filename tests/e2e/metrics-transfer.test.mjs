// Carrying usage metrics in files end to end (a copy to another group type of the same project
// is no longer offered: PostHog computes every metric on every page, so it would show twice;
// moving into index 0 is in project-metrics.test.mjs): exporting a group type's metrics to a
// file, importing such a file (preview, progress, report, what the sandbox stored), files that cannot be imported,
// and axe on each dialog. Every test starts from the seed (state, switches and request log reset).

import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  openPage, connect, assertAccessible,
  setSwitches, statusLogged,
  metricsUrl, sandboxMetrics, apiRequests, metricTable, rowNames,
  strictSuite,
  allowWrites,
} from './harness.mjs';

let sandbox;
let browser;
const { opened } = strictSuite({ before, after, beforeEach, afterEach }, (suite) => {
  ({ sandbox, browser } = suite);
});

/** Opens the app in a new tab, connects to `project`, then opens group type `index`'s metrics. */
async function openList(index = 0, project = '1') {
  const opening = await openPage(browser.context, sandbox.url);
  opened.push(opening.page);
  await connect(opening.page, { project });
  await opening.page.getByRole('heading', { name: 'Group types', level: 1 }).waitFor();
  await opening.page.goto(metricsUrl(sandbox, index, { project }));
  await opening.page.locator('p.summary').waitFor();
  return opening;
}

const clearLog = () => sandbox.control('requests', { method: 'DELETE' });
const notice = (page, text) => page.locator('div.notice[role=status]').filter({ hasText: text });
const posts = async (path) => (await apiRequests(sandbox)).filter((r) => r.method === 'POST' && (!path || r.path === path));
const writes = async () => (await apiRequests(sandbox)).filter((r) => r.method !== 'GET');
const metricsPath = (index, project = 1) => `/api/projects/${project}/groups_types/${index}/metrics/`;
const withoutId = ({ id: _, ...rest }) => rest;

// ---- Export and import ----

/** Clicks Export and returns the downloaded file's name and parsed content. */
async function exportFile(page) {
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 10_000 }),
    page.getByRole('button', { name: 'Export' }).click(),
  ]);
  assert.equal(await download.failure(), null);
  const text = readFileSync(await download.path(), 'utf8');
  return { filename: download.suggestedFilename(), text, file: JSON.parse(text) };
}

/** Opens the import dialog and chooses a file with this text. */
async function chooseImport(page, text, filename = 'metrics.json') {
  if (!(await page.getByRole('dialog', { name: 'Import metrics' }).isVisible())) {
    await page.getByRole('button', { name: 'Import', exact: true }).click();
  }
  const dialog = page.getByRole('dialog', { name: 'Import metrics' });
  await dialog.waitFor();
  await dialog.getByLabel('Metrics file (JSON)').setInputFiles({ name: filename, mimeType: 'application/json', buffer: Buffer.from(text) });
  return dialog;
}

/** The import preview: its counts line and each list's items. */
async function previewOf(dialog) {
  return dialog.locator('.import-preview').evaluate((el) => {
    const out = { counts: el.querySelector('p[role=status]').textContent.trim() };
    for (const h of el.querySelectorAll('h3')) out[h.textContent.trim()] = [...h.nextElementSibling.querySelectorAll('li')].map((li) => li.textContent.trim());
    return out;
  });
}

test('export writes the metrics of the list narrowed to a group type; importing the file files them under index 0', async () => {
  allowWrites();
  const company = await sandboxMetrics(sandbox, 1, 1);
  assert.equal(company.length, 4);
  const { page, assertClean } = await openList(1);
  await metricTable(page).waitFor();
  await clearLog();

  const { filename, file, text } = await exportFile(page);
  assert.equal(filename, 'metrics-project-1-group-type-1.json');
  await notice(page, 'Exported 4 metrics to metrics-project-1-group-type-1.json.').waitFor();
  assert.deepEqual(Object.keys(file), ['format', 'source', 'metrics']);
  assert.equal(file.format, 'groups-console/metrics@1');
  assert.deepEqual(file.source, { host: sandbox.url, project: '1', group_type_index: 1 });
  assert.equal(file.metrics.length, 4);
  assert.deepEqual(file.metrics, company.map(withoutId), 'every writable field, no ids');
  assert.deepEqual(await writes(), [], 'export only reads');

  // The same file into the same project: every name is taken (under index 1), so nothing
  // would be created; each would show twice on every page.
  const same = await chooseImport(page, text, filename);
  await same.getByText('0 to create, 4 skipped, 0 invalid').waitFor();
  await page.keyboard.press('Escape');
  await same.waitFor({ state: 'detached' });

  // Renamed, they are new: imported into the project, filed under index 0 (there is no
  // group type to choose).
  const renamed = JSON.stringify({ ...file, metrics: file.metrics.map((m) => ({ ...m, name: `Imported ${m.name}` })) });
  await setSwitches(sandbox, { latency_ms: 400 });
  const dialog = await chooseImport(page, renamed, filename);
  assert.equal(await dialog.getByRole('combobox').count(), 0, 'no group type to choose');
  await dialog.getByText("New metrics are filed under index 0, where PostHog's settings list them.", { exact: false }).waitFor();
  await dialog.getByText('4 to create, 0 skipped, 0 invalid').waitFor();
  assert.deepEqual(await previewOf(dialog), {
    counts: '4 to create, 0 skipped, 0 invalid',
    'Will be created': ['Imported Active users', 'Imported Revenue', 'Imported Seats purchased', 'Imported Support tickets opened'],
  });
  assert.deepEqual(await posts(), [], 'the preview creates nothing');
  await assertAccessible(page, 'import dialog with a preview');

  await clearLog();
  await dialog.getByRole('button', { name: 'Import 4 metrics' }).click();
  // Progress while it runs; Close waits for the end.
  const progress = dialog.getByLabel('Import progress');
  await progress.waitFor();
  assert.equal(await progress.getAttribute('max'), '4');
  await dialog.getByText(/^Created [0-3] of 4$/).waitFor();
  assert.equal(await dialog.getByRole('button', { name: 'Close' }).isDisabled(), true);
  await dialog.getByText('Close is available when the import has ended.').waitFor();
  await assertAccessible(page, 'import dialog while importing');
  await dialog.getByText('Created 4; failed 0').waitFor({ timeout: 15_000 });
  assert.equal(await progress.getAttribute('value'), '4');
  assert.equal(await dialog.getByRole('button', { name: 'Close' }).isEnabled(), true);
  await setSwitches(sandbox, { latency_ms: 0 });

  const sent = await posts();
  const expected = JSON.parse(renamed).metrics;
  assert.deepEqual(sent.map((r) => [r.path, r.status]), Array(4).fill([metricsPath(0), 201]));
  assert.deepEqual(sent.map((r) => r.body), expected, 'one create per metric, in file order, with the file\'s fields');
  const imported = (await sandboxMetrics(sandbox, 1, 0)).slice(-4);
  assert.deepEqual(imported.map(withoutId), expected);
  assert.deepEqual(await sandboxMetrics(sandbox, 1, 1), company, 'the exported group type is unchanged');

  // Closed, the project's list shows them, in PostHog's settings.
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.goto(metricsUrl(sandbox, 0, { limit: 100 }));
  await metricTable(page).waitFor();
  assert.deepEqual((await rowNames(page)).slice(-4), expected.map((m) => m.name));

  // The renamed file again: everything is skipped and there is nothing to import.
  const again = await chooseImport(page, renamed, filename);
  await again.getByText('0 to create, 4 skipped, 0 invalid').waitFor();
  assert.deepEqual((await previewOf(again)).Skipped, expected.map((m) => `${m.name} — a metric with this name exists`));
  assert.equal(await again.getByRole('button', { name: 'Import 0 metrics' }).isDisabled(), true);
  assertClean();
});

test('importing into project 2, which has no group types, files them under index 0', async () => {
  allowWrites();
  const company = await sandboxMetrics(sandbox, 1, 1);
  const { page: source, assertClean: sourceClean } = await openList(1);
  await metricTable(source).waitFor();
  const { text } = await exportFile(source);

  const opening = await openPage(browser.context, sandbox.url);
  opened.push(opening.page);
  const { page, assertClean } = opening;
  await connect(page, { project: '2' });
  await page.getByText('This project has no group types yet.').waitFor();
  await page.getByRole('link', { name: 'Usage metrics', exact: true }).click();
  await page.getByText('This project has no usage metrics yet.').waitFor();
  assert.equal(new URL(page.url()).pathname, '/metrics');
  await clearLog();
  const dialog = await chooseImport(page, text);
  await dialog.getByText('4 to create, 0 skipped, 0 invalid').waitFor();
  await assertAccessible(page, 'import dialog in a project without group types');
  await dialog.getByRole('button', { name: 'Import 4 metrics' }).click();
  await dialog.getByText('Created 4; failed 0').waitFor({ timeout: 15_000 });
  assert.deepEqual((await posts()).map((r) => [r.path, r.status]), Array(4).fill([metricsPath(0, 2), 201]));
  const stored = await sandboxMetrics(sandbox, 2, 0);
  assert.deepEqual(stored.map(withoutId), company.map(withoutId));
  assert.equal((await sandboxMetrics(sandbox, 1, 0)).length, 61, 'project 1 untouched');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await metricTable(page).waitFor();
  assert.deepEqual(await rowNames(page), company.map((m) => m.name));
  assertClean();
  sourceClean();
});

test('a file mixing new, existing, repeated and invalid metrics previews each, and only the new one is created', async () => {
  allowWrites();
  const { page, assertClean } = await openList(1);
  await metricTable(page).waitFor();
  await clearLog();
  const file = {
    format: 'groups-console/metrics@1',
    metrics: [
      { name: 'Revenue', filters: {} },
      { name: 'Churned seats', interval: 30, filters: { events: [{ id: 'seat_removed', name: 'seat_removed', type: 'events', order: 0 }], x_keep: [1] } },
      { name: 'Churned seats', filters: {} },
      { name: '', filters: {} },
      42,
      { name: 'Sum without property', math: 'sum', filters: {} },
    ],
  };
  const dialog = await chooseImport(page, JSON.stringify(file));
  await dialog.getByText('1 to create, 2 skipped, 3 invalid').waitFor();
  const preview = await previewOf(dialog);
  assert.deepEqual(preview['Will be created'], ['Churned seats']);
  assert.deepEqual(preview.Skipped, ['Revenue — a metric with this name exists', 'Churned seats — appears earlier in the file']);
  assert.equal(preview.Invalid.length, 3);
  assert.match(preview.Invalid[0], /^Item 4 — name: /);
  assert.match(preview.Invalid[1], /^Item 5 — /);
  assert.match(preview.Invalid[2], /^Item 6 “Sum without property” — math_property: /);
  await assertAccessible(page, 'import dialog with skipped and invalid entries');

  await dialog.getByRole('button', { name: 'Import 1 metric' }).click();
  await dialog.getByText('Created 1; failed 0').waitFor();
  const sent = await posts();
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0].body, {
    name: 'Churned seats', format: 'numeric', interval: 30, display: 'number', math: 'count', math_property: null,
    filters: { events: [{ id: 'seat_removed', name: 'seat_removed', type: 'events', order: 0 }], x_keep: [1] },
  });
  const stored = await sandboxMetrics(sandbox, 1, 0);
  assert.equal(stored.length, 62);
  assert.deepEqual(withoutId(stored.at(-1)), sent[0].body);
  assertClean();
});

test('an import whose creates fail reports each failure and keeps going', async () => {
  allowWrites();
  const { page, assertClean } = await openList(2);
  await clearLog();
  const text = JSON.stringify([{ name: 'First', filters: {} }, { name: 'Second', filters: {} }]);
  const dialog = await chooseImport(page, text);
  await dialog.getByText('2 to create, 0 skipped, 0 invalid').waitFor();
  await setSwitches(sandbox, { failure_rate: 1 });
  await dialog.getByRole('button', { name: 'Import 2 metrics' }).click();
  await dialog.getByText('Created 0; failed 2').waitFor();
  await setSwitches(sandbox, { failure_rate: 0 });
  const failures = await dialog.locator('ul.import-failures li').allInnerTexts();
  assert.equal(failures.length, 2);
  assert.match(failures[0], /^First: .*500/);
  assert.match(failures[1], /^Second: .*500/);
  assert.deepEqual((await posts()).map((r) => [r.body.name, r.status]), [['First', 500], ['Second', 500]]);
  assert.equal((await sandboxMetrics(sandbox, 1, 0)).length, 61);
  await assertAccessible(page, 'import report with failures');
  assertClean([statusLogged(500, `${sandbox.url}${metricsPath(0)}`)]);
});

test('a malformed import file is explained and nothing is sent', async () => {
  const { page, assertClean } = await openList(2);
  await clearLog();
  const cases = [
    ['{"metrics": [', /^The file is not valid JSON \(.+\)\.$/],
    ['{"hello": 1}', /^The file has no list of metrics \(expected "metrics": \[\.\.\.\]\)\.$/],
    ['"just text"', /^The file has no list of metrics/],
    ['{"format": "other/1", "metrics": []}', /^The file's format is "other\/1"; this app reads "groups-console\/metrics@1"\.$/],
  ];
  for (const [text, message] of cases) {
    const dialog = await chooseImport(page, text, 'broken.json');
    const error = dialog.locator('#import-file-error');
    await error.filter({ hasText: message }).waitFor();
    assert.match((await error.textContent()).trim(), message, text);
    assert.equal(await dialog.locator('.import-preview').count(), 0, `no preview for ${text}`);
    const button = dialog.getByRole('button', { name: /^Import \d+ metrics?$/ });
    assert.equal(await button.isDisabled(), true, `Import disabled for ${text}`);
    await button.click({ force: true }).catch(() => {});
    assert.deepEqual(await dialog.getByLabel('Metrics file (JSON)').getAttribute('aria-describedby'), 'import-file-error');
  }
  await assertAccessible(page, 'import dialog with a malformed file');
  assert.deepEqual(await writes(), [], 'nothing sent');
  assert.deepEqual(await sandboxMetrics(sandbox, 1, 2), []);

  // A good file after a bad one is read normally.
  const dialog = await chooseImport(page, JSON.stringify([{ name: 'Fine', filters: {} }]));
  await dialog.getByText('1 to create, 0 skipped, 0 invalid').waitFor();
  assert.equal((await dialog.locator('#import-file-error').textContent()).trim(), '');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(await writes(), []);
  assertClean();
});
