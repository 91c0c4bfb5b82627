/**
 * Typed front of the Wasm union index (assembly/union.ts).
 *
 * prepareLayer: one layer's entry names (joined by NUL, encoded once) and
 * kinds go in; its cleaned, sorted, collapsed records come out.
 * mergeLayers: the prepared layers of a stack go in; the merged visible
 * table (keys, origin layer, entry index, subtree ends) and an
 * open-addressing hash table over it come out.
 *
 * Everything that comes out is COPIED into plain typed arrays owned by JS
 * and every block taken for a build is released (in reverse order, which the
 * stub runtime's bump allocator can reclaim) before the call returns. So a
 * view never holds pointers into linear memory: any number of views can
 * live at once, they are garbage-collected like any object, and a later
 * memory.grow (by this or another kernel) cannot invalidate them. Views of
 * memory.buffer are re-created after every allocation, because an
 * allocation may grow memory.
 */
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { WasmCoreError } from '../errors/WasmCoreError.js';
import type { CoreModule } from './load.js';

/** Words per record in PreparedLayer.rec, and where each field sits. */
export const REC_WORDS = 5;
export const RecField = { OFF: 0, LEN: 1, ENTRY: 2, LCP: 3, HASH: 4 } as const;

/** Entry kinds handed to the core (only "directory or not" matters to it). */
export const UnionKind = { directory: 0, other: 1 } as const;

/** Node flags in MergedIndex.flags. */
export const NodeFlag = { DIR: 1, IMPLIED: 2, CHANGED: 4 } as const;

/** One layer after stage 1+2: immutable, reusable in any stack it appears in. */
export interface PreparedLayer {
  /** Entries the layer was prepared from. */
  readonly entryCount: number;
  /** UTF-8 key bytes (the names cleaned in place). */
  readonly bytes: Uint8Array;
  /**
   * REC_WORDS per record, interleaved (the merge reads one stream per
   * layer): key offset in `bytes`, key length, index of the winning entry
   * (-1 for records without a real entry), the length of the prefix the
   * key shares with the previous record's, and the key's hash (hashPath).
   */
  readonly rec: Int32Array;
  readonly recFlags: Uint8Array;
  /** Deepest key, in separators. */
  readonly maxDepth: number;
}

/** Why a name was refused: not a string, a NUL byte, above the root, a bad whiteout, a path below a `.wh.` name, or a kind other than 0 or 1. */
export type PrepareFailure = { reason: 'path' | 'nul' | 'unsafe' | 'whiteout' | 'below' | 'kind'; index: number };

/** The merged, visible tree: node 0 is the root, nodes in path order. */
export interface MergedIndex {
  readonly count: number;
  /**
   * Buffers holding the keys (UTF-8): the key of node i is keyLen[i] bytes
   * of sources[src[i]] from keyOff[i]. When every layer came with its bytes
   * held by JS (a prepared table: cached, or from the store), the sources
   * ARE those bytes and no key is copied; otherwise one compact copy of the
   * merged keys (src undefined: every key in sources[0]).
   */
  readonly sources: readonly Uint8Array[];
  readonly src: Uint16Array | undefined;
  readonly keyOff: Uint32Array;
  readonly keyLen: Uint32Array;
  readonly layer: Int32Array;
  /** Entry index in its layer; -1 for implied directories. */
  readonly entry: Int32Array;
  readonly flags: Uint8Array;
  /** Index just past the node's subtree (children are node+1 .. end-1). */
  readonly end: Uint32Array;
  /**
   * Open addressing, a power of two of slots: 0 = empty, else node index + 1
   * in the low bits (as many as the count takes: tableBits) and the key's
   * hash (hashPath) above them.
   */
  readonly table: Int32Array;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2;
        i++;
      } else n += 2;
    } else n += 2;
  }
  return n;
}

/** Blocks taken during one build, released in reverse order. */
class Arena {
  private readonly blocks: number[] = [];
  constructor(private readonly core: CoreModule) {}
  alloc(size: number): number {
    const ptr = this.core.exports.unionAlloc(Math.max(8, Math.ceil(size))) as number;
    if (ptr === 0) {
      throw new WasmCoreError(`the union index needs ${size} more bytes of Wasm memory than the engine can grow`, { bytes: size });
    }
    this.blocks.push(ptr);
    return ptr;
  }
  /** Block `ptr` (the one taken last) resized to `size` bytes, contents kept. */
  grow(ptr: number, size: number): number {
    const next = this.core.exports.unionRealloc(ptr, Math.max(8, Math.ceil(size))) as number;
    if (next === 0) {
      throw new WasmCoreError(`the union index needs ${size} more bytes of Wasm memory than the engine can grow`, { bytes: size });
    }
    this.blocks[this.blocks.lastIndexOf(ptr)] = next;
    return next;
  }
  /** Gives back the block taken last (a buffer sized too small, to be taken again). */
  pop(): void {
    (this.core.exports.unionFree as (p: number) => void)(this.blocks.pop()!);
  }
  release(): void {
    const free = this.core.exports.unionFree as (p: number) => void;
    for (let i = this.blocks.length - 1; i >= 0; i--) free(this.blocks[i]!);
    this.blocks.length = 0;
  }
  get u8(): Uint8Array {
    return new Uint8Array(this.core.memory.buffer);
  }
}

function call<T>(core: CoreModule, what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof WasmCoreError || e instanceof InvalidArgumentError) throw e;
    throw new WasmCoreError(`the Wasm union index failed in ${what}`, {}, { cause: e });
  }
}

/** Anything with a name: a layer's entries, as they come (`type` 'directory' marks directories). */
export interface Named {
  readonly path: string;
  readonly type?: string;
}

// Names per encodeInto call: enough to amortise the call, few enough that the
// joined chunk stays a small young-generation string (one 4 MB string per
// layer, or a subarray per name, made the garbage collector the biggest cost
// of a build over a large heap).
const CHUNK = 512;
const chunk: string[] = [];

/**
 * Encodes the paths of `items`, NUL-separated, into a block of Wasm memory
 * grown as it fills, in ONE pass over the items that also fills `kinds`
 * (unless given) and checks every path is a string: each pass over a large
 * layer's entry objects costs a cache miss per entry. Returns the block
 * and the bytes written, or the index of an item without a string path.
 */
function encodeNames(arena: Arena, items: ArrayLike<Named>, kinds: Uint8Array, classify: boolean): { raw: number; len: number } | { bad: number } {
  const n = items.length;
  let cap = Math.max(64, n * 48);
  let raw = arena.alloc(cap);
  let pos = 0;
  for (let a = 0; a < n; a += CHUNK) {
    const b = Math.min(n, a + CHUNK);
    chunk.length = 0;
    for (let i = a; i < b; i++) {
      const e = items[i]!;
      const p = e?.path;
      if (typeof p !== 'string') {
        chunk.length = 0;
        return { bad: i };
      }
      chunk.push(p);
      if (classify) kinds[i] = e.type === 'directory' ? UnionKind.directory : UnionKind.other;
    }
    if (b < n) chunk.push(''); // the separator before the next chunk
    const s = chunk.join('\0');
    // Room for ASCII first; for the worst case (3 bytes per unit) only if that fails.
    if (cap - pos < s.length) raw = arena.grow(raw, (cap = Math.max(2 * cap, pos + s.length)));
    let res = enc.encodeInto(s, arena.u8.subarray(raw + pos, raw + cap));
    if (res.read! < s.length) {
      raw = arena.grow(raw, (cap = Math.max(2 * cap, pos + 3 * s.length)));
      res = enc.encodeInto(s, arena.u8.subarray(raw + pos, raw + cap));
    }
    pos += res.written!;
  }
  chunk.length = 0;
  return { raw, len: pos };
}

/**
 * Grows Wasm memory once, up front, to about what a build of `layers`
 * takes (an estimate: a layer given by name needs room for its names
 * twice and its records at capacity, counted with one '/' for every 6
 * bytes of names, and the largest one its work arrays; the merge's nodes
 * and hash table follow the records). V8 counts each growth as external
 * memory, and past a threshold starts a full collection of the JS heap:
 * the allocator's doubling grew memory four times in the first build over
 * 10 x 100,000 names and cost four such collections (1.5-2.5 s with a
 * 250 MB heap, against 0.1 s for the build itself). One growth costs one
 * at most.
 * An estimate too small only lets the allocator grow again.
 */
function reserve(core: CoreModule, layers: ReadonlyArray<PreparedLayer | LayerNames>): void {
  let bytes = 0;
  let records = 0;
  for (const l of layers) {
    if ('rec' in l) {
      bytes += l.bytes.length + 21 * l.recFlags.length;
      records += l.recFlags.length;
      continue;
    }
    // Packed names: their bytes, and a kind per entry; entries: a guess at their names' bytes.
    const count = entryCountOf(l);
    const raw = l.names instanceof Uint8Array ? l.names.length : 48 * count;
    bytes += 2 * raw + 21 * (count + Math.ceil(raw / 6) + 1);
    records += count;
  }
  // One set of work arrays for the largest layer (see WorkArrays).
  bytes += 29 * mostEntries(layers);
  // Nodes (27 bytes a record) and the hash table (at most 8 a record), and room for block headers.
  bytes += 35 * records + 4096 * (layers.length + 16);
  const x = core.exports;
  const p = x.unionAlloc(bytes) as number;
  if (p !== 0) (x.unionFree as (p: number) => void)(p);
}

/** A layer's records in Wasm memory, ready for the merge. */
interface Staged {
  /** bytes, rec, recFlags, record count (see LD in assembly/union.ts). */
  readonly ptrs: readonly number[];
  readonly bytesLen: number;
  readonly entryCount: number;
  readonly maxDepth: number;
  /** The same key bytes, held by JS (a prepared layer's `bytes`), when there is such a copy. */
  js?: Uint8Array;
  /** For names given as bytes: those bytes, equal to the staged bytes below `split` (the rewritten copies follow). */
  input?: Uint8Array;
  split?: number;
}

/**
 * A layer's stage 1-2 work arrays, for up to `n` entries: its names' offsets
 * and lengths, kinds, neighbours' common prefixes (2n: unionSort and
 * unionRecords read them per sorted position, the split leaves its own
 * above them), the sorted order and the sort's scratch. Only the names and
 * the records outlive a layer's staging, so the layers of one build share
 * one set, taken before their blocks (29 bytes an entry once, instead of
 * once per layer: 26 MB less Wasm memory touched for 10 x 100,000 names).
 */
interface WorkArrays {
  readonly n: number;
  readonly off: number;
  readonly len: number;
  readonly kind: number;
  readonly plcp: number;
  readonly perm: number;
  readonly tmp: number;
}

function workArrays(arena: Arena, n: number): WorkArrays {
  return { n, off: arena.alloc(4 * n), len: arena.alloc(4 * n), kind: arena.alloc(n), plcp: arena.alloc(8 * n), perm: arena.alloc(4 * n), tmp: arena.alloc(8 * n) };
}

/** How many entries a layer given by name has (an upper bound for packed names without kinds). */
function entryCountOf(l: LayerNames): number {
  return l.kinds?.length ?? l.names.length;
}

/** The entries of the largest layer given by name (0 when all come prepared): what the shared work arrays must hold. */
function mostEntries(layers: ReadonlyArray<PreparedLayer | LayerNames>): number {
  let most = 0;
  for (const l of layers) if (!('rec' in l)) most = Math.max(most, entryCountOf(l));
  return most;
}

/**
 * Stage 1+2 of one layer into `arena` (its blocks stay until the arena is
 * released). `kinds` may be left out for entries, which then give their
 * kind by `type`. Work arrays come from `scratch` when it has room, else
 * are taken for this layer.
 */
function stageNames(core: CoreModule, arena: Arena, names: string | Uint8Array | ArrayLike<Named>, given?: Uint8Array, scratch?: WorkArrays): Staged | PrepareFailure {
  const x = core.exports;
  let raw: number;
  let rawLen: number;
  let kinds: Uint8Array;
  // Every block of names gets room for as many bytes again: unionSplitClean
  // copies the names it rewrites there (the names themselves stay as given);
  // and 16 more, which unionRecords' 16-byte steps may read past the last key.
  if (names instanceof Uint8Array) {
    // A packed name table (UTF-8, NUL-separated): copied in as it is, no
    // string is encoded (see PackedNames in src/layer/packed-names.ts).
    kinds = given ?? new Uint8Array(0);
    rawLen = names.length;
    raw = arena.alloc(2 * rawLen + 16);
    arena.u8.set(names, raw);
  } else if (typeof names === 'string') {
    kinds = given ?? new Uint8Array(0);
    const joined = names;
    let cap = joined.length;
    raw = arena.alloc(2 * cap + 16);
    let res = enc.encodeInto(joined, arena.u8.subarray(raw, raw + cap));
    if (res.read! < joined.length) {
      arena.pop();
      cap = utf8Length(joined);
      raw = arena.alloc(2 * cap + 16);
      res = enc.encodeInto(joined, arena.u8.subarray(raw, raw + cap));
    }
    rawLen = res.written!;
  } else {
    kinds = given ?? new Uint8Array(names.length);
    const res = encodeNames(arena, names, kinds, given === undefined);
    if ('bad' in res) return { reason: 'path', index: res.bad };
    rawLen = res.len;
    raw = arena.grow(res.raw, 2 * rawLen + 16);
  }
  const n = kinds.length;
  const { off, len, kind, plcp, perm, tmp } = scratch !== undefined && scratch.n >= n ? scratch : workArrays(arena, n);
  arena.u8.set(kinds, kind);
  const sumDepth = x.unionSplitClean(raw, rawLen, n, off, len, kind, plcp + 4 * n) as number;
  if (sumDepth < 0) {
    const index = x.unionErrorIndex() as number;
    const reason = (['nul', 'unsafe', 'whiteout', 'below', 'kind'] as const)[-sumDepth - 1]!;
    return { reason, index } as PrepareFailure;
  }
  const maxDepth = x.unionMaxDepth() as number;
  x.unionSort(raw, n, off, len, kind, perm, tmp, plcp);
  const recCap = n + sumDepth + 1;
  const stack = arena.alloc((maxDepth + 2) * 12); // frames of 12 bytes (SF in assembly/union.ts)
  const rec = arena.alloc(4 * REC_WORDS * recCap);
  const recFlags = arena.alloc(recCap);
  const states = arena.alloc(8 * (((x.unionMaxKeyLen() as number) >>> 3) + 1));
  const r = x.unionRecords(raw, n, off, len, kind, perm, stack, rec, recFlags, plcp, states) as number;
  const bytesLen = x.unionSplitEnd() as number;
  return {
    ptrs: [raw, rec, recFlags, r],
    bytesLen,
    entryCount: n,
    maxDepth,
    ...(names instanceof Uint8Array ? { input: names, split: rawLen } : {}),
  };
}

/** A staged layer copied out of Wasm memory (to be cached and merged again later). */
function copyOut(core: CoreModule, s: Staged): PreparedLayer {
  const [raw, rec, recFlags, r] = s.ptrs as [number, number, number, number];
  const buf = core.memory.buffer;
  return {
    entryCount: s.entryCount,
    bytes: new Uint8Array(buf, raw, s.bytesLen).slice(),
    rec: new Int32Array(buf, rec, REC_WORDS * r).slice(),
    recFlags: new Uint8Array(buf, recFlags, r).slice(),
    maxDepth: s.maxDepth,
  };
}

/** A prepared layer copied into `arena`. */
function stagePrepared(core: CoreModule, arena: Arena, l: PreparedLayer): Staged {
  const r = l.recFlags.length;
  // 8 bytes of room after the keys: the core compares keys 8 bytes a step.
  const bytes = arena.alloc(l.bytes.length + 8);
  const rec = arena.alloc(4 * REC_WORDS * r);
  const recFlags = arena.alloc(r);
  const buf = core.memory.buffer;
  new Uint8Array(buf, bytes, l.bytes.length).set(l.bytes);
  new Int32Array(buf, rec, REC_WORDS * r).set(l.rec);
  new Uint8Array(buf, recFlags, r).set(l.recFlags);
  return { ptrs: [bytes, rec, recFlags, r], bytesLen: l.bytes.length, entryCount: l.entryCount, maxDepth: l.maxDepth, js: l.bytes };
}

/** Stage 3 over staged layers (index 0 = bottom): merge, then the hash table from the records' hashes; the result copied out. */
function mergeStaged(core: CoreModule, arena: Arena, layers: readonly Staged[]): MergedIndex {
  const x = core.exports;
  const k = layers.length;
  let totalRec = 0;
  let maxDepth = 0;
  for (const l of layers) {
    totalRec += l.ptrs[3]!;
    maxDepth = Math.max(maxDepth, l.maxDepth);
  }
  const desc = arena.alloc(32 * Math.max(1, k));
  const heap = arena.alloc(32 * Math.max(1, k));
  const stackCap = maxDepth + 3;
  const stack = arena.alloc(stackCap * 16);
  const cap = totalRec + 1;
  const nKeyPtr = arena.alloc(4 * cap);
  const nKeyLen = arena.alloc(4 * cap);
  const nLayer = arena.alloc(4 * cap);
  const nEntry = arena.alloc(4 * cap);
  const nFlags = arena.alloc(cap);
  const nEnd = arena.alloc(4 * cap);
  const nHash = arena.alloc(4 * cap);
  const nKeySrc = arena.alloc(2 * cap);
  const d32 = new Uint32Array(core.memory.buffer, desc, 8 * Math.max(1, k));
  layers.forEach((l, i) => {
    const p = l.ptrs;
    d32.set([p[0]!, p[1]!, 0, 0, p[2]!, p[3]!, 0, 0], i * 8);
  });
  const m = x.unionMerge(desc, k, heap, stack, stackCap, nKeyPtr, nKeyLen, nLayer, nEntry, nFlags, nEnd, nKeySrc, nHash) as number;
  if (m < 0) throw new InvalidArgumentError(`a layer table has paths deeper than its depth (${maxDepth}) says: not a table this layer was prepared into`);
  const kb = x.unionKeyBytes() as number;
  // Point into the layers' own key bytes (no key copied out: the merged
  // keys were most of the bytes a view allocated, and what made the garbage
  // collector run between builds) when JS holds them, or when copying out
  // the names of the layers it does not hold (a small top layer) costs less
  // than one compact copy of the merged keys.
  let unheld = 0;
  for (const l of layers) if (l.js === undefined) unheld += l.input ? l.bytesLen - l.split! : l.bytesLen;
  const shared = k > 0 && k <= 0x7fff && unheld < kb;
  const keys = shared ? 0 : arena.alloc(kb);
  const keyOff = shared ? 0 : arena.alloc(4 * (m + 1));
  if (!shared) x.unionPack(nKeyPtr, nKeyLen, m, keys, keyOff);
  // Load at most 2/3: a probe mostly stays within its cache line, and the
  // table (copied out with the view) is 2/3 of what load 1/2 would take.
  let size = 16;
  while (3 * m > 2 * size) size *= 2;
  const table = arena.alloc(4 * size);
  x.unionTable(nHash, m, table, size - 1);
  const sources: Uint8Array[] = [];
  if (shared) {
    // Each layer's key bytes on the JS side: its prepared bytes; or the
    // names it was given plus a copy of the names rewritten for it; or a
    // copy of what was staged for it.
    const map = arena.alloc(12 * k);
    const mm = new Uint32Array(core.memory.buffer, map, 3 * k);
    const staged = (l: Staged, a: number) => new Uint8Array(core.memory.buffer, l.ptrs[0]! + a, l.bytesLen - a).slice();
    layers.forEach((l, i) => {
      mm[3 * i] = 0xffffffff;
      mm[3 * i + 1] = mm[3 * i + 2] = sources.length;
      if (l.js) sources.push(l.js);
      else if (l.input) {
        mm[3 * i] = l.split!;
        sources.push(l.input);
        mm[3 * i + 2] = sources.length;
        sources.push(staged(l, l.split!));
      } else sources.push(staged(l, 0));
    });
    x.unionKeyRefs(desc, map, nKeyPtr, nKeyLen, nKeySrc, m);
  }
  const buf = core.memory.buffer;
  return {
    count: m,
    sources: shared ? sources : [new Uint8Array(buf, keys, kb).slice()],
    src: shared ? new Uint16Array(buf, nKeySrc, m).slice() : undefined,
    keyOff: new Uint32Array(buf, shared ? nKeyPtr : keyOff, m).slice(),
    keyLen: new Uint32Array(buf, nKeyLen, m).slice(),
    layer: new Int32Array(buf, nLayer, m).slice(),
    entry: new Int32Array(buf, nEntry, m).slice(),
    flags: new Uint8Array(buf, nFlags, m).slice(),
    end: new Uint32Array(buf, nEnd, m).slice(),
    table: new Int32Array(buf, table, size).slice(),
  };
}

/**
 * Stage 1+2 for one layer. `names` is the entry names joined by '\0', or
 * the entries themselves (their `path`s are encoded straight into Wasm
 * memory, a chunk at a time); `kinds[i]` is UnionKind of entry i (for
 * entries it may be left out: their `type` tells). Returns
 * the failure (which entry, why) instead of throwing for input errors, so
 * the caller can name the path.
 */
export function prepareLayer(core: CoreModule, names: string | Uint8Array | ArrayLike<Named>, kinds?: Uint8Array): PreparedLayer | PrepareFailure {
  const arena = new Arena(core);
  try {
    return call(core, 'prepareLayer', () => {
      const s = stageNames(core, arena, names, kinds);
      return 'reason' in s ? s : copyOut(core, s);
    });
  } finally {
    arena.release();
  }
}

export function isPrepareFailure(x: PreparedLayer | PrepareFailure): x is PrepareFailure {
  return (x as PrepareFailure).reason !== undefined;
}

/** Stage 3: merge prepared layers (index 0 = bottom) and hash the result. */
export function mergeLayers(core: CoreModule, layers: readonly PreparedLayer[]): MergedIndex {
  const arena = new Arena(core);
  try {
    return call(core, 'mergeLayers', () => {
      reserve(core, layers);
      return mergeStaged(core, arena, layers.map((l) => stagePrepared(core, arena, l)));
    });
  } finally {
    arena.release();
  }
}

/** A layer not prepared yet: its entries (and kinds, else by `type`); `keep` asks for its PreparedLayer back (to cache it). */
export interface LayerNames {
  readonly names: ArrayLike<Named> | Uint8Array;
  readonly kinds?: Uint8Array;
  readonly keep: boolean;
}

export interface BuiltIndex {
  readonly index: MergedIndex;
  /** The prepared tables of the `keep` layers and of those passed prepared; undefined for the others. */
  readonly prepared: ReadonlyArray<PreparedLayer | undefined>;
  /** Deepest key of any layer, in separators. */
  readonly maxDepth: number;
}

/**
 * Stages 1-3 in one pass over Wasm memory: layers given by name are
 * prepared where the merge reads them, and copied out only when `keep`
 * (copying every layer out and back in doubled the bytes a cold build
 * allocated, and allocation is what makes the garbage collector run).
 * Layers given prepared are copied in. A bad name comes back as the
 * failure with its layer's index.
 */
export function buildIndex(core: CoreModule, layers: ReadonlyArray<PreparedLayer | LayerNames>): BuiltIndex | (PrepareFailure & { layer: number }) {
  const arena = new Arena(core);
  try {
    return call(core, 'buildIndex', () => {
      reserve(core, layers);
      const staged: Staged[] = [];
      const prepared: Array<PreparedLayer | undefined> = [];
      const most = mostEntries(layers);
      const scratch = most > 0 ? workArrays(arena, most) : undefined;
      let maxDepth = 0;
      for (let i = 0; i < layers.length; i++) {
        const l = layers[i]!;
        if ('rec' in l) {
          staged.push(stagePrepared(core, arena, l));
          prepared.push(l);
        } else {
          const s = stageNames(core, arena, l.names, l.kinds, scratch);
          if ('reason' in s) return { ...s, layer: i };
          const kept = l.keep ? copyOut(core, s) : undefined;
          if (kept) s.js = kept.bytes;
          staged.push(s);
          prepared.push(kept);
        }
        maxDepth = Math.max(maxDepth, staged[i]!.maxDepth);
      }
      return { index: mergeStaged(core, arena, staged), prepared, maxDepth };
    });
  } finally {
    arena.release();
  }
}

/**
 * A merged index seen as ONE prepared layer (what a squashed image would
 * be): merging it with a new top layer gives the same visible tree as
 * merging the whole stack with that layer, because a layer's whiteouts and
 * opaque markers act on everything below it alike. Record entries hold node
 * indexes, which mergeLayers passes through for real and implied nodes, so
 * the caller maps them back to (layer, entry).
 */
export function flattenIndex(core: CoreModule, ix: MergedIndex, maxDepth: number): PreparedLayer {
  const m = ix.count;
  let total = 0;
  let maxLen = 0;
  for (let i = 0; i < m; i++) {
    const l = ix.keyLen[i]!;
    total += l;
    if (l > maxLen) maxLen = l;
  }
  const recFlags = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    const f = ix.flags[i]!;
    // R_REAL 1, R_DIR 2, R_IMPLIED 16, R_CHANGED 32 (assembly/union.ts)
    recFlags[i] = f & NodeFlag.IMPLIED ? 16 : (f & NodeFlag.DIR ? 3 : 1) | (f & NodeFlag.CHANGED ? 32 : 0);
  }
  // The keys gathered into one compact buffer (the merge reads one buffer
  // per layer), each with its common prefix with the one before and its
  // hash (the table keeps only the hash's high bits): in Wasm, as stage 2
  // makes them (a JS loop over the bytes took 100-500 ms for 625k keys).
  const arena = new Arena(core);
  try {
    return call(core, 'flattenIndex', () => {
      const ptrs = ix.sources.map((b) => {
        const p = arena.alloc(b.length);
        arena.u8.set(b, p);
        return p;
      });
      const srcPtr = arena.alloc(4 * ptrs.length);
      const src = ix.src === undefined ? 0 : arena.alloc(2 * m);
      const keyOff = arena.alloc(4 * m);
      const keyLen = arena.alloc(4 * m);
      const out = arena.alloc(total + 8);
      const rec = arena.alloc(4 * REC_WORDS * m);
      const states = arena.alloc(8 * ((maxLen >>> 3) + 1));
      const buf = core.memory.buffer;
      new Uint32Array(buf, srcPtr, ptrs.length).set(ptrs);
      if (ix.src !== undefined) new Uint16Array(buf, src, m).set(ix.src.subarray(0, m));
      new Uint32Array(buf, keyOff, m).set(ix.keyOff.subarray(0, m));
      new Uint32Array(buf, keyLen, m).set(ix.keyLen.subarray(0, m));
      core.exports.unionFlatten(srcPtr, src, keyOff, keyLen, m, out, rec, states);
      return {
        entryCount: m,
        bytes: new Uint8Array(buf, out, total).slice(),
        rec: new Int32Array(buf, rec, REC_WORDS * m).slice(),
        recFlags,
        maxDepth,
      };
    });
  } finally {
    arena.release();
  }
}

// The key hash of the core (assembly/union.ts, "hash"): the key's UTF-8
// bytes as little-endian 32-bit words (the last one zero-padded), even words
// into lane a, odd ones into lane b, then murmur3's final mix.
export const HASH_A = 0x811c9dc5 | 0;
export const HASH_B = (0x811c9dc5 ^ 0x85ebca6b) | 0;
const HASH_MUL = 0x9e3779b1 | 0;

/** One word into a lane. */
export function hashStep(h: number, w: number): number {
  h = Math.imul(h ^ w, HASH_MUL);
  return (h << 13) | (h >>> 19);
}

/** The hash of an n-byte key from its lanes after all its words. */
export function hashFinish(a: number, b: number, n: number): number {
  let h = a ^ ((b << 16) | (b >>> 16)) ^ n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * A key hash in the making, fed UTF-16 strings (encoded to UTF-8 on the way
 * as TextEncoder does: a lone surrogate as U+FFFD) or bytes; `copy` lets a
 * walk down a tree go on from each directory's state.
 */
export class KeyHasher {
  private a = HASH_A;
  private b = HASH_B;
  private w = 0; // the word being filled
  private n = 0; // bytes so far

  copy(): KeyHasher {
    const c = new KeyHasher();
    c.a = this.a;
    c.b = this.b;
    c.w = this.w;
    c.n = this.n;
    return c;
  }

  byte(x: number): this {
    this.w |= x << ((this.n & 3) << 3);
    const n = ++this.n;
    if ((n & 3) === 0) {
      if (n & 4) this.a = hashStep(this.a, this.w);
      else this.b = hashStep(this.b, this.w);
      this.w = 0;
    }
    return this;
  }

  string(s: string, from = 0, to = s.length): this {
    for (let i = from; i < to; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) this.byte(c);
      else if (c < 0x800) this.byte(0xc0 | (c >> 6)).byte(0x80 | (c & 0x3f));
      else {
        if (c >= 0xd800 && c <= 0xdfff) {
          const d = c <= 0xdbff && i + 1 < to ? s.charCodeAt(i + 1) : 0;
          if (d >= 0xdc00 && d <= 0xdfff) {
            c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
            i++;
            this.byte(0xf0 | (c >> 18)).byte(0x80 | ((c >> 12) & 0x3f)).byte(0x80 | ((c >> 6) & 0x3f)).byte(0x80 | (c & 0x3f));
            continue;
          }
          c = 0xfffd;
        }
        this.byte(0xe0 | (c >> 12)).byte(0x80 | ((c >> 6) & 0x3f)).byte(0x80 | (c & 0x3f));
      }
    }
    return this;
  }

  /** The hash of the bytes so far (the hasher can go on). */
  digest(): number {
    let a = this.a;
    let b = this.b;
    const n = this.n;
    if (n & 3) {
      if (n & 4) b = hashStep(b, this.w);
      else a = hashStep(a, this.w);
    }
    return hashFinish(a, b, n);
  }
}

/** The hash the core stores for a key, computed from a JS string. */
export function hashPath(s: string): number {
  return new KeyHasher().string(s).digest();
}

/** The buffer holding node i's key (from keyOff[i], keyLen[i] bytes). */
export function keySource(ix: MergedIndex, i: number): Uint8Array {
  return ix.sources[ix.src === undefined ? 0 : ix.src[i]!]!;
}

/** The key of node i as a string. */
export function nodeKey(ix: MergedIndex, i: number): string {
  const keys = keySource(ix, i);
  const a = ix.keyOff[i]!;
  const b = a + ix.keyLen[i]!;
  if (b - a < 48) {
    let s = '';
    for (let j = a; j < b; j++) {
      const c = keys[j]!;
      if (c >= 0x80) return dec.decode(keys.subarray(a, b));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return dec.decode(keys.subarray(a, b));
}

/** True when node i's key is the string s. */
export function keyEquals(ix: MergedIndex, i: number, s: string): boolean {
  const a = ix.keyOff[i]!;
  const b = a + ix.keyLen[i]!;
  if (b - a === s.length) {
    const keys = keySource(ix, i);
    for (let j = 0; j < s.length; j++) {
      const c = keys[a + j]!;
      if (c !== s.charCodeAt(j)) return c >= 0x80 ? nodeKey(ix, i) === s : false;
    }
    return true;
  }
  // Non-ASCII keys take more bytes than UTF-16 units.
  return b - a > s.length && nodeKey(ix, i) === s;
}

/** How many low bits of a table slot hold node index + 1 (the hash's bits are above them). */
export function tableBits(ix: MergedIndex): number {
  return 32 - Math.clz32(ix.count);
}

/** Node index of a clean path whose hash is `h` (hashPath), or -1. */
export function probe(ix: MergedIndex, s: string, h: number): number {
  const table = ix.table;
  const mask = table.length - 1;
  const bits = tableBits(ix);
  const low = (1 << bits) - 1;
  for (let i = h & mask; ; i = (i + 1) & mask) {
    const v = table[i]!;
    if (v === 0) return -1;
    if ((v ^ h) >>> bits === 0 && keyEquals(ix, (v & low) - 1, s)) return (v & low) - 1;
  }
}
