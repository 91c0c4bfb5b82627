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
import { isPrepareFailure, prepareLayer, REC_WORDS, type PreparedLayer, type PrepareFailure } from '../core/union.js';
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
  // Each kind is checked by the core as it reads it (a 'kind' failure).
}

/** The error for a name the core refused (entries give the path; else the packed names). */
export function prepareError(entries: readonly UnionLayerEntry[], index: number, res: PrepareFailure, names?: PackedNames): Error {
  let i = res.index;
  const pathOf = (j: number) => (names ? packedName(names, j) : entries[j]!.path);
  if (res.reason === 'path') return new InvalidArgumentError(`layer ${index}, entry ${i} has no path`, { layer: index, entry: i });
  if (res.reason === 'kind') {
    const what = names ? `packed kind ${names.kinds[i]}` : 'the kind';
    return new InvalidArgumentError(`layer ${index}: ${what} of entry ${i} is not 0 (directory) or 1`, { layer: index, entry: i });
  }
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

// Serialised form (version 4): a header of 8 u32 (magic, version,
// entryCount, record count r, key bytes, maxDepth, 0, 0), then the records
// (REC_WORDS i32 each: key offset, key length, entry, common prefix, key
// hash; little-endian as Wasm and every JS engine in use), their flags (r
// bytes) and the key bytes. Typed arrays of the decoded table are views of
// the one buffer (no copies). Versions 1 (one array per field), 2 (records
// without their hash) and 3 (FNV-1a key hashes over UTF-16 units) are
// refused: the store then prepares the layer's table again.
const MAGIC = 0x4c465554; // "TUFL"
const VERSION = 4;
const HEAD = 8;

/** The bytes of a table, for the store. */
export function encodeLayerTable(t: LayerTable): Uint8Array {
  const r = t.recFlags.length;
  const words = REC_WORDS * r;
  const out = new Uint8Array(4 * (HEAD + words) + r + t.bytes.length);
  const i32 = new Int32Array(out.buffer, 0, HEAD + words);
  i32.set([MAGIC, VERSION, t.entryCount, r, t.bytes.length, t.maxDepth, 0, 0]);
  i32.set(t.rec, HEAD);
  out.set(t.recFlags, 4 * (HEAD + words));
  out.set(t.bytes, 4 * (HEAD + words) + r);
  return out;
}

function bad(why: string): never {
  throw new InvalidArgumentError(`not a layer table: ${why}`);
}

/** Index of the first record that could make the index read outside its table, or -1. */
function firstBadRecord(rec: Int32Array, flags: Uint8Array, keyBytes: number, entryCount: number): number {
  // One tight pass (locals only, no calls): it runs over every record of
  // every layer a fresh process views. Fields in RecField order; any hash
  // is safe (a wrong one only hides its path from lookups).
  const r = flags.length;
  let prevLen = 0;
  for (let i = 0, w = 0; i < r; i++, w += REC_WORDS) {
    const o = rec[w]!;
    const l = rec[w + 1]!;
    const e = rec[w + 2]!;
    const lcp = rec[w + 3]!;
    if (o < 0 || l < 0 || o + l > keyBytes || lcp < 0 || lcp > l || lcp > prevLen || e < -1 || e >= entryCount || flags[i]! > 63) return i;
    prevLen = l;
  }
  return -1;
}

/**
 * A table from encodeLayerTable's bytes, checked so that the index never
 * reads outside it: every record's key lies inside the key bytes, common
 * prefixes are no longer than the keys, entry indexes fit `entryCount`, and
 * flags are known ones. (A table that passes but lies about order, depth
 * or hashes gives a wrong view, never a trap or a hang: the core bounds its
 * stacks.)
 * INVALID_ARGUMENT otherwise.
 */
export function decodeLayerTable(bytes: Uint8Array): LayerTable {
  if (!(bytes instanceof Uint8Array) || bytes.length < 4 * HEAD) bad('too short');
  // Aligned views need an offset that is a multiple of 4.
  const b = bytes.byteOffset % 4 === 0 ? bytes : copyBytes(bytes);
  const head = new Int32Array(b.buffer, b.byteOffset, HEAD);
  const [magic, version, entryCount, r, kb, maxDepth] = head as unknown as number[];
  if (magic !== MAGIC || version !== VERSION) bad('unknown format');
  if (entryCount! < 0 || r! < 0 || kb! < 0 || maxDepth! < 0) bad('negative counts');
  const words = REC_WORDS * r!;
  if (4 * (HEAD + words) + r! + kb! !== b.length) bad('size does not match its header');
  const at = b.byteOffset + 4 * HEAD;
  const rec = new Int32Array(b.buffer, at, words);
  const recFlags = new Uint8Array(b.buffer, at + 4 * words, r);
  const keys = new Uint8Array(b.buffer, at + 4 * words + r!, kb);
  const i = firstBadRecord(rec, recFlags, kb!, entryCount!);
  if (i >= 0) bad(`record ${i} does not fit its table (key outside the key bytes, common prefix longer than its key, entry out of range, or unknown flags)`);
  if (maxDepth! > kb!) bad('depth larger than the keys');
  return { entryCount: entryCount!, bytes: keys, rec, recFlags, maxDepth: maxDepth! };
}
