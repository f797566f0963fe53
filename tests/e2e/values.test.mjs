// Values for a group: a group chosen with the keyboard in the combobox (WAI-ARIA pattern) over
// `GET groups/`, then one `POST query/` (UsageMetricsQuery), shown in a column of the metrics
// list and as PostHog's card on a metric's page, formatted as PostHog's group page formats
// them. The numbers are checked against what the sandbox computes (its control route), the
// text against PostHog's own formatting (`lib/utils/numbers.ts`, done here with `Intl` as
// PostHog does). The group lives in the URL; a key without query:read is told the scope and
// sends nothing; loading, no groups, and a refused query each have an accessible state.

import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  strictSuite, openConnectedAt, assertAccessible, allowWrites, eventually, capabilityLines,
  metricsUrl, metricTable, apiRequests, statusLogged, sandboxApi,
} from './harness.mjs';

let sandbox;
let browser;
const { opened } = strictSuite({ before, after, beforeEach, afterEach }, (suite) => {
  ({ sandbox, browser } = suite);
});

const NO_QUERY_KEY = 'phx_sandbox_no_query';
const QUERY = '/api/projects/1/query/';
const GROUPS = '/api/projects/1/groups/';
const PAID_BILLS = '5a239999-30db-5642-a993-e2b2d15fb5bc';

// ---- PostHog's formatting (frontend/src/lib/utils/numbers.ts), as the app must match it ----

/** humanFriendlyNumber: grouped, at most two decimals. */
const grouped = (x) => {
  const t = x.toLocaleString('en-US', { maximumFractionDigits: 2 });
  return t === '-0' ? '0' : t;
};
/** humanFriendlyCurrency, with the sign before the dollar. */
const currency = (x) => {
  const t = Math.abs(x).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return (x < 0 && t !== '0.00' ? '-$' : '$') + t;
};
/** humanFriendlyLargeNumber: three significant digits and K/M/B/T. */
function large(d) {
  const prefix = d >= 0 ? '' : '-';
  d = parseFloat(Math.abs(d).toPrecision(3));
  for (const [unit, suffix] of [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']]) {
    if (d >= unit) return `${prefix}${(d / unit).toString()}${suffix}`;
  }
  return `${prefix}${d}`;
}
const valueText = (format, x) => (format === 'currency' ? currency(x) : grouped(x));
const cardText = (format, x) => (format === 'currency' ? currency(x) : large(x));
/** formatPercentage of the magnitude, signed with + or U+2212; null without a previous period. */
function changeText(pct) {
  if (pct === null) return null;
  const a = Math.abs(pct);
  const t = a >= 1000 ? `${large(a)}%` : (a / 100).toLocaleString('en-US', { style: 'percent', maximumSignificantDigits: 2 });
  return `${pct > 0 ? '+' : pct < 0 ? '\u2212' : ''}${t}`;
}
/** The sparkline's text alternative. */
function describe(series, labels, format) {
  const f = (x) => valueText(format, x);
  const [a, b] = [labels[0], labels[labels.length - 1]];
  const dates = a === b ? ` on ${a}` : ` from ${a} to ${b}`;
  const span = series.length === 1 ? '1 day' : `${series.length} days`;
  return `Daily values, ${span}${dates}: first ${f(series[0])}, last ${f(series[series.length - 1])}, lowest ${f(Math.min(...series))}, highest ${f(Math.max(...series))}`;
}

// ---- Helpers ----

const combobox = (page) => page.getByRole('combobox', { name: 'Group', exact: true });
const listbox = (page) => page.getByRole('listbox', { name: 'Group' });
const valuesHeader = (page) => metricTable(page).getByRole('columnheader', { name: /^Value for / });
const posts = async () => (await apiRequests(sandbox)).filter((r) => r.method === 'POST' && r.path === QUERY);
const groupReads = async () => (await apiRequests(sandbox)).filter((r) => r.method === 'GET' && r.path === GROUPS);
const clearLog = () => sandbox.control('requests', { method: 'DELETE' });

/** What the sandbox's runner computes for a group now (its control route, no key). */
async function computed(key = 'acme', index = 0) {
  const res = await fetch(`${sandbox.url}/_sandbox/usage?project=1&group_type_index=${index}&group_key=${key}`);
  assert.equal(res.status, 200);
  return (await res.json()).results;
}

/** Opens the app, connects with `key` and opens `url`; records the app's query answers. */
async function open(url, key) {
  const answers = [];
  const opening = await openConnectedAt(browser.context, sandbox, url, key ? { key } : {}, (page) => {
    opened.push(page);
    page.on('response', async (res) => {
      if (res.request().method() === 'POST' && new URL(res.url()).pathname === QUERY) {
        answers.push(await res.json().catch(() => null));
      }
    });
  });
  return { ...opening, answers };
}

/** Chooses Acme Inc with the keyboard only: type, arrow down to it, Enter. */
async function chooseAcme(page) {
  const box = combobox(page);
  await box.focus();
  await page.keyboard.type('acm');
  const option = listbox(page).getByRole('option', { name: /Acme Inc/ });
  await option.waitFor();
  assert.equal(await box.getAttribute('aria-expanded'), 'true');
  assert.equal(await box.getAttribute('aria-activedescendant'), null, 'typing makes no option active');
  await page.keyboard.press('ArrowDown');
  const id = await option.getAttribute('id');
  assert.equal(await box.getAttribute('aria-activedescendant'), id);
  assert.equal(await option.getAttribute('aria-selected'), 'true');
  await page.keyboard.press('Enter');
  await valuesHeader(page).waitFor();
  assert.equal(await box.getAttribute('aria-expanded'), 'false');
  assert.equal(await box.inputValue(), 'Acme Inc');
}

/** The metric id of each row, from its link, with the row's values cell. */
async function rowsWithValues(page) {
  return metricTable(page).locator('tbody tr').evaluateAll((rows) => rows.map((tr) => {
    const cell = tr.querySelector('td.value-cell');
    const svg = cell?.querySelector('svg[role=slider]');
    return {
      id: decodeURIComponent(new URL(tr.querySelector('th a').href).pathname.split('/').pop()),
      value: cell?.querySelector('.metric-value')?.textContent ?? null,
      raw: cell?.querySelector('.metric-value')?.dataset.value ?? null,
      change: cell?.querySelector('.change')?.textContent ?? null,
      spark: svg?.getAttribute('aria-valuetext') ?? null,
      text: cell?.textContent ?? null,
    };
  }));
}

/** The app's answer and the sandbox's computation agree (the clock may tick between them). */
async function sameAsSandbox(answer) {
  const strip = (list) => list.map((r) => [r.id, r.value, r.previous, r.change_from_previous_pct, r.timeseries]);
  await eventually(async () => JSON.stringify(strip(answer.results)) === JSON.stringify(strip(await computed())),
    'the app\'s query answer to equal what the sandbox computes', 3000);
}

// ---- Tests ----

test('a group chosen with the keyboard shows every metric as the sandbox computes it, in one query', async () => {
  // A metric whose filters match every event: PostHog never computes it, so it has no value.
  const everything = await sandboxApi(sandbox, 'POST', '/api/projects/1/groups_types/0/metrics/', { name: 'Every event', filters: {} });
  assert.equal(everything.status, 201);
  const { page, answers, assertClean } = await open(metricsUrl(sandbox, 0, { limit: 100 }));
  await metricTable(page).waitFor();
  await clearLog();
  // Nothing is asked of the server until the user asks.
  await page.waitForTimeout(300);
  assert.deepEqual(await groupReads(), []);
  assert.equal(await valuesHeader(page).count(), 0, 'no column without a group');

  // Escape closes the list first, then clears the box (the combobox pattern).
  await combobox(page).focus();
  await page.keyboard.type('glo');
  await listbox(page).getByRole('option', { name: /Globex/ }).waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await combobox(page).getAttribute('aria-expanded'), 'false');
  assert.equal(await combobox(page).inputValue(), 'glo');
  await page.keyboard.press('Escape');
  assert.equal(await combobox(page).inputValue(), '');

  await chooseAcme(page);
  assert.equal(await valuesHeader(page).textContent(), 'Value for Acme Inc');
  assert.equal(new URL(page.url()).searchParams.get('group'), '0:acme');
  await metricTable(page).locator('td.value-cell .metric-value').first().waitFor();

  assert.equal(answers.length, 1);
  const answer = answers[0];
  await sameAsSandbox(answer);
  const byId = new Map(answer.results.map((r) => [r.id, r]));
  const rows = await rowsWithValues(page);
  assert.ok(rows.length > 25, 'the page of 100 shows every metric');
  let sparklines = 0;
  let notComputed = 0;
  for (const row of rows) {
    const want = byId.get(row.id);
    if (!want) {
      assert.equal(row.text, 'Not computed', row.id);
      notComputed += 1;
      continue;
    }
    assert.equal(Number(row.raw), want.value, `${want.name}: the raw value`);
    assert.equal(row.value, valueText(want.format, want.value), `${want.name}: the value as PostHog writes it`);
    assert.equal(row.change, changeText(want.change_from_previous_pct), `${want.name}: the change`);
    if (want.display === 'sparkline') {
      sparklines += 1;
      assert.equal(row.spark, describe(want.timeseries, want.timeseries_labels, want.format), `${want.name}: the text alternative`);
    } else {
      assert.equal(row.spark, null, `${want.name}: no sparkline for a number`);
    }
  }
  assert.ok(sparklines > 0, `${sparklines} sparklines`);
  assert.equal(notComputed, 1, 'the metric of every event is not computed');
  assert.equal(byId.has(everything.body.id), false);
  assert.ok(answer.results.some((r) => r.change_from_previous_pct === null), 'some metric has no previous period');

  // The day's value on focus: the latest day, then the one before with the left arrow.
  const paid = byId.get(PAID_BILLS);
  const chart = metricTable(page).getByRole('slider', { name: /^Daily values of / }).first();
  const row = metricTable(page).locator('tr', { has: page.locator(`a[href*="${PAID_BILLS}"]`) });
  // A slider over the days, named after its metric (a page has one a metric).
  const paidChart = row.getByRole('slider', { name: 'Daily values of Paid bills' });
  const n = paid.timeseries.length;
  assert.equal(await paidChart.getAttribute('aria-valuetext'), describe(paid.timeseries, paid.timeseries_labels, paid.format));
  await paidChart.focus();
  const day = row.locator('.sparkline-day');
  const dayText = (i) => `${paid.timeseries_labels[i]}: ${currency(paid.timeseries[i])}`;
  assert.equal(await day.textContent(), dayText(n - 1));
  assert.deepEqual([await paidChart.getAttribute('aria-valuenow'), await paidChart.getAttribute('aria-valuetext')], [String(n), dayText(n - 1)]);
  await page.keyboard.press('ArrowLeft');
  assert.equal(await day.textContent(), dayText(n - 2));
  assert.equal(await paidChart.getAttribute('aria-valuetext'), dayText(n - 2));
  await page.keyboard.press('Home');
  assert.equal(await day.textContent(), dayText(0));
  assert.deepEqual([await paidChart.getAttribute('aria-valuenow'), await paidChart.getAttribute('aria-valuemax')], ['1', String(n)]);
  assert.ok(await chart.count());
  await assertAccessible(page, 'metrics list with the values of a group');

  // One query for the group, not one per metric; the searches named the type.
  const sent = await posts();
  assert.deepEqual(sent.map((r) => r.body), [{ query: { kind: 'UsageMetricsQuery', group_type_index: 0, group_key: 'acme' } }]);
  const searches = (await groupReads()).map((r) => new URLSearchParams(r.query));
  assert.ok(searches.every((q) => q.get('group_type_index') === '0'));
  assert.ok(searches.some((q) => q.get('search') === 'acm'), searches.map(String).join(' | '));

  // Show no values: the column goes, and so does the group from the URL.
  await page.getByRole('button', { name: 'Show no values' }).click();
  await eventually(async () => (await valuesHeader(page).count()) === 0, 'the column to go');
  assert.equal(new URL(page.url()).searchParams.get('group'), null);
  assertClean();
});

test('the URL keeps the group across a reload and into a metric\'s page, which shows PostHog\'s card', async () => {
  const { page, answers, assertClean } = await open(metricsUrl(sandbox, 0));
  await metricTable(page).waitFor();
  await chooseAcme(page);
  await page.reload();
  await eventually(async () => (await valuesHeader(page).textContent().catch(() => '')) === 'Value for Acme Inc',
    'the column for Acme Inc after the reload');
  assert.equal(await combobox(page).inputValue(), 'Acme Inc');
  assert.equal(new URL(page.url()).searchParams.get('group'), '0:acme');

  // The pager and another group type's list keep the group: PostHog computes every metric
  // of the project for it, whatever group type the metric is filed under.
  const next = page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Next' });
  assert.equal(new URL(await next.evaluate((a) => a.href)).searchParams.get('group'), '0:acme');
  await page.getByLabel('Filed under').selectOption('1');
  await page.waitForURL((u) => u.searchParams.get('index') === '1');
  assert.equal(new URL(page.url()).searchParams.get('group'), '0:acme');
  await eventually(async () => (await valuesHeader(page).textContent().catch(() => '')) === 'Value for Acme Inc',
    'the column for Acme Inc on the list narrowed to company');
  await page.getByLabel('Filed under').selectOption('0');
  await page.waitForURL((u) => u.searchParams.get('index') === '0');

  await clearLog();
  await metricTable(page).getByRole('link', { name: 'Paid bills', exact: true }).click();
  await page.getByRole('heading', { name: 'Paid bills', level: 1 }).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('group'), '0:acme');
  const card = page.getByRole('article', { name: 'Paid bills for Acme Inc' });
  await card.waitFor();
  const paid = answers.at(-1).results.find((r) => r.id === PAID_BILLS);
  await sameAsSandbox(answers.at(-1));
  assert.equal(await card.locator('.usage-card-value').textContent(), cardText(paid.format, paid.value));
  assert.equal(await card.locator('.usage-card-window').textContent(), `Last ${paid.interval} days`);
  assert.equal(await card.locator('.change').count(), paid.change_from_previous_pct === null ? 0 : 1);
  assert.equal(await card.getByRole('slider', { name: 'Daily values of Paid bills' }).getAttribute('aria-valuetext'),
    describe(paid.timeseries, paid.timeseries_labels, paid.format));
  // The list's answer is kept for 30 s: the page asks nothing again.
  assert.deepEqual(await posts(), []);
  await assertAccessible(page, 'metric page with the card for a group');
  assertClean();
});

test('a saved edit refreshes the value', async () => {
  allowWrites();
  const url = `${metricsUrl(sandbox, 0)}&group=0:acme`.replace('/metrics?', `/metrics/${PAID_BILLS}?`);
  const { page, answers, assertClean } = await open(url);
  const card = page.getByRole('article', { name: 'Paid bills for Acme Inc' });
  await card.locator('.usage-card-window').filter({ hasText: 'Last 30 days' }).waitFor();
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await page.getByRole('radio', { name: '7 days' }).check();
  await page.getByRole('button', { name: 'Save metric' }).click();
  await page.getByRole('heading', { name: 'Paid bills', level: 1 }).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('group'), '0:acme', 'the save comes back to the group');
  await card.locator('.usage-card-window').filter({ hasText: 'Last 7 days' }).waitFor();
  const posted = await posts();
  assert.equal(posted.length, 2, 'the query was sent again after the save');
  const paid = answers.at(-1).results.find((r) => r.id === PAID_BILLS);
  assert.equal(paid.interval, 7);
  assert.equal(await card.locator('.usage-card-value').textContent(), cardText(paid.format, paid.value));
  assertClean();
});

test('a key without query:read is told the scope to add, and no query is sent', async () => {
  const { page, assertClean } = await open(`${metricsUrl(sandbox, 0)}&group=0:acme`, NO_QUERY_KEY);
  await metricTable(page).waitFor();
  const reason = page.locator('#values-refused');
  await reason.waitFor();
  assert.match(await reason.textContent(), /need the scope query:read\. Add query:read to the key in PostHog/);
  assert.equal(await combobox(page).count(), 0, 'no group choice that would only be refused');
  assert.equal(await valuesHeader(page).count(), 0);
  await page.waitForTimeout(500);
  assert.deepEqual(await posts(), [], 'no query sent');
  assert.deepEqual(await groupReads(), [], 'nor a search for the group\'s name');
  await assertAccessible(page, 'metrics list for a key without query:read');
  await page.getByRole('link', { name: 'Group types', exact: true }).click();
  const lines = await capabilityLines(page);
  assert.equal(lines[5], 'See metric values for a group: no — the key lacks the scope query:read');
  assertClean();
});

test('a group type without groups says so, and the list follows the server\'s cursor', async () => {
  const { page, assertClean } = await open(metricsUrl(sandbox, 0));
  await metricTable(page).waitFor();
  await page.getByLabel('Group type', { exact: true }).selectOption({ label: 'instance' });
  await combobox(page).focus();
  await page.keyboard.press('ArrowDown');
  const status = page.locator('#group-search-status');
  await status.filter({ hasText: 'No instance(s) yet: PostHog lists a group once an event carries it.' }).waitFor();
  assert.equal(await combobox(page).getAttribute('aria-expanded'), 'false', 'no empty list is shown');
  await assertAccessible(page, 'group choice for a type without groups');

  // A next page: the server's link is followed with its cursor (here added to the answer).
  await page.route(`${sandbox.url}${GROUPS}?*`, async (route) => {
    const url = new URL(route.request().url());
    const res = await route.fetch();
    const body = await res.json();
    if (!url.searchParams.has('cursor')) body.next = `${sandbox.url}${GROUPS}?cursor=c2FuZGJveA%3D%3D&group_type_index=0`;
    await route.fulfill({ response: res, json: body });
  });
  await page.getByLabel('Group type', { exact: true }).selectOption({ label: 'Organization' });
  await combobox(page).focus();
  await page.keyboard.press('ArrowDown');
  const more = listbox(page).getByRole('option', { name: 'More results…' });
  await more.waitFor();
  const before = await listbox(page).getByRole('option').count();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp'); // wraps to the last option, "More results…"
  assert.equal(await combobox(page).getAttribute('aria-activedescendant'), await more.getAttribute('id'));
  await page.keyboard.press('Enter');
  await eventually(async () => (await listbox(page).getByRole('option').count()) === 2 * (before - 1),
    'the next page appended');
  const cursors = (await groupReads()).map((r) => new URLSearchParams(r.query).get('cursor')).filter(Boolean);
  assert.deepEqual(cursors, ['c2FuZGJveA==']);
  await assertAccessible(page, 'group list with a next page');
  await page.unrouteAll({ behavior: 'wait' });
  assertClean();
});

test('loading and a refused query each show their state, where the values go', async () => {
  const { page, assertClean } = await open(metricsUrl(sandbox, 0));
  await metricTable(page).waitFor();
  let release;
  const held = new Promise((ok) => { release = ok; });
  let attempts = 0;
  await page.route(`${sandbox.url}${QUERY}`, async (route) => {
    attempts += 1;
    await held;
    await route.fulfill({
      status: 500,
      contentType: 'application/json',
      body: JSON.stringify({ type: 'server_error', code: 'error', detail: 'A server error occurred.', attr: null }),
    });
  });
  await chooseAcme(page);
  await page.getByRole('status').filter({ hasText: 'Loading the values for Acme Inc…' }).waitFor();
  assert.equal(await metricTable(page).locator('td.value-cell').first().textContent(), 'Loading…');
  await assertAccessible(page, 'values loading');
  release();
  await page.getByText('The values for Acme Inc could not be loaded.').waitFor({ timeout: 15_000 });
  const panel = page.getByRole('alert').filter({ hasText: 'The server had a problem' });
  await panel.waitFor({ timeout: 15_000 });
  assert.ok(attempts >= 2, 'a read is tried again before giving up');
  assert.equal(await valuesHeader(page).count(), 0, 'no column of values that are not there');
  assert.ok((await metricTable(page).locator('tbody tr').count()) > 0, 'the list stays');
  await assertAccessible(page, 'values refused');
  await page.unrouteAll({ behavior: 'wait' });
  await panel.getByRole('button', { name: 'Try again' }).click();
  await metricTable(page).locator('td.value-cell .metric-value').first().waitFor();
  assertClean([statusLogged(500, `${sandbox.url}${QUERY}`)]);
});
