/**
 * A layer's prepared union table: its names cleaned, whiteouts and opaque
 * markers turned into marks, sorted, duplicates collapsed and implied parents
 * added (stages 1-2 of the Wasm index, assembly/union.ts). It depends on the
 * layer alone, so it is computed once per layer and reused by every view the
 * layer appears in: in memory (frozen entry arrays), and across processes in
 * the store's layer index (src/store/view.ts), serialised by
 * encodeLayerTable. A view built from tables only merges (stage 3).
 */
import type { CoreModule } from '../core/load.js';
import { isPrepareFailure, prepareLayer, type PreparedLayer, type PrepareFailure } from '../core/union.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { InvalidWhiteoutError } from '../errors/InvalidWhiteoutError.js';
import { UnsafePathError } from '../errors/UnsafePathError.js';
import type { PackedNames } from '../layer/packed-names.js';
import type { UnionLayerEntry } from './types.js';
import { copyBytes } from '../tar/bytes.js';

/** A prepared layer table (opaque to callers: persist it with encodeLayerTable). */
export type LayerTable = PreparedLayer;

const dec = new TextDecoder();

/** Name `i` of a packed table (for messages). */
function packedName(names: PackedNames, i: number): string {
  const b = names.bytes;
  let a = 0;
  for (let k = 0; k < i; k++) {
    a = b.indexOf(0, a) + 1;
    if (a === 0) return '';
  }
  const e = b.indexOf(0, a);
  return dec.decode(b.subarray(a, e < 0 ? b.length : e));
}

/** Checks a packed table against its entries: a kind per entry, kinds 0 or 1. */
export function checkPackedNames(names: PackedNames, entryCount: number, index: number): void {
  if (!(names?.bytes instanceof Uint8Array) || !(names.kinds instanceof Uint8Array)) {
    throw new InvalidArgumentError(`layer ${index}: packed names need Uint8Array bytes and kinds`, { layer: index });
  }
  if (names.kinds.length !== entryCount) {
    throw new InvalidArgumentError(`layer ${index}: ${names.kinds.length} packed kinds for ${entryCount} entries`, { layer: index });
  }
  const k = names.kinds;
  for (let i = 0; i < k.length; i++) {
    if (k[i]! > 1) throw new InvalidArgumentError(`layer ${index}: packed kind ${k[i]} of entry ${i} is not 0 (directory) or 1`, { layer: index, entry: i });
  }
}

/** The error for a name the core refused (entries give the path; else the packed names). */
export function prepareError(entries: readonly UnionLayerEntry[], index: number, res: PrepareFailure, names?: PackedNames): Error {
  let i = res.index;
  const pathOf = (j: number) => (names ? packedName(names, j) : entries[j]!.path);
  if (res.reason === 'path') return new InvalidArgumentError(`layer ${index}, entry ${i} has no path`, { layer: index, entry: i });
  if (res.reason === 'nul') {
    if (names) {
      return new InvalidArgumentError(`layer ${index}: its packed names hold a different number of names than its ${names.kinds.length} entries`, { layer: index });
    }
    i = entries.findIndex((e) => e.path.includes('\0'));
    const path = entries[Math.max(0, i)]!.path;
    return new UnsafePathError(`layer ${index}: entry name contains a NUL byte: ${JSON.stringify(path)}`, { path, layer: index });
  }
  const path = pathOf(i);
  if (res.reason === 'unsafe') {
    return new UnsafePathError(`layer ${index}: entry name climbs above the root: ${JSON.stringify(path)}`, { path, layer: index });
  }
  if (res.reason === 'below') {
    // Nothing exists below a `.wh.` name: refused as applyLayer refuses it,
    // instead of showing a `.wh.` directory.
    return new InvalidWhiteoutError(`layer ${index}: entry below a whiteout name: ${JSON.stringify(path)}`, { path, layer: index });
  }
  return new InvalidWhiteoutError(`layer ${index}: invalid whiteout ${JSON.stringify(path)}`, { path, layer: index });
}

/**
 * The prepared table of one layer, from its packed names when it has them
 * (no string encoded), else from its entries' paths. Throws what building a
 * view over the layer would throw (UNSAFE_PATH, INVALID_WHITEOUT, ...).
 */
export function prepareLayerTable(core: CoreModule, layer: { readonly entries: readonly UnionLayerEntry[]; readonly names?: PackedNames | undefined }, index = 0): LayerTable {
  const entries = layer.entries;
  if (!Array.isArray(entries)) throw new InvalidArgumentError(`layer ${index} has no entries array`, { layer: index });
  const names = layer.names;
  if (names !== undefined) checkPackedNames(names, entries.length, index);
  const res = names !== undefined ? prepareLayer(core, names.bytes, names.kinds) : prepareLayer(core, entries);
  if (isPrepareFailure(res)) throw prepareError(entries, index, res, names);
  return res;
}

// Serialised form: a header of 8 u32 (magic, version, entryCount, record
// count r, key bytes, maxDepth, 0, 0), then recOff, recLen, recEntry,
// recLcp (r u32 each, little-endian as Wasm and every JS engine in use),
// then recFlags (r bytes) and the key bytes. Typed arrays of the decoded
// table are views of the one buffer (no copies).
const MAGIC = 0x4c465554; // "TUFL"
const VERSION = 1;
const HEAD = 8;

/** The bytes of a table, for the store. */
export function encodeLayerTable(t: LayerTable): Uint8Array {
  const r = t.recOff.length;
  const out = new Uint8Array(4 * HEAD + 16 * r + r + t.bytes.length);
  const u32 = new Uint32Array(out.buffer, 0, HEAD + 4 * r);
  u32.set([MAGIC, VERSION, t.entryCount, r, t.bytes.length, t.maxDepth, 0, 0]);
  u32.set(t.recOff, HEAD);
  u32.set(t.recLen, HEAD + r);
  new Int32Array(out.buffer, 4 * (HEAD + 2 * r), r).set(t.recEntry);
  u32.set(t.recLcp, HEAD + 3 * r);
  out.set(t.recFlags, 4 * (HEAD + 4 * r));
  out.set(t.bytes, 4 * (HEAD + 4 * r) + r);
  return out;
}

function bad(why: string): never {
  throw new InvalidArgumentError(`not a layer table: ${why}`);
}

/**
 * A table from encodeLayerTable's bytes, checked so that the index never
 * reads outside it: every record's key lies inside the key bytes, common
 * prefixes are no longer than the keys, entry indexes fit `entryCount`, and
 * flags are known ones. (A table that passes but lies about order or depth
 * gives a wrong view, never a trap or a hang: the core bounds its stacks.)
 * INVALID_ARGUMENT otherwise.
 */
export function decodeLayerTable(bytes: Uint8Array): LayerTable {
  if (!(bytes instanceof Uint8Array) || bytes.length < 4 * HEAD) bad('too short');
  // Aligned views need an offset that is a multiple of 4.
  const b = bytes.byteOffset % 4 === 0 ? bytes : copyBytes(bytes);
  const head = new Uint32Array(b.buffer, b.byteOffset, HEAD);
  const [magic, version, entryCount, r, kb, maxDepth] = head as unknown as number[];
  if (magic !== MAGIC || version !== VERSION) bad('unknown format');
  if (4 * HEAD + 17 * r! + kb! !== b.length) bad('size does not match its header');
  const at = b.byteOffset + 4 * HEAD;
  const recOff = new Uint32Array(b.buffer, at, r);
  const recLen = new Uint32Array(b.buffer, at + 4 * r!, r);
  const recEntry = new Int32Array(b.buffer, at + 8 * r!, r);
  const recLcp = new Uint32Array(b.buffer, at + 12 * r!, r);
  const recFlags = new Uint8Array(b.buffer, at + 16 * r!, r);
  const keys = new Uint8Array(b.buffer, at + 17 * r!, kb);
  const n = entryCount!;
  let prevLen = 0;
  for (let i = 0; i < r!; i++) {
    const o = recOff[i]!;
    const l = recLen[i]!;
    if (o + l > kb! || l > kb!) bad(`record ${i} lies outside the key bytes`);
    const lcp = recLcp[i]!;
    if (lcp > l || lcp > prevLen) bad(`record ${i} has a common prefix longer than its key`);
    const e = recEntry[i]!;
    if (e < -1 || e >= n) bad(`record ${i} names entry ${e} of ${n}`);
    if (recFlags[i]! > 63) bad(`record ${i} has unknown flags`);
    prevLen = l;
  }
  if (maxDepth! > kb!) bad('depth larger than the keys');
  return { entryCount: n, bytes: keys, recOff, recLen, recEntry, recFlags, recLcp, maxDepth: maxDepth! };
}
