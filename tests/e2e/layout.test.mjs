// Right at every width: each main screen (connection, group types, metrics with a group's
// values, a metric with its card, the form) at 320, 390, 768 and 1280 px, and in the embedded
// mode in a 400 px frame on the test portal. Checked on each: the page is no wider than the
// window, no word of a header, cell, label, button, link or heading is split across lines
// (each word's client rects lie on one line), the keyboard order is the one at 1280 px, axe is
// clean. The Cloud-refusal names box must be fully visible above the sticky bar. Screenshots
// of every screen at 390, 768 and 1280 px in light and dark go to artifacts/layout-*.png.

import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  browserSuite, openPage, openConnectedAt, assertAccessible, metricsUrl, metricUrl, allowWrites, setSwitches, statusLogged,
  artifactsDir, startStaticSandbox, startSandboxWithConfig, PORTAL_DIR, DEMO_KEY,
} from './harness.mjs';
import { layoutProblems, focusProblem } from './layout-checks.mjs';

let sandbox;
let browser;
let portal;
const { opened } = browserSuite({ before, after, beforeEach, afterEach }, {
  ready: (suite) => { ({ sandbox, browser } = suite); },
});

// The embedded mode: the portal on a second origin frames an app whose config allows it.
let embedded;
before(async () => {
  portal = await startStaticSandbox(PORTAL_DIR);
  embedded = await startSandboxWithConfig({ embed_origins: [portal.url] });
});
after(async () => {
  await embedded?.stop();
  await portal?.stop();
});

const WIDTHS = [320, 390, 768, 1280];
const SHOTS = new Set([390, 768, 1280]);
const PAID_BILLS = '5a239999-30db-5642-a993-e2b2d15fb5bc';

/** The main screens, each with what shows it is drawn. */
const SCREENS = [
  { name: 'connection', url: () => `${sandbox.url}/`, ready: (p) => p.getByRole('heading', { name: 'Connect to PostHog' }) },
  { name: 'group-types', url: () => `${sandbox.url}/group-types?host=${encodeURIComponent(sandbox.url)}&project=1`, ready: (p) => p.getByRole('table').first() },
  { name: 'metrics', url: () => `${metricsUrl(sandbox, 0)}&group=0:acme`, ready: (p) => p.locator('td.value-cell .metric-value').first() },
  { name: 'metric', url: () => `${metricUrl(sandbox, 0, PAID_BILLS)}&group=0:acme`, ready: (p) => p.locator('.usage-card-value') },
  { name: 'form', url: () => metricUrl(sandbox, 0, PAID_BILLS, { edit: true }), ready: (p) => p.getByRole('button', { name: 'Save metric' }) },
  // The project's one list, on the filter that shows both marks on one row.
  { name: 'project-metrics', url: () => `${sandbox.url}/metrics?host=${encodeURIComponent(sandbox.url)}&project=1&placement=shown-twice`, ready: (p) => p.getByRole('table', { name: 'Usage metrics of this project' }) },
];

/** The keyboard order: the accessible text of each element Tab reaches, first 40. */
async function tabOrder(page) {
  // Tab from the very start of the page: a focus point before everything, then removed.
  await page.evaluate(() => {
    const start = document.createElement('span');
    start.tabIndex = -1;
    start.id = 'tab-start';
    document.body.prepend(start);
    start.focus();
  });
  const seen = [];
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press('Tab');
    const name = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      return `${el.tagName.toLowerCase()}:${(el.getAttribute('aria-label') || el.textContent || el.getAttribute('name') || el.id || '').trim().slice(0, 40)}`;
    });
    if (name === null || seen.includes(name)) break;
    seen.push(name);
  }
  await page.evaluate(() => document.getElementById('tab-start')?.remove());
  return seen;
}

/**
 * What Chromium's own accessibility tree says of the tables (CDP, not Playwright's guess):
 * counts of table, row, column header and cell roles. Stacking a table with CSS must keep
 * every one, or a screen reader loses the grid a sighted user still reads as cards.
 */
async function tableRoles(page) {
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  await cdp.detach();
  const count = {};
  for (const n of nodes) {
    const role = n.role?.value;
    if (['table', 'row', 'columnheader', 'rowheader', 'cell'].includes(role) && !n.ignored) count[role] = (count[role] ?? 0) + 1;
  }
  return count;
}

/** Fails with every problem listed, one a line. */
function report(problems) {
  if (problems.length) assert.fail(`${problems.length} layout problems:\n${problems.join('\n')}`);
}

async function shot(page, name) {
  await page.screenshot({ path: join(await artifactsDir(), `layout-${name}.png`), fullPage: true });
}

test('every main screen fits 320, 390, 768 and 1280 px with no word broken, in both themes', async () => {
  const { page, assertClean } = await openConnectedAt(browser.context, sandbox, null, {}, (p) => opened.push(p));
  const problems = [];
  const wideRoles = {};
  for (const screen of SCREENS) {
    let wideOrder = null;
    for (const width of [...WIDTHS].reverse()) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(screen.url());
      await screen.ready(page).first().waitFor();
      await page.evaluate(() => document.fonts.ready);
      const { overflow, split } = await page.evaluate(layoutProblems);
      if (overflow > 0) problems.push(`${screen.name} at ${width}: ${overflow} px wider than the window`);
      for (const s of split) problems.push(`${screen.name} at ${width}: ${s} split across lines`);
      await assertAccessible(page, `${screen.name} at ${width} px`);
      const roles = await tableRoles(page);
      if (wideRoles[screen.name] === undefined) wideRoles[screen.name] = roles;
      else if (JSON.stringify(roles) !== JSON.stringify(wideRoles[screen.name])) {
        problems.push(`${screen.name} at ${width}: table roles ${JSON.stringify(roles)}, at 1280 px ${JSON.stringify(wideRoles[screen.name])}`);
      }
      const order = await tabOrder(page);
      if (wideOrder === null) wideOrder = order;
      else if (JSON.stringify(order) !== JSON.stringify(wideOrder)) {
        problems.push(`${screen.name} at ${width}: keyboard order differs from 1280 px:\n  ${order.join(' | ')}\n  ${wideOrder.join(' | ')}`);
      }
      if (SHOTS.has(width)) {
        for (const scheme of ['light', 'dark']) {
          await page.emulateMedia({ colorScheme: scheme });
          await shot(page, `${screen.name}-${width}-${scheme}`);
        }
        await page.emulateMedia({ colorScheme: 'light' });
      }
    }
  }
  report(problems);
  assertClean();
});

test('the move dialog, with both definitions of a taken name, fits every width', async () => {
  const { page, assertClean } = await openConnectedAt(browser.context, sandbox, null, {}, (p) => opened.push(p));
  const problems = [];
  for (const width of [...WIDTHS].reverse()) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${sandbox.url}/metrics?host=${encodeURIComponent(sandbox.url)}&project=1&placement=not-in-settings`);
    await page.getByRole('button', { name: "Move Support tickets opened into PostHog's list" }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Move' }).click();
    await page.getByRole('dialog').getByRole('radio', { name: 'Move it under a new name' }).waitFor();
    await page.evaluate(() => document.fonts.ready);
    const { overflow, split } = await page.evaluate(layoutProblems);
    if (overflow > 0) problems.push(`move dialog at ${width}: ${overflow} px wider than the window`);
    for (const s of split) problems.push(`move dialog at ${width}: ${s} split across lines`);
    await assertAccessible(page, `the move dialog at ${width} px`);
    if (SHOTS.has(width)) {
      for (const scheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme: scheme });
        await shot(page, `move-dialog-${width}-${scheme}`);
      }
      await page.emulateMedia({ colorScheme: 'light' });
    }
    // Cancel: nothing is sent.
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  }
  report(problems);
  assertClean();
});

test('when PostHog Cloud refuses a rename, the names box is fully visible above the unsaved-changes bar', async () => {
  allowWrites();
  const { page, assertClean } = await openConnectedAt(browser.context, sandbox, null, {}, (p) => opened.push(p));
  await setSwitches(sandbox, { cloud_update_metadata: true });
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 700 });
    await page.reload();
    await page.getByLabel('Singular name of company', { exact: true }).fill(`Company ${width}`);
    const bar = page.getByRole('region', { name: 'Unsaved changes' });
    await bar.getByRole('button', { name: 'Save' }).click();
    const names = page.getByRole('textbox', { name: 'Names to enter in PostHog' });
    await names.waitFor();
    await page.waitForTimeout(400); // the scroll into view
    await shot(page, `cloud-refusal-${width}`);
    const [box, barBox, viewport] = [await names.boundingBox(), await bar.boundingBox(), page.viewportSize()];
    assert.ok(box && barBox, 'both are shown');
    assert.ok(box.y >= 0 && box.y + box.height <= barBox.y + 0.5,
      `at ${width}: the names box (${box.y}–${box.y + box.height}) is above the bar (from ${barBox.y})`);
    assert.ok(barBox.y + barBox.height <= viewport.height + 0.5, `at ${width}: the bar is on screen`);
    const { overflow, split } = await page.evaluate(layoutProblems);
    assert.deepEqual({ overflow: Math.max(overflow, 0), split }, { overflow: 0, split: [] }, `at ${width}`);
    await assertAccessible(page, `rename refused at ${width} px`);
  }
  assertClean([statusLogged(403, `${sandbox.url}/api/projects/1/groups_types/update_metadata/`)]);
});

test('the unsaved-changes bar never covers the focused control (WCAG 2.2, 2.4.11)', async () => {
  const { page, assertClean } = await openConnectedAt(browser.context, sandbox, null, {}, (p) => opened.push(p));
  // Reloading with unsaved names asks first: leave.
  page.on('dialog', (d) => d.accept());
  const problems = [];
  for (const width of [1280, 390, 320]) {
    await page.setViewportSize({ width, height: 640 });
    await page.reload();
    await page.getByLabel('Singular name of company', { exact: true }).fill(`Company ${width}`);
    await page.getByRole('region', { name: 'Unsaved changes' }).waitFor();
    await page.evaluate(() => { window.scrollTo(0, 0); document.activeElement?.blur(); });
    const seen = new Set();
    for (let i = 0; i < 80; i += 1) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate(() => {
        const el = document.activeElement;
        return el ? `${el.tagName}:${el.getAttribute('aria-label') ?? ''}:${el.textContent?.slice(0, 30)}:${el.id}` : '';
      });
      // Past the last control Tab leaves the document (focus on <body>): the round is done.
      if (seen.has(id) || id.startsWith('BODY')) break;
      seen.add(id);
      const problem = await page.evaluate(focusProblem);
      if (problem) problems.push(`at ${width}: ${problem}`);
    }
    assert.ok(seen.size > 10, `at ${width}: tabbed through ${seen.size} controls`);
  }
  report(problems);
  assertClean();
});

test('in the embedded mode in a 400 px frame on the portal, every main screen fits', async () => {
  const problems = [];
  for (const screen of SCREENS) {
    const url = new URL(screen.url());
    if (url.searchParams.has('host')) url.searchParams.set('host', embedded.url);
    url.searchParams.set('embed', '1');
    const { page, assertClean } = await openPage(browser.context, 'about:blank');
    opened.push(page);
    await page.setViewportSize({ width: 1024, height: 900 });
    const query = new URLSearchParams({ app: embedded.url });
    await page.goto(`${portal.url}/portal.html?${query}`);
    await page.evaluate(() => { document.getElementById('gc').style.width = '400px'; });
    await page.waitForFunction(() => window.received.some((m) => m.data?.type === 'groups-console:ready'));
    const ui = page.frameLocator('#gc');
    const frame = await (await page.locator('#gc').elementHandle()).contentFrame();
    if (screen.name !== 'connection') {
      // The key lives in the frame's memory only: connect, then move inside the app (as its
      // own links do) rather than load another page.
      await page.evaluate((msg) => window.sendToApp(msg),
        { type: 'groups-console:connect', host: embedded.url, project: 1, key: DEMO_KEY });
      await ui.getByRole('heading', { name: 'Group types', level: 1 }).waitFor().catch(async (e) => {
        await shot(page, 'embedded-failure');
        throw e;
      });
      await frame.evaluate((path) => {
        history.pushState(null, '', path);
        dispatchEvent(new PopStateEvent('popstate'));
      }, `${url.pathname}${url.search}`);
    }
    await screen.ready(ui).first().waitFor().catch(async (e) => {
      await shot(page, 'embedded-failure');
      throw e;
    });
    const { overflow, split } = await frame.evaluate(layoutProblems);
    assert.equal(await frame.evaluate(() => document.documentElement.clientWidth), 400);
    if (overflow > 0) problems.push(`embedded ${screen.name}: ${overflow} px wider than the frame`);
    for (const s of split) problems.push(`embedded ${screen.name}: ${s} split across lines`);
    await assertAccessible(page, `embedded ${screen.name}`);
    await shot(page, `embedded-${screen.name}`);
    assertClean();
  }
  report(problems);
});
