// Embedding in a portal end to end (README "Embedding in a portal"): a portal page on a second
// loopback origin frames the app (`/?embed=1`) and talks to it with postMessage. Covered: the
// handshake (ready from exactly the app's origin, connect with a key kept in memory only), the
// change events, height reports that size the frame, the compact layout, messages from a third
// origin or from the app's own window being ignored, a parent outside `embed_origins` getting
// nothing, and the app never posting to `*`.
//
// Origins: the app's sandbox (with a config.json listing the portal and a "third" origin), the
// portal's sandbox, a third sandbox (listed in embed_origins, but never the parent here) and a
// "stranger" sandbox (not listed). The last three serve tests/e2e/portal/.

import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStaticSandbox, startSandboxWithConfig, launchBrowser, openPage, assertAccessible,
  resetSandbox, recordRequests, sandboxMetrics, eventually, PORTAL_DIR, DEMO_KEY,
  allowWrites,
} from './harness.mjs';

let portal;
let third;
let stranger;
let app;
let browser;
const opened = [];

before(async () => {
  // The portal's origin must be known before the app's config.json is written.
  portal = await startStaticSandbox(PORTAL_DIR);
  third = await startStaticSandbox(PORTAL_DIR);
  stranger = await startStaticSandbox(PORTAL_DIR);
  app = await startSandboxWithConfig({ embed_origins: [portal.url, third.url] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const s of [app, stranger, third, portal]) await s?.stop();
});

beforeEach(async () => {
  await resetSandbox(app);
});

afterEach(async () => {
  while (opened.length) {
    const page = opened.pop();
    if (!page.isClosed()) await page.close();
  }
});

/**
 * Wraps `window.parent` in the app's frame (an init script, so before the app runs) to record
 * the target origin of every postMessage the app makes to its parent. `parent` is a
 * [Replaceable] attribute, and the app's glue code reads `window.parent` and calls
 * `.postMessage(message, targetOrigin)` on it, so every call passes through the wrapper.
 */
function recordPostsToParent(appOrigin) {
  if (window === window.top || location.origin !== appOrigin) return;
  const real = window.parent;
  const calls = [];
  window.__postsToParent = calls;
  window.parent = {
    postMessage(message, target, ...rest) {
      calls.push({ type: message?.type, target: typeof target === 'string' ? target : JSON.stringify(target) });
      return real.postMessage(message, target, ...rest);
    },
  };
}

/**
 * Opens the portal page of `origin` framing the app (plus, for each of `others`, that origin's
 * other.html). Returns the page, a locator scope for the app's frame (`ui`), its Frame
 * (`frame()`), and the page's recorded requests (of every frame).
 */
async function openPortal({ origin = portal.url, others = [], path, instrument = false } = {}) {
  const opening = await openPage(browser.context, 'about:blank');
  opened.push(opening.page);
  const { page } = opening;
  const requests = recordRequests(page);
  if (instrument) await page.addInitScript(recordPostsToParent, app.url);
  const query = new URLSearchParams({ app: app.url });
  if (path) query.set('path', path);
  for (const o of others) query.append('other', o);
  await page.goto(`${origin}/portal.html?${query}`);
  return {
    ...opening,
    requests,
    ui: page.frameLocator('#gc'),
    frame: async () => (await page.locator('#gc').elementHandle()).contentFrame(),
  };
}

const received = (page) => page.evaluate(() => window.received);
const fromApp = async (page) => (await received(page)).filter((m) => m.fromApp);
const connectMessage = (key = DEMO_KEY) => ({ type: 'groups-console:connect', host: app.url, project: 1, key });
const table = (ui) => ui.getByRole('table', { name: 'Group types of this project' });

/** Waits until the portal received a message of `type` (and `change`), and returns its data. */
async function waitForMessage(page, type, change) {
  const handle = await page.waitForFunction(([t, c]) => window.received.find((m) => m.data?.type === t
    && (c === null || m.data.change === c)), [type, change ?? null], { timeout: 15_000 });
  return handle.jsonValue();
}

/** Opens the portal, waits for ready, connects the frame to project 1 and waits for its table. */
async function openConnectedPortal(options) {
  const opening = await openPortal(options);
  await waitForMessage(opening.page, 'groups-console:ready');
  await opening.page.evaluate((msg) => window.sendToApp(msg), connectMessage());
  await table(opening.ui).waitFor();
  return opening;
}

/** Every message the portal got is from the app's frame, with the app's exact origin. */
async function assertAllFromApp(page) {
  const all = await received(page);
  assert.ok(all.length > 0, 'the portal received messages');
  for (const m of all) {
    assert.equal(m.origin, app.url, JSON.stringify(m));
    assert.equal(m.fromApp, true, JSON.stringify(m));
    assert.match(m.data?.type ?? '', /^groups-console:/, JSON.stringify(m));
  }
  assert.ok(!JSON.stringify(all).includes(DEMO_KEY), 'no message carries the key');
}

/** API requests that reached the app's sandbox with an Authorization header. */
const authorized = async () => (await app.control('requests')).filter((r) => r.authorization);

test('handshake: ready from exactly the app, connect with a key kept in memory only, group types shown', async () => {
  const { page, ui, frame, requests, console: logs, assertClean } = await openPortal({ instrument: true });
  const ready = await waitForMessage(page, 'groups-console:ready');
  assert.deepEqual(ready, { origin: app.url, fromApp: true, data: { type: 'groups-console:ready', version: 1 }, at: ready.at });
  assert.deepEqual((await fromApp(page))[0].data, { type: 'groups-console:ready', version: 1 }, 'ready comes first');
  // Before the connect message the frame shows the connection form and has sent no request with a key.
  await ui.getByRole('heading', { name: 'Connect to PostHog' }).waitFor();
  assert.deepEqual(await authorized(), []);

  await page.evaluate((msg) => window.sendToApp(msg), connectMessage());
  await table(ui).waitFor();
  assert.equal(await table(ui).getByRole('row').count(), 5, 'header + the 4 seeded group types');
  for (const key of ['organization', 'company', 'project', 'instance']) {
    await table(ui).getByRole('cell', { name: key, exact: true }).waitFor();
  }
  const app_ = await frame();
  const url = new URL(app_.url());
  assert.equal(url.origin, app.url);
  assert.equal(url.pathname, '/group-types');
  assert.equal(url.searchParams.get('host'), app.url);
  assert.equal(url.searchParams.get('project'), '1');

  // The key went to the API in the Authorization header…
  const log = await app.control('requests');
  assert.ok(log.some((r) => r.path === '/api/projects/1/groups_types/' && r.authorization), JSON.stringify(log));
  // …and is in no storage of the app's origin, no cookie, no URL, no console line, no message.
  const stored = await app_.evaluate(() => JSON.stringify({
    session: Object.entries(sessionStorage), local: Object.entries(localStorage), cookie: document.cookie,
  }));
  assert.ok(!stored.includes(DEMO_KEY), `storage of the app's origin: ${stored}`);
  assert.ok(!stored.includes('phx_'), `no key-like value stored: ${stored}`);
  const urls = [page.url(), ...page.frames().map((f) => f.url()), ...(await requests.settle()).map((r) => r.url)];
  assert.ok(urls.every((u) => !u.includes(DEMO_KEY)), urls.join('\n'));
  assert.ok(log.every((r) => !(r.query ?? '').includes(DEMO_KEY)));
  assert.ok(!logs.some((l) => l.includes(DEMO_KEY)));
  assert.ok(!(await app_.evaluate(() => JSON.stringify(history.state ?? null))).includes(DEMO_KEY), 'not in history state');

  // Everything the portal received came from the app's frame with its origin, and the app's
  // own postMessage calls named the portal's origin exactly (never '*').
  await assertAllFromApp(page);
  const posts = await app_.evaluate(() => window.__postsToParent);
  assert.ok(posts.length >= 2, JSON.stringify(posts));
  assert.deepEqual(posts[0], { type: 'groups-console:ready', target: portal.url });
  for (const p of posts) assert.equal(p.target, portal.url, JSON.stringify(p));
  // Every call was delivered, and nothing else arrived (a message may still be in flight).
  await eventually(async () => (await app_.evaluate(() => window.__postsToParent.length)) === (await fromApp(page)).length,
    'the portal to receive exactly the messages the app posted');
  assertClean();
});

test('change events: rename, create, update and delete reach the portal with what changed', async () => {
  allowWrites();
  const { page, ui, frame, assertClean } = await openConnectedPortal();

  // Rename two group types and save.
  await ui.getByLabel('Singular name of company', { exact: true }).fill('Company');
  await ui.getByLabel('Plural name of project', { exact: true }).fill('Workspaces');
  const bar = ui.getByRole('region', { name: 'Unsaved changes' });
  await bar.getByText('2 unsaved changes', { exact: true }).waitFor();
  assert.equal((await received(page)).filter((m) => m.data?.type === 'groups-console:changed').length, 0,
    'nothing is reported before the save');
  await bar.getByRole('button', { name: 'Save', exact: true }).click();
  await ui.getByRole('status').filter({ hasText: 'Saved the names of 2 group types.' }).waitFor();
  const renamed = await waitForMessage(page, 'groups-console:changed', 'group_types_renamed');
  assert.deepEqual(renamed.data, { type: 'groups-console:changed', change: 'group_types_renamed', group_type_indexes: [1, 2] });

  // Create a metric with the New metric form.
  await ui.getByRole('link', { name: 'Usage metrics of organization' }).click();
  await ui.getByRole('table', { name: 'Usage metrics of this project' }).waitFor();
  await ui.getByRole('link', { name: 'New metric' }).click();
  await ui.getByRole('heading', { name: 'New usage metric', level: 1 }).waitFor();
  await ui.getByLabel('Name', { exact: true }).fill('Seats from the portal');
  await ui.getByRole('button', { name: 'Save metric' }).click();
  await ui.getByRole('heading', { name: 'Seats from the portal', exact: true, level: 1 }).waitFor();
  const m = new URL((await frame()).url()).pathname.match(/^\/metrics\/([0-9a-f-]{36})$/);
  assert.ok(m, (await frame()).url());
  const id = m[1];
  assert.ok((await sandboxMetrics(app, 1, 0)).some((x) => x.id === id && x.name === 'Seats from the portal'));
  const created = await waitForMessage(page, 'groups-console:changed', 'metric_created');
  assert.deepEqual(created.data, {
    type: 'groups-console:changed', change: 'metric_created', group_type_index: 0, metric_id: id, name: 'Seats from the portal',
  });

  // Edit it.
  await ui.getByRole('link', { name: 'Edit', exact: true }).click();
  await ui.getByRole('heading', { name: 'Edit “Seats from the portal”', level: 1 }).waitFor();
  await ui.getByRole('radio', { name: '30 days' }).check();
  await ui.getByRole('button', { name: 'Save metric' }).click();
  await ui.getByRole('heading', { name: 'Seats from the portal', exact: true, level: 1 }).waitFor();
  const updated = await waitForMessage(page, 'groups-console:changed', 'metric_updated');
  assert.deepEqual(updated.data, {
    type: 'groups-console:changed', change: 'metric_updated', group_type_index: 0, metric_id: id, name: 'Seats from the portal',
  });

  // Delete it: reported once the undo window has passed and the server has it deleted.
  const clickedAt = await page.evaluate(() => Date.now());
  await ui.getByRole('button', { name: 'Delete', exact: true }).click();
  await ui.getByRole('region', { name: 'Deleted metrics' }).getByRole('button', { name: 'Undo delete of Seats from the portal' }).waitFor();
  assert.equal((await received(page)).filter((x) => x.data?.change === 'metric_deleted').length, 0, 'not during the undo window');
  const deleted = await waitForMessage(page, 'groups-console:changed', 'metric_deleted');
  assert.deepEqual(deleted.data, {
    type: 'groups-console:changed', change: 'metric_deleted', group_type_index: 0, metric_id: id, name: 'Seats from the portal',
  });
  assert.ok(deleted.at - clickedAt >= 5000, `reported ${deleted.at - clickedAt} ms after the click, after the undo window`);
  assert.ok(!(await sandboxMetrics(app, 1, 0)).some((x) => x.id === id), 'deleted on the server');

  // Each change was reported exactly once, in order.
  const changes = (await received(page)).filter((x) => x.data?.type === 'groups-console:changed').map((x) => x.data.change);
  assert.deepEqual(changes, ['group_types_renamed', 'metric_created', 'metric_updated', 'metric_deleted']);
  await assertAllFromApp(page);
  assertClean();
});

test('height: the portal gets positive heights that follow the content, and sizes the frame with them', async () => {
  const { page, ui, frame, assertClean } = await openPortal();
  await waitForMessage(page, 'groups-console:height');
  await ui.getByRole('heading', { name: 'Connect to PostHog' }).waitFor();
  const app_ = await frame();
  /** Waits until the frame is sized to the app's last reported height and that is the body's height. */
  async function settled() {
    let last;
    await eventually(async () => {
      const heights = await page.evaluate(() => window.heights);
      last = heights.at(-1);
      const frameHeight = await page.locator('#gc').evaluate((f) => f.getBoundingClientRect().height);
      const body = await app_.evaluate(() => document.body.scrollHeight);
      return last === body && frameHeight === last;
    }, 'the frame to be sized to the content', 10_000);
    // Sized to its content, the frame has nothing to scroll.
    const { scroll, inner } = await app_.evaluate(() => ({ scroll: document.documentElement.scrollHeight, inner: innerHeight }));
    assert.ok(scroll <= inner, `the frame's document scrolls: ${scroll} > ${inner}`);
    return last;
  }
  const connectHeight = await settled();
  assert.ok(connectHeight > 0);

  await page.evaluate((msg) => window.sendToApp(msg), connectMessage());
  await table(ui).waitFor();
  const tableHeight = await settled();
  assert.notEqual(tableHeight, connectHeight, 'the height changed with the content');

  // A taller screen (25 metrics), then back: the height grows and shrinks again.
  await page.evaluate(() => window.sendToApp({ type: 'groups-console:navigate', view: 'metrics', group_type_index: 0 }));
  await ui.getByRole('table', { name: 'Usage metrics of this project' }).waitFor();
  const metricsHeight = await settled();
  assert.ok(metricsHeight > tableHeight, `${metricsHeight} > ${tableHeight}`);
  await page.evaluate(() => window.sendToApp({ type: 'groups-console:navigate', view: 'group-types' }));
  await table(ui).waitFor();
  const backHeight = await settled();
  assert.ok(backHeight < metricsHeight, `shrinks again: ${backHeight} < ${metricsHeight}`);

  const heights = await page.evaluate(() => window.heights);
  for (const h of heights) assert.ok(Number.isInteger(h) && h > 0, `height ${h}`);
  for (let i = 1; i < heights.length; i += 1) assert.notEqual(heights[i], heights[i - 1], 'only changes are reported');
  await assertAllFromApp(page);
  assertClean();
});

test('compact layout: in the frame <html> has data-embed and the header brand is not displayed', async () => {
  const { page, ui, frame, assertClean } = await openConnectedPortal();
  const app_ = await frame();
  const embedded = await app_.evaluate(() => ({
    embed: document.documentElement.hasAttribute('data-embed'),
    brand: getComputedStyle(document.querySelector('.app-header .brand')).display,
    skip: getComputedStyle(document.querySelector('.skip-link')).display,
    mainMax: getComputedStyle(document.querySelector('main')).maxWidth,
  }));
  assert.deepEqual(embedded, { embed: true, brand: 'none', skip: 'none', mainMax: 'none' });
  await ui.getByRole('navigation', { name: 'Main' }).waitFor();
  await assertAccessible(page, 'portal with the embedded app');

  // The same app outside a frame keeps its brand and full layout.
  const top = await openPage(browser.context, app.url);
  opened.push(top.page);
  await top.page.getByRole('heading', { name: 'Connect to PostHog' }).waitFor();
  const standalone = await top.page.evaluate(() => ({
    embed: document.documentElement.hasAttribute('data-embed'),
    brand: getComputedStyle(document.querySelector('.app-header .brand')).display,
  }));
  assert.equal(standalone.embed, false);
  assert.notEqual(standalone.brand, 'none');
  top.assertClean();
  assertClean();
});

test('messages from a third origin or from the app\'s own window are ignored; only the parent drives the app', async () => {
  const { page, ui, frame, assertClean } = await openPortal({ others: [third.url, stranger.url] });
  await waitForMessage(page, 'groups-console:ready');
  await ui.getByRole('heading', { name: 'Connect to PostHog' }).waitFor();
  const others = [];
  await eventually(async () => {
    others.length = 0;
    for (const origin of [third.url, stranger.url]) {
      const f = page.frames().find((x) => x.url().startsWith(`${origin}/other.html`));
      if (f && await f.evaluate(() => typeof window.sendToSibling === 'function').catch(() => false)) others.push(f);
    }
    return others.length === 2;
  }, 'the two other frames');
  const app_ = await frame();
  const startUrl = app_.url();
  const hostile = [
    connectMessage(),
    { type: 'groups-console:theme', theme: 'dark', accent: '#ff0000' },
    { type: 'groups-console:navigate', view: 'metrics', group_type_index: 1 },
  ];
  // A third origin listed in embed_origins (not the parent), and one not listed, each through
  // the top window's frames, to '*' and to the app's exact origin.
  for (const other of others) {
    assert.equal(await other.evaluate(() => window.top.frames[0] !== window), true);
    for (const target of ['*', app.url]) {
      await other.evaluate(([msgs, t]) => { for (const m of msgs) window.sendToSibling(m, t); }, [hostile, target]);
    }
  }
  // The app's own origin, posting to its own window.
  await app_.evaluate((msgs) => { for (const m of msgs) window.postMessage(m, '*'); }, hostile);
  await page.waitForTimeout(1500);

  assert.equal(app_.url(), startUrl, 'no navigation');
  await ui.getByRole('heading', { name: 'Connect to PostHog' }).waitFor();
  assert.equal(await ui.locator('html').getAttribute('data-theme'), null, 'no theme change');
  assert.deepEqual(await authorized(), [], 'no connection: no request with a key');
  for (const other of others) assert.deepEqual(await other.evaluate(() => window.received), [], 'the app never posts to a sibling');

  // The listener is live: the parent's own messages are obeyed…
  await page.evaluate((msg) => window.sendToApp(msg), connectMessage());
  await table(ui).waitFor();
  // …and, connected, the others' navigate and theme messages are still ignored.
  const connectedUrl = app_.url();
  for (const other of others) {
    await other.evaluate((msgs) => { for (const m of msgs.slice(1)) window.sendToSibling(m, '*'); }, hostile);
  }
  await app_.evaluate((msgs) => { for (const m of msgs.slice(1)) window.postMessage(m, '*'); }, hostile);
  await page.waitForTimeout(1000);
  assert.equal(app_.url(), connectedUrl);
  await table(ui).waitFor();
  assert.equal(await ui.locator('html').getAttribute('data-theme'), null);

  await page.evaluate(() => window.sendToApp({ type: 'groups-console:navigate', view: 'metrics', group_type_index: 1 }));
  await ui.getByRole('table', { name: 'Usage metrics of this project' }).waitFor();
  assert.equal(new URL(app_.url()).pathname, '/metrics');
  assert.equal(new URL(app_.url()).searchParams.get('index'), '1');
  await page.evaluate(() => window.sendToApp({ type: 'groups-console:theme', theme: 'dark' }));
  await eventually(async () => (await ui.locator('html').getAttribute('data-theme')) === 'dark', 'the parent\'s theme');
  await assertAllFromApp(page);
  assertClean();
});

test('a parent whose origin is not in embed_origins gets no message and cannot connect', async () => {
  // For comparison: the listed portal gets ready and a height at once.
  const listed = await openPortal();
  await waitForMessage(listed.page, 'groups-console:ready');
  await waitForMessage(listed.page, 'groups-console:height');
  listed.assertClean();

  const { page, ui, frame, requests, assertClean } = await openPortal({ origin: stranger.url });
  await ui.getByRole('heading', { name: 'Connect to PostHog' }).waitFor();
  // The app has read its config.json (which decides the handshake) and rendered.
  await eventually(async () => (await requests.settle()).some((r) => r.url === `${app.url}/config.json`), 'config.json to be read');
  assert.equal(await ui.locator('html').getAttribute('data-embed'), '', 'embedded layout, from the query');
  await page.waitForTimeout(3000);
  assert.deepEqual(await received(page), [], 'no ready, no height, nothing');

  const app_ = await frame();
  const startUrl = app_.url();
  for (const target of [app.url, '*']) {
    await page.evaluate(([msg, t]) => window.sendToApp(msg, t), [connectMessage(), target]);
    await page.evaluate((t) => window.sendToApp({ type: 'groups-console:navigate', view: 'metrics', group_type_index: 0 }, t), target);
    await page.evaluate((t) => window.sendToApp({ type: 'groups-console:theme', theme: 'dark' }, t), target);
  }
  await page.waitForTimeout(1500);
  assert.equal(app_.url(), startUrl);
  await ui.getByRole('heading', { name: 'Connect to PostHog' }).waitFor();
  assert.equal(await ui.locator('html').getAttribute('data-theme'), null);
  assert.deepEqual(await authorized(), []);
  assert.deepEqual(await received(page), [], 'still nothing');
  assertClean();
});
