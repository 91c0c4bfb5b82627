#!/usr/bin/env node
// `npm run bench -- NAME [NAME...]` runs bench/NAME.js (no names: every
// bench in this directory). Each bench exports `async function run(ctx)`;
// ctx comes from bench/lib/harness.js (scale, measure, note, results). The
// benches import the BUILT package ('layerfs', 'layerfs/node'): run
// `npm run build` first. BENCH_SCALE=0.1 shrinks the sizes for a quick check.
import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createContext } from './lib/harness.js';
import { resultsTime, writeResults, resultsPath } from './lib/results.js';

const dir = fileURLToPath(new URL('./', import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.js') && f !== 'run.js')
  .map((f) => f.slice(0, -3))
  .sort();

const names = process.argv.slice(2).filter((a) => a !== '--');
for (const n of names) {
  if (!available.includes(n)) {
    console.error(`unknown bench '${n}'; available: ${available.join(', ')}`);
    process.exit(2);
  }
}
if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
  console.error('dist/ is missing: run `npm run build` first (the benches import the built package)');
  process.exit(2);
}

let failed = 0;
for (const name of names.length ? names : available) {
  console.log(`\n=== bench ${name} ===`);
  const started = Date.now();
  try {
    const mod = await import(pathToFileURL(`${dir}${name}.js`).href);
    if (typeof mod.run !== 'function') throw new Error(`bench/${name}.js does not export run(ctx)`);
    const ctx = createContext(name);
    const returned = await mod.run(ctx);
    // A bench may write its own file; otherwise the harness writes what it measured.
    if (resultsTime(name) < started) {
      writeResults(name, returned && typeof returned === 'object' ? { ...ctx.results(), ...returned } : ctx.results());
    }
    console.log(`\nbench ${name}: ${((Date.now() - started) / 1000).toFixed(1)} s, results in ${resultsPath(name)}`);
  } catch (e) {
    failed++;
    console.error(`bench ${name} failed:`, e);
  }
}
process.exitCode = failed ? 1 : 0;
