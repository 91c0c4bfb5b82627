/**
 * Many regular files of one image layer read in ONE pass over its blob.
 * Reading a lower file on its own inflates its layer up to that file
 * (readLayerFile), so renaming a directory of N image files would inflate
 * the layer N times; a rename reads them all here first. The whole blob is
 * read (not cancelled after the last range) so the store's digest check at
 * its end vouches for every byte handed out.
 */
import { decompress } from '../layer/compression.js';

export interface ByteRange {
  /** Position of the content in the uncompressed tar. */
  offset: number;
  size: number;
}

/** The bytes of each range (keyed by offset) of the uncompressed layer in `blob`. */
export async function readRanges(blob: ReadableStream<Uint8Array>, ranges: readonly ByteRange[]): Promise<Map<number, Uint8Array>> {
  const sorted = [...new Map(ranges.map((r) => [r.offset, r])).values()].sort((a, b) => a.offset - b.offset);
  const out = new Map<number, Uint8Array>();
  for (const r of sorted) out.set(r.offset, new Uint8Array(r.size));
  const reader = decompress(blob, 'auto').getReader();
  let pos = 0;
  let i = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const start = pos;
    const end = pos + value.byteLength;
    pos = end;
    // Ranges are disjoint and sorted: copy every overlap with this chunk.
    for (let k = i; k < sorted.length && sorted[k]!.offset < end; k++) {
      const r = sorted[k]!;
      const rEnd = r.offset + r.size;
      if (rEnd <= start) {
        if (k === i) i++;
        continue;
      }
      const from = Math.max(r.offset, start);
      const to = Math.min(rEnd, end);
      out.get(r.offset)!.set(value.subarray(from - start, to - start), from - r.offset);
    }
    while (i < sorted.length && sorted[i]!.offset + sorted[i]!.size <= end) i++;
  }
  return out;
}
