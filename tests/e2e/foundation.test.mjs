// The foundation slice end to end: the release build, served by the sandbox, connects with
// the demo key and lists the demo project's group types.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser, openPage, connect, assertAccessible, closedPort, DEMO_KEY } from './harness.mjs';

let sandbox;
let browser;

before(async () => {
  // No policy: these pages reach other origins (a closed port, a host refusing this origin),
  // and the app's own handling of them is what is tested.
  sandbox = await startSandbox(['--no-csp']);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

test('connects with the demo key and lists the demo group types', async () => {
  const { page, console: logs, assertClean } = await openPage(browser.context, sandbox.url);
  await assert.doesNotReject(page.getByRole('heading', { name: 'Connect to PostHog' }).waitFor());
  await assertAccessible(page, 'connection screen');

  await connect(page);
  const table = page.getByRole('table', { name: 'Group types of this project' });
  await table.waitFor();
  const rows = table.getByRole('row');
  // Header + the four group types the sandbox seeds for project 1.
  assert.equal(await rows.count(), 5);
  const state = await sandbox.control('state');
  const seeded = state.projects.find((p) => p.id === 1).group_types.map((g) => g.group_type);
  for (const key of seeded) {
    await assert.doesNotReject(table.getByRole('cell', { name: key, exact: true }).waitFor(), key);
  }
  // Unset names show PostHog's default as the placeholder of an empty input.
  const plural = page.getByLabel('Plural name of company');
  assert.equal(await plural.inputValue(), '');
  assert.equal(await plural.getAttribute('placeholder'), 'company(s)');
  await assertAccessible(page, 'group types screen');

  // The key went in the Authorization header and nowhere visible.
  const log = await sandbox.control('requests');
  assert.ok(log.some((r) => r.path === '/api/projects/1/groups_types/' && r.authorization));
  assert.ok(!page.url().includes(DEMO_KEY));
  assert.ok(!logs.some((l) => l.includes(DEMO_KEY)));
  assertClean();
});

test('an empty project shows the empty state', async () => {
  const { page, assertClean } = await openPage(browser.context, sandbox.url);
  await connect(page, { project: '2' });
  await assert.doesNotReject(page.getByText('This project has no group types yet.').waitFor());
  await assertAccessible(page, 'empty group types');
  assertClean();
});

test('a bad key is explained on the form, which keeps what was typed', async () => {
  const { page, assertClean } = await openPage(browser.context, sandbox.url);
  await connect(page, { key: 'phx_not_a_real_key' });
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /did not accept this personal API key/);
  assert.equal(await page.getByLabel('Personal API key').inputValue(), 'phx_not_a_real_key');
  // The browser logs the 401/403 responses itself; that is the server's answer, not an app error.
  assertClean(['403 (Forbidden)', '401 (Unauthorized)']);
});

test('form errors appear next to their fields and keep what was typed', async () => {
  const { page, assertClean } = await openPage(browser.context, sandbox.url);
  await page.getByLabel('Project id').fill('abc');
  await page.getByLabel('Personal API key').fill('');
  await page.getByRole('button', { name: 'Connect' }).click();
  await assert.doesNotReject(page.getByText('A project id is a number').waitFor());
  await assert.doesNotReject(page.getByText('Paste your personal API key').waitFor());
  assert.equal(await page.getByLabel('Project id').inputValue(), 'abc');
  assert.equal(await page.getByLabel('Project id').getAttribute('aria-invalid'), 'true');
  assertClean();
});

test('an unreachable host is explained, not a blank page', async () => {
  const { page, assertClean } = await openPage(browser.context, sandbox.url);
  // A loopback port that was just free: nothing listens, so the request fails at the network level.
  const port = await closedPort();
  await connect(page, { host: 'self-hosted', selfHosted: `http://127.0.0.1:${port}` });
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), new RegExp(`Could not reach http://127.0.0.1:${port}\\.`));
  // Chromium itself logs the refused connections (the request and the reachability probe).
  assertClean(['ERR_CONNECTION_REFUSED']);
});

test('the release build is served compressed: the browser gets brotli for the wasm, JS and CSS', async () => {
  const page = await browser.context.newPage();
  // From the server, not the cache the tests before filled (a memory-cached answer may come
  // without its Content-Encoding).
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const assets = [];
  page.on('response', async (r) => {
    if (/\.(wasm|js|css)$/.test(new URL(r.url()).pathname)) {
      assets.push({ path: new URL(r.url()).pathname, headers: await r.allHeaders(), status: r.status() });
    }
  });
  await page.goto(sandbox.url);
  await page.getByRole('heading', { name: 'Connect to PostHog' }).waitFor();
  // The app's JS and its chunk loader; the main wasm, the connection page's chunk and the
  // code it shares with other chunks (chunk_<n>); the metric screens' chunk is not part of
  // this view.
  const listed = JSON.stringify(assets.map((a) => a.path));
  const kinds = assets.map((a) => a.path.split('.').pop());
  assert.deepEqual(kinds.filter((k) => k !== 'wasm').sort(), ['css', 'js', 'js'], listed);
  const wasm = assets.map((a) => a.path).filter((p) => p.endsWith('.wasm'));
  assert.equal(wasm.filter((p) => /^\/groups-console-[0-9a-f]+_bg\.wasm$/.test(p)).length, 1, listed);
  assert.equal(wasm.filter((p) => /^\/split_connect-[0-9a-f]{16}\.wasm$/.test(p)).length, 1, listed);
  assert.ok(wasm.every((p) => /^\/(groups-console-[0-9a-f]+_bg|split_connect-[0-9a-f]{16}|chunk_\d+-[0-9a-f]{16})\.wasm$/.test(p)), listed);
  for (const a of assets) {
    assert.equal(a.status, 200, a.path);
    assert.equal(a.headers['content-encoding'], 'br', `${a.path} sent as brotli`);
    assert.equal(a.headers.vary, 'accept-encoding', a.path);
  }
  for (const a of assets.filter((x) => x.path.endsWith('.wasm'))) {
    assert.equal(a.headers['content-type'], 'application/wasm', a.path);
  }
  await page.close();
});
