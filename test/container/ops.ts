/**
 * Random file operations done both in a container and with node:fs on a
 * real directory (the reference): shared by the container property suite
 * and the container fuzz target.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { expect } from 'vitest';
import { applyLayer, type Container, type Store } from '../../src/index.js';
import { NodeDirTree } from '../../src/node.js';
import type { BASE } from './helpers.js';

/**
 * The base without the symlink that points out of the root (the reference
 * directory cannot keep it inside). Its hardlinks stay: copying up one name
 * of a file with several parts it from the others, and commit must write
 * that parting (the fuzz target's later generations read it back).
 */
export const inRoot = (specs: typeof BASE) => specs.filter((e) => e.path !== 'escape');

/** Applies the image's layers onto a host directory. */
export async function unpack(store: Store, ref: string, dir: string): Promise<void> {
  const img = await store.image(ref);
  const tree = new NodeDirTree(dir);
  for (const l of img.layers) await applyLayer(await store.getBlobBytes(l.digest), tree);
}

/** Entries of the reference directory, without following symlinks: [path, type]. */
export async function entries(root: string): Promise<Array<[string, 'file' | 'directory' | 'symlink']>> {
  const out: Array<[string, 'file' | 'directory' | 'symlink']> = [];
  const visit = async (rel: string) => {
    for (const name of (await fs.readdir(path.join(root, rel))).sort()) {
      const p = rel ? `${rel}/${name}` : name;
      const st = await fs.lstat(path.join(root, p));
      if (st.isDirectory()) {
        out.push([p, 'directory']);
        await visit(p);
      } else out.push([p, st.isSymbolicLink() ? 'symlink' : 'file']);
    }
  };
  await visit('');
  return out;
}

/**
 * Gives `names` (the names of one file) a file of their own: a copy of it,
 * with its owner and mode, under the first name, and the others linked to
 * it. Names of that file not in the list keep the old one.
 */
async function ownFile(root: string, [first, ...rest]: string[]): Promise<number> {
  const h = path.join(root, first!);
  const st = await fs.lstat(h);
  await fs.copyFile(h, `${h}.own`);
  await fs.chown(`${h}.own`, st.uid, st.gid);
  await fs.chmod(`${h}.own`, st.mode & 0o7777);
  await fs.rename(`${h}.own`, h);
  for (const p of rest) {
    await fs.rm(path.join(root, p));
    await fs.link(h, path.join(root, p));
  }
  return (await fs.lstat(h)).ino;
}

/** The files with several names at or below `rel`: inode -> its names there, and its link count. */
async function linkGroups(root: string, rel: string): Promise<Map<number, { names: string[]; nlink: number }>> {
  const groups = new Map<number, { names: string[]; nlink: number }>();
  const visit = async (p: string): Promise<void> => {
    const st = await fs.lstat(path.join(root, p));
    if (st.isDirectory()) {
      for (const name of await fs.readdir(path.join(root, p))) await visit(`${p}/${name}`);
    } else if (st.isFile() && st.nlink > 1) {
      const g = groups.get(st.ino);
      if (g) g.names.push(p);
      else groups.set(st.ino, { names: [p], nlink: st.nlink });
    }
  };
  await visit(rel);
  return groups;
}

/**
 * The reference's side of overlayfs copy-up for a file with several names
 * in the image (the container's lower layers): the first change through
 * one name copies that name up alone, so it stops sharing with the image's
 * other names. Files the container made or copied up (their inodes in
 * `upper`, one set per container) share as in any directory.
 */
async function copyUp(root: string, p: string, upper: Set<number>): Promise<void> {
  const st = await fs.lstat(path.join(root, p));
  if (!st.isFile()) return;
  upper.add(st.nlink > 1 && !upper.has(st.ino) ? await ownFile(root, [p]) : st.ino);
}

/**
 * Before a directory moves: a rename copies everything below it up, names
 * of one file among them staying one file, but not with the image's names
 * of that file outside it. The reference gives such a group its own file.
 */
async function copyUpTree(root: string, dir: string, upper: Set<number>): Promise<void> {
  for (const [ino, { names }] of await linkGroups(root, dir)) if (!upper.has(ino)) upper.add(await ownFile(root, names));
}

/**
 * Before a name moves between the container's layers and a volume (or
 * back): the container copies what it moves, so the moved names stop
 * sharing files with names that stay (names of one file that move together
 * stay one file). The reference gives each such group a file of its own;
 * afterwards everything moved is the volume's or the container's own.
 */
async function partTree(root: string, rel: string): Promise<void> {
  for (const { names, nlink } of (await linkGroups(root, rel)).values()) if (names.length < nlink) await ownFile(root, names);
}

/**
 * Where `rel` leads in the reference, symlinks followed (the last one too)
 * as the container follows them (CONFORMANCE 19: `..` stops at the root, an
 * absolute target starts there); undefined after 40 links.
 */
async function resolveInRoot(root: string, rel: string): Promise<string | undefined> {
  let todo = rel.split('/').filter((x) => x !== '' && x !== '.');
  const done: string[] = [];
  let links = 0;
  while (todo.length) {
    const seg = todo.shift()!;
    if (seg === '..') {
      done.pop();
      continue;
    }
    const p = [...done, seg].join('/');
    const st = await fs.lstat(path.join(root, p)).catch(() => undefined);
    if (st?.isSymbolicLink()) {
      if (++links > 40) return undefined;
      const target = await fs.readlink(path.join(root, p));
      if (target.startsWith('/')) done.length = 0;
      todo = [...target.split('/').filter((x) => x !== '' && x !== '.'), ...todo];
      continue;
    }
    done.push(seg);
  }
  return done.join('/');
}

/** Marks every file below `rel` as the container's or a volume's own (no copy-up from then on). */
export async function markUpper(root: string, rel: string, upper: Set<number>): Promise<void> {
  const st = await fs.lstat(path.join(root, rel));
  if (st.isDirectory()) {
    for (const name of await fs.readdir(path.join(root, rel))) await markUpper(root, rel ? `${rel}/${name}` : name, upper);
  } else if (st.isFile()) upper.add(st.ino);
}

/**
 * One random operation (r: a prng in [0, 1)), done in the container and on
 * the reference directory; logged. `upper`: see copyUp (one set per
 * container). `mount`: where the container mounts a volume, if it does
 * (its files live in the reference's tree at that path, marked upper);
 * the mount point and its parents are never removed or moved, and no
 * hardlink crosses it (the container refuses both).
 */
export async function step(c: Container, root: string, r: () => number, log: string[], upper: Set<number>, mount?: string): Promise<void> {
  const inMount = (p: string) => mount !== undefined && (p === mount || p.startsWith(`${mount}/`));
  const holdsMount = (p: string) => mount !== undefined && (p === mount || p === '' || mount.startsWith(`${p}/`));
  const everything = await entries(root);
  const all = everything.filter(([p]) => !holdsMount(p)); // what may be removed or moved
  const pick = <T>(xs: T[]): T | undefined => (xs.length ? xs[Math.floor(r() * xs.length)] : undefined);
  const dirs = ['', ...everything.filter((e) => e[1] === 'directory').map((e) => e[0])];
  const files = all.filter((e) => e[1] === 'file').map((e) => e[0]);
  /** A new name in a random directory; with `near`, in the same tree (the layers or the volume) as that path. */
  const fresh = (near?: string) => {
    const d = pick(near === undefined ? dirs : dirs.filter((x) => inMount(x) === inMount(near)))!;
    return `${d ? `${d}/` : ''}n${Math.floor(r() * 1e6).toString(36)}`;
  };
  /** Before `src` moves to `dst`: what the container's copy does to the reference's files. */
  const beforeMove = async (src: string, dst: string, type: string) => {
    if (inMount(src) !== inMount(dst)) await partTree(root, src);
    else if (type === 'directory') await copyUpTree(root, src, upper);
    else await copyUp(root, src, upper);
  };
  const host = (p: string) => path.join(root, p);
  const kind = Math.floor(r() * 13);
  if (kind === 0 || (kind === 1 && files.length === 0)) {
    const p = fresh();
    const data = `new ${p} ${r()}`;
    log.push(`write new ${p}`);
    await c.writeFile(`/${p}`, data, { mode: 0o644 });
    await fs.writeFile(host(p), data, { mode: 0o644 });
    await fs.chmod(host(p), 0o644); // whatever the umask
  } else if (kind === 1) {
    const p = pick(files)!;
    const data = `changed ${r()}`;
    log.push(`write ${p}`);
    await c.writeFile(`/${p}`, data);
    await copyUp(root, p, upper);
    await fs.writeFile(host(p), data);
  } else if (kind === 2) {
    const p = fresh();
    log.push(`mkdir ${p}`);
    await c.mkdir(`/${p}`, { mode: 0o755 });
    await fs.mkdir(host(p), { mode: 0o755 });
    await fs.chmod(host(p), 0o755);
  } else if (kind === 3 && all.length) {
    const [p] = pick(all)!;
    log.push(`rm -r ${p}`);
    await c.rm(`/${p}`, { recursive: true });
    await fs.rm(host(p), { recursive: true });
  } else if (kind === 4 && all.length) {
    const [src, type] = pick(all)!;
    const targets = dirs.filter((d) => type !== 'directory' || (d !== src && !d.startsWith(`${src}/`)));
    const d = pick(targets)!;
    const dst = `${d ? `${d}/` : ''}m${Math.floor(r() * 1e6).toString(36)}`;
    log.push(`rename ${src} ${dst}`);
    await c.rename(`/${src}`, `/${dst}`);
    await beforeMove(src, dst, type);
    await fs.rename(host(src), host(dst));
    if (inMount(src) !== inMount(dst)) await markUpper(root, dst, upper);
  } else if (kind === 5 && everything.some((e) => e[1] !== 'symlink')) {
    const cands = everything.filter((e) => e[1] !== 'symlink');
    const [p, type] = pick(cands)!;
    const mode = type === 'directory' ? pick([0o700, 0o755, 0o750])! : pick([0o600, 0o644, 0o755, 0o640])!;
    log.push(`chmod ${mode.toString(8)} ${p}`);
    await c.chmod(`/${p}`, mode);
    await copyUp(root, p, upper);
    await fs.chmod(host(p), mode);
  } else if (kind === 6) {
    const p = fresh();
    const target = pick(['etc/motd', '../x', 'nowhere', 'usr/share', '/etc/motd', '/usr/share/doc'])!;
    log.push(`symlink ${target} ${p}`);
    await c.symlink(target, `/${p}`);
    await fs.symlink(target, host(p));
  } else if (kind === 7 && dirs.slice(1).some((d) => !holdsMount(d))) {
    // A directory deleted and made again (opaque in the writable layer).
    const p = pick(dirs.slice(1).filter((d) => !holdsMount(d)))!;
    log.push(`rm -r + mkdir ${p}`);
    await c.rm(`/${p}`, { recursive: true });
    await c.mkdir(`/${p}`, { mode: 0o755 });
    await fs.rm(host(p), { recursive: true });
    await fs.mkdir(host(p), { mode: 0o755 });
    await fs.chmod(host(p), 0o755);
  } else if (kind === 9 && files.length) {
    // A second name for a file (lower or not): the two share their content and mode from then on.
    const src = pick(files)!;
    const p = fresh(src);
    log.push(`link ${src} ${p}`);
    await c.link(`/${src}`, `/${p}`);
    await copyUp(root, src, upper);
    await fs.link(host(src), host(p));
  } else if (kind === 10 && files.length > 1) {
    // A file renamed onto another (replacing it; maybe another name of the same file).
    const src = pick(files)!;
    const dst = pick(files.filter((f) => f !== src))!;
    log.push(`rename ${src} onto ${dst}`);
    await c.rename(`/${src}`, `/${dst}`);
    // Two names of one file: nothing moves (rename(2)); else src is copied up first.
    if ((await fs.lstat(host(src))).ino !== (await fs.lstat(host(dst))).ino) await beforeMove(src, dst, 'file');
    await fs.rename(host(src), host(dst));
    if (inMount(src) !== inMount(dst)) await markUpper(root, dst, upper);
  } else if (kind === 11 && everything.some((e) => e[1] === 'symlink')) {
    // A write through a symlink, or into the directory it names. The
    // reference resolves it inside its root and writes there (its own
    // symlinks could lead out of it).
    const link = pick(everything.filter((e) => e[1] === 'symlink').map((e) => e[0]))!;
    const p = r() < 0.5 ? link : `${link}/n${Math.floor(r() * 1e6).toString(36)}`;
    const to = await resolveInRoot(root, p);
    const parent = to ? await fs.lstat(host(path.dirname(to))).catch(() => undefined) : undefined;
    const target = to ? await fs.lstat(host(to)).catch(() => undefined) : undefined;
    if (!to || !parent?.isDirectory() || (target && !target.isFile())) {
      // Nowhere a file can be written: both refuse.
      log.push(`write via ${p} (refused)`);
      await expect(c.writeFile(`/${p}`, 'x', { mode: 0o644 })).rejects.toHaveProperty('code');
      return;
    }
    const data = `via ${p} ${r()}`;
    log.push(`write via ${p} -> ${to}`);
    await c.writeFile(`/${p}`, data, { mode: 0o644 });
    if (target) {
      await copyUp(root, to, upper);
      await fs.writeFile(host(to), data);
    } else {
      await fs.writeFile(host(to), data, { mode: 0o644 });
      await fs.chmod(host(to), 0o644);
    }
  } else if (kind === 12 && everything.length && process.getuid?.() === 0) {
    // A new owner (symlinks followed, as chown(2)); the reference needs root to give one.
    const [p] = pick(everything)!;
    const [uid, gid] = pick([[0, 0], [1000, 1000], [33, 0], [0, 100]])!;
    const to = await resolveInRoot(root, p);
    const target = to ? await fs.lstat(host(to)).catch(() => undefined) : undefined;
    // Nothing there, a loop, or the root (whose attributes no layer holds): refused.
    if (!to || !target) {
      log.push(`chown ${uid}:${gid} ${p} (refused)`);
      await expect(c.chown(`/${p}`, uid!, gid!)).rejects.toHaveProperty('code');
      return;
    }
    log.push(`chown ${uid}:${gid} ${p} -> ${to}`);
    await c.chown(`/${p}`, uid!, gid!);
    await copyUp(root, to, upper);
    await fs.chown(host(to), uid!, gid!);
  } else if (files.length) {
    const p = pick(files)!;
    const n = Math.floor(r() * 40);
    log.push(`truncate ${p} ${n}`);
    await c.truncate(`/${p}`, n);
    await copyUp(root, p, upper);
    await fs.truncate(host(p), n);
  }
}
