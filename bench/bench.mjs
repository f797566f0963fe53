// Benchmark of the release build: transfer sizes, cold load of the group types table, render
// time of a 100-metric page (each against a plain-DOM baseline), API requests per main flow,
// and memory across 200 navigations. Prints a table and writes bench/results/latest.json.
//
//   node bench/bench.mjs [--dist DIR] [--runs N] [--navs N] [--out FILE]
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
const SANDBOX_BIN = process.env.SANDBOX_BIN ?? join(root, 'target', 'debug', 'sandbox');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const DEMO_KEY = 'phx_sandbox_demo_full_access';
const METRICS_TARGET = 100;

const BUDGETS = {
  gzipTotalBytes: 250_000, // 250 kB, 1 kB = 1000 B
  loadRatio: 3,
  renderRatio: 2,
  memoryGrowthPct: 10,
};

const GT_CAPTION = 'Group types of this project';
const M_CAPTION = 'Usage metrics of this group type';

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
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { n: v.length, median: round(median, 2), min: round(v[0], 2), max: round(v.at(-1), 2) };
}

const kb = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
const verdict = (ok) => (ok ? 'PASS' : 'OVER');

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

// ---- Sandbox (own instance, serving a temporary copy of the build plus the baseline) ----

const sandboxChildren = [];
let tempDir = null;
let browser = null;

async function startSandbox(staticDir) {
  const child = spawn(SANDBOX_BIN, ['--port', '0', '--static', staticDir], { stdio: ['ignore', 'pipe', 'pipe'] });
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
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  tempDir = null;
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { cleanup().finally(() => process.exit(130)); });
}

// ---- 1. Transfer sizes ----

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
  const total = rows.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  return { files: rows, total, budgetGzipBytes: BUDGETS.gzipTotalBytes, pass: total.gzip <= BUDGETS.gzipTotalBytes };
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
 * would have after a connect, records when each table first has rows (and how often its body
 * is replaced), and keeps a handle on the wasm exports Trunk announces.
 */
function initScript({ host, key, gtCaption, mCaption, mTarget }) {
  try { sessionStorage.setItem('groups-console.key', JSON.stringify({ host, key })); } catch { /* about:blank */ }
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

async function measuringContext(sandbox, { mTarget = METRICS_TARGET } = {}) {
  const context = await browser.newContext();
  await context.addInitScript(initScript, { host: sandbox.url, key: DEMO_KEY, gtCaption: GT_CAPTION, mCaption: M_CAPTION, mTarget });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { context, page, problems };
}

const marks = (page) => page.evaluate(() => ({ ...window.__bench }));

// ---- 2. Cold load of the group types table ----

async function coldGroupTypes(sandbox, url) {
  const { context, page, problems } = await measuringContext(sandbox);
  try {
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForFunction(() => window.__bench && window.__bench.gt !== null, null, { timeout: 20_000, polling: 50 })
      .catch(async () => { throw new Error(`no group types rows within 20 s at ${url} ${problems.join('; ')} ${await page.evaluate(() => window.__baselineError ?? '')}`); });
    const m = await marks(page);
    return { ms: m.gt, rows: m.gtRows };
  } finally {
    await context.close();
  }
}

async function measureLoad(sandbox) {
  const q = `host=${encodeURIComponent(sandbox.url)}&project=1`;
  const appUrl = `${sandbox.url}/group-types?${q}`;
  const baseUrl = `${sandbox.url}/baseline.html?view=group-types&${q}`;
  progress(`cold loads of the group types table: 1 warm-up + ${RUNS} runs each, app and baseline interleaved`);
  await coldGroupTypes(sandbox, appUrl);
  await coldGroupTypes(sandbox, baseUrl);
  const app = [];
  const base = [];
  for (let i = 0; i < RUNS; i++) {
    // ABBA order, so neither page always runs right after the other.
    const order = i % 2 ? [[baseUrl, base], [appUrl, app]] : [[appUrl, app], [baseUrl, base]];
    for (const [url, into] of order) into.push(await coldGroupTypes(sandbox, url));
  }
  const rows = new Set([...app, ...base].map((r) => r.rows));
  if (rows.size !== 1) throw new Error(`app and baseline showed different row counts: ${[...rows]}`);
  const a = stats(app.map((r) => r.ms));
  const b = stats(base.map((r) => r.ms));
  const ratio = round(a.median / b.median, 2);
  const paired = stats(app.map((r, i) => r.ms / base[i].ms));
  return {
    what: 'navigation start → group types table has rows (cold context, deep link, key in sessionStorage)',
    rows: [...rows][0], app: a, baseline: b, samplesApp: app.map((r) => round(r.ms, 1)), samplesBaseline: base.map((r) => round(r.ms, 1)),
    ratio, pairedRatio: paired, budgetRatio: BUDGETS.loadRatio, pass: ratio <= BUDGETS.loadRatio,
  };
}

// ---- 3. Render time of 100 metrics after the response ----

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

async function coldMetrics(sandbox, url) {
  const { context, page, problems } = await measuringContext(sandbox);
  try {
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForFunction(() => window.__bench && window.__bench.mFull !== null, null, { timeout: 20_000, polling: 50 })
      .catch(async () => { throw new Error(`no ${METRICS_TARGET} metric rows within 20 s at ${url} ${problems.join('; ')} ${await page.evaluate(() => window.__baselineError ?? '')}`); });
    // Let late work (capability probes, a re-render when they answer) land before reading.
    await sleep(600);
    const m = await marks(page);
    const timing = await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((e) => /\/groups_types\/0\/metrics\/?\?/.test(e.name))
      .map((e) => ({ name: e.name, fetchStart: e.fetchStart, responseEnd: e.responseEnd })));
    const list = timing.filter((e) => {
      const q = new URL(e.name).searchParams;
      return q.get('limit') === String(METRICS_TARGET) && q.get('offset') === '0' && e.responseEnd <= m.mFull;
    });
    if (!list.length) throw new Error(`no limit=${METRICS_TARGET}&offset=0 metrics response before the rows at ${url}`);
    const response = list.at(-1);
    return {
      renderMs: m.mFull - response.responseEnd,
      responseEnd: response.responseEnd,
      rowsAt: m.mFull,
      rows: m.mFullRows,
      bodies: m.mBodies,
      lastFullMs: m.mLastFull - response.responseEnd,
    };
  } finally {
    await context.close();
  }
}

async function measureRender(sandbox) {
  const seeding = await ensureMetrics(sandbox);
  const q = `host=${encodeURIComponent(sandbox.url)}&project=1`;
  const appUrl = `${sandbox.url}/group-types/0/metrics?${q}&limit=${METRICS_TARGET}&offset=0`;
  const baseUrl = `${sandbox.url}/baseline.html?view=metrics&index=0&${q}&limit=${METRICS_TARGET}&offset=0`;
  progress(`render of ${METRICS_TARGET} metrics: 1 warm-up + ${RUNS} runs each (demo had ${seeding.seeded}, created ${seeding.created})`);
  await coldMetrics(sandbox, appUrl);
  await coldMetrics(sandbox, baseUrl);
  const app = [];
  const base = [];
  for (let i = 0; i < RUNS; i++) {
    const order = i % 2 ? [[baseUrl, base], [appUrl, app]] : [[appUrl, app], [baseUrl, base]];
    for (const [url, into] of order) into.push(await coldMetrics(sandbox, url));
  }
  const a = stats(app.map((r) => r.renderMs));
  const b = stats(base.map((r) => r.renderMs));
  const ratio = round(a.median / b.median, 2);
  const paired = stats(app.map((r, i) => r.renderMs / base[i].renderMs));
  return {
    what: `metrics list response end (resource timing) → ${METRICS_TARGET} rows in the DOM (cold context, deep link)`,
    metrics: seeding,
    rows: app[0].rows,
    app: a,
    baseline: b,
    appNavigationToRows: stats(app.map((r) => r.rowsAt)),
    baselineNavigationToRows: stats(base.map((r) => r.rowsAt)),
    appTableBodiesBuilt: stats(app.map((r) => r.bodies)),
    appResponseToLastRebuild: stats(app.map((r) => r.lastFullMs)),
    samplesApp: app.map((r) => round(r.renderMs, 1)),
    samplesBaseline: base.map((r) => round(r.renderMs, 1)),
    ratio, pairedRatio: paired, budgetRatio: BUDGETS.renderRatio, pass: ratio <= BUDGETS.renderRatio,
  };
}

// ---- 4. API requests per flow ----

/** The capability probes a full load sends (see tests/e2e/harness.mjs apiRequests). */
function isProbe(r) {
  return r.path.includes('/metrics/00000000-0000-0000-0000-000000000000')
    || (r.method === 'GET' && /\/groups_types\/0\/metrics\/?$/.test(r.path) && r.query === 'limit=1&offset=0')
    || /\/groups_types\/99\/?$/.test(r.path)
    || (r.path.endsWith('/update_metadata/') && Array.isArray(r.body) && r.body.length === 0);
}

/** Waits until the sandbox's request log stops growing (500 ms quiet, 5 s at most). */
async function quietLog(sandbox) {
  let last = -1;
  let stableSince = Date.now();
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const n = (await sandbox.control('requests')).length;
    if (n !== last) { last = n; stableSince = Date.now(); }
    if (Date.now() - stableSince >= 500) break;
    await sleep(100);
  }
  return sandbox.control('requests');
}

async function measureFlows(sandbox) {
  progress('API requests per flow');
  const q = `host=${encodeURIComponent(sandbox.url)}&project=1`;
  const { context, page, problems } = await measuringContext(sandbox);
  const flows = [];
  const step = async (name, action) => {
    await sandbox.control('requests', { method: 'DELETE' });
    await action();
    const log = await quietLog(sandbox);
    flows.push({
      flow: name,
      count: log.length,
      probes: log.filter(isProbe).length,
      requests: log.map((r) => ({
        method: r.method, path: r.path, query: r.query, status: r.status, probe: isProbe(r),
      })),
    });
  };
  const tableRows = (caption) => page.waitForFunction((c) => [...document.getElementsByTagName('table')]
    .some((t) => t.caption && t.caption.textContent.trim() === c && t.tBodies[0] && t.tBodies[0].rows.length > 0), caption, { timeout: 15_000 });
  const mainLink = (name) => page.locator('nav[aria-label="Main"] a').filter({ hasText: new RegExp(`^${name}$`) });
  try {
    await step('open group types (cold deep link)', async () => {
      await page.goto(`${sandbox.url}/group-types?${q}`);
      await tableRows(GT_CAPTION);
    });
    await step('open metrics list (header link "Usage metrics")', async () => {
      await mainLink('Usage metrics').click();
      await tableRows(M_CAPTION);
    });
    await step('page forward (click "Next")', async () => {
      const pager = page.getByRole('navigation', { name: 'Pages' });
      const before = await pager.locator('p.range').innerText();
      await pager.getByRole('link', { name: 'Next' }).click();
      await page.waitForFunction(() => new URL(location.href).searchParams.get('offset') !== '0');
      await page.waitForFunction((b) => {
        const r = document.querySelector('nav[aria-label="Pages"] p.range');
        return r && r.textContent.trim() !== b;
      }, before, { timeout: 15_000 });
      await tableRows(M_CAPTION);
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
    await quietLog(sandbox);
    const editUrl = new URL(page.url()).pathname;
    const newName = `${metricName} (bench)`;
    await step('save (edit the name, click "Save metric")', async () => {
      await nameField.fill(newName);
      await page.getByRole('button', { name: 'Save metric' }).click();
      await page.getByRole('heading', { level: 1, name: newName, exact: true }).waitFor({ timeout: 15_000 });
    });
    flows.at(-1).page = editUrl;
    if (problems.length) flows.push({ pageErrors: problems });
    return flows;
  } finally {
    await context.close();
  }
}

// ---- 5. Memory across navigations ----

async function measureMemory(sandbox) {
  progress(`memory: load, then ${NAVS} navigations between "Group types" and "Usage metrics"`);
  const q = `host=${encodeURIComponent(sandbox.url)}&project=1`;
  // No metrics mark here (the observer would keep one table body alive).
  const { context, page, problems } = await measuringContext(sandbox, { mTarget: 1e9 });
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
  const mainLink = (name) => page.locator('nav[aria-label="Main"] a').filter({ hasText: new RegExp(`^${name}$`) });
  try {
    await page.goto(`${sandbox.url}/group-types?${q}`);
    await onlyTable(GT_CAPTION);
    await quietLog(sandbox);
    const gc = await hasGc();
    const samples = [await sample(0)];
    const at = new Set([2, Math.round(NAVS / 4), Math.round(NAVS / 2), Math.round((3 * NAVS) / 4), NAVS]);
    let navigating = 0;
    for (let i = 1; i <= NAVS; i++) {
      const t = performance.now();
      if (i % 2) {
        await mainLink('Usage metrics').click();
        await onlyTable(M_CAPTION);
      } else {
        await mainLink('Group types').click();
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
      what: `after load vs after ${NAVS} navigations (header links, each waiting for its table), after window.gc()`,
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

const ms = (s) => (s ? `${s.median.toFixed(1)} ms (min ${s.min.toFixed(1)}, max ${s.max.toFixed(1)}, n=${s.n})` : 'n/a');
const mb = (b) => (b === null || b === undefined ? 'n/a' : `${(b / 1048576).toFixed(2)} MiB`);

function report(r) {
  const out = [];
  const h = (t) => out.push('', t, '-'.repeat(t.length));
  out.push(`groups-console benchmark — ${r.meta.date}`);
  out.push(`build: ${r.meta.dist}  commit ${r.meta.commit}${r.meta.dirty ? ' (+ uncommitted changes)' : ''}`);
  out.push(`machine: ${r.meta.cpus} CPUs, load average ${r.meta.loadBefore.join(' ')} at start, ${r.meta.loadAfter?.join(' ') ?? '?'} at end; ${r.meta.chromium}`);

  h('1. Transfer size (wasm + JS + CSS in the build)');
  if (r.sizes.error) out.push(`NOT MEASURED: ${r.sizes.error}`);
  else {
    const rows = [['file', 'raw', 'gzip -9', 'brotli q11']];
    for (const f of r.sizes.files) rows.push([f.file, kb(f.raw), kb(f.gzip), kb(f.brotli)]);
    rows.push(['total', kb(r.sizes.total.raw), kb(r.sizes.total.gzip), kb(r.sizes.total.brotli)]);
    out.push(table(rows));
    out.push(`total gzip ${kb(r.sizes.total.gzip)} vs budget ${kb(BUDGETS.gzipTotalBytes)} (1 kB = 1000 B): ${verdict(r.sizes.pass)}`);
  }

  h('2. Cold load: navigation start → group types table with server rows');
  if (r.load.error) out.push(`NOT MEASURED: ${r.load.error}`);
  else {
    out.push(`app       ${ms(r.load.app)}`);
    out.push(`baseline  ${ms(r.load.baseline)}  (plain DOM, same origin, same CSS, same fetch)`);
    out.push(`ratio app/baseline ${r.load.ratio.toFixed(2)}× vs budget ${BUDGETS.loadRatio}×: ${verdict(r.load.pass)}`);
    out.push(`(median of the ${RUNS} run-by-run ratios ${r.load.pairedRatio.median.toFixed(2)}×, min ${r.load.pairedRatio.min.toFixed(2)}, max ${r.load.pairedRatio.max.toFixed(2)})`);
  }

  h(`3. Render: metrics response end → ${METRICS_TARGET} rows in the DOM`);
  if (r.render.error) out.push(`NOT MEASURED: ${r.render.error}`);
  else {
    out.push(`metrics on group type 0: ${r.render.metrics.total} (${r.render.metrics.seeded} in the demo + ${r.render.metrics.created} "Bench N" created through the API)`);
    out.push(`app       ${ms(r.render.app)}`);
    out.push(`baseline  ${ms(r.render.baseline)}`);
    out.push(`ratio app/baseline ${r.render.ratio.toFixed(2)}× vs budget ${BUDGETS.renderRatio}×: ${verdict(r.render.pass)}`);
    out.push(`(median of the ${RUNS} run-by-run ratios ${r.render.pairedRatio.median.toFixed(2)}×, min ${r.render.pairedRatio.min.toFixed(2)}, max ${r.render.pairedRatio.max.toFixed(2)})`);
    out.push(`(context: navigation → rows app ${ms(r.render.appNavigationToRows)}, baseline ${ms(r.render.baselineNavigationToRows)};`);
    out.push(` the app built the 100-row table body ${r.render.appTableBodiesBuilt.median}× per load (median), the last one ${r.render.appResponseToLastRebuild.median.toFixed(1)} ms after the response)`);
  }

  h('4. API requests per flow (sandbox request log; probe = capability check of a full load)');
  if (r.flows.error) out.push(`NOT MEASURED: ${r.flows.error}`);
  else {
    for (const f of r.flows) {
      if (f.pageErrors) { out.push(`page errors during the flows: ${f.pageErrors.join('; ')}`); continue; }
      out.push(`${f.flow}: ${f.count} request${f.count === 1 ? '' : 's'}${f.probes ? ` (${f.probes} probes)` : ''}`);
      for (const q of f.requests) out.push(`    ${q.method.padEnd(6)} ${q.path}${q.query ? `?${q.query}` : ''}  → ${q.status}${q.probe ? '  (probe)' : ''}`);
    }
  }

  h(`5. Memory: after load vs after ${NAVS} navigations`);
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
  if (!r.sizes.error) sum.push(['total gzip (wasm+js+css)', kb(r.sizes.total.gzip), kb(BUDGETS.gzipTotalBytes), verdict(r.sizes.pass)]);
  if (!r.load.error) sum.push(['cold load app/baseline', `${r.load.ratio.toFixed(2)}× (${r.load.app.median.toFixed(0)} / ${r.load.baseline.median.toFixed(0)} ms)`, `${BUDGETS.loadRatio}×`, verdict(r.load.pass)]);
  if (!r.render.error) sum.push([`render ${METRICS_TARGET} rows app/baseline`, `${r.render.ratio.toFixed(2)}× (${r.render.app.median.toFixed(1)} / ${r.render.baseline.median.toFixed(1)} ms)`, `${BUDGETS.renderRatio}×`, verdict(r.render.pass)]);
  if (!r.flows.error) for (const f of r.flows) if (f.flow) sum.push([`requests: ${f.flow.replace(/ \(.*$/, '')}`, String(f.count), '—', '']);
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
      out: OUT,
    },
    errors,
  };
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`no build in ${DIST} (index.html missing); run bench/run`);
  if (!existsSync(SANDBOX_BIN)) throw new Error(`no sandbox binary at ${SANDBOX_BIN}; run cargo build -p sandbox`);

  // A private copy: others may rebuild dist/ meanwhile, and the baseline must be same-origin.
  tempDir = mkdtempSync(join(tmpdir(), 'gc-bench-'));
  cpSync(DIST, tempDir, { recursive: true, filter: (src) => !src.split('/').pop().startsWith('.') });
  progress('transfer sizes (brotli q11 takes a few seconds)');
  try { result.sizes = measureSizes(tempDir); } catch (e) { result.sizes = recordError('sizes', e); }

  const css = readdirSync(tempDir).find((f) => f.endsWith('.css'));
  const html = readFileSync(join(benchDir, 'baseline.html'), 'utf8')
    .replace(/<!-- bench:css[^>]*-->/, css ? `<link rel="stylesheet" href="./${css}" />` : '');
  writeFileSync(join(tempDir, 'baseline.html'), html);
  cpSync(join(benchDir, 'baseline.js'), join(tempDir, 'baseline.js'));

  const sandbox = await startSandbox(tempDir);
  browser = await launch();
  result.meta.chromium = `Chromium ${browser.version()}`;

  try { result.load = await measureLoad(sandbox); } catch (e) { result.load = recordError('cold load', e); }
  try { result.render = await measureRender(sandbox); } catch (e) { result.render = recordError('render', e); }
  try { result.flows = await measureFlows(sandbox); } catch (e) { result.flows = recordError('flows', e); }
  try {
    await sandbox.control('reset', { method: 'POST' });
    result.memory = await measureMemory(sandbox);
  } catch (e) { result.memory = recordError('memory', e); }
  if (STATS_DIST) {
    try {
      if (!existsSync(join(STATS_DIST, 'index.html'))) throw new Error(`no build in ${STATS_DIST}`);
      const statsDir = mkdtempSync(join(tmpdir(), 'gc-bench-stats-'));
      cpSync(STATS_DIST, statsDir, { recursive: true });
      const statsSandbox = await startSandbox(statsDir);
      result.liveHeap = await measureMemory(statsSandbox);
      rmSync(statsDir, { recursive: true, force: true });
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
