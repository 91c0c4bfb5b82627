/**
 * Property: for random pairs of trees, applying diffTrees(lower, upper) onto
 * lower gives upper (type, mode, owner, content, link target, devices,
 * xattrs, hardlink groups). Memory trees; a few hundred runs.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { applyLayer } from '../../src/layer/apply.js';
import { diffTrees } from '../../src/layer/diff.js';
import { MemoryTree, type MemoryEntrySpec } from '../../src/tree/memory.js';
import { snapshot } from './helpers.js';

const CONTENTS = ['', 'x', 'y', 'xy', 'hello world'];
const names = ['a', 'b', 'a.b', 'a-b', 'c', 'é', 'z'];
const pathArb = fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
const specArb: fc.Arbitrary<MemoryEntrySpec> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .record({ path: pathArb, type: fc.constant('file' as const), content: fc.constantFrom(...CONTENTS), mode: fc.constantFrom(0o644, 0o600, 0o755), mtime: fc.constantFrom(0, 1, 1.5, 2.25), uid: fc.constantFrom(0, 1000) })
      // Rule 20: equal size and equal sub-second mtime count as unchanged content (as in containerd), so a
      // sub-second mtime here implies the content (else 'x' and 'y' at mtime 1.5 would be "the same file").
      .map((s) => (s.mtime % 1 === 0 ? s : { ...s, mtime: s.mtime + 10 * CONTENTS.indexOf(s.content) })),
  },
  { weight: 3, arbitrary: fc.record({ path: pathArb, type: fc.constant('directory' as const), mode: fc.constantFrom(0o755, 0o700), mtime: fc.constantFrom(0, 7) }) },
  { weight: 2, arbitrary: fc.record({ path: pathArb, type: fc.constant('symlink' as const), linkname: fc.constantFrom('a', '../b', '/etc/x', 'c/d') }) },
  { weight: 1, arbitrary: fc.record({ path: pathArb, type: fc.constant('hardlink' as const), linkname: pathArb }) },
  { weight: 1, arbitrary: fc.record({ path: pathArb, type: fc.constantFrom('fifo' as const, 'char' as const), devmajor: fc.constantFrom(1, 4), devminor: fc.constantFrom(3, 5) }) },
  { weight: 1, arbitrary: fc.record({ path: pathArb, type: fc.constant('file' as const), content: fc.constant('x'), xattrs: fc.constantFrom({ 'user.a': new Uint8Array([1]) }, { 'user.a': new Uint8Array([2]) }) }) },
);

/** Builds a tree, skipping specs MemoryTree cannot honour (hardlinks to nothing or to a directory). */
async function build(specs: MemoryEntrySpec[]): Promise<MemoryTree> {
  const t = new MemoryTree();
  const ok: MemoryEntrySpec[] = [];
  for (const s of specs) {
    try {
      await MemoryTree.from([...ok, s]);
      ok.push(s);
    } catch {
      /* skip */
    }
  }
  return ok.length ? MemoryTree.from(ok) : t;
}

describe('diffTrees then applyLayer', () => {
  test('apply(lower, diff(lower, upper)) equals upper (fast-check, 300 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(specArb, { maxLength: 14 }),
        fc.array(fc.boolean(), { minLength: 14, maxLength: 14 }),
        fc.array(specArb, { maxLength: 8 }),
        async (lowerSpecs, keep, extra) => {
          const lower = await build(lowerSpecs);
          const upper = await build([...lowerSpecs.filter((_, i) => keep[i]), ...extra]);
          const layer = await diffTrees(lower, upper, { compression: 'none' });
          const target = await build(lowerSpecs);
          await applyLayer(layer.bytes!, target);
          expect(await snapshot(target)).toEqual(await snapshot(upper));
        },
      ),
      { numRuns: 300 },
    );
  });
});
