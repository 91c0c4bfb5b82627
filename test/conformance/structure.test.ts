/**
 * CONFORMANCE.md rules 13-17: type changes, implied and re-emitted parents,
 * duplicates, hardlinks and directory mtimes.
 */
import { lstatSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { InvalidTarError, UnsafePathError } from '../../src/errors/index.js';
import { applyLayer } from '../../src/layer/apply.js';
import { MemoryTree } from '../../src/tree/memory.js';
import { NodeDirTree } from '../../src/tree/node-dir.js';
import { makeLayer, snapshot } from '../layer/helpers.js';
import { applied, orders } from './helpers.js';

const lower = [
  { path: 'd/a', content: 'A' },
  { path: 'd/sub/deep', content: 'deep' },
  { path: 'f', content: 'F' },
  { path: 'bin/sh', content: 'shell' },
];

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('rule 13: type changes', () => {
  test('a non-directory replaces a lower directory and its whole subtree', async () => {
    for (const entry of [
      { path: 'd', content: 'file now' },
      { path: 'd', type: 'symlink' as const, linkname: 'f' },
      { path: 'd', type: 'fifo' as const },
    ]) {
      const r = await applied(lower, [entry]);
      expect(Object.keys(r).filter((p) => p.startsWith('d'))).toEqual(['d']);
      expect(r['d']!.startsWith(entry.type ?? 'file')).toBe(true);
    }
  });
  test('a directory replaces a lower file', async () => {
    const r = await applied(lower, [{ path: 'f/', type: 'directory', mode: 0o711 }, { path: 'f/x', content: 'x' }]);
    expect(r['f']).toBe('directory 711 0:0');
    expect(r['f/x']).toBe('file 644 0:0 "x"');
  });
  test('a directory over a directory merges: attributes replaced, children kept', async () => {
    const r = await applied(lower, [{ path: 'd/', type: 'directory', mode: 0o700, uid: 5 }, { path: 'd/b', content: 'B' }]);
    expect(r['d']).toBe('directory 700 5:0');
    expect(Object.keys(r).filter((p) => p.startsWith('d/'))).toEqual(['d/a', 'd/b', 'd/sub', 'd/sub/deep']);
  });
});

describe('rule 14: implied parents exist with mode 0755', () => {
  test('an entry whose parents have no entry', async () => {
    const r = await applied([], [{ path: 'x/y/z', content: 'z', mode: 0o600 }]);
    expect(r).toEqual({ x: 'directory 755 0:0', 'x/y': 'directory 755 0:0', 'x/y/z': 'file 600 0:0 "z"' });
  });
});

describe('rule 15: re-emitted unchanged parents are dir-over-dir', () => {
  test('re-emitting d/ keeps its lower children', async () => {
    const r = await applied(lower, [{ path: 'd/', type: 'directory' }, { path: 'd/sub/', type: 'directory' }, { path: 'd/sub/new', content: 'n' }]);
    expect(Object.keys(r).filter((p) => p.startsWith('d'))).toEqual(['d', 'd/a', 'd/sub', 'd/sub/deep', 'd/sub/new']);
  });
});

describe('rule 16: duplicates — the last one wins', () => {
  test('file then file', async () => {
    const r = await applied([], [{ path: 'x', content: 'one' }, { path: 'x', content: 'two', mode: 0o600 }]);
    expect(r['x']).toBe('file 600 0:0 "two"');
  });
  for (const [name, layer] of orders([{ path: 'x/', type: 'directory' as const }, { path: 'x/child', content: 'c' }], [{ path: 'x', content: 'file' }])) {
    test(`directory and file at one path (${name})`, async () => {
      const r = await applied([], layer);
      const last = layer[layer.length - 1]!;
      if (last.path === 'x') expect(r).toEqual({ x: 'file 644 0:0 "file"' });
      else expect(r).toEqual({ x: 'directory 755 0:0', 'x/child': 'file 644 0:0 "c"' });
    });
  }
  test('directory then directory merges, last attributes win', async () => {
    const r = await applied([], [{ path: 'x/', type: 'directory', mode: 0o700 }, { path: 'x/a', content: 'a' }, { path: 'x/', type: 'directory', mode: 0o750 }]);
    expect(r).toEqual({ x: 'directory 750 0:0', 'x/a': 'file 644 0:0 "a"' });
  });
  test('a duplicate file does not write through an earlier hardlink to it', async () => {
    const r = await applied([], [{ path: 'a', content: 'one' }, { path: 'b', type: 'hardlink', linkname: 'a' }, { path: 'b', content: 'two' }]);
    expect(r['a']).toBe('file 644 0:0 "one"');
    expect(r['b']).toBe('file 644 0:0 "two"');
  });
});

describe('rule 17: hardlinks and directory mtimes', () => {
  test('target earlier in the same layer', async () => {
    const t = new MemoryTree();
    await applyLayer(makeLayer([{ path: 'a', content: 'x' }, { path: 'b', type: 'hardlink', linkname: 'a' }]), t);
    const s = await snapshot(t);
    expect(s['b']).toContain('link=a');
  });
  test('target in a lower layer (unchanged by this one)', async () => {
    const r = await applied(lower, [{ path: 'usr/bin/sh', type: 'hardlink', linkname: 'bin/sh' }]);
    expect(r['usr/bin/sh']).toBe('file 644 0:0 "shell" link=bin/sh');
  });
  test('target missing: INVALID_TAR naming the entry', async () => {
    const err = await applyLayer(makeLayer([{ path: 'b', type: 'hardlink', linkname: 'nope' }]), new MemoryTree()).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidTarError);
    expect(err.data.path).toBe('b');
  });
  test('target escaping the root: UNSAFE_PATH', async () => {
    const err = await applyLayer(makeLayer([{ path: 'b', type: 'hardlink', linkname: '../../etc/passwd' }]), new MemoryTree()).catch((e) => e);
    expect(err).toBeInstanceOf(UnsafePathError);
    expect(err.code).toBe('UNSAFE_PATH');
  });
  test('directory mtimes are set after their children are written (on disk)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerfs-rule17-'));
    dirs.push(dir);
    await applyLayer(
      makeLayer([
        { path: 'd/', type: 'directory', mtime: 1000 },
        { path: 'd/e/', type: 'directory', mtime: 2000.5 },
        { path: 'd/e/f', content: 'f', mtime: 3000 },
        { path: 'd/g', content: 'g', mtime: 4000 },
      ]),
      new NodeDirTree(dir),
    );
    expect(lstatSync(join(dir, 'd'), { bigint: true }).mtimeNs).toBe(1000_000000000n);
    expect(lstatSync(join(dir, 'd/e'), { bigint: true }).mtimeNs).toBe(2000_500000000n);
    expect(lstatSync(join(dir, 'd/g'), { bigint: true }).mtimeNs).toBe(4000_000000000n);
  });
});
