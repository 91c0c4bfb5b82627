/**
 * Fuzz target: applying a layer (CONFORMANCE.md rules 7-19). Random entry
 * lists — files, directories, symlinks (escaping ones too), hardlinks,
 * devices, whiteouts and opaque markers, `..`, `.`, absolute and empty
 * names, duplicates — written as raw tars (optionally gzip'd), applied onto
 * a MemoryTree holding a lower layer.
 * Invariants: only LayerfsErrors escape; after a successful apply every
 * path is clean and no `.wh.` name is left (rule 7); and, for layers
 * without symlinks (where apply and a lexical view must agree), the tree
 * holds exactly the paths and types of the union view of the same two
 * layers — two independent implementations (the JS applier and the Wasm
 * index) checked against each other. Every case is time-bounded and the run
 * memory-bounded (harness.ts).
 */
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadCore } from '../../src/core/load.js';
import { applyLayer } from '../../src/layer/apply.js';
import { cleanPath } from '../../src/layer/path.js';
import { parseTarSync } from '../../src/tar/index.js';
import { MemoryTree } from '../../src/tree/memory.js';
import { UnionView } from '../../src/union/view.js';
import { rawTar, type RawEntry } from '../security/raw-tar.js';
import { fuzz, typedOnly } from './harness.js';

const SEGS = ['a', 'b', 'c', 'a', 'b', '..', '.', '', '.wh.a', '.wh.b', '.wh..wh..opq', '.wh.', '.wh...', 'l', 'h'];
const nameArb = fc
  .tuple(fc.constantFrom('', '', '', '/', './', '../'), fc.array(fc.constantFrom(...SEGS), { minLength: 1, maxLength: 4 }), fc.constantFrom('', '', '/'))
  .map(([lead, segs, trail]) => lead + segs.join('/') + trail);
const targetArb = fc.oneof(nameArb, fc.constantFrom('/', '..', '../..', '../../..', '/etc', 'a', 'a/b', 'l', 'l/x', '/a/../..', ''));

const entryArb = (withLinks: boolean): fc.Arbitrary<RawEntry> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ name: nameArb, content: fc.constantFrom('', 'x', 'lower?', 'y'.repeat(700)) }) },
    { weight: 4, arbitrary: fc.record({ name: nameArb, type: fc.constant('5'), mode: fc.constantFrom(0o755, 0o700, 0o555) }) },
    { weight: withLinks ? 2 : 0, arbitrary: fc.record({ name: nameArb, type: fc.constant('2'), linkname: targetArb }) },
    { weight: 2, arbitrary: fc.record({ name: nameArb, type: fc.constant('1'), linkname: targetArb }) },
    { weight: 1, arbitrary: fc.record({ name: nameArb, type: fc.constantFrom('3', '4', '6'), devmajor: fc.nat(10), devminor: fc.nat(10) }) },
  );

/** The layer below: a few directories, files, a hardlink (no symlinks, so the union comparison holds). */
const LOWER: RawEntry[] = [
  { name: 'a/', type: '5' },
  { name: 'a/b/', type: '5' },
  { name: 'a/b/c', content: 'lower' },
  { name: 'a/f', content: 'lower' },
  { name: 'b', content: 'lower' },
  { name: 'c/', type: '5' },
  { name: 'c/a', content: 'lower' },
  { name: 'c/h', type: '1', linkname: 'b' },
  { name: 'h', type: '4', devmajor: 8, devminor: 1 },
];
const LOWER_TAR = rawTar(LOWER);

async function lowerTree(): Promise<MemoryTree> {
  const t = new MemoryTree();
  await applyLayer(LOWER_TAR, t);
  return t;
}

async function walk(t: MemoryTree): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of t.walk()) if (e.path !== '') out.set(e.path, e.type);
  return out;
}

/** Applies `entries` onto the lower tree: the tree, or the typed error's code. */
async function applyCase(entries: RawEntry[], gzip: boolean): Promise<{ tree?: MemoryTree; code?: string; tar: Uint8Array }> {
  const tar = rawTar(entries);
  const t = await lowerTree();
  try {
    await applyLayer(gzip ? gzipSync(tar, { level: 1 }) : tar, t);
    return { tree: t, tar };
  } catch (e) {
    return { code: typedOnly(e), tar };
  }
}

function checkClean(paths: Iterable<string>): void {
  for (const p of paths) {
    expect(cleanPath(p), p).toBe(p);
    for (const seg of p.split('/')) expect(seg.startsWith('.wh.'), `whiteout left in the tree: ${p}`).toBe(false);
  }
}

describe('fuzz: applyLayer', () => {
  it('random layers (links, whiteouts, .., absolute names) apply or fail typed; the result is clean', async () => {
    const arb = fc.record({ entries: fc.array(entryArb(true), { maxLength: 10 }), gzip: fc.boolean() });
    await fuzz('apply-random-layers', 150, arb, async ({ entries, gzip }) => {
      const r = await applyCase(entries, gzip);
      if (r.tree) checkClean((await walk(r.tree)).keys());
    });
  });

  it('layers without symlinks: the applied tree equals the union view of the two layers (paths and types)', async () => {
    const core = await loadCore();
    const arb = fc.array(entryArb(false), { maxLength: 10 });
    await fuzz('apply-vs-union', 150, arb, async (entries) => {
      const r = await applyCase(entries, false);
      if (!r.tree) return;
      const tree = await walk(r.tree);
      checkClean(tree.keys());
      const layers = [LOWER_TAR, r.tar].map((t) => ({ entries: parseTarSync(t).map((e) => e.header) }));
      const view = UnionView.build(core, layers);
      const merged = new Map<string, string>();
      for (const n of view.walk()) merged.set(n.path, n.type);
      // A hardlink is a second name for a file or device node: whatever its target is, in the tree.
      for (const [p, t] of tree) if (merged.get(p) === 'hardlink' && t !== 'directory' && t !== 'symlink') tree.set(p, 'hardlink');
      expect(Object.fromEntries(tree)).toEqual(Object.fromEntries(merged));
    });
  });

  it('damaged layers (random layers with bytes flipped or cut, gzip or not) fail only with LayerfsErrors', async () => {
    const arb = fc.record({
      entries: fc.array(entryArb(true), { minLength: 1, maxLength: 6 }),
      flips: fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }),
      cut: fc.option(fc.nat()),
      gzip: fc.boolean(),
    });
    await fuzz('apply-damaged-layers', 100, arb, async ({ entries, flips, cut, gzip }) => {
      let bytes = rawTar(entries);
      if (gzip) bytes = gzipSync(bytes, { level: 1 });
      bytes = bytes.slice(0, cut === null ? bytes.length : cut % (bytes.length + 1));
      for (const [at, v] of flips) if (bytes.length) bytes[at % bytes.length] = v;
      const t = await lowerTree();
      try {
        await applyLayer(bytes, t);
        checkClean((await walk(t)).keys());
      } catch (e) {
        typedOnly(e);
      }
    });
  });
});

describe('applyLayer: cases fuzzing found (each failed before its fix)', () => {
  const cases: Array<[string, RawEntry[], string]> = [
    ['an opaque marker inside a .wh. directory', [{ name: '.wh.b/.wh..wh..opq', content: '' }], 'INVALID_WHITEOUT'],
    ['a symlink to .wh. and a file through it', [{ name: 'h', type: '2', linkname: '.wh.' }, { name: 'h/a', content: '' }], 'INVALID_WHITEOUT'],
    ['an opaque marker for a lower file', [{ name: 'b/.wh..wh..opq', content: '' }], 'ok'],
    ['a file, then an entry below it', [{ name: 'b', content: 'new' }, { name: 'b/a/', type: '5' }], 'ok'],
  ];
  it('a hardlink to itself, then an opaque marker for its directory: the file stays, as in the union view', async () => {
    const r = await applyCase([{ name: 'h', type: '1', linkname: 'h' }, { name: '.wh..wh..opq', content: '' }], false);
    expect(r.code).toBeUndefined();
    const tree = await walk(r.tree!);
    expect([...tree]).toEqual([['h', 'block']]); // the lower device, now this layer's; every other lower entry hidden
    const view = UnionView.build(await loadCore(), [LOWER_TAR, r.tar].map((t) => ({ entries: parseTarSync(t).map((e) => e.header) })));
    expect([...view.walk()].map((n) => n.path)).toEqual(['h']);
  });

  for (const [what, entries, want] of cases) {
    it(`${what}: ${want}, and the same tree as the union view`, async () => {
      const r = await applyCase(entries, false);
      expect(r.code ?? 'ok').toBe(want);
      if (!r.tree) return;
      const tree = await walk(r.tree);
      expect(tree.get('b')).toBe('file');
      expect(tree.has('b/a')).toBe(false);
      const view = UnionView.build(await loadCore(), [LOWER_TAR, r.tar].map((t) => ({ entries: parseTarSync(t).map((e) => e.header) })));
      expect(view.lookup('b')?.type).toBe('file');
    });
  }
});
