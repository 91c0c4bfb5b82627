#!/usr/bin/env node
/**
 * `npm run build:browser`: one ES module for browsers without a bundler,
 * dist/browser/layerfs.js, built with esbuild from the browser-safe entry
 * (src/index.ts) with its npm dependencies inlined, so a plain
 * `<script type="module">` can import it with no import map.
 *
 * The Wasm core is NOT inlined: src/core/load.ts fetches
 * `new URL('../../build/layerfs.{simd,scalar}.wasm', import.meta.url)`, and
 * dist/browser/ sits two levels below the package root exactly as src/core/
 * does, so the bundle finds build/*.wasm wherever the package tree is served
 * (node_modules/layerfs/, a CDN that serves npm packages, this repository).
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildBrowserBundle({ outfile = `${root}dist/browser/layerfs.js`, minify = false } = {}) {
  const r = await build({
    absWorkingDir: root,
    entryPoints: ['src/index.ts'],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
    // load.ts reads file: URLs (Node) through a dynamic import of a computed
    // specifier; it is never taken in a browser, and esbuild leaves it alone.
    metafile: true,
  });
  // No Node built-in may be imported statically by the browser bundle (the page would fail to load it).
  const nodeImports = Object.values(r.metafile.inputs).flatMap((i) => i.imports.filter((x) => x.path.startsWith('node:') && x.kind !== 'dynamic-import'));
  if (nodeImports.length) throw new Error(`node: imports in the browser bundle: ${nodeImports.map((x) => x.path).join(', ')}`);
  return r;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await buildBrowserBundle({ minify: process.argv.includes('--minify') });
  const out = Object.entries(r.metafile.outputs).find(([f]) => f.endsWith('.js'));
  if (out) console.log(`${out[0]}: ${(out[1].bytes / 1024).toFixed(0)} KiB`);
}
