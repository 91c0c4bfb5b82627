/**
 * Raw tar blocks for the fuzz targets: headers with any bytes in any field
 * (the writer rightly refuses most of them), PAX bodies with lying record
 * lengths, and the ustar field table the mutators aim at (POSIX.1-2017
 * pax "ustar Interchange Format").
 */
const enc = new TextEncoder();

/** ustar header fields: [offset, length]. */
export const FIELDS = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  chksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;

export type FieldName = keyof typeof FIELDS;
export const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

/** Writes the checksum field the way tar does (six octal digits, NUL, space). */
export function fixChecksum(block: Uint8Array, at = 0): void {
  const b = block.subarray(at, at + 512);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += b[i]!;
  b.set(enc.encode(`${sum.toString(8).padStart(6, '0')}\u0000 `), 148);
}

function octal(b: Uint8Array, off: number, len: number, v: number): void {
  b.set(enc.encode(v.toString(8).padStart(len - 1, '0').slice(-(len - 1))), off);
}

/** One ustar header block with the given name bytes, typeflag and size field. */
export function headerBlock(name: string | Uint8Array, type: string, size: number, linkname = ''): Uint8Array {
  const b = new Uint8Array(512);
  b.set((typeof name === 'string' ? enc.encode(name) : name).subarray(0, 100), 0);
  octal(b, 100, 8, 0o644);
  octal(b, 108, 8, 0);
  octal(b, 116, 8, 0);
  octal(b, 124, 12, size);
  octal(b, 136, 12, 1_700_000_000);
  b[156] = type.charCodeAt(0);
  b.set(enc.encode(linkname).subarray(0, 100), 157);
  b.set(enc.encode('ustar\u000000'), 257);
  fixChecksum(b);
  return b;
}

/** One PAX record `LEN key=value\n`; `lenDelta` makes the length lie. */
export function paxRecord(key: string, value: string | Uint8Array, lenDelta = 0): Uint8Array {
  const v = typeof value === 'string' ? enc.encode(value) : value;
  const body = new Uint8Array([...enc.encode(` ${key}=`), ...v, 0x0a]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return new Uint8Array([...enc.encode(String(len + lenDelta)), ...body]);
}

export function pad(n: number): Uint8Array {
  return new Uint8Array((512 - (n % 512)) % 512);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
