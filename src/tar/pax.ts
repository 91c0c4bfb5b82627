/**
 * PAX extended header records (POSIX.1-2001, pax "pax Extended Header"):
 * `"%d %s=%s\n", <length>, <keyword>, <value>` where length counts the whole
 * record, its own digits included. Values are UTF-8, except SCHILY.xattr.*
 * whose values are raw bytes (star and GNU tar write them that way).
 */
import { InvalidTarError } from '../errors/InvalidTarError.js';

const utf8 = new TextDecoder('utf-8');
const enc = new TextEncoder();

/** One parsed record: keyword and raw value bytes. */
export type PaxRecords = Map<string, Uint8Array>;

export function parsePax(data: Uint8Array): PaxRecords {
  const out: PaxRecords = new Map();
  let i = 0;
  while (i < data.length) {
    // GNU tar pads the last record area with NULs in some versions.
    if (data[i] === 0) break;
    let len = 0;
    let j = i;
    while (j < data.length && data[j]! >= 0x30 && data[j]! <= 0x39) {
      len = len * 10 + (data[j]! - 0x30);
      j++;
    }
    if (j === i || data[j] !== 0x20 || len <= j - i + 1 || i + len > data.length || data[i + len - 1] !== 0x0a) {
      throw new InvalidTarError('malformed PAX extended header record', { offsetInRecord: i });
    }
    const recEnd = i + len - 1; // index of '\n'
    let eq = j + 1;
    while (eq < recEnd && data[eq] !== 0x3d) eq++;
    if (eq === recEnd || eq === j + 1) throw new InvalidTarError('PAX record has no keyword', { offsetInRecord: i });
    const key = utf8.decode(data.subarray(j + 1, eq));
    out.set(key, data.subarray(eq + 1, recEnd));
    i += len;
  }
  return out;
}

export function paxString(v: Uint8Array): string {
  return utf8.decode(v);
}

/** Encodes records in the given order (the writer sorts them for determinism). */
export function encodePax(records: ReadonlyArray<readonly [string, Uint8Array]>): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const [key, value] of records) {
    const k = enc.encode(key);
    const body = k.length + value.length + 3; // ' ' '=' '\n'
    // The length includes its own decimal digits: grow until stable.
    const d = String(body).length;
    let len = body + d;
    if (String(len).length !== d) len = body + String(len).length;
    const head = enc.encode(`${len} `);
    const rec = new Uint8Array(len);
    rec.set(head, 0);
    rec.set(k, head.length);
    rec[head.length + k.length] = 0x3d;
    rec.set(value, head.length + k.length + 1);
    rec[len - 1] = 0x0a;
    parts.push(rec);
    total += len;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
