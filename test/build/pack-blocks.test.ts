/**
 * The build's layer writer: the tar written straight into the gzip pool's
 * blocks (createTarBlockWriter + gzipBlocks, diffTrees' gzip path in Node)
 * must give exactly the bytes of the stream writer and compressor it
 * replaces, and a gzip any inflater (node:zlib) reads back to the tar.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compress, gzipBlocks, GZIP_BLOCK } from '../../src/layer/compression.js';
import { diffTrees } from '../../src/layer/diff.js';
import { encodeTar, createTarBlockWriter } from '../../src/tar/writer.js';
import { tarHeader } from '../../src/tar/encode.js';
import type { TarHeader } from '../../src/tar/types.js';
import { MemoryTree } from '../../src/tree/memory.js';
import { prng } from '../helpers/prng.js';

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function bytesOf(n: number, rand: () => number, text: boolean): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = text ? 97 + Math.floor(rand() * 6) : Math.floor(rand() * 256);
  return b;
}

function streamOf(b: Uint8Array, chunk = 65536): ReadableStream<Uint8Array> {
  let o = 0;
  return new ReadableStream({
    pull(c) {
      if (o >= b.byteLength) return c.close();
      c.enqueue(b.subarray(o, o + chunk));
      o += chunk;
    },
  });
}

async function collect(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of s as unknown as AsyncIterable<Uint8Array>) parts.push(c);
  return Buffer.concat(parts);
}

function joined(parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

describe('createTarBlockWriter', () => {
  const rand = prng(7);
  // Sizes around the 512-byte records and the (small, for the test) block size.
  const sizes = [0, 1, 511, 512, 513, 1000, 4095, 4096, 4097, 9000, 20000, 3];
  const entries: Array<{ header: TarHeader; data?: Uint8Array }> = [{ header: tarHeader({ path: 'd', type: 'directory', mtime: 5 }) }];
  sizes.forEach((n, i) => entries.push({ header: tarHeader({ path: `d/f${i}`, size: n, mtime: 1700000000, uid: i }), data: bytesOf(n, rand, i % 2 === 0) }));
  entries.push({ header: tarHeader({ path: 'd/link', type: 'symlink', linkname: 'f1' }) });
  entries.push({ header: tarHeader({ path: `d/${'long/'.repeat(40)}name`, size: 10 }), data: bytesOf(10, rand, true) });

  for (const blockSize of [512 * 3, 4096, 1 << 20]) {
    it(`writes the bytes encodeTar writes (blocks of ${blockSize} bytes, bodies whole and streamed)`, async () => {
      const expected = encodeTar(entries);
      for (const streamed of [false, true]) {
        const out: Uint8Array[] = [];
        const w = createTarBlockWriter({ block: () => new Uint8Array(blockSize).fill(0xee), full: (b) => void out.push(b.slice()) });
        for (const e of entries) {
          if (streamed && e.data) await w.addBody(e.header, streamOf(e.data, 700));
          else await w.add(e.header, e.data);
        }
        const last = await w.end();
        out.push(last.block.slice(0, last.length));
        // Every block but the last is full; the recycled garbage (0xee) never shows.
        expect(out.slice(0, -1).every((b) => b.byteLength === blockSize)).toBe(true);
        expect(w.size).toBe(expected.byteLength);
        expect(sha(joined(out))).toBe(sha(expected));
      }
    });
  }

  it('copies a transient body that straddles a block before add() returns (its buffer is reused at once)', async () => {
    const out: Uint8Array[] = [];
    // The sink yields to the event loop, as the gzip pool's backpressure does.
    const w = createTarBlockWriter({ block: () => new Uint8Array(4096), full: async (b) => {
        out.push(b.slice());
        await new Promise((r) => setTimeout(r, 1));
      },
    });
    const shared = Buffer.alloc(10_000); // a context's read buffer, as readTransient hands it out
    const bodies = [bytesOf(3000, rand, true), bytesOf(9000, rand, false), bytesOf(5000, rand, true)];
    const headers = bodies.map((b, i) => tarHeader({ path: `t${i}`, size: b.byteLength, mtime: 1 }));
    for (const [i, b] of bodies.entries()) {
      shared.set(b);
      const pending = w.add(headers[i]!, shared.subarray(0, b.byteLength), true);
      shared.fill(0x21); // the next read refills the buffer before the writer is done with the block
      if (pending) await pending;
    }
    const last = await w.end();
    out.push(last.block.slice(0, last.length));
    expect(sha(joined(out))).toBe(sha(encodeTar(bodies.map((b, i) => ({ header: headers[i]!, data: b })))));
  });

  it('refuses a body whose length is not the header size', async () => {
    const w = createTarBlockWriter({ block: () => new Uint8Array(4096), full: () => {} });
    expect(() => w.add(tarHeader({ path: 'a', size: 3 }), new Uint8Array(2))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    await expect(w.addBody(tarHeader({ path: 'b', size: 3 }), streamOf(new Uint8Array(5)))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(() => w.add(tarHeader({ path: 'c', size: 3 }))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('gzipBlocks', () => {
  const rand = prng(11);
  const input = new Uint8Array(GZIP_BLOCK * 2 + 12345);
  input.set(bytesOf(GZIP_BLOCK, rand, true), 0);
  input.set(bytesOf(GZIP_BLOCK * 2 + 12345 - GZIP_BLOCK, rand, false), GZIP_BLOCK);

  for (const [n, level] of [
    [0, 6],
    [GZIP_BLOCK, 3],
    [input.byteLength, 3],
    [input.byteLength, 6],
  ] as const) {
    it(`gives compress()'s bytes for ${n} bytes at level ${level}, and gunzip reads them back`, async () => {
      const data = input.subarray(0, n);
      const out: Uint8Array[] = [];
      const gz = gzipBlocks(level, (c) => out.push(c.slice()))!;
      expect(gz).not.toBeNull();
      // As the layer writer does: every full block to push(), the rest (maybe nothing) to finish().
      let o = 0;
      let block = gz.block();
      for (; o + GZIP_BLOCK <= data.byteLength; o += GZIP_BLOCK) {
        block.set(data.subarray(o, o + GZIP_BLOCK));
        await gz.push(block, GZIP_BLOCK);
        block = gz.block();
      }
      block.set(data.subarray(o));
      await gz.finish(block, data.byteLength - o);
      const mine = joined(out);
      const reference = await collect(compress(streamOf(data, 100_000), 'gzip', { level, gzipEncoder: 'zlib' }));
      expect(sha(mine)).toBe(sha(reference));
      expect(sha(gunzipSync(mine))).toBe(sha(data));
    });
  }

  it('refuses a level outside 1-9', () => {
    expect(() => gzipBlocks(0, () => {})).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe("diffTrees' block writer", () => {
  it('gives the same layer as the stream writer, with the right digest and diffId', async () => {
    const rand = prng(3);
    const specs = [
      { path: 'app', type: 'directory' as const, mtime: 9 },
      ...[0, 1, 700, 5000, 600_000, GZIP_BLOCK + 3, 2 * GZIP_BLOCK].map((n, i) => ({ path: `app/f${i}`, content: bytesOf(n, rand, i % 2 === 1), mtime: 1700000000 + i, mode: 0o640 })),
      { path: 'app/ln', type: 'symlink' as const, linkname: 'f1' },
    ];
    const upper = await MemoryTree.from(specs);
    const blocks = await diffTrees(new MemoryTree(), upper, { compression: 'gzip', level: 3 });
    const parts: Uint8Array[] = [];
    const streamed = await diffTrees(new MemoryTree(), upper, { compression: 'gzip', level: 3, output: new WritableStream({ write: (c) => void parts.push(c.slice()) }) });
    expect(blocks.chunks).toBeDefined();
    const bytes = blocks.bytes!;
    expect(sha(bytes)).toBe(sha(joined(parts)));
    expect(blocks.digest).toBe(streamed.digest);
    expect(blocks.diffId).toBe(streamed.diffId);
    expect(blocks.uncompressedSize).toBe(streamed.uncompressedSize);
    expect(blocks.size).toBe(bytes.byteLength);
    expect(blocks.digest).toBe(sha(bytes));
    expect(sha(joined(blocks.chunks!))).toBe(sha(bytes));
    const tar = gunzipSync(bytes);
    expect(blocks.diffId).toBe(sha(tar));
    expect(blocks.uncompressedSize).toBe(tar.byteLength);
  });
});
