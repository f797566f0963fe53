// Splits the app's wasm so a cold load downloads only what its first view runs: the screens
// marked in src/pages/lazy.rs (the split points) become chunks, each fetched when one of its
// screens is first needed. Trunk builds and binds the whole wasm; this hook, run after it (Trunk.toml,
// post_build, before compress.mjs), redoes the last two steps around the split, as
// cargo-leptos does:
//
//   cargo's wasm ── wasm-split-cli ──> main.wasm + split_<name>.wasm per chunk
//                                      + chunk_<n>.wasm (code chunks share) + __wasm_split.js
//   main.wasm ── wasm-bindgen --keep-lld-exports ──> the page's JS and wasm (Trunk's names)
//   release: wasm-opt -Oz on the main wasm and each chunk (Trunk's own pass is off: index.html)
//
// The chunk and its loader get content-hashed names like Trunk's own assets, so a host can
// cache every asset for a year; index.html's integrity values are recomputed for the files
// replaced, and the loader is preloaded beside the main JS (it is imported by it).
// Tools: wasm-split-cli (crate wasm_split_cli_support) and wasm-bindgen (scripts/setup installs both), wasm-opt (npm binaryen).

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
const profile = process.env.TRUNK_PROFILE ?? 'release';
const root = process.env.TRUNK_SOURCE_DIR ?? process.cwd();
if (!staging) {
  console.error('split: run by Trunk (TRUNK_STAGING_DIR is not set)');
  process.exit(2);
}
const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
const input = join(targetDir, 'wasm32-unknown-unknown', profile, 'groups-console.wasm');

const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const hash16 = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);
const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

// Trunk's outputs: groups-console-<hash>.js and groups-console-<hash>_bg.wasm.
const mainJs = readdirSync(staging).find((n) => /^groups-console-[0-9a-f]+\.js$/.test(n));
if (!mainJs) throw new Error(`split: no groups-console-<hash>.js in ${staging}`);
const stem = mainJs.slice(0, -'.js'.length);
const mainWasm = `${stem}_bg.wasm`;

const work = mkdtempSync(join(tmpdir(), 'groups-console-split-'));
try {
  run('wasm-split-cli', [input, work]);
  run('wasm-bindgen', [
    '--target', 'web', '--no-typescript', '--keep-lld-exports',
    '--out-dir', work, '--out-name', stem, join(work, 'main.wasm'),
  ]);
  const chunks = readdirSync(work).filter((n) => n.endsWith('.wasm') && n !== 'main.wasm' && n !== mainWasm);
  if (chunks.length === 0) throw new Error('split: the wasm has no split point (was it built with --features split?)');
  if (profile === 'release') {
    for (const name of [mainWasm, ...chunks]) {
      const path = join(work, name);
      // SPLIT_KEEP_NAMES=1 keeps function names, for a profile that names them (never shipped).
      run('wasm-opt', ['-Oz', ...(process.env.SPLIT_KEEP_NAMES ? ['-g'] : []), path, '-o', path]);
    }
  }

  // Content-hashed names, then the references to them.
  let loader = readFileSync(join(work, '__wasm_split.js'), 'utf8');
  const expect = (text, needle, what) => {
    if (!text.includes(needle)) throw new Error(`split: ${what} does not mention ${needle}`);
  };
  for (const chunk of chunks) {
    const bytes = readFileSync(join(work, chunk));
    const named = `${chunk.slice(0, -'.wasm'.length)}-${hash16(bytes)}.wasm`;
    writeFileSync(join(staging, named), bytes);
    expect(loader, `"./${chunk}"`, 'the loader');
    loader = loader.replaceAll(`"./${chunk}"`, `"./${named}"`);
  }
  expect(loader, '"./main.js"', 'the loader');
  loader = loader.replaceAll('"./main.js"', `"./${mainJs}"`);
  const loaderName = `__wasm_split-${hash16(loader)}.js`;
  writeFileSync(join(staging, loaderName), loader);

  // Only the JS import names the file; the wasm's own import key stays "./__wasm_split.js".
  let js = readFileSync(join(work, `${stem}.js`), 'utf8');
  expect(js, 'from "./__wasm_split.js"', 'the main JS');
  js = js.replaceAll('from "./__wasm_split.js"', `from "./${loaderName}"`);
  const wasm = readFileSync(join(work, mainWasm));
  writeFileSync(join(staging, mainJs), js);
  writeFileSync(join(staging, mainWasm), wasm);

  // index.html: Trunk's integrity values describe the files it wrote, not these.
  const htmlPath = join(staging, 'index.html');
  let html = readFileSync(htmlPath, 'utf8');
  const setIntegrity = (file, bytes) => {
    const link = new RegExp(`(<link[^>]*href="[^"]*${file.replace(/[.]/g, '\\.')}"[^>]*integrity=")[^"]*(")`);
    if (!link.test(html)) throw new Error(`split: index.html has no integrity for ${file}`);
    html = html.replace(link, `$1${sri(bytes)}$2`);
  };
  setIntegrity(mainJs, Buffer.from(js));
  setIntegrity(mainWasm, wasm);
  const preload = html.match(new RegExp(`<link rel="modulepreload"[^>]*${mainJs.replace(/[.]/g, '\\.')}[^>]*>`));
  if (!preload) throw new Error('split: index.html has no modulepreload for the main JS');
  const loaderLink = preload[0]
    .replace(mainJs, loaderName)
    .replace(/integrity="[^"]*"/, `integrity="${sri(Buffer.from(loader))}"`);
  html = html.replace(preload[0], `${preload[0]}\n${loaderLink}`);
  writeFileSync(htmlPath, html);

  const kB = (n) => `${(n / 1000).toFixed(1)} kB`;
  const sizes = chunks.map((c) => `${c} ${kB(readFileSync(join(work, c)).length)}`).join(', ');
  console.log(`split: main ${kB(wasm.length)}; later: ${sizes} (${profile})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
