/**
 * sha256, sha256Many and createHasher through every backend and both Wasm
 * builds, compared with node:crypto; bad arguments give typed errors.
 */
import { createHash, randomBytes } from 'node:crypto';
import nodeCrypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { createHasher, sha256, sha256Many, type HashOptions } from '../../src/digest/index.js';
import { InvalidArgumentError } from '../../src/errors/index.js';
import { MANY_NODE_MIN_SIZE } from '../../src/digest/backend.js';

const ref = (alg: string, b: Uint8Array) => `${alg}:${createHash(alg).update(b).digest('hex')}`;

function streamOf(data: Uint8Array, chunk: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= data.length) return c.close();
      c.enqueue(data.slice(at, at + chunk));
      at += chunk;
    },
  });
}

const BACKENDS: Array<[string, HashOptions]> = [
  ['auto', {}],
  ['node', { backend: 'node' }],
  ['wasm SIMD', { backend: 'wasm', simd: true }],
  ['wasm scalar', { backend: 'wasm', simd: false }],
];

for (const [name, opts] of BACKENDS) {
  describe(`backend ${name}`, () => {
    it('sha256 of bytes: empty, FIPS "abc", and random sizes', async () => {
      expect(await sha256(new Uint8Array(0), opts)).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      expect(await sha256(new TextEncoder().encode('abc'), opts)).toBe(
        'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      );
      for (const n of [1, 63, 64, 65, 1000, 70_000, (1 << 20) + 3]) {
        const x = randomBytes(n);
        expect(await sha256(x, opts), `${n} bytes`).toBe(ref('sha256', x));
      }
    });

    it('sha256 of a stream, in odd chunk sizes', async () => {
      const x = randomBytes(300_001);
      for (const chunk of [1000, 4096, 65_537]) expect(await sha256(streamOf(x, chunk), opts)).toBe(ref('sha256', x));
      expect(await sha256(streamOf(new Uint8Array(0), 10), opts)).toBe(ref('sha256', new Uint8Array(0)));
    });

    it('sha256Many with unequal lengths, more inputs than lanes and than the core buffer', async () => {
      const lengths = [0, 1, 55, 56, 63, 64, 65, 1023, 1024, 1535, 1536, 4096, 2 * 1024 * 1024 + 1, 70_000, 100, 7];
      for (let i = 0; i < 400; i++) lengths.push((i * 977) % 5000);
      const inputs = lengths.map((n) => randomBytes(n));
      expect(await sha256Many(inputs, opts)).toEqual(inputs.map((x) => ref('sha256', x)));
      expect(await sha256Many([], opts)).toEqual([]);
    });

    for (const alg of ['sha256', 'sha512'] as const) {
      it(`createHasher('${alg}') in random pieces`, async () => {
        const x = randomBytes(50_000);
        const h = await createHasher(alg, opts);
        expect(h.algorithm).toBe(alg);
        for (let at = 0, step = 1; at < x.length; at += step, step = (step * 7 + 3) % 4000) h.update(x.subarray(at, at + step));
        expect(h.digest()).toBe(ref(alg, x));
        expect(() => h.update(new Uint8Array(1))).toThrow(InvalidArgumentError);
        expect(() => h.digest()).toThrow(InvalidArgumentError);
      });
    }
  });
}

describe("sha256Many 'auto' in Node", () => {
  it('sends inputs of MANY_NODE_MIN_SIZE bytes and more to node:crypto, smaller ones to the Wasm core', async () => {
    const sizes = [0, 64, MANY_NODE_MIN_SIZE - 1, MANY_NODE_MIN_SIZE, MANY_NODE_MIN_SIZE + 1, 100_000];
    const inputs = sizes.map((n) => randomBytes(n));
    const want = inputs.map((x) => ref('sha256', x));
    const spy = vi.spyOn(nodeCrypto, 'createHash');
    try {
      expect(await sha256Many(inputs)).toEqual(want);
      expect(spy).toHaveBeenCalledTimes(sizes.filter((n) => n >= MANY_NODE_MIN_SIZE).length);
      spy.mockClear();
      expect(await sha256Many(inputs.slice(0, 3))).toEqual(want.slice(0, 3));
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});

describe('argument errors', () => {
  it('unknown algorithm, unknown backend, wrong input types', async () => {
    await expect(createHasher('md5' as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(sha256(new Uint8Array(1), { backend: 'gpu' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(sha256('abc' as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(sha256Many([new Uint8Array(1), 'x' as never])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', data: { index: 1 } });
    const h = await createHasher('sha256', { backend: 'wasm' });
    expect(() => h.update('text' as never)).toThrow(InvalidArgumentError);
  });

  it('a stream yielding a non-byte chunk fails with a typed error', async () => {
    const s = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array(3));
        c.enqueue('oops' as never);
        c.close();
      },
    });
    await expect(sha256(s)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
