/**
 * Uncompressed image layers kept in memory for repeated reads of their
 * files. Reading one file of a gzip layer inflates the layer up to that
 * file (readLayerFile); a container that copies up file after file of one
 * layer (chmod -R, many edits) would inflate it again each time. From the
 * second read of a layer on, the whole layer is inflated once and kept, if
 * it is small enough; an LRU bounds the memory per store. The whole blob is
 * read, so the store's digest check at its end vouches for the bytes.
 */
import { readAll } from '../image/hashing.js';
import type { ImageLayer } from '../image/image.js';
import { decompress } from '../layer/compression.js';
import type { Store } from '../store/store.js';

/** Layers whose stored blob is larger are never kept whole. */
const MAX_BLOB = 16 * 1024 * 1024;
/** Uncompressed bytes kept per store. */
const BUDGET = 128 * 1024 * 1024;

class LayerCache {
  readonly #tars = new Map<string, Uint8Array>();
  readonly #reads = new Map<string, number>();
  #total = 0;

  constructor(private readonly store: Store) {}

  /** The bytes [offset, offset+size) of the layer's tar, or undefined when this layer is not (yet) kept. */
  async slice(layer: ImageLayer, offset: number, size: number): Promise<Uint8Array | undefined> {
    let tar = this.#tars.get(layer.digest);
    if (tar) {
      // LRU: most recently used last.
      this.#tars.delete(layer.digest);
      this.#tars.set(layer.digest, tar);
    } else {
      const n = (this.#reads.get(layer.digest) ?? 0) + 1;
      this.#reads.set(layer.digest, n);
      if (n < 2 || layer.size > MAX_BLOB) return undefined;
      try {
        tar = await readAll(decompress(await this.store.getBlob(layer.digest, layer.size), 'auto'), BUDGET / 2);
      } catch (e) {
        // Too big to keep (readAll's limit): read single files instead. Anything else is real.
        if (e instanceof RangeError) {
          this.#reads.set(layer.digest, -Infinity);
          return undefined;
        }
        throw e;
      }
      this.#tars.set(layer.digest, tar);
      this.#total += tar.byteLength;
      for (const [d, t] of this.#tars) {
        if (this.#total <= BUDGET || d === layer.digest) break;
        this.#tars.delete(d);
        this.#total -= t.byteLength;
      }
    }
    if (offset + size > tar.byteLength) return undefined;
    return tar.slice(offset, offset + size);
  }
}

const caches = new WeakMap<Store, LayerCache>();

export function layerCache(store: Store): LayerCache {
  let c = caches.get(store);
  if (!c) caches.set(store, (c = new LayerCache(store)));
  return c;
}
