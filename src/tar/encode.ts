/**
 * Encoding one entry's header blocks, deterministically (CONFORMANCE 21):
 * the same TarHeader always gives the same bytes. Plain ustar when every
 * field fits; otherwise one PAX 'x' record set ahead of the ustar header,
 * holding only the fields that do not fit (long or non-ASCII names and link
 * names, sizes >= 8 GiB, ids >= 2^21, sub-second or out-of-range mtimes,
 * long or non-ASCII user/group names, xattrs), keys in byte order as Go's
 * archive/tar writes them.
 */
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { BLOCK, computeChecksum } from './header.js';
import { octalMax, writeBase256, writeOctal } from './numeric.js';
import { encodePax } from './pax.js';
import type { EntryType, TarHeader } from './types.js';

const enc = new TextEncoder();

const TYPEFLAG: Record<EntryType, number> = {
  file: 0x30,
  hardlink: 0x31,
  symlink: 0x32,
  char: 0x33,
  block: 0x34,
  directory: 0x35,
  fifo: 0x36,
};

/** Two zero blocks: the end-of-archive marker. */
export const END_OF_ARCHIVE = new Uint8Array(2 * BLOCK);

/** A header with defaults for every field left out (mode 0644, or 0755 for directories). */
export function tarHeader(h: Partial<TarHeader> & { path: string }): TarHeader {
  const type = h.type ?? 'file';
  return {
    path: h.path,
    type,
    mode: h.mode ?? (type === 'directory' ? 0o755 : 0o644),
    uid: h.uid ?? 0,
    gid: h.gid ?? 0,
    uname: h.uname ?? '',
    gname: h.gname ?? '',
    size: type === 'file' ? (h.size ?? 0) : 0,
    mtime: h.mtime ?? 0,
    linkname: h.linkname ?? '',
    devmajor: h.devmajor ?? 0,
    devminor: h.devminor ?? 0,
    xattrs: h.xattrs ?? {},
  };
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** Splits a long ASCII path into ustar prefix (<=155) and name (<=100) at a '/'. */
function ustarSplit(path: string): [string, string] | null {
  if (path.length > 256) return null;
  for (let i = Math.min(path.length - 1, 155); i > 0; i--) {
    if (path.charCodeAt(i) !== 47) continue;
    const name = path.slice(i + 1);
    if (name.length === 0 || name.length > 100) return null;
    return [path.slice(0, i), name];
  }
  return null;
}

function putString(block: Uint8Array, off: number, len: number, s: string): void {
  const b = enc.encode(s);
  block.set(b.length > len ? b.subarray(0, len) : b, off);
}

/**
 * Formats seconds as PAX decimal time. The shortest decimal that reads back
 * as the same double (Number#toString) is exact and has no float noise
 * digits; at most 9 fraction digits are kept (nanoseconds, as GNU tar).
 */
export function formatPaxTime(t: number): string {
  let s = String(t);
  if (/e/i.test(s)) s = t.toFixed(9);
  const dot = s.indexOf('.');
  if (dot >= 0 && s.length - dot - 1 > 9) s = s.slice(0, dot + 10);
  if (dot >= 0) s = s.replace(/\.?0+$/, '');
  return s;
}

function validate(h: TarHeader): void {
  const bad = (what: string) => new InvalidArgumentError(`tar entry ${JSON.stringify(h.path)}: ${what}`, { path: h.path });
  if (!(h.type in TYPEFLAG)) throw bad(`unknown type ${JSON.stringify(h.type)}`);
  if (h.path === '') throw bad('empty path');
  if (h.path.includes('\0') || h.linkname.includes('\0')) throw bad('NUL byte in a name');
  for (const [k, v] of [
    ['size', h.size],
    ['uid', h.uid],
    ['gid', h.gid],
    ['devmajor', h.devmajor],
    ['devminor', h.devminor],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw bad(`${k} must be a non-negative integer, got ${v}`);
  }
  if (!Number.isFinite(h.mtime)) throw bad(`mtime must be a finite number, got ${h.mtime}`);
  if (!Number.isInteger(h.mode) || h.mode < 0) throw bad(`bad mode ${h.mode}`);
  for (const name of Object.keys(h.xattrs)) if (name === '' || name.includes('\0') || name.includes('=')) throw bad(`bad xattr name ${JSON.stringify(name)}`);
}

/**
 * The blocks that precede an entry's content: an optional PAX header with
 * its records, then the ustar header. Directories are written with a
 * trailing '/' as GNU tar, Docker and umoci do; sizes of non-files are 0.
 */
export function encodeHeader(h: TarHeader): Uint8Array {
  validate(h);
  let path = h.path;
  if (h.type === 'directory' && !path.endsWith('/')) path += '/';
  const size = h.type === 'file' ? h.size : 0;
  const linkname = h.type === 'hardlink' || h.type === 'symlink' ? h.linkname : '';
  const pax: [string, Uint8Array][] = [];
  const block = new Uint8Array(BLOCK);

  // name / prefix
  if (isAscii(path) && path.length <= 100) {
    putString(block, 0, 100, path);
  } else {
    const split = isAscii(path) ? ustarSplit(path) : null;
    if (split) {
      putString(block, 345, 155, split[0]);
      putString(block, 0, 100, split[1]);
    } else {
      pax.push(['path', enc.encode(path)]);
      putString(block, 0, 100, path);
    }
  }
  writeOctal(block, 100, 8, h.mode & 0o7777);
  for (const [key, off, v] of [
    ['uid', 108, h.uid],
    ['gid', 116, h.gid],
  ] as const) {
    if (!writeOctal(block, off, 8, v)) {
      pax.push([key, enc.encode(String(v))]);
      writeOctal(block, off, 8, 0);
    }
  }
  if (!writeOctal(block, 124, 12, size)) {
    pax.push(['size', enc.encode(String(size))]);
    writeOctal(block, 124, 12, 0);
  }
  const whole = Math.floor(h.mtime);
  if (whole !== h.mtime || whole < 0 || whole > octalMax(11)) {
    pax.push(['mtime', enc.encode(formatPaxTime(h.mtime))]);
  }
  writeOctal(block, 136, 12, Math.min(Math.max(whole, 0), octalMax(11)));
  block[156] = TYPEFLAG[h.type];
  if (isAscii(linkname) && linkname.length <= 100) putString(block, 157, 100, linkname);
  else {
    pax.push(['linkpath', enc.encode(linkname)]);
    putString(block, 157, 100, linkname);
  }
  block.set([0x75, 0x73, 0x74, 0x61, 0x72, 0, 0x30, 0x30], 257); // "ustar\0" "00"
  for (const [key, off, v] of [
    ['uname', 265, h.uname],
    ['gname', 297, h.gname],
  ] as const) {
    if (isAscii(v) && v.length <= 32) putString(block, off, 32, v);
    else {
      pax.push([key, enc.encode(v)]);
      putString(block, off, 32, v);
    }
  }
  const devmajor = h.type === 'char' || h.type === 'block' ? h.devmajor : 0;
  const devminor = h.type === 'char' || h.type === 'block' ? h.devminor : 0;
  // PAX has no standard device keywords; GNU tar's base-256 covers large numbers.
  if (!writeOctal(block, 329, 8, devmajor)) writeBase256(block, 329, 8, devmajor);
  if (!writeOctal(block, 337, 8, devminor)) writeBase256(block, 337, 8, devminor);
  for (const name of Object.keys(h.xattrs).sort()) pax.push([`SCHILY.xattr.${name}`, h.xattrs[name]!]);

  finishChecksum(block);
  if (pax.length === 0) return block;

  pax.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const records = encodePax(pax);
  const xh = new Uint8Array(BLOCK);
  // Name of the PAX header as Go writes it: dir/PaxHeaders.0/base (fixed, so output is reproducible).
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  const slash = trimmed.lastIndexOf('/');
  const xname = slash < 0 ? `PaxHeaders.0/${trimmed}` : `${trimmed.slice(0, slash)}/PaxHeaders.0/${trimmed.slice(slash + 1)}`;
  putString(xh, 0, 100, isAscii(xname) ? xname : xname.replace(/[^\x00-\x7f]/g, '_'));
  writeOctal(xh, 100, 8, 0o644);
  writeOctal(xh, 108, 8, 0);
  writeOctal(xh, 116, 8, 0);
  writeOctal(xh, 124, 12, records.length);
  writeOctal(xh, 136, 12, 0);
  xh[156] = 0x78; // 'x'
  xh.set([0x75, 0x73, 0x74, 0x61, 0x72, 0, 0x30, 0x30], 257);
  writeOctal(xh, 329, 8, 0);
  writeOctal(xh, 337, 8, 0);
  finishChecksum(xh);
  const padded = Math.ceil(records.length / BLOCK) * BLOCK;
  const out = new Uint8Array(BLOCK + padded + BLOCK);
  out.set(xh, 0);
  out.set(records, BLOCK);
  out.set(block, BLOCK + padded);
  return out;
}

function finishChecksum(block: Uint8Array): void {
  // Six octal digits, NUL, space: the form GNU tar and Go write.
  const sum = computeChecksum(block);
  writeOctal(block, 148, 7, sum);
  block[155] = 0x20;
}

/** Zero bytes that pad `size` bytes of content to a whole block. */
export function paddingFor(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}
