/**
 * Image layers kept uncompressed for repeated reads of their files.
 * Reading one file of a gzip layer inflates the layer up to that file
 * (readLayerFile); a container that reads or copies up file after file of
 * one layer would inflate it again each time, O(layer) per file where
 * Docker's extracted layers cost O(file). From the second read of a layer
 * on, the layer is inflated once and kept:
 *
 * - in memory when its tar is small enough, in an LRU bounded per store.
 *   The whole blob is read, so the store's digest check at its end vouches
 *   for the bytes;
 * - else, in a persistent store (disk, OPFS), as the tar cut into chunks in
 *   a store area (LAYER_TARS, keyed by layer digest), marked complete only
 *   after the blob's digest and the tar's diffId both checked out. A file
 *   read there touches the one or two chunks that hold it, and its bytes
 *   are checked against the entry's content digest before they are handed
 *   out: a damaged or half-written chunk (another process filling the same
 *   area, a crash) is never returned; the read falls back to the blob and
 *   the area is filled again. A later process uses the area from its
 *   first read of the layer on. gc removes the areas of removed layers.
 */
import { createHasher, parseDigest, verify } from '../digest/index.js';
import { digestMismatch } from '../digest/verify.js';
import { readAll } from '../image/hashing.js';
import type { ImageLayer } from '../image/image.js';
import { decompress } from '../layer/compression.js';
import type { Store } from '../store/store.js';
import { LAYER_TARS } from '../store/types.js';
import type { Tree } from '../tree/types.js';

/** What a cached read needs of an image file's entry. */
export interface CachedFile {
  /** Position of the content in the uncompressed tar. */
  offset: number;
  size: number;
  contentDigest?: string;
}

export interface LayerCacheLimits {
  /** Layers whose stored blob is larger are never kept whole in memory. */
  maxBlob: number;
  /** Uncompressed bytes kept in memory per store (one tar at most half of it). */
  budget: number;
  /** Bytes per chunk file of a tar kept in a store area. */
  chunk: number;
}

const DEFAULTS: LayerCacheLimits = { maxBlob: 16 * 1024 * 1024, budget: 128 * 1024 * 1024, chunk: 1024 * 1024 };
let limits: LayerCacheLimits = DEFAULTS;

/** For tests: smaller limits (a new cache per store picks them up); no argument restores the defaults. */
export function setLayerCacheLimits(l?: Partial<LayerCacheLimits>): void {
  limits = { ...DEFAULTS, ...l };
}

/** The file's bytes out of a whole tar in memory; undefined when the tar is shorter than the entry says. */
function sliceOf(tar: Uint8Array, f: CachedFile): Uint8Array | undefined {
  return f.offset + f.size <= tar.byteLength ? tar.slice(f.offset, f.offset + f.size) : undefined;
}

/** The marker a filled area ends with. */
const COMPLETE = 'complete';
const chunkName = (i: number) => `c${i}`;

interface AreaMark {
  diffId: string;
  size: number;
  chunk: number;
}

class LayerCache {
  readonly #tars = new Map<string, Uint8Array>();
  readonly #reads = new Map<string, number>();
  /** Layers too big to keep in memory. */
  readonly #big = new Set<string>();
  /** Filled (or being filled) areas of this process: the area and its chunk size, undefined when it could not be filled. */
  readonly #areas = new Map<string, Promise<{ tree: Tree; chunk: number } | undefined>>();
  readonly #limits = limits;
  /** The layers with an area in the store when this process first looked (persistent stores). */
  #listed: Promise<Set<string>> | undefined;
  /** Disk or OPFS: areas that outlive the process (a memory store's areas are memory too, and keeping tars there would only dodge the budget). */
  readonly #persistent: boolean;
  #total = 0;

  constructor(private readonly store: Store) {
    this.#persistent = store.backend.kind !== 'memory';
  }

  /** The file's bytes, or undefined when this layer is not (yet) kept: then read it from the blob. */
  async read(layer: ImageLayer, f: CachedFile): Promise<Uint8Array | undefined> {
    const d = layer.digest;
    const tar = this.#tars.get(d);
    if (tar) {
      // LRU: most recently used last.
      this.#tars.delete(d);
      this.#tars.set(d, tar);
      return sliceOf(tar, f);
    }
    const n = (this.#reads.get(d) ?? 0) + 1;
    this.#reads.set(d, n);
    // A layer an earlier process kept in the store is read from there from
    // the first read on (a CLI command reads once per process), and is not
    // inflated into memory only to find it too big.
    if (this.#persistent) {
      this.#listed ??= this.store
        .areas(LAYER_TARS)
        .list()
        .then((ids) => new Set(ids))
        .catch(() => new Set<string>());
      if ((await this.#listed).has(d)) this.#big.add(d);
    }
    if (this.#big.has(d)) return this.#fromArea(layer, f);
    if (n < 2) return undefined;
    if (layer.size <= this.#limits.maxBlob) {
      const kept = await this.#keep(layer);
      if (kept) return sliceOf(kept, f);
      this.#big.add(d);
    }
    return this.#fromArea(layer, f);
  }

  /** Inflates the layer into memory; undefined when its tar is over the per-tar limit. */
  async #keep(layer: ImageLayer): Promise<Uint8Array | undefined> {
    let tar: Uint8Array;
    try {
      tar = await readAll(decompress(await this.store.getBlob(layer.digest, layer.size), 'auto'), this.#limits.budget / 2);
    } catch (e) {
      // Too big to keep (readAll's limit). Anything else is real.
      if (e instanceof RangeError) return undefined;
      throw e;
    }
    this.#tars.set(layer.digest, tar);
    this.#total += tar.byteLength;
    for (const [d, t] of this.#tars) {
      if (this.#total <= this.#limits.budget || d === layer.digest) break;
      this.#tars.delete(d);
      this.#total -= t.byteLength;
    }
    return tar;
  }

  /** The file's bytes out of the layer's chunked tar, filling the area first; undefined when that cannot serve it. */
  async #fromArea(layer: ImageLayer, f: CachedFile): Promise<Uint8Array | undefined> {
    if (!this.#persistent || f.contentDigest === undefined) return undefined;
    // A malformed digest is the caller's error, not a damaged area.
    parseDigest(f.contentDigest);
    let area = this.#areas.get(layer.digest);
    if (!area) {
      area = this.#open(layer).catch(() => undefined);
      this.#areas.set(layer.digest, area);
    }
    const a = await area;
    if (!a) return undefined;
    const out = new Uint8Array(f.size);
    try {
      const last = Math.floor((f.offset + f.size - 1) / a.chunk);
      for (let i = Math.floor(f.offset / a.chunk); f.size > 0 && i <= last; i++) {
        const c = await readAll(a.tree.readFile(chunkName(i)), a.chunk);
        const from = Math.max(f.offset, i * a.chunk);
        const to = Math.min(f.offset + f.size, i * a.chunk + c.byteLength);
        if (to <= from) throw new RangeError('chunk too short');
        out.set(c.subarray(from - i * a.chunk, to - i * a.chunk), from - f.offset);
      }
      await verify(out, f.contentDigest);
      return out;
    } catch {
      // Missing, short or damaged: this read goes to the blob, the next one fills the area again.
      this.#areas.delete(layer.digest);
      await this.store.areas(LAYER_TARS).delete(layer.digest).catch(() => {});
      return undefined;
    }
  }

  /** The layer's area, filled from its blob unless a complete one for this chunk size is there. */
  async #open(layer: ImageLayer): Promise<{ tree: Tree; chunk: number }> {
    const chunk = this.#limits.chunk;
    const areas = this.store.areas(LAYER_TARS);
    const tree = await areas.open(layer.digest);
    try {
      const mark = JSON.parse(new TextDecoder().decode(await readAll(tree.readFile(COMPLETE), 4096))) as AreaMark;
      if (mark.diffId === layer.diffId && mark.chunk === chunk) return { tree, chunk };
    } catch {
      // Not filled (or not finished): fill it.
    }
    try {
      await tree.remove(COMPLETE).catch(() => {});
      const hasher = await createHasher(parseDigest(layer.diffId).algorithm);
      const buf = new Uint8Array(chunk);
      let fill = 0;
      let index = 0;
      let size = 0;
      // The store checks the blob's digest when its stream ends; the tar's diffId is checked here.
      const reader = decompress(await this.store.getBlob(layer.digest, layer.size), 'auto').getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          hasher.update(value);
          size += value.byteLength;
          for (let o = 0; o < value.byteLength; ) {
            const n = Math.min(chunk - fill, value.byteLength - o);
            buf.set(value.subarray(o, o + n), fill);
            fill += n;
            o += n;
            if (fill === chunk) {
              // A copy: a tree may keep the bytes it is given.
              await tree.writeFile(chunkName(index++), buf.slice());
              fill = 0;
            }
          }
        }
      } catch (e) {
        await reader.cancel(e).catch(() => {});
        throw e;
      }
      if (fill > 0) await tree.writeFile(chunkName(index++), buf.slice(0, fill));
      const got = hasher.digest();
      if (got !== layer.diffId) throw digestMismatch(layer.diffId, got);
      const mark: AreaMark = { diffId: layer.diffId, size, chunk };
      await tree.writeFile(COMPLETE, new TextEncoder().encode(JSON.stringify(mark)));
      return { tree, chunk };
    } catch (e) {
      await areas.delete(layer.digest).catch(() => {});
      throw e;
    }
  }
}

const caches = new WeakMap<Store, LayerCache>();

export function layerCache(store: Store): LayerCache {
  let c = caches.get(store);
  if (!c) caches.set(store, (c = new LayerCache(store)));
  return c;
}
