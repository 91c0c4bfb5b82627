/**
 * Hardlink groups in diffTrees: the first path (in layer order) carries the
 * content, the others are hardlink entries to it; links made or broken
 * between unchanged files still reach the applied tree.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { applyLayer } from '../../src/layer/apply.js';
import { diffTrees } from '../../src/layer/diff.js';
import { readTar } from '../../src/tar/index.js';
import { MemoryTree, type MemoryEntrySpec } from '../../src/tree/memory.js';
import { snapshot } from './helpers.js';

async function roundTrip(lowerSpecs: MemoryEntrySpec[], upperSpecs: MemoryEntrySpec[]) {
  const lower = await MemoryTree.from(lowerSpecs);
  const upper = await MemoryTree.from(upperSpecs);
  const layer = await diffTrees(lower, upper, { compression: 'none' });
  const headers = (await readTar((async function* () { yield layer.bytes!; })())).map((e) => e.header);
  const target = await MemoryTree.from(lowerSpecs);
  await applyLayer(layer.bytes!, target);
  return { headers, applied: await snapshot(target), upper: await snapshot(upper) };
}

describe('hardlink groups', () => {
  test('a new group: the first path carries the content, the others link to it', async () => {
    const r = await roundTrip([], [
      { path: 'z/last', content: 'data' },
      { path: 'a/first', type: 'hardlink', linkname: 'z/last' },
      { path: 'm', type: 'hardlink', linkname: 'z/last' },
    ]);
    const files = r.headers.filter((h) => h.type !== 'directory').map((h) => [h.path, h.type, h.size, h.linkname]);
    expect(files).toEqual([
      ['a/first', 'file', 4, ''],
      ['m', 'hardlink', 0, 'a/first'],
      ['z/last', 'hardlink', 0, 'a/first'],
    ]);
    expect(r.applied).toEqual(r.upper);
  });
  test('linking two unchanged, equal files is carried by the layer', async () => {
    const lower: MemoryEntrySpec[] = [{ path: 'a', content: 'same' }, { path: 'b', content: 'same' }];
    const r = await roundTrip(lower, [{ path: 'a', content: 'same' }, { path: 'b', type: 'hardlink', linkname: 'a' }]);
    expect(r.headers.map((h) => [h.path, h.type])).toEqual([['b', 'hardlink']]);
    expect(r.applied).toEqual(r.upper);
    expect(r.applied['b']).toContain('link=a');
  });
  test('breaking a link between unchanged files is carried by the layer', async () => {
    const lower: MemoryEntrySpec[] = [{ path: 'a', content: 'same' }, { path: 'b', type: 'hardlink', linkname: 'a' }];
    const r = await roundTrip(lower, [{ path: 'a', content: 'same' }, { path: 'b', content: 'same' }]);
    expect(r.applied).toEqual(r.upper);
    expect(r.applied['b']).not.toContain('link=');
  });
  test('a new name for a lower file links to the lower path', async () => {
    const lower: MemoryEntrySpec[] = [{ path: 'bin/sh', content: 'sh' }];
    const r = await roundTrip(lower, [{ path: 'bin/sh', content: 'sh' }, { path: 'bin/ash', type: 'hardlink', linkname: 'bin/sh' }]);
    expect(r.headers.map((h) => [h.path, h.type, h.linkname])).toEqual([['bin/ash', 'hardlink', 'bin/sh']]);
    expect(r.applied).toEqual(r.upper);
  });
  test('a lower group parted into two, each with a new name: neither keeps the other', async () => {
    // b is copied up apart from a and c and gets a new name n (what a
    // container commit writes): the layer must not leave b on a's file.
    const lower: MemoryEntrySpec[] = [
      { path: 'a', content: 'same' },
      { path: 'b', type: 'hardlink', linkname: 'a' },
      { path: 'c', type: 'hardlink', linkname: 'a' },
    ];
    const r = await roundTrip(lower, [
      { path: 'a', content: 'same' },
      { path: 'b', content: 'same' },
      { path: 'c', type: 'hardlink', linkname: 'a' },
      { path: 'n', type: 'hardlink', linkname: 'b' },
    ]);
    expect(r.applied).toEqual(r.upper);
    expect([r.applied['b'], r.applied['n']].map((l) => l!.replace(/.* link=/, ''))).toEqual(['b', 'b']);
  });
  test('regrouping unchanged files: any new partition of the names reaches the applied tree (fast-check)', async () => {
    // Names of equal-content files, each in a group (one file per group) in
    // the lower tree and in a new group (or deleted) in the upper one; the
    // upper may add names. Contents stay the same, so every group could
    // keep a lower file: the plan must not give one lower file to two.
    const names = ['a', 'b', 'c', 'd/e', 'd/f', 'g'];
    const added = ['n1', 'n2', 'd/n3'];
    const groupArb = fc.integer({ min: 0, max: 3 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(groupArb, { minLength: names.length, maxLength: names.length }),
        fc.array(fc.integer({ min: -1, max: 3 }), { minLength: names.length, maxLength: names.length }),
        fc.array(fc.integer({ min: -1, max: 3 }), { minLength: added.length, maxLength: added.length }),
        async (lowerGroups, upperGroups, addedGroups) => {
          const specs = (members: Array<[string, number]>): MemoryEntrySpec[] => {
            const first = new Map<number, string>();
            return members.map(([path, g]) => {
              const lead = first.get(g);
              if (lead !== undefined) return { path, type: 'hardlink', linkname: lead };
              first.set(g, path);
              return { path, content: 'same' };
            });
          };
          const lower = specs(names.map((p, i) => [p, lowerGroups[i]!]));
          const upper = specs(
            [...names.map((p, i): [string, number] => [p, upperGroups[i]!]), ...added.map((p, i): [string, number] => [p, addedGroups[i]!])].filter(([, g]) => g >= 0),
          );
          const r = await roundTrip(lower, upper);
          expect(r.applied).toEqual(r.upper);
        },
      ),
      { numRuns: 300 },
    );
  });
});
