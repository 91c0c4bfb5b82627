/**
 * Stretches deflate cannot shrink are found and stored (RFC 1951 3.2.4): the
 * classifier against random, text and already-compressed bytes, run edges
 * at 512-byte precision, stored blocks that zlib's inflater reads, and the
 * gzip writer's output with stored runs: restored by gzip -d and zlib,
 * deterministic, and no bigger than a single zlib stream.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants, deflateRawSync, gunzipSync, gzipSync, inflateRawSync } from 'node:zlib';
import { CELL, incompressibleRuns, MAX_RUNS, MIN_STORED_RUN, storedBlocks } from '../../src/layer/incompressible.js';
import { compress, GZIP_BLOCK } from '../../src/layer/compression.js';
import { concatBytes } from '../../src/tar/reader.js';
import { prng } from '../helpers/prng.js';
import { collect, streamOf } from '../tar/helpers.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const WORDS = 'the of and to in is that for it as with was on be by this are from or at an which have not but had they one were'.split(' ');

function randomBytes(n: number, seed: number): Uint8Array {
  const r = prng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * 256);
  return out;
}
function text(n: number, seed: number): Uint8Array {
  const r = prng(seed);
  let s = '';
  while (s.length < n) s += WORDS[Math.floor(r() * WORDS.length)] + ' ';
  return new TextEncoder().encode(s.slice(0, n));
}

describe('incompressibleRuns', () => {
  it('finds all of a random block and none of a text block', () => {
    const rnd = randomBytes(GZIP_BLOCK, 1);
    expect(incompressibleRuns(rnd, rnd.length)).toEqual([[0, GZIP_BLOCK]]);
    const txt = text(GZIP_BLOCK, 2);
    expect(incompressibleRuns(txt, txt.length)).toEqual([]);
  });

  it('calls already-compressed data incompressible, and what it stores deflate could not shrink', () => {
    const gz = gzipSync(text(3 * GZIP_BLOCK, 3)).subarray(0, GZIP_BLOCK);
    const runs = incompressibleRuns(gz, gz.length);
    const stored = runs.reduce((n, [s, e]) => n + e - s, 0);
    expect(stored).toBeGreaterThan(0.9 * gz.length);
    for (const [s, e] of runs) expect(deflateRawSync(gz.subarray(s, e), { level: 9 }).length).toBeGreaterThanOrEqual((e - s) * 0.995);
  });

  it('widens a run to the 512-byte blocks around it that look random, not into text', () => {
    // text | random starting and ending off the 4 KiB cells, on tar's 512-byte blocks | text
    const a = 3 * CELL + 1536;
    const b = a + 9 * CELL + 1024;
    const data = concatBytes([text(a, 4), randomBytes(b - a, 5), text(GZIP_BLOCK - b, 6)]);
    expect(incompressibleRuns(data, data.length)).toEqual([[a, b]]);
  });

  it('leaves short runs to deflate and keeps at most MAX_RUNS, the longest', () => {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < MAX_RUNS + 4; i++) {
      parts.push(text(8 * CELL, 10 + i));
      parts.push(randomBytes(MIN_STORED_RUN + i * CELL, 100 + i));
    }
    parts.push(text(2 * CELL, 7), randomBytes(MIN_STORED_RUN - CELL, 8), text(2 * CELL, 9));
    const data = concatBytes(parts);
    const runs = incompressibleRuns(data, data.length);
    expect(runs).toHaveLength(MAX_RUNS);
    expect(runs.map(([s, e]) => e - s)).toEqual(Array.from({ length: MAX_RUNS }, (_, k) => MIN_STORED_RUN + (k + 4) * CELL));
    for (let k = 1; k < runs.length; k++) expect(runs[k]![0]).toBeGreaterThan(runs[k - 1]![1]);
  });
});

describe('storedBlocks', () => {
  it('writes stored blocks of at most 65535 bytes that inflate restores, final or followed by more', () => {
    for (const n of [0, 1, 65535, 65536, 200_000]) {
      const data = randomBytes(n, n + 1);
      expect(sha(inflateRawSync(storedBlocks(data, true)))).toBe(sha(data));
      // Not final: a stream continues after it (here: an empty final stored block).
      const more = concatBytes([storedBlocks(data, false), storedBlocks(new Uint8Array(0), true)]);
      expect(sha(inflateRawSync(more))).toBe(sha(data));
      expect(() => inflateRawSync(storedBlocks(data, false), { finishFlush: constants.Z_FINISH })).toThrow();
    }
  });
});

describe('gzip with stored runs', () => {
  // Files of random bytes and text, as a layer of binaries and sources: 3 blocks and a bit.
  const r = prng(42);
  const files: Uint8Array[] = [];
  for (let n = 0; n < 3 * GZIP_BLOCK + 5000; ) {
    const size = 512 * Math.floor(1 + r() * 100);
    files.push(r() < 0.4 ? randomBytes(size, n) : text(size, n));
    n += size;
  }
  const data = concatBytes(files);

  it('gzip -d and zlib restore it; the bytes are the same however the input is chunked', async () => {
    const gz = await collect(compress(streamOf(data, 65536), 'gzip', { level: 3, gzipEncoder: 'zlib' }));
    expect(sha(execFileSync('gzip', ['-dc'], { input: gz, maxBuffer: 1 << 28 }))).toBe(sha(data));
    expect(sha(gunzipSync(gz))).toBe(sha(data));
    expect(sha(await collect(compress(streamOf(data, 777), 'gzip', { level: 3, gzipEncoder: 'zlib' })))).toBe(sha(gz));
  });

  it('ends the stream with a stored block when the input ends in a stored run (and with an empty one for empty input)', async () => {
    for (const input of [randomBytes(2 * GZIP_BLOCK, 9), concatBytes([text(GZIP_BLOCK + 4096, 10), randomBytes(64 * 1024, 11)]), new Uint8Array(0)]) {
      const gz = await collect(compress(streamOf(input), 'gzip', { level: 3, gzipEncoder: 'zlib' }));
      expect(sha(gunzipSync(gz))).toBe(sha(input));
      expect(sha(execFileSync('gzip', ['-dc'], { input: gz, maxBuffer: 1 << 28 }))).toBe(sha(input));
    }
  });

  it('property: any layout of random and text stretches round-trips, the same bytes however it is chunked', async () => {
    const { default: fc } = await import('fast-check');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ random: fc.boolean(), size: fc.integer({ min: 1, max: 70_000 }), seed: fc.nat() }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 200_000 }),
        fc.constantFrom(1, 3, 6),
        async (layout, chunk, level) => {
          const input = concatBytes(layout.map((x) => (x.random ? randomBytes(x.size, x.seed) : text(x.size, x.seed))));
          const gz = await collect(compress(streamOf(input, chunk), 'gzip', { level, gzipEncoder: 'zlib' }));
          expect(sha(gunzipSync(gz))).toBe(sha(input));
          expect(sha(await collect(compress(streamOf(input, 65536), 'gzip', { level, gzipEncoder: 'zlib' })))).toBe(sha(gz));
        },
      ),
      { numRuns: 25, seed: 4242 },
    );
  });

  it('is no bigger than one zlib stream at the same level (random bytes stored, not coded)', async () => {
    for (const level of [1, 3, 6]) {
      const gz = await collect(compress(streamOf(data), 'gzip', { level, gzipEncoder: 'zlib' }));
      expect(gz.length).toBeLessThanOrEqual(gzipSync(data, { level }).length);
    }
  });
});
