/** readRanges: many files of a layer in one pass equal what readLayerFile reads one by one. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { diffTrees, MemoryTree, readLayer, readLayerFile } from '../../src/index.js';
import { readRanges } from '../../src/container/bulk-read.js';

async function bytesOf(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(s).arrayBuffer());
}

function stream(b: Uint8Array): ReadableStream<Uint8Array> {
  // Small chunks, so ranges straddle chunk boundaries.
  let o = 0;
  return new ReadableStream({
    pull(c) {
      if (o >= b.length) return c.close();
      c.enqueue(b.subarray(o, o + 7000));
      o += 7000;
    },
  });
}

describe('readRanges', () => {
  it.each(['gzip', 'none'] as const)('reads every file of a %s layer in one pass', async (compression) => {
    const sizes = [0, 1, 511, 512, 513, 7000, 70_001, 200_000, 3];
    const tree = await MemoryTree.from(sizes.map((n, i) => ({ path: `d/f${i}`, content: new Uint8Array(randomBytes(n)) })));
    const layer = await diffTrees(new MemoryTree(), tree, { compression });
    const index = await readLayer(layer.bytes!);
    const files = index.entries.filter((e) => e.type === 'file' && e.size > 0);
    // Ask in reverse order, one twice: the result is keyed by offset.
    const got = await readRanges(stream(layer.bytes!), [...files].reverse().concat(files[0]!));
    expect(got.size).toBe(files.length);
    for (const f of files) {
      const want = await bytesOf(readLayerFile(layer.bytes!, f));
      expect(want.length).toBe(f.size);
      expect(Buffer.compare(got.get(f.offset)!, want)).toBe(0);
    }
  });
});
