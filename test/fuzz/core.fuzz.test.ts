/**
 * Fuzz target: the Wasm core's entry points, on both builds (SIMD and
 * scalar), each against a reference:
 *  - streaming SHA-256 over random splits (a ReadableStream and a Hasher fed
 *    chunk by chunk; lengths around the 55/56/64-byte padding edges) vs
 *    node:crypto;
 *  - sha256Many over random batches (empty inputs, odd counts) vs node:crypto;
 *  - the diff join over two random sorted entry tables vs a plain JS model
 *    of CONFORMANCE.md rule 20;
 *  - the union index build and lookup over random stacks of up to ten
 *    layers (short names, and long ones that part late) vs the plain
 *    sequential model of test/union/reference.ts, plus lookups of random
 *    (unclean, missing) paths.
 * Invariants: results equal the reference; nothing throws on valid input (no
 * trap becomes a RuntimeError or a WasmCoreError), lookups of arbitrary
 * strings fail only typed; memory bounded.
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DiffStatus, joinEntryTables, type DiffRow } from '../../src/core/diff.js';
import { createHasher, sha256, sha256Many } from '../../src/digest/index.js';
import { loadCore } from '../../src/core/load.js';
import { comparePaths } from '../../src/layer/path.js';
import type { UnionLayerEntry } from '../../src/union/types.js';
import { UnionView } from '../../src/union/view.js';
import { d, entry, f, l, opq, wh } from '../union/helpers.js';
import { ReferenceUnion } from '../union/reference.js';
import { fuzz, outcomeSync, splitAt, streamOf } from './harness.js';

const ref = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.constantFrom(0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 4095, 4096, 65537).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
  fc.integer({ min: 300, max: 20_000 }).map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + (n & 255)) & 255)),
);

describe('fuzz: Wasm core', () => {
  it('sha256 streamed and hashed incrementally over random splits equals node:crypto (SIMD and scalar)', async () => {
    const arb = fc.record({ data: bytesArb, cuts: fc.array(fc.nat(), { maxLength: 10 }), simd: fc.boolean() });
    await fuzz('core-sha256-splits', 150, arb, async ({ data, cuts, simd }) => {
      const want = ref(data);
      const chunks = splitAt(data, cuts);
      expect(await sha256(streamOf(chunks), { backend: 'wasm', simd })).toBe(want);
      const h = await createHasher('sha256', { backend: 'wasm', simd });
      for (const c of chunks) h.update(c);
      expect(h.digest()).toBe(want);
      expect(await sha256(data, { backend: 'wasm', simd })).toBe(want);
    });
  });

  it('sha256Many over random batches equals node:crypto (SIMD and scalar)', async () => {
    const arb = fc.record({ inputs: fc.array(fc.oneof(fc.uint8Array({ maxLength: 200 }), bytesArb), { maxLength: 13 }), simd: fc.boolean() });
    await fuzz('core-sha256-many', 100, arb, async ({ inputs, simd }) => {
      expect(await sha256Many(inputs, { backend: 'wasm', simd })).toEqual(inputs.map(ref));
    });
  });

  it('the diff join of two random tables equals the rule-20 model (SIMD and scalar)', async () => {
    const names = ['a', 'a/b', 'a/b/c', 'a.b', 'a-b', 'b', 'é', 'é/x', 'z', 'a/bb', 'a/b.c', 'x'.repeat(40), `${'x'.repeat(40)}/y`];
    const row: fc.Arbitrary<Omit<DiffRow, 'path'>> = fc.record({
      kind: fc.constantFrom(0, 0, 1, 2, 3, 4, 5),
      mode: fc.constantFrom(0o644, 0o755),
      uid: fc.constantFrom(0, 1000),
      gid: fc.constantFrom(0, 2 ** 31 + 5),
      devmajor: fc.nat(2),
      devminor: fc.nat(2),
      size: fc.constantFrom(0, 1, 2 ** 40),
      mtime: fc.constantFrom(0, 1, 1.5, 2.25),
      extra: fc.constantFrom('', 'target', 'xattr:user.a=1'),
    });
    const table = fc.uniqueArray(fc.tuple(fc.constantFrom(...names), row), { selector: ([p]) => p, maxLength: names.length }).map((rows) =>
      rows.map(([path, r]) => ({ path, ...r })).sort((x, y) => comparePaths(x.path, y.path)),
    );
    // Rule 20, spelled out.
    const model = (lo: DiffRow, up: DiffRow): number => {
      const dev = lo.kind === 3 || lo.kind === 4;
      if (lo.kind !== up.kind || lo.mode !== up.mode || lo.uid !== up.uid || lo.gid !== up.gid || lo.size !== up.size || lo.extra !== up.extra) return DiffStatus.CHANGED;
      if (dev && (lo.devmajor !== up.devmajor || lo.devminor !== up.devminor)) return DiffStatus.CHANGED;
      if (lo.kind !== 0) return DiffStatus.UNCHANGED;
      return lo.mtime % 1 !== 0 && up.mtime % 1 !== 0 && lo.mtime === up.mtime ? DiffStatus.UNCHANGED : DiffStatus.COMPARE;
    };
    await fuzz('core-diff-join', 150, fc.record({ lower: table, upper: table, simd: fc.boolean() }), async ({ lower, upper, simd }) => {
      const r = await joinEntryTables(lower, upper, { simd });
      const up = new Map(upper.map((u) => [u.path, u]));
      const lo = new Map(lower.map((x) => [x.path, x]));
      expect([...r.lower]).toEqual(lower.map((x) => (up.has(x.path) ? model(x, up.get(x.path)!) : DiffStatus.DELETED)));
      const wantUpper = upper.map((u) => (lo.has(u.path) ? model(lo.get(u.path)!, u) : DiffStatus.ADDED));
      expect([...r.upper]).toEqual(wantUpper);
      expect(r.changes).toBe(wantUpper.filter((s) => s !== DiffStatus.UNCHANGED).length);
    });
  });

  it('the union index of random layer stacks equals the sequential model; random lookups answer or fail typed (SIMD and scalar)', async () => {
    const cores = [await loadCore({ simd: true }), await loadCore({ simd: false })];
    // Short names, and long ones that part late (comparisons and ties past a key's first 8 and 16 bytes).
    const SEGS = ['a', 'b', 'share-package-0001.data', 'share-package-0002.data'];
    const universe: string[] = [];
    for (const x of SEGS) {
      universe.push(x);
      for (const y of SEGS) {
        universe.push(`${x}/${y}`);
        for (const z of SEGS) universe.push(`${x}/${y}/${z}`);
      }
    }
    const spell = (p: string, how: number) => (how === 1 ? `./${p}` : how === 2 ? `/${p}` : how === 3 ? p.replace('/', '//') : how === 4 ? `${p}/../${p}` : p);
    const arbEntry: fc.Arbitrary<UnionLayerEntry> = fc.oneof(
      { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...universe), fc.nat(6)).map(([p, s]) => f(spell(p, s))) },
      { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...universe), fc.nat(6)).map(([p, s]) => d(spell(p, s))) },
      { weight: 1, arbitrary: fc.constantFrom(...universe).map((p) => l(p, 'a')) },
      { weight: 1, arbitrary: fc.constantFrom(...universe).map((p) => entry(p, 'fifo')) },
      { weight: 3, arbitrary: fc.constantFrom(...universe).map((p) => wh(p)) },
      { weight: 2, arbitrary: fc.constantFrom('', ...universe.filter((p) => p.split('/').length < 3)).map((p) => opq(p)) },
    );
    const arb = fc.record({
      stack: fc.array(fc.array(arbEntry, { maxLength: 12 }), { minLength: 1, maxLength: 10 }),
      queries: fc.array(fc.oneof(fc.constantFrom(...universe), fc.string({ maxLength: 12 }), fc.constantFrom('..', '/', '', 'a/../b', './a//b/', '.wh.a', 'a/.wh..wh..opq')), { maxLength: 8 }),
      simd: fc.nat(1),
    });
    await fuzz('core-union-index', 150, arb, ({ stack, queries, simd }) => {
      const view = UnionView.build(cores[simd]!, stack.map((entries) => ({ entries })));
      const model = new ReferenceUnion(stack);
      expect(view.entries().map((n) => n.path)).toEqual(model.paths());
      for (const p of model.paths()) {
        const n = view.lookup(p)!;
        const m = model.lookup(p)!;
        expect({ layer: n.layer, implied: n.implied, dir: n.type === 'directory' }).toEqual({ layer: m.layer, implied: m.implied, dir: m.dir });
      }
      // Lookups of any string: an answer or a typed error (a symlink loop is SYMLINK_LOOP, as ELOOP).
      for (const q of queries) {
        outcomeSync(() => view.lookup(q));
        outcomeSync(() => view.exists(q));
        outcomeSync(() => view.stat(q));
      }
    });
  });
});
