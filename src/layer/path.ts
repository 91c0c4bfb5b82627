/**
 * Entry names inside layers, normalised to one form: relative to the root,
 * `/`-separated, no `.` or empty segments, no leading or trailing slash;
 * the root itself is ''. CONFORMANCE.md rule 18: absolute names are taken as
 * relative to the root, `..` that climbs above the root is UNSAFE_PATH.
 */
import { UnsafePathError } from '../errors/UnsafePathError.js';

export function cleanPath(name: string): string {
  if (name.includes('\0')) throw new UnsafePathError(`entry name contains a NUL byte`, { path: name });
  const out: string[] = [];
  for (const seg of name.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) throw new UnsafePathError(`entry name climbs above the root: ${JSON.stringify(name)}`, { path: name });
      out.pop();
      continue;
    }
    out.push(seg);
  }
  return out.join('/');
}

/** Parent of a clean path ('' for a top-level name and for the root). */
export function parentPath(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/** Last segment of a clean path. */
export function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Join a clean directory and a name. */
export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** True when `p` is `dir` or lies below it (both clean). */
export function isWithin(p: string, dir: string): boolean {
  return dir === '' || p === dir || (p.length > dir.length && p.startsWith(dir) && p.charCodeAt(dir.length) === 47);
}

/**
 * Byte order of layer entries (CONFORMANCE.md rule 21): paths compared as
 * UTF-8 bytes with '/' ranked before every other byte, so a directory's
 * children directly follow it and precede its siblings (`a/b` < `a.b`).
 */
export function comparePaths(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x === 47) return -1;
    if (y === 47) return 1;
    // UTF-16 code units order surrogates (0xD800-0xDFFF) below 0xE000-0xFFFF,
    // UTF-8 bytes do not; map surrogates above so the order is byte order.
    if (x >= 0xd800 && x <= 0xdfff) x += 0x2000;
    else if (x >= 0xe000) x -= 0x800;
    if (y >= 0xd800 && y <= 0xdfff) y += 0x2000;
    else if (y >= 0xe000) y -= 0x800;
    return x - y;
  }
  return a.length - b.length;
}
