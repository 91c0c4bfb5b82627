/**
 * The byte plumbing apply and diff share: turning a layer (bytes or a stream,
 * compressed or not) into an uncompressed tar stream, and the reverse, on top
 * of src/layer/compression.ts.
 */
import { InvalidTarError } from '../errors/InvalidTarError.js';
import { parseTar, type TarEntry } from '../tar/index.js';
import { compress, decompress, detectCompression, peekBytes, type Compression } from './compression.js';

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
  return { tar: decompress(stream, compression), compression };
}

/** Compresses a tar stream. */
export async function compressTar(tar: ReadableStream<Uint8Array>, compression: LayerCompression): Promise<ReadableStream<Uint8Array>> {
  return compress(tar, compression);
}

/** OCI media type of a layer with that compression (image-spec media-types.md). */
export function layerMediaType(compression: LayerCompression): string {
  const base = 'application/vnd.oci.image.layer.v1.tar';
  return compression === 'none' ? base : `${base}+${compression}`;
}

/**
 * The entries of a layer's tar (src/tar parseTar), also accepting a tar that
 * stops right after the last entry's content without its 512-byte padding:
 * umoci 0.4.7 `insert` writes such layers and umoci/Go's archive/tar read
 * them (CONFORMANCE.md rule 6). Truncation anywhere else — inside content,
 * inside a header — still fails with INVALID_TAR.
 */
export async function* layerEntries(tar: ReadableStream<Uint8Array>): AsyncGenerator<TarEntry, void, undefined> {
  let last: { offset: number; size: number } | undefined;
  try {
    for await (const e of parseTar(tar)) {
      last = { offset: e.offset, size: e.header.type === 'file' ? e.header.size : 0 };
      yield e;
    }
  } catch (err) {
    if (err instanceof InvalidTarError && last && typeof err.data.offset === 'number') {
      const dataEnd = last.offset + last.size;
      const padded = dataEnd + ((512 - (last.size % 512)) % 512);
      if (err.data.offset >= dataEnd && err.data.offset < padded) return;
    }
    throw err;
  }
}
