// The deploy recipes as tested files: nginx (deploy/nginx.conf + deploy/security-headers.conf)
// and Caddy (deploy/Caddyfile), each started on a loopback port with the files exactly as
// shipped, but for the lines the README says to edit: the root, the port (the site address)
// and the policy, which is what scripts/csp-policy.mjs prints for this build. Then: the page
// and a deep link are text/html with the policy and the other security headers; hashed
// assets are immutable, the page, config.json and deep links no-cache; .wasm is
// application/wasm; precompressed files are sent when asked; and the connect → rename →
// metrics walk runs under the policy with no violation. The API is a sandbox on another
// origin, as in a real deployment.

import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  browserSuite, openPage, connect, assertAccessible, metricTable, allowWrites,
  closedPort, eventually, cspReports,
} from './harness.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const dist = process.env.DIST_DIR ?? join(root, 'dist');
const deploy = join(root, 'deploy');
// Debian's paths: /usr/sbin is not on every user's PATH.
const NGINX = '/usr/sbin/nginx';
const CADDY = '/usr/bin/caddy';

// The sandbox is the API, on its own origin; it serves no page here.
let api;
let browser;
browserSuite({ before, after, beforeEach, afterEach }, { ready: (suite) => ({ sandbox: api, browser } = suite) });
const work = mkdtempSync(join(tmpdir(), 'gc-deploy-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** The policy for this build, as a user gets it: the API's origin allowed, a report address added. */
function policy() {
  const value = execFileSync('node', [join(root, 'scripts', 'csp-policy.mjs'), dist, '--connect-src', api.url, '--value'], { encoding: 'utf8' }).trim();
  // Only the test adds this: a violation is also reported to the API sandbox.
  return `${value}; report-uri ${api.url}/_sandbox/csp-reports`;
}

/** Replaces `from` (which must be there, once) with `to`: the edit a user makes. */
function edit(text, from, to) {
  const at = text.indexOf(from);
  assert.ok(at >= 0 && text.indexOf(from, at + 1) < 0, `the shipped file has exactly one ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

/** The shipped policy line's value, whatever the hash placeholder says. */
const SHIPPED_POLICY = /"default-src 'none';[^"]*"/;

function waitForPort(port, child, what) {
  return eventually(async () => {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    try {
      await fetch(`http://127.0.0.1:${port}/config.json`);
      return true;
    } catch {
      return false;
    }
  }, `${what} to listen on ${port}`);
}

/** nginx with deploy/nginx.conf as a site and the snippet where the site includes it. */
async function startNginx(csp) {
  const port = await closedPort();
  const dir = join(work, 'nginx');
  mkdirSync(join(dir, 'snippets'), { recursive: true });
  let site = readFileSync(join(deploy, 'nginx.conf'), 'utf8');
  site = edit(site, 'listen 80;', `listen 127.0.0.1:${port};`);
  site = edit(site, 'root /srv/groups-console;', `root ${dist};`);
  writeFileSync(join(dir, 'groups-console.conf'), site);
  const headers = readFileSync(join(deploy, 'security-headers.conf'), 'utf8');
  assert.match(headers, SHIPPED_POLICY);
  writeFileSync(join(dir, 'snippets', 'groups-console-security-headers.conf'), headers.replace(SHIPPED_POLICY, JSON.stringify(csp)));
  // What Debian's /etc/nginx/nginx.conf gives a site: its modules and mime.types. Relative
  // includes resolve against this file's folder, as /etc/nginx/ for the real one; no -p, so
  // the modules' own relative paths resolve against nginx's compiled-in prefix.
  writeFileSync(join(dir, 'nginx.conf'), `
daemon off;
user nobody nogroup;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
include /etc/nginx/modules-enabled/*.conf;
events {}
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/groups-console.conf;
}
`);
  execFileSync(NGINX, ['-t', '-q', '-c', join(dir, 'nginx.conf')], { stdio: 'inherit' });
  const child = spawn(NGINX, ['-c', join(dir, 'nginx.conf')], { stdio: 'inherit' });
  await waitForPort(port, child, 'nginx');
  return { url: `http://127.0.0.1:${port}`, stop: () => stop(child) };
}

/** Caddy with deploy/Caddyfile, the site address made a loopback port. */
async function startCaddy(csp) {
  const port = await closedPort();
  const dir = join(work, 'caddy');
  mkdirSync(dir, { recursive: true });
  let file = readFileSync(join(deploy, 'Caddyfile'), 'utf8');
  file = edit(file, 'console.example.com {', `http://127.0.0.1:${port} {`);
  file = edit(file, 'root * /srv/groups-console', `root * ${dist}`);
  assert.match(file, SHIPPED_POLICY);
  file = file.replace(SHIPPED_POLICY, JSON.stringify(csp));
  writeFileSync(join(dir, 'Caddyfile'), file);
  const admin = await closedPort();
  const env = { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir, CADDY_ADMIN: `127.0.0.1:${admin}` };
  const child = spawn(CADDY, ['run', '--adapter', 'caddyfile', '--config', join(dir, 'Caddyfile')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  await waitForPort(port, child, 'caddy').catch((e) => { throw new Error(`${e.message}\n${log}`); });
  return { url: `http://127.0.0.1:${port}`, stop: () => stop(child) };
}

function stop(child) {
  if (child.exitCode !== null) return Promise.resolve();
  child.kill('SIGTERM');
  return new Promise((ok) => child.once('exit', ok));
}

/** The built assets, by what they are. */
function assets() {
  const names = readdirSync(dist);
  const one = (re) => {
    const found = names.filter((n) => re.test(n));
    assert.equal(found.length, 1, `one ${re} in dist/: ${found}`);
    return `/${found[0]}`;
  };
  return {
    js: one(/^groups-console-[0-9a-f]{1,16}\.js$/),
    wasm: one(/^groups-console-[0-9a-f]{1,16}_bg\.wasm$/),
    chunk: one(/^split_metric_list-[0-9a-f]{16}\.wasm$/),
    detailChunk: one(/^split_metric_detail-[0-9a-f]{16}\.wasm$/),
    loader: one(/^__wasm_split-[0-9a-f]{16}\.js$/),
    css: one(/^main-[0-9a-f]{1,16}\.css$/),
  };
}

async function get(url, headers = {}) {
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  return res;
}

/** Every check of one server: headers first, then the walk in the browser. */
async function checkServer(start) {
  const csp = policy();
  const server = await start(csp);
  try {
    const secured = (res, what) => {
      assert.equal(res.headers.get('content-security-policy'), csp, `${what}: the policy`);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', `${what}: Referrer-Policy`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
    };
    for (const path of ['/', '/index.html', '/group-types', '/group-types/0/metrics/new']) {
      const res = await get(server.url + path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type'), /^text\/html/, `${path} is the page`);
      assert.equal(res.headers.get('cache-control'), 'no-cache', `${path}: no-cache`);
      secured(res, path);
    }
    const config = await get(`${server.url}/config.json`);
    assert.equal(config.status, 200);
    assert.equal(config.headers.get('cache-control'), 'no-cache', 'config.json: no-cache');
    secured(config, 'config.json');

    const files = assets();
    const types = { js: /^(text|application)\/javascript/, wasm: /^application\/wasm$/, chunk: /^application\/wasm$/, detailChunk: /^application\/wasm$/, loader: /^(text|application)\/javascript/, css: /^text\/css/ };
    for (const [kind, path] of Object.entries(files)) {
      const plain = await get(server.url + path);
      assert.equal(plain.status, 200, path);
      assert.match(plain.headers.get('content-type'), types[kind], `${path}: Content-Type`);
      assert.equal(plain.headers.get('cache-control'), 'public, max-age=31536000, immutable', `${path}: immutable`);
      secured(plain, path);
      for (const [accept, encoding] of [['br', 'br'], ['gzip', 'gzip']]) {
        const res = await fetch(server.url + path, { headers: { 'Accept-Encoding': accept } });
        await res.arrayBuffer();
        assert.equal(res.headers.get('content-encoding'), encoding, `${path} with Accept-Encoding: ${accept}`);
        assert.match(res.headers.get('vary') ?? '', /accept-encoding/i, `${path}: Vary`);
        assert.match(res.headers.get('content-type'), types[kind], `${path} (${encoding}): Content-Type`);
      }
    }

    await walk(server.url);
  } finally {
    await server.stop();
  }
}

/** Connect (the API on its own origin), rename, open the metrics: under the policy, clean. */
async function walk(url) {
  allowWrites();
  await api.control('csp-reports', { method: 'DELETE' });
  const opening = await openPage(browser.context, url);
  const { page } = opening;
  const violations = [];
  await page.exposeFunction('reportViolation', (v) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(`${e.violatedDirective} ${e.blockedURI}`));
  });
  try {
    await page.reload();
    await connect(page, { host: 'self-hosted', selfHosted: api.url });
    const name = page.getByLabel('Singular name of company', { exact: true });
    await name.waitFor();
    await name.fill('Client');
    await page.getByRole('region', { name: 'Unsaved changes' }).getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved the names of 1 group type.' }).waitFor();
    await page.getByRole('link', { name: 'Usage metrics' }).first().click();
    await metricTable(page).waitFor();
    await assertAccessible(page, `metrics served by ${url}`);
    const stored = await fetch(`${api.url}/api/projects/1/groups_types/`, { headers: { Authorization: 'Bearer phx_sandbox_demo_full_access' } }).then((r) => r.json());
    assert.equal(stored.find((g) => g.group_type === 'company').name_singular, 'Client', 'the rename reached the API');
    await new Promise((ok) => setTimeout(ok, 500));
    assert.deepEqual(violations, [], 'no violation in the page');
    assert.deepEqual(await cspReports(api), [], 'no violation reported');
    opening.assertClean();
  } finally {
    await page.close();
  }
}

test('nginx with deploy/nginx.conf serves the build with every header, and the app runs under its policy', async () => {
  await checkServer(startNginx);
});

test('Caddy with deploy/Caddyfile serves the build with every header, and the app runs under its policy', async () => {
  await checkServer(startCaddy);
});
