/**
 * One 512-byte tar header block: decoding (with checksum check) and encoding.
 * Field offsets follow POSIX ustar (pax, "ustar Interchange Format"); the
 * prefix field is honoured only under the POSIX magic "ustar\0" "00", since
 * old GNU headers ("ustar  \0") keep atime/ctime there.
 */
import { InvalidTarError } from '../errors/InvalidTarError.js';
import { readNumeric } from './numeric.js';

export const BLOCK = 512;

/** Header fields as stored, before PAX / GNU long-name records are applied. */
export interface RawHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: number;
  linkname: string;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
}

const utf8 = new TextDecoder('utf-8');

/** NUL-terminated string in a field; ASCII decoded without TextDecoder (much faster for short names). */
export function readString(block: Uint8Array, off: number, len: number): string {
  let end = off;
  const max = off + len;
  let ascii = true;
  while (end < max) {
    const c = block[end]!;
    if (c === 0) break;
    if (c >= 0x80) ascii = false;
    end++;
  }
  if (end === off) return '';
  if (!ascii) return utf8.decode(block.subarray(off, end));
  let s = '';
  for (let i = off; i < end; i += 4096) {
    s += String.fromCharCode.apply(null, block.subarray(i, Math.min(end, i + 4096)) as unknown as number[]);
  }
  return s;
}

export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/**
 * The checksum is the sum of all header bytes with the checksum field read
 * as spaces. Historic writers summed signed chars; accept either, as GNU tar does.
 */
export function checksumOk(block: Uint8Array): boolean {
  const stored = readNumeric(block, 148, 8, 'chksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b >= 0x80 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

export function computeChecksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum;
}

/** Decodes a non-zero header block. `offset` (its position in the tar) goes into error data. */
export function decodeRawHeader(block: Uint8Array, offset: number): RawHeader {
  let ok: boolean;
  try {
    ok = checksumOk(block);
  } catch {
    ok = false;
  }
  if (!ok) throw new InvalidTarError(`bad tar header checksum at byte ${offset}`, { offset });
  try {
    let name = readString(block, 0, 100);
    const posix = block[257] === 0x75 && block[262] === 0 && block[263] === 0x30 && block[264] === 0x30; // "ustar\0" "00"
    const magic = block[257] === 0x75 && block[258] === 0x73 && block[259] === 0x74 && block[260] === 0x61 && block[261] === 0x72;
    if (posix && block[345] !== 0) name = `${readString(block, 345, 155)}/${name}`;
    return {
      name,
      mode: readNumeric(block, 100, 8, 'mode') & 0o7777,
      uid: readNumeric(block, 108, 8, 'uid'),
      gid: readNumeric(block, 116, 8, 'gid'),
      size: readNumeric(block, 124, 12, 'size'),
      mtime: readNumeric(block, 136, 12, 'mtime'),
      typeflag: block[156]!,
      linkname: readString(block, 157, 100),
      uname: magic ? readString(block, 265, 32) : '',
      gname: magic ? readString(block, 297, 32) : '',
      devmajor: magic ? readNumeric(block, 329, 8, 'devmajor') : 0,
      devminor: magic ? readNumeric(block, 337, 8, 'devminor') : 0,
    };
  } catch (e) {
    if (e instanceof InvalidTarError) {
      throw new InvalidTarError(`${e.message} (header at byte ${offset})`, { ...e.data, offset }, { cause: e });
    }
    throw e;
  }
}
