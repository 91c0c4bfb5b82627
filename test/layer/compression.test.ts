/**
 * Layer compression against the reference tools: what we compress, `gzip -d`
 * and `zstd -d` restore; what `gzip` and `zstd` write, we restore (including
 * multi-member gzip and multi-frame zstd); corrupt or truncated input is
 * INVALID_TAR; media types map both ways.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { requireTools } from '../helpers/tools.js';
import {
  compress,
  compressionOfMediaType,
  decompress,
  detectCompression,
  LayerMediaType,
  mediaTypeOfCompression,
  type GzipBackend,
  GZIP_BLOCK,
} from '../../src/layer/compression.js';
import { gunzipSync, gzipSync } from 'node:zlib';
import { collect, errorCode, streamOf } from '../tar/helpers.js';
import { prng } from '../helpers/prng.js';

requireTools('zstd');

/** Compressible but not trivial: 5 MiB so our zstd output has two frames (4 MiB blocks). */
function sample(n = 5 * 1024 * 1024 + 123): Uint8Array {
  const out = new Uint8Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = (x >>> 24) % 16 === 0 ? x & 0xff : 97 + (i % 7);
  }
  return out;
}
const data = sample();

/** Like a layer's tar: runs of 512-byte blocks of text or of random bytes (binaries), seeded. */
function layerLike(n: number, seed: number): Uint8Array {
  const r = prng(seed);
  const words = 'the of and to in is that for it as with was on be by this are'.split(' ');
  const out = new Uint8Array(n);
  for (let i = 0; i < n; ) {
    const end = Math.min(n, i + 512 * Math.floor(1 + r() * 60));
    if (r() < 0.35) while (i < end) out[i++] = Math.floor(r() * 256);
    else
      while (i < end) {
        const w = words[Math.floor(r() * words.length)]! + ' ';
        for (let c = 0; c < w.length && i < end; c++) out[i++] = w.charCodeAt(c);
      }
  }
  return out;
}
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const run = (cmd: string, args: string[], input: Uint8Array) => execFileSync(cmd, args, { input, maxBuffer: 1 << 28 });

describe('media types', () => {
  it('maps every OCI and Docker layer type to its compression and back', () => {
    expect(compressionOfMediaType(LayerMediaType.oci)).toBe('none');
    expect(compressionOfMediaType('application/vnd.oci.image.layer.v1.tar+gzip')).toBe('gzip');
    expect(compressionOfMediaType('application/vnd.oci.image.layer.v1.tar+zstd')).toBe('zstd');
    expect(compressionOfMediaType('application/vnd.oci.image.layer.nondistributable.v1.tar')).toBe('none');
    expect(compressionOfMediaType('application/vnd.oci.image.layer.nondistributable.v1.tar+gzip')).toBe('gzip');
    expect(compressionOfMediaType('application/vnd.oci.image.layer.nondistributable.v1.tar+zstd')).toBe('zstd');
    expect(compressionOfMediaType('application/vnd.docker.image.rootfs.diff.tar.gzip')).toBe('gzip');
    expect(compressionOfMediaType('application/vnd.docker.image.rootfs.foreign.diff.tar.gzip')).toBe('gzip');
    expect(compressionOfMediaType('application/vnd.docker.image.rootfs.diff.tar')).toBe('none');
    for (const c of ['none', 'gzip', 'zstd'] as const) {
      expect(compressionOfMediaType(mediaTypeOfCompression(c))).toBe(c);
      expect(compressionOfMediaType(mediaTypeOfCompression(c, 'docker'))).toBe(c);
    }
    expect(mediaTypeOfCompression('gzip', 'docker')).toBe('application/vnd.docker.image.rootfs.diff.tar.gzip');
  });

  it('refuses unknown media types and compressions', async () => {
    expect(await errorCode(() => compressionOfMediaType('application/vnd.oci.image.layer.v1.tar+bzip2'))).toBe('UNSUPPORTED');
    expect(await errorCode(() => compressionOfMediaType('application/vnd.oci.image.config.v1+json'))).toBe('UNSUPPORTED');
    expect(await errorCode(() => compress(streamOf(data), 'lz4' as never))).toBe('INVALID_ARGUMENT');
  });

  it('detects the compression from the first bytes', () => {
    expect(detectCompression(run('gzip', ['-c'], data.subarray(0, 100)))).toBe('gzip');
    expect(detectCompression(run('zstd', ['-c'], data.subarray(0, 100)))).toBe('zstd');
    expect(detectCompression(new Uint8Array([0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0]))).toBe('zstd'); // skippable frame
    expect(detectCompression(data.subarray(0, 512))).toBe('none');
    expect(detectCompression(new Uint8Array([0x1f]))).toBe('none');
  });
});

describe.each(['zlib', 'web'] as GzipBackend[])('gzip (inflate backend %s)', (gzipBackend) => {
  it('gzip -d restores what we compress; output is deterministic with OS byte 3', async () => {
    const gz = await collect(compress(streamOf(data), 'gzip'));
    expect(gz[9]).toBe(3);
    expect(sha(run('gzip', ['-dc'], gz))).toBe(sha(data));
    const again = await collect(compress(streamOf(data, 1000), 'gzip'));
    expect(sha(again)).toBe(sha(gz));
    expect(sha(await collect(decompress(streamOf(gz, 7777), 'gzip', { gzipBackend })))).toBe(sha(data));
  });

  it('restores what gzip writes, and every member of a multi-member gzip', async () => {
    const gz = run('gzip', ['-c'], data);
    expect(sha(await collect(decompress(streamOf(gz, 4096), 'auto', { gzipBackend })))).toBe(sha(data));
    const a = data.subarray(0, 1_000_000);
    const b = data.subarray(1_000_000, 3_000_000);
    const multi = Buffer.concat([run('gzip', ['-c'], a), run('gzip', ['-c'], b)]);
    const out = await collect(decompress(streamOf(multi, 3000), 'gzip', { gzipBackend }));
    expect(out.length).toBe(3_000_000);
    expect(sha(out)).toBe(sha(data.subarray(0, 3_000_000)));
  });

  it('fails corrupt or truncated gzip with INVALID_TAR', async () => {
    const gz = run('gzip', ['-c'], data.subarray(0, 200_000));
    const truncated = gz.subarray(0, gz.length - 100);
    expect(await errorCode(() => collect(decompress(streamOf(truncated), 'gzip', { gzipBackend })))).toBe('INVALID_TAR');
    const bad = gz.slice();
    for (let i = 100; i < 200; i++) bad[i] ^= 0x55;
    expect(await errorCode(() => collect(decompress(streamOf(bad), 'gzip', { gzipBackend })))).toBe('INVALID_TAR');
  });
});

describe('zstd', () => {
  it('zstd -d restores what we compress (several frames), at the default and a chosen level', async () => {
    const z = await collect(compress(streamOf(data), 'zstd'));
    expect(detectCompression(z)).toBe('zstd');
    expect(z.length).toBeLessThan(data.length / 2);
    expect(sha(run('zstd', ['-dc'], z))).toBe(sha(data));
    const z19 = await collect(compress(streamOf(data.subarray(0, 100_000)), 'zstd', { level: 19 }));
    expect(sha(run('zstd', ['-dc'], z19))).toBe(sha(data.subarray(0, 100_000)));
    const empty = await collect(compress(streamOf(new Uint8Array(0)), 'zstd'));
    expect(run('zstd', ['-dc'], empty).length).toBe(0);
  });

  it('restores what zstd writes from a pipe (no content size), and concatenated frames', async () => {
    const z = run('zstd', ['-c', '-3'], data); // stdin: streaming frame without content size
    expect(sha(await collect(decompress(streamOf(z, 5000), 'auto')))).toBe(sha(data));
    const two = Buffer.concat([run('zstd', ['-c'], data.subarray(0, 500)), run('zstd', ['-c', '--ultra', '-20'], data.subarray(500, 70_000))]);
    expect(sha(await collect(decompress(streamOf(two, 10), 'zstd')))).toBe(sha(data.subarray(0, 70_000)));
    const ours = await collect(compress(streamOf(data), 'zstd'));
    expect(sha(await collect(decompress(streamOf(ours, 65536), 'zstd')))).toBe(sha(data));
  });

  it('fails corrupt or truncated zstd with INVALID_TAR', async () => {
    const z = run('zstd', ['-c'], data.subarray(0, 300_000));
    expect(await errorCode(() => collect(decompress(streamOf(z.subarray(0, z.length - 50)), 'zstd')))).toBe('INVALID_TAR');
    const bad = z.slice();
    for (let i = 20; i < 120; i++) bad[i] ^= 0x5a;
    expect(await errorCode(() => collect(decompress(streamOf(bad), 'zstd')))).toBe('INVALID_TAR');
  });
});

describe('gzip encoders', () => {
  it("the node:zlib encoder writes one gzip member, the same bytes however the input is chunked, that gzip -d and zlib restore", async () => {
    // Three blocks and a bit: blocks end with a sync flush, the last one finishes the stream.
    const big = sample(3 * GZIP_BLOCK + 777);
    const gz = await collect(compress(streamOf(big, 65536), 'gzip', { gzipEncoder: 'zlib' }));
    expect([...gz.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
    expect(sha(await collect(compress(streamOf(big, 1000), 'gzip', { gzipEncoder: 'zlib' })))).toBe(sha(gz));
    expect(sha(await collect(compress(streamOf(big, GZIP_BLOCK), 'gzip', { gzipEncoder: 'zlib' })))).toBe(sha(gz));
    expect(sha(run('gzip', ['-dc'], gz))).toBe(sha(big));
    expect(sha(gunzipSync(gz))).toBe(sha(big));
    // A single member: `gzip -l` reads the trailer of the (only) member, the length of the whole input.
    const listed = execFileSync('gzip', ['-lq'], { input: gz }).toString().trim().split(/\s+/);
    expect(Number(listed[1])).toBe(big.length);
    // Priming every block with the 32 KiB before it keeps the ratio of one deflate stream.
    expect(gz.length).toBeLessThan(gzipSync(big).length * 1.01);
  });

  it('two node:zlib gzip streams at once each restore to their own input (each block primed with its own window)', async () => {
    // Blocks wait for a deflate slot while the other stream holds it; a block's dictionary
    // was once a Buffer.slice() view of the block before, recycled and refilled by then.
    const inputs = [layerLike(7 * GZIP_BLOCK + 99, 1), layerLike(6 * GZIP_BLOCK + 7, 2)];
    const outs = await Promise.all(inputs.map((x) => collect(compress(streamOf(x, 65536), 'gzip', { level: 6, gzipEncoder: 'zlib' }))));
    const alone = await Promise.all(inputs.map(async (x) => sha(await collect(compress(streamOf(x, 65536), 'gzip', { level: 6, gzipEncoder: 'zlib' })))));
    outs.forEach((gz, i) => {
      expect(sha(gunzipSync(gz))).toBe(sha(inputs[i]!));
      expect(sha(gz)).toBe(alone[i]); // and the same bytes as when compressed on its own
    });
  });

  it('the node:zlib encoder handles empty input, a whole number of blocks, and levels 1-9', async () => {
    for (const input of [new Uint8Array(0), sample(2 * GZIP_BLOCK)]) {
      const gz = await collect(compress(streamOf(input, 4096), 'gzip', { gzipEncoder: 'zlib' }));
      expect(sha(run('gzip', ['-dc'], gz))).toBe(sha(input));
    }
    const some = data.subarray(0, 1_500_000);
    const fast = await collect(compress(streamOf(some), 'gzip', { level: 1, gzipEncoder: 'zlib' }));
    const best = await collect(compress(streamOf(some), 'gzip', { level: 9, gzipEncoder: 'zlib' }));
    expect([fast[8], best[8]]).toEqual([4, 2]); // XFL as zlib writes it
    expect(best.length).toBeLessThan(fast.length);
    expect(sha(run('gzip', ['-dc'], fast))).toBe(sha(some));
    expect(sha(run('gzip', ['-dc'], best))).toBe(sha(some));
    expect(await errorCode(() => compress(streamOf(some), 'gzip', { level: 0 }))).toBe('INVALID_ARGUMENT');
    expect(await errorCode(() => compress(streamOf(some), 'gzip', { level: 4, gzipEncoder: 'web' }))).toBe('UNSUPPORTED');
  });

  it('the CompressionStream encoder (the browser path) writes what gzip -d restores, OS byte 3', async () => {
    const gz = await collect(compress(streamOf(data, 5000), 'gzip', { gzipEncoder: 'web' }));
    expect(gz[9]).toBe(3);
    expect(sha(run('gzip', ['-dc'], gz))).toBe(sha(data));
  });
});

describe('auto detection', () => {
  it('passes a plain tar through untouched', async () => {
    const plain = data.subarray(0, 10_000);
    expect(sha(await collect(decompress(streamOf(plain, 3), 'auto')))).toBe(sha(plain));
    expect((await collect(decompress(streamOf(new Uint8Array(0)), 'auto'))).length).toBe(0);
  });
});

describe('corrupt input never crashes or hangs', () => {
  it('flipped bytes in gzip and zstd layers give the data or INVALID_TAR, on every backend', async () => {
    const { default: fc } = await import('fast-check');
    const { isLayerfsError } = await import('../../src/errors/index.js');
    const small = data.subarray(0, 20_000);
    const blobs = { gzip: run('gzip', ['-c'], small), zstd: run('zstd', ['-c'], small) };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('gzip-zlib', 'gzip-web', 'zstd'),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
        fc.option(fc.nat()),
        async (kind, flips, cut) => {
          const [comp, backend] = kind.split('-') as ['gzip' | 'zstd', GzipBackend | undefined];
          const bad = Buffer.from(blobs[comp]);
          for (const [at, v] of flips) bad[at % bad.length] = v;
          const input = cut === null ? bad : bad.subarray(0, cut % (bad.length + 1));
          try {
            await collect(decompress(streamOf(input, 1000), comp, { gzipBackend: backend }));
          } catch (e) {
            if (!isLayerfsError(e, 'INVALID_TAR')) throw e;
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
