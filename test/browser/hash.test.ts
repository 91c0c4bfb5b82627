/** SHA-256 in Chromium: FIPS 180-4 vectors, and WebCrypto as the reference for many sizes, on both Wasm builds. */
import { describe, expect, it } from 'vitest';
import { createHasher, loadCore, sha256, sha256Many, simdSupported } from '../../src/index.js';

const enc = new TextEncoder();

async function webcrypto(b: Uint8Array): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', b as BufferSource));
  return 'sha256:' + Array.from(h, (x) => x.toString(16).padStart(2, '0')).join('');
}

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

describe('sha256 in Chromium', () => {
  it('has no Node built-ins and picks the SIMD core', async () => {
    expect((globalThis as { process?: unknown }).process).toBeUndefined();
    expect(simdSupported()).toBe(true);
    expect((await loadCore()).simd).toBe(true);
    expect((await loadCore({ simd: false })).simd).toBe(false);
  });

  for (const simd of [true, false]) {
    describe(simd ? 'simd build' : 'scalar build', () => {
      it('matches the FIPS 180-4 vectors', async () => {
        expect(await sha256(new Uint8Array(0), { simd })).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
        expect(await sha256(enc.encode('abc'), { simd })).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
        expect(await sha256(enc.encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), { simd })).toBe(
          'sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
        );
        expect(await sha256(new Uint8Array(1_000_000).fill(0x61), { simd })).toBe('sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
      });

      it('agrees with WebCrypto at block boundaries and for many buffers at once', async () => {
        const sizes = [1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, 4096, 65_537, 300_001];
        const inputs = sizes.map((n, i) => bytes(n, i + 1));
        for (const b of inputs) expect(await sha256(b, { simd })).toBe(await webcrypto(b));
        const many = await sha256Many(inputs, { simd });
        expect(many).toEqual(await Promise.all(inputs.map(webcrypto)));
      });

      it('hashes a stream in odd-sized chunks like one buffer', async () => {
        const b = bytes(200_003, 7);
        let at = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(c) {
            if (at >= b.length) return c.close();
            const n = 1 + ((at * 7) % 9000);
            c.enqueue(b.subarray(at, at + n));
            at += n;
          },
        });
        expect(await sha256(stream, { simd })).toBe(await webcrypto(b));
        const h = await createHasher('sha256', { simd });
        h.update(b.subarray(0, 5));
        h.update(b.subarray(5));
        expect(h.digest()).toBe(await webcrypto(b));
      });
    });
  }

  it('sha512 works without node:crypto', async () => {
    const h = await createHasher('sha512');
    h.update(enc.encode('abc'));
    const ref = new Uint8Array(await crypto.subtle.digest('SHA-512', enc.encode('abc')));
    expect(h.digest()).toBe('sha512:' + Array.from(ref, (x) => x.toString(16).padStart(2, '0')).join(''));
  });
});
