/**
 * OpfsTree (the OPFS store's areas) against MemoryTree: the same random
 * operations give the same walk and the same bytes, before and after the
 * tree is reopened from its directory; a layer applied to both gives the
 * same tree. Runs on an in-memory stand-in of the File System Access API.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readAll } from '../../src/image/hashing.js';
import { applyLayer } from '../../src/layer/apply.js';
import { OpfsTree } from '../../src/store/opfs-tree.js';
import { encodeTar, tarHeader } from '../../src/tar/index.js';
import { MemoryTree } from '../../src/tree/memory.js';
import type { Tree } from '../../src/tree/types.js';
import { FakeDir } from './fake-opfs.js';

const enc = new TextEncoder();
const names = ['a', 'b', 'c'];
const pathArb = fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }).map((p) => p.join('/'));
const op = fc.oneof(
  fc.record({ k: fc.constant('mkdir' as const), p: pathArb, mode: fc.integer({ min: 0, max: 0o777 }) }),
  fc.record({ k: fc.constant('write' as const), p: pathArb, data: fc.string({ maxLength: 20 }), mtime: fc.integer({ min: 0, max: 1e9 }) }),
  fc.record({ k: fc.constant('symlink' as const), p: pathArb, t: fc.string({ maxLength: 8 }) }),
  fc.record({ k: fc.constant('link' as const), p: pathArb, t: pathArb }),
  fc.record({ k: fc.constant('fifo' as const), p: pathArb }),
  fc.record({ k: fc.constant('rm' as const), p: fc.oneof(pathArb, fc.constant('')) }),
  fc.record({ k: fc.constant('meta' as const), p: pathArb, uid: fc.integer({ min: 0, max: 70000 }), x: fc.boolean() }),
);

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

async function apply(t: Tree, o: Op): Promise<string> {
  try {
    switch (o.k) {
      case 'mkdir':
        await t.mkdir(o.p, { mode: o.mode });
        break;
      case 'write':
        await t.writeFile(o.p, enc.encode(o.data), { mtime: o.mtime });
        break;
      case 'symlink':
        await t.symlink(o.p, o.t);
        break;
      case 'link':
        await t.link(o.p, o.t);
        break;
      case 'fifo':
        await t.mknod(o.p, 'fifo', 0, 0);
        break;
      case 'rm':
        await t.remove(o.p);
        break;
      case 'meta':
        await t.setMeta(o.p, { uid: o.uid, xattrs: o.x ? { 'user.k': enc.encode('v') } : {} });
        break;
    }
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? 'crash';
  }
}

async function snapshot(t: Tree) {
  const out: unknown[] = [];
  const groups = new Map<string, string[]>();
  for await (const e of t.walk()) {
    const { linkKey, xattrs, ...rest } = e;
    const body = e.type === 'file' ? new TextDecoder().decode(await readAll(t.readFile(e.path))) : undefined;
    out.push({ ...rest, xattrs: Object.fromEntries(Object.entries(xattrs).map(([k, v]) => [k, [...v]])), body });
    if (linkKey) groups.set(linkKey, [...(groups.get(linkKey) ?? []), e.path]);
  }
  return { out, links: [...groups.values()].map((g) => g.join(',')).sort() };
}

describe('OpfsTree', () => {
  it('behaves like MemoryTree and survives a reopen', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        const dir = new FakeDir('area');
        const o = await OpfsTree.open(dir as unknown as FileSystemDirectoryHandle);
        const m = new MemoryTree();
        for (const x of ops) expect(await apply(o, x)).toBe(await apply(m, x));
        const want = await snapshot(m);
        expect(await snapshot(o)).toEqual(want);
        const reopened = await OpfsTree.open(dir as unknown as FileSystemDirectoryHandle);
        expect(await snapshot(reopened)).toEqual(want);
        // removed files leave no data behind
        const data = dir.children.get('data') as FakeDir | undefined;
        const files = want.out.filter((e) => (e as { type: string }).type === 'file').length;
        expect((data?.children.size ?? 0)).toBeLessThanOrEqual(files);
      }),
      { numRuns: 150 },
    );
  });

  it('a walk survives removals made while it runs, reporting what it listed, as MemoryTree does', async () => {
    const seen: Record<string, string[]> = {};
    for (const t of [await OpfsTree.open(new FakeDir('w') as unknown as FileSystemDirectoryHandle), new MemoryTree()]) {
      await t.mkdir('d');
      await t.writeFile('d/a', enc.encode('1'));
      await t.writeFile('d/b', enc.encode('22'));
      const paths: string[] = [];
      for await (const e of t.walk()) {
        paths.push(`${e.path}:${e.size}`);
        if (e.path === 'd/a') await t.remove('d');
      }
      seen[t instanceof MemoryTree ? 'memory' : 'opfs'] = paths;
      expect(await t.lstat('d')).toBeUndefined();
    }
    expect(seen['opfs']).toEqual(['d:0', 'd/a:1', 'd/b:2']);
    expect(seen['memory']).toEqual(seen['opfs']);
  });

  it('takes a layer the way MemoryTree does (whiteouts, hardlinks)', async () => {
    const lower = encodeTar([
      { header: tarHeader({ path: 'etc/', type: 'directory' }) },
      { header: tarHeader({ path: 'etc/a', size: 1 }), data: enc.encode('a') },
      { header: tarHeader({ path: 'etc/b', size: 1 }), data: enc.encode('b') },
    ]);
    const upper = encodeTar([
      { header: tarHeader({ path: 'etc/.wh.a', size: 0 }), data: new Uint8Array(0) },
      { header: tarHeader({ path: 'etc/hl', type: 'hardlink', linkname: 'etc/b' }) },
      { header: tarHeader({ path: 'lnk', type: 'symlink', linkname: 'etc/b' }) },
    ]);
    const o = await OpfsTree.open(new FakeDir('x') as unknown as FileSystemDirectoryHandle);
    const m = new MemoryTree();
    for (const t of [o, m]) {
      await applyLayer(lower, t);
      await applyLayer(upper, t);
    }
    expect(await snapshot(o)).toEqual(await snapshot(m));
    expect((await snapshot(o)).links).toEqual(['etc/b,etc/hl']);
  });
});
