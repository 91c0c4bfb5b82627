/**
 * Resolves names inside a tree the way a chroot would (CONFORMANCE.md rule
 * 19; the same idea as cyphar/filepath-securejoin, written anew): symlinks
 * met on the way are followed, but an absolute target restarts at the tree's
 * root and `..` stops at the root, so the result is always inside it.
 */
import { UnsafePathError } from '../errors/UnsafePathError.js';
import type { TreeReader } from './types.js';

/** Linux's MAXSYMLINKS is 40; a loop past that is refused like ELOOP. */
const MAX_SYMLINKS = 40;

export class TreeResolver {
  /**
   * Resolved paths known to be real directories. Keys are built from resolved
   * prefixes, so a symlink never appears in one; only removing a directory
   * can make an entry stale.
   */
  private readonly dirs = new Set<string>();

  constructor(private readonly tree: TreeReader) {}

  /**
   * The path `name` (any form; `..` clamps at the root) stands for, with
   * every intermediate symlink followed inside the root. The last component
   * is followed only when `followLast` is set. Missing components are kept
   * as they are (the caller may create them).
   */
  async resolve(name: string, followLast = false): Promise<string> {
    // Fast path: a clean name already known as a real directory.
    if (followLast && this.dirs.has(name)) return name;
    const queue = name.split('/').reverse();
    const done: string[] = [];
    let links = 0;
    while (queue.length > 0) {
      const seg = queue.pop()!;
      if (seg === '' || seg === '.') continue;
      if (seg === '..') {
        done.pop();
        continue;
      }
      const candidate = done.length ? `${done.join('/')}/${seg}` : seg;
      const last = !queue.some((s) => s !== '' && s !== '.');
      if (last && !followLast) {
        done.push(seg);
        break;
      }
      if (this.dirs.has(candidate)) {
        done.push(seg);
        continue;
      }
      const st = await this.tree.lstat(candidate);
      if (st?.type === 'symlink') {
        if (++links > MAX_SYMLINKS) {
          throw new UnsafePathError(`too many levels of symbolic links resolving ${JSON.stringify(name)}`, { path: name });
        }
        if (st.linkname.startsWith('/')) done.length = 0;
        const parts = st.linkname.split('/');
        for (let i = parts.length - 1; i >= 0; i--) queue.push(parts[i]!);
        continue;
      }
      if (st?.type === 'directory') this.dirs.add(candidate);
      done.push(seg);
    }
    return done.join('/');
  }

  /** True when `path` (resolved) is known to be a real directory. */
  knowsDirectory(path: string): boolean {
    return this.dirs.has(path);
  }

  /** Records that `path` (resolved) is now a real directory. */
  noteDirectory(path: string): void {
    this.dirs.add(path);
  }

  /** Forgets what is known at and below `path` (call after removing a directory). */
  forget(path: string): void {
    if (path === '') {
      this.dirs.clear();
      return;
    }
    const prefix = `${path}/`;
    for (const k of this.dirs) {
      if (k === path || k.startsWith(prefix)) this.dirs.delete(k);
    }
  }
}
