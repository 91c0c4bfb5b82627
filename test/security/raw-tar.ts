/**
 * A deliberately permissive tar writer for the malicious-layer corpus: it
 * writes whatever bytes a name holds (NUL, `..`, 5000 characters) into the
 * ustar name field or a PAX `path`/`linkpath` record, which layerfs's own
 * encoder rightly refuses to produce.
 */
export interface RawEntry {
  /** Written as is (UTF-8) into the header, or into a PAX record when `pax` or longer than 100 bytes. */
  name: string;
  type?: '0' | '1' | '2' | '3' | '4' | '5' | '6' | 'x' | 'g' | 'L' | string;
  content?: string | Uint8Array;
  linkname?: string;
  mode?: number;
  devmajor?: number;
  devminor?: number;
  /** Put name/linkname into a PAX header even when short. */
  pax?: boolean;
  /** Override the size field (lying sizes). */
  size?: number;
}

const enc = new TextEncoder();

function octal(block: Uint8Array, off: number, len: number, v: number): void {
  const s = v.toString(8).padStart(len - 1, '0');
  block.set(enc.encode(s.slice(-(len - 1))), off);
}

function header(nameBytes: Uint8Array, type: string, size: number, link: Uint8Array, mode: number, major = 0, minor = 0): Uint8Array {
  const b = new Uint8Array(512);
  b.set(nameBytes.subarray(0, 100), 0);
  octal(b, 100, 8, mode);
  octal(b, 108, 8, 0);
  octal(b, 116, 8, 0);
  octal(b, 124, 12, size);
  octal(b, 136, 12, 1_700_000_000);
  b.fill(0x20, 148, 156);
  b[156] = type.charCodeAt(0);
  b.set(link.subarray(0, 100), 157);
  b.set(enc.encode('ustar\u000000'), 257);
  octal(b, 329, 8, major);
  octal(b, 337, 8, minor);
  let sum = 0;
  for (const x of b) sum += x;
  b.set(enc.encode(sum.toString(8).padStart(6, '0') + '\u0000 '), 148);
  return b;
}

function paxRecord(key: string, value: Uint8Array): Uint8Array {
  const body = new Uint8Array([...enc.encode(` ${key}=`), ...value, 0x0a]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return new Uint8Array([...enc.encode(String(len)), ...body]);
}

function pad(n: number): Uint8Array {
  return new Uint8Array((512 - (n % 512)) % 512);
}

export function rawTar(entries: RawEntry[], opts: { end?: boolean } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    const name = enc.encode(e.name);
    const link = enc.encode(e.linkname ?? '');
    const type = e.type ?? '0';
    const data = typeof e.content === 'string' ? enc.encode(e.content) : (e.content ?? new Uint8Array(0));
    if (e.pax || name.length > 100 || link.length > 100) {
      const recs = [paxRecord('path', name)];
      if (e.linkname !== undefined) recs.push(paxRecord('linkpath', link));
      const body = new Uint8Array(recs.reduce((n, r) => n + r.length, 0));
      let o = 0;
      for (const r of recs) {
        body.set(r, o);
        o += r.length;
      }
      parts.push(header(enc.encode('PaxHeaders/x'), 'x', body.length, new Uint8Array(0), 0o644), body, pad(body.length));
    }
    parts.push(header(name, type, e.size ?? data.length, link, e.mode ?? (type === '5' ? 0o755 : 0o644), e.devmajor, e.devminor), data, pad(data.length));
  }
  if (opts.end !== false) parts.push(new Uint8Array(1024));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
