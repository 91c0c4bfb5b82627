/**
 * Copy an image from any transport to any other (skopeo copy): resolve the
 * source to one manifest (an index resolves to the asked platform, default
 * the host's), then send the config and layers the destination lacks, each
 * verified against its digest as it streams, then the manifest. Blobs are
 * never recompressed, so digests and the manifest digest are kept — except
 * for a destination that only holds plain tars (docker-archive), where
 * layers are decompressed and named by their diffIds; the config, and so
 * the image id, is kept. Any failure aborts the destination: nothing this
 * copy wrote stays visible.
 */
import { AbortError } from '../errors/AbortError.js';
import { ManifestInvalidError } from '../errors/ManifestInvalidError.js';
import { bytesStream, digestBytes, readAll, verifyBytes, verifyStream } from '../image/hashing.js';
import { Image } from '../image/image.js';
import { MediaType, isIndexType, layerCompression, uncompressedLayerType } from '../image/media-types.js';
import { hostPlatform, parsePlatform, selectManifest } from '../image/platform.js';
import type { ImageDestination, ImageSource } from '../image/transfer.js';
import type { Descriptor, Platform } from '../image/types.js';
import { parseManifestOrIndex } from '../image/validate.js';
import { compressTar, openLayerTar } from '../layer/layer-io.js';
import type { CopyOptions, CopyResult, Store } from '../store/store.js';
import { openDestination, openSource } from './endpoints.js';
import { parseImageReference, type TransportRef } from './reference.js';

const MAX_JSON = 4 * 1024 * 1024;

async function readJsonBytes(stream: ReadableStream<Uint8Array>, what: string): Promise<Uint8Array> {
  try {
    return await readAll(stream, MAX_JSON);
  } catch (e) {
    if (e instanceof RangeError) throw new ManifestInvalidError(`${what} is larger than ${MAX_JSON} bytes`, { path: '$' });
    throw e;
  }
}

/** Resolve a source to one image (manifest + config), verified. */
export async function resolveImage(src: ImageSource, platform?: string | Platform): Promise<Image> {
  const top = await src.getManifest();
  if (top.digest) await verifyBytes(top.bytes, top.digest, top.size);
  const parsed = parseManifestOrIndex(top.bytes, top.mediaType);
  let bytes = top.bytes;
  let mediaType = parsed.mediaType;
  let current = parsed;
  // An index may name another index (buildx's OCI export: index.json -> image index -> manifests).
  for (let depth = 0; current.kind === 'index'; depth++) {
    if (depth === 4) throw new ManifestInvalidError('indexes nested more than 4 deep', { path: '$.manifests' });
    const want = platform === undefined ? hostPlatform() : typeof platform === 'string' ? parsePlatform(platform) : platform;
    const idx = current.index;
    // An entry without a platform that is itself an index is followed as it is (layout wrappers).
    const wrapper = idx.manifests.length === 1 && !idx.manifests[0]!.platform && isIndexType(idx.manifests[0]!.mediaType) ? idx.manifests[0]! : undefined;
    const desc = wrapper ?? selectManifest(idx, want);
    const child = await src.getManifest(desc);
    await verifyBytes(child.bytes, desc.digest, desc.size);
    current = parseManifestOrIndex(child.bytes, child.mediaType ?? desc.mediaType);
    bytes = child.bytes;
    mediaType = current.mediaType;
  }
  const manifest = current.manifest;
  const c = manifest.config;
  const configBytes = await readJsonBytes((await src.getBlob(c)).pipeThrough(verifyStream(c.digest, c.size)), 'config');
  return Image.fromBytes(bytes, configBytes, { mediaType });
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError('copy cancelled', {}, { cause: signal.reason });
}

/** A pass-through that counts bytes. */
function counter(onEnd: (n: number) => void, onChunk?: (n: number) => void): TransformStream<Uint8Array, Uint8Array> {
  let n = 0;
  return new TransformStream({
    transform(chunk, c) {
      n += chunk.byteLength;
      onChunk?.(n);
      c.enqueue(chunk);
    },
    flush() {
      onEnd(n);
    },
  });
}

export interface CopyImageOptions {
  platform?: string | Platform;
  onProgress?: CopyOptions['onProgress'];
  signal?: AbortSignal;
  /**
   * Recompress layers that are not already in this compression (the new
   * blobs get new digests, so a new manifest is written; the config and its
   * diffIds, so the image id, are kept). Off by default: blobs move as they are.
   * A recompressed layer is held in memory once to learn its digest.
   */
  compress?: 'gzip' | 'zstd';
  /** Blobs sent at once (default 4). */
  concurrency?: number;
}

/** Run `fn` over `items` with at most `n` at a time; the first failure stops new work and is rethrown. */
async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  if (failed !== undefined) throw failed;
}

/** Copy between two open ends. Returns the destination manifest digest and counts. */
export async function copyImage(src: ImageSource, dst: ImageDestination, opts: CopyImageOptions = {}): Promise<CopyResult & { image: Image }> {
  let copied = 0;
  let skipped = 0;
  const concurrency = opts.concurrency ?? 4;
  try {
    let image = await resolveImage(src, opts.platform);
    const send = async (desc: Descriptor, diffId?: string) => {
      checkAbort(opts.signal);
      if (await dst.hasBlob(desc)) {
        skipped++;
        opts.onProgress?.({ digest: desc.digest, done: desc.size, total: desc.size, skipped: true });
        return;
      }
      const open = async () => {
        const s = await src.getBlob(desc);
        return dst.verifiesBlobs ? s : s.pipeThrough(verifyStream(desc.digest, desc.size));
      };
      let s = await open();
      if (opts.onProgress) s = s.pipeThrough(counter(() => {}, (n) => opts.onProgress!({ digest: desc.digest, done: n, total: desc.size })));
      // reopen: a registry destination resumes a broken streamed PATCH from the source again (as pushImage does).
      await dst.putBlob(desc, s, diffId ? { diffId, reopen: open } : { reopen: open });
      copied++;
    };
    /** The layer's uncompressed tar, verified: the stored bytes against the digest, the tar against the diffId. */
    const plainTar = async (l: Image['layers'][number]) => {
      const stored = (await src.getBlob(image.manifest.layers[l.index] as Descriptor)).pipeThrough(verifyStream(l.digest, l.size));
      const { tar } = await openLayerTar(stored);
      return tar.pipeThrough(verifyStream(l.diffId));
    };

    await send(image.configDescriptor as Descriptor);
    if (dst.wantsUncompressedLayers && image.layers.some((l) => layerCompression(l.mediaType) !== 'none')) {
      // Sequential: inflating is CPU-bound, and duplicates of one layer share the work.
      const plain: Descriptor[] = [];
      const sizes = new Map<string, number>();
      for (const l of image.layers) {
        if (layerCompression(l.mediaType) === 'none') {
          await send(image.manifest.layers[l.index] as Descriptor, l.diffId);
          plain.push({ ...(image.manifest.layers[l.index] as Descriptor) });
          continue;
        }
        const mediaType = uncompressedLayerType(l.mediaType);
        let size = sizes.get(l.diffId);
        if (size === undefined) {
          let n = 0;
          await dst.putBlob({ mediaType, digest: l.diffId, size: 0 }, (await plainTar(l)).pipeThrough(counter((c) => (n = c))), { diffId: l.diffId });
          sizes.set(l.diffId, (size = n));
          copied++;
        }
        plain.push({ mediaType, digest: l.diffId, size });
      }
      image = await image.withStoredLayers(plain, image.mediaType === MediaType.dockerManifest ? MediaType.dockerManifest : MediaType.ociManifest);
    } else if (opts.compress && image.layers.some((l) => layerCompression(l.mediaType) !== opts.compress)) {
      const target = opts.compress;
      const layers: Descriptor[] = new Array(image.layers.length);
      await pool(image.layers, concurrency, async (l) => {
        const orig = image.manifest.layers[l.index] as Descriptor;
        if (layerCompression(l.mediaType) === target) {
          await send(orig, l.diffId);
          layers[l.index] = { ...orig, mediaType: orig.mediaType.startsWith('application/vnd.docker.') && target === 'gzip' ? MediaType.ociLayerGzip : orig.mediaType };
          return;
        }
        const bytes = await readAll(await compressTar(await plainTar(l), target));
        const desc: Descriptor = { mediaType: target === 'gzip' ? MediaType.ociLayerGzip : MediaType.ociLayerZstd, digest: await digestBytes(bytes), size: bytes.byteLength };
        layers[l.index] = desc;
        if (await dst.hasBlob(desc)) skipped++;
        else {
          await dst.putBlob(desc, bytesStream(bytes), { diffId: l.diffId });
          copied++;
        }
      });
      image = await image.withStoredLayers(layers, MediaType.ociManifest);
    } else {
      await pool(image.layers, concurrency, (l) => send(image.manifest.layers[l.index] as Descriptor, l.diffId));
    }
    checkAbort(opts.signal);
    await dst.putManifest(image);
    await dst.commit();
    return { digest: image.digest, id: image.id, copiedBlobs: copied, skippedBlobs: skipped, image };
  } catch (e) {
    await dst.abort().catch(() => {});
    throw e;
  } finally {
    await src.close?.().catch(() => {});
  }
}

/**
 * `store.copy(src, dst)` / `layerfs copy SRC DST`: parse both references,
 * open their transports, copy.
 */
export async function copyReferences(store: Store | undefined, src: string | TransportRef, dst: string | TransportRef, opts: CopyOptions = {}): Promise<CopyResult & { image: Image }> {
  const s = typeof src === 'string' ? parseImageReference(src) : src;
  const d = typeof dst === 'string' ? parseImageReference(dst) : dst;
  const ctx = { store, options: opts as Record<string, unknown> };
  const source = await openSource(s, ctx);
  let destination: ImageDestination;
  try {
    destination = await openDestination(d, ctx);
  } catch (e) {
    await source.close?.().catch(() => {});
    throw e;
  }
  return copyImage(source, destination, {
    platform: opts.platform,
    onProgress: opts.onProgress,
    signal: opts.signal,
    compress: opts.compress,
    concurrency: typeof opts.concurrency === 'number' ? opts.concurrency : undefined,
  });
}
