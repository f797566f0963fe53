// Shared end-to-end harness: starts the sandbox (the real server) serving the release build,
// launches Debian's Chromium through playwright-core, and fails a test on any page error or
// console error. Elements are found by role and label, as a person or a screen reader would.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

const root = resolve(import.meta.dirname, '..', '..');

/** The demo key with every scope, from the sandbox's built-in seed. */
export const DEMO_KEY = 'phx_sandbox_demo_full_access';

/** Starts the sandbox binary on a free port, serving `dist/`; resolves with its URL. */
export async function startSandbox(extraArgs = []) {
  const bin = process.env.SANDBOX_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(root, 'target'), 'debug', 'sandbox');
  const dist = process.env.DIST_DIR ?? join(root, 'dist');
  const child = spawn(bin, ['--port', '0', '--static', dist, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((ok, fail) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/sandbox listening on (http:\/\/\S+)/);
      if (m) ok(m[1]);
    });
    child.on('exit', (code) => fail(new Error(`sandbox exited with ${code}: ${out}`)));
  });
  const sandbox = {
    url,
    /** Whether the running test asked for changes (see `allowWrites`). */
    writesAllowed: false,
    /**
     * Calls the sandbox's control API (`/_sandbox/...`). Clearing the request log first
     * checks it for writes nobody asked for (see `assertNoUnaskedWrites`).
     */
    async control(path, init) {
      let unasked;
      if (path === 'requests' && init?.method === 'DELETE') {
        unasked = await assertNoUnaskedWrites(sandbox).catch((e) => e);
      }
      const res = await fetch(`${url}/_sandbox/${path}`, init);
      // Reported after the log is cleared, so that only the test that sent them fails.
      if (unasked) throw unasked;
      if (!res.ok) throw new Error(`control ${path}: ${res.status}`);
      return res.status === 204 ? null : res.json();
    },
    async stop() {
      try {
        await assertNoUnaskedWrites(sandbox);
      } finally {
        live.delete(sandbox);
        child.kill('SIGTERM');
        await new Promise((ok) => child.once('exit', ok));
      }
    },
  };
  live.add(sandbox);
  return sandbox;
}

// ---- No write unless the user asked for one ----

/** Every sandbox started and not yet stopped. */
const live = new Set();

/**
 * Declares that the running test asks the app for a change (a save, a delete, an import):
 * until each sandbox running now is next reset (before the next test) or stopped, the app's
 * writes to it are expected. Every other test may not see the app send one.
 */
export function allowWrites() {
  for (const sandbox of live) sandbox.writesAllowed = true;
}

/** The contract's harmless rename probe: `update_metadata` with an empty list. */
export function isRenameProbe(r) {
  return r.method === 'PATCH' && /\/groups_types\/update_metadata\/?$/.test(r.path)
    && Array.isArray(r.body) && r.body.length === 0;
}

/**
 * The usage-metrics query (`POST query/` with `UsageMetricsQuery`): PostHog sends it as a POST
 * only because a query does not fit in a URL; it reads the metrics' values and changes
 * nothing, so it is no write (the app treats it as a read too).
 */
export function isValuesQuery(r) {
  return r.method === 'POST' && /^\/api\/projects\/[^/]+\/query\/?$/.test(r.path)
    && r.body?.query?.kind === 'UsageMetricsQuery';
}

/**
 * Fails when the sandbox's request log holds a request that could change data, sent by a
 * browser page (it carries an `Origin`; a test's own direct API calls carry none), in a test
 * that did not `allowWrites()`. The rename probe and the usage-metrics query are the
 * exceptions. Run whenever the log
 * is cleared (so before each test of a suite that resets its sandbox) and when a sandbox
 * stops, so it covers every suite.
 */
export async function assertNoUnaskedWrites(sandbox) {
  if (sandbox.writesAllowed) return;
  const res = await fetch(`${sandbox.url}/_sandbox/requests`);
  if (!res.ok) throw new Error(`control requests: ${res.status}`);
  const log = await res.json();
  const unasked = log.filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method)
    && r.origin != null && !isRenameProbe(r) && !isValuesQuery(r));
  if (unasked.length) {
    throw new Error(`the app sent requests that could change data in a test that asked for none (checked when the log was cleared or the sandbox stopped, so in or just before this point):\n${
      unasked.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.body)} → ${r.status}`).join('\n')}`);
  }
}

/** Launches headless Chromium with the flags this closed network needs. */
export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'gc-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return {
    context: browser,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens a page that records every page error and console error; `assertClean()` fails the
 * test if any happened. `allow` lists console texts a test expects (e.g. a refused fetch).
 */
export async function openPage(context, url, onPage = () => {}) {
  const page = await context.newPage();
  onPage(page);
  const problems = [];
  const console = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (msg) => {
    console.push(msg.text());
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()} (${msg.location().url})`);
  });
  await page.goto(url);
  return {
    page,
    console,
    assertClean(allow = []) {
      const left = problems.filter((p) => !allow.some((a) => p.includes(a)));
      if (left.length) throw new Error(`page reported errors:\n${left.join('\n')}`);
    },
  };
}

/** axe-core's tags for WCAG 2.2 level AA (2.0, 2.1 and 2.2, levels A and AA). */
export const WCAG22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

/**
 * Runs axe-core on the page with the WCAG 2.2 AA rules and axe's best practices, and fails on
 * any serious or critical violation. (keyboard.test.mjs runs the WCAG rules alone and fails on
 * any violation at all.)
 */
export async function assertAccessible(page, label) {
  const result = await new AxeBuilder({ page }).withTags([...WCAG22_AA, 'best-practice']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) {
    const text = bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    throw new Error(`axe found serious violations on ${label}:\n${text.join('\n')}`);
  }
}

/**
 * Opens the app in a new tab of `context`, connects with `options` (as `connect`), waits for
 * the group types, then loads `url` in that tab when given. `onPage` runs on the new page
 * before anything loads (to record its responses, say).
 */
export async function openConnectedAt(context, sandbox, url, options = {}, onPage = () => {}) {
  const opening = await openPage(context, sandbox.url, onPage);
  await connect(opening.page, options);
  await opening.page.getByRole('heading', { name: 'Group types', level: 1 }).waitFor();
  if (url) await opening.page.goto(url);
  return opening;
}

/** Fills the connection form and submits it. */
export async function connect(page, { host = 'sandbox', project = '1', key = DEMO_KEY, selfHosted } = {}) {
  const labels = { sandbox: /Local sandbox/, us: /US cloud/, eu: /EU cloud/, 'self-hosted': /Self-hosted/ };
  await page.getByRole('radio', { name: labels[host] }).check();
  if (selfHosted) await page.getByLabel('Self-hosted address').fill(selfHosted);
  await page.getByLabel('Project id').fill(project);
  await page.getByLabel('Personal API key').fill(key);
  await page.getByRole('button', { name: 'Connect' }).click();
}

/** Clears what the app kept in `origin`'s localStorage and sessionStorage in `context`. */
export async function clearStorage(context, origin) {
  const cleaner = await context.newPage();
  await cleaner.goto(`${origin}/config.json`);
  await cleaner.evaluate(() => { localStorage.clear(); sessionStorage.clear(); });
  await cleaner.close();
}

/** A loopback port nothing listens on: bound by the OS, then released. */
export async function closedPort() {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

// ---- Helpers added for connection.test.mjs and group-types.test.mjs ----

/**
 * Starts a sandbox serving a temporary copy of `dist/` with its own `config.json`.
 * `config` is the file's text, an object (written as JSON), or a function of the sandbox's
 * URL returning either (written after the start, before any page asks for it).
 */
export async function startSandboxWithConfig(config, extraArgs = []) {
  const { cpSync, writeFileSync } = await import('node:fs');
  const dist = process.env.DIST_DIR ?? join(root, 'dist');
  const dir = mkdtempSync(join(tmpdir(), 'gc-dist-'));
  cpSync(dist, dir, { recursive: true });
  const write = (value) => writeFileSync(
    join(dir, 'config.json'),
    typeof value === 'string' ? value : JSON.stringify(value),
  );
  if (typeof config !== 'function') write(config);
  const previous = process.env.DIST_DIR;
  process.env.DIST_DIR = dir;
  // startSandbox reads DIST_DIR before its first await.
  const started = startSandbox(extraArgs);
  if (previous === undefined) delete process.env.DIST_DIR;
  else process.env.DIST_DIR = previous;
  let sandbox;
  try {
    sandbox = await started;
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  if (typeof config === 'function') write(config(sandbox.url));
  return {
    ...sandbox,
    dir,
    async stop() {
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The sandbox's switches as the seed starts them. */
export const DEFAULT_SWITCHES = {
  cloud_update_metadata: false,
  latency_ms: 0,
  failure_rate: 0,
  failure_methods: null,
  rate_limit_per_minute: null,
  cors_allowed_origins: null,
  fail_write: null,
  current_key_route: true,
  oauth_access_seconds: 3600,
  oauth_refresh_seconds: 2592000,
};

/** Puts the seed back, resets every switch and clears the request log. */
export async function resetSandbox(sandbox) {
  await sandbox.control('reset', { method: 'POST' });
  await setSwitches(sandbox, DEFAULT_SWITCHES);
  await sandbox.control('requests', { method: 'DELETE' });
  // A new test starts here: its writes are unasked until it says otherwise.
  sandbox.writesAllowed = false;
}

/** Sets some of the sandbox's switches. */
export async function setSwitches(sandbox, switches) {
  return sandbox.control('switches', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(switches),
  });
}

/** One project of `/_sandbox/state`. */
export async function sandboxProject(sandbox, id) {
  const state = await sandbox.control('state');
  return state.projects.find((p) => p.id === id);
}

/** The summary's four optional picker lines for a key with every scope. */
export const PICKERS_YES = [
  'Pick events from the project\'s definitions: yes',
  'Pick event properties from the project\'s definitions: yes',
  'Pick actions by name: yes',
  'Pick data-warehouse tables and columns: yes',
];

/** The summary's four optional picker lines for a key with none of their scopes. */
export const PICKERS_OFF = [
  'Pick events from the project\'s definitions: off (optional) — typed names only; event_definition:read turns it on',
  'Pick event properties from the project\'s definitions: off (optional) — typed names only; property_definition:read turns it on',
  'Pick actions by name: off (optional) — typed names only; action:read turns it on',
  'Pick data-warehouse tables and columns: off (optional) — typed names only; warehouse_table:read turns it on',
];

/**
 * The lines of the "What this key can do" list, without the ✓/✕ marks (hidden from
 * assistive technology, so not part of what the line says). Opens the details first.
 */
export async function capabilityLines(page) {
  const details = page.locator('details', { has: page.locator('summary', { hasText: 'What this key can do' }) });
  await details.waitFor();
  if (!(await details.evaluate((d) => d.open))) await details.locator('summary').click();
  const list = page.getByRole('list', { name: 'What this key can do' });
  await list.waitFor();
  return list.getByRole('listitem').evaluateAll((items) => items.map((li) =>
    [...li.childNodes]
      .filter((n) => !(n.nodeType === 1 && n.getAttribute('aria-hidden') === 'true'))
      .map((n) => n.textContent)
      .join('')
      .trim()));
}

/**
 * Records every request the page makes with all its headers (Authorization included);
 * `settle()` waits until the headers of every recorded request are known.
 */
export function recordRequests(page) {
  const pending = [];
  const requests = [];
  page.on('request', (request) => {
    pending.push(
      request.allHeaders()
        .catch(() => request.headers())
        .then((headers) => requests.push({ url: request.url(), method: request.method(), headers, body: request.postData() })),
    );
  });
  return {
    requests,
    async settle() {
      await Promise.all(pending);
      return requests;
    },
  };
}

/** `console error: …` text Chromium logs for an answer with this status at this URL prefix. */
export function statusLogged(status, urlPrefix) {
  const reasons = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' };
  return `status of ${status} (${reasons[status]}) (${urlPrefix}`;
}

// ---- Helpers added for metrics.test.mjs and metrics-transfer.test.mjs ----

/** The app URL of the project's metrics list narrowed to those filed under `index` (`null`:
 *  every metric), at a page (the app's own link format). */
export function metricsUrl(sandbox, index, { project = 1, limit = 25, offset = 0 } = {}) {
  const narrowed = index === null ? '' : `&index=${index}`;
  return `${sandbox.url}/metrics?host=${encodeURIComponent(sandbox.url)}&project=${project}${narrowed}&limit=${limit}&offset=${offset}`;
}

/** The app URL of one metric's page (filed under `index`), or of its form with `edit`, or of
 *  the new-metric form with id `new`. */
export function metricUrl(sandbox, index, id, { project = 1, edit = false } = {}) {
  const query = `host=${encodeURIComponent(sandbox.url)}&project=${project}`;
  if (id === 'new') return `${sandbox.url}/metrics/new?${query}`;
  return `${sandbox.url}/metrics/${id}${edit ? '/edit' : ''}?${query}&index=${index}`;
}

/** The metrics the sandbox holds for a project's group type, in stored order. */
export async function sandboxMetrics(sandbox, project, index) {
  const p = await sandboxProject(sandbox, project);
  return p?.metrics?.[String(index)] ?? [];
}

/**
 * The sandbox's API request log, without what the app asks to learn what the key may do
 * (its record, the empty rename probe), which a load of the app in a new tab repeats.
 */
export async function apiRequests(sandbox) {
  const log = await sandbox.control('requests');
  return log.filter((r) => !(r.path.startsWith('/api/personal_api_keys/') || isRenameProbe(r)));
}

/** The metrics table of the list screen. */
export function metricTable(page) {
  return page.getByRole('table', { name: 'Usage metrics of this project' });
}

/** The names in the metrics table's row headers, top to bottom. */
export function rowNames(page) {
  return metricTable(page).locator('tbody th[scope=row]').allTextContents();
}

/** Calls the sandbox's PostHog API directly (as another user would), with the full-access demo key. */
export async function sandboxApi(sandbox, method, path, body, key = DEMO_KEY) {
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// ---- Helpers added for embed.test.mjs, csp.test.mjs and theme.test.mjs ----

/** The static pages of the portal tests (a parent page and a third-origin page). */
export const PORTAL_DIR = join(root, 'tests', 'e2e', 'portal');

/** Where tests write screenshots (gitignored); created on first use. */
export async function artifactsDir() {
  const { mkdirSync } = await import('node:fs');
  const dir = join(root, 'tests', 'e2e', 'artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Starts a sandbox serving `dir` instead of `dist/`: with PORTAL_DIR, a second (or third)
 * loopback origin for portal pages. Its API and control routes work as in any sandbox.
 */
export async function startStaticSandbox(dir, extraArgs = []) {
  const previous = process.env.DIST_DIR;
  process.env.DIST_DIR = dir;
  // startSandbox reads DIST_DIR before its first await.
  const started = startSandbox(extraArgs);
  if (previous === undefined) delete process.env.DIST_DIR;
  else process.env.DIST_DIR = previous;
  return started;
}

/** The CSP violation reports a sandbox received (`/_sandbox/csp-reports`), oldest first. */
export function cspReports(sandbox) {
  return sandbox.control('csp-reports');
}

/**
 * Fails if the sandbox received any CSP violation report. Browsers send reports
 * asynchronously, so it waits `settleMs` first.
 */
export async function assertNoCspReports(sandbox, settleMs = 500) {
  await new Promise((ok) => setTimeout(ok, settleMs));
  const reports = await cspReports(sandbox);
  if (reports.length) throw new Error(`CSP violations were reported:\n${JSON.stringify(reports, null, 2)}`);
}

/**
 * The `'sha256-…'` source of every inline `<script>` of an HTML text, as README
 * "Deploying to a static host" computes them.
 */
export async function inlineScriptHashes(html) {
  const { createHash } = await import('node:crypto');
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
    .map((m) => `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
}

/** The directives of a Content-Security-Policy header as { name: [sources…] }. */
export function parsePolicy(header) {
  return Object.fromEntries(header.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...sources] = d.split(/\s+/);
    return [name.toLowerCase(), sources];
  }));
}

/** Resolves once `predicate()` (async) is true; fails with `what` after `timeout` ms. */
export async function eventually(predicate, what, timeout = 10_000) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

/**
 * Registers the hooks a suite of browser tests shares: one sandbox (started with
 * `sandboxArgs`) and one browser for the file, the sandbox reset before each test, pages in
 * `suite.opened` closed after each, and `atEnd(sandbox)` checked once all tests ran.
 * `ready(suite)` is called with the handles once they exist.
 */
export function browserSuite({ before, after, beforeEach, afterEach }, { sandboxArgs = [], atEnd = async () => {}, ready = () => {} } = {}) {
  const suite = { sandbox: undefined, browser: undefined, opened: [] };
  before(async () => {
    suite.sandbox = await startSandbox(sandboxArgs);
    suite.browser = await launchBrowser();
    ready(suite);
  });
  after(async () => {
    try {
      if (suite.sandbox) await atEnd(suite.sandbox);
    } finally {
      await suite.browser?.close();
      await suite.sandbox?.stop();
    }
  });
  beforeEach(async () => {
    await resetSandbox(suite.sandbox);
  });
  afterEach(async () => {
    await assertNoUnaskedWrites(suite.sandbox);
    while (suite.opened.length) {
      const page = suite.opened.pop();
      if (!page.isClosed()) await page.close();
    }
  });
  return suite;
}

/**
 * A browser suite under the strict policy a static host sends (README "Deploying to a static
 * host", `--csp --csp-report`): any violation is a console error in the test that caused it,
 * and the file fails at the end if the browser reported one to the sandbox.
 */
export function strictSuite(hooks, ready = () => {}) {
  return browserSuite(hooks, { sandboxArgs: ['--csp', '--csp-report'], atEnd: assertNoCspReports, ready });
}
