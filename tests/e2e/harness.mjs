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
  const bin = process.env.SANDBOX_BIN ?? join(root, 'target', 'debug', 'sandbox');
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
  return {
    url,
    /** Calls the sandbox's control API (`/_sandbox/...`). */
    async control(path, init) {
      const res = await fetch(`${url}/_sandbox/${path}`, init);
      if (!res.ok) throw new Error(`control ${path}: ${res.status}`);
      return res.status === 204 ? null : res.json();
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((ok) => child.once('exit', ok));
    },
  };
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
 * The connect-time capability probes aim at a metric and a group type that cannot exist, so
 * with the right scopes they answer 404; Chromium logs every failed fetch as a console
 * error. Those two lines are the probes working, not errors of the app.
 */
function isProbe(problem) {
  return /status of 404 .*\/(groups_types\/99\/|metrics\/00000000-0000-0000-0000-000000000000\/)\)$/.test(problem);
}

/**
 * Opens a page that records every page error and console error; `assertClean()` fails the
 * test if any happened. `allow` lists console texts a test expects (e.g. a refused fetch).
 */
export async function openPage(context, url) {
  const page = await context.newPage();
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
      const left = problems.filter((p) => !allow.some((a) => p.includes(a)) && !isProbe(p));
      if (left.length) throw new Error(`page reported errors:\n${left.join('\n')}`);
    },
  };
}

/** Runs axe-core on the page and fails on any serious or critical violation. */
export async function assertAccessible(page, label) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) {
    const text = bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    throw new Error(`axe found serious violations on ${label}:\n${text.join('\n')}`);
  }
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

/** A loopback port nothing listens on: bound by the OS, then released. */
export async function closedPort() {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}
