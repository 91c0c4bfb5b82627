// Wall-clock timing for the benches whose peers are child processes
// (skopeo, umoci): bench/copy.js and bench/store.js. The harness's default
// CPU clock counts only this process, which would leave a child's work out.
// (.mjs so that bench/run.js does not take it for a bench.)
import { formatRate, printTable } from './lib/index.js';

export function wallClock() {
  const wallGroups = [];
  /** Runs interleaved (every task once per round); each task keeps its best run, so a busy machine's noise falls on every peer alike. */
  async function wallMeasure(ctx, title, { tasks, bytes, baseline, rounds = 3 }) {
    const best = {};
    for (let r = 0; r < rounds; r++) {
      for (const [name, fn] of Object.entries(tasks)) {
        const t0 = performance.now();
        await fn();
        const ms = performance.now() - t0;
        best[name] = Math.min(best[name] ?? Infinity, ms);
      }
    }
    const base = baseline ? best[baseline] : undefined;
    const rows = Object.entries(best).map(([task, ms]) => ({
      task,
      ms,
      mbPerSec: bytes ? bytes / 1e6 / (ms / 1000) : undefined,
      ratio: base ? base / ms : undefined,
    }));
    ctx.log(`\n${title}${bytes ? ` (${ctx.formatBytes(bytes)} per call)` : ''} — wall clock, best of ${rounds}${baseline ? `, ratio to ${baseline}` : ''}`);
    printTable(
      [
        ['task', ...(bytes ? ['MB/s'] : []), 'ms/call', ...(base ? ['ratio'] : [])],
        ...rows.map((r) => [r.task, ...(bytes ? [formatRate(r.mbPerSec)] : []), r.ms.toFixed(1), ...(base ? [`${r.ratio.toFixed(2)}x`] : [])]),
      ],
      ctx.log,
    );
    wallGroups.push({ title, clock: 'wall', rounds, bytes, baseline, rows });
  }
  return { wallMeasure, wallGroups };
}
