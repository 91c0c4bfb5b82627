/**
 * The byte plumbing apply and diff share: turning a layer (bytes or a stream,
 * compressed or not) into an uncompressed tar stream, and the reverse. Kept
 * in one file so that the compression backend (src/layer/compression.ts,
 * written by the tar helper) is the only thing this module delegates to.
 */
import { UnsupportedError } from '../errors/UnsupportedError.js';

export type LayerInput = Uint8Array | ReadableStream<Uint8Array>;
export type LayerCompression = 'none' | 'gzip' | 'zstd';

export function toStream(input: LayerInput): ReadableStream<Uint8Array> {
  if (!(input instanceof Uint8Array)) return input;
  return new ReadableStream<Uint8Array>({
    start(c) {
      if (input.byteLength) c.enqueue(input);
      c.close();
    },
  });
}

/** Reads at least `n` bytes (or to the end) and returns them with a stream that replays everything. */
async function peek(src: ReadableStream<Uint8Array>, n: number): Promise<{ head: Uint8Array; stream: ReadableStream<Uint8Array> }> {
  const reader = src.getReader();
  const seen: Uint8Array[] = [];
  let have = 0;
  let ended = false;
  while (have < n) {
    const r = await reader.read();
    if (r.done) {
      ended = true;
      break;
    }
    seen.push(r.value);
    have += r.value.byteLength;
  }
  const head = new Uint8Array(Math.min(have, n));
  let o = 0;
  for (const c of seen) {
    if (o >= head.length) break;
    const take = c.subarray(0, head.length - o);
    head.set(take, o);
    o += take.length;
  }
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(c) {
      if (i < seen.length) {
        c.enqueue(seen[i++]!);
        return;
      }
      if (ended) {
        c.close();
        return;
      }
      const r = await reader.read();
      if (r.done) c.close();
      else c.enqueue(r.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { head, stream };
}

/** Compression named by the first bytes (gzip 1f 8b, zstd 28 b5 2f fd), else 'none'. */
export function sniffCompression(head: Uint8Array): LayerCompression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

type CompressionModule = {
  decompress?: (s: ReadableStream<Uint8Array>, c: LayerCompression) => ReadableStream<Uint8Array>;
  compress?: (s: ReadableStream<Uint8Array>, c: LayerCompression) => ReadableStream<Uint8Array>;
};

async function compressionModule(): Promise<CompressionModule> {
  // The tar helper's module; loaded by name at run time so this file builds
  // before it lands, and falls back to the platform's CompressionStream.
  const name = './compression.js';
  try {
    return (await import(/* @vite-ignore */ name)) as CompressionModule;
  } catch {
    return {};
  }
}

/** The uncompressed tar of a layer, whatever compression its bytes show. */
export async function openLayerTar(input: LayerInput): Promise<{ tar: ReadableStream<Uint8Array>; compression: LayerCompression }> {
  const { head, stream } = await peek(toStream(input), 4);
  const compression = sniffCompression(head);
  if (compression === 'none') return { tar: stream, compression };
  const mod = await compressionModule();
  if (typeof mod.decompress === 'function') return { tar: mod.decompress(stream, compression), compression };
  if (compression === 'gzip') {
    return { tar: stream.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>), compression };
  }
  throw new UnsupportedError('zstd layers need src/layer/compression.ts', { compression });
}

/** Compresses a tar stream. */
export async function compressTar(tar: ReadableStream<Uint8Array>, compression: LayerCompression): Promise<ReadableStream<Uint8Array>> {
  if (compression === 'none') return tar;
  const mod = await compressionModule();
  if (typeof mod.compress === 'function') return mod.compress(tar, compression);
  if (compression === 'gzip') {
    return tar.pipeThrough(new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>);
  }
  throw new UnsupportedError('zstd layers need src/layer/compression.ts', { compression });
}

/** OCI media type of a layer with that compression (image-spec media-types.md). */
export function layerMediaType(compression: LayerCompression): string {
  const base = 'application/vnd.oci.image.layer.v1.tar';
  return compression === 'none' ? base : `${base}+${compression}`;
}
