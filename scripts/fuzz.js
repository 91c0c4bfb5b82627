#!/usr/bin/env node
/**
 * npm run fuzz [-- --scale N --seed S --case-ms MS]
 *
 * Runs the fuzz targets of test/fuzz at FUZZ_SCALE times their `npm test`
 * sample (default 50: over 100,000 cases in all), with one seed for the run
 * (printed; pass it back with --seed to replay), then prints the cases run
 * per target, time and peak memory, and exits non-zero when a target failed,
 * when fewer than 100,000 cases ran at the default scale, or when the run
 * stopped making progress (a synchronous hang the per-case timer cannot
 * interrupt) for --stall-ms (default 10 minutes).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: process.env.FUZZ_SCALE ?? '50' },
    seed: { type: 'string', default: process.env.FUZZ_SEED },
    'case-ms': { type: 'string', default: process.env.FUZZ_CASE_MS ?? '20000' },
    'stall-ms': { type: 'string', default: '600000' },
    min: { type: 'string', default: '100000' },
  },
});
const scale = Number(values.scale);
const seed = values.seed !== undefined ? Number(values.seed) | 0 : (Math.random() * 2 ** 31) | 0;
const report = join(root, 'test-results', 'fuzz', 'report.jsonl');
mkdirSync(dirname(report), { recursive: true });
rmSync(report, { force: true });

console.log(`layerfs fuzz: scale ${scale}, seed ${seed} (replay: npm run fuzz -- --scale ${scale} --seed ${seed})`);
const started = Date.now();
const child = spawn(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/fuzz', '--testTimeout=0', '--reporter=dot'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, FUZZ_SCALE: String(scale), FUZZ_SEED: String(seed), FUZZ_CASE_MS: values['case-ms'], FUZZ_REPORT: report },
});

// Progress = the report growing (one line per finished target) or output; a run silent for stall-ms is killed.
let lastSize = 0;
let lastChange = Date.now();
let stalled = false;
const watch = setInterval(() => {
  const size = existsSync(report) ? statSync(report).size : 0;
  if (size !== lastSize) {
    lastSize = size;
    lastChange = Date.now();
  } else if (Date.now() - lastChange > Number(values['stall-ms'])) {
    stalled = true;
    console.error(`fuzz: no target finished for ${values['stall-ms']} ms: killing the run (hang?)`);
    child.kill('SIGKILL');
  }
}, 5000);

const code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
clearInterval(watch);

const rows = existsSync(report)
  ? readFileSync(report, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
  : [];
rows.sort((a, b) => a.target.localeCompare(b.target));
const total = rows.reduce((n, r) => n + r.cases, 0);
console.log('\ntarget                      cases      time    peak RSS  heap growth');
for (const r of rows) {
  console.log(`${r.target.padEnd(26)} ${String(r.cases).padStart(7)} ${`${(r.ms / 1000).toFixed(1)} s`.padStart(9)} ${`${r.peakRssMiB} MiB`.padStart(10)} ${`${r.heapGrowthMiB} MiB`.padStart(10)}`);
}
console.log(`${'total'.padEnd(26)} ${String(total).padStart(7)} ${`${((Date.now() - started) / 1000).toFixed(1)} s`.padStart(9)}   seed ${seed}`);

let failed = code !== 0 || stalled;
if (code !== 0) console.error(`fuzz: FAILED (vitest exit ${code}); replay with: npm run fuzz -- --scale ${scale} --seed ${seed}`);
if (scale >= 50 && total < Number(values.min)) {
  console.error(`fuzz: only ${total} cases ran, fewer than ${values.min}`);
  failed = true;
}
if (!failed) console.log(`fuzz: PASS, ${total} cases`);
process.exit(failed ? 1 : 0);
