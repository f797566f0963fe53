// Benchmark of the release build. Users put the app on their own static host and the API is
// PostHog's, another origin, so every keyed request pays a CORS preflight (shared/DESIGN.md,
// "Where it runs"). Two sandboxes therefore run side by side: one serves the build and the
// plain-DOM baseline (the "app origin"), the other only the API (the "API origin").
//
// Figures, each against the baseline where there is one:
//   1. transfer sizes of the build, and what the static host actually sent (encoding, bytes);
//   2. same origin (the API on the app's own server): cold load of the group types table;
//   3. same origin: render of a 100-metric page after its response;
//   4. cross origin: cold load of the group types table and of a 100-metric page, without
//      and with an emulated link (DevTools network emulation);
//   5. API requests, and CORS preflights, per cold view and per flow, in both deployments;
//   6. memory across navigations (same origin).
// Prints a table and writes bench/results/latest.json.
//
//   node bench/bench.mjs [--dist DIR] [--stats-dist DIR] [--runs N] [--navs N] [--out FILE]
//
// Needs a release build (DIR, default dist/) and target/debug/sandbox; `bench/run` makes both.
// Exit status: 0 when every figure was measured (an OVER budget is reported, not a failure),
// 1 when some figure could not be measured (the reason is printed and kept in the JSON).

import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import {
  cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gzipSync, brotliCompressSync, constants as zlib } from 'node:zlib';
import { startPreflightDelay } from './preflight-delay.mjs';

const root = resolve(import.meta.dirname, '..');
const benchDir = join(root, 'bench');

// ---- Options ----

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1]) return process.argv[i + 1];
  return process.env[`BENCH_${name.toUpperCase()}`] ?? fallback;
}
const DIST = resolve(option('dist', join(root, 'dist')));
const RUNS = Math.max(10, Number(option('runs', 15)));
const NAVS = Math.max(2, Number(option('navs', 200)));
const OUT = resolve(option('out', join(benchDir, 'results', 'latest.json')));
// A build with the `alloc-stats` feature (a counting allocator): its live heap says what the
// app still holds, where wasm linear memory only says how high it ever went.
const STATS_DIST = option('stats-dist', null);
const SANDBOX_BIN = process.env.SANDBOX_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(root, 'target'), 'debug', 'sandbox');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const DEMO_KEY = 'phx_sandbox_demo_full_access';
const METRICS_TARGET = 100;

// The emulated link of the cross-origin figures. CDP wants bytes per second; 1 Mbit = 10^6 bit.
// The emulation leaves CORS preflights alone: bench/preflight-delay.mjs gives them the latency.
const LINK = { offline: false, latency: 40, downloadThroughput: 20e6 / 8, uploadThroughput: 5e6 / 8 };
const LINK_TEXT = '40 ms latency, 20 Mbit/s down, 5 Mbit/s up';

// Issue 29 set the first view (300 kB) and the two loads over the emulated link (group types
// 2.0×, a 100-row metrics deep link 2.5×); the loopback figures keep their earlier budgets.
const BUDGETS = {
  gzipTotalBytes: 300_000, // 300 kB for the first view's files, 1 kB = 1000 B (stretch 250)
  loadRatio: 3, // same origin, cold load to group types
  renderRatio: 2,
  memoryGrowthPct: 10,
  crossGroupTypesRatio: 1.8,
  crossGroupTypesLinkRatio: 2.0,
  crossMetricsRatio: 2.0,
  crossMetricsLinkRatio: 2.5,
};

// The cross-origin cold loads.
const CROSS_LOADS = [
  { key: 'groupTypes', view: 'group-types', link: false, budget: BUDGETS.crossGroupTypesRatio },
  { key: 'groupTypesLink', view: 'group-types', link: true, budget: BUDGETS.crossGroupTypesLinkRatio },
  { key: 'metrics', view: 'metrics', link: false, budget: BUDGETS.crossMetricsRatio },
  { key: 'metricsLink', view: 'metrics', link: true, budget: BUDGETS.crossMetricsLinkRatio },
];

const GT_CAPTION = 'Group types of this project';
// The project's one metrics list (since issue 26); the baseline's table has the same caption.
const M_CAPTION = 'Usage metrics of this project';

// playwright-core from the e2e suite's node_modules: no install of its own.
let chromium;
try {
  ({ chromium } = createRequire(join(root, 'tests', 'e2e', 'package.json'))('playwright-core'));
} catch (e) {
  console.error(`bench: cannot load playwright-core from tests/e2e/node_modules (${e.message}); run scripts/setup first.`);
  process.exit(1);
}

// ---- Small helpers ----

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const round = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10 ** d) / 10 ** d);

function stats(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  // Linear interpolation between the closest ranks; q(0.5) is the usual median.
  const q = (p) => {
    const i = (v.length - 1) * p;
    const lo = Math.floor(i);
    return v[lo] + (v[Math.ceil(i)] - v[lo]) * (i - lo);
  };
  return {
    n: v.length, median: round(q(0.5), 2), p25: round(q(0.25), 2), p75: round(q(0.75), 2), min: round(v[0], 2), max: round(v.at(-1), 2),
  };
}

const kb = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
const verdict = (ok) => (ok === null || ok === undefined ? '—' : ok ? 'met' : 'OVER');

function header(headers, name) {
  const hit = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === name);
  return hit ? hit[1] : null;
}

const errors = [];
function recordError(section, e) {
  const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
  errors.push({ section, message });
  console.error(`bench: ${section} could not be measured: ${message}`);
  return { error: message };
}

function progress(text) {
  process.stderr.write(`bench: ${text}\n`);
}

/** Resolves once `state()` has returned the same value for `quietMs` (or after `maxMs`). */
async function untilQuiet(state, { quietMs = 500, maxMs = 8000 } = {}) {
  const deadline = Date.now() + maxMs;
  let last;
  let since = Date.now();
  while (Date.now() < deadline) {
    const now = await state();
    if (now !== last) { last = now; since = Date.now(); } else if (Date.now() - since >= quietMs) return;
    await sleep(100);
  }
}

// ---- Sandboxes ----

const sandboxChildren = [];
const tempDirs = [];
const proxies = [];
let browser = null;

async function startSandbox(args) {
  const child = spawn(SANDBOX_BIN, ['--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  sandboxChildren.push(child);
  let err = '';
  child.stderr.on('data', (c) => { err += c; });
  const url = await new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error('sandbox did not print its URL within 10 s')), 10_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/sandbox listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    child.on('error', (e) => { clearTimeout(timer); fail(e); });
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`sandbox exited with ${code}: ${out}${err}`)); });
  });
  const control = async (path, init) => {
    const res = await fetch(`${url}/_sandbox/${path}`, init);
    if (!res.ok) throw new Error(`sandbox control ${path}: HTTP ${res.status}`);
    return res.status === 204 ? null : res.json();
  };
  return { url, control };
}

async function cleanup() {
  try { await browser?.close(); } catch { /* already gone */ }
  browser = null;
  for (const child of sandboxChildren.splice(0)) {
    if (child.exitCode !== null) continue;
    child.kill('SIGTERM');
    await new Promise((ok) => { child.once('exit', ok); setTimeout(ok, 3000); });
  }
  for (const proxy of proxies.splice(0)) await proxy.close();
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { cleanup().finally(() => process.exit(130)); });
}

/** Makes sure group type 0 of project 1 has at least 100 metrics (the demo has 61). */
async function ensureMetrics(sandbox) {
  const path = '/api/projects/1/groups_types/0/metrics/';
  const auth = { Authorization: `Bearer ${DEMO_KEY}` };
  const page = await (await fetch(`${sandbox.url}${path}?limit=1&offset=0`, { headers: auth })).json();
  let created = 0;
  for (let n = 1; page.count + created < METRICS_TARGET; n++) {
    const res = await fetch(`${sandbox.url}${path}`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `Bench ${n}`, filters: {} }),
    });
    if (res.status !== 201) throw new Error(`creating metric "Bench ${n}": HTTP ${res.status} ${await res.text()}`);
    created += 1;
  }
  return { seeded: page.count, created, total: page.count + created };
}

// ---- 1. Transfer sizes ----

/** A wasm chunk split off by scripts/split.mjs (split_<name>-<hash>.wasm, chunk_<n>-<hash>.wasm). */
const isChunk = (file) => /(^|\/)(split|chunk)_[^/]*\.wasm$/.test(file);

function measureSizes(dir) {
  const files = readdirSync(dir)
    .filter((f) => /\.(wasm|js|css)$/.test(f) && statSync(join(dir, f)).isFile())
    .sort((a, b) => ['wasm', 'js', 'css'].indexOf(a.split('.').pop()) - ['wasm', 'js', 'css'].indexOf(b.split('.').pop()));
  if (!files.some((f) => f.endsWith('.wasm'))) throw new Error(`no .wasm in ${dir}`);
  const rows = files.map((file) => {
    const data = readFileSync(join(dir, file));
    return {
      file,
      kind: file.split('.').pop(),
      raw: data.length,
      gzip: gzipSync(data, { level: 9 }).length,
      brotli: brotliCompressSync(data, {
        params: {
          [zlib.BROTLI_PARAM_QUALITY]: 11,
          [zlib.BROTLI_PARAM_SIZE_HINT]: data.length,
          [zlib.BROTLI_PARAM_MODE]: file.endsWith('.wasm') ? zlib.BROTLI_MODE_GENERIC : zlib.BROTLI_MODE_TEXT,
        },
      }).length,
    };
  });
  for (const r of rows) r.later = isChunk(r.file);
  const sum = (list) => list.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  // The first view is what a cold load of the group types page fetches: everything but the
  // chunks, which are fetched when a metric screen is first needed (or preloaded after).
  const total = sum(rows.filter((r) => !r.later));
  const later = sum(rows.filter((r) => r.later));
  return { files: rows, total, later, budgetGzipBytes: BUDGETS.gzipTotalBytes, pass: total.gzip <= BUDGETS.gzipTotalBytes };
}

// ---- Browser ----

async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--enable-precise-memory-info', '--js-flags=--expose-gc',
    ],
  });
}

/**
 * Runs in every document of a measuring context before its scripts: stores the key as the app
 * would have after a connect (unless `host` is null), records when each table first has rows
 * (and how often its body is replaced), and keeps a handle on the wasm exports Trunk announces.
 */
function initScript({ host, key, gtCaption, mCaption, mTarget }) {
  if (host !== null) {
    try { sessionStorage.setItem('groups-console.key', JSON.stringify({ host, key })); } catch { /* about:blank */ }
  }
  const marks = {
    gt: null, gtRows: 0,
    mFirst: null, mFirstRows: 0, mFull: null, mFullRows: 0, mLastFull: null, mBodies: 0,
  };
  window.__bench = marks;
  let lastBody = null;
  const check = () => {
    const now = performance.now();
    for (const t of document.getElementsByTagName('table')) {
      const caption = t.caption ? t.caption.textContent.trim() : '';
      const body = t.tBodies[0];
      const rows = body ? body.rows.length : 0;
      if (!rows) continue;
      if (caption === gtCaption && marks.gt === null) { marks.gt = now; marks.gtRows = rows; }
      if (caption === mCaption) {
        if (marks.mFirst === null) { marks.mFirst = now; marks.mFirstRows = rows; }
        if (rows >= mTarget) {
          if (marks.mFull === null) { marks.mFull = now; marks.mFullRows = rows; }
          if (body !== lastBody) { lastBody = body; marks.mBodies += 1; marks.mLastFull = now; }
        }
      }
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
  addEventListener('TrunkApplicationStarted', (e) => { window.__benchWasm = e.detail && e.detail.wasm; });
}

/**
 * Records what Chromium's network stack sends for one page, from DevTools protocol events.
 * Unlike playwright's request events these include the CORS preflights (type "Preflight"),
 * which the browser sends on its own and the sandbox answers before its request log.
 */
function recordNetwork(cdp) {
  const seen = new Map();
  let events = 0;
  const at = (id) => {
    if (!seen.has(id)) seen.set(id, { id });
    return seen.get(id);
  };
  const on = (name, fn) => cdp.on(`Network.${name}`, (e) => { events += 1; fn(e); });
  on('requestWillBeSent', (e) => {
    const url = new URL(e.request.url);
    Object.assign(at(e.requestId), {
      origin: url.origin,
      path: url.pathname,
      query: url.search.slice(1) || null,
      method: e.request.method,
      type: e.type ?? null,
      // A preflight is announced with initiator type "preflight"; its answer has type "Preflight".
      preflight: e.initiator?.type === 'preflight',
      // What a preflight asks permission for.
      forMethod: header(e.request.headers, 'access-control-request-method'),
    });
  });
  // Accept-Encoding is added by the network stack, so only the "extra info" shows it.
  on('requestWillBeSentExtraInfo', (e) => { at(e.requestId).acceptEncoding = header(e.headers, 'accept-encoding'); });
  on('responseReceived', (e) => {
    const r = at(e.requestId);
    if (e.type === 'Preflight') r.preflight = true;
    Object.assign(r, {
      status: e.response.status,
      contentEncoding: header(e.response.headers, 'content-encoding'),
    });
  });
  on('dataReceived', (e) => {
    const r = at(e.requestId);
    r.bodyBytes = (r.bodyBytes ?? 0) + e.dataLength;
  });
  on('loadingFinished', (e) => { at(e.requestId).wireBytes = e.encodedDataLength; });
  on('loadingFailed', (e) => { at(e.requestId).failed = e.errorText; });
  return {
    get events() { return events; },
    /** Every request seen since the last call, in the order they were sent. */
    take() {
      const all = [...seen.values()].filter((r) => r.method);
      seen.clear();
      return all;
    },
  };
}

/**
 * A fresh browser context (empty HTTP cache, preflight cache and storage) with the marks of
 * `initScript`. `link` turns on DevTools network emulation; `record` records the network.
 */
async function measuringContext(dep, { mTarget = METRICS_TARGET, withKey = true, link = false, record = false } = {}) {
  const context = await browser.newContext();
  await context.addInitScript(initScript, {
    host: withKey ? dep.api.url : null, key: DEMO_KEY, gtCaption: GT_CAPTION, mCaption: M_CAPTION, mTarget,
  });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  let network = null;
  if (link || record) {
    const cdp = await context.newCDPSession(page);
    // Emulation works without the Network domain's events; only recording needs them.
    if (record) {
      network = recordNetwork(cdp);
      await cdp.send('Network.enable');
    }
    if (link) await cdp.send('Network.emulateNetworkConditions', LINK);
  }
  return { context, page, problems, network };
}

const marks = (page) => page.evaluate(() => ({ ...window.__bench }));

const tableRows = (page, caption) => page.waitForFunction((c) => [...document.getElementsByTagName('table')]
  .some((t) => t.caption && t.caption.textContent.trim() === c && t.tBodies[0] && t.tBodies[0].rows.length > 0), caption, { timeout: 15_000 });

const mainLink = (page, name) => page.locator('nav[aria-label="Main"] a').filter({ hasText: new RegExp(`^${name}$`) });

// ---- 2.–4. Cold loads, app against baseline ----

/** The app's deep link and the baseline page for a view; the API is `dep.api`. */
function pageUrls(dep, view) {
  const q = `host=${encodeURIComponent(dep.api.url)}&project=1`;
  const range = `limit=${METRICS_TARGET}&offset=0`;
  return view === 'group-types'
    ? { app: `${dep.site.url}/group-types?${q}`, baseline: `${dep.site.url}/baseline.html?view=group-types&${q}` }
    // The app's list narrowed to index 0 shows the rows the baseline shows (the app also reads
    // the project's other indexes, as its list does; the baseline reads index 0 only).
    : { app: `${dep.site.url}/metrics?${q}&index=0&${range}`, baseline: `${dep.site.url}/baseline.html?view=metrics&index=0&${q}&${range}` };
}

/**
 * One cold load in a fresh context: navigation start → the view's table has its rows. For the
 * metrics view also the render time after the list's response (resource timing, which gives
 * responseEnd for cross-origin fetches too).
 */
async function coldLoad(dep, url, view, link) {
  const { context, page, problems } = await measuringContext(dep, { link });
  const mark = view === 'group-types' ? 'gt' : 'mFull';
  try {
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForFunction((k) => window.__bench && window.__bench[k] !== null, mark, { timeout: 30_000, polling: 50 })
      .catch(async () => { throw new Error(`no ${view} rows within 30 s at ${url} ${problems.join('; ')} ${await page.evaluate(() => window.__baselineError ?? '')}`); });
    if (link) {
      // DevTools emulation holds each response body for the latency: check it applied.
      const wait = await page.evaluate(() => {
        const n = performance.getEntriesByType('navigation')[0];
        return n.responseEnd - n.requestStart;
      });
      if (wait < LINK.latency * 0.9) throw new Error(`network emulation did not apply (document answered in ${round(wait)} ms)`);
    }
    if (view === 'group-types') {
      const m = await marks(page);
      return { ms: m.gt, rows: m.gtRows };
    }
    // Let late work (more requests, a re-render when they answer) land before reading.
    await sleep(600);
    const m = await marks(page);
    // When the app's screen started building (its mark, src/pages/lazy.rs): with early reads
    // the list can answer before the wasm and the screen's chunk have arrived, and "render
    // after the response" then starts there, not at the response. The baseline has no mark.
    const built = await page.evaluate(() => performance.getEntriesByName('groups-console:screen-build')
      .map((e) => e.startTime).filter((t) => t <= window.__bench.mFull).at(-1) ?? 0);
    const timing = await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((e) => /\/groups_types\/0\/metrics\/?\?/.test(e.name))
      .map((e) => ({ name: e.name, responseEnd: e.responseEnd })));
    const list = timing.filter((e) => {
      const q = new URL(e.name).searchParams;
      return q.get('limit') === String(METRICS_TARGET) && q.get('offset') === '0' && e.responseEnd <= m.mFull;
    });
    if (!list.length) throw new Error(`no limit=${METRICS_TARGET}&offset=0 metrics response before the rows at ${url}`);
    const response = list.at(-1);
    return {
      ms: m.mFull,
      rows: m.mFullRows,
      // From when the page had both the answer and the screen's code (the baseline's code is
      // there from the start): the render itself, not the wasm's download and start.
      renderMs: m.mFull - Math.max(response.responseEnd, built),
      bodies: m.mBodies,
      lastFullMs: m.mLastFull - Math.max(response.responseEnd, built),
    };
  } finally {
    await context.close();
  }
}

/** App against baseline, alternating, after one warm-up of each; medians and spread. */
async function compareLoads(dep, view, link = false) {
  const urls = pageUrls(dep, view);
  const what = view === 'group-types' ? 'the group types table' : `a ${METRICS_TARGET}-row metrics page`;
  progress(`${dep.label}${link ? ', emulated link' : ''}: cold loads of ${what}, 1 warm-up + ${RUNS} runs each, app and baseline alternating`);
  await coldLoad(dep, urls.app, view, link);
  await coldLoad(dep, urls.baseline, view, link);
  const app = [];
  const base = [];
  for (let i = 0; i < RUNS; i++) {
    // ABBA order, so neither page always runs right after the other.
    const order = i % 2 ? [[urls.baseline, base], [urls.app, app]] : [[urls.app, app], [urls.baseline, base]];
    for (const [url, into] of order) into.push(await coldLoad(dep, url, view, link));
  }
  const rows = new Set([...app, ...base].map((r) => r.rows));
  if (rows.size !== 1) throw new Error(`app and baseline showed different row counts: ${[...rows]}`);
  const compare = (key) => {
    const a = stats(app.map((r) => r[key]));
    const b = stats(base.map((r) => r[key]));
    return {
      app: a,
      baseline: b,
      ratio: round(a.median / b.median, 2),
      pairedRatio: stats(app.map((r, i) => r[key] / base[i][key])),
      samplesApp: app.map((r) => round(r[key], 1)),
      samplesBaseline: base.map((r) => round(r[key], 1)),
    };
  };
  const figure = {
    what: `navigation start → ${what} has rows (cold context, deep link, key in sessionStorage)`,
    urls,
    api: dep.api.url,
    link: link ? LINK_TEXT : 'none',
    rows: [...rows][0],
    ...compare('ms'),
  };
  if (view === 'metrics') {
    figure.render = {
      what: `the later of the metrics list's response end (resource timing) and the app's screen-build mark → ${METRICS_TARGET} rows in the DOM`,
      ...compare('renderMs'),
      appTableBodiesBuilt: stats(app.map((r) => r.bodies)),
      appResponseToLastRebuild: stats(app.map((r) => r.lastFullMs)),
    };
  }
  return figure;
}

const withBudget = (figure, budget) => ({ ...figure, budgetRatio: budget, pass: budget === null ? null : figure.ratio <= budget });

// ---- 5. API requests and preflights ----

/**
 * Waits until neither the API's request log nor the page's network events change (500 ms
 * quiet, 8 s at most), so late requests count for the step that caused them; returns both.
 */
async function settle(dep, network) {
  await untilQuiet(async () => `${(await dep.api.control('requests')).length} ${network.events}`);
  return { log: await dep.api.control('requests'), net: network.take() };
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * What one step sent. API requests are counted where they arrive, in the API sandbox's log, by
 * method, whatever their paths; preflights from the browser's network events, since the sandbox
 * answers them before its log (an OPTIONS that does reach the log is counted apart).
 */
/** `PATCH …/update_metadata/` with an empty list: the contract's harmless rename probe. */
function isRenameProbe(r) {
  return r.method === 'PATCH' && /\/update_metadata\/?$/.test(r.path) && Array.isArray(r.body) && r.body.length === 0;
}

function countStep(step, { log, net }, dep) {
  const requests = log.filter((r) => r.method !== 'OPTIONS');
  const preflights = net.filter((r) => r.preflight);
  const methods = {};
  for (const r of requests) methods[r.method] = (methods[r.method] ?? 0) + 1;
  const wireBytesByOrigin = {};
  for (const r of net) wireBytesByOrigin[r.origin] = (wireBytesByOrigin[r.origin] ?? 0) + (r.wireBytes ?? 0);
  const crossOrigin = dep.api !== dep.site;
  return {
    step,
    requests: requests.length,
    methods,
    // The contract's rename probe (`update_metadata` with `[]`) is PATCH-shaped but changes
    // nothing by the contract: counted apart, so the two are never confused.
    couldChangeData: requests.filter((r) => !READ_METHODS.has(r.method) && !isRenameProbe(r)).length,
    renameProbes: requests.filter(isRenameProbe).length,
    preflights: preflights.length,
    optionsInSandboxLog: log.length - requests.length,
    // A cross-check of the two counts: what the browser sent to the API's origin.
    browserRequestsToApi: crossOrigin ? net.filter((r) => !r.preflight && r.origin === dep.api.url).length : null,
    wireBytesByOrigin,
    log: requests.map((r) => ({
      method: r.method,
      path: r.path,
      query: r.query,
      status: r.status,
      // What a write sent, so a reader can tell a harmless one (e.g. an empty list) from a change.
      ...(READ_METHODS.has(r.method) ? {} : { body: r.body }),
      ...('origin' in r ? { origin: r.origin } : {}),
    })),
    preflightLog: preflights.map((r) => ({ path: r.path, query: r.query, for: r.forMethod, status: r.status ?? null })),
  };
}

/**
 * The flows a user goes through, from the start page: connect, open the metrics list, page
 * forward, open a metric, save it. Returns the counts and the URLs the app showed.
 */
async function measureFlows(dep) {
  progress(`${dep.label}: API requests and preflights per flow`);
  const { context, page, problems, network } = await measuringContext(dep, { withKey: false, record: true });
  const steps = [];
  const step = async (name, action) => {
    await settle(dep, network);
    await dep.api.control('requests', { method: 'DELETE' });
    await action();
    steps.push(countStep(name, await settle(dep, network), dep));
  };
  try {
    await step('connect (start page, fill the form, "Connect", until the group types table)', async () => {
      await page.goto(`${dep.site.url}/`);
      if (dep.api === dep.site) {
        await page.getByRole('radio', { name: /Local sandbox/ }).check();
      } else {
        await page.getByRole('radio', { name: /Self-hosted/ }).check();
        await page.getByLabel('Self-hosted address').fill(dep.api.url);
      }
      await page.getByLabel('Project id').fill('1');
      await page.getByLabel('Personal API key').fill(DEMO_KEY);
      await page.getByRole('button', { name: 'Connect' }).click();
      await tableRows(page, GT_CAPTION);
    });
    const views = { groupTypes: page.url() };
    await step('open metrics (header link "Usage metrics")', async () => {
      await mainLink(page, 'Usage metrics').click();
      await tableRows(page, M_CAPTION);
    });
    views.metrics = page.url();
    await step('next page (click "Next")', async () => {
      const pager = page.getByRole('navigation', { name: 'Pages' });
      const before = await pager.locator('p.range').innerText();
      await pager.getByRole('link', { name: 'Next' }).click();
      await page.waitForFunction((b) => {
        const r = document.querySelector('nav[aria-label="Pages"] p.range');
        return r && r.textContent.trim() !== b;
      }, before, { timeout: 15_000 });
      await tableRows(page, M_CAPTION);
    });
    let metricName;
    await step('open a metric (click its name)', async () => {
      const link = page.locator('table.metrics tbody th[scope=row] a').first();
      metricName = (await link.innerText()).trim();
      await link.click();
      await page.getByRole('heading', { level: 1, name: metricName, exact: true }).waitFor({ timeout: 15_000 });
    });
    // Open the edit form (not counted), then count the save alone.
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    const nameField = page.getByLabel('Name', { exact: true });
    await nameField.waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Save metric' }).waitFor();
    const newName = `${metricName} (bench ${dep.label})`;
    await step('save (edit the name, "Save metric")', async () => {
      await nameField.fill(newName);
      await page.getByRole('button', { name: 'Save metric' }).click();
      await page.waitForURL((u) => !u.pathname.endsWith('/edit'), { timeout: 15_000 });
      await page.getByRole('heading', { level: 1, name: newName, exact: true }).waitFor({ timeout: 15_000 });
    });
    views.metric = { url: page.url(), name: newName };
    return { steps, views, pageErrors: problems };
  } finally {
    await context.close();
  }
}

/** Static files of the app's origin as the browser received them (encoding, bytes). */
function staticTransfer(net, origin) {
  const files = net.filter((r) => r.origin === origin && !r.preflight).map((r) => ({
    path: r.path,
    type: r.type,
    status: r.status ?? null,
    acceptEncoding: r.acceptEncoding ?? null,
    contentEncoding: r.contentEncoding ?? null,
    wireBytes: r.wireBytes ?? null,
    bodyBytes: r.bodyBytes ?? null,
  }));
  const first = files.filter((f) => !isChunk(f.path));
  const later = files.filter((f) => isChunk(f.path));
  return {
    what: 'static files of a cold load of the group types page (cross origin, no emulation), from DevTools network events; wire bytes include headers; chunks (preloaded once the list is shown) counted apart',
    files,
    compressed: files.some((f) => f.contentEncoding),
    wireBytes: first.reduce((t, f) => t + (f.wireBytes ?? 0), 0),
    bodyBytes: first.reduce((t, f) => t + (f.bodyBytes ?? 0), 0),
    laterWireBytes: later.reduce((t, f) => t + (f.wireBytes ?? 0), 0),
  };
}

/**
 * Each view opened cold (a new browser context: empty HTTP and preflight caches, the key in
 * sessionStorage as a returning user in the same tab has it), then reloaded in that tab (the
 * preflight cache kept, as Chromium keeps it for the page's profile).
 */
async function measureViews(dep, views) {
  progress(`${dep.label}: API requests and preflights per cold view and reload`);
  const list = [
    ['group types', views.groupTypes, (page) => tableRows(page, GT_CAPTION)],
    ['metrics page', views.metrics, (page) => tableRows(page, M_CAPTION)],
    ["one metric's page", views.metric.url,
      (page) => page.getByRole('heading', { level: 1, name: views.metric.name, exact: true }).waitFor({ timeout: 15_000 })],
  ];
  const out = { views: [], assets: null };
  for (const [name, url, ready] of list) {
    const { context, page, problems, network } = await measuringContext(dep, { record: true });
    try {
      await dep.api.control('requests', { method: 'DELETE' });
      await page.goto(url);
      await ready(page);
      const cold = await settle(dep, network);
      if (name === 'group types' && dep.api !== dep.site) out.assets = staticTransfer(cold.net, dep.site.url);
      await dep.api.control('requests', { method: 'DELETE' });
      await page.reload();
      await ready(page);
      const reload = await settle(dep, network);
      out.views.push({
        view: name, url, cold: countStep(`cold: ${name}`, cold, dep), reload: countStep(`reload: ${name}`, reload, dep), pageErrors: problems,
      });
    } finally {
      await context.close();
    }
  }
  return out;
}

async function measureRequests(dep) {
  const crossOrigin = dep.api !== dep.site;
  if (crossOrigin) await dep.site.control('requests', { method: 'DELETE' });
  const flows = await measureFlows(dep);
  const { views, assets } = await measureViews(dep, flows.views);
  const result = { deployment: dep.label, app: dep.site.url, api: dep.api.url, flows: flows.steps, views, assets, pageErrors: flows.pageErrors };
  if (crossOrigin) {
    // Any API request on the app's own origin would mean the deployment is not what it claims.
    result.apiRequestsToAppOrigin = (await dep.site.control('requests')).length;
    if (result.apiRequestsToAppOrigin) throw new Error(`${result.apiRequestsToAppOrigin} API requests reached the app's own origin`);
  }
  return result;
}

// ---- 6. Memory across navigations ----

async function measureMemory(dep) {
  progress(`memory: load, then ${NAVS} navigations between "Group types" and "Usage metrics"`);
  const q = `host=${encodeURIComponent(dep.api.url)}&project=1`;
  // No metrics mark here (the observer would keep one table body alive).
  const { context, page, problems } = await measuringContext(dep, { mTarget: 1e9 });
  const cdp = await context.newCDPSession(page);
  const hasGc = () => page.evaluate(() => typeof window.gc === 'function');
  const sample = async (navigations) => {
    await page.evaluate(async () => {
      if (typeof window.gc !== 'function') return;
      for (let i = 0; i < 3; i++) { window.gc(); await new Promise((ok) => setTimeout(ok, 20)); }
    });
    const inPage = await page.evaluate(() => {
      const w = window.__benchWasm;
      const memory = w && w.memory instanceof WebAssembly.Memory ? w.memory : null;
      return {
        jsHeapUsed: performance.memory ? performance.memory.usedJSHeapSize : null,
        jsHeapTotal: performance.memory ? performance.memory.totalJSHeapSize : null,
        wasmMemory: memory ? memory.buffer.byteLength : null,
        liveHeap: w && typeof w.live_heap_bytes === 'function' ? w.live_heap_bytes() : null,
        domNodesInDocument: document.getElementsByTagName('*').length,
      };
    });
    const dom = await cdp.send('Memory.getDOMCounters').catch(() => null);
    return { navigations, ...inPage, domNodes: dom?.nodes ?? null, jsEventListeners: dom?.jsEventListeners ?? null };
  };
  const onlyTable = (want) => page.waitForFunction(([w, captions]) => {
    let has = false;
    for (const t of document.getElementsByTagName('table')) {
      const c = t.caption ? t.caption.textContent.trim() : '';
      if (c === w && t.tBodies[0] && t.tBodies[0].rows.length > 0) has = true;
      else if (captions.includes(c)) return false;
    }
    return has;
  }, [want, [GT_CAPTION, M_CAPTION]], { timeout: 15_000, polling: 'raf' });
  try {
    await page.goto(`${dep.site.url}/group-types?${q}`);
    await onlyTable(GT_CAPTION);
    await untilQuiet(async () => (await dep.api.control('requests')).length, { maxMs: 5000 });
    const gc = await hasGc();
    const samples = [await sample(0)];
    const at = new Set([2, Math.round(NAVS / 4), Math.round(NAVS / 2), Math.round((3 * NAVS) / 4), NAVS]);
    let navigating = 0;
    for (let i = 1; i <= NAVS; i++) {
      const t = performance.now();
      if (i % 2) {
        await mainLink(page, 'Usage metrics').click();
        await onlyTable(M_CAPTION);
      } else {
        await mainLink(page, 'Group types').click();
        await onlyTable(GT_CAPTION);
      }
      navigating += performance.now() - t;
      if (at.has(i)) {
        samples.push(await sample(i));
        progress(`  memory after ${i} navigations`);
      }
    }
    const elapsed = navigating;
    const first = samples[0];
    const last = samples.at(-1);
    const growth = (a, b) => (a && b !== null ? round(((b - a) / a) * 100, 1) : null);
    const jsGrowth = growth(first.jsHeapUsed, last.jsHeapUsed);
    // After one round trip every view and code path has been used once: growth from there on
    // is what repeated use adds.
    const warm = samples.find((s) => s.navigations === 2) ?? first;
    const steady = {
      from: warm.navigations,
      jsHeapGrowthPct: growth(warm.jsHeapUsed, last.jsHeapUsed),
      wasmMemoryGrowthPct: growth(warm.wasmMemory, last.wasmMemory),
      jsHeapBytesPerNavigation: round((last.jsHeapUsed - warm.jsHeapUsed) / (NAVS - warm.navigations), 0),
      wasmBytesPerNavigation: warm.wasmMemory === null ? null : round((last.wasmMemory - warm.wasmMemory) / (NAVS - warm.navigations), 0),
      liveHeapGrowthPct: warm.liveHeap === null ? null : growth(warm.liveHeap, last.liveHeap),
      liveHeapBytesPerNavigation: warm.liveHeap === null ? null : round((last.liveHeap - warm.liveHeap) / (NAVS - warm.navigations), 0),
    };
    const wasmGrowth = growth(first.wasmMemory, last.wasmMemory);
    const notes = [];
    if (!gc) notes.push('window.gc was not exposed: heap figures include garbage');
    if (first.wasmMemory === null) notes.push('wasm linear memory was not reachable (no TrunkApplicationStarted detail): JS heap only');
    if (first.jsHeapUsed === null) throw new Error('performance.memory is not available');
    return {
      what: `after load vs after ${NAVS} navigations (header links, each waiting for its table), after window.gc(); ${dep.label}`,
      gcExposed: gc,
      navigations: NAVS,
      meanNavigationMs: round(elapsed / NAVS, 1),
      samples,
      jsHeapGrowthPct: jsGrowth,
      wasmMemoryGrowthPct: wasmGrowth,
      domNodesGrowthPct: growth(first.domNodes, last.domNodes),
      afterFirstRoundTrip: steady,
      budgetGrowthPct: BUDGETS.memoryGrowthPct,
      passJsHeap: jsGrowth <= BUDGETS.memoryGrowthPct,
      passWasm: wasmGrowth === null ? null : wasmGrowth <= BUDGETS.memoryGrowthPct,
      pageErrors: problems,
      notes,
    };
  } finally {
    await context.close();
  }
}

// ---- Report ----

function table(rows) {
  const widths = [];
  for (const r of rows) if (Array.isArray(r)) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, String(c).length); });
  return rows.map((r) => (Array.isArray(r)
    ? r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ')
    : r)).join('\n');
}

const ms = (s) => (s
  ? `${s.median.toFixed(1)} ms (p25–p75 ${s.p25.toFixed(1)}–${s.p75.toFixed(1)}, min–max ${s.min.toFixed(1)}–${s.max.toFixed(1)}, n=${s.n})`
  : 'n/a');
const mb = (b) => (b === null || b === undefined ? 'n/a' : `${(b / 1048576).toFixed(2)} MiB`);
const times = (x) => `${x.toFixed(2)}×`;
const budgetText = (b) => (b === null ? 'none set' : times(b));

/** The lines of one app-against-baseline figure. */
function comparison(out, f, { budget, key = null }) {
  const c = key ? f[key] : f;
  out.push(`  app       ${ms(c.app)}`);
  out.push(`  baseline  ${ms(c.baseline)}`);
  out.push(`  ratio app/baseline ${times(c.ratio)} vs budget ${budgetText(budget)}: ${verdict(budget === null ? null : c.ratio <= budget)}`
    + `  (run-by-run ratios: median ${times(c.pairedRatio.median)}, p25–p75 ${c.pairedRatio.p25.toFixed(2)}–${c.pairedRatio.p75.toFixed(2)})`);
}

const methodText = (m) => Object.entries(m).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
const countCell = (s) => {
  const notes = [];
  if (s.renameProbes) notes.push(`${s.renameProbes} rename probe []`);
  if (s.couldChangeData) notes.push(`${s.couldChangeData} could change data`);
  return `${s.requests}${notes.length ? ` (${notes.join('; ')})` : ''}`;
};

function report(r) {
  const out = [];
  const h = (t) => out.push('', t, '-'.repeat(t.length));
  out.push(`groups-console benchmark — ${r.meta.date}`);
  out.push(`build: ${r.meta.dist}  commit ${r.meta.commit}${r.meta.dirty ? ' (+ uncommitted changes)' : ''}`);
  out.push(`machine: ${r.meta.cpus} CPUs, load average ${r.meta.loadBefore.join(' ')} at start, ${r.meta.loadAfter?.join(' ') ?? '?'} at end; ${r.meta.chromium}`);
  out.push(`app origin ${r.meta.appOrigin} (static build + baseline); API origin ${r.meta.apiOrigin} (a second sandbox, no static files)`);

  h('1. Transfer size (wasm + JS + CSS in the build)');
  if (r.sizes.error) out.push(`NOT MEASURED: ${r.sizes.error}`);
  else {
    const rows = [['file', 'raw', 'gzip -9', 'brotli q11']];
    for (const f of r.sizes.files) rows.push([f.later ? `${f.file} (later)` : f.file, kb(f.raw), kb(f.gzip), kb(f.brotli)]);
    rows.push(['first view', kb(r.sizes.total.raw), kb(r.sizes.total.gzip), kb(r.sizes.total.brotli)]);
    rows.push(['chunks loaded later', kb(r.sizes.later.raw), kb(r.sizes.later.gzip), kb(r.sizes.later.brotli)]);
    out.push(table(rows));
    out.push(`first view gzip ${kb(r.sizes.total.gzip)} vs budget ${kb(BUDGETS.gzipTotalBytes)} (1 kB = 1000 B): ${verdict(r.sizes.pass)}`);
  }
  const assets = r.requests?.crossOrigin?.assets;
  if (assets) {
    out.push('', 'as the app\'s host sent them (cold load of the group types page, cross origin, no emulation):');
    const rows = [['path', 'type', 'status', 'Content-Encoding', 'on the wire', 'body']];
    for (const f of assets.files) rows.push([f.path, f.type ?? '?', f.status ?? '?', f.contentEncoding ?? 'none', f.wireBytes === null ? '?' : kb(f.wireBytes), f.bodyBytes === null ? '?' : kb(f.bodyBytes)]);
    rows.push(['first view', '', '', '', kb(assets.wireBytes), kb(assets.bodyBytes)]);
    if (assets.laterWireBytes) rows.push(['chunks, preloaded after the list', '', '', '', kb(assets.laterWireBytes), '']);
    out.push(table(rows));
    const accept = assets.files.find((f) => f.acceptEncoding)?.acceptEncoding ?? 'unknown';
    out.push(`served compressed: ${assets.compressed ? 'yes' : 'NO'} (the browser sent Accept-Encoding: ${accept})`);
  }

  h('2. Same origin, cold load: navigation start → group types table with server rows');
  if (r.load.error) out.push(`NOT MEASURED: ${r.load.error}`);
  else comparison(out, r.load, { budget: BUDGETS.loadRatio });

  h(`3. Same origin, render: metrics response end → ${METRICS_TARGET} rows in the DOM`);
  if (r.render.error) out.push(`NOT MEASURED: ${r.render.error}`);
  else {
    out.push(`metrics on group type 0: ${r.render.metrics.total} (${r.render.metrics.seeded} in the demo + ${r.render.metrics.created} "Bench N" created through the API)`);
    comparison(out, r.render, { budget: BUDGETS.renderRatio });
    out.push(`  (navigation → rows: app ${ms(r.render.appNavigationToRows)}, baseline ${ms(r.render.baselineNavigationToRows)};`);
    out.push(`   the app built the ${METRICS_TARGET}-row table body ${r.render.appTableBodiesBuilt.median}× per load (median), the last one ${r.render.appResponseToLastRebuild.median.toFixed(1)} ms after the response)`);
  }

  h('4. Cross origin (as deployed): app and baseline on the app origin, every keyed request to the API origin');
  out.push(`emulated link: Network.emulateNetworkConditions ${LINK_TEXT} (latency ${LINK.latency} ms, ${LINK.downloadThroughput} / ${LINK.uploadThroughput} B/s);`);
  out.push(`it does not delay CORS preflights, so there the API is reached through bench/preflight-delay.mjs, which holds each OPTIONS ${LINK.latency} ms`);
  for (const spec of CROSS_LOADS) {
    const f = r.crossOrigin.loads[spec.key];
    const name = `${spec.view === 'group-types' ? 'cold load to the group types table' : `cold load to a ${METRICS_TARGET}-row metrics page`}, ${spec.link ? 'emulated link' : 'no emulation'}`;
    out.push('', name);
    if (f.error) { out.push(`  NOT MEASURED: ${f.error}`); continue; }
    comparison(out, f, { budget: spec.budget });
    if (spec.link) out.push(`  preflights held ${LINK.latency} ms by the proxy: ${f.preflightsDelayed} in ${2 * RUNS + 2} loads (app and baseline, warm-ups included)`);
    if (f.render) out.push(`  render after the response (context only; the budgeted figure is section 3): app ${f.render.app.median.toFixed(1)} ms, baseline ${f.render.baseline.median.toFixed(1)} ms, ${times(f.render.ratio)}`);
  }

  h('5. API requests and CORS preflights per cold view and per flow');
  out.push('requests: what the API sandbox logged, by method (any path); "could change data": methods other than GET/HEAD/OPTIONS, except the contract\'s rename probe (PATCH update_metadata with [], which changes nothing), counted apart.');
  out.push('preflights: OPTIONS requests in Chromium\'s DevTools network events (initiator "preflight"); the sandbox answers them before its log.');
  out.push('cold = new browser context (no HTTP or preflight cache), key in sessionStorage; reload = the same tab reloaded (preflight cache kept).');
  const same = r.requests.sameOrigin;
  const cross = r.requests.crossOrigin;
  const steps = (d) => (d && !d.error ? [...d.views.flatMap((v) => [v.cold, v.reload]), ...d.flows] : null);
  const sameSteps = steps(same);
  const crossSteps = steps(cross);
  if (!sameSteps && !crossSteps) out.push(`NOT MEASURED: ${same.error}; ${cross.error}`);
  else {
    const rows = [['view / flow', 'same origin: requests', 'preflights', 'cross origin: requests', 'preflights', 'by method (cross)']];
    const names = (crossSteps ?? sameSteps).map((s) => s.step);
    names.forEach((name, i) => {
      const s = sameSteps?.[i];
      const c = crossSteps?.[i];
      rows.push([name.replace(/ \(.*$/, ''), s ? countCell(s) : 'n/a', s ? s.preflights : 'n/a', c ? countCell(c) : 'n/a', c ? c.preflights : 'n/a', c ? methodText(c.methods) : '']);
    });
    out.push(table(rows));
    for (const d of [same, cross]) if (d.error) out.push(`${d === same ? 'same' : 'cross'} origin NOT MEASURED: ${d.error}`);
    if (crossSteps) {
      out.push('', 'cross origin, each request and preflight:');
      for (const s of crossSteps) {
        out.push(`  ${s.step}:`);
        for (const q of s.log) {
          const body = 'body' in q ? `  body ${JSON.stringify(q.body).slice(0, 80)}` : '';
          out.push(`    ${q.method.padEnd(7)} ${q.path}${q.query ? `?${q.query}` : ''}${body}  → ${q.status}`);
        }
        for (const p of s.preflightLog) out.push(`    OPTIONS ${p.path}${p.query ? `?${p.query}` : ''}  → ${p.status ?? '?'}  (preflight for ${p.for ?? '?'})`);
        if (s.browserRequestsToApi !== s.requests) out.push(`    note: the browser sent ${s.browserRequestsToApi} requests to the API origin, the sandbox logged ${s.requests}`);
        if (s.optionsInSandboxLog) out.push(`    note: the sandbox logged ${s.optionsInSandboxLog} OPTIONS itself`);
      }
      out.push(`API requests that reached the app's own origin during these: ${cross.apiRequestsToAppOrigin}`);
      const logged = crossSteps.flatMap((s) => s.log);
      if (logged.some((q) => 'origin' in q)) {
        const origins = {};
        for (const q of logged) origins[q.origin ?? 'none'] = (origins[q.origin ?? 'none'] ?? 0) + 1;
        out.push(`Origin header of the API requests (sandbox log): ${Object.entries(origins).map(([o, n]) => `${o} × ${n}`).join(', ')}`);
      }
      const errs = [...cross.pageErrors, ...cross.views.flatMap((v) => v.pageErrors)];
      if (errs.length) out.push(`page errors: ${errs.join('; ')}`);
    }
  }

  h(`6. Memory: after load vs after ${NAVS} navigations (same origin)`);
  if (r.memory.error) out.push(`NOT MEASURED: ${r.memory.error}`);
  else {
    const rows = [['navigations', 'JS heap used', 'JS heap total', 'wasm memory', 'DOM nodes', 'listeners']];
    for (const s of r.memory.samples) rows.push([s.navigations, mb(s.jsHeapUsed), mb(s.jsHeapTotal), mb(s.wasmMemory), s.domNodes ?? 'n/a', s.jsEventListeners ?? 'n/a']);
    out.push(table(rows));
    out.push(`JS heap growth ${r.memory.jsHeapGrowthPct}% vs budget ${BUDGETS.memoryGrowthPct}%: ${verdict(r.memory.passJsHeap)}`);
    if (r.memory.wasmMemoryGrowthPct !== null) out.push(`wasm linear memory growth ${r.memory.wasmMemoryGrowthPct}% vs budget ${BUDGETS.memoryGrowthPct}%: ${verdict(r.memory.passWasm)} (linear memory never shrinks: this is the high-water mark)`);
    const st = r.memory.afterFirstRoundTrip;
    out.push(`(from ${st.from} navigations, every view used once, to ${NAVS}: JS heap +${st.jsHeapGrowthPct}% (${(st.jsHeapBytesPerNavigation / 1024).toFixed(1)} KiB/navigation)`
      + (st.wasmMemoryGrowthPct === null ? ')' : `, wasm memory +${st.wasmMemoryGrowthPct}% (${(st.wasmBytesPerNavigation / 1024).toFixed(1)} KiB/navigation))`));
    out.push(`mean time per navigation ${r.memory.meanNavigationMs} ms; gc ${r.memory.gcExposed ? 'forced (window.gc) before each sample' : 'NOT exposed'}`);
    for (const n of r.memory.notes) out.push(`note: ${n}`);
    if (r.memory.pageErrors.length) out.push(`page errors: ${r.memory.pageErrors.join('; ')}`);
  }
  if (r.liveHeap) {
    if (r.liveHeap.error) out.push(`live heap NOT MEASURED: ${r.liveHeap.error}`);
    else {
      const samples = r.liveHeap.samples.map((x) => `${x.navigations}: ${x.liveHeap === null ? 'n/a' : `${(x.liveHeap / 1024).toFixed(0)} KiB`}`);
      const st = r.liveHeap.afterFirstRoundTrip;
      out.push(`live wasm heap (same app built with the alloc-stats feature) — ${samples.join(', ')}`);
      out.push(`  from ${st.from} to ${NAVS} navigations: +${st.liveHeapGrowthPct}% (${st.liveHeapBytesPerNavigation} B/navigation), what the app still holds`);
    }
  }

  h('Summary');
  const sum = [['figure', 'value', 'budget', 'verdict']];
  const ratioRow = (name, f, budget) => sum.push([name, `${times(f.ratio)} (${f.app.median.toFixed(1)} / ${f.baseline.median.toFixed(1)} ms)`, budgetText(budget), verdict(budget === null ? null : f.ratio <= budget)]);
  if (!r.sizes.error) sum.push(['first view gzip (wasm+js+css)', kb(r.sizes.total.gzip), kb(BUDGETS.gzipTotalBytes), verdict(r.sizes.pass)]);
  if (!r.sizes.error) sum.push(['chunks loaded later, gzip', kb(r.sizes.later.gzip), '—', '']);
  if (assets) sum.push(['first view on the wire (cold load)', `${kb(assets.wireBytes)}, ${assets.compressed ? 'compressed' : 'not compressed'}`, '—', '']);
  if (!r.load.error) ratioRow('same origin: cold load group types, app/baseline', r.load, BUDGETS.loadRatio);
  if (!r.render.error) ratioRow(`same origin: render ${METRICS_TARGET} rows after the response`, r.render, BUDGETS.renderRatio);
  for (const spec of CROSS_LOADS) {
    const f = r.crossOrigin.loads[spec.key];
    if (!f.error) ratioRow(`cross origin: cold load ${spec.view === 'group-types' ? 'group types' : `${METRICS_TARGET}-row metrics`}${spec.link ? ', emulated link' : ''}`, f, spec.budget);
  }
  if (crossSteps) {
    for (const s of crossSteps) sum.push([`cross origin requests + preflights: ${s.step.replace(/ \(.*$/, '')}`, `${countCell(s)} + ${s.preflights}`, '—', '']);
  }
  if (!r.memory.error) {
    sum.push([`JS heap growth (${NAVS} navs)`, `${r.memory.jsHeapGrowthPct}%`, `${BUDGETS.memoryGrowthPct}%`, verdict(r.memory.passJsHeap)]);
    if (r.memory.wasmMemoryGrowthPct !== null) sum.push([`wasm memory growth (${NAVS} navs)`, `${r.memory.wasmMemoryGrowthPct}%`, `${BUDGETS.memoryGrowthPct}%`, verdict(r.memory.passWasm)]);
  }
  out.push(table(sum));
  if (r.errors.length) {
    out.push('', 'NOT MEASURED:');
    for (const e of r.errors) out.push(`  ${e.section}: ${e.message}`);
  }
  out.push('', `bench time ${r.meta.seconds} s; JSON: ${r.meta.out}`);
  return out.join('\n');
}

// ---- Main ----

function git(args) {
  try { return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return null; }
}

/** A private copy of a build: others may rebuild dist/ meanwhile. */
function copyBuild(dist) {
  const dir = mkdtempSync(join(tmpdir(), 'gc-bench-'));
  tempDirs.push(dir);
  cpSync(dist, dir, { recursive: true, filter: (src) => !src.split('/').pop().startsWith('.') });
  return dir;
}

/** Puts the baseline page beside the app, with the app's stylesheet, so both wait for it. */
function addBaseline(dir) {
  const css = readdirSync(dir).find((f) => f.endsWith('.css'));
  const html = readFileSync(join(benchDir, 'baseline.html'), 'utf8')
    .replace(/<!-- bench:css[^>]*-->/, css ? `<link rel="stylesheet" href="./${css}" />` : '');
  writeFileSync(join(dir, 'baseline.html'), html);
  cpSync(join(benchDir, 'baseline.js'), join(dir, 'baseline.js'));
}

async function main() {
  const t0 = performance.now();
  const result = {
    meta: {
      date: new Date().toISOString(),
      dist: DIST,
      commit: git(['rev-parse', '--short', 'HEAD']),
      dirty: Boolean(git(['status', '--porcelain', '--', 'src', 'crates', 'style', 'index.html', 'Cargo.toml', 'Cargo.lock'])),
      cpus: cpus().length,
      loadBefore: loadavg().map((x) => round(x, 2)),
      runs: RUNS,
      navigations: NAVS,
      budgets: BUDGETS,
      link: { ...LINK, text: LINK_TEXT },
      out: OUT,
    },
    errors,
  };
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`no build in ${DIST} (index.html missing); run bench/run`);
  if (!existsSync(SANDBOX_BIN)) throw new Error(`no sandbox binary at ${SANDBOX_BIN}; run cargo build -p sandbox`);

  const dir = copyBuild(DIST);
  progress('transfer sizes (brotli q11 takes a few seconds)');
  try { result.sizes = measureSizes(dir); } catch (e) { result.sizes = recordError('sizes', e); }
  addBaseline(dir);

  // The app's origin also has an API, used by the same-origin figures only.
  // No policy on the app: its API is on another origin here (a deployment lists it in
  // connect-src; the figures are the same either way).
  const site = await startSandbox(['--no-csp', '--static', dir]);
  const api = await startSandbox([]);
  const sameOrigin = { label: 'same origin', site, api: site };
  const crossOrigin = { label: 'cross origin', site, api };
  result.meta.appOrigin = site.url;
  result.meta.apiOrigin = api.url;
  const seeding = await ensureMetrics(site);
  await ensureMetrics(api);
  browser = await launch();
  result.meta.chromium = `Chromium ${browser.version()}`;

  try { result.load = withBudget(await compareLoads(sameOrigin, 'group-types'), BUDGETS.loadRatio); } catch (e) { result.load = recordError('same-origin cold load', e); }
  try {
    const c = await compareLoads(sameOrigin, 'metrics');
    result.render = withBudget({
      ...c.render,
      what: `${c.render.what} (same origin, cold context, deep link)`,
      metrics: seeding,
      rows: c.rows,
      appNavigationToRows: c.app,
      baselineNavigationToRows: c.baseline,
    }, BUDGETS.renderRatio);
  } catch (e) { result.render = recordError('same-origin render', e); }

  // Under the emulated link the API is reached through the proxy that delays preflights.
  const proxy = await startPreflightDelay(api.url, LINK.latency);
  proxies.push(proxy);
  const crossOriginLink = { label: 'cross origin', site, api: { url: proxy.url, control: api.control } };
  result.crossOrigin = { app: site.url, api: api.url, apiUnderEmulatedLink: proxy.url, loads: {} };
  for (const spec of CROSS_LOADS) {
    try {
      const held = proxy.delayed;
      const figure = await compareLoads(spec.link ? crossOriginLink : crossOrigin, spec.view, spec.link);
      if (spec.link) {
        figure.preflightsDelayed = proxy.delayed - held;
        if (!figure.preflightsDelayed) throw new Error('no preflight went through bench/preflight-delay.mjs');
      }
      result.crossOrigin.loads[spec.key] = withBudget(figure, spec.budget);
    } catch (e) { result.crossOrigin.loads[spec.key] = recordError(`cross-origin ${spec.key}`, e); }
  }

  result.requests = { method: 'API requests from the API sandbox\'s request log (GET /_sandbox/requests), by method; preflights from Chromium DevTools Network events (initiator type "preflight")' };
  for (const [key, dep] of [['sameOrigin', sameOrigin], ['crossOrigin', crossOrigin]]) {
    try { result.requests[key] = await measureRequests(dep); } catch (e) { result.requests[key] = recordError(`${dep.label} requests`, e); }
  }

  try {
    await site.control('reset', { method: 'POST' });
    result.memory = await measureMemory(sameOrigin);
  } catch (e) { result.memory = recordError('memory', e); }
  if (STATS_DIST) {
    try {
      if (!existsSync(join(STATS_DIST, 'index.html'))) throw new Error(`no build in ${STATS_DIST}`);
      const statsSite = await startSandbox(['--no-csp', '--static', copyBuild(STATS_DIST)]);
      result.liveHeap = await measureMemory({ label: 'same origin, alloc-stats build', site: statsSite, api: statsSite });
    } catch (e) { result.liveHeap = recordError('live heap', e); }
  }

  await cleanup();
  result.meta.loadAfter = loadavg().map((x) => round(x, 2));
  result.meta.seconds = round((performance.now() - t0) / 1000, 1);
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  console.log(report(result));
  return errors.length ? 1 : 0;
}

main()
  .then((code) => { process.exitCode = code; })
  .catch(async (e) => {
    console.error(`bench: failed: ${e.stack ?? e}`);
    await cleanup();
    process.exitCode = 1;
  });
