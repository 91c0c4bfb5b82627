/**
 * What every fuzz target shares (issue 9): the case count, the seed, a time
 * bound per case, a memory watch, and the one invariant all targets check —
 * only LayerfsError subclasses escape (never a TypeError, a RangeError or a
 * WebAssembly.RuntimeError).
 *
 * `npm test` runs each target with its small base count; `npm run fuzz`
 * (scripts/fuzz.js) sets FUZZ_SCALE so that the targets together run at
 * least 100,000 cases, FUZZ_SEED so a run can be repeated, and FUZZ_REPORT
 * to a file where each target appends one JSON line (cases, seed, time,
 * peak memory).
 */
import fc from 'fast-check';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { expect } from 'vitest';
import { LayerfsError } from '../../src/errors/index.js';

const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
if (!(SCALE > 0)) throw new Error(`FUZZ_SCALE must be a positive number, not ${process.env.FUZZ_SCALE}`);

/** The run's seed: FUZZ_SEED, else a fresh one (printed with every target so a failure can be replayed). */
export const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) | 0 : (Math.random() * 2 ** 31) | 0;

/**
 * A hang detector, not a speed test: a case that has not finished after this
 * long (default 20 s; every case here takes milliseconds) is reported as a
 * hang. FUZZ_CASE_MS overrides it.
 */
export const CASE_MS = Number(process.env.FUZZ_CASE_MS ?? 20_000);

/** Peak RSS allowed across one target (inputs are a few KiB; this catches leaks and blow-ups). */
export const RSS_LIMIT = Number(process.env.FUZZ_RSS_MB ?? 1536) * 1024 * 1024;
/** Growth of the live heap (after a full GC) allowed from a target's start to its end. */
export const HEAP_GROWTH_LIMIT = Number(process.env.FUZZ_HEAP_GROWTH_MB ?? 128) * 1024 * 1024;

/** Cases for a target whose `npm test` sample is `base`. */
export function runs(base: number): number {
  return Math.max(1, Math.round(base * SCALE));
}

/** Each target gets its own seed derived from the run's, so targets do not replay each other's inputs. */
function seedFor(target: string): number {
  let h = SEED ^ 0x9e3779b9;
  for (let i = 0; i < target.length; i++) h = Math.imul(h ^ target.charCodeAt(i), 0x01000193);
  return h | 0;
}

let gcFn: (() => void) | undefined;
/** A full GC, so heap figures compare live objects (Node allows exposing gc at run time this way). */
function gc(): void {
  if (!gcFn) {
    v8.setFlagsFromString('--expose-gc');
    gcFn = vm.runInNewContext('gc') as () => void;
  }
  gcFn();
}

/** Throws anything that is not a LayerfsError (the invariant of every target); returns the code of one that is. */
export function typedOnly(e: unknown): string {
  if (e instanceof LayerfsError) return e.code;
  throw e;
}

/** Runs `f`, returning 'ok' or the typed error's code; anything untyped is rethrown. */
export async function outcome(f: () => unknown): Promise<string> {
  try {
    await f();
    return 'ok';
  } catch (e) {
    return typedOnly(e);
  }
}

/** Sync variant of outcome. */
export function outcomeSync(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    return typedOnly(e);
  }
}

class CaseHang extends Error {}

/** Runs one case under the time bound: a case still running after CASE_MS fails as a hang. */
export async function bounded<T>(what: string, f: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const started = performance.now();
  try {
    return await Promise.race([
      f(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CaseHang(`${what}: a case did not finish within ${CASE_MS} ms (hang?)`)), CASE_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    // A synchronous loop blocks the timer above: measure it afterwards too.
    const took = performance.now() - started;
    if (took > CASE_MS) throw new CaseHang(`${what}: a case took ${Math.round(took)} ms (bound ${CASE_MS} ms; hang?)`);
  }
}

/** Sync variant of bounded (a synchronous hang still blocks; scripts/fuzz.js kills a run that stops making progress). */
export function boundedSync<T>(what: string, f: () => T): T {
  const started = performance.now();
  const r = f();
  const took = performance.now() - started;
  if (took > CASE_MS) throw new CaseHang(`${what}: a case took ${Math.round(took)} ms (bound ${CASE_MS} ms; hang?)`);
  return r;
}

export interface FuzzStats {
  target: string;
  cases: number;
  seed: number;
  ms: number;
  /** Of which inside the cases themselves (the rest is generating inputs). */
  bodyMs: number;
  peakRssMiB: number;
  heapGrowthMiB: number;
}

/**
 * Runs a fast-check property as fuzz target `target` with runs(base) cases,
 * watching memory (RSS sampled after every case, live heap before and
 * after), then records the figures. Each property body should use
 * bounded/boundedSync and typedOnly.
 */
export async function fuzz<T>(target: string, base: number, arb: fc.Arbitrary<T>, body: (value: T) => Promise<void> | void): Promise<FuzzStats> {
  const numRuns = runs(base);
  const seed = seedFor(target);
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  let peakRss = process.memoryUsage.rss();
  let cases = 0;
  let bodyMs = 0;
  const started = performance.now();
  const prop = fc.asyncProperty(arb, async (value) => {
    cases++;
    const t0 = performance.now();
    await bounded(target, async () => body(value));
    bodyMs += performance.now() - t0;
    const rss = process.memoryUsage.rss();
    if (rss > peakRss) peakRss = rss;
    if (rss > RSS_LIMIT) throw new Error(`${target}: RSS ${Math.round(rss / 2 ** 20)} MiB exceeds ${Math.round(RSS_LIMIT / 2 ** 20)} MiB`);
  });
  try {
    await fc.assert(prop, { numRuns, seed, endOnFailure: false });
  } catch (e) {
    // fast-check's message holds the seed, the path and the counterexample; add how to replay the whole run.
    throw new Error(`fuzz target ${target} failed (run with FUZZ_SEED=${SEED} FUZZ_SCALE=${SCALE} to replay)\n${(e as Error).message}`, { cause: e });
  }
  const ms = performance.now() - started;
  gc();
  const growth = process.memoryUsage().heapUsed - heap0;
  const stats: FuzzStats = {
    target,
    cases,
    seed,
    ms: Math.round(ms),
    bodyMs: Math.round(bodyMs),
    peakRssMiB: Math.round(peakRss / 2 ** 20),
    heapGrowthMiB: Math.round((growth / 2 ** 20) * 10) / 10,
  };
  record(stats);
  expect(growth, `${target}: live heap grew by ${stats.heapGrowthMiB} MiB over the run`).toBeLessThan(HEAP_GROWTH_LIMIT);
  expect(cases).toBeGreaterThanOrEqual(numRuns);
  return stats;
}

function record(s: FuzzStats): void {
  const file = process.env.FUZZ_REPORT;
  if (file) {
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, `${JSON.stringify(s)}\n`);
  }
  if (SCALE !== 1 || file) console.log(`fuzz ${s.target}: ${s.cases} cases, seed ${s.seed}, ${s.ms} ms (${s.bodyMs} in cases), peak RSS ${s.peakRssMiB} MiB, heap +${s.heapGrowthMiB} MiB`);
}

/** Splits bytes at the given cut points (any numbers; taken modulo the length, sorted, deduplicated). */
export function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  if (bytes.length === 0) return [bytes];
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of at) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  out.push(bytes.subarray(prev));
  return out;
}

/** A ReadableStream yielding `chunks` (empty chunks included: a valid stream may carry them). */
export function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < chunks.length) c.enqueue(chunks[i++]!);
      else c.close();
    },
  });
}
