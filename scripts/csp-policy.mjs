// Prints the Content-Security-Policy header for a build, so nobody hand-edits hashes:
// script-src allows exactly the inline start-up script(s) of DIST/index.html by hash (they
// change with each build), and connect-src names the hosts the key may be sent to, from
// DIST/config.json (`allowed_hosts`, else `default_host` and PostHog's two clouds).
//
//   node scripts/csp-policy.mjs [DIST] [--connect-src ORIGIN]... [--frame-ancestors SOURCE]... [--value]
//
//   DIST               the built folder (default: dist)
//   --connect-src      one more origin the app may call (a self-hosted PostHog not in config.json)
//   --frame-ancestors  a portal origin that may embed the app (default: 'none')
//   --value            print only the policy, not "Content-Security-Policy: "
//
// Paste the output into deploy/security-headers.conf (nginx) or deploy/Caddyfile.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const CLOUDS = ['https://us.posthog.com', 'https://eu.posthog.com'];

function parseArgs(argv) {
  const args = { dist: 'dist', connect: [], frames: [], value: false };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--connect-src') args.connect.push(origin(next()));
    else if (a === '--frame-ancestors') args.frames.push(next());
    else if (a === '--value') args.value = true;
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else args.dist = a;
  }
  return args;
}

/** The origin of a URL (a policy source names an origin; a path would narrow it). */
function origin(url) {
  try {
    return new URL(url).origin;
  } catch {
    throw new Error(`not a URL: ${url}`);
  }
}

/** 'sha256-…' of each inline <script> (one without src), once each, in document order. */
function scriptHashes(html) {
  const hashes = [];
  for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
    const h = `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`;
    if (!hashes.includes(h)) hashes.push(h);
  }
  return hashes;
}

/** The hosts config.json lets the key go to. */
function configHosts(dist) {
  const path = join(dist, 'config.json');
  if (!existsSync(path)) return CLOUDS;
  const config = JSON.parse(readFileSync(path, 'utf8'));
  if (Array.isArray(config.allowed_hosts) && config.allowed_hosts.length) return config.allowed_hosts.map(origin);
  return [...new Set([...(config.default_host ? [origin(config.default_host)] : []), ...CLOUDS])];
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const html = readFileSync(join(args.dist, 'index.html'), 'utf8');
  const hashes = scriptHashes(html);
  if (!hashes.length) throw new Error(`${args.dist}/index.html has no inline script: is it a Trunk build?`);
  const connect = [...new Set(["'self'", ...configHosts(args.dist), ...args.connect])];
  const frames = args.frames.length ? args.frames : ["'none'"];
  const policy = [
    "default-src 'none'",
    `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect.join(' ')}`,
    `frame-ancestors ${frames.join(' ')}`,
    "base-uri 'self'",
    "form-action 'none'",
    "manifest-src 'self'",
  ].join('; ');
  console.log(args.value ? policy : `Content-Security-Policy: ${policy}`);
}

try {
  main();
} catch (e) {
  console.error(`csp-policy: ${e.message}`);
  process.exit(2);
}
