// The context bench/run.js hands to each bench's `run(ctx)`: scale,
// measuring a group of peers with tinybench, printing MB/s (or ops/s) and the
// ratio to a baseline, and collecting everything for bench/results/NAME.json.
import { Bench } from 'tinybench';
import { cpus } from 'node:os';
import { benchScale, scaled } from './scale.js';
import { formatBytes, formatOps, formatRate, mbPerSec, printTable } from './format.js';

/**
 * @param {string} name bench name (file bench/NAME.js)
 * @param {{ scale?: number, log?: (s: string) => void }} [opts]
 */
export function createContext(name, opts = {}) {
  const scale = opts.scale ?? benchScale();
  const log = opts.log ?? ((s) => console.log(s));
  const groups = [];
  const notes = {};
  return {
    name,
    scale,
    log,
    /** `n` scaled by BENCH_SCALE (at least `min`). */
    scaled: (n, min = 1) => scaled(n, scale, min),
    formatBytes,
    /** Records a fact for the results file (e.g. a measured crossover). */
    note(key, value) {
      notes[key] = value;
    },
    /**
     * Runs every task of a group in turn, `rounds` times (interleaved, so a
     * busy machine disturbs all peers alike), keeps each task's best round
     * (by the fastest call for calls >= 1 ms, else the median call),
     * prints the table and returns the rows.
     *
     * @param {string} title
     * @param {{
     *   tasks: Record<string, () => unknown>,
     *   bytes?: number,          // bytes processed per call: adds MB/s
     *   baseline?: string,       // task name the ratios are relative to
     *   time?: number,           // ms per task per round (default 60)
     *   iterations?: number,     // minimum calls per task per round (default 3)
     *   rounds?: number,         // default 8: short, many rounds spread the noise of a shared machine over every peer
     * }} spec
     */
    async measure(title, spec) {
      const { tasks, bytes, baseline } = spec;
      const rounds = spec.rounds ?? 8;
      const best = new Map();
      for (let r = 0; r < rounds; r++) {
        const bench = new Bench({
          time: spec.time ?? 60,
          iterations: spec.iterations ?? 3,
          // Warm up (JIT tiers, lazy loading) in the first round only.
          warmup: r === 0,
          warmupTime: 50,
          warmupIterations: 2,
          throws: true,
        });
        for (const [task, fn] of Object.entries(tasks)) bench.add(task, fn);
        await bench.run();
        for (const t of bench.tasks) {
          const res = t.result;
          if (res.state !== 'completed') throw new Error(`${title} / ${t.name}: ${res.state} ${res.error ?? ''}`);
          // Noise from other processes only ever adds time. Calls of a
          // millisecond or more are judged by their fastest run; shorter
          // ones by the median, which timer granularity disturbs less.
          const ms = res.latency.p50 >= 1 ? res.latency.min : res.latency.p50;
          const ops = 1000 / ms;
          const prev = best.get(t.name);
          if (!prev || ops > prev.opsPerSec) best.set(t.name, { opsPerSec: ops, ms, rme: res.latency.rme });
        }
      }
      const base = baseline ? best.get(baseline) : undefined;
      const rows = [...best.entries()].map(([task, m]) => ({
        task,
        opsPerSec: m.opsPerSec,
        mbPerSec: bytes ? mbPerSec(bytes, m.opsPerSec) : undefined,
        ms: m.ms,
        rme: m.rme,
        ratio: base ? m.opsPerSec / base.opsPerSec : undefined,
      }));
      log(`\n${title}${bytes ? ` (${formatBytes(bytes)} per call)` : ''}${baseline ? ` — ratio to ${baseline}` : ''}`);
      printTable(
        [
          ['task', bytes ? 'MB/s' : 'ops/s', 'ms/call', '±%', ...(base ? ['ratio'] : [])],
          ...rows.map((row) => [
            row.task,
            bytes ? formatRate(row.mbPerSec) : formatOps(row.opsPerSec),
            row.ms < 0.01 ? row.ms.toExponential(1) : row.ms.toFixed(3),
            row.rme.toFixed(1),
            ...(base ? [`${row.ratio.toFixed(2)}x`] : []),
          ]),
        ],
        log,
      );
      groups.push({ title, bytes, baseline, rows });
      return Object.fromEntries(rows.map((row) => [row.task, row]));
    },
    /** Everything measured so far, as written to bench/results/NAME.json. */
    results() {
      return {
        bench: name,
        date: new Date().toISOString(),
        node: process.version,
        v8: process.versions.v8,
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        scale,
        groups,
        notes,
      };
    },
  };
}
