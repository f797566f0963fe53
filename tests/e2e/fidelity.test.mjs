// The app against the sandbox's PostHog-faithful answers: a read-only key on the group types
// (nothing offered that writes, the reason beside the table, nothing sent), a data-warehouse
// metric on a table the project does not have (PostHog's 400 on `filters`, shown on the table
// input), and the duplicate-name race (PostHog's uncaught 500, told on Name once the names are
// read again). Under the strict policy a static host sends; every test starts from the seed.

import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  strictSuite, openPage, connect, assertAccessible, allowWrites, eventually,
  metricsUrl, metricTable, sandboxMetrics, sandboxApi, apiRequests, statusLogged,
} from './harness.mjs';

let sandbox;
let browser;
const { opened } = strictSuite({ before, after, beforeEach, afterEach }, (suite) => {
  ({ sandbox, browser } = suite);
});

const READ_ONLY_KEY = 'phx_sandbox_read_only';
const METRICS0 = '/api/projects/1/groups_types/0/metrics/';
const groupTypesTable = (page) => page.getByRole('table', { name: 'Group types of this project' });
const nameField = (page) => page.getByLabel('Name', { exact: true });
const clearLog = () => sandbox.control('requests', { method: 'DELETE' });

/** Opens the app in a new tab and connects with `key`; resolves on the group types screen. */
async function openConnected(key) {
  const opening = await openPage(browser.context, sandbox.url);
  opened.push(opening.page);
  await connect(opening.page, key ? { key } : {});
  await opening.page.getByRole('heading', { name: 'Group types', level: 1 }).waitFor();
  return opening;
}

/** The new-metric form of group type 0, reached from its list's New metric link. */
async function openNewForm() {
  const opening = await openConnected();
  const { page } = opening;
  await page.goto(metricsUrl(sandbox, 0));
  await metricTable(page).waitFor();
  await page.getByRole('link', { name: 'New metric' }).click();
  await page.getByRole('heading', { name: 'New usage metric', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Save metric' }).waitFor();
  return opening;
}

/**
 * Waits until no request has reached the sandbox for `quietMs`: what a screen sends on its
 * own is sent by then.
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

/**
 * A form control's message as a screen reader meets it: the text of the element its
 * `aria-describedby` names with `-error`, whether it says it is invalid, and whether the
 * message sits in the control's own field container (the one holding its label).
 */
async function controlMessage(page, id) {
  return page.evaluate((id) => {
    const control = document.getElementById(id);
    const error = document.getElementById(`${id}-error`);
    const described = (control?.getAttribute('aria-describedby') ?? '').split(' ').includes(`${id}-error`);
    const box = control?.closest('.field, .filters-cell');
    return {
      text: error?.textContent.trim() ?? null,
      invalid: control?.getAttribute('aria-invalid') === 'true',
      described,
      beside: Boolean(box && error && box.contains(error) && box.querySelector(`label[for="${id}"]`)),
    };
  }, id);
}

/** Focus moves to the field with the message after the render: wait a moment for it. */
async function expectFocus(page, id) {
  await page.waitForFunction((id) => document.activeElement?.id === id, id, { timeout: 2000 }).catch(() => {});
  assert.equal(await page.evaluate(() => document.activeElement?.id ?? null), id, `focus on #${id}`);
}

// ---- A key that may only read, on the group types ----

test('a read-only key gets the group types as text, no Save or Delete, and the reason beside the table', async () => {
  const { page, assertClean } = await openConnected(READ_ONLY_KEY);
  const table = groupTypesTable(page);
  await table.waitFor();
  await table.getByText('Organizations').waitFor();

  const main = page.getByRole('main');
  assert.equal(await main.getByRole('textbox').count(), 0, 'no name inputs anywhere on the screen');
  assert.equal(await main.getByRole('button', { name: /save/i }).count(), 0, 'no Save bar');
  assert.equal(await main.getByRole('button', { name: /delete/i }).count(), 0, 'no Delete');

  // The reason is beside the table (not only in the summary above it), in words naming the
  // scope, and the table is described by it.
  const reason = 'This key can only read group types: renaming and deleting need the scope group:write.';
  const note = main.getByText(reason);
  await note.waitFor();
  assert.equal(await note.isVisible(), true);
  const describedBy = await table.getAttribute('aria-describedby');
  assert.ok(describedBy, 'the table names its description');
  assert.ok((await page.locator(`[id="${describedBy}"]`).innerText()).includes(reason), 'the description is the reason');
  assert.equal(
    await page.evaluate((id) => document.getElementById(id)?.nextElementSibling?.tagName ?? null, describedBy),
    'TABLE',
    'the note sits right before the table',
  );
  await assertAccessible(page, 'read-only group types with the reason');

  // Nothing the page sent could change data: no rename (not even the empty probe: the scope
  // already refuses it) and no delete.
  await settled();
  const log = await sandbox.control('requests');
  assert.ok(log.some((r) => r.method === 'GET' && r.path === '/api/projects/1/groups_types/'), 'the page\'s own reads are in the log');
  const sentWrites = log.filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method));
  assert.deepEqual(sentWrites.map((r) => `${r.method} ${r.path}`), [], 'no PATCH, DELETE, POST or PUT');
  assertClean();
});

// ---- A data-warehouse table the project does not have ----

test('a data-warehouse metric on an unknown table: PostHog\'s message is on the table input, the form is kept, nothing stored', async () => {
  allowWrites();
  const { page, assertClean } = await openNewForm();
  await clearLog();
  const typed = { name: 'Warehouse rows', table: 'no_such_table', timestamp: 'created', key: 'customer_id' };
  await nameField(page).fill(typed.name);
  await page.getByRole('radio', { name: '30 days' }).check();
  await page.getByRole('radio', { name: 'Data warehouse' }).check();
  await page.getByRole('combobox', { name: 'Table', exact: true }).fill(typed.table);
  await page.getByRole('combobox', { name: 'Timestamp column', exact: true }).fill(typed.timestamp);
  await page.getByRole('combobox', { name: 'Key column', exact: true }).fill(typed.key);
  await page.getByRole('button', { name: 'Save metric' }).click();

  const message = "Data warehouse table 'no_such_table' does not exist.";
  await page.locator('#filters-table_name-error').filter({ hasText: message }).waitFor();
  assert.deepEqual(await controlMessage(page, 'filters-table_name'), { text: message, invalid: true, described: true, beside: true });
  await expectFocus(page, 'filters-table_name');
  // Not a general banner, nor the editor's top line, nor on the other inputs.
  assert.equal(await page.getByRole('alert').count(), 0, 'no error panel');
  assert.equal(await page.locator('#filters-error').evaluate((p) => p.textContent.trim()), '');
  for (const id of ['filters-timestamp_field', 'filters-key_field', 'metric-name']) {
    assert.equal((await controlMessage(page, id)).invalid, false, `#${id} is not flagged`);
  }

  // Everything typed is still there, on the same form.
  assert.equal(new URL(page.url()).pathname, '/metrics/new');
  assert.equal(await nameField(page).inputValue(), typed.name);
  assert.equal(await page.getByRole('radio', { name: '30 days' }).isChecked(), true);
  assert.equal(await page.getByRole('radio', { name: 'Data warehouse' }).isChecked(), true);
  assert.equal(await page.getByRole('combobox', { name: 'Table', exact: true }).inputValue(), typed.table);
  assert.equal(await page.getByRole('combobox', { name: 'Timestamp column', exact: true }).inputValue(), typed.timestamp);
  assert.equal(await page.getByRole('combobox', { name: 'Key column', exact: true }).inputValue(), typed.key);

  // One create was sent, refused, and nothing was stored.
  const sent = (await apiRequests(sandbox)).filter((r) => r.method !== 'GET');
  assert.deepEqual(sent.map((r) => [r.method, r.path, r.status]), [['POST', METRICS0, 400]]);
  assert.deepEqual(sent[0].body.filters, {
    source: 'data_warehouse', table_name: typed.table, timestamp_field: typed.timestamp, key_field: typed.key,
  });
  const stored = await sandboxMetrics(sandbox, 1, 0);
  assert.equal(stored.length, 61);
  assert.equal(stored.filter((m) => m.name === typed.name).length, 0);
  await assertAccessible(page, 'metric form with an unknown warehouse table');

  // A table the project has: the message goes with the old value, and the same form saves.
  await page.getByRole('combobox', { name: 'Table', exact: true }).fill('stripe_charges');
  assert.equal((await controlMessage(page, 'filters-table_name')).invalid, false, 'the message goes once the table changes');
  await page.getByRole('button', { name: 'Save metric' }).click();
  await page.getByRole('heading', { name: typed.name, exact: true, level: 1 }).waitFor();
  const created = (await sandboxMetrics(sandbox, 1, 0)).filter((m) => m.name === typed.name);
  assert.equal(created.length, 1);
  assert.deepEqual(created[0].filters, {
    source: 'data_warehouse', table_name: 'stripe_charges', timestamp_field: typed.timestamp, key_field: typed.key,
  });
  assertClean([statusLogged(400, `${sandbox.url}${METRICS0}`)]);
});

// ---- The duplicate-name race ----

test('a name another user takes while the form is open: the 500 is told on Name after one read of the names, the form is kept', async () => {
  allowWrites();
  const { page, assertClean } = await openNewForm();
  // Another user creates the name directly through the API while this form is open: the
  // form's own list of names (read when it opened) does not have it.
  const other = await sandboxApi(sandbox, 'POST', METRICS0, { name: 'Raced name', filters: {} });
  assert.equal(other.status, 201);
  await clearLog();

  await nameField(page).fill('Raced name');
  await page.getByRole('radio', { name: '90 days' }).check();
  await page.getByLabel('Display').selectOption('sparkline');
  await page.getByRole('radio', { name: 'Sum' }).check();
  await page.getByRole('combobox', { name: 'Property to sum', exact: true }).fill('amount');
  await page.getByRole('button', { name: 'Add event' }).click();
  await page.getByRole('combobox', { name: 'Event 1 name', exact: true }).fill('paid_bill');
  await page.getByRole('button', { name: 'Save metric' }).click();

  const message = 'Another metric named “Raced name” was created meanwhile; choose another name.';
  await page.locator('#metric-name-error').filter({ hasText: message }).waitFor();
  assert.deepEqual(await controlMessage(page, 'metric-name'), { text: message, invalid: true, described: true, beside: true });
  await expectFocus(page, 'metric-name');
  assert.equal(await page.getByRole('alert').filter({ hasText: 'The server had a problem' }).count(), 0,
    'the placed message is not repeated as a server-error panel');
  await page.getByRole('button', { name: 'Save metric' }).waitFor();

  // Typed values kept.
  assert.equal(new URL(page.url()).pathname, '/metrics/new');
  assert.equal(await nameField(page).inputValue(), 'Raced name');
  assert.equal(await page.getByRole('radio', { name: '90 days' }).isChecked(), true);
  assert.equal(await page.getByLabel('Display').inputValue(), 'sparkline');
  assert.equal(await page.getByRole('radio', { name: 'Sum' }).isChecked(), true);
  assert.equal(await page.getByRole('combobox', { name: 'Property to sum', exact: true }).inputValue(), 'amount');
  assert.equal(await page.getByRole('combobox', { name: 'Event 1 name', exact: true }).inputValue(), 'paid_bill');

  // The one create, its 500, then one read of the names; nothing else was written.
  await settled();
  // Leaving out the pickers' searches sent while typing.
  const sent = (await apiRequests(sandbox)).filter((r) => !r.path.endsWith('_definitions/'));
  assert.deepEqual(sent.map((r) => `${r.method} ${r.path} ${r.status}`), [
    `POST ${METRICS0} 500`,
    `GET ${METRICS0} 200`,
  ]);
  assert.equal((await sandboxMetrics(sandbox, 1, 0)).filter((m) => m.name === 'Raced name').length, 1, 'only the other user\'s');
  await assertAccessible(page, 'metric form with a name taken meanwhile');

  // Another name clears the message and saves: the second create is the user's own click.
  await nameField(page).fill('Raced name 2');
  await eventually(async () => !(await controlMessage(page, 'metric-name')).invalid, 'the name message to go');
  await page.getByRole('button', { name: 'Save metric' }).click();
  await page.getByRole('heading', { name: 'Raced name 2', exact: true, level: 1 }).waitFor();
  const posts = (await apiRequests(sandbox)).filter((r) => r.method === 'POST');
  assert.deepEqual(posts.map((r) => [r.body.name, r.status]), [['Raced name', 500], ['Raced name 2', 201]]);
  assertClean([statusLogged(500, `${sandbox.url}${METRICS0}`)]);
});

test('a 500 on a save whose name nobody took keeps the general server-error panel, after the one read of the names', async () => {
  allowWrites();
  const { page, assertClean } = await openNewForm();
  await clearLog();
  // A 500 for another cause: the create is answered here, so that it never reaches the sandbox;
  // the names are then read from the sandbox as usual.
  const createUrl = `${sandbox.url}${METRICS0}`;
  await page.route(createUrl, (route) => (route.request().method() === 'POST'
    ? route.fulfill({
      status: 500,
      contentType: 'application/json',
      body: JSON.stringify({ type: 'server_error', code: 'error', detail: 'A server error occurred.', attr: null }),
    })
    : route.continue()));
  await nameField(page).fill('Nobody has this name');
  await page.getByRole('button', { name: 'Save metric' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'The server had a problem' });
  await alert.waitFor();
  assert.match(await alert.innerText(), /500/);
  assert.equal((await controlMessage(page, 'metric-name')).invalid, false, 'nothing on Name');
  assert.equal(await nameField(page).inputValue(), 'Nobody has this name');
  await settled();
  const sent = await apiRequests(sandbox);
  assert.deepEqual(sent.map((r) => `${r.method} ${r.path}`), [`GET ${METRICS0}`], 'only the read of the names reached the server');
  assert.equal((await sandboxMetrics(sandbox, 1, 0)).length, 61);
  await page.unroute(createUrl);
  assertClean([statusLogged(500, createUrl)]);
});
