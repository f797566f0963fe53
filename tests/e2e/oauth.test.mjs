// Sign in with PostHog end to end: the app (http://127.0.0.1:PORT) signs in to a host on
// another origin (http://127.0.0.2:PORT, the same sandbox on another loopback address: a
// sign-in over plain http is followed only to a numeric loopback address) through the
// sandbox's real authorization server and consent page, uses the token, refreshes it after a
// short expiry without losing the screen, and signs out (the token is refused afterwards). A
// denied consent and a tampered state each show their message with a way back. The tokens
// appear in no URL, no console line and no request to another origin.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  startSandboxWithConfig, startStaticSandbox, launchBrowser, openPage, assertAccessible, allowWrites,
  resetSandbox, recordRequests, setSwitches, eventually, statusLogged, clearStorage, PICKERS_YES,
} from './harness.mjs';

const PORTAL_DIR = resolve(import.meta.dirname, 'portal');

let sandbox;
let browser;
let host;
const opened = [];

/** Serves on every address (127.0.0.2 included), without a policy. */
const OTHER_ORIGIN_ARGS = ['--no-csp', '--bind', '0.0.0.0'];

/** The same sandbox by another numeric loopback address: another origin. */
const otherOrigin = (url) => url.replace('127.0.0.1', '127.0.0.2');

before(async () => {
  // Bound to every address so that 127.0.0.2 reaches it too; no policy, since the page
  // calls that other origin (the app's own checks are what is tested here).
  sandbox = await startSandboxWithConfig((url) => ({ oauth: { client_id: `${url}/oauth-client.json` } }), OTHER_ORIGIN_ARGS);
  // This deployment's client metadata document, as README "Sign in with PostHog" says.
  writeFileSync(join(sandbox.dir, 'oauth-client.json'), JSON.stringify({
    client_id: `${sandbox.url}/oauth-client.json`,
    client_name: 'Groups console (e2e)',
    redirect_uris: [`${sandbox.url}/oauth/callback`],
    token_endpoint_auth_method: 'none',
  }));
  host = otherOrigin(sandbox.url);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

afterEach(async () => {
  while (opened.length) {
    const page = opened.pop();
    if (!page.isClosed()) await page.close();
  }
  await clearStorage(browser.context, sandbox.url);
  await resetSandbox(sandbox);
});

/** Opens the connection screen with the other-origin host and project 1 filled in. */
async function openConnect(onPage) {
  const url = `${sandbox.url}/?${new URLSearchParams({ host, project: '1' })}`;
  const opening = await openPage(browser.context, url, onPage);
  opened.push(opening.page);
  await opening.page.getByRole('button', { name: 'Sign in with PostHog' }).waitFor();
  // The link chose the host: the form asks the user to confirm it first.
  await opening.page.getByLabel(/^This is my PostHog/).check();
  return opening;
}

/** Records the token answers the page receives (the test's only way to know the tokens). */
function captureTokens(page) {
  const tokens = [];
  page.on('response', async (response) => {
    if (response.url().startsWith(`${host}/oauth/token/`) && response.request().method() === 'POST') {
      const body = await response.json().catch(() => null);
      if (body?.access_token) tokens.push(body);
    }
  });
  return tokens;
}

/** From the connection screen to the consent page, and the decision on it. */
async function consent(page, decision) {
  await page.getByRole('button', { name: 'Sign in with PostHog' }).click();
  await page.waitForURL((u) => u.href.startsWith(`${host}/oauth/authorize/`));
  await page.getByRole('button', { name: decision }).waitFor();
  return page;
}

async function oauthState() {
  return sandbox.control('oauth');
}

test('signs in through the consent page on another origin and uses the app; the token leaks nowhere', async () => {
  let recorder;
  let tokens;
  const { page, console: lines, assertClean } = await openConnect((p) => {
    recorder = recordRequests(p);
    tokens = captureTokens(p);
  });
  await assertAccessible(page, 'the connection screen with sign-in');
  await consent(page, 'Allow');
  await page.getByText('Groups console (e2e)').first().waitFor();
  await assertAccessible(page, "the sandbox's consent page");
  await page.getByRole('button', { name: 'Allow' }).click();

  await page.getByRole('heading', { name: 'Group types', level: 1 }).waitFor();
  await page.getByRole('cell', { name: 'organization' }).first().waitFor();
  // The callback's code and state are gone from the address, and so is any token.
  const landed = new URL(page.url());
  assert.equal(landed.pathname, '/group-types');
  assert.deepEqual([...landed.searchParams.keys()].sort(), ['host', 'project']);
  await assertAccessible(page, 'group types after signing in');

  // What the sign-in can do comes from the scopes granted: no key record, no probe.
  const summary = page.locator('summary', { hasText: 'What this sign-in can do' });
  await summary.click();
  const granted = await page.getByRole('list', { name: 'What this sign-in can do' }).getByRole('listitem').allInnerTexts();
  assert.deepEqual(granted.map((l) => l.replace(/^[✓✕?]\s*/, '').trim()), [
    'List group types: yes',
    'Rename group types: not checked — it needs group:write and admin access; the server will say if it refuses',
    'Delete group types: yes',
    'View usage metrics: yes',
    'Create, edit and delete usage metrics: yes',
    'See metric values for a group: yes',
    ...PICKERS_YES,
  ]);
  const log = await sandbox.control('requests');
  assert.ok(log.some((r) => r.path === '/api/projects/1/groups_types/'), 'the log covers this sign-in');
  assert.ok(!log.some((r) => r.path.startsWith('/api/personal_api_keys/')), 'no key-record read for a sign-in');
  assert.ok(!log.some((r) => r.method === 'PATCH'), 'no rename probe for a sign-in');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Usage metrics' }).click();
  await page.getByRole('table').first().waitFor();

  assert.equal(tokens.length, 1, 'one code exchange');
  const { access_token: access, refresh_token: refresh } = tokens[0];
  assert.match(access, /^pha_/);
  assert.match(refresh, /^phr_/);
  const state = await oauthState();
  assert.ok(state.tokens.some((t) => t.kind === 'access' && t.active && access.startsWith(t.prefix)));

  const sent = await recorder.settle();
  const carrying = sent.filter((r) => JSON.stringify(r.headers).includes(access) || (r.body ?? '').includes(access));
  assert.ok(carrying.length > 0, 'the token was used');
  for (const r of carrying) {
    assert.ok(r.url.startsWith(`${host}/api/`), `the token went only to the chosen host's API: ${r.url}`);
  }
  const secrets = [access, refresh];
  for (const r of sent) {
    for (const s of secrets) assert.ok(!r.url.includes(s), `no token in a URL: ${r.url}`);
  }
  assert.ok(!sent.some((r) => (r.body ?? '').includes(refresh) && !r.url.startsWith(`${host}/oauth/`)),
    'the refresh token goes only to the authorization server');
  for (const line of lines) for (const s of secrets) assert.ok(!line.includes(s), 'no token in the console');
  for (const s of secrets) assert.ok(!page.url().includes(s));
  assertClean();
});

test('the token is refreshed after a short expiry, and the screen and what was typed stay', async () => {
  await setSwitches(sandbox, { oauth_access_seconds: 4 });
  let recorder;
  let tokens;
  const { page, assertClean } = await openConnect((p) => {
    recorder = recordRequests(p);
    tokens = captureTokens(p);
  });
  await consent(page, 'Allow');
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.getByRole('heading', { name: 'Group types', level: 1 }).waitFor();
  await page.goto(`${sandbox.url}/group-types/0/metrics/new?${new URLSearchParams({ host, project: '1' })}`);
  // A reload with the default policy: the sign-in was kept for this tab.
  const name = page.getByLabel('Name', { exact: true });
  await name.fill('Signed-in metric');
  const first = tokens[0].access_token;

  // Refreshed at half its 4 s life, by the app's own timer, with no request refused.
  await eventually(async () => tokens.length >= 2, 'a refresh', 15_000);
  const second = tokens[1].access_token;
  assert.notEqual(second, first);
  assert.notEqual(tokens[1].refresh_token, tokens[0].refresh_token, 'the refresh token rotated');
  // Past the first token's expiry, the form is still there with what was typed.
  await page.waitForTimeout(2500);
  assert.equal(await name.inputValue(), 'Signed-in metric');

  allowWrites(sandbox);
  await page.getByRole('button', { name: 'Save metric' }).click();
  await page.getByRole('heading', { name: 'Signed-in metric', level: 1 }).waitFor();
  const sent = await recorder.settle();
  const create = sent.find((r) => r.method === 'POST' && /\/groups_types\/0\/metrics\/$/.test(new URL(r.url).pathname));
  assert.ok(create, 'the create was sent');
  const auth = create.headers.authorization;
  assert.ok(auth === `Bearer ${tokens.at(-1).access_token}` || auth === `Bearer ${second}`, 'sent with a refreshed token');
  assert.ok(!sent.some((r) => r.headers.authorization === `Bearer ${first}` && r.method === 'POST'), 'never with the expired one');
  const state = await oauthState();
  assert.ok(state.tokens.filter((t) => t.kind === 'refresh').length >= 2);
  assertClean();
});

test('sign out revokes the tokens: the next request with them is refused', async () => {
  let tokens;
  const { page, assertClean } = await openConnect((p) => { tokens = captureTokens(p); });
  await consent(page, 'Allow');
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.getByRole('heading', { name: 'Group types', level: 1 }).waitFor();
  const { access_token: access, refresh_token: refresh } = tokens[0];
  const before = await fetch(`${host}/api/projects/1/groups_types/`, { headers: { Authorization: `Bearer ${access}` } });
  assert.equal(before.status, 200);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connection' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor({ state: 'detached' });
  await eventually(async () => (await oauthState()).tokens.every((t) => !t.active), 'every token revoked');

  // Metrics answer an authentication failure with 401 (group types, as PostHog, with 403).
  const afterOut = await fetch(`${host}/api/projects/1/groups_types/0/metrics/`, { headers: { Authorization: `Bearer ${access}` } });
  assert.equal(afterOut.status, 401);
  assert.equal((await afterOut.json()).detail, 'Invalid access token.');
  const again = await fetch(`${host}/oauth/token/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh, client_id: `${sandbox.url}/oauth-client.json` }),
  });
  assert.equal(again.status, 400);
  assert.equal((await again.json()).error, 'invalid_grant');
  // Nothing of the sign-in is kept in the tab.
  const kept = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
  assert.ok(!kept.includes(access) && !kept.includes(refresh));
  assertClean();
});

test('Sign out in one tab ends the sign-in in the other tabs at once: they send nothing with it', async () => {
  const { page, assertClean } = await openConnect();
  await page.getByRole('checkbox', { name: 'Remember on this device' }).check();
  await consent(page, 'Allow');
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.getByRole('heading', { name: 'Group types', level: 1 }).waitFor();

  // A second tab takes the sign-in up from this device's storage.
  let recorder;
  const other = await openPage(browser.context, `${sandbox.url}/group-types?${new URLSearchParams({ host, project: '1' })}`, (p) => { recorder = recordRequests(p); });
  opened.push(other.page);
  await other.page.getByRole('cell', { name: 'organization' }).first().waitFor();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connection' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await other.page.getByText('The key was forgotten or replaced in another tab').waitFor();
  const before = (await recorder.settle()).length;
  await other.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Usage metrics' }).click();
  await other.page.getByText('Not connected.').waitFor();
  const after = (await recorder.settle()).slice(before);
  assert.ok(!after.some((r) => r.headers.authorization || r.url.includes('/oauth/token/')), `nothing keyed was sent: ${after.map((r) => r.url)}`);
  const kept = await other.page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
  assert.ok(!kept.includes('pha_') && !kept.includes('phr_'), 'no token is kept in either tab');
  other.assertClean();
  assertClean();
});

test('a sign-in revoked elsewhere ends with its message where the next read happened', async () => {
  let tokens;
  const { page, assertClean } = await openConnect((p) => { tokens = captureTokens(p); });
  await consent(page, 'Allow');
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.getByRole('heading', { name: 'Group types', level: 1 }).waitFor();
  // As "Sign out" in another browser would: the whole sign-in is revoked at the server.
  const revoked = await fetch(`${host}/oauth/revoke/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: tokens[0].refresh_token, token_type_hint: 'refresh_token', client_id: `${sandbox.url}/oauth-client.json` }),
  });
  assert.equal(revoked.status, 200);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Usage metrics' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Your sign-in has ended' });
  await alert.waitFor();
  assert.match(await alert.textContent(), /Sign in again on the Connection screen/);
  await assertAccessible(page, 'an ended sign-in');
  // One refused read, one refused refresh, and nothing after: the app stops sending.
  assertClean([statusLogged(401, host), statusLogged(400, `${host}/oauth/token/`)]);
});

test('a denied consent says so, with a way back to the form', async () => {
  const { page, assertClean } = await openConnect();
  await consent(page, 'Deny');
  await page.getByRole('button', { name: 'Deny' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Could not sign in' });
  await alert.waitFor();
  assert.match(await alert.textContent(), /access was not granted/);
  assert.ok(!page.url().includes('error='), 'the answer left the address');
  await assertAccessible(page, 'a denied sign-in');
  await alert.getByRole('link', { name: 'Back to the connection screen' }).click();
  await page.getByLabel('Project id').waitFor();
  assert.equal(await page.getByLabel('Project id').inputValue(), '1');
  assert.equal((await oauthState()).tokens.length, 0);
  assertClean();
});

test('a tampered state is refused before the code is used', async () => {
  const { page, assertClean } = await openConnect();
  // The consent page's answer (a redirect to the callback) comes back with another state.
  await page.route(`${host}/oauth/authorize/**`, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    const response = await route.fetch({ maxRedirects: 0 });
    const location = new URL(response.headers().location);
    location.searchParams.set('state', 'not-the-one-sent');
    await route.fulfill({ status: 302, headers: { location: location.href } });
  });
  await consent(page, 'Allow');
  await page.getByRole('button', { name: 'Allow' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Could not sign in' });
  await alert.waitFor();
  assert.match(await alert.textContent(), /does not match the sign-in this tab started/);
  await assertAccessible(page, 'a tampered sign-in');
  assert.equal((await oauthState()).tokens.length, 0, 'the code was never exchanged');
  assert.ok(!new URL(page.url()).search, 'the code left the address');
  assertClean();
});

test('a verifier the server does not match is refused with its message, and nothing is kept', async () => {
  const { page, assertClean } = await openConnect();
  // The code exchange leaves with another (well-formed) verifier than the one challenged.
  await page.route(`${host}/oauth/token/`, async (route) => {
    const form = new URLSearchParams(route.request().postData());
    form.set('code_verifier', 'x'.repeat(43));
    await route.continue({ postData: form.toString() });
  });
  await consent(page, 'Allow');
  await page.getByRole('button', { name: 'Allow' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Could not sign in' });
  await alert.waitFor();
  assert.match(await alert.textContent(), /the PKCE verifier did not match/);
  await alert.getByRole('link', { name: 'Back to the connection screen' }).waitFor();
  assert.ok((await oauthState()).tokens.every((t) => !t.active), 'no working token came of it');
  assertClean([statusLogged(400, `${host}/oauth/token/`)]);
});

test('a deployment may choose another redirect path, and only the hosts it lists offer sign-in', async () => {
  const other = await startSandboxWithConfig((url) => ({
    oauth: { client_id: `${url}/oauth-client.json`, redirect_path: 'signed-in/', hosts: [otherOrigin(url)] },
  }), OTHER_ORIGIN_ARGS);
  try {
    writeFileSync(join(other.dir, 'oauth-client.json'), JSON.stringify({
      client_id: `${other.url}/oauth-client.json`,
      client_name: 'Groups console (own path)',
      redirect_uris: [`${other.url}/signed-in`],
    }));
    const otherHost = otherOrigin(other.url);
    const opening = await openPage(browser.context, `${other.url}/?${new URLSearchParams({ host: otherHost, project: '1' })}`);
    opened.push(opening.page);
    const { page } = opening;
    const button = page.getByRole('button', { name: 'Sign in with PostHog' });
    await button.waitFor();
    // The local sandbox host (this server by its own name) is not in "hosts".
    await page.getByRole('radio', { name: /Local sandbox/ }).check();
    await button.waitFor({ state: 'detached' });
    await page.getByRole('radio', { name: /Self-hosted/ }).check();
    await button.click();
    await page.waitForURL((u) => u.href.startsWith(`${otherHost}/oauth/authorize/`));
    assert.equal(new URL(page.url()).searchParams.get('redirect_uri'), `${other.url}/signed-in`);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByRole('heading', { name: 'Group types', level: 1 }).waitFor();
    opening.assertClean();
  } finally {
    await other.stop();
  }
});

test('inside a portal frame the console offers no sign-in', async () => {
  const portal = await startStaticSandbox(PORTAL_DIR);
  try {
    const opening = await openPage(browser.context, `${portal.url}/portal.html?${new URLSearchParams({ app: sandbox.url })}`);
    opened.push(opening.page);
    const frame = opening.page.frameLocator('#gc');
    await frame.getByRole('button', { name: 'Connect' }).waitFor();
    assert.equal(await frame.getByRole('button', { name: 'Sign in with PostHog' }).count(), 0);
    opening.assertClean();
  } finally {
    await portal.stop();
  }
});
