// The context bench/run.js hands to each bench's `run(ctx)`: scale,
// measuring a group of peers with tinybench, printing MB/s (or ops/s) and the
// ratio to a baseline, and collecting everything for bench/results/NAME.json.
import { Bench } from 'tinybench';
import { cpus } from 'node:os';
import { benchScale, scaled } from './scale.js';
import { formatBytes, formatOps, formatRate, mbPerSec, printTable } from './format.js';

/**
 * BENCH_CLOCK: 'cpu' (default) times calls by the CPU time of this process
 * (all its threads: WebCrypto and zlib work on libuv's pool counts too), so
 * other processes on a shared machine do not count; 'wall' uses tinybench's
 * wall clock as is.
 */
export function benchClock(env = process.env) {
  const c = env.BENCH_CLOCK ?? 'cpu';
  if (c !== 'cpu' && c !== 'wall') throw new Error(`BENCH_CLOCK must be 'cpu' or 'wall', got ${c}`);
  return c;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Batch size per task so that one batch takes about 10 ms. */
async function cpuTimed(tasks) {
  const out = {};
  for (const [name, fn] of Object.entries(tasks)) {
    await fn();
    const t0 = performance.now();
    await fn();
    const dt = Math.max(performance.now() - t0, 1e-4);
    const batch = Math.max(1, Math.min(100_000, Math.ceil(10 / dt)));
    out[name] = async () => {
      const c0 = cpuMs();
      for (let i = 0; i < batch; i++) {
        const r = fn();
        if (r && typeof r.then === 'function') await r;
      }
      const c = cpuMs() - c0;
      return { overriddenDuration: c / batch, overriddenIterationCost: c };
    };
  }
  return out;
}

/**
 * @param {string} name bench name (file bench/NAME.js)
 * @param {{ scale?: number, clock?: 'cpu' | 'wall', log?: (s: string) => void }} [opts]
 */
export function createContext(name, opts = {}) {
  const scale = opts.scale ?? benchScale();
  const clock = opts.clock ?? benchClock();
  const log = opts.log ?? ((s) => console.log(s));
  const groups = [];
  const notes = {};
  return {
    name,
    scale,
    log,
    /** 'cpu' (default) or 'wall': what a call's time is (BENCH_CLOCK). */
    clock,
    /** `n` scaled by BENCH_SCALE (at least `min`). */
    scaled: (n, min = 1) => scaled(n, scale, min),
    formatBytes,
    /** Records a fact for the results file (e.g. a measured crossover). */
    note(key, value) {
      notes[key] = value;
    },
    /**
     * Runs every task of a group in turn, `rounds` times (interleaved, so a
     * busy machine disturbs all peers alike), keeps each task's best round,
     * prints the table and returns the rows. With the CPU clock each sample
     * is the process CPU time of a batch of calls (>= 10 ms) divided by
     * the batch size.
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
      const timed = clock === 'cpu' ? await cpuTimed(tasks) : tasks;
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
        for (const [task, fn] of Object.entries(timed)) bench.add(task, fn);
        await bench.run();
        for (const t of bench.tasks) {
          const res = t.result;
          if (res.state !== 'completed') throw new Error(`${title} / ${t.name}: ${res.state} ${res.error ?? ''}`);
          // Wall time: noise from other processes only ever adds time, so
          // calls of a millisecond or more are judged by their fastest run,
          // shorter ones by the median (timer granularity). CPU time: the median.
          const ms = clock === 'wall' && res.latency.p50 >= 1 ? res.latency.min : res.latency.p50;
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
      log(`\n${title}${bytes ? ` (${formatBytes(bytes)} per call)` : ''}${baseline ? ` — ratio to ${baseline}` : ''}; ${clock} time`);
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
        clock,
        groups,
        notes,
      };
    },
  };
}
