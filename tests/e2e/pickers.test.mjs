// The metric editor's pickers end to end (issue 30): events, properties, the property to sum,
// actions and data-warehouse tables picked from the project's own definitions over the
// sandbox's PostHog-shaped endpoints; names never seen flagged before saving and on the
// metric's page; a key without the scopes gets plain inputs; searches counted from the
// sandbox's log; a failed search; axe and the 390 px layout with a list open.

import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  openConnectedAt, assertAccessible, strictSuite, allowWrites, sandboxMetrics, apiRequests,
  metricUrl, sandboxApi, setSwitches, statusLogged, capabilityLines, PICKERS_OFF, startSandbox,
  eventually,
} from './harness.mjs';
import { layoutProblems } from './layout-checks.mjs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

let sandbox;
let browser;
const { opened } = strictSuite({ before, after, beforeEach, afterEach }, (suite) => {
  ({ sandbox, browser } = suite);
});

const NO_DEFINITIONS_KEY = 'phx_sandbox_no_query';
const WORST_CASE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'crates', 'sandbox', 'seed', 'worst-case.json');
const clearLog = () => sandbox.control('requests', { method: 'DELETE' });
const EVENT_DEFS = '/api/projects/1/event_definitions/';
const PROPERTY_DEFS = '/api/projects/1/property_definitions/';

/** The new-metric form, connected with `key`; `before(page)` runs on the group types page the
 *  connection lands on. */
async function openNewForm(key, before = async () => {}) {
  const opening = await openConnectedAt(browser.context, sandbox, null,
    key ? { key } : {}, (page) => opened.push(page));
  await before(opening.page);
  await opening.page.goto(metricUrl(sandbox, 0, 'new'));
  await opening.page.getByRole('heading', { name: 'New usage metric', level: 1 }).waitFor();
  await opening.page.getByRole('button', { name: 'Save metric' }).waitFor();
  return opening;
}

/** The sandbox's reads of `path`, as query objects, in order. */
async function readsOf(path) {
  return (await apiRequests(sandbox))
    .filter((r) => r.method === 'GET' && r.path === path)
    .map((r) => Object.fromEntries(new URLSearchParams(r.query ?? '')));
}

/** The options of the listbox `input` controls, as [label, detail] pairs. */
async function options(page, input) {
  const list = page.locator(`#${await input.getAttribute('aria-controls')}`);
  await list.locator('[role=option]').first().waitFor();
  const shown = (el) => [...el.childNodes]
    .filter((n) => !(n.nodeType === 1 && n.classList.contains('visually-hidden')))
    .map((n) => n.textContent).join('');
  return list.locator('[role=option]:not(.more)').evaluateAll((items, shownSrc) => {
    const seen = new Function(`return ${shownSrc}`)();
    return items.map((li) => [seen(li.querySelector('.choice-label')), li.querySelector('.choice-detail').textContent]);
  }, shown.toString());
}

/** Types like a person: one key every 70 ms. */
const typeSlowly = (input, text) => input.pressSequentially(text, { delay: 70 });

test('typing paid offers paid_bill with its last-seen text; chosen by keyboard it is saved, in few searches', async () => {
  allowWrites();
  const { page, assertClean } = await openNewForm();
  await page.getByLabel('Name', { exact: true }).fill('Bills paid');
  await page.getByRole('button', { name: 'Add event' }).click();
  const event = page.getByRole('combobox', { name: 'Event 1 name' });
  await event.waitFor();
  await clearLog();

  // "paid" offers paid_bill; typing on to 8 characters keeps it offered.
  const list = page.getByRole('listbox', { name: 'Event 1 name' });
  await typeSlowly(event, 'paid');
  await list.getByRole('option', { name: /^paid_bill ?, last seen / }).waitFor();
  await typeSlowly(event, '_bil');
  await eventually(async () => (await readsOf(EVENT_DEFS)).at(-1)?.search === 'paid_bil', 'the search for all 8 characters');
  await list.getByRole('option', { name: /^paid_bill ?, last seen / }).waitFor();
  assert.equal(await event.getAttribute('aria-expanded'), 'true');
  const searches = await readsOf(EVENT_DEFS);
  assert.ok(searches.length >= 1 && searches.length <= 3, `8 characters typed sent ${searches.length} searches`);
  assert.equal(searches.at(-1).search, 'paid_bil', 'the last search is for all that was typed');
  // The sandbox's own answer gives the text beside the name.
  const direct = await sandboxApi(sandbox, 'GET', `${EVENT_DEFS}?search=paid_bil`);
  assert.equal(direct.body.results[0].name, 'paid_bill');
  const [[label, detail]] = await options(page, event);
  assert.equal(label, 'paid_bill');
  assert.match(detail, /^last seen (today|yesterday|\d+ (days|months|years) ago)$/);
  await assertAccessible(page, 'event picker open');

  await event.press('ArrowDown');
  const active = await event.getAttribute('aria-activedescendant');
  assert.equal(await page.locator(`#${active}`).getAttribute('aria-selected'), 'true');
  await event.press('Enter');
  assert.equal(await event.inputValue(), 'paid_bill');
  assert.equal(await event.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.locator('#filters-events-0-flag').innerText(), '', 'a chosen name is not flagged');

  await page.getByRole('button', { name: 'Save metric' }).click();
  await page.getByRole('heading', { name: 'Bills paid', level: 1 }).waitFor();
  const id = new URL(page.url()).pathname.split('/').at(-1);
  const stored = (await sandboxMetrics(sandbox, 1, 0)).find((m) => m.id === id);
  assert.deepEqual(stored.filters.events, [{ id: 'paid_bill', name: 'paid_bill', type: 'events', order: 0 }]);
  assert.equal(await page.locator('.unseen-event').count(), 0, 'a seen event is not flagged on its page');
  assertClean();
});

test('an unseen event name is flagged before saving and on the metric\'s page (one names= read)', async () => {
  allowWrites();
  const { page, assertClean } = await openNewForm();
  await page.getByLabel('Name', { exact: true }).fill('Bills typo');
  await page.getByRole('button', { name: 'Add event' }).click();
  const event = page.getByRole('combobox', { name: 'Event 1 name' });
  await typeSlowly(event, 'paid_bil');
  const flag = 'No event named “paid_bil” has been seen in this project';
  await page.locator('#filters-events-0-flag').filter({ hasText: flag }).waitFor();
  assert.match(await event.getAttribute('aria-describedby'), /filters-events-0-flag/);
  // Kept as typed: it can still be saved (an event not sent yet).
  await event.press('Escape');
  assert.equal(await event.inputValue(), 'paid_bil');
  await clearLog();
  await page.getByRole('button', { name: 'Save metric' }).click();
  await page.getByRole('heading', { name: 'Bills typo', level: 1 }).waitFor();
  await page.locator('.unseen-event').filter({ hasText: flag }).waitFor();
  const named = (await readsOf(EVENT_DEFS)).filter((q) => 'names' in q);
  assert.deepEqual(named.map((q) => q.names), ['paid_bil'], 'one names= read on the metric page');
  await assertAccessible(page, 'metric page with an unseen event');

  // Reloading the page asks again and flags it again.
  await page.reload();
  await page.locator('.unseen-event').filter({ hasText: flag }).waitFor();
  assertClean();
});

test('property filters: properties seen with the chosen event come first', async () => {
  const { page, assertClean } = await openNewForm();
  await page.getByRole('button', { name: 'Add event' }).click();
  await page.getByRole('combobox', { name: 'Event 1 name' }).fill('paid_bill');
  await page.getByRole('button', { name: 'Add property filter' }).click();
  const key = page.getByRole('combobox', { name: 'Property 1 key' });
  await clearLog();
  await key.press('ArrowDown');
  const listed = await options(page, key);
  const seen = listed.map(([, detail]) => detail.endsWith('· seen with these events'));
  assert.ok(seen[0], `the first is seen with paid_bill: ${JSON.stringify(listed)}`);
  assert.ok(seen.includes(false), 'others are listed after them');
  assert.equal(seen.indexOf(false), seen.lastIndexOf(true) + 1, `seen first, then the rest: ${JSON.stringify(seen)}`);
  const [asked] = await readsOf(PROPERTY_DEFS);
  assert.equal(asked.type, 'event');
  assert.deepEqual(JSON.parse(asked.event_names), ['paid_bill']);
  // What the sandbox says of them, item by item.
  const direct = await sandboxApi(sandbox, 'GET', `${PROPERTY_DEFS}?type=event&event_names=${encodeURIComponent('["paid_bill"]')}&limit=50`);
  assert.deepEqual(listed.map(([name]) => name), direct.body.results.map((p) => p.name));
  // Hidden properties are never offered.
  assert.ok(!listed.some(([name]) => ['distinct_id', '$set', '$group_0', '$groups'].includes(name)));
  await key.press('ArrowDown');
  await key.press('Enter');
  assert.equal(await key.inputValue(), listed[0][0]);
  assertClean();
});

test('the property to sum lists numeric properties only, and a typed non-numeric name is flagged', async () => {
  const { page, assertClean } = await openNewForm();
  await page.getByRole('radio', { name: 'Sum' }).check();
  await page.getByRole('button', { name: 'Add event' }).click();
  await page.getByRole('combobox', { name: 'Event 1 name' }).fill('paid_bill');
  const sum = page.getByRole('combobox', { name: 'Property to sum' });
  await clearLog();
  await sum.click();
  const listed = await options(page, sum);
  assert.ok(listed.length > 0);
  for (const [name, detail] of listed) assert.match(detail, /^Numeric/, `${name} is numeric`);
  const all = await sandboxApi(sandbox, 'GET', `${PROPERTY_DEFS}?type=event&limit=500`);
  const numeric = all.body.results.filter((p) => p.is_numerical).map((p) => p.name).sort();
  assert.deepEqual(listed.map(([name]) => name).sort(), numeric);
  const [asked] = await readsOf(PROPERTY_DEFS);
  assert.equal(asked.is_numerical, 'true');

  const text = all.body.results.find((p) => !p.is_numerical && !p.name.startsWith('$')).name;
  await sum.fill('');
  await typeSlowly(sum, text);
  await page.locator('#metric-property-flag')
    .filter({ hasText: `No numeric event property named “${text}” has been seen in this project` }).waitFor();
  await sum.fill('');
  await typeSlowly(sum, numeric[0]);
  await page.locator('#metric-property-status').filter({ hasText: /listed/ }).waitFor();
  assert.equal(await page.locator('#metric-property-flag').innerText(), '');
  assertClean();
});

test('actions are picked by name, stored by id, and named on the metric\'s page', async () => {
  allowWrites();
  const { page, assertClean } = await openNewForm();
  await page.getByLabel('Name', { exact: true }).fill('Checkouts');
  await page.getByRole('button', { name: 'Add action' }).click();
  const action = page.getByRole('combobox', { name: 'Action 1' });
  // A row left with no action chosen would count nothing: refused next to the filters.
  await clearLog();
  await page.getByRole('button', { name: 'Save metric' }).click();
  await page.locator('#filters-error')
    .filter({ hasText: 'Action 1 has no action chosen: pick one from its list, or remove it.' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'filters-source-events');
  assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Checkouts', 'the typing is kept');
  assert.deepEqual((await apiRequests(sandbox)).filter((r) => r.method === 'POST' && r.path.endsWith('/metrics/')), [],
    'nothing is sent');
  await clearLog();
  await typeSlowly(action, 'checkout');
  await page.getByRole('listbox', { name: 'Action 1' }).getByRole('option', { name: /^Completed checkout/ }).waitFor();
  await action.press('ArrowDown');
  await action.press('Enter');
  assert.equal(await action.inputValue(), 'Completed checkout');
  const reads = await readsOf('/api/projects/1/actions/');
  assert.equal(reads.length, 1, 'actions are read once and filtered here');
  await page.getByRole('button', { name: 'Save metric' }).click();
  await page.getByRole('heading', { name: 'Checkouts', level: 1 }).waitFor();
  const id = new URL(page.url()).pathname.split('/').at(-1);
  const stored = (await sandboxMetrics(sandbox, 1, 0)).find((m) => m.id === id);
  assert.deepEqual(stored.filters.actions, [{ id: 21, type: 'actions', order: 0, name: 'Completed checkout' }]);
  await page.locator('#metric-actions').filter({ hasText: 'Completed checkout (action 21)' }).waitFor();
  assertClean();
});

test('a data-warehouse metric picks its table and then that table\'s columns', async () => {
  const { page, assertClean } = await openNewForm();
  await page.getByRole('radio', { name: 'Data warehouse' }).check();
  const table = page.getByRole('combobox', { name: 'Table' });
  await typeSlowly(table, 'stripe');
  await page.getByRole('listbox', { name: 'Table' }).getByRole('option', { name: /^stripe_charges ?, 6 columns/ }).waitFor();
  await table.press('ArrowDown');
  await table.press('Enter');
  assert.equal(await table.inputValue(), 'stripe_charges');
  const timestamp = page.getByRole('combobox', { name: 'Timestamp column' });
  await timestamp.press('ArrowDown');
  const columns = await options(page, timestamp);
  assert.deepEqual(columns.map(([key]) => key), ['id', 'customer_id', 'created', 'amount', 'currency', 'status']);
  assert.deepEqual(columns.find(([key]) => key === 'created'), ['created', 'datetime']);
  assert.deepEqual(columns.find(([key]) => key === 'amount'), ['amount', 'float']);
  await timestamp.fill('');
  await typeSlowly(timestamp, 'creat');
  await page.getByRole('listbox', { name: 'Timestamp column' }).getByRole('option', { name: /^created/ }).waitFor();
  await timestamp.press('ArrowDown');
  await timestamp.press('Enter');
  assert.equal(await timestamp.inputValue(), 'created');
  assertClean();
});

test('a key without the definition scopes gets plain inputs, each with a note naming its scope', async () => {
  let lines;
  const { page, assertClean } = await openNewForm(NO_DEFINITIONS_KEY, async (p) => { lines = await capabilityLines(p); });
  assert.deepEqual(lines.slice(6), PICKERS_OFF, 'the summary lists the four as optional');
  await clearLog();
  await page.getByRole('button', { name: 'Add event' }).click();
  await page.getByRole('button', { name: 'Add action' }).click();
  await page.getByRole('button', { name: 'Add property filter' }).click();
  const event = page.locator('#filters-events-0');
  await event.fill('paid_bil');
  assert.equal(await event.getAttribute('role'), null, 'a plain text input');
  assert.equal(await page.locator('input[role=combobox]').count(), 0);
  assert.equal(await page.locator('#filters-events-0-note').innerText(),
    'Typed, not picked: listing the project\'s events needs the scope event_definition:read.');
  assert.match(await event.getAttribute('aria-describedby'), /filters-events-0-note/);
  assert.match(await page.locator('#filters-actions-0-note').innerText(), /action:read/);
  assert.match(await page.locator('#filters-properties-0-note').innerText(), /property_definition:read/);
  await page.getByRole('radio', { name: 'Data warehouse' }).check();
  assert.match(await page.locator('#filters-table_name-note').innerText(), /warehouse_table:read/);
  await page.waitForTimeout(500);
  const asked = (await apiRequests(sandbox)).filter((r) => /definitions|actions|warehouse_tables/.test(r.path));
  assert.deepEqual(asked, [], 'nothing is asked that the key may not read');
  await assertAccessible(page, 'form with plain inputs');
  assertClean();
});

test('a failed search says so inside the picker and keeps what was typed; the next search recovers', async () => {
  const { page, assertClean } = await openNewForm();
  await page.getByRole('button', { name: 'Add event' }).click();
  const event = page.getByRole('combobox', { name: 'Event 1 name' });
  await setSwitches(sandbox, { failure_rate: 1, failure_methods: ['GET'] });
  await typeSlowly(event, 'paid');
  const status = page.locator('#filters-events-0-status');
  await status.filter({ hasText: /^The events could not be listed: .+ What you typed is kept\.$/ }).waitFor({ timeout: 20_000 });
  assert.equal(await event.inputValue(), 'paid');
  assert.match(await event.getAttribute('aria-describedby'), /filters-events-0-status/);
  await setSwitches(sandbox, { failure_rate: 0, failure_methods: null });
  await typeSlowly(event, '_');
  await page.getByRole('listbox', { name: 'Event 1 name' }).getByRole('option', { name: /^paid_bill/ }).waitFor();
  assert.equal(await event.inputValue(), 'paid_');
  assertClean([statusLogged(500, `${sandbox.url}${EVENT_DEFS}`)]);
});

test('at 390 px the open picker fits: no overflow, no word split', async () => {
  const { page, assertClean } = await openNewForm();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('button', { name: 'Add event' }).click();
  const event = page.getByRole('combobox', { name: 'Event 1 name' });
  await event.press('ArrowDown');
  await options(page, event);
  const { overflow, split } = await page.evaluate(layoutProblems);
  assert.equal(overflow, 0, 'no sideways scroll');
  assert.deepEqual(split, []);
  const box = await page.getByRole('listbox', { name: 'Event 1 name' }).boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `the list is inside the window: ${JSON.stringify(box)}`);
  await assertAccessible(page, 'event picker open at 390 px');
  assertClean();
});

test('a long list follows the server\'s pages: "More results" by keyboard, then scrolling to its end', async () => {
  // The worst-case seed's project has well over one page (50) of events.
  const worst = await startSandbox(['--seed', WORST_CASE]);
  try {
    const { page, assertClean } = await openConnectedAt(browser.context, worst, metricUrl(worst, 0, 'new'), {}, (p) => opened.push(p));
    await page.getByRole('button', { name: 'Add event' }).click();
    const event = page.getByRole('combobox', { name: 'Event 1 name', exact: true });
    const list = page.getByRole('listbox', { name: 'Event 1 name' });
    const offsets = async () => (await worst.control('requests'))
      .filter((r) => r.path === EVENT_DEFS)
      .map((r) => new URLSearchParams(r.query ?? '').get('offset'));
    await event.press('ArrowDown');
    await list.locator('[role=option].more').waitFor();
    assert.equal(await list.locator('[role=option]:not(.more)').count(), 50);
    await event.press('ArrowUp');
    assert.equal(await page.locator(`#${await event.getAttribute('aria-activedescendant')}`).innerText(), 'More results…');
    await event.press('Enter');
    await eventually(async () => (await list.locator('[role=option]:not(.more)').count()) === 100, '100 events listed');
    assert.equal(await event.getAttribute('aria-expanded'), 'true', 'the list stays open');
    await list.evaluate((ul) => { ul.scrollTop = ul.scrollHeight; });
    await eventually(async () => (await list.locator('[role=option]:not(.more)').count()) > 100, 'the third page on scrolling');
    assert.deepEqual(await offsets(), ['0', '50', '100'], 'each page asked for once, in order');
    assertClean();
  } finally {
    await worst.stop();
  }
});
