// Writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip -9) beside each hashed asset of a
// release build, as a static host serves them precompressed (nginx `gzip_static` /
// `brotli_static`, Caddy `precompressed`, the sandbox's `--static`). The page and config.json
// are left alone: they are small, and hosts rewrite or replace them.
//
//   node scripts/compress.mjs DIR        # DIR: a built dist/ folder
//
// Trunk runs it after every release build (Trunk.toml, post_build hook) on its staging folder,
// so `trunk build --release` writes the compressed files itself; a debug build is skipped.
// Uses node's own zlib: nothing to install.

import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const COMPRESSIBLE = /\.(wasm|js|css|svg)$/;

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('usage: node scripts/compress.mjs DIR');
  process.exit(2);
}
if (process.env.TRUNK_PROFILE && process.env.TRUNK_PROFILE !== 'release') process.exit(0);

let raw = 0;
let br = 0;
let gz = 0;
for (const name of readdirSync(dir)) {
  const path = join(dir, name);
  if (!COMPRESSIBLE.test(name) || !statSync(path).isFile()) continue;
  const bytes = readFileSync(path);
  const brotli = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      [constants.BROTLI_PARAM_MODE]: name.endsWith('.wasm') ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
    },
  });
  const gzip = gzipSync(bytes, { level: 9 });
  writeFileSync(`${path}.br`, brotli);
  writeFileSync(`${path}.gz`, gzip);
  raw += bytes.length;
  br += brotli.length;
  gz += gzip.length;
}
const kB = (n) => `${(n / 1000).toFixed(1)} kB`;
console.log(`compress: ${dir}: ${kB(raw)} raw, ${kB(gz)} gzip -9, ${kB(br)} brotli 11`);
