/**
 * Hardlink groups in diffTrees: the first path (in layer order) carries the
 * content, the others are hardlink entries to it; links made or broken
 * between unchanged files still reach the applied tree.
 */
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
});
