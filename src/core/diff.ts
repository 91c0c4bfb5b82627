/**
 * Typed front of the Wasm diff join (assembly/diff.ts). Packs two sorted
 * entry tables into linear memory in one go — paths as concatenated UTF-8
 * with an offsets array, metadata in parallel i32/f64 arrays — runs the
 * merge-join once and copies the status bytes out. No string crosses the
 * boundary one at a time.
 */
import { WasmCoreError } from '../errors/WasmCoreError.js';
import { loadCore } from './load.js';

export const DiffStatus = {
  ADDED: 1,
  UNCHANGED: 2,
  CHANGED: 3,
  /** Equal metadata, but mtimes cannot prove equal content: compare bytes. */
  COMPARE: 4,
  DELETED: 5,
} as const;
export type DiffStatusCode = (typeof DiffStatus)[keyof typeof DiffStatus];

/** Kind codes the join compares (only equality and file/device matter to it). */
export const DiffKind = { file: 0, directory: 1, symlink: 2, char: 3, block: 4, fifo: 5 } as const;

/** One row of a table; `extra` holds what else must be equal (link target, xattrs). */
export interface DiffRow {
  path: string;
  kind: number;
  mode: number;
  uid: number;
  gid: number;
  devmajor: number;
  devminor: number;
  size: number;
  mtime: number;
  extra: string;
}

const META_I32 = 8;
const enc = new TextEncoder();

function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 2; // surrogate pair: 2 units -> 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

interface Layout {
  pathOff: number;
  path: number;
  extraOff: number;
  extra: number;
  meta: number;
  num: number;
  status: number;
  end: number;
  pathLens: number[];
  extraLens: number[];
  pathBytes: number;
  extraBytes: number;
}

const align8 = (n: number) => (n + 7) & ~7;

interface Sizes {
  pathLens: number[];
  extraLens: number[];
  pathBytes: number;
  extraBytes: number;
}

function sizes(rows: DiffRow[]): Sizes {
  const n = rows.length;
  const pathLens = new Array<number>(n);
  const extraLens = new Array<number>(n);
  let pathBytes = 0;
  let extraBytes = 0;
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    pathBytes += pathLens[i] = utf8Length(r.path);
    extraBytes += extraLens[i] = r.extra === '' ? 0 : utf8Length(r.extra);
  }
  return { pathLens, extraLens, pathBytes, extraBytes };
}

function layout(rows: DiffRow[], base: number, z: Sizes): Layout {
  const { pathLens, extraLens, pathBytes, extraBytes } = z;
  const n = rows.length;
  const num = align8(base);
  const meta = num + n * 16;
  const pathOff = meta + n * META_I32 * 4;
  const extraOff = align8(pathOff + (n + 1) * 4);
  const path = align8(extraOff + (n + 1) * 4);
  const extra = align8(path + pathBytes);
  const status = align8(extra + extraBytes);
  const end = align8(status + n);
  return { pathOff, path, extraOff, extra, meta, num, status, end, pathLens, extraLens, pathBytes, extraBytes };
}

function pack(buf: ArrayBuffer, rows: DiffRow[], l: Layout): void {
  const n = rows.length;
  const u8 = new Uint8Array(buf);
  const i32 = new Int32Array(buf);
  const f64 = new Float64Array(buf);
  // Paths and extras: one native encode each, offsets from the UTF-8 lengths.
  const pw = enc.encodeInto(rows.map((r) => r.path).join(''), u8.subarray(l.path, l.path + l.pathBytes));
  const ew = enc.encodeInto(rows.map((r) => r.extra).join(''), u8.subarray(l.extra, l.extra + l.extraBytes));
  if (pw.written !== l.pathBytes || ew.written !== l.extraBytes) {
    throw new WasmCoreError('diff join: UTF-8 packing mismatch (unpaired surrogate in a path?)');
  }
  let po = 0;
  let eo = 0;
  const pOff = l.pathOff >> 2;
  const eOff = l.extraOff >> 2;
  const m = l.meta >> 2;
  const f = l.num >> 3;
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    i32[pOff + i] = po;
    i32[eOff + i] = eo;
    po += l.pathLens[i]!;
    eo += l.extraLens[i]!;
    const k = m + i * META_I32;
    i32[k] = r.kind;
    i32[k + 1] = r.mode;
    i32[k + 2] = r.uid | 0;
    i32[k + 3] = r.gid | 0;
    i32[k + 4] = r.devmajor | 0;
    i32[k + 5] = r.devminor | 0;
    i32[k + 6] = r.mtime % 1 !== 0 ? 1 : 0;
    i32[k + 7] = 0;
    f64[f + i * 2] = r.size;
    f64[f + i * 2 + 1] = r.mtime;
  }
  i32[pOff + n] = po;
  i32[eOff + n] = eo;
}

export interface JoinResult {
  /** Per lower row: DELETED, or the status of the upper row with the same path. */
  lower: Uint8Array;
  /** Per upper row: ADDED, UNCHANGED, CHANGED or COMPARE. */
  upper: Uint8Array;
  /** Upper rows that are not UNCHANGED. */
  changes: number;
}

/**
 * Merge-joins two tables, each sorted by comparePaths (the caller's
 * contract; tree walks yield that order). Rows with a path containing an
 * unpaired surrogate cannot be encoded and are refused.
 */
export async function joinEntryTables(lower: DiffRow[], upper: DiffRow[], opts: { simd?: boolean } = {}): Promise<JoinResult> {
  const core = await loadCore(opts);
  const lz = sizes(lower);
  const uz = sizes(upper);
  // Offsets relative to an 8-aligned base are the same for any such base.
  const total = layout(upper, layout(lower, 0, lz).end, uz).end;
  let base: number;
  try {
    base = core.exports.diffScratch(total) as number;
  } catch (e) {
    throw new WasmCoreError(`diff join: cannot reserve ${total} bytes of Wasm memory`, {}, { cause: e });
  }
  if (!base) throw new WasmCoreError(`diff join: cannot reserve ${total} bytes of Wasm memory`);
  const L = layout(lower, base, lz);
  const U = layout(upper, L.end, uz);
  // Views are made after diffScratch: growing memory detaches older ones.
  const buf = core.memory.buffer;
  pack(buf, lower, L);
  pack(buf, upper, U);
  let changes: number;
  try {
    changes = core.exports.diffJoin(
      lower.length, L.pathOff, L.path, L.extraOff, L.extra, L.meta, L.num, L.status,
      upper.length, U.pathOff, U.path, U.extraOff, U.extra, U.meta, U.num, U.status,
    ) as number;
  } catch (e) {
    throw new WasmCoreError('diff join failed in the Wasm core', {}, { cause: e });
  }
  const out = new Uint8Array(core.memory.buffer);
  return {
    lower: out.slice(L.status, L.status + lower.length),
    upper: out.slice(U.status, U.status + upper.length),
    changes,
  };
}
