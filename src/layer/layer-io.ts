/**
 * The byte plumbing apply and diff share: turning a layer (bytes or a stream,
 * compressed or not) into an uncompressed tar stream, and the reverse, on top
 * of src/layer/compression.ts.
 */
import { compress, decompress, detectCompression, mediaTypeOfCompression, peekBytes, type Compression } from './compression.js';

export type LayerInput = Uint8Array | ReadableStream<Uint8Array>;
export type LayerCompression = Compression;

export function toStream(input: LayerInput): ReadableStream<Uint8Array> {
  if (!(input instanceof Uint8Array)) return input;
  return new ReadableStream<Uint8Array>({
    start(c) {
      if (input.byteLength) c.enqueue(input);
      c.close();
    },
  });
}

/** The uncompressed tar of a layer, whatever compression its bytes show (gzip 1f 8b, zstd 28 b5 2f fd). */
export async function openLayerTar(input: LayerInput): Promise<{ tar: ReadableStream<Uint8Array>; compression: LayerCompression }> {
  const { head, stream } = await peekBytes(toStream(input), 4);
  const compression = detectCompression(head);
  if (compression === 'none') return { tar: stream, compression };
  return { tar: decompress(stream, compression).pipeThrough(readAhead(READ_AHEAD)), compression };
}

/** Inflated bytes buffered ahead of the tar reader (see readAhead). */
const READ_AHEAD = 8 << 20;

/**
 * A pass-through that keeps up to `bytes` queued: the pipe into it keeps
 * pulling, so inflating (node:zlib works on the thread pool) can overlap with
 * the caller writing files instead of the two taking turns. A profile of
 * applyLayer on a loaded machine showed the main thread idle a third of the
 * time waiting on the decompressor; on a quieter one the A/B difference was
 * within noise. Costs at most `bytes` of memory.
 */
function readAhead(bytes: number): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream<Uint8Array, Uint8Array>({}, { highWaterMark: bytes, size: (c) => c.byteLength }, { highWaterMark: 0 });
}

/** Compresses a tar stream. */
export async function compressTar(tar: ReadableStream<Uint8Array>, compression: LayerCompression, level?: number): Promise<ReadableStream<Uint8Array>> {
  return compress(tar, compression, level === undefined ? {} : { level });
}

/** OCI media type of a layer with that compression (image-spec media-types.md). */
export function layerMediaType(compression: LayerCompression): string {
  return mediaTypeOfCompression(compression, 'oci');
}

