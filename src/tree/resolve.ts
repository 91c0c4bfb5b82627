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
    // Components left in the queue that are not '' or '.' (a counter, not a scan per step: deep names stay linear).
    let real = 0;
    for (const s of queue) if (s !== '' && s !== '.') real++;
    // The resolved prefix.
    let cur = '';
    // Once a component is missing nothing below it exists: what follows is appended without lstat
    // (until a `..` climbs back to a directory that may hold symlinks).
    let missing = false;
    let links = 0;
    while (queue.length > 0) {
      const seg = queue.pop()!;
      if (seg === '' || seg === '.') continue;
      real--;
      if (seg === '..') {
        missing = false;
        const k = cur.lastIndexOf('/');
        cur = k < 0 ? '' : cur.slice(0, k);
        continue;
      }
      const candidate = cur === '' ? seg : `${cur}/${seg}`;
      const last = real === 0;
      if (missing || (last && !followLast) || this.dirs.has(candidate)) {
        cur = candidate;
        if (last && !followLast) break;
        continue;
      }
      const st = await this.tree.lstat(candidate);
      if (st?.type === 'symlink') {
        if (++links > MAX_SYMLINKS) {
          throw new UnsafePathError(`too many levels of symbolic links resolving ${JSON.stringify(name)}`, { path: name });
        }
        if (st.linkname.startsWith('/')) {
          cur = '';
        }
        const parts = st.linkname.split('/');
        for (let i = parts.length - 1; i >= 0; i--) {
          const p = parts[i]!;
          queue.push(p);
          if (p !== '' && p !== '.') real++;
        }
        continue;
      }
      if (st?.type === 'directory') this.dirs.add(candidate);
      else if (!st) missing = true;
      cur = candidate;
    }
    return cur;
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
