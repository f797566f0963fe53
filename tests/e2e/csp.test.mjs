// The strict Content-Security-Policy end to end (README "Deploying to a static host"): the
// sandbox serves the release build with `--csp --csp-report`, and the app must run its main
// flow with no console error and no violation reported; `connect-src` must stop the key from
// reaching any other host; `frame-ancestors` must decide who may frame the app.
//
// Sandboxes: `strict` (the policy, connect-src 'self'), `other` (a second API origin, no
// policy), `widened` (the policy with `--csp-connect <other>`), a portal and a stranger origin
// serving tests/e2e/portal/, and `framed` (the policy with `--csp-frame-ancestor <portal>`,
// config.json listing both the portal and the stranger in embed_origins, so only the policy
// can keep the stranger out).

import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startSandbox, startStaticSandbox, startSandboxWithConfig, launchBrowser, openPage, connect,
  assertAccessible, resetSandbox, recordRequests, sandboxProject, sandboxMetrics, metricTable,
  cspReports, assertNoCspReports, inlineScriptHashes, parsePolicy, eventually, PORTAL_DIR, DEMO_KEY,
  allowWrites,
} from './harness.mjs';

const CSP = ['--csp', '--csp-report'];

let strict;
let other;
let widened;
let portal;
let stranger;
let framed;
let browser;
const opened = [];

before(async () => {
  strict = await startSandbox(CSP);
  other = await startSandbox();
  widened = await startSandbox([...CSP, '--csp-connect', other.url]);
  portal = await startStaticSandbox(PORTAL_DIR);
  stranger = await startStaticSandbox(PORTAL_DIR);
  framed = await startSandboxWithConfig({ embed_origins: [portal.url, stranger.url] }, [...CSP, '--csp-frame-ancestor', portal.url]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const s of [framed, stranger, portal, widened, other, strict]) await s?.stop();
});

beforeEach(async () => {
  for (const s of [strict, other, widened, framed]) {
    await resetSandbox(s);
    await s.control('csp-reports', { method: 'DELETE' });
  }
});

afterEach(async () => {
  while (opened.length) {
    const page = opened.pop();
    if (!page.isClosed()) await page.close();
  }
});

async function open(url) {
  const opening = await openPage(browser.context, url);
  opened.push(opening.page);
  return opening;
}

/** Console lines (any level) that mention the policy. */
const policyLines = (logs) => logs.filter((l) => /Content Security Policy|Refused to|violates/i.test(l));

/** The policy a page answer of `url` carries, parsed, with the raw header. */
async function policyOf(url) {
  const res = await fetch(url);
  const header = res.headers.get('content-security-policy');
  return { res, header, policy: header && parsePolicy(header), html: await res.text() };
}

test('the page carries the strict policy: wasm-unsafe-eval, the inline script\'s hash, nothing unsafe', async () => {
  for (const path of ['/', '/index.html', '/group-types/0/metrics?limit=25']) {
    const { res, header, policy, html } = await policyOf(`${strict.url}${path}`);
    assert.equal(res.status, 200, path);
    assert.ok(header, `${path}: content-security-policy present`);
    assert.match(header, /'wasm-unsafe-eval'/);
    assert.match(header, /'sha256-[A-Za-z0-9+/]+=*'/);
    assert.doesNotMatch(header, /'unsafe-eval'|'unsafe-inline'|\*/, `${path}: ${header}`);
    const hashes = await inlineScriptHashes(html);
    assert.ok(hashes.length >= 1, 'the build has its inline start-up script');
    assert.deepEqual(policy['script-src'], ["'self'", "'wasm-unsafe-eval'", ...hashes], 'exactly the served inline scripts');
    assert.deepEqual(policy['default-src'], ["'none'"]);
    assert.deepEqual(policy['style-src'], ["'self'"]);
    assert.deepEqual(policy['connect-src'], ["'self'"]);
    assert.deepEqual(policy['frame-ancestors'], ["'none'"]);
    assert.deepEqual(policy['form-action'], ["'none'"]);
    assert.deepEqual(policy['base-uri'], ["'self'"]);
    assert.deepEqual(policy['report-uri'], ['/_sandbox/csp-reports']);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  }
  assert.deepEqual(parsePolicy((await policyOf(`${widened.url}/`)).header)['connect-src'], ["'self'", other.url]);
  assert.deepEqual(parsePolicy((await policyOf(`${framed.url}/`)).header)['frame-ancestors'], [portal.url]);
});

test('the main flow under the strict policy: no console error, no violation', async () => {
  allowWrites();
  // The theme and accent are applied through the CSSOM, which style-src 'self' allows.
  const { page, console: logs, assertClean } = await open(`${strict.url}/?theme=dark&accent=%23ff6600`);
  await page.getByRole('heading', { name: 'Connect to PostHog' }).waitFor();
  // The form renders once config.json has loaded, after the heading.
  await page.getByRole('button', { name: 'Connect' }).waitFor();
  assert.deepEqual(await page.evaluate(() => [
    document.documentElement.getAttribute('data-theme'),
    getComputedStyle(document.body).backgroundColor,
    getComputedStyle(document.querySelector('button.primary')).backgroundColor,
  ]), ['dark', 'rgb(21, 22, 26)', 'rgb(255, 102, 0)']);

  // Connect, see the group types.
  await connect(page);
  const table = page.getByRole('table', { name: 'Group types of this project' });
  await table.waitFor();
  assert.equal(await table.getByRole('row').count(), 5);
  await assertAccessible(page, 'group types under the strict policy');

  // Rename, review in the dialog, save.
  await page.getByLabel('Singular name of company', { exact: true }).fill('Company');
  const bar = page.getByRole('region', { name: 'Unsaved changes' });
  await bar.getByRole('button', { name: 'Review' }).click();
  const dialog = page.getByRole('dialog', { name: 'Review name changes' });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved the names of 1 group type.' }).waitFor();
  assert.equal((await sandboxProject(strict, 1)).group_types.find((g) => g.group_type === 'company').name_singular, 'Company');

  // The metrics list, one metric, its edit form.
  // (The project's one list, narrowed to what is filed under organization.)
  const projectTable = page.getByRole('table', { name: 'Usage metrics of this project' });
  await page.getByRole('link', { name: 'Usage metrics of organization' }).click();
  await projectTable.waitFor();
  await page.getByRole('navigation', { name: 'Pages' }).locator('p.range').filter({ hasText: '1–25 of 61' }).waitFor();
  await projectTable.getByRole('link', { name: 'Logins', exact: true }).click();
  await page.getByRole('heading', { name: 'Logins', exact: true, level: 1 }).waitFor();
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await page.getByRole('heading', { name: 'Edit “Logins”', level: 1 }).waitFor();

  // Raw JSON filters: the stored filters, edited as text and saved.
  const logins = (await sandboxMetrics(strict, 1, 0)).find((m) => m.name === 'Logins');
  await page.getByRole('radio', { name: 'Raw JSON' }).check();
  const raw = page.getByLabel('Filters (JSON)');
  assert.deepEqual(JSON.parse(await raw.inputValue()), logins.filters);
  const filters = { ...logins.filters, filter_test_accounts: !logins.filters.filter_test_accounts };
  await raw.fill(JSON.stringify(filters));
  await page.getByRole('button', { name: 'Save metric' }).click();
  await page.getByRole('heading', { name: 'Logins', exact: true, level: 1 }).waitFor();
  await page.locator('div.notice[role=status]').filter({ hasText: 'Saved the metric “Logins”.' }).waitFor();
  assert.deepEqual((await sandboxMetrics(strict, 1, 0)).find((m) => m.id === logins.id).filters, filters);

  assert.deepEqual(policyLines(logs), [], 'no console line about the policy');
  assertClean();
  await assertNoCspReports(strict);
});

test('a host outside connect-src is blocked: the key never leaves, the app names the policy, a report names the host', async () => {
  const { page, console: logs, assertClean } = await open(strict.url);
  await connect(page, { host: 'self-hosted', selfHosted: other.url });
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const text = await alert.innerText();
  assert.match(text, /Content-Security-Policy does not allow connecting to/);
  assert.ok(text.includes(other.url), text);
  assert.ok(!/CORS/.test(text), 'a policy block is not blamed on CORS');

  // The other host never saw a request: not the key, not even the reachability probe.
  assert.deepEqual(await other.control('requests'), []);
  // The browser reported the blocked connection, naming the other host.
  let reports;
  await eventually(async () => (reports = await cspReports(strict)).length > 0, 'a CSP report');
  const bodies = reports.map((r) => r['csp-report'] ?? r);
  assert.ok(bodies.length >= 1);
  for (const b of bodies) {
    assert.equal(b['effective-directive'], 'connect-src', JSON.stringify(b));
    assert.ok(b['blocked-uri'].startsWith(other.url), JSON.stringify(b));
    assert.ok(!JSON.stringify(b).includes(DEMO_KEY), 'no report carries the key');
  }
  assert.ok(bodies.some((b) => b['blocked-uri'].startsWith(`${other.url}/api/projects/1/`)), JSON.stringify(bodies));
  // A policy block is permanent: it is not retried (one refusal per request the app made).
  const refusedLists = logs.filter((l) => l.startsWith(`Connecting to '${other.url}/api/projects/1/groups_types/'`));
  assert.equal(refusedLists.length, 1, logs.join('\n'));
  // Chromium logs each refused connection (the violation, then the failed fetch); those lines
  // are the policy working, and the only errors.
  const violation = `Connecting to '${other.url}/`;
  const failedFetch = `Fetch API cannot load ${other.url}/`;
  assert.ok(logs.some((l) => l.startsWith(`${violation}api/projects/1/`) && l.includes('"connect-src \'self\'"')), logs.join('\n'));
  assert.ok(logs.some((l) => l.startsWith(failedFetch) && l.includes('Refused to connect')), logs.join('\n'));
  assert.ok(!logs.some((l) => l.includes(DEMO_KEY)));
  assertClean([violation, failedFetch]);
});

test('with --csp-connect the app reaches that host (and nothing is reported)', async () => {
  const { page, console: logs, assertClean } = await open(widened.url);
  await connect(page, { host: 'self-hosted', selfHosted: other.url });
  await page.getByRole('table', { name: 'Group types of this project' }).waitFor();
  assert.ok((await other.control('requests')).some((r) => r.path === '/api/projects/1/groups_types/' && r.authorization));
  assert.deepEqual(await widened.control('requests'), [], 'nothing went to the app\'s own origin');
  assert.deepEqual(policyLines(logs), []);
  assertClean();
  await assertNoCspReports(widened);
});

/** Opens the portal page of `origin` framing the framed app at /?embed=1. */
async function openPortal(origin) {
  const opening = await openPage(browser.context, 'about:blank');
  opened.push(opening.page);
  const requests = recordRequests(opening.page);
  await opening.page.goto(`${origin}/portal.html?${new URLSearchParams({ app: framed.url })}`);
  return { ...opening, requests, ui: opening.page.frameLocator('#gc') };
}

test('embedded under the policy: a portal in frame-ancestors frames the app, connects and gets its messages', async () => {
  allowWrites();
  const { page, ui, console: logs, assertClean } = await openPortal(portal.url);
  await page.waitForFunction(() => window.received.some((m) => m.data?.type === 'groups-console:ready'));
  await page.evaluate(([host, key]) => window.sendToApp({ type: 'groups-console:connect', host, project: 1, key }), [framed.url, DEMO_KEY]);
  const table = ui.getByRole('table', { name: 'Group types of this project' });
  await table.waitFor();
  await ui.getByLabel('Plural name of company', { exact: true }).fill('Companies');
  await ui.getByRole('region', { name: 'Unsaved changes' }).getByRole('button', { name: 'Save', exact: true }).click();
  await page.waitForFunction(() => window.received.some((m) => m.data?.change === 'group_types_renamed'));
  await page.evaluate(() => window.sendToApp({ type: 'groups-console:theme', theme: 'dark', accent: '#ff6600' }));
  await eventually(async () => (await ui.locator('html').getAttribute('data-theme')) === 'dark', 'the parent\'s theme');
  const received = await page.evaluate(() => window.received);
  assert.ok(received.every((m) => m.origin === framed.url && m.fromApp), JSON.stringify(received));
  assert.ok(received.some((m) => m.data.type === 'groups-console:height' && m.data.height > 0));
  assert.deepEqual(policyLines(logs), []);
  assertClean();
  await assertNoCspReports(framed);
});

test('a portal origin not in frame-ancestors cannot frame the app: nothing loads, the violation is reported', async () => {
  const { page, requests, console: logs, assertClean } = await openPortal(stranger.url);
  // The browser refuses the framed document: the app's script and wasm are never fetched.
  let reports;
  await eventually(async () => (reports = await cspReports(framed)).length > 0, 'a frame-ancestors report');
  await page.waitForTimeout(2000);
  const bodies = reports.map((r) => r['csp-report'] ?? r);
  assert.ok(bodies.some((b) => b['effective-directive'] === 'frame-ancestors'), JSON.stringify(bodies));
  assert.ok(bodies.every((b) => b['effective-directive'] === 'frame-ancestors'), JSON.stringify(bodies));
  const fetched = (await requests.settle()).map((r) => r.url).filter((u) => u.startsWith(framed.url));
  assert.deepEqual(fetched.filter((u) => /\.(js|wasm|css)$/.test(new URL(u).pathname) || u.endsWith('/config.json')), [],
    `only the refused document was requested: ${fetched.join(', ')}`);
  const frame = await (await page.locator('#gc').elementHandle()).contentFrame();
  assert.ok(!frame.url().startsWith(framed.url), `the frame did not load the app (${frame.url()})`);
  assert.deepEqual(await page.evaluate(() => window.received), [], 'no message from a refused frame');
  // Chromium logs the refusal in the portal's console; that line is the policy working.
  const refused = `Framing '${framed.url}/`;
  assert.ok(logs.some((l) => l.startsWith(refused) && l.includes(`"frame-ancestors ${portal.url}"`)), logs.join('\n'));
  assertClean([refused]);
});
