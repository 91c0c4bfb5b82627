/**
 * Test images built with the real umoci (several layers, whiteouts, an
 * opaque directory, hardlinks, symlinks), and a tree walk to compare
 * unpacked root filesystems.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function run(cmd: string, args: string[], opts: { cwd?: string } = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

export function tmp(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `layerfs-${prefix}-`));
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const rootless = isRoot ? [] : ['--rootless'];

export function umociUnpack(layout: string, tag: string, bundle: string): string {
  run('umoci', ['unpack', ...rootless, '--image', `${layout}:${tag}`, bundle]);
  return path.join(bundle, 'rootfs');
}

/**
 * An OCI layout at `dir` with image `tag` of four layers:
 *  1. files, a directory tree, a symlink, a hardlink pair
 *  2. deletions (a file and a whole directory: whiteouts) and a modified file
 *  3. `umoci insert --opaque` over /opq (an opaque directory)
 *  4. a new file under a directory of layer 1
 */
export function buildUmociImage(dir: string, tag = 'base', opts: { insert?: boolean } = {}): string {
  const work = tmp('umoci-work');
  run('umoci', ['init', '--layout', dir]);
  run('umoci', ['new', '--image', `${dir}:${tag}`]);
  const bundle = path.join(work, 'bundle');
  let rootfs = umociUnpack(dir, tag, bundle);
  fs.writeFileSync(path.join(rootfs, 'a.txt'), 'alpha\n');
  fs.mkdirSync(path.join(rootfs, 'dir/sub'), { recursive: true });
  fs.writeFileSync(path.join(rootfs, 'dir/sub/file'), 'deep\n');
  fs.writeFileSync(path.join(rootfs, 'dir/keep'), 'keep\n');
  fs.mkdirSync(path.join(rootfs, 'gone'));
  fs.writeFileSync(path.join(rootfs, 'gone/x'), 'x\n');
  fs.writeFileSync(path.join(rootfs, 'del.txt'), 'delete me\n');
  fs.symlinkSync('a.txt', path.join(rootfs, 'link'));
  fs.symlinkSync('/dir/sub', path.join(rootfs, 'abslink'));
  fs.linkSync(path.join(rootfs, 'dir/keep'), path.join(rootfs, 'hard'));
  fs.mkdirSync(path.join(rootfs, 'opq'));
  fs.writeFileSync(path.join(rootfs, 'opq/old1'), 'old1\n');
  fs.writeFileSync(path.join(rootfs, 'opq/old2'), 'old2\n');
  fs.chmodSync(path.join(rootfs, 'a.txt'), 0o640);
  run('umoci', ['repack', '--image', `${dir}:${tag}`, bundle]);
  fs.rmSync(bundle, { recursive: true, force: true });

  rootfs = umociUnpack(dir, tag, bundle);
  fs.rmSync(path.join(rootfs, 'del.txt'));
  fs.rmSync(path.join(rootfs, 'gone'), { recursive: true });
  fs.writeFileSync(path.join(rootfs, 'a.txt'), 'alpha, changed\n');
  fs.writeFileSync(path.join(rootfs, 'dir/sub/new'), 'new\n');
  run('umoci', ['repack', '--image', `${dir}:${tag}`, bundle]);
  fs.rmSync(bundle, { recursive: true, force: true });

  if (opts.insert === false) {
    fs.rmSync(work, { recursive: true, force: true });
    return dir;
  }
  const src = path.join(work, 'opqsrc');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'fresh'), 'fresh\n');
  run('umoci', ['insert', '--opaque', '--image', `${dir}:${tag}`, src, '/opq']);

  // umoci 0.4.7 `insert` of a single file writes a tar that ends inside the
  // entry's padding (GNU tar calls it an unexpected EOF): CONFORMANCE 6.
  const src2 = path.join(work, 'more');
  fs.writeFileSync(src2, 'more\n');
  run('umoci', ['insert', '--image', `${dir}:${tag}`, src2, '/dir/more']);
  fs.rmSync(work, { recursive: true, force: true });
  return dir;
}

export interface WalkEntry {
  type: string;
  mode: number;
  size: number;
  sha?: string;
  link?: string;
}

/** Every path below `root` with its type, mode, size, content hash and link target. Hardlinks show as files with equal content. */
export function walkTree(root: string): Record<string, WalkEntry> {
  const out: Record<string, WalkEntry> = {};
  const visit = (rel: string) => {
    const p = path.join(root, rel);
    const st = fs.lstatSync(p);
    const e: WalkEntry = { type: st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : 'other', mode: st.mode & 0o7777, size: st.isFile() ? st.size : 0 };
    if (st.isFile()) e.sha = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    if (st.isSymbolicLink()) e.link = fs.readlinkSync(p);
    if (rel !== '') out[rel] = e;
    if (st.isDirectory()) for (const n of fs.readdirSync(p).sort()) visit(rel ? `${rel}/${n}` : n);
  };
  visit('');
  return out;
}

/** Groups of paths that are one inode (hardlinks). */
export function hardlinkGroups(root: string): string[][] {
  const by = new Map<string, string[]>();
  const visit = (rel: string) => {
    const p = path.join(root, rel);
    const st = fs.lstatSync(p);
    if (st.isFile() && st.nlink > 1) by.set(`${st.dev}:${st.ino}`, [...(by.get(`${st.dev}:${st.ino}`) ?? []), rel]);
    if (st.isDirectory()) for (const n of fs.readdirSync(p).sort()) visit(rel ? `${rel}/${n}` : n);
  };
  visit('');
  return [...by.values()].map((g) => g.sort()).sort();
}
