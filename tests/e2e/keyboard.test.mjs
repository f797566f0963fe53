// Every step lands somewhere (issue 28): the eight main tasks done with the keyboard alone
// (`page.keyboard`, no clicks) at 1280 and 390 px, and at 390 px inside the 400 px portal
// frame: connect, rename, page through metrics, values for a group, export and import,
// create, edit, delete. After each step: focus is not on <body>, the focused element's
// centre is not under another element, the title names the page where the route changed,
// and the polite live region says what happened. axe runs with the WCAG 2.2 AA tags on
// every screen and must find nothing at all.
//
// Back uses the browser's own history (page.goBack): that is the browser's control, not
// the app's, and no keyboard shortcut reaches it in headless Chromium.

import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import {
  browserSuite, openPage, allowWrites, sandboxMetrics, apiRequests, eventually, startStaticSandbox, startSandboxWithConfig,
  PORTAL_DIR, DEMO_KEY, WCAG22_AA,
} from './harness.mjs';
import { focusProblem } from './layout-checks.mjs';

let sandbox;
let browser;
let portal;
let embedded;
const { opened } = browserSuite({ before, after, beforeEach, afterEach }, {
  ready: (suite) => { ({ sandbox, browser } = suite); },
});
before(async () => {
  portal = await startStaticSandbox(PORTAL_DIR);
  embedded = await startSandboxWithConfig({ embed_origins: [portal.url] });
});
after(async () => {
  await embedded?.stop();
  await portal?.stop();
});

/** axe with the WCAG 2.2 AA tags only: any violation at all fails. */
async function assertWcag22(ui, label) {
  let builder = new AxeBuilder({ page: ui.page }).withTags(WCAG22_AA);
  if (ui.embedded) builder = builder.include('#gc');
  const { violations } = await builder.analyze();
  const text = violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(text, [], `${ui.label} ${label}: axe (WCAG 2.2 AA)`);
}

/** The focused element in words: `tag` and its accessible name as a screen reader would say it. */
function focusedName() {
  const el = document.activeElement;
  if (!el || el === document.body) return { tag: 'body', name: '' };
  const squeeze = (t) => (t ?? '').replace(/\s+/g, ' ').trim();
  const byIds = el.getAttribute('aria-labelledby')?.split(/\s+/).map((id) => document.getElementById(id)?.textContent).join(' ');
  const name = el.getAttribute('aria-label') ?? byIds ?? (el.labels?.length ? el.labels[0].textContent : null) ?? el.textContent;
  return { tag: el.tagName.toLowerCase(), name: squeeze(name), id: el.id };
}

const matches = (name, wanted) => (wanted instanceof RegExp ? wanted.test(name) : name === wanted);

/** Presses Tab (Shift+Tab when `back`) until the focused element's name is `wanted`. */
async function tabTo(ui, wanted, { back = false, max = 300 } = {}) {
  for (let i = 0; i < max; i += 1) {
    await ui.page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const { name } = await ui.frame.evaluate(focusedName);
    if (matches(name, wanted)) return i + 1;
  }
  throw new Error(`${ui.label}: Tab never reached ${wanted}`);
}

/** Replaces the focused field's text by typing. */
async function retype(ui, text) {
  await ui.page.keyboard.press('ControlOrMeta+A');
  await ui.page.keyboard.press('Backspace');
  await ui.page.keyboard.type(text);
}

/**
 * Checks where a step landed: `focus` (the focused element's name), `title` (the page's
 * title, where the route changed) and `live` (the notice line's text); then that focus is
 * on something and nothing covers it.
 */
async function landed(ui, step, { focus, title, live } = {}) {
  const where = `${ui.label}, ${step}`;
  if (focus !== undefined) {
    await eventually(async () => matches((await ui.frame.evaluate(focusedName)).name, focus), `${where}: focus on ${focus}`)
      .catch(async (e) => { throw new Error(`${e.message}; focus is on ${JSON.stringify(await ui.frame.evaluate(focusedName))}`); });
  }
  if (title !== undefined) {
    await eventually(async () => (await ui.frame.title()) === title, `${where}: title ${title}`)
      .catch(async (e) => { throw new Error(`${e.message}; title is ${await ui.frame.title()}`); });
  }
  if (live !== undefined) {
    await ui.ui.locator('div.notice[role=status]').filter({ hasText: live }).waitFor({ timeout: 10_000 })
      .catch(async (e) => { throw new Error(`${where}: the live region never said ${live}; it says ${await ui.ui.locator('div.notice').innerText()}`); });
  }
  const problem = await ui.frame.evaluate(focusProblem);
  assert.equal(problem, null, `${where}: ${problem}`);
}

/** Opens the app (as `openMode`), with the file choosers it opens collected in `choosers`. */
async function open(mode) {
  const ui = await openMode(mode);
  // Intercepted from the start: a listener added just before the key press can miss it.
  ui.choosers = [];
  ui.page.on('filechooser', (c) => ui.choosers.push(c));
  return ui;
}

/** Opens the app at `/` as a page of `width`, or at 390 px wide inside the portal's 400 px frame. */
async function openMode(mode) {
  if (mode === 'embedded') {
    const { page, assertClean } = await openPage(browser.context, 'about:blank');
    opened.push(page);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${portal.url}/portal.html?${new URLSearchParams({ app: embedded.url })}`);
    await page.evaluate(() => { document.getElementById('gc').style.width = '400px'; });
    await page.waitForFunction(() => window.received.some((m) => m.data?.type === 'groups-console:ready'));
    const frame = await (await page.locator('#gc').elementHandle()).contentFrame();
    return { page, frame, ui: page.frameLocator('#gc'), app: embedded, label: 'embedded 400 px', embedded: true, assertClean };
  }
  const { page, assertClean } = await openPage(browser.context, sandbox.url);
  opened.push(page);
  await page.setViewportSize({ width: mode, height: mode > 500 ? 900 : 844 });
  return { page, frame: page.mainFrame(), ui: page, app: sandbox, label: `${mode} px`, embedded: false, assertClean };
}

const rowLinks = (ui) => ui.ui.getByRole('table', { name: 'Usage metrics of this project' }).locator('tbody th a');

async function eightTasks(mode) {
  allowWrites();
  const ui = await open(mode);
  const { page, app } = ui;
  const host = app.url;
  const seeded = await sandboxMetrics(app, 1, 0);

  // 1. Connect.
  await ui.ui.getByRole('heading', { name: 'Connect to PostHog', level: 1 }).waitFor();
  await assertWcag22(ui, 'connection');
  await tabTo(ui, /Local sandbox|US cloud|EU cloud|Self-hosted/);
  for (let i = 0; i < 4 && !/Local sandbox/.test((await ui.frame.evaluate(focusedName)).name); i += 1) {
    await page.keyboard.press('ArrowDown');
  }
  await landed(ui, 'host chosen', { focus: /Local sandbox/ });
  await tabTo(ui, 'Project id');
  await retype(ui, '1');
  await tabTo(ui, 'Personal API key');
  await retype(ui, DEMO_KEY);
  await page.keyboard.press('Enter');
  await landed(ui, 'connected', { focus: 'Group types', title: 'Group types · Groups console', live: `Connected to project 1 on ${host}.` });
  await ui.ui.getByRole('table').first().waitFor();
  await assertWcag22(ui, 'group types');

  // 2. Rename: type both names, then save from the bar.
  await tabTo(ui, 'Singular name of company');
  await retype(ui, 'Firm');
  await landed(ui, 'singular typed');
  await page.keyboard.press('Tab');
  await landed(ui, 'plural reached', { focus: 'Plural name of company' });
  await retype(ui, 'Firms');
  await landed(ui, 'plural typed (not under the unsaved-changes bar)');
  await tabTo(ui, /^Save/);
  await landed(ui, 'save reached');
  await page.keyboard.press('Enter');
  await landed(ui, 'names saved', { focus: 'Group types', live: 'Saved the names of 1 group type.' });

  // 3. Page through the metrics: header link, skip to the pager, Next, Back, filter, sort.
  await tabTo(ui, 'Usage metrics', { back: true });
  await page.keyboard.press('Enter');
  await landed(ui, 'metrics opened', { focus: 'Usage metrics', title: 'Usage metrics · Groups console' });
  await rowLinks(ui).first().waitFor();
  await assertWcag22(ui, 'usage metrics');
  await page.keyboard.press('Tab');
  await landed(ui, 'first skip', { focus: 'Skip to results' });
  await page.keyboard.press('Tab');
  await landed(ui, 'second skip', { focus: 'Skip to pager' });
  await page.keyboard.press('Enter');
  await landed(ui, 'skipped to the pager', { focus: 'Pages' });
  await page.keyboard.press('Tab');
  await landed(ui, 'next reached', { focus: 'Next' });
  const yBefore = await ui.frame.evaluate(() => scrollY);
  await page.keyboard.press('Enter');
  await ui.ui.getByRole('navigation', { name: 'Pages' }).getByText('26–50 of 65').waitFor();
  await landed(ui, 'next page', { focus: seeded[25].name });
  // The top pager too: Shift+Tab from the first row reaches its Next.
  await tabTo(ui, 'Next', { back: true, max: 6 });
  await landed(ui, 'top pager reached');
  assert.equal(await ui.frame.evaluate(() => document.activeElement.closest('nav').getAttribute('aria-label')), 'Paging, top of the list');
  const history = async (step) => {
    if (ui.embedded) await ui.frame.evaluate((s) => window.history.go(s), step);
    else if (step < 0) await page.goBack();
    else await page.goForward();
  };
  const pagerOfFocus = () => ui.frame.evaluate(() => document.activeElement.closest('nav')?.getAttribute('aria-label'));
  await history(-1);
  await ui.ui.getByRole('navigation', { name: 'Pages' }).getByText('1–25 of 65').waitFor();
  await landed(ui, 'back', { focus: 'Next' });
  assert.equal(await pagerOfFocus(), 'Pages', 'the Next that was followed, below the list');
  assert.ok(Math.abs((await ui.frame.evaluate(() => scrollY)) - yBefore) < 2, 'the scroll position is back');
  // Forward: back on the link that had focus when the page was left.
  await history(1);
  await ui.ui.getByRole('navigation', { name: 'Pages' }).getByText('26–50 of 65').waitFor();
  await landed(ui, 'forward', { focus: 'Next' });
  assert.equal(await pagerOfFocus(), 'Paging, top of the list');
  await history(-1);
  await ui.ui.getByRole('navigation', { name: 'Pages' }).getByText('1–25 of 65').waitFor();
  await landed(ui, 'back again', { focus: 'Next' });
  assert.equal(await pagerOfFocus(), 'Pages');

  await tabTo(ui, 'Filter by name', { back: true });
  await page.keyboard.type('logins');
  const matching = seeded.filter((m) => m.name.toLowerCase().includes('logins')).length;
  await ui.ui.locator('p.summary[role=status]').filter({ hasText: new RegExp(`^${matching} of 65 usage metrics? match`) }).waitFor();
  await ui.ui.getByRole('navigation', { name: 'Pages' }).getByText(`1–${matching} of ${matching}`).waitFor();
  await landed(ui, 'filtered', { focus: 'Filter by name' });
  await retype(ui, '');
  await ui.ui.locator('p.summary[role=status]').filter({ hasText: /^65 usage metrics/ }).waitFor();
  await tabTo(ui, 'Name');
  await page.keyboard.press('Enter');
  await landed(ui, 'sorted', { focus: 'Name', live: 'Sorted by name, A to Z.' });

  // 4. Values for a group: the combobox, by typing and arrow keys.
  await tabTo(ui, 'Group', { back: true });
  await page.keyboard.type('acme');
  // Name and key said apart (Chromium puts a space before the hidden comma: not spoken).
  await ui.ui.getByRole('option', { name: /^Acme Inc ?, key acme$/ }).waitFor();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await ui.ui.locator('td.value-cell .metric-value').first().waitFor();
  await landed(ui, 'group chosen', { focus: 'Group' });
  await ui.ui.locator('.group-values [role=status]').filter({ hasText: /^Values for Acme Inc: PostHog computes \d+ of the project's metrics/ }).waitFor();
  assert.equal(new URL(ui.frame.url()).searchParams.get('group'), '0:acme');
  await assertWcag22(ui, 'usage metrics with values');

  // 5. Export, then import a file of one new metric.
  await tabTo(ui, 'Export');
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  await landed(ui, 'exported', { focus: 'Export', live: `Exported 65 metrics to ${download.suggestedFilename()}.` });
  await tabTo(ui, 'Import');
  await page.keyboard.press('Enter');
  await ui.ui.getByRole('dialog', { name: 'Import metrics' }).waitFor();
  // The dialog opens (showModal) after it renders, and takes focus then: tab from there.
  await ui.frame.waitForFunction(() => document.activeElement?.closest('dialog[open]'));
  await landed(ui, 'import dialog');
  await assertWcag22(ui, 'import dialog');
  await tabTo(ui, 'Metrics file (JSON)', { max: 10 });
  const file = { metrics: [{ name: `Imported by keyboard ${ui.label}`, format: 'numeric', interval: 7, display: 'number', math: 'count', math_property: null, filters: { events: [{ id: 'login', name: 'login', type: 'events', order: 0 }] } }] };
  // A picker closed without a choice fires a bubbling `cancel` at the input (as Chromium
  // does): that is not Escape, and the dialog stays open.
  await ui.frame.evaluate(() => document.getElementById('import-file').dispatchEvent(new Event('cancel', { bubbles: true })));
  await ui.ui.getByRole('dialog', { name: 'Import metrics' }).waitFor();
  await landed(ui, 'file picker cancelled', { focus: 'Metrics file (JSON)' });
  await page.keyboard.press('Space');
  await eventually(async () => ui.choosers.length > 0, `${ui.label}: the file chooser`);
  const chooser = ui.choosers.shift();
  await chooser.setFiles({ name: 'one.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
  // The preview checks the names with the server first; until then the button offers 0.
  await ui.ui.getByRole('button', { name: 'Import 1 metric' }).waitFor();
  await tabTo(ui, 'Import 1 metric', { max: 10 });
  await page.keyboard.press('Enter');
  await landed(ui, 'imported', { focus: 'Created 1; failed 0' });
  await page.keyboard.press('Escape');
  await landed(ui, 'import closed', { focus: 'Import' });

  // 6. Create.
  const name = `Keyboard seats ${ui.label}`;
  await tabTo(ui, 'New metric', { back: true });
  await page.keyboard.press('Enter');
  await landed(ui, 'new metric form', { focus: 'New usage metric', title: 'New usage metric · Usage metrics · Groups console' });
  await assertWcag22(ui, 'new metric form');
  await tabTo(ui, 'Name', { max: 5 });
  await page.keyboard.type(name);
  await page.keyboard.press('Enter');
  await landed(ui, 'created', { focus: name, title: `${name} · Usage metrics · Groups console`, live: `Created the metric “${name}”.` });
  await assertWcag22(ui, 'metric');

  // 7. Edit.
  const renamed = `${name} (edited)`;
  await tabTo(ui, 'Edit');
  await page.keyboard.press('Enter');
  await landed(ui, 'edit form', { focus: `Edit “${name}”`, title: `Edit “${name}” · Usage metrics · Groups console` });
  await assertWcag22(ui, 'edit form');
  await tabTo(ui, 'Name', { max: 5 });
  await retype(ui, renamed);
  await page.keyboard.press('Enter');
  await landed(ui, 'saved', { focus: renamed, title: `${renamed} · Usage metrics · Groups console`, live: `Saved the metric “${renamed}”.` });

  // 8. Delete: from the metric page (it goes once its Undo is left alone), then from the
  // list with Undo, which brings focus back to the row.
  await tabTo(ui, 'Delete');
  await page.keyboard.press('Enter');
  await landed(ui, 'deleted from its page', {
    focus: `Undo delete of ${renamed}`, title: 'Usage metrics · Groups console', live: `Deleted the metric “${renamed}”. Undo is offered for 10 seconds.`,
  });
  await assertWcag22(ui, 'usage metrics with a delete waiting');
  await tabTo(ui, 'Delete Logins');
  await page.keyboard.press('Enter');
  await landed(ui, 'deleted from the list', { focus: 'Undo delete of Logins', live: 'Deleted the metric “Logins”. Undo is offered for 10 seconds.' });
  await page.keyboard.press('Enter');
  await landed(ui, 'undone', { focus: 'Logins', live: 'Restored the metric “Logins”.' });
  assert.equal(await ui.frame.evaluate(() => document.activeElement.closest('tr') !== null), true, 'focus is on the restored row');
  await eventually(async () => !(await sandboxMetrics(app, 1, 0)).some((m) => m.name === renamed), 'the first delete sent', 30_000);
  await landed(ui, 'after the delete was sent');
  const left = await sandboxMetrics(app, 1, 0);
  assert.ok(left.some((m) => m.name === 'Logins'), 'Logins was never deleted');
  assert.ok(left.some((m) => m.name === `Imported by keyboard ${ui.label}`), 'the import reached the server');
  const deletes = (await apiRequests(app)).filter((r) => r.method === 'DELETE');
  assert.equal(deletes.length, 1);
  ui.assertClean();
}

test('keyboard only at 1280 px: every step lands on something named, uncovered and announced', async () => {
  await eightTasks(1280);
});

test('keyboard only at 390 px: the same', async () => {
  await eightTasks(390);
});

test('keyboard only at 390 px inside the 400 px portal frame: the same', async () => {
  await eightTasks('embedded');
});
