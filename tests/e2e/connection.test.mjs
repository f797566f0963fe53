// The connection screen end to end: every way connecting can end (the good key, each kind of
// refusal, a host that is down or refuses this origin), the form's own checks, where the key
// is kept and how it is forgotten, presets from the URL and from config.json, the app served
// from a sub-path, and that the key never leaks.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startSandbox, startSandboxWithConfig, launchBrowser, allowWrites, openPage, connect, assertAccessible,
  closedPort, capabilityLines, PICKERS_YES, PICKERS_OFF, resetSandbox, recordRequests, statusLogged, clearStorage, DEMO_KEY,
} from './harness.mjs';

const STORED_KEY = 'groups-console.key';
const HOST_LABELS = [
  'US cloud (us.posthog.com)',
  'EU cloud (eu.posthog.com)',
  'Self-hosted',
  'Local sandbox (this server)',
];
const ALL_YES = [
  'List group types: yes',
  'Rename group types: yes',
  'Delete group types: yes',
  'View usage metrics: yes',
  'Create, edit and delete usage metrics: yes',
  'See metric values for a group: yes',
  ...PICKERS_YES,
];

let sandbox;
let browser;
const opened = [];

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

afterEach(async () => {
  // Pages of a test do not outlive it, and nothing it stored leaks into the next test.
  while (opened.length) {
    const page = opened.pop();
    if (!page.isClosed()) await page.close();
  }
  await clearStorage(browser.context, sandbox.url);
  await resetSandbox(sandbox);
});

/** openPage, remembering the page so afterEach closes it. */
async function open(url) {
  const opening = await openPage(browser.context, url);
  opened.push(opening.page);
  return opening;
}

const connectHeading = (page) => page.getByRole('heading', { name: 'Connect to PostHog' });
const groupTypesTable = (page) => page.getByRole('table', { name: 'Group types of this project' });
const connectAlert = (page) => page.getByRole('alert').filter({ hasText: 'Could not connect' });
const query = (host, project) => `?host=${encodeURIComponent(host)}&project=${project}`;
const stored = (page, area) => page.evaluate(([a, k]) => window[a].getItem(k), [area, STORED_KEY]);

/** The radios of the Host group, by label, with which one is checked. */
async function hostRadios(page) {
  const group = page.getByRole('group', { name: 'Host' });
  await group.waitFor();
  const radios = group.getByRole('radio');
  const out = [];
  for (let i = 0; i < await radios.count(); i++) {
    const radio = radios.nth(i);
    const label = await radio.evaluate((el) => el.closest('label').textContent.trim());
    out.push({ label, checked: await radio.isChecked() });
  }
  return out;
}

async function checkedHost(page) {
  return (await hostRadios(page)).filter((r) => r.checked).map((r) => r.label);
}

/** Asserts the form still shows what was typed. */
async function assertFormKept(page, { host, address, project, key }) {
  assert.deepEqual(await checkedHost(page), [host], 'host choice kept');
  if (address !== undefined) assert.equal(await page.getByLabel('Self-hosted address').inputValue(), address);
  assert.equal(await page.getByLabel('Project id').inputValue(), project, 'project kept');
  assert.equal(await page.getByLabel('Personal API key').inputValue(), key, 'key kept');
}

test('the full-access key connects and every capability is yes', async () => {
  const { page, assertClean } = await open(sandbox.url);
  await connectHeading(page).waitFor();
  await assertAccessible(page, 'connection screen');
  await connect(page);

  await groupTypesTable(page).waitFor();
  const url = new URL(page.url());
  assert.equal(url.origin, sandbox.url);
  assert.equal(url.pathname, '/group-types');
  assert.equal(url.search, query(sandbox.url, 1));
  await page.getByRole('heading', { name: 'Group types', level: 1 }).waitFor();
  await page.getByText(`Project 1 on ${sandbox.url}`, { exact: true }).waitFor();

  // A key that can do everything: the summary stays closed, without the read-only badge.
  const details = page.locator('details', { has: page.locator('summary', { hasText: 'What this key can do' }) });
  assert.equal(await details.evaluate((d) => d.open), false);
  assert.equal(await details.locator('summary').getByText('read-only').count(), 0);
  assert.deepEqual(await capabilityLines(page), ALL_YES);
  await assertAccessible(page, 'group types screen with the capability summary open');
  assertClean();
});

test('a bad key is refused on the form, which keeps what was typed', async () => {
  const { page, assertClean } = await open(sandbox.url);
  await connect(page, { key: 'phx_not_a_real_key' });
  const alert = connectAlert(page);
  await alert.waitFor();
  assert.match(await alert.innerText(), new RegExp(`${sandbox.url} did not accept this personal API key`));
  assert.equal(new URL(page.url()).pathname, '/');
  await assertFormKept(page, { host: 'Local sandbox (this server)', project: '1', key: 'phx_not_a_real_key' });
  assert.equal(await page.getByRole('button', { name: 'Connect' }).isEnabled(), true);
  await assertAccessible(page, 'connection screen with a refused key');
  // Chromium logs the server's 403 (group types) and 401 (metrics) answers itself.
  assertClean([statusLogged(403, `${sandbox.url}/api/projects/1/`), statusLogged(401, `${sandbox.url}/api/`)]);
});

test('a key without the usage_metric scopes connects and says what it cannot do', async () => {
  const { page, assertClean } = await open(sandbox.url);
  await connect(page, { key: 'phx_sandbox_groups_only' });
  await groupTypesTable(page).waitFor();
  assert.deepEqual(await capabilityLines(page), [
    'List group types: yes',
    'Rename group types: yes',
    'Delete group types: yes',
    'View usage metrics: no — the key lacks the scope usage_metric:read',
    'Create, edit and delete usage metrics: no — the key lacks the scope usage_metric:write',
    'See metric values for a group: no — the key lacks the scope query:read',
    ...PICKERS_OFF,
  ]);
  // The probes of the metric scopes are refused (403): that is what the summary reports.
  assertClean([statusLogged(403, `${sandbox.url}/api/projects/1/groups_types/0/metrics/`)]);
});

test('a project that does not exist is named in the error', async () => {
  const { page, assertClean } = await open(sandbox.url);
  await connect(page, { project: '999' });
  const alert = connectAlert(page);
  await alert.waitFor();
  assert.match(await alert.innerText(), /Project 999 was not found/);
  await assertFormKept(page, { host: 'Local sandbox (this server)', project: '999', key: DEMO_KEY });
  assertClean([statusLogged(404, `${sandbox.url}/api/projects/999/`)]);
});

test('a key limited to another project is explained, and works on its own project', async () => {
  const { page, assertClean } = await open(sandbox.url);
  await connect(page, { key: 'phx_sandbox_project_2_only', project: '1' });
  const alert = connectAlert(page);
  await alert.waitFor();
  assert.match(await alert.innerText(), /This key is limited to project 2 and cannot open project 1/);
  await assertFormKept(page, { host: 'Local sandbox (this server)', project: '1', key: 'phx_sandbox_project_2_only' });

  // Only the project changes; the kept key and host connect to project 2.
  await page.getByLabel('Project id').fill('2');
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByText('This project has no group types yet.').waitFor();
  assert.equal(new URL(page.url()).search, query(sandbox.url, 2));
  assertClean([statusLogged(403, `${sandbox.url}/api/projects/1/`)]);
});

test('an unreachable host is named, and the form keeps what was typed', async () => {
  const { page, assertClean } = await open(sandbox.url);
  const port = await closedPort();
  const address = `http://127.0.0.1:${port}`;
  await connect(page, { host: 'self-hosted', selfHosted: address });
  const alert = connectAlert(page);
  await alert.waitFor();
  assert.match(await alert.innerText(), new RegExp(`Could not reach ${address}\\.`));
  await assertFormKept(page, { host: 'Self-hosted', address, project: '1', key: DEMO_KEY });
  await assertAccessible(page, 'connection screen with an unreachable host');
  assertClean(['ERR_CONNECTION_REFUSED']);
});

test('a host refusing this page\'s origin is told apart from one that is down', async () => {
  // A second sandbox imitates a self-hosted PostHog whose CORS_ALLOWED_ORIGINS lacks this origin.
  const other = await startSandbox(['--cors-allowed-origin', 'http://127.0.0.1:1']);
  try {
    const { page, assertClean } = await open(sandbox.url);
    await connect(page, { host: 'self-hosted', selfHosted: other.url });
    const alert = connectAlert(page);
    await alert.waitFor();
    const text = await alert.innerText();
    assert.match(text, new RegExp(`${other.url} is up but refused a request from this page's origin`));
    assert.match(text, /CORS_ALLOWED_ORIGINS/);
    await assertFormKept(page, { host: 'Self-hosted', address: other.url, project: '1', key: DEMO_KEY });
    // The browser stopped at the preflight: no request carrying the key reached the server.
    const log = await other.control('requests');
    assert.ok(!log.some((r) => r.authorization), JSON.stringify(log));

    // Once the instance allows any origin, the same form connects on retry.
    await other.control('switches', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ cors_allowed_origins: null }),
    });
    await page.getByRole('button', { name: 'Connect' }).click();
    await groupTypesTable(page).waitFor();
    assert.equal(new URL(page.url()).search, query(other.url, 1));
    // Chromium reports each blocked request (the CORS message and the failed load).
    assertClean(['blocked by CORS policy', 'net::ERR_FAILED']);
  } finally {
    await other.stop();
  }
});

test('field errors sit next to their fields, nothing is sent, and typed values stay', async () => {
  const { page, assertClean } = await open(sandbox.url);
  await page.getByRole('radio', { name: 'Self-hosted' }).check();
  const address = page.getByLabel('Self-hosted address');
  await address.fill('http://example.com');
  await page.getByLabel('Project id').fill('7');
  await page.getByLabel('Personal API key').fill('');
  await page.getByRole('button', { name: 'Connect' }).click();

  await page.getByText('Use https:// (plain http is allowed only on this machine').waitFor();
  await page.getByText('Paste your personal API key').waitFor();
  assert.equal(await address.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByLabel('Personal API key').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByLabel('Project id').getAttribute('aria-invalid'), null);
  // Each error is tied to its input, so a screen reader reads it with the field.
  for (const [field, message] of [[address, /https:\/\//], [page.getByLabel('Personal API key'), /personal API key/]]) {
    const described = await field.evaluate((el) => (el.getAttribute('aria-describedby') ?? '')
      .split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' '));
    assert.match(described, message);
  }
  // Focus goes to the first field to fix.
  assert.equal(await page.evaluate(() => document.activeElement?.id), await address.getAttribute('id'));
  await assertFormKept(page, { host: 'Self-hosted', address: 'http://example.com', project: '7', key: '' });
  assert.equal(new URL(page.url()).pathname, '/');
  assert.deepEqual(await sandbox.control('requests'), [], 'nothing was sent');
  await assertAccessible(page, 'connection screen with field errors');
  assertClean();
});

test('Show key and Hide key switch the key between masked and visible', async () => {
  const { page, assertClean } = await open(sandbox.url);
  const key = page.getByLabel('Personal API key');
  await key.fill('phx_typed_secret');
  assert.equal(await key.getAttribute('type'), 'password');
  const show = page.getByRole('button', { name: 'Show key' });
  assert.equal(await show.getAttribute('aria-pressed'), 'false');
  await show.click();
  const hide = page.getByRole('button', { name: 'Hide key' });
  await hide.waitFor();
  assert.equal(await hide.getAttribute('aria-pressed'), 'true');
  assert.equal(await key.getAttribute('type'), 'text');
  assert.equal(await key.inputValue(), 'phx_typed_secret');
  await hide.click();
  await page.getByRole('button', { name: 'Show key' }).waitFor();
  assert.equal(await key.getAttribute('type'), 'password');
  assert.equal(await page.getByRole('button', { name: 'Show key' }).getAttribute('aria-pressed'), 'false');
  assert.equal(await key.inputValue(), 'phx_typed_secret');
  assertClean();
});

test('by default the key is kept only in this tab', async () => {
  const { page, assertClean } = await open(sandbox.url);
  const remember = page.getByRole('checkbox', { name: 'Remember on this device' });
  assert.equal(await remember.isChecked(), false);
  await connect(page);
  await groupTypesTable(page).waitFor();
  assert.deepEqual(JSON.parse(await stored(page, 'sessionStorage')), { host: sandbox.url, key: DEMO_KEY });
  assert.equal(await stored(page, 'localStorage'), null);

  // Another tab of the same browser does not have it.
  const other = await open(`${sandbox.url}/group-types${query(sandbox.url, 1)}`);
  await other.page.getByText('Not connected.').waitFor();
  assert.equal(await groupTypesTable(other.page).count(), 0);
  assertClean();
  other.assertClean();
});

test('Remember on this device keeps the key in localStorage; Forget key clears every copy', async () => {
  const { page, assertClean } = await open(sandbox.url);
  await page.getByRole('checkbox', { name: 'Remember on this device' }).check();
  await connect(page);
  await groupTypesTable(page).waitFor();
  assert.deepEqual(JSON.parse(await stored(page, 'localStorage')), { host: sandbox.url, key: DEMO_KEY });
  assert.equal(await stored(page, 'sessionStorage'), null);

  // Another tab opens the project straight away.
  const deepLink = `${sandbox.url}/group-types${query(sandbox.url, 1)}`;
  const other = await open(deepLink);
  await groupTypesTable(other.page).waitFor();

  // Back on the connection screen, Forget key is offered. A copy of the key is also put in
  // this tab's storage, as an earlier connect without "remember" in this tab would leave it.
  await page.getByRole('link', { name: 'Connection', exact: true }).click();
  await connectHeading(page).waitFor();
  await page.evaluate(([k, v]) => sessionStorage.setItem(k, v), [STORED_KEY, JSON.stringify({ host: sandbox.url, key: DEMO_KEY })]);
  const forget = page.getByRole('button', { name: 'Forget key' });
  await forget.click();
  await forget.waitFor({ state: 'detached' });
  assert.equal(await stored(page, 'localStorage'), null);
  assert.equal(await stored(page, 'sessionStorage'), null);

  // Forgotten in memory too: the group types link now asks to connect.
  await page.getByRole('link', { name: 'Group types', exact: true }).click();
  await page.getByText('Not connected.').waitFor();
  // And the other tab no longer finds it after a reload.
  await other.page.reload();
  await other.page.getByText('Not connected.').waitFor();
  assertClean();
  other.assertClean();
});

test('host and project in the URL preset the form', async () => {
  const { page, assertClean } = await open(`${sandbox.url}/${query('https://eu.posthog.com', 42)}`);
  await connectHeading(page).waitFor();
  assert.deepEqual(await checkedHost(page), ['EU cloud (eu.posthog.com)']);
  assert.equal(await page.getByLabel('Project id').inputValue(), '42');
  assert.equal(await page.getByLabel('Self-hosted address').count(), 0);
  assert.equal(await page.getByLabel('Personal API key').inputValue(), '');

  await page.goto(`${sandbox.url}/${query('https://ph.example.com', 7)}`);
  await connectHeading(page).waitFor();
  assert.deepEqual(await checkedHost(page), ['Self-hosted']);
  assert.equal(await page.getByLabel('Self-hosted address').inputValue(), 'https://ph.example.com');
  assert.equal(await page.getByLabel('Project id').inputValue(), '7');

  await page.goto(`${sandbox.url}/${query(sandbox.url, 3)}`);
  await connectHeading(page).waitFor();
  assert.deepEqual(await checkedHost(page), ['Local sandbox (this server)']);
  assert.equal(await page.getByLabel('Project id').inputValue(), '3');

  // A host the app may not use (plain http off localhost) is ignored, the project is kept.
  await page.goto(`${sandbox.url}/${query('http://evil.example', 5)}`);
  await connectHeading(page).waitFor();
  assert.deepEqual(await checkedHost(page), ['Local sandbox (this server)']);
  assert.equal(await page.getByLabel('Project id').inputValue(), '5');
  assertClean();
});

test('config.json presets the host and project', async () => {
  const site = await startSandboxWithConfig({ default_host: 'https://eu.posthog.com', default_project: 42 });
  try {
    const { page, assertClean } = await open(site.url);
    await connectHeading(page).waitFor();
    assert.deepEqual((await hostRadios(page)).map((r) => r.label), HOST_LABELS);
    assert.deepEqual(await checkedHost(page), ['EU cloud (eu.posthog.com)']);
    assert.equal(await page.getByLabel('Project id').inputValue(), '42');
    assert.equal(await page.getByRole('alert').count(), 0);

    // The URL still wins over the config's defaults.
    await page.goto(`${site.url}/${query(site.url, 1)}`);
    await connectHeading(page).waitFor();
    assert.deepEqual(await checkedHost(page), ['Local sandbox (this server)']);
    assert.equal(await page.getByLabel('Project id').inputValue(), '1');
    assertClean();
  } finally {
    await site.stop();
  }
});

test('config.json allowed_hosts limits the host choices', async () => {
  const site = await startSandboxWithConfig((url) => ({ allowed_hosts: ['https://eu.posthog.com', url] }));
  try {
    const { page, assertClean } = await open(`${site.url}/${query('https://us.posthog.com', 3)}`);
    await connectHeading(page).waitFor();
    // US cloud and self-hosted are not offered; the URL's US host is ignored.
    assert.deepEqual(await hostRadios(page), [
      { label: 'EU cloud (eu.posthog.com)', checked: false },
      { label: 'Local sandbox (this server)', checked: true },
    ]);
    assert.equal(await page.getByLabel('Project id').inputValue(), '3');
    await assertAccessible(page, 'connection screen limited by allowed_hosts');
    // An allowed host still connects.
    await connect(page, { project: '1' });
    await groupTypesTable(page).waitFor();
    assertClean();
  } finally {
    await site.stop();
  }
});

test('config.json key_storage memory hides "remember" and stores the key nowhere', async () => {
  const site = await startSandboxWithConfig({ key_storage: 'memory' });
  try {
    const { page, assertClean } = await open(site.url);
    await connectHeading(page).waitFor();
    await page.getByText('The key is kept only in memory').waitFor();
    assert.equal(await page.getByRole('checkbox', { name: 'Remember on this device' }).count(), 0);
    await connect(page);
    await groupTypesTable(page).waitFor();
    assert.equal(await stored(page, 'sessionStorage'), null);
    assert.equal(await stored(page, 'localStorage'), null);
    // Gone on reload, as the hint says.
    await page.reload();
    await page.getByText('Not connected.').waitFor();
    assertClean();
  } finally {
    await site.stop();
  }
});

test('config.json key_storage session hides "remember" too', async () => {
  const site = await startSandboxWithConfig({ key_storage: 'session' });
  try {
    const { page, assertClean } = await open(site.url);
    await connectHeading(page).waitFor();
    await page.getByText('The key is kept only until this tab closes.').waitFor();
    assert.equal(await page.getByRole('checkbox', { name: 'Remember on this device' }).count(), 0);
    assertClean();
  } finally {
    await site.stop();
  }
});

test('a malformed config.json is reported and the defaults are used', async () => {
  const site = await startSandboxWithConfig('{ "default_host": ');
  try {
    const { page, assertClean } = await open(site.url);
    await connectHeading(page).waitFor();
    const warning = page.getByRole('alert').filter({ hasText: 'config.json' });
    await warning.waitFor();
    const text = await warning.innerText();
    assert.match(text, /^config\.json is not valid/);
    assert.match(text, /The defaults are used instead\./);
    assert.deepEqual((await hostRadios(page)).map((r) => r.label), HOST_LABELS);
    assert.deepEqual(await checkedHost(page), ['Local sandbox (this server)']);
    assert.equal(await page.getByLabel('Project id').inputValue(), '');
    await page.getByRole('checkbox', { name: 'Remember on this device' }).waitFor();
    await assertAccessible(page, 'connection screen with a config warning');
    // The form still works with the defaults.
    await connect(page);
    await groupTypesTable(page).waitFor();
    assertClean();
  } finally {
    await site.stop();
  }
});

test('a config.json with a bad setting names it and uses the defaults', async () => {
  const site = await startSandboxWithConfig({ default_host: 'http://evil.example', default_project: 9 });
  try {
    const { page, assertClean } = await open(site.url);
    const warning = page.getByRole('alert').filter({ hasText: 'config.json' });
    await warning.waitFor();
    assert.match(await warning.innerText(), /config\.json default_host "http:\/\/evil\.example"/);
    assert.deepEqual(await checkedHost(page), ['Local sandbox (this server)']);
    assert.equal(await page.getByLabel('Project id').inputValue(), '');
    assertClean();
  } finally {
    await site.stop();
  }
});

test('served under /console/, the app connects, stays under it and reloads deep links', async () => {
  const site = await startSandbox(['--base-path', '/console/']);
  try {
    const { page, assertClean } = await open(site.url);
    // The root redirects to the sub-path.
    await connectHeading(page).waitFor();
    assert.equal(page.url(), `${site.url}/console/`);
    // config.json beside index.html loads fine (no warning).
    assert.equal(await page.getByRole('alert').count(), 0);

    await connect(page);
    await groupTypesTable(page).waitFor();
    const deepLink = `${site.url}/console/group-types${query(site.url, 1)}`;
    assert.equal(page.url(), deepLink);
    // The API stays at /api/ on the same origin.
    const log = await site.control('requests');
    assert.ok(log.some((r) => r.method === 'GET' && r.path === '/api/projects/1/groups_types/' && r.authorization));

    // A reload of the deep link keeps the screen (the key is in this tab's storage).
    await page.reload();
    await groupTypesTable(page).waitFor();
    assert.equal(page.url(), deepLink);

    // Back returns to the connection screen, still under /console/.
    await page.goBack();
    await connectHeading(page).waitFor();
    assert.ok(page.url().startsWith(`${site.url}/console/`), page.url());
    await page.goForward();
    await groupTypesTable(page).waitFor();

    // Every in-app link points under /console/, keeping host and project, so it also works
    // when opened in a new tab.
    for (const name of ['Connection', 'Group types']) {
      const href = await page.getByRole('link', { name, exact: true }).evaluate((a) => a.href);
      const expected = `${site.url}/console/${name === 'Connection' ? '' : 'group-types'}${query(site.url, 1)}`;
      assert.equal(href, expected, `header link ${name}`);
    }

    // A new tab on the deep link: not connected, and the way back keeps the sub-path.
    const other = await open(deepLink);
    await other.page.getByText('Not connected.').waitFor();
    const back = other.page.getByRole('link', { name: 'Go to the connection screen' });
    assert.equal(await back.evaluate((a) => a.href), `${site.url}/console/${query(site.url, 1)}`);
    await back.click();
    await connectHeading(other.page).waitFor();
    assert.equal(other.page.url(), `${site.url}/console/${query(site.url, 1)}`);
    assert.deepEqual(await checkedHost(other.page), ['Local sandbox (this server)']);
    assert.equal(await other.page.getByLabel('Project id').inputValue(), '1');
    await other.page.getByLabel('Personal API key').fill(DEMO_KEY);
    await other.page.getByRole('button', { name: 'Connect' }).click();
    await groupTypesTable(other.page).waitFor();
    assert.equal(other.page.url(), deepLink);
    await assertAccessible(other.page, 'group types under /console/');
    assertClean();
    other.assertClean();
  } finally {
    await site.stop();
  }
});

test('the key is never in a URL, a console message, or a request to another origin', async () => {
  // The app is served by one sandbox and talks to another as a self-hosted instance, so a
  // key sent to the page's own origin would show.
  const host = await startSandbox();
  allowWrites(); // it renames a group type, to see where the key goes on a write
  try {
    const { page, console: logs, assertClean } = await open('about:blank');
    const recorder = recordRequests(page);
    const visited = [];
    page.on('framenavigated', (frame) => visited.push(frame.url()));
    await page.goto(sandbox.url);
    await connectHeading(page).waitFor();

    // A refused attempt first (wrong project), then the right one, with the key shown once.
    await connect(page, { host: 'self-hosted', selfHosted: host.url, project: '999' });
    await connectAlert(page).waitFor();
    await page.getByRole('button', { name: 'Show key' }).click();
    await page.getByLabel('Project id').fill('1');
    await page.getByRole('button', { name: 'Connect' }).click();
    await groupTypesTable(page).waitFor();
    visited.push(page.url());

    // Use the screen: rename a row, then reload the deep link.
    await page.getByLabel('Singular name of company').fill('Company');
    await page.getByRole('region', { name: 'Unsaved changes' }).getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved the names of 1 group type.').waitFor();
    await page.reload();
    await groupTypesTable(page).waitFor();
    visited.push(page.url());

    const requests = await recorder.settle();
    const withKey = requests.filter((r) => Object.entries(r.headers)
      .some(([name, value]) => name.toLowerCase() === 'authorization' && value.includes(DEMO_KEY)));
    assert.ok(withKey.length > 0, 'the key was sent to the chosen host');
    for (const r of withKey) assert.equal(new URL(r.url).origin, host.url, `key sent to ${r.url}`);
    for (const r of requests) {
      assert.ok(!r.url.includes(DEMO_KEY), `key in request URL ${r.url}`);
      assert.ok(!(r.body ?? '').includes(DEMO_KEY), `key in request body to ${r.url}`);
      const headers = Object.entries(r.headers).filter(([n]) => n.toLowerCase() !== 'authorization');
      assert.ok(!headers.some(([, v]) => v.includes(DEMO_KEY)), `key in another header to ${r.url}`);
    }
    for (const url of visited) assert.ok(!url.includes(DEMO_KEY), `key in page URL ${url}`);
    assert.ok(!logs.some((l) => l.includes(DEMO_KEY)), 'key in a console message');
    assert.ok(!(await page.content()).includes(DEMO_KEY), 'key in the group types screen');
    // The page's own origin saw no API request at all.
    assert.deepEqual(await sandbox.control('requests'), []);
    assertClean([statusLogged(404, `${host.url}/api/projects/999/`)]);
  } finally {
    await host.stop();
  }
});
