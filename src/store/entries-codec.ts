/**
 * A layer's entries as bytes, for the store's layer index: one column per
 * field instead of one JSON object per entry. A fresh process viewing an
 * image reads every layer's entries; as JSON objects (about 200 bytes an
 * entry: every field named, the defaults spelled out) that was most of a
 * CLI command's time over a large image, parsing and then collecting the
 * parser's garbage. Here numbers are Float64Array columns read in place,
 * each string column is one UTF-8 run decoded at once and cut by length,
 * and a column whose entries all agree (uid 0, uname '', ...) is one value.
 *
 * Layout (little-endian): u32 magic "LFEN", u32 version, u32 header bytes,
 * u32 0; the header (JSON, padded with spaces to 8 bytes); the columns the
 * header places, each at an offset (from the header's end) that is a
 * multiple of 8. Header: `{ n, c: { field: column }, x?: [[i, xattrs]] }`,
 * a column being one of
 *   { k: 'c', v }            every entry has v (null: contentDigest absent);
 *   { k: 'f', o }            n float64 at o;
 *   { k: 's', o, b }         n u32 lengths in UTF-16 units at o (ABSENT: no
 *                            value), then b bytes of UTF-8: the values joined;
 *   { k: 't', o, names }     n u8 at o, each an index into names;
 *   { k: 'j', v }            the n values in the header (a column the others
 *                            cannot carry exactly: strings with lone
 *                            surrogates, which UTF-8 cannot hold);
 * and x the entries with extended attributes, their values in base64.
 * Browser-safe (no Node built-ins).
 */
import { CorruptStoreError } from '../errors/CorruptStoreError.js';
import type { Digest } from '../digest/digest.js';
import type { LayerEntry } from '../layer/read.js';
import type { EntryType } from '../tar/types.js';
import { fromBase64, toBase64 } from './base64.js';

const MAGIC = 0x4e45464c; // "LFEN"
const VERSION = 1;
const HEAD = 16;
const ABSENT = 0xffffffff;

const NUMBERS = ['mode', 'uid', 'gid', 'size', 'mtime', 'devmajor', 'devminor', 'offset'] as const;
const STRINGS = ['path', 'uname', 'gname', 'linkname', 'contentDigest'] as const;
type NumberField = (typeof NUMBERS)[number];
type StringField = (typeof STRINGS)[number];

type Column =
  | { k: 'c'; v: unknown }
  | { k: 'f'; o: number }
  | { k: 's'; o: number; b: number }
  | { k: 't'; o: number; names: string[] }
  | { k: 'j'; v: unknown[] };

interface Header {
  n: number;
  c: Record<string, Column>;
  x?: Array<[number, Record<string, string>]>;
}

const enc = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The columns, each placed at the next multiple of 8 (or, for a string column's bytes, right after its lengths). */
class Payload {
  readonly parts: Array<{ o: number; bytes: Uint8Array }> = [];
  size = 0;
  add(bytes: Uint8Array, aligned = true): number {
    const o = aligned ? (this.size + 7) & ~7 : this.size;
    this.parts.push({ o, bytes });
    this.size = o + bytes.length;
    return o;
  }
}

/** No lone surrogate in s (String.prototype.isWellFormed where the engine has it). */
function wellFormed(s: string): boolean {
  const f = (s as { isWellFormed?: () => boolean }).isWellFormed;
  return f !== undefined ? f.call(s) : !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

function allEqual(values: readonly unknown[]): boolean {
  const v = values[0];
  for (let i = 1; i < values.length; i++) if (values[i] !== v) return false;
  return true;
}

function numberColumn(values: readonly unknown[], out: Payload): Column {
  if (values.length > 0 && typeof values[0] === 'number' && allEqual(values)) return { k: 'c', v: values[0] };
  const col = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') return { k: 'j', v: values.slice() };
    col[i] = v;
  }
  return { k: 'f', o: out.add(new Uint8Array(col.buffer)) };
}

function stringColumn(values: ReadonlyArray<string | undefined>, optional: boolean, out: Payload): Column {
  const v0 = values[0];
  if (values.length > 0 && (typeof v0 === 'string' || (optional && v0 === undefined)) && allEqual(values)) return { k: 'c', v: v0 ?? null };
  const lens = new Uint32Array(values.length);
  const parts: string[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === undefined && optional) {
      lens[i] = ABSENT;
      parts[i] = '';
    } else if (typeof v !== 'string') return { k: 'j', v: values.map((x) => x ?? null) };
    else {
      lens[i] = v.length;
      parts[i] = v;
    }
  }
  const joined = parts.join('');
  // UTF-8 would turn a lone surrogate into U+FFFD: such a column goes in the
  // header, where JSON keeps it exactly.
  if (!wellFormed(joined)) return { k: 'j', v: values.map((x) => x ?? null) };
  const bytes = enc.encode(joined);
  const o = out.add(new Uint8Array(lens.buffer));
  out.add(bytes, false);
  return { k: 's', o, b: bytes.length };
}

function typeColumn(values: readonly string[], out: Payload): Column {
  if (values.length > 0 && typeof values[0] === 'string' && allEqual(values)) return { k: 'c', v: values[0] };
  const names: string[] = [];
  const codes = new Uint8Array(values.length);
  const index = new Map<string, number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let c = index.get(v);
    if (c === undefined) {
      if (typeof v !== 'string' || names.length === 256) return { k: 'j', v: values.slice() };
      c = names.push(v) - 1;
      index.set(v, c);
    }
    codes[i] = c;
  }
  return { k: 't', o: out.add(codes), names };
}

/** The bytes of `entries` (see the layout above). */
export function encodeLayerEntries(entries: readonly LayerEntry[]): Uint8Array {
  const n = entries.length;
  const out = new Payload();
  const c: Record<string, Column> = {};
  c.type = typeColumn(entries.map((e) => e.type), out);
  for (const f of NUMBERS) c[f] = numberColumn(entries.map((e) => e[f]), out);
  for (const f of STRINGS) c[f] = stringColumn(entries.map((e) => e[f]), f === 'contentDigest', out);
  const x: Array<[number, Record<string, string>]> = [];
  for (let i = 0; i < n; i++) {
    const xa = entries[i]!.xattrs;
    if (!xa) continue;
    const keys = Object.keys(xa);
    if (keys.length) x.push([i, Object.fromEntries(keys.map((k) => [k, toBase64(xa[k]!)]))]);
  }
  const header: Header = { n, c, ...(x.length ? { x } : {}) };
  let json = enc.encode(JSON.stringify(header));
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) {
    const padded = new Uint8Array(json.length + pad).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const bytes = new Uint8Array(HEAD + json.length + out.size);
  new Uint32Array(bytes.buffer, 0, 4).set([MAGIC, VERSION, json.length, 0]);
  bytes.set(json, HEAD);
  for (const { o, bytes: b } of out.parts) bytes.set(b, HEAD + json.length + o);
  return bytes;
}

function corrupt(why: string): never {
  throw new CorruptStoreError(`layer index entries: ${why}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isOffset = (v: unknown, align: number): v is number => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) % align === 0;

/** A column's values: an array (one per entry) or the one value every entry has. */
type Values<T> = { all: ArrayLike<T>; one?: undefined } | { all?: undefined; one: T };

function numbers(col: Column | undefined, n: number, payload: Uint8Array, name: string): Values<number> {
  if (col?.k === 'c' && typeof col.v === 'number') return { one: col.v };
  if (col?.k === 'f' && isOffset(col.o, 8) && col.o + 8 * n <= payload.length) return { all: new Float64Array(payload.buffer, payload.byteOffset + col.o, n) };
  if (col?.k === 'j' && Array.isArray(col.v) && col.v.length === n && col.v.every((v) => typeof v === 'number')) return { all: col.v as number[] };
  return corrupt(`column ${name} does not fit`);
}

function strings(col: Column | undefined, n: number, payload: Uint8Array, name: string, optional: boolean): Values<string | undefined> {
  const ok = (v: unknown) => typeof v === 'string' || (optional && v === null);
  if (col?.k === 'c' && ok(col.v)) return { one: (col.v as string | null) ?? undefined };
  if (col?.k === 'j' && Array.isArray(col.v) && col.v.length === n && col.v.every(ok)) return { all: col.v.map((v) => (v as string | null) ?? undefined) };
  if (col?.k !== 's' || !isOffset(col.o, 8) || !isOffset(col.b, 1) || col.o + 4 * n + col.b > payload.length) return corrupt(`column ${name} does not fit`);
  const lens = new Uint32Array(payload.buffer, payload.byteOffset + col.o, n);
  let text: string;
  try {
    text = utf8.decode(payload.subarray(col.o + 4 * n, col.o + 4 * n + col.b));
  } catch {
    return corrupt(`column ${name} is not UTF-8`);
  }
  const all: Array<string | undefined> = new Array(n);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const l = lens[i]!;
    if (l === ABSENT && optional) {
      all[i] = undefined;
      continue;
    }
    if (l > text.length - at) return corrupt(`column ${name} is shorter than its lengths`);
    all[i] = text.slice(at, at + l);
    at += l;
  }
  if (at !== text.length) return corrupt(`column ${name} is longer than its lengths`);
  return { all };
}

function types(col: Column | undefined, n: number, payload: Uint8Array): Values<string> {
  if (col?.k === 'c' && typeof col.v === 'string') return { one: col.v };
  if (col?.k === 'j' && Array.isArray(col.v) && col.v.length === n && col.v.every((v) => typeof v === 'string')) return { all: col.v as string[] };
  const names = col?.k === 't' ? col.names : undefined;
  if (col?.k !== 't' || !isOffset(col.o, 1) || col.o + n > payload.length || !Array.isArray(names) || !names.every((v) => typeof v === 'string')) {
    return corrupt('column type does not fit');
  }
  const codes = payload.subarray(col.o, col.o + n);
  const all: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const t = names[codes[i]!];
    if (t === undefined) return corrupt(`entry ${i} has type code ${codes[i]}, of ${names.length}`);
    all[i] = t;
  }
  return { all };
}

/**
 * The `count` entries encodeLayerEntries wrote (the count the layer's
 * record keeps: checked before any entry is made, so that damaged bytes
 * cannot ask for a huge array). CORRUPT_STORE when the bytes are not such
 * a record, hold another number of entries, or a column does not fit them
 * (the store then reads the layer again); the values themselves are what
 * was stored.
 */
export function decodeLayerEntries(bytes: Uint8Array, count: number): LayerEntry[] {
  if (!(bytes instanceof Uint8Array) || bytes.length < HEAD) return corrupt('too short');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC || dv.getUint32(4, true) !== VERSION) return corrupt('unknown format');
  const hl = dv.getUint32(8, true);
  if (hl % 8 !== 0 || hl > bytes.length - HEAD) return corrupt('header does not fit');
  let header: Header;
  try {
    header = JSON.parse(utf8.decode(bytes.subarray(HEAD, HEAD + hl))) as Header;
  } catch {
    return corrupt('header is not JSON');
  }
  if (!isObject(header) || !Number.isSafeInteger(header.n) || header.n < 0 || !isObject(header.c)) return corrupt('bad header');
  const n = header.n;
  if (n !== count) return corrupt(`${n} entries, the record says ${count}`);
  // Float64Array and Uint32Array views need their offsets aligned: a copy when the bytes are not.
  let payload = bytes.subarray(HEAD + hl);
  if (payload.byteOffset % 8 !== 0) payload = payload.slice();
  const c = header.c as Record<string, Column | undefined>;
  const type = types(c.type, n, payload);
  const num = {} as Record<NumberField, Values<number>>;
  for (const f of NUMBERS) num[f] = numbers(c[f], n, payload, f);
  const str = {} as Record<StringField, Values<string | undefined>>;
  for (const f of STRINGS) str[f] = strings(c[f], n, payload, f, f === 'contentDigest');
  const xattrs = new Map<number, Record<string, Uint8Array>>();
  if (header.x !== undefined) {
    if (!Array.isArray(header.x)) return corrupt('bad xattrs');
    for (const item of header.x) {
      const [i, xa] = Array.isArray(item) ? item : [];
      if (!Number.isSafeInteger(i) || i! < 0 || i! >= n || !isObject(xa) || !Object.values(xa).every((v) => typeof v === 'string')) return corrupt('bad xattrs');
      try {
        xattrs.set(i!, Object.fromEntries(Object.entries(xa).map(([k, v]) => [k, fromBase64(v as string)])));
      } catch {
        return corrupt(`bad xattr value of entry ${i}`);
      }
    }
  }
  const { path, uname, gname, linkname, contentDigest } = str;
  const { mode, uid, gid, size, mtime, devmajor, devminor, offset } = num;
  const out: LayerEntry[] = new Array(n);
  for (let i = 0; i < n; i++) {
    // One literal (one shape) for every entry; columns that are one value read no array.
    const e: LayerEntry = {
      path: (path.all ? path.all[i] : path.one) as string,
      type: (type.all ? type.all[i] : type.one) as EntryType,
      mode: mode.all ? mode.all[i]! : mode.one,
      uid: uid.all ? uid.all[i]! : uid.one,
      gid: gid.all ? gid.all[i]! : gid.one,
      uname: (uname.all ? uname.all[i] : uname.one) as string,
      gname: (gname.all ? gname.all[i] : gname.one) as string,
      size: size.all ? size.all[i]! : size.one,
      mtime: mtime.all ? mtime.all[i]! : mtime.one,
      linkname: (linkname.all ? linkname.all[i] : linkname.one) as string,
      devmajor: devmajor.all ? devmajor.all[i]! : devmajor.one,
      devminor: devminor.all ? devminor.all[i]! : devminor.one,
      xattrs: xattrs.get(i) ?? {},
      offset: offset.all ? offset.all[i]! : offset.one,
    };
    const d = contentDigest.all ? contentDigest.all[i] : contentDigest.one;
    if (d !== undefined) e.contentDigest = d as Digest;
    out[i] = e;
  }
  return out;
}
