/**
 * verify(), verifyTransform(), digestTransform() and digestStream():
 * matches pass, mismatches of digest or size give DigestMismatchError naming
 * both values, an oversized stream is refused before it is read to the end,
 * and malformed digests give InvalidDigestError.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestStream, digestTransform, verify, verifyTransform } from '../../src/digest/index.js';
import { DigestMismatchError, InvalidDigestError } from '../../src/errors/index.js';

const ref = (alg: string, b: Uint8Array) => `${alg}:${createHash(alg).update(b).digest('hex')}`;

/** A stream of `data` in `chunk`-byte pieces that counts how many bytes were pulled. */
function counted(data: Uint8Array, chunk: number): { stream: ReadableStream<Uint8Array>; pulled: () => number; cancelled: () => boolean } {
  let at = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(c) {
        if (at >= data.length) return c.close();
        c.enqueue(data.slice(at, at + chunk));
        at += chunk;
      },
      cancel() {
        cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => Math.min(at, data.length), cancelled: () => cancelled };
}

async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

const x = randomBytes(100_000);
const good = ref('sha256', x);
const other = ref('sha256', x.subarray(1));

describe('verify', () => {
  it('passes matching bytes and streams, sha256 and sha512, with and without size', async () => {
    await verify(x, good);
    await verify(x, good, { size: x.length });
    await verify(counted(x, 7000).stream, good, { size: x.length });
    await verify(x, ref('sha512', x), { backend: 'wasm' });
    await verify(counted(x, 999).stream, ref('sha512', x));
    await verify(x, good, { backend: 'wasm', simd: false });
  });

  it('a digest mismatch names both digests', async () => {
    for (const data of [x, counted(x, 4096).stream]) {
      const e = await rejection(verify(data, other));
      expect(e).toBeInstanceOf(DigestMismatchError);
      expect(e.code).toBe('DIGEST_MISMATCH');
      expect(e.message).toContain(other);
      expect(e.message).toContain(good);
      expect(e.data).toMatchObject({ expected: other, actual: good });
    }
  });

  it('checks the size of bytes before hashing them', async () => {
    const e = await rejection(verify(x, good, { size: x.length - 1 }));
    expect(e).toBeInstanceOf(DigestMismatchError);
    expect(e.message).toContain(`expected ${x.length - 1} bytes, got ${x.length}`);
  });

  it('refuses an oversized stream as soon as it passes the size, and cancels it', async () => {
    const big = randomBytes(1 << 20);
    const s = counted(big, 1000);
    const e = await rejection(verify(s.stream, ref('sha256', big), { size: 5000 }));
    expect(e).toBeInstanceOf(DigestMismatchError);
    expect(e.data.expectedSize).toBe(5000);
    expect(s.pulled()).toBeLessThan(20_000);
    expect(s.cancelled()).toBe(true);
  });

  it('refuses a short stream', async () => {
    const e = await rejection(verify(counted(x, 3000).stream, good, { size: x.length + 1 }));
    expect(e).toBeInstanceOf(DigestMismatchError);
    expect(e.data).toMatchObject({ expectedSize: x.length + 1, actualSize: x.length });
  });

  it('malformed expected digests and sizes give typed errors', async () => {
    expect(await rejection(verify(x, good.toUpperCase()))).toBeInstanceOf(InvalidDigestError);
    expect(await rejection(verify(x, 'md5:d41d8cd98f00b204e9800998ecf8427e'))).toBeInstanceOf(InvalidDigestError);
    expect(await rejection(verify(x, good, { size: -1 }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await rejection(verify(x, good, { size: 1.5 }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('digestTransform / digestStream', () => {
  it('passes bytes through unchanged and resolves digest and size at the end', async () => {
    for (const alg of ['sha256', 'sha512'] as const) {
      const t = digestTransform(alg);
      const out = new Response(counted(x, 3333).stream.pipeThrough(t));
      const bytes = new Uint8Array(await out.arrayBuffer());
      expect(Buffer.compare(bytes, x)).toBe(0);
      expect(await t.digest).toBe(ref(alg, x));
      expect(await t.size).toBe(x.length);
    }
  });

  it('a chunk that is not bytes errors the stream and rejects digest and size', async () => {
    const t = digestTransform('sha256');
    const src = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array(2));
        c.enqueue('text' as never);
        c.close();
      },
    });
    const e = await rejection(src.pipeThrough(t).pipeTo(new WritableStream()));
    expect(e).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await rejection(t.digest)).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await rejection(t.size)).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('digestStream gives digest and size', async () => {
    expect(await digestStream('sha256', counted(x, 10_000).stream)).toEqual({ digest: good, size: x.length });
    expect(await digestStream('sha512', counted(new Uint8Array(0), 1).stream, { backend: 'wasm' })).toEqual({
      digest: ref('sha512', new Uint8Array(0)),
      size: 0,
    });
  });
});

describe('verifyTransform', () => {
  const drain = async (s: ReadableStream<Uint8Array>) => new Uint8Array(await new Response(s).arrayBuffer());

  it('passes matching content through', async () => {
    const out = await drain(counted(x, 5000).stream.pipeThrough(verifyTransform(good, { size: x.length })));
    expect(Buffer.compare(out, x)).toBe(0);
  });

  it('errors the stream on a digest mismatch', async () => {
    const e = await rejection(drain(counted(x, 5000).stream.pipeThrough(verifyTransform(other))));
    expect(e).toBeInstanceOf(DigestMismatchError);
    expect(e.message).toContain(good);
  });

  it('errors the stream as soon as it exceeds the size, and on a short one', async () => {
    const s = counted(randomBytes(1 << 20), 1000);
    const e = await rejection(drain(s.stream.pipeThrough(verifyTransform(good, { size: 4000 }))));
    expect(e).toBeInstanceOf(DigestMismatchError);
    expect(s.pulled()).toBeLessThan(20_000);
    const e2 = await rejection(drain(counted(x, 5000).stream.pipeThrough(verifyTransform(good, { size: x.length + 10 }))));
    expect(e2).toMatchObject({ code: 'DIGEST_MISMATCH', data: { expectedSize: x.length + 10, actualSize: x.length } });
  });

  it('refuses a malformed digest up front', () => {
    expect(() => verifyTransform('sha256:abc')).toThrow(InvalidDigestError);
  });
});
