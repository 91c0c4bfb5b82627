/**
 * Random layer stacks (whiteouts, opaque markers, type changes, duplicates,
 * unclean names, any entry order) through the Wasm index and through the
 * plain sequential model in reference.ts: every lookup, every listing and
 * the walk order must agree, on both Wasm builds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCore } from '../../src/core/load.js';
import { packNames } from '../../src/layer/packed-names.js';
import { comparePaths } from '../../src/layer/path.js';
import { prepareLayerTable } from '../../src/union/table.js';
import type { UnionLayerEntry } from '../../src/union/types.js';
import { UnionView } from '../../src/union/view.js';
import { d, entry, f, l, opq, wh } from './helpers.js';
import { ReferenceUnion } from './reference.js';

const SEGS = ['a', 'b', 'c'];
const universe: string[] = [''];
for (const x of SEGS) {
  universe.push(x);
  for (const y of SEGS) {
    universe.push(`${x}/${y}`);
    for (const z of SEGS) universe.push(`${x}/${y}/${z}`);
  }
}
const nonRoot = universe.slice(1);

// Unclean spellings a tar may carry; the view must clean them all the same way.
const spell = (p: string, how: number, dir: boolean) =>
  how === 1 ? `./${p}` : how === 2 ? `/${p}` : how === 3 && dir ? `${p}/` : how === 4 ? p.replace('/', '//') : p;

const arbEntry: fc.Arbitrary<UnionLayerEntry> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...nonRoot), fc.nat(8)).map(([p, s]) => f(spell(p, s, false))) },
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...nonRoot), fc.nat(8)).map(([p, s]) => d(spell(p, s, true))) },
  { weight: 1, arbitrary: fc.constantFrom(...nonRoot).map((p) => l(p, 'a')) },
  { weight: 1, arbitrary: fc.constantFrom(...nonRoot).map((p) => entry(p, 'fifo')) },
  { weight: 3, arbitrary: fc.constantFrom(...nonRoot).map((p) => wh(p)) },
  { weight: 2, arbitrary: fc.constantFrom(...universe.filter((p) => p.split('/').length < 3)).map((p) => opq(p)) },
  { weight: 1, arbitrary: fc.constant(d('./')) },
);
const arbStack = fc.array(fc.array(arbEntry, { maxLength: 12 }), { minLength: 1, maxLength: 6 });

/** The root and every path of up to `depth` segments drawn from `segs`, parents first. */
function pathsOf(segs: readonly string[], depth: number, prefix = '', out: string[] = ['']): string[] {
  for (const s of segs) {
    const p = prefix === '' ? s : `${prefix}/${s}`;
    out.push(p);
    if (depth > 1) pathsOf(segs, depth - 1, p, out);
  }
  return out;
}

/**
 * Files, directories and whiteouts of paths of `universe` (weights as
 * given), and opaque markers on its paths of fewer than `opqDepth` segments.
 */
function entryOver(universe: string[], [files, dirs, whiteouts]: [number, number, number], opqDepth: number): fc.Arbitrary<UnionLayerEntry> {
  const nonRoot = universe.slice(1);
  return fc.oneof(
    { weight: files, arbitrary: fc.constantFrom(...nonRoot).map((p) => f(p)) },
    { weight: dirs, arbitrary: fc.constantFrom(...nonRoot).map((p) => d(p)) },
    { weight: whiteouts, arbitrary: fc.constantFrom(...nonRoot).map((p) => wh(p)) },
    { weight: 1, arbitrary: fc.constantFrom(...universe.filter((p) => p.split('/').length < opqDepth)).map((p) => opq(p)) },
  );
}

// Bigger layers (past the sort's insertion runs and into its merges): 4 names, depth 4.
const bigUniverse = pathsOf(['a', 'b', 'c', 'd.e'], 4);
const arbBigEntry = entryOver(bigUniverse, [6, 6, 2], 4);
const arbBigStack = fc.array(fc.array(arbBigEntry, { minLength: 50, maxLength: 300 }), { minLength: 1, maxLength: 8 });

// Long names sharing long prefixes, in up to 10 layers (a deeper merge
// tree): keys that agree far past their common prefix with the key before,
// so that comparisons, and the telling of a path present in two layers,
// run past their first 8 and 16 bytes.
const longUniverse = pathsOf(['x', 'share-package', 'share-package-0001.data', 'share-package-0002.data', 'share-package-0002.data-old'], 3);
const arbLongEntry = entryOver(longUniverse, [6, 4, 3], 3);
const arbLongStack = fc.array(fc.array(arbLongEntry, { maxLength: 40 }), { minLength: 2, maxLength: 10 });

function check(view: UnionView, layers: UnionLayerEntry[][], paths: readonly string[] = universe): void {
  const ref = new ReferenceUnion(layers);
  for (const p of paths) {
    const want = ref.lookup(p);
    const got = view.lookup(p);
    if (!want) {
      expect(got, `lookup ${JSON.stringify(p)}`).toBeUndefined();
      continue;
    }
    expect(got, `lookup ${JSON.stringify(p)}`).toBeDefined();
    expect({ path: got!.path, layer: got!.layer, implied: got!.implied, dir: got!.type === 'directory' }, `lookup ${JSON.stringify(p)}`).toEqual({
      path: p,
      layer: want.layer,
      implied: want.implied,
      dir: want.dir,
    });
    if (!want.implied) expect(got!.entry).toBe(layers[want.layer]![want.index]);
    if (want.dir) expect(view.readdir(p), `readdir ${JSON.stringify(p)}`).toEqual(ref.readdir(p));
  }
  expect(view.entries().map((n) => n.path)).toEqual(ref.paths());
  expect(view.size).toBe(ref.paths().length);
}

for (const simd of [true, false]) {
  describe(`union index vs the sequential model (${simd ? 'simd' : 'scalar'} build)`, () => {
    it('agrees on random stacks', async () => {
      const core = await loadCore({ simd });
      fc.assert(
        fc.property(arbStack, (layers) => {
          check(UnionView.build(core, layers.map((entries) => ({ entries }))), layers);
        }),
        { numRuns: 400 },
      );
    });

    it('agrees on stacks of bigger layers, sorted or not', async () => {
      const core = await loadCore({ simd });
      fc.assert(
        fc.property(arbBigStack, fc.boolean(), (layers, sorted) => {
          if (sorted) for (const es of layers) es.sort((x, y) => comparePaths(x.path, y.path));
          check(UnionView.build(core, layers.map((entries) => ({ entries }))), layers, bigUniverse);
        }),
        { numRuns: 40 },
      );
    });

    it('agrees on stacks of long names with long common prefixes, as entries or packed names', async () => {
      const core = await loadCore({ simd });
      fc.assert(
        fc.property(arbLongStack, fc.boolean(), (layers, packed) => {
          for (const es of layers) es.sort((x, y) => comparePaths(x.path, y.path));
          const inputs = layers.map((entries) => (packed ? { entries, names: packNames(entries) } : { entries }));
          check(UnionView.build(core, inputs), layers, longUniverse);
        }),
        { numRuns: 150 },
      );
    });

    it('agrees when layers come as packed names, as prepared tables, or mixed (keys pointing into their bytes)', async () => {
      const core = await loadCore({ simd });
      fc.assert(
        fc.property(arbStack, fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 8, maxLength: 8 }), (layers, how) => {
          const inputs = layers.map((entries, i) => {
            const mode = how[i % how.length]!;
            if (mode === 0) return { entries };
            if (mode === 1) return { entries, names: packNames(entries) };
            return { entries, table: prepareLayerTable(core, { entries, names: packNames(entries) }, i) };
          });
          check(UnionView.build(core, inputs), layers);
        }),
        { numRuns: 200 },
      );
    });

    it('agrees when layers are added one at a time with withLayer', async () => {
      const core = await loadCore({ simd });
      fc.assert(
        fc.property(arbStack, arbStack, (base, top) => {
          const view = UnionView.build(core, base.map((entries) => ({ entries })));
          const grown = top.reduce((v, entries) => v.withLayer({ entries }), view);
          check(grown, [...base, ...top]);
          check(view, base); // the base view is unchanged
        }),
        { numRuns: 150 },
      );
    });
  });
}
