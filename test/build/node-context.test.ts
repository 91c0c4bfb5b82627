/**
 * Node directory contexts as the build reads them: the listing (split
 * between this thread and the hash worker) in comparePaths order with the
 * attributes lstat gives, digestMany (split the same way) equal to
 * node:crypto over each file, transient reads, and NOT_FOUND for files that
 * vanished.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeContext } from '../../src/build/node.js';
import { comparePaths } from '../../src/layer/path.js';
import { prng } from '../helpers/prng.js';

let dir: string;
const contents = new Map<string, Buffer>();

/** The listing the context must give, computed the plain way: recursive readdir + lstat, then sorted. */
function referenceListing(root: string): Array<{ path: string; type: string; mode: number; size: number; linkname: string }> {
  const out: Array<{ path: string; type: string; mode: number; size: number; linkname: string }> = [];
  const visit = (rel: string) => {
    for (const name of fs.readdirSync(path.join(root, rel))) {
      const p = rel ? `${rel}/${name}` : name;
      const st = fs.lstatSync(path.join(root, p));
      if (st.isDirectory()) {
        out.push({ path: p, type: 'directory', mode: st.mode & 0o7777, size: 0, linkname: '' });
        visit(p);
      } else if (st.isFile()) out.push({ path: p, type: 'file', mode: st.mode & 0o7777, size: st.size, linkname: '' });
      else if (st.isSymbolicLink()) out.push({ path: p, type: 'symlink', mode: 0o777, size: 0, linkname: fs.readlinkSync(path.join(root, p)) });
    }
  };
  visit('');
  return out.sort((a, b) => comparePaths(a.path, b.path));
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerfs-node-context-'));
  const rand = prng(5);
  // Several top-level directories (some listed by the worker), names that sort differently with '/' first.
  for (const top of ['a', 'a-b', 'a.b', 'b', 'c', 'zz']) {
    for (let i = 0; i < 30; i++) {
      const rel = `${top}/${i % 3 === 0 ? 'sub/' : ''}${i % 5 === 0 ? 'x-' : 'x/'}f${i}`;
      fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
      const n = Math.floor(rand() * 200_000);
      const b = Buffer.alloc(n);
      for (let k = 0; k < n; k += 97) b[k] = Math.floor(rand() * 256);
      fs.writeFileSync(path.join(dir, rel), b, { mode: i % 2 ? 0o600 : 0o644 });
      contents.set(rel, b);
    }
  }
  const big = Buffer.alloc(9 * 1024 * 1024 + 17, 7); // bigger than the 4 MiB read buffer: hashed in pieces
  fs.writeFileSync(path.join(dir, 'big.bin'), big);
  contents.set('big.bin', big);
  fs.writeFileSync(path.join(dir, 'top.txt'), 'top');
  contents.set('top.txt', Buffer.from('top'));
  fs.symlinkSync('a/sub', path.join(dir, 'b', 'to-a'));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('nodeContext', () => {
  it('lists every entry in comparePaths order, with the attributes lstat gives', async () => {
    const ctx = await nodeContext(dir);
    const listed = await ctx.list();
    expect(listed.map(({ path, type, mode, size, linkname }) => ({ path, type, mode, size, linkname }))).toEqual(referenceListing(dir));
  });

  it('digestMany gives node:crypto sha256 of every file, in order, across the worker split', async () => {
    const ctx = await nodeContext(dir);
    const files = (await ctx.list()).filter((e) => e.type === 'file');
    expect(files.reduce((n, e) => n + e.size, 0)).toBeGreaterThan(4 << 20); // big enough to be split
    const digests = await ctx.digestMany!(
      files.map((e) => e.path),
      files.map((e) => e.size),
    );
    expect(digests).toEqual(files.map((e) => `sha256:${createHash('sha256').update(contents.get(e.path)!).digest('hex')}`));
  });

  it('readTransient returns the content (and what a file holds now if it grew since it was listed)', async () => {
    const ctx = await nodeContext(dir);
    const files = (await ctx.list()).filter((e) => e.type === 'file' && e.size > 0).slice(0, 5);
    for (const e of files) expect(Buffer.from(ctx.readTransient!(e.path, e.size)!).equals(contents.get(e.path)!)).toBe(true);
    const p = path.join(dir, 'grow.txt');
    fs.writeFileSync(p, 'abc');
    const ctx2 = await nodeContext(dir);
    const e = (await ctx2.list()).find((x) => x.path === 'grow.txt')!;
    fs.writeFileSync(p, 'abcdef');
    expect(Buffer.from(ctx2.readTransient!(e.path, e.size)!).toString()).toBe('abcdef');
    fs.rmSync(p);
  });

  it('fails with NOT_FOUND naming a file that vanished, on either side of the split', async () => {
    const ctx = await nodeContext(dir);
    const files = (await ctx.list()).filter((e) => e.type === 'file');
    for (const missing of [files[0]!.path, files[files.length - 1]!.path]) {
      const paths = files.map((e) => (e.path === missing ? `${e.path}.gone` : e.path));
      await expect(ctx.digestMany!(paths, files.map((e) => e.size))).rejects.toMatchObject({ code: 'NOT_FOUND', data: { path: `${missing}.gone` } });
    }
    expect(() => ctx.readTransient!('nope.txt', 3)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
