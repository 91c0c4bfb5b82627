/**
 * MemoryTree's node handling (src/tree/nodes.ts, shared with OpfsTree, whose
 * test compares it with MemoryTree): fixed expectations, so a change in the
 * shared helpers cannot pass by breaking both trees alike.
 */
import { describe, expect, it } from 'vitest';
import { MemoryTree } from '../../src/tree/memory.js';
import type { TreeEntry } from '../../src/tree/types.js';

const enc = new TextEncoder();

async function list(t: MemoryTree, under?: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  for await (const e of t.walk(under)) out.push(e);
  return out;
}

describe('MemoryTree nodes', () => {
  it('walks pre-order with "/" ranked first (a/b before a.b and a-b), the root not listed', async () => {
    const t = await MemoryTree.from([{ path: 'a.b', content: '' }, { path: 'a-b', content: '' }, { path: 'a/b', content: '' }, { path: 'a/a', content: '' }, { path: 'Z' }]);
    expect((await list(t)).map((e) => e.path)).toEqual(['Z', 'a', 'a/a', 'a/b', 'a-b', 'a.b']);
    expect((await list(t, 'a')).map((e) => e.path)).toEqual(['a', 'a/a', 'a/b']);
    expect((await list(t, 'a.b')).map((e) => e.path)).toEqual(['a.b']);
    expect(await list(t, 'nope')).toEqual([]);
  });

  it('new nodes get the default modes and zero owners; the given mode is cut to 07777', async () => {
    const t = new MemoryTree();
    await t.mkdir('d');
    await t.writeFile('d/f', enc.encode('xyz'));
    await t.symlink('d/s', '../f');
    await t.mknod('d/c', 'char', 1, 3, { mode: 0o100666 });
    await t.mknod('d/p', 'fifo', 7, 7);
    const byPath = Object.fromEntries((await list(t)).map((e) => [e.path, e]));
    expect(byPath['d']).toMatchObject({ type: 'directory', mode: 0o755, size: 0, uid: 0, gid: 0, uname: '', gname: '', mtime: 0, linkname: '' });
    expect(byPath['d/f']).toMatchObject({ type: 'file', mode: 0o644, size: 3 });
    expect(byPath['d/s']).toMatchObject({ type: 'symlink', mode: 0o777, linkname: '../f', size: 0 });
    expect(byPath['d/c']).toMatchObject({ type: 'char', mode: 0o666, devmajor: 1, devminor: 3 });
    // a FIFO has no device numbers
    expect(byPath['d/p']).toMatchObject({ type: 'fifo', devmajor: 0, devminor: 0 });
    expect(Object.values(byPath).every((e) => e.linkKey === undefined)).toBe(true);
  });

  it('setMeta changes only what it names; xattrs are copied in and out', async () => {
    const t = new MemoryTree();
    const x = { 'user.a': enc.encode('1') };
    await t.writeFile('f', enc.encode(''), { mode: 0o600, uid: 5, gid: 6, uname: 'u', gname: 'g', mtime: 9, xattrs: x });
    x['user.a'][0] = 0x39;
    await t.setMeta('f', { uid: 7 });
    const e = (await t.lstat('f'))!;
    expect(e).toMatchObject({ mode: 0o600, uid: 7, gid: 6, uname: 'u', gname: 'g', mtime: 9 });
    expect(e.xattrs).toEqual({ 'user.a': enc.encode('1') });
    e.xattrs['user.a']![0] = 0x39;
    expect((await t.lstat('f'))!.xattrs).toEqual({ 'user.a': enc.encode('1') });
    await t.setMeta('f', { mode: 0o4755, xattrs: {} });
    expect(await t.lstat('f')).toMatchObject({ mode: 0o4755, uid: 7, xattrs: {} });
    await expect(t.setMeta('missing', { uid: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('hardlinks share one node and a linkKey, which goes when one name is left', async () => {
    const t = new MemoryTree();
    await t.writeFile('a', enc.encode('hi'));
    await t.link('b', 'a');
    const [a, b] = await list(t);
    expect(a!.linkKey).toBeDefined();
    expect(b!.linkKey).toBe(a!.linkKey);
    await t.setMeta('b', { uid: 3 });
    expect((await t.lstat('a'))!.uid).toBe(3);
    await t.remove('a');
    expect((await t.lstat('b'))!.linkKey).toBeUndefined();
  });

  it('lookups are literal and parents must be directories: typed errors', async () => {
    const t = await MemoryTree.from([{ path: 'd/f', content: 'x' }, { path: 'l', type: 'symlink', linkname: 'd' }]);
    expect(await t.lstat('l/f')).toBeUndefined();
    await expect(t.mkdir('')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(t.writeFile('d/f/g', enc.encode(''))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(t.mkdir('l/x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(t.mkdir('d')).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
  });

  it('a walk lists the subtree first, so the tree can change while it walks', async () => {
    const t = await MemoryTree.from([{ path: 'a', content: '1' }, { path: 'b', content: '2' }]);
    const seen: string[] = [];
    for await (const e of t.walk()) {
      seen.push(e.path);
      if (e.path === 'a') await t.remove('b');
    }
    expect(seen).toEqual(['a', 'b']);
  });
});
