/**
 * The merged, read-only file tree of a layer stack (CONFORMANCE.md rule 23;
 * OCI image-spec layer.md "Whiteouts"): a path resolves to the topmost layer
 * that has it unless a whiteout or opaque marker above hides it; a
 * non-directory hides the whole subtree below it; `.wh.*` names never appear;
 * listings merge every visible layer, sorted with '/' first (rule 21).
 *
 * The index is built by the Wasm core (src/core/union.ts) from each layer's
 * entry table; per-layer work (cleaning, sorting, collapsing duplicates) is
 * kept per layer, so a view with one more layer on top (a container's
 * writable layer) re-merges cached tables instead of re-reading every layer:
 * see `withLayer`. Browser-safe: no Node built-ins.
 */
import { loadCore, type CoreModule } from '../core/load.js';
import {
  flattenIndex,
  HASH_A,
  HASH_B,
  hashFinish,
  hashPath,
  hashStep,
  KeyHasher,
  keyEquals,
  keySource,
  buildIndex,
  mergeLayers,
  NodeFlag,
  nodeKey,
  REC_WORDS,
  prepareLayer,
  probe,
  tableBits,
  type LayerNames,
  type MergedIndex,
  type PreparedLayer,
} from '../core/union.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { NotFoundError } from '../errors/NotFoundError.js';
import { SymlinkLoopError } from '../errors/SymlinkLoopError.js';
import { UnsafePathError } from '../errors/UnsafePathError.js';
import { UnsupportedError } from '../errors/UnsupportedError.js';
import { cleanPath } from '../layer/path.js';
import { IMPLIED_DIR_MODE } from '../tree/types.js';
import { checkPackedNames, prepareError, prepareLayerTable, type LayerTable } from './table.js';
import type { LayerContent, LayerReader, UnionLayer, UnionLayerEntry, UnionNode } from './types.js';

/** Linux gives up after 40 links (MAXSYMLINKS, ELOOP); so do we. */
export const MAX_SYMLINKS = 40;

const utf8 = new TextEncoder();

/** Is s.slice(from, to) a segment that cleaning removes or resolves ('', '.', '..')? */
function dotSegment(s: string, from: number, to: number): boolean {
  const l = to - from;
  return l === 0 || (l <= 2 && s.charCodeAt(from) === 46 && (l === 1 || s.charCodeAt(from + 1) === 46));
}

export interface UnionViewOptions {
  /** Force the SIMD or scalar Wasm build (default: what the engine supports). */
  simd?: boolean;
  /** An already loaded core (makes `UnionView.build` synchronous). */
  core?: CoreModule;
  /** Content reader for layers that bring none of their own. */
  read?: LayerReader;
}

// Layers whose entry array is frozen cannot change: their prepared tables are
// reused by every view they appear in (images sharing a base share this work).
const preparedCache = new WeakMap<readonly UnionLayerEntry[], PreparedLayer>();
const preparedCacheScalar = new WeakMap<readonly UnionLayerEntry[], PreparedLayer>();

const hardlinkLists = new WeakMap<readonly UnionLayerEntry[], number[]>();

/** Indexes of a layer's hardlink entries, kept for a frozen entry array (one that cannot change). */
function hardlinksOf(entries: readonly UnionLayerEntry[]): number[] {
  let list = hardlinkLists.get(entries);
  if (!list) {
    list = [];
    for (let j = 0; j < entries.length; j++) if (entries[j]!.type === 'hardlink') list.push(j);
    if (Object.isFrozen(entries)) hardlinkLists.set(entries, list);
  }
  return list;
}

function cacheOf(core: CoreModule): WeakMap<readonly UnionLayerEntry[], PreparedLayer> {
  return core.simd ? preparedCache : preparedCacheScalar;
}

function entriesOf(layer: UnionLayer, index: number): readonly UnionLayerEntry[] {
  const entries = layer?.entries;
  if (!Array.isArray(entries)) throw new InvalidArgumentError(`layer ${index} has no entries array`, { layer: index });
  return entries;
}

/** A layer's own table, checked against its entries. */
function givenTable(layer: UnionLayer, entries: readonly UnionLayerEntry[], index: number): LayerTable | undefined {
  const t = layer.table;
  if (t === undefined) return undefined;
  if (!(t?.rec instanceof Int32Array) || !(t.recFlags instanceof Uint8Array) || !(t.bytes instanceof Uint8Array) || t.rec.length !== REC_WORDS * t.recFlags.length) {
    throw new InvalidArgumentError(`layer ${index}: its table is not a layer table (prepareLayerTable, decodeLayerTable)`, { layer: index });
  }
  if (t.entryCount !== entries.length) {
    throw new InvalidArgumentError(`layer ${index}: its table was prepared from ${t.entryCount} entries, the layer has ${entries.length}`, { layer: index });
  }
  return t;
}

/** One layer's prepared table: its own, cached (frozen entries), or prepared now (and cached when frozen). */
function prepare(core: CoreModule, layer: UnionLayer, index: number): PreparedLayer {
  const entries = entriesOf(layer, index);
  const own = givenTable(layer, entries, index);
  if (own) return own;
  const frozen = Object.isFrozen(entries);
  const cache = cacheOf(core);
  if (frozen) {
    const hit = cache.get(entries);
    if (hit) return hit;
  }
  // Packed names go in as bytes; entries' paths are encoded straight into
  // Wasm memory (no array of names, one pass over the entry objects).
  const res = prepareLayerTable(core, { entries, names: layer.names }, index);
  if (frozen) cache.set(entries, res);
  return res;
}

function impliedEntry(path: string): UnionLayerEntry {
  return Object.freeze({
    path,
    type: 'directory',
    mode: IMPLIED_DIR_MODE,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    size: 0,
    mtime: 0,
    linkname: '',
    devmajor: 0,
    devminor: 0,
    xattrs: Object.freeze({}) as Record<string, Uint8Array>,
  });
}

/** Lexical clean of a path asked for by a caller: like cleanPath, but `..` at the root stays there. */
function cleanQuery(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

async function collect(content: LayerContent): Promise<Uint8Array> {
  if (content instanceof Uint8Array) return content;
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = content.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.length;
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

export class UnionView {
  private readonly core: CoreModule;
  private readonly layers: readonly UnionLayer[];
  /** Deepest key of any layer, in separators (bounds the merge's stack). */
  private readonly maxDepth: number;
  private readonly ix: MergedIndex;
  private readonly read?: LayerReader;
  private readonly lower = new Map<number, UnionView>();
  private readonly sameLayerNames = new Map<number, Map<string, number[]>>();
  /** The clean form of the path the last indexOf looked up (saves decoding the key back). */
  private lastKey = '';
  /** Keys already matched, as strings (filled by lookups; at most one per node). */
  private names: Array<string | undefined> | undefined;
  /** tableBits of the index (node index + 1 below, hash bits above, in each table slot). */
  private bits: number | undefined;
  /** Nodes handed out by lookup (frozen, so they can be shared). */
  private nodes: Array<UnionNode | undefined> | undefined;

  private flat: PreparedLayer | undefined;
  /** Per key buffer: its bytes as a string when ASCII, else null (filled on first use). */
  private allKeys: Array<string | null> | undefined;

  private constructor(core: CoreModule, layers: readonly UnionLayer[], maxDepth: number, ix: MergedIndex, read?: LayerReader) {
    this.core = core;
    this.layers = layers;
    this.maxDepth = maxDepth;
    this.read = read;
    this.ix = ix;
  }

  /** Builds the view of `layers` (index 0 = bottom), loading the Wasm core if needed. */
  static async fromLayers(layers: readonly UnionLayer[], opts: UnionViewOptions = {}): Promise<UnionView> {
    const core = opts.core ?? (await loadCore(opts.simd === undefined ? {} : { simd: opts.simd }));
    return UnionView.build(core, layers, opts);
  }

  /** Synchronous build with a loaded core (`loadCore()`). */
  static build(core: CoreModule, layers: readonly UnionLayer[], opts: Omit<UnionViewOptions, 'core' | 'simd'> = {}): UnionView {
    const list = [...layers];
    const cache = cacheOf(core);
    // Frozen layers seen before come prepared; the others are prepared where
    // the merge reads them, in one pass over Wasm memory, and copied out
    // only when frozen (to be cached for the next view).
    const inputs = list.map((l, i): PreparedLayer | LayerNames => {
      const entries = entriesOf(l, i);
      const own = givenTable(l, entries, i);
      if (own) return own;
      const frozen = Object.isFrozen(entries);
      const hit = frozen && cache.get(entries);
      if (hit) return hit;
      if (l.names === undefined) return { names: entries, keep: frozen };
      checkPackedNames(l.names, entries.length, i);
      return { names: l.names.bytes, kinds: l.names.kinds, keep: frozen };
    });
    const res = buildIndex(core, inputs);
    if ('reason' in res) throw prepareError(list[res.layer]!.entries, res.layer, res, list[res.layer]!.names);
    res.prepared.forEach((p, i) => {
      const entries = list[i]!.entries;
      if (p && list[i]!.table === undefined && Object.isFrozen(entries)) cache.set(entries, p);
    });
    return new UnionView(core, list, res.maxDepth, res.index, opts.read);
  }

  /**
   * A new view with `layer` on top of this view's layers (a container's
   * writable layer). Only the new layer is prepared; this view's merged
   * table (flattened once, then cached) is merged with it in Wasm: a
   * two-way merge, O(visible paths + top entries), no re-reading of the
   * lower layers. Call it again on the same (image) view after each batch of
   * writes to the top layer. This view is unchanged.
   */
  withLayer(layer: UnionLayer): UnionView {
    const k = this.layers.length;
    const top = prepare(this.core, layer, k);
    // This view's merged table stands in for its k layers: a two-way merge
    // instead of a k+1-way one (see flattenIndex).
    this.flat ??= flattenIndex(this.core, this.ix, this.maxDepth);
    const ix = mergeLayers(this.core, [this.flat, top]);
    const base = this.ix;
    const layerOf = ix.layer;
    const entryOf = ix.entry;
    for (let i = 0; i < ix.count; i++) {
      if (layerOf[i] === 1) {
        layerOf[i] = k;
        continue;
      }
      const e = entryOf[i]!;
      if (e < 0) continue; // the implied root
      layerOf[i] = base.layer[e]!;
      entryOf[i] = ix.flags[i]! & NodeFlag.IMPLIED ? -1 : base.entry[e]!;
    }
    return new UnionView(this.core, [...this.layers, layer], Math.max(this.maxDepth, top.maxDepth), ix, this.read);
  }

  /** The view of the bottom `count` layers (shares the prepared tables of frozen layers). */
  lowerView(count: number): UnionView {
    if (!Number.isInteger(count) || count < 0 || count > this.layers.length) {
      throw new InvalidArgumentError(`lowerView: ${count} is not a layer count between 0 and ${this.layers.length}`, { count });
    }
    if (count === this.layers.length) return this;
    let v = this.lower.get(count);
    if (!v) {
      // Frozen layers come from the cache; the others are prepared again.
      v = UnionView.build(this.core, this.layers.slice(0, count), this.read ? { read: this.read } : {});
      this.lower.set(count, v);
    }
    return v;
  }

  /** Number of layers. */
  get layerCount(): number {
    return this.layers.length;
  }

  /** Number of visible paths, the root excluded. */
  get size(): number {
    return this.ix.count - 1;
  }

  // ---------------------------------------------------------------- index

  /**
   * Node index of a path, lexically cleaned (no symlinks followed), or -1.
   * A path that is already clean — the usual case — is checked and hashed
   * in one pass over its char codes; nothing is encoded.
   */
  private indexOf(path: string): number {
    const n = path.length;
    // hashPath, inlined for ASCII: four chars make a word, the words
    // alternate between lanes a and b (see KeyHasher); each segment is
    // checked for being clean at its '/'.
    let a = HASH_A;
    let b = HASH_B;
    let seg = 0; // where the segment at hand starts
    let clean = true; // ASCII and clean so far
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const c0 = path.charCodeAt(j);
      const c1 = path.charCodeAt(j + 1);
      const c2 = path.charCodeAt(j + 2);
      const c3 = path.charCodeAt(j + 3);
      if ((c0 | c1 | c2 | c3) >= 0x80) {
        clean = false;
        break;
      }
      // Each '/' ends a segment; only a short one can be '', '.' or '..'.
      // (Written out four times: a helper giving the next segment's start
      // made a million lookups 8% slower.)
      if (c0 === 47) {
        if (j - seg <= 2 && dotSegment(path, seg, j)) {
          clean = false;
          break;
        }
        seg = j + 1;
      }
      if (c1 === 47) {
        if (j + 1 - seg <= 2 && dotSegment(path, seg, j + 1)) {
          clean = false;
          break;
        }
        seg = j + 2;
      }
      if (c2 === 47) {
        if (j + 2 - seg <= 2 && dotSegment(path, seg, j + 2)) {
          clean = false;
          break;
        }
        seg = j + 3;
      }
      if (c3 === 47) {
        if (j + 3 - seg <= 2 && dotSegment(path, seg, j + 3)) {
          clean = false;
          break;
        }
        seg = j + 4;
      }
      const w = c0 | (c1 << 8) | (c2 << 16) | (c3 << 24);
      if (j & 4) b = hashStep(b, w);
      else a = hashStep(a, w);
    }
    if (clean) {
      let w = 0;
      for (let q = j; q < n; q++) {
        const c = path.charCodeAt(q);
        if (c >= 0x80) {
          clean = false;
          break;
        }
        if (c === 47) {
          if (q - seg <= 2 && dotSegment(path, seg, q)) {
            clean = false;
            break;
          }
          seg = q + 1;
        }
        w |= c << ((q & 3) << 3);
      }
      if (j < n) {
        if (j & 4) b = hashStep(b, w);
        else a = hashStep(a, w);
      }
      if (n > 0 && n - seg <= 2 && dotSegment(path, seg, n)) clean = false;
    }
    if (!clean) {
      // Not ASCII, or not clean: the general way.
      const p = cleanQuery(path);
      this.lastKey = p;
      return probe(this.ix, p, hashPath(p));
    }
    const h = hashFinish(a, b, n);
    this.lastKey = path;
    // probe(), inlined, remembering each key as the string it was first
    // found with: later lookups compare strings natively instead of bytes.
    const ix = this.ix;
    const table = ix.table;
    const names = (this.names ??= new Array<string | undefined>(ix.count));
    const mask = table.length - 1;
    const bits = (this.bits ??= tableBits(ix));
    const low = (1 << bits) - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const v = table[s]!;
      if (v === 0) return -1;
      if ((v ^ h) >>> bits !== 0) continue;
      const i = (v & low) - 1;
      const known = names[i];
      if (known !== undefined) {
        if (known === path) return i;
      } else if (keyEquals(ix, i, path)) {
        names[i] = path;
        return i;
      }
    }
  }

  private node(i: number, path?: string): UnionNode {
    const ix = this.ix;
    const p = path ?? this.keyAt(i);
    const layer = ix.layer[i]!;
    const e = ix.entry[i]!;
    const implied = e < 0;
    const entry = implied ? impliedEntry(p) : this.layers[layer]!.entries[e]!;
    return Object.freeze({ path: p, type: entry.type, layer, entry, implied });
  }

  /** The visible entry at `path` (cleaned lexically; symlinks are not followed), or undefined. */
  lookup(path: string): UnionNode | undefined {
    const i = this.indexOf(path);
    if (i < 0) return undefined;
    const nodes = (this.nodes ??= new Array<UnionNode | undefined>(this.ix.count));
    return (nodes[i] ??= this.node(i, this.lastKey));
  }

  /** True when `path` exists in the view (lexically, like lookup). */
  has(path: string): boolean {
    return this.indexOf(path) >= 0;
  }

  // ---------------------------------------------------------------- resolution

  /**
   * Resolves `path` component by component inside the root (rule 19):
   * symlinks in the middle are always followed, the last one only when
   * `followLast`; absolute targets start at the root and `..` at the root
   * stays there. Returns the node index.
   *
   * Linear in the path's length: each step hashes only the new component
   * (a child's key hash goes on from its parent's hash state) and
   * checks only that component's bytes (see childOf), and `..` pops a stack
   * of the directories walked. Re-hashing and comparing the whole prefix at
   * every step made a 4000-level path cost O(depth^2) per lookup, and a
   * walk reading every node of such a tree O(depth^3): minutes.
   */
  private resolve(path: string, followLast: boolean): number {
    if (typeof path !== 'string') throw new InvalidArgumentError('path must be a string', { path });
    const pending = path.split('/').reverse();
    // Components still pending that are not '' or '.': the current one is the last when none is left.
    let real = 0;
    for (const s of pending) if (s !== '' && s !== '.') real++;
    // The directories walked so far, root first: node index and its key's hash state.
    const dirs: number[] = [0];
    const hashes: KeyHasher[] = [new KeyHasher()];
    let links = 0;
    while (pending.length > 0) {
      const seg = pending.pop()!;
      if (seg === '' || seg === '.') continue;
      real--;
      if (seg === '..') {
        if (dirs.length > 1) {
          dirs.pop();
          hashes.pop();
        }
        continue;
      }
      const dir = dirs[dirs.length - 1]!;
      const hasher = hashes[hashes.length - 1]!.copy();
      if (dir !== 0) hasher.byte(47);
      const h = hasher.string(seg).digest();
      const i = this.childOf(dir, h, seg);
      if (i < 0) throw new NotFoundError(`no such file or directory: ${JSON.stringify(path)}`, { path });
      const last = real === 0;
      const entry = this.entryOf(i);
      if (entry.type === 'symlink' && (!last || followLast)) {
        if (++links > MAX_SYMLINKS) {
          throw new SymlinkLoopError(`too many levels of symbolic links resolving ${JSON.stringify(path)}`, { path });
        }
        const target = entry.linkname;
        if (target === '') throw new NotFoundError(`no such file or directory: ${JSON.stringify(path)} (empty symlink)`, { path });
        if (target.startsWith('/')) {
          dirs.length = 1;
          hashes.length = 1;
        }
        const parts = target.split('/');
        for (let k = parts.length - 1; k >= 0; k--) {
          const p = parts[k]!;
          pending.push(p);
          if (p !== '' && p !== '.') real++;
        }
        continue;
      }
      if (!last && (this.ix.flags[i]! & NodeFlag.DIR) === 0) {
        throw new NotFoundError(`not a directory: ${JSON.stringify(this.keyAt(i))} in ${JSON.stringify(path)}`, { path });
      }
      dirs.push(i);
      hashes.push(hasher);
    }
    return dirs[dirs.length - 1]!;
  }

  /**
   * The child named `seg` of directory node `dir`, or -1; `h` is the
   * hash of the child's key. A candidate from the hash table is the
   * child when it lies in dir's subtree (so its key starts with dir's key
   * and '/'), has the right length, and ends with seg's bytes: O(|seg|).
   */
  private childOf(dir: number, h: number, seg: string): number {
    const ix = this.ix;
    let bytes: Uint8Array | undefined;
    let segLen = seg.length;
    for (let j = 0; j < seg.length; j++) {
      if (seg.charCodeAt(j) >= 0x80) {
        bytes = utf8.encode(seg);
        segLen = bytes.length;
        break;
      }
    }
    const want = (dir === 0 ? 0 : ix.keyLen[dir]! + 1) + segLen;
    const end = ix.end[dir]!;
    const table = ix.table;
    const mask = table.length - 1;
    const bits = (this.bits ??= tableBits(ix));
    const low = (1 << bits) - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const v = table[s]!;
      if (v === 0) return -1;
      if ((v ^ h) >>> bits !== 0) continue;
      const i = (v & low) - 1;
      if (i <= dir || i >= end) continue;
      if (ix.keyLen[i]! !== want) continue;
      const keys = keySource(ix, i);
      const a = ix.keyOff[i]! + want - segLen;
      let same = true;
      for (let j = 0; j < segLen && same; j++) same = keys[a + j] === (bytes ? bytes[j] : seg.charCodeAt(j));
      if (same) return i;
    }
  }

  private entryOf(i: number): UnionLayerEntry | { type: 'directory'; linkname: '' } {
    const e = this.ix.entry[i]!;
    return e < 0 ? { type: 'directory', linkname: '' } : this.layers[this.ix.layer[i]!]!.entries[e]!;
  }

  /** The entry at `path`, following symlinks (also the last one). NotFoundError when missing. */
  stat(path: string): UnionNode {
    return this.node(this.resolve(path, true));
  }

  /** The entry at `path`; a symlink at the last component is returned, not followed. */
  lstat(path: string): UnionNode {
    return this.node(this.resolve(path, false));
  }

  /**
   * True when `path` resolves (following symlinks). A symlink loop is false,
   * not an error, as fs.existsSync and stat(1)'s ELOOP make it.
   */
  exists(path: string): boolean {
    try {
      this.resolve(path, true);
      return true;
    } catch (e) {
      if (e instanceof NotFoundError || e instanceof SymlinkLoopError) return false;
      throw e;
    }
  }

  /** Target of the symlink at `path`. */
  readlink(path: string): string {
    const n = this.lstat(path);
    if (n.type !== 'symlink') throw new InvalidArgumentError(`not a symbolic link: ${JSON.stringify(path)}`, { path });
    return n.entry.linkname;
  }

  /** Names in the directory at `path` (symlinks followed), sorted as layers sort paths. */
  readdir(path: string): string[] {
    const i = this.resolve(path, true);
    const ix = this.ix;
    if ((ix.flags[i]! & NodeFlag.DIR) === 0) throw new InvalidArgumentError(`not a directory: ${JSON.stringify(path)}`, { path });
    const skip = ix.keyLen[i]! + (i === 0 ? 0 : 1);
    const out: string[] = [];
    const end = ix.end[i]!;
    for (let c = i + 1; c < end; c = ix.end[c]!) out.push(this.keySuffix(c, skip));
    return out;
  }

  /**
   * The key buffer holding node i's key decoded at once (one TextDecoder
   * call) when it is ASCII, so that a key is a slice of it; null when some
   * byte of it is not ASCII.
   */
  private asciiKeys(i: number): string | null {
    const ix = this.ix;
    const k = ix.src === undefined ? 0 : ix.src[i]!;
    const texts = (this.allKeys ??= []);
    let t = texts[k];
    if (t === undefined) {
      const bytes = ix.sources[k]!;
      const s = new TextDecoder().decode(bytes);
      texts[k] = t = s.length === bytes.length ? s : null;
    }
    return t;
  }

  /** Node i's path. */
  private keyAt(i: number): string {
    const all = this.asciiKeys(i);
    const a = this.ix.keyOff[i]!;
    return all === null ? nodeKey(this.ix, i) : all.slice(a, a + this.ix.keyLen[i]!);
  }

  /** Node i's path without its first `skip` bytes (its name, given its parent's key length + 1). */
  private keySuffix(i: number, skip: number): string {
    const all = this.asciiKeys(i);
    const a = this.ix.keyOff[i]!;
    const b = a + this.ix.keyLen[i]!;
    if (all !== null) return all.slice(a + skip, b);
    const key = nodeKey(this.ix, i);
    return key.slice(key.length - utf16Length(keySource(this.ix, i), a + skip, b));
  }

  /**
   * Every visible entry below `dir` (default: the whole tree, root
   * excluded), depth first in path order, with the layer it comes from.
   */
  *walk(dir = ''): Generator<UnionNode> {
    const i = dir === '' ? 0 : this.resolve(dir, true);
    const end = this.ix.end[i]!;
    for (let c = i + 1; c < end; c++) yield this.node(c);
  }

  /** walk() as an array. */
  entries(dir = ''): UnionNode[] {
    return [...this.walk(dir)];
  }

  /**
   * The visible hardlink entries, in path order: with the files they name,
   * every path of the view that shares a file with another. Each layer's
   * entries are scanned in order (once per frozen entry array: the list is
   * kept), and only its hardlinks are looked up. A pass over the index
   * instead read an entry object per node at random: 50-80 ms for 625,000
   * paths.
   */
  *hardlinks(): Generator<UnionNode> {
    const found: number[] = [];
    this.layers.forEach((l, k) => {
      const entries = l.entries;
      for (const j of hardlinksOf(entries)) {
        let p: string;
        try {
          p = cleanPath(entries[j]!.path);
        } catch {
          continue; // not a path of the tree
        }
        const i = this.indexOf(p);
        // Visible, and this entry (not one hidden above, or an earlier duplicate).
        if (i >= 0 && this.ix.layer[i] === k && this.ix.entry[i] === j) found.push(i);
      }
    });
    found.sort((a, b) => a - b);
    for (const i of found) yield this.node(i);
  }

  // ---------------------------------------------------------------- content

  /** Bytes of the regular file at `path` (symlinks and hardlinks followed). */
  async readFile(path: string): Promise<Uint8Array> {
    const content = await this.content(path);
    return content === null ? new Uint8Array(0) : collect(content);
  }

  /** The regular file at `path` as a stream (for big files; symlinks and hardlinks followed). */
  async readStream(path: string): Promise<ReadableStream<Uint8Array>> {
    const content = await this.content(path);
    if (content instanceof ReadableStream) return content;
    const bytes = content ?? new Uint8Array(0);
    return new ReadableStream<Uint8Array>({
      start(c) {
        if (bytes.length > 0) c.enqueue(bytes);
        c.close();
      },
    });
  }

  /** What the layer's reader gives for the file at `path`; null for an empty file. */
  private async content(path: string): Promise<LayerContent | null> {
    const n = this.stat(path);
    if (n.type === 'directory') throw new InvalidArgumentError(`is a directory: ${JSON.stringify(path)}`, { path });
    const { view, layer, entry } = this.regularFile(n.layer, n.entry, path, 0);
    if (entry.size === 0) return null;
    const source = view.layers[layer]!;
    if (source.read) return source.read(layer, entry);
    if (view.read) return view.read(layer, entry);
    throw new UnsupportedError(`no content reader for layer ${layer} (reading ${JSON.stringify(path)})`, { path, layer });
  }

  /** Follows hardlinks (rule 17) to the regular file holding the content. */
  private regularFile(layer: number, entry: UnionLayerEntry, path: string, depth: number): { view: UnionView; layer: number; entry: UnionLayerEntry } {
    if (entry.type === 'file') return { view: this, layer, entry };
    if (entry.type !== 'hardlink') throw new InvalidArgumentError(`not a regular file: ${JSON.stringify(path)} (${entry.type})`, { path });
    if (depth > MAX_SYMLINKS) throw new SymlinkLoopError(`hardlink chain too long at ${JSON.stringify(path)}`, { path });
    let target: string;
    try {
      target = cleanPath(entry.linkname);
    } catch (e) {
      throw new UnsafePathError(`hardlink ${JSON.stringify(entry.path)} points outside the root: ${JSON.stringify(entry.linkname)}`, { path: entry.path, layer }, { cause: e });
    }
    // The same layer, written before the link ...
    const entries = this.layers[layer]!.entries;
    const self = entries.indexOf(entry);
    const names = this.namesOf(layer);
    const candidates = names.get(target);
    if (candidates) {
      for (let k = candidates.length - 1; k >= 0; k--) {
        const j = candidates[k]!;
        if (self >= 0 && j >= self) continue;
        return this.regularFile(layer, entries[j]!, target, depth + 1);
      }
    }
    // ... or the tree of the layers below.
    const lower = this.lowerView(layer);
    const i = lower.indexOf(target);
    if (i < 0) throw new NotFoundError(`hardlink ${JSON.stringify(entry.path)} in layer ${layer}: target ${JSON.stringify(target)} not found`, { path: entry.path, layer });
    const n = lower.node(i);
    return lower.regularFile(n.layer, n.entry, target, depth + 1);
  }

  /** Clean name -> entry indices (tar order) of one layer, built on first use (hardlinks only). */
  private namesOf(layer: number): Map<string, number[]> {
    let m = this.sameLayerNames.get(layer);
    if (!m) {
      m = new Map();
      this.layers[layer]!.entries.forEach((e, j) => {
        let p: string;
        try {
          p = cleanPath(e.path);
        } catch {
          return;
        }
        const l = m!.get(p);
        if (l) l.push(j);
        else m!.set(p, [j]);
      });
      this.sameLayerNames.set(layer, m);
    }
    return m;
  }
}

/** UTF-16 length of UTF-8 bytes [a, b). */
function utf16Length(bytes: Uint8Array, a: number, b: number): number {
  let n = 0;
  for (let j = a; j < b; j++) {
    const c = bytes[j]!;
    if ((c & 0xc0) === 0x80) continue;
    n += c >= 0xf0 ? 2 : 1;
  }
  return n;
}
