/**
 * CONFORMANCE.md rules 2, 20-22 for layers that diffTrees writes: what counts
 * as a change, deterministic bytes, whiteout attributes, SOURCE_DATE_EPOCH,
 * sockets, devices and FIFOs. Digests are checked against node:crypto.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { diffTrees } from '../../src/layer/diff.js';
import { readTar } from '../../src/tar/index.js';
import { MemoryTree, type MemoryEntrySpec } from '../../src/tree/memory.js';

async function entriesOf(lower: MemoryEntrySpec[], upper: MemoryEntrySpec[], opts = {}) {
  const layer = await diffTrees(await MemoryTree.from(lower), await MemoryTree.from(upper), { compression: 'none', ...opts });
  return (await readTar((async function* () { yield layer.bytes!; })())).map((e) => e.header);
}

const base: MemoryEntrySpec = { path: 'f', content: 'abcd', mode: 0o644, uid: 1, gid: 2, mtime: 100 };

describe('rule 20: what counts as a change', () => {
  const cases: Array<[string, Partial<MemoryEntrySpec>]> = [
    ['mode', { mode: 0o600 }],
    ['uid', { uid: 9 }],
    ['gid', { gid: 9 }],
    ['size', { content: 'abcde' }],
    ['xattrs', { xattrs: { 'user.k': new Uint8Array([1]) } }],
    ['content (same size, same whole-second mtime)', { content: 'abce' }],
    ['type', { type: 'symlink', linkname: 'x', content: undefined }],
  ];
  for (const [what, change] of cases) {
    test(`${what} differs: the file is in the layer`, async () => {
      const h = await entriesOf([base], [{ ...base, ...change }]);
      expect(h.map((e) => e.path)).toEqual(['f']);
    });
  }
  test('symlink target and device numbers differ: in the layer', async () => {
    expect((await entriesOf([{ path: 'l', type: 'symlink', linkname: 'a' }], [{ path: 'l', type: 'symlink', linkname: 'b' }])).map((e) => e.linkname)).toEqual(['b']);
    expect((await entriesOf([{ path: 'c', type: 'char', devmajor: 1, devminor: 3 }], [{ path: 'c', type: 'char', devmajor: 1, devminor: 5 }])).map((e) => e.devminor)).toEqual([5]);
  });
  test('only the mtime differs and the content is equal: not a change', async () => {
    expect(await entriesOf([base], [{ ...base, mtime: 200 }])).toEqual([]);
  });
  test('equal size and equal sub-second mtimes are trusted (no content read)', async () => {
    // Different bytes on purpose: metadata with nanoseconds is proof enough (rule 20).
    const a = { ...base, mtime: 100.5 };
    expect(await entriesOf([a], [{ ...a, content: 'wxyz' }])).toEqual([]);
  });
  test('equal whole-second mtimes are not proof: content is compared', async () => {
    const h = await entriesOf([{ ...base, mtime: 100 }], [{ ...base, mtime: 100, content: 'wxyz' }]);
    expect(h.map((e) => e.path)).toEqual(['f']);
  });
  test('a big file (> 1 MiB, streamed hashing) with one byte changed', async () => {
    const big = new Uint8Array(3 << 20).fill(7);
    const big2 = big.slice();
    big2[big2.length - 1] = 8;
    const h = await entriesOf([{ path: 'big', content: big, mtime: 5 }], [{ path: 'big', content: big2, mtime: 5 }]);
    expect(h.map((e) => [e.path, e.size])).toEqual([['big', 3 << 20]]);
  });
});

describe('rule 21: deterministic output', () => {
  const lower: MemoryEntrySpec[] = [{ path: 'gone/x', content: 'x' }, { path: 'keep', content: 'k' }];
  const upper: MemoryEntrySpec[] = [
    { path: 'keep', content: 'k' },
    { path: 'a.b', content: '1', mtime: 2e9 },
    { path: 'a/b', content: '2', mtime: 1e9 },
    { path: 'a-b/c', content: '3' },
    { path: 'é', content: '4' },
    { path: 'z', content: '5' },
  ];
  test('entries sorted with / first; whiteouts with mtime 0 and uid/gid 0', async () => {
    const h = await entriesOf(lower, upper);
    expect(h.map((e) => e.path)).toEqual(['.wh.gone', 'a/', 'a/b', 'a-b/', 'a-b/c', 'a.b', 'z', 'é']);
    const wh = h.find((e) => e.path === '.wh.gone')!;
    expect([wh.mtime, wh.uid, wh.gid, wh.size]).toEqual([0, 0, 0, 0]);
  });
  test('same trees, built in another order: same digest and diffId', async () => {
    const a = await diffTrees(await MemoryTree.from(lower), await MemoryTree.from(upper));
    const b = await diffTrees(await MemoryTree.from([...lower].reverse()), await MemoryTree.from([...upper].reverse()));
    expect(b.digest).toBe(a.digest);
    expect(b.diffId).toBe(a.diffId);
  });
  test('sourceDateEpoch clamps every mtime', async () => {
    const h = await entriesOf(lower, upper, { sourceDateEpoch: 1.5e9 });
    expect(h.find((e) => e.path === 'a.b')!.mtime).toBe(1.5e9);
    expect(h.find((e) => e.path === 'a/b')!.mtime).toBe(1e9);
  });
});

describe('rule 2: digest and diffId', () => {
  test('digest = sha256 of the gzip bytes, diffId = sha256 of the tar, sizes and media type', async () => {
    const l = await diffTrees(await MemoryTree.from([]), await MemoryTree.from([{ path: 'hello', content: 'hi' }]), { compression: 'gzip' });
    const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
    expect(l.digest).toBe(sha(l.bytes!));
    expect(l.diffId).toBe(sha(gunzipSync(l.bytes!)));
    expect(l.size).toBe(l.bytes!.length);
    expect(l.uncompressedSize).toBe(gunzipSync(l.bytes!).length);
    expect(l.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
  });
});

describe('rule 22: devices and FIFOs are written with their numbers', () => {
  test('char, block, fifo', async () => {
    const h = await entriesOf([], [
      { path: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 },
      { path: 'dev/sda', type: 'block', devmajor: 8, devminor: 0 },
      { path: 'run/p', type: 'fifo' },
    ]);
    expect(h.filter((e) => e.type !== 'directory').map((e) => [e.path, e.type, e.devmajor, e.devminor])).toEqual([
      ['dev/null', 'char', 1, 3],
      ['dev/sda', 'block', 8, 0],
      ['run/p', 'fifo', 0, 0],
    ]);
  });
});
