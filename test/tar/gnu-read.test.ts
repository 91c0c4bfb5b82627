/**
 * Tars written by GNU tar (the reference) in its pax, gnu and ustar formats
 * are read correctly: names (long, non-ASCII), link names, ids, mtimes,
 * devices, FIFOs, hardlinks, xattrs, content and offsets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkSync, lstatSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { requireTools } from '../helpers/tools.js';
import { parseTarSync, readTar } from '../../src/tar/index.js';
import { gnuTar, streamOf, tempDir } from './helpers.js';

const longDir = 'd'.repeat(90) + '/' + 'e'.repeat(90) + '/' + 'f'.repeat(90); // 272 bytes
const longName = `${longDir}/${'n'.repeat(120)}.txt`; // > 255 bytes, and a component > 100
const longTarget = 't'.repeat(150) + '/target';

let root: string;
let tree: string;
let cleanup: () => void;

/** What lstat says, in TarHeader terms, for a path in the tree. */
function expected(rel: string) {
  const st = lstatSync(join(tree, rel), { bigint: true });
  const mode = Number(st.mode);
  const fmt = mode & 0o170000;
  const type =
    fmt === 0o040000 ? 'directory' : fmt === 0o120000 ? 'symlink' : fmt === 0o020000 ? 'char' : fmt === 0o010000 ? 'fifo' : 'file';
  return { type, mode: mode & 0o7777, size: type === 'file' ? Number(st.size) : 0, mtimeNs: st.mtimeNs };
}

beforeAll(() => {
  requireTools('tar');
  ({ dir: root, cleanup } = tempDir());
  tree = join(root, 'tree');
  mkdirSync(join(tree, longDir), { recursive: true });
  writeFileSync(join(tree, longName), 'long name content\n');
  writeFileSync(join(tree, 'small.txt'), 'hello\n');
  writeFileSync(join(tree, 'big.bin'), Buffer.alloc(70000, 0x5a));
  writeFileSync(join(tree, 'ünïcødé.txt'), 'utf8 name\n');
  linkSync(join(tree, 'small.txt'), join(tree, 'hard.txt'));
  symlinkSync(longTarget, join(tree, 'longlink'));
  symlinkSync('small.txt', join(tree, 'shortlink'));
  execFileSync('mkfifo', [join(tree, 'fifo')]);
  execFileSync('mknod', [join(tree, 'null'), 'c', '1', '3']);
  // Sub-second mtimes (pax keeps nanoseconds; gnu and ustar whole seconds).
  utimesSync(join(tree, 'small.txt'), 1700000000.25, 1700000000.25);
  utimesSync(join(tree, 'big.bin'), 1600000000.5, 1600000000.5);
});
afterAll(() => cleanup?.());

const names = ['.', 'small.txt', 'big.bin', 'ünïcødé.txt', 'hard.txt', 'longlink', 'shortlink', 'fifo', 'null', longName];

function makeTar(format: string, extra: string[] = []): Buffer {
  const file = join(root, `${format}-${extra.length}.tar`);
  gnuTar(['--format', format, '--no-recursion', ...extra, '-cf', file, '-C', tree, ...names]);
  return readFileSync(file);
}

/** GNU tar's own list of names, to compare with ours. */
function gnuList(tar: Buffer): string[] {
  return gnuTar(['--quoting-style=literal', '-tf', '-'], { input: tar }).toString('utf8').split('\n').filter(Boolean);
}

describe.each(['pax', 'gnu'])('GNU tar --format=%s', (format) => {
  it('lists the same names as GNU tar and matches lstat for every entry', async () => {
    const tar = makeTar(format, ['--owner=bob:3000000', '--group=staff:4000000']);
    const entries = parseTarSync(tar);
    expect(entries.map((e) => e.header.path)).toEqual(gnuList(tar));
    const byPath = new Map(entries.map((e) => [e.header.path.replace(/\/$/, '').replace(/^\.\/?/, ''), e]));
    for (const rel of names.filter((n) => n !== '.' && n !== 'hard.txt' && n !== 'small.txt')) {
      const e = byPath.get(rel);
      expect(e, rel).toBeDefined();
      const want = expected(rel);
      const h = e!.header;
      expect([h.type, h.mode, h.size], rel).toEqual([want.type, want.mode, want.size]);
      // base-256 (gnu) or PAX (pax) ids beyond ustar's 2097151
      expect([h.uid, h.gid, h.uname, h.gname], rel).toEqual([3000000, 4000000, 'bob', 'staff']);
      // PAX keeps nanoseconds; a double holds them to well under a microsecond at today's epoch.
      if (format === 'pax') expect(Math.abs(h.mtime * 1e9 - Number(want.mtimeNs)), rel).toBeLessThan(1000);
      else expect(h.mtime, rel).toBe(Number(want.mtimeNs / 1000000000n));
      if (want.type === 'file') {
        expect(Buffer.from(e!.data).equals(readFileSync(join(tree, rel))), rel).toBe(true);
        expect(Buffer.from(tar.subarray(e!.offset, e!.offset + h.size)).equals(readFileSync(join(tree, rel)))).toBe(true);
      }
    }
    expect(byPath.get('longlink')!.header.linkname).toBe(longTarget);
    expect(byPath.get('shortlink')!.header.linkname).toBe('small.txt');
    // Command-line order: small.txt holds the content, hard.txt links to it.
    const first = byPath.get('small.txt')!;
    expect([first.header.type, Buffer.from(first.data).toString()]).toEqual(['file', 'hello\n']);
    expect(first.header.mtime).toBe(format === 'pax' ? 1700000000.25 : 1700000000);
    const hard = byPath.get('hard.txt')!.header;
    expect([hard.type, hard.linkname, hard.size]).toEqual(['hardlink', 'small.txt', 0]);
    const dev = byPath.get('null')!.header;
    expect([dev.devmajor, dev.devminor]).toEqual([1, 3]);
  });

  it('reads the same through the stream adapter in small chunks', async () => {
    const tar = makeTar(format);
    const sync = parseTarSync(tar);
    const streamed = await readTar(streamOf(tar, 333));
    expect(streamed.map((e) => [e.header, e.offset, Buffer.from(e.data).toString('hex')])).toEqual(
      sync.map((e) => [e.header, e.offset, Buffer.from(e.data).toString('hex')]),
    );
  });
});

describe('GNU tar --format=ustar', () => {
  it('reads prefix-split names, devices, FIFOs and links', () => {
    const shortNames = ['small.txt', 'big.bin', 'hard.txt', 'shortlink', 'fifo', 'null', `${'d'.repeat(90)}/${'e'.repeat(90)}`];
    const file = join(root, 'ustar.tar');
    gnuTar(['--format', 'ustar', '--no-recursion', '-cf', file, '-C', tree, ...shortNames]);
    const tar = readFileSync(file);
    const entries = parseTarSync(tar);
    expect(entries.map((e) => e.header.path)).toEqual(gnuList(tar));
    expect(entries.find((e) => e.header.path.startsWith('ddd'))!.header.path).toBe(`${'d'.repeat(90)}/${'e'.repeat(90)}/`);
    const h = entries.find((e) => e.header.path === 'null')!.header;
    expect([h.type, h.devmajor, h.devminor]).toEqual(['char', 1, 3]);
    expect(entries.find((e) => e.header.path === 'fifo')!.header.type).toBe('fifo');
  });
});

describe('GNU tar xattrs', () => {
  it('reads SCHILY.xattr records written by GNU tar --xattrs', () => {
    const file = join(root, 'xattr.tar');
    gnuTar(['--format', 'pax', '--pax-option=SCHILY.xattr.user.color:=blue', '--pax-option=SCHILY.xattr.security.selinux:=system_u', '-cf', file, '-C', tree, 'small.txt']);
    const tar = readFileSync(file);
    // GNU tar agrees that these are xattrs of the entry
    const listing = gnuTar(['--xattrs', '-tvvf', '-'], { input: tar }).toString();
    expect(listing).toContain('user.color');
    const [e] = parseTarSync(tar);
    expect(Object.fromEntries(Object.entries(e!.header.xattrs).map(([k, v]) => [k, Buffer.from(v).toString()]))).toEqual({
      'user.color': 'blue',
      'security.selinux': 'system_u',
    });
  });
});
