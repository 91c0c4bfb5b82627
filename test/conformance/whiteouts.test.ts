/**
 * CONFORMANCE.md rules 7-12 (OCI image-spec layer.md, "Whiteouts"), applied
 * to memory trees; every rule where order matters is run in both tar orders.
 */
import { describe, expect, test } from 'vitest';
import { InvalidWhiteoutError } from '../../src/errors/index.js';
import { applyLayer } from '../../src/layer/apply.js';
import { diffTrees } from '../../src/layer/diff.js';
import { readTar } from '../../src/tar/index.js';
import { MemoryTree } from '../../src/tree/memory.js';
import { makeLayer } from '../layer/helpers.js';
import { applied, orders } from './helpers.js';

const lowerTree = [
  { path: 'etc/passwd', content: 'root' },
  { path: 'etc/group', content: 'wheel' },
  { path: 'd/a', content: 'A' },
  { path: 'd/b', content: 'B' },
  { path: 'd/sub/deep', content: 'deep' },
  { path: 'ln', type: 'symlink' as const, linkname: 'etc' },
];

describe('rule 7: .wh.NAME deletes NAME (any type, whole subtree) from lower layers', () => {
  test('a file, a directory with its subtree, a symlink (not its target)', async () => {
    const r = await applied(lowerTree, [{ path: 'etc/.wh.group' }, { path: '.wh.d' }, { path: '.wh.ln' }]);
    expect(Object.keys(r)).toEqual(['etc', 'etc/passwd']);
  });
  test('a whiteout for a path that does not exist below is not an error, and never appears in the tree', async () => {
    const r = await applied(lowerTree, [{ path: 'nothere/.wh.x' }, { path: 'etc/.wh.nope' }]);
    expect(Object.keys(r).some((p) => p.includes('.wh.'))).toBe(false);
    expect(Object.keys(r)).toContain('etc/group');
    expect(Object.keys(r)).not.toContain('nothere');
  });
});

describe('rule 8: a whiteout hides only LOWER layers, in either order', () => {
  for (const [name, layer] of orders([{ path: 'etc/.wh.passwd' }], [{ path: 'etc/passwd', content: 'new' }])) {
    test(`same path in the same layer survives (${name})`, async () => {
      const r = await applied(lowerTree, layer);
      expect(r['etc/passwd']).toBe('file 644 0:0 "new"');
    });
  }
  for (const [name, layer] of orders([{ path: '.wh.d' }], [{ path: 'd/new', content: 'N' }])) {
    test(`a whited-out directory keeps only what the same layer adds below it (${name})`, async () => {
      const r = await applied(lowerTree, layer);
      expect(Object.keys(r).filter((p) => p.startsWith('d'))).toEqual(['d', 'd/new']);
      expect(r['d']).toBe('directory 755 0:0');
    });
  }
  test('a whiteout in a higher layer hides the entry of the layer below', async () => {
    const r = await applied(lowerTree, [{ path: 'x', content: 'x' }], [{ path: '.wh.x' }]);
    expect(r['x']).toBeUndefined();
  });
});

describe('rule 9: an opaque marker hides lower children only, wherever it sits', () => {
  const entries = [
    { path: 'd/', type: 'directory' as const, mode: 0o700 },
    { path: 'd/c', content: 'C' },
    { path: 'd/sub/new', content: 'n' },
  ];
  const marker = { path: 'd/.wh..wh..opq' };
  for (let at = 0; at <= entries.length; at++) {
    test(`marker at position ${at} of ${entries.length + 1}`, async () => {
      const layer = [...entries.slice(0, at), marker, ...entries.slice(at)];
      const r = await applied(lowerTree, layer);
      expect(Object.keys(r).filter((p) => p.startsWith('d'))).toEqual(['d', 'd/c', 'd/sub', 'd/sub/new']);
      expect(r['d']).toBe('directory 700 0:0');
    });
  }
  test('an opaque directory with no children in the layer becomes empty but stays', async () => {
    const r = await applied(lowerTree, [marker]);
    expect(Object.keys(r).filter((p) => p.startsWith('d'))).toEqual(['d']);
  });
});

describe('rule 10: explicit whiteouts and opaque markers give the same tree; writers emit one whiteout per directory', () => {
  test('readers: per-child whiteouts == opaque marker', async () => {
    const explicit = await applied(lowerTree, [{ path: 'd/.wh.a' }, { path: 'd/.wh.b' }, { path: 'd/.wh.sub' }]);
    const opaque = await applied(lowerTree, [{ path: 'd/.wh..wh..opq' }]);
    expect(explicit).toEqual(opaque);
  });
  test('writers: deleting a directory writes exactly one whiteout', async () => {
    const lower = await MemoryTree.from(lowerTree);
    const upper = await MemoryTree.from(lowerTree.filter((e) => !e.path.startsWith('d/')));
    const layer = await diffTrees(lower, upper, { compression: 'none' });
    const names = (await readTar([layer.bytes!] as unknown as AsyncIterable<Uint8Array>)).map((e) => e.header.path);
    expect(names).toEqual(['.wh.d']);
  });
});

describe('rule 11: invalid whiteouts and real .wh.* files', () => {
  for (const bad of ['.wh.', 'd/.wh..', 'd/.wh...', 'd/.wh..wh.foo']) {
    test(`${JSON.stringify(bad)} is INVALID_WHITEOUT`, async () => {
      const t = await MemoryTree.from(lowerTree);
      await expect(applyLayer(makeLayer([{ path: bad }]), t)).rejects.toBeInstanceOf(InvalidWhiteoutError);
    });
  }
  test('diffTrees refuses a real file named .wh.x', async () => {
    const lower = await MemoryTree.from([]);
    const upper = await MemoryTree.from([{ path: 'dir/.wh.x', content: 'not a whiteout' }]);
    const err = await diffTrees(lower, upper).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidWhiteoutError);
    expect(err.code).toBe('INVALID_WHITEOUT');
    expect(err.data.path).toBe('dir/.wh.x');
  });
});

describe('rule 12: whiteouts under a path the same layer made a non-directory are ignored', () => {
  for (const [name, layer] of orders([{ path: 'd', content: 'now a file' }], [{ path: 'd/.wh.a' }, { path: 'd/sub/.wh.deep' }])) {
    test(`file replaces the directory (${name})`, async () => {
      const r = await applied(lowerTree, layer);
      expect(r['d']).toBe('file 644 0:0 "now a file"');
      expect(Object.keys(r).filter((p) => p.startsWith('d/'))).toEqual([]);
    });
  }
  test('a symlink made by the same layer is not followed by a later whiteout', async () => {
    const r = await applied(lowerTree, [{ path: 'd', type: 'symlink', linkname: 'etc' }, { path: 'd/.wh.passwd' }]);
    expect(r['etc/passwd']).toBe('file 644 0:0 "root"');
    expect(r['d']).toBe('symlink 0:0 -> etc');
  });
});
