// Malformed answers from the server (the sandbox's `corrupt` switch): an HTML error page from a
// proxy, an empty or cut-short body, wrong types, unknown fields and values, and a list far
// bigger than asked for. The app must show the data or a clear message — never a blank page,
// never a panic (a WASM panic shows as a page error or "RuntimeError: unreachable").

import {
  test, before, after, beforeEach, afterEach,
} from 'node:test';
import assert from 'node:assert/strict';
import {
  browserSuite, openPage, connect, setSwitches, resetSandbox,
} from './harness.mjs';

let sandbox;
let browser;
browserSuite({ before, after, beforeEach, afterEach }, { ready: (suite) => ({ sandbox, browser } = suite) });

// resetSandbox's DEFAULT_SWITCHES does not know this switch: turn it off after every test.
afterEach(async () => {
  await setSwitches(sandbox, { corrupt: null });
});

const DECODE = "did not match PostHog's API";
const groupTypesTable = (page) => page.getByRole('table', { name: 'Group types of this project' });
const metricsTable = (page) => page.getByRole('table', { name: 'Usage metrics of this project' });
const range = (page) => page.getByRole('navigation', { name: 'Pages' }).locator('p.range');
const alert = (page, text) => page.getByRole('alert').filter({ hasText: text });
const metricsUrl = () =>
  `${sandbox.url}/metrics?host=${encodeURIComponent(sandbox.url)}&project=1&index=0&limit=25&offset=0`;

/** Not a blank page: a heading and some visible text. */
async function assertNotBlank(page, where) {
  await page.locator('h1').first().waitFor();
  const text = (await page.locator('body').innerText()).trim();
  assert.ok(text.length > 20, `${where}: the page is (almost) blank: ${JSON.stringify(text)}`);
}

/**
 * Connects with good answers, turns `corrupt` on, reloads the group types screen and opens the
 * metrics list of group type 0, checking each with `groupTypes` / `metrics`.
 */
async function underCorruption(mode, { groupTypes, metrics, allow = [] }) {
  await resetSandbox(sandbox);
  const { page, assertClean } = await openPage(browser.context, sandbox.url);
  await connect(page);
  await groupTypesTable(page).waitFor();
  await setSwitches(sandbox, { corrupt: mode });
  await page.reload();
  await groupTypes(page);
  await assertNotBlank(page, `${mode}: group types`);
  const started = Date.now();
  await page.goto(metricsUrl());
  await metrics(page);
  const took = Date.now() - started;
  await assertNotBlank(page, `${mode}: metrics`);
  assertClean(allow);
  return { page, took };
}

test('html: a proxy\'s 502 page is retried, then explained', async () => {
  const expectAlert = async (page) => {
    // Reads are retried on 5xx (0.4 + 0.8 + 1.6 s of backoff) before the error shows.
    const a = alert(page, '502');
    await a.waitFor({ timeout: 20_000 });
    const text = (await a.innerText()).trim();
    assert.ok(text.length > 10);
    console.log(`html: ${page.url().includes('/metrics') ? 'metrics' : 'group types'}: ${JSON.stringify(text)}`);
  };
  await underCorruption('html', {
    groupTypes: expectAlert,
    metrics: expectAlert,
    allow: [`status of 502 (Bad Gateway) (${sandbox.url}/api/`],
  });
});

for (const mode of ['empty', 'garbage', 'wrong_types']) {
  test(`${mode}: the answer is reported as not matching PostHog's API`, async () => {
    const expectDecode = async (page) => {
      await alert(page, DECODE).waitFor({ timeout: 20_000 });
      const text = (await alert(page, DECODE).first().innerText()).trim();
      console.log(`${mode}: ${page.url().includes('/metrics') ? 'metrics' : 'group types'}: ${JSON.stringify(text)}`);
    };
    await underCorruption(mode, { groupTypes: expectDecode, metrics: expectDecode });
  });
}

test('unknown: unknown fields are ignored and unknown values are shown', async () => {
  await underCorruption('unknown', {
    groupTypes: async (page) => {
      await groupTypesTable(page).waitFor();
      await groupTypesTable(page).getByText('organization', { exact: true }).first().waitFor();
    },
    metrics: async (page) => {
      await metricsTable(page).waitFor();
      await metricsTable(page).getByText('Paid bills').first().waitFor();
      // The Format column folds below 1440 px (the project's list has "Filed under" besides).
      await page.setViewportSize({ width: 1440, height: 900 });
      await metricsTable(page).getByText('percentage').first().waitFor();
      assert.equal(await range(page).innerText(), '1–25 of 61');
    },
  });
});

test('huge: 10,000 metrics in one answer render without hanging', async () => {
  const { page, took } = await underCorruption('huge', {
    groupTypes: async (page) => { await groupTypesTable(page).waitFor(); },
    metrics: async (page) => {
      await metricsTable(page).getByText('Generated metric 00001', { exact: true }).waitFor({ timeout: 60_000 });
      await range(page).filter({ hasText: /of 10000$/ }).waitFor({ timeout: 60_000 });
    },
  });
  const rangeText = await range(page).innerText();
  const rows = await metricsTable(page).locator('tbody tr').count();
  console.log(`huge: metrics list rendered in ${took} ms; range "${rangeText}"; ${rows} rows`);
  // The app shows the page size it asked for, whatever the server sent.
  assert.equal(rangeText, '1–25 of 10000');
  assert.equal(rows, 25);
  // Still responsive: leaving for the group types screen works.
  await page.getByRole('link', { name: 'Group types', exact: true }).click();
  await groupTypesTable(page).waitFor({ timeout: 20_000 });
});
