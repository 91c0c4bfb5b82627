/**
 * The Wasm SHA-256 kernels against node:crypto, on both builds: FIPS 180-4
 * vectors, every length 0..1100 fed whole and split at every point, large
 * inputs split around the input buffer's slice boundaries, random splits,
 * interleaved hashers, memory growth, and the multi-buffer kernel with
 * unequal lengths, more inputs than lanes, than the buffer and than the job
 * table hold.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Kernel } from '../../src/core/sha256.js';
import { loadCore } from '../../src/core/load.js';
import { prng as rng } from '../helpers/prng.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ref = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const FIPS: Array<[string, Uint8Array, string]> = [
  ['"abc"', new TextEncoder().encode('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  [
    '448-bit message',
    new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  ],
  [
    '896-bit message',
    new TextEncoder().encode(
      'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
    ),
    'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
  ],
  ['one million "a"', new Uint8Array(1_000_000).fill(0x61), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
];

for (const simd of [true, false]) {
  describe(`Wasm SHA-256, ${simd ? 'SIMD' : 'scalar'} build`, async () => {
    const kernel = await sha256Kernel({ simd });

    it('is the build asked for', () => {
      expect(kernel.simd).toBe(simd);
      expect(kernel.lanes).toBe(simd ? 4 : 1);
    });

    for (const [name, msg, want] of FIPS) {
      it(`FIPS 180-4 vector: ${name}`, () => {
        expect(hex(kernel.digest(msg))).toBe(want);
        expect(hex(kernel.many([msg])) ).toBe(want);
      });
    }

    // Both builds compile the same streaming code (update/final; only the
    // compression function differs, and every length below exercises it
    // whole), so the full square (600k splits, ~450 MB hashed) runs on the
    // SIMD build, the default; the scalar build splits every length up to 200
    // and from 990, and hashes all whole.
    const splitLength = (n: number) => simd || n <= 200 || n >= 990;
    it(`every length 0..1100, fed whole and split at every point${simd ? '' : ' (lengths <= 200 and >= 990)'}`, () => {
      const data = randomBytes(1100);
      const bad: string[] = [];
      for (let n = 0; n <= 1100; n++) {
        const x = data.subarray(0, n);
        const want = createHash('sha256').update(x).digest();
        if (!want.equals(kernel.digest(x))) bad.push(`len ${n} whole`);
        if (!splitLength(n)) continue;
        for (let k = 0; k <= n; k++) {
          const got = kernel.create().update(x.subarray(0, k)).update(x.subarray(k)).digest();
          if (!want.equals(got)) bad.push(`len ${n} split ${k}+${n - k}`);
        }
      }
      expect(bad.slice(0, 10)).toEqual([]);
    });

    it('1000 bytes fed as 10 + 990 (a bug seen in the wild)', () => {
      const x = randomBytes(1000);
      expect(hex(kernel.create().update(x.subarray(0, 10)).update(x.subarray(10)).digest())).toBe(ref(x));
    });

    it('several MiB, whole and split around every input-buffer slice boundary', () => {
      const x = randomBytes(2 * 1024 * 1024 + 77);
      const want = ref(x);
      expect(hex(kernel.digest(x))).toBe(want);
      const MiB = 1024 * 1024;
      const points = [0, 1, 63, 64, 65, x.length - 1, x.length];
      for (let m = 1; m <= 2; m++) for (const d of [-65, -64, -1, 0, 1, 55, 56, 64]) points.push(m * MiB + d);
      for (const k of points) {
        expect(hex(kernel.create().update(x.subarray(0, k)).update(x.subarray(k)).digest()), `split at ${k}`).toBe(want);
      }
    });

    it('random splits into many pieces', () => {
      const rand = rng(simd ? 1 : 2);
      for (let round = 0; round < 180; round++) {
        const n = Math.floor(rand() * (round < 160 ? 5000 : 3 * 1024 * 1024));
        const x = randomBytes(n);
        const h = kernel.create();
        const cuts: number[] = [];
        for (let at = 0; at < n; ) {
          const step = Math.floor(rand() * (rand() < 0.5 ? 130 : 200_000));
          const end = Math.min(n, at + step);
          h.update(x.subarray(at, end));
          cuts.push(end - at);
          at = end;
        }
        expect(hex(h.digest()), `pieces ${cuts.join('+')}`).toBe(ref(x));
      }
    });

    it('interleaved hashers keep their own state', () => {
      const xs = [randomBytes(3000), randomBytes(777), randomBytes(64 * 5), randomBytes(1)];
      const hs = xs.map(() => kernel.create());
      for (let at = 0; at < 3000; at += 37) xs.forEach((x, i) => hs[i]!.update(x.subarray(at, at + 37)));
      // A one-shot digest in between must not disturb the open hashers.
      expect(hex(kernel.digest(xs[0]!))).toBe(ref(xs[0]!));
      expect(hs.map((h) => hex(h.digest()))).toEqual(xs.map(ref));
    });

    it('a hasher refuses to be used after digest()', () => {
      const h = kernel.create().update(new Uint8Array(3));
      h.digest();
      expect(() => h.update(new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      expect(() => h.digest()).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    });

    it('stays correct after linear memory grows (views are made again)', async () => {
      const core = await loadCore({ simd });
      const x = randomBytes(200_000);
      const h = kernel.create().update(x.subarray(0, 1000));
      core.memory.grow(1);
      h.update(x.subarray(1000));
      expect(hex(h.digest())).toBe(ref(x));
      core.memory.grow(1);
      expect(hex(kernel.many([x, x.subarray(5)]))).toBe(ref(x) + ref(x.subarray(5)));
    });

    it('many: unequal lengths around the padding edges, several MiB among them', () => {
      const lengths = [0, 1, 55, 56, 63, 64, 65, 4096, 3 * 1024 * 1024 + 5, 119, 120, 127, 128, 129, 1000, 0];
      const inputs = lengths.map((n) => randomBytes(n));
      const out = kernel.many(inputs);
      expect(out.length).toBe(inputs.length * 32);
      lengths.forEach((n, i) => expect(hex(out.subarray(i * 32, i * 32 + 32)), `input ${i} (${n} bytes)`).toBe(ref(inputs[i]!)));
    });

    it('many: more inputs than lanes, than the input buffer and than the job table hold', () => {
      const rand = rng(simd ? 3 : 4);
      const inputs: Uint8Array[] = [];
      // 700 x up to 6 KiB (> 1 MiB buffer), then 5000 tiny ones (> 4096 jobs), then big ones.
      for (let i = 0; i < 700; i++) inputs.push(randomBytes(Math.floor(rand() * 6000)));
      for (let i = 0; i < 5000; i++) inputs.push(randomBytes(Math.floor(rand() * 70)));
      for (const n of [300_000, 262_144, 262_145, 1 << 20, (1 << 20) + 1]) inputs.push(randomBytes(n));
      const out = kernel.many(inputs);
      const want = inputs.map(ref);
      const bad = inputs.map((_, i) => (hex(out.subarray(i * 32, i * 32 + 32)) === want[i] ? -1 : i)).filter((i) => i >= 0);
      expect(bad).toEqual([]);
      // The hex form is made in the core; it must say the same.
      expect(kernel.manyHex(inputs)).toEqual(want);
    });

    it('many: an empty list gives no digests', () => {
      expect(kernel.many([]).length).toBe(0);
    });
  });
}

// The SIMD build hashes one stream with a v128 message schedule
// (compressSched), the scalar build with scalar rounds only (compress): runs
// of many blocks, starting at every offset mod 64 of the input buffer (so the
// v128 loads are unaligned), must agree with each other and node:crypto.
describe('Wasm SHA-256, one stream: SIMD schedule and scalar rounds agree', async () => {
  const [simd, scalar] = await Promise.all([sha256Kernel({ simd: true }), sha256Kernel({ simd: false })]);
  it('many-block runs at every offset mod 64', () => {
    const x = randomBytes(64 * 300 + 64);
    const bad: string[] = [];
    for (let lead = 0; lead < 64; lead++) {
      const n = lead + 64 * (1 + ((lead * 37) % 299)) + (lead % 3);
      const m = x.subarray(0, n);
      const want = ref(m);
      for (const [name, k] of [['simd', simd], ['scalar', scalar]] as const) {
        const got = hex(k.create().update(m.subarray(0, lead)).update(m.subarray(lead)).digest());
        if (got !== want) bad.push(`${name}: ${lead} + ${n - lead}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
