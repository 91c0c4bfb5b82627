/**
 * Store.blobWriter: the push-style blob write the registry pull uses. On
 * the disk backend (its own pipelined writer, hashing on a worker thread)
 * and the memory backend (putBlob fed from a stream, hashing here), the
 * bytes committed are the bytes written, and a wrong digest or size fails
 * with DIGEST_MISMATCH leaving no blob and no temporary file.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-disk.js';
import { openMemoryStore } from '../../src/store/open-memory.js';
import type { Store } from '../../src/store/store.js';
import type { BlobWriter } from '../../src/store/types.js';
import { prng } from '../helpers/prng.js';

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let work: string;
beforeAll(async () => {
  work = await fs.mkdtemp(path.join(tmpdir(), 'layerfs-blob-writer-'));
});
afterAll(async () => {
  await fs.rm(work, { recursive: true, force: true });
});

let n = 0;
const backends: Array<[string, () => Promise<{ store: Store; temps: () => Promise<string[]> }>]> = [
  [
    'disk',
    async () => {
      const dir = path.join(work, `s${n++}`);
      const store = await openStore(dir);
      return { store, temps: () => fs.readdir(path.join(dir, 'tmp')) };
    },
  ],
  ['memory', async () => ({ store: openMemoryStore(), temps: async () => [] })],
];

/** Writes `bytes` in random-sized chunks (1 B to 200 KiB), waiting whenever the writer asks. */
async function writeSplit(w: BlobWriter, bytes: Uint8Array, seed: number): Promise<number> {
  const rand = prng(seed);
  let waits = 0;
  for (let o = 0; o < bytes.byteLength; ) {
    const len = Math.min(bytes.byteLength - o, 1 + Math.floor(rand() * 200 * 1024));
    const p = w.write(bytes.subarray(o, o + len));
    if (p) {
      waits++;
      await p;
    }
    o += len;
  }
  return waits;
}

describe.each(backends)('Store.blobWriter on the %s backend', (_, open) => {
  it('commits exactly the bytes written, for random splits and sizes around the batch sizes', async () => {
    const { store, temps } = await open();
    for (const [i, size] of [0, 1, 256 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 1, 3_333_333].entries()) {
      const bytes = randomBytes(size);
      const w = await store.blobWriter({ digest: sha(bytes), size });
      expect(w).toBeDefined();
      await writeSplit(w!, bytes, i + 1);
      const p = await w!.close();
      expect(p.size).toBe(size);
      expect(await store.hasBlob(sha(bytes))).toBe(false); // not before commit
      await p.commit();
      expect(Buffer.from(await store.getBlobBytes(sha(bytes))).equals(bytes)).toBe(true);
    }
    expect(await temps()).toEqual([]);
  });

  it('a blob already present: no writer', async () => {
    const { store } = await open();
    const bytes = randomBytes(1000);
    await store.putBlob(bytes);
    expect(await store.blobWriter({ digest: sha(bytes), size: 1000 })).toBeUndefined();
  });

  it('a producer faster than the disk is asked to wait, and the bytes still come out right (40 MiB)', async () => {
    const { store } = await open();
    const bytes = randomBytes(40 * 1024 * 1024);
    const w = (await store.blobWriter({ digest: sha(bytes), size: bytes.byteLength }))!;
    const waits = await writeSplit(w, bytes, 99);
    expect(waits).toBeGreaterThan(0);
    await (await w.close()).commit();
    expect(Buffer.from(await store.getBlobBytes(sha(bytes))).equals(bytes)).toBe(true);
  });

  it('other bytes than the digest says: DIGEST_MISMATCH at close, nothing left', async () => {
    const { store, temps } = await open();
    const bytes = randomBytes(2_000_000);
    const digest = sha(bytes);
    bytes[1_234_567]! ^= 1;
    const w = (await store.blobWriter({ digest, size: bytes.byteLength }))!;
    await writeSplit(w, bytes, 3);
    await expect(w.close()).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    await w.abort();
    expect(await store.hasBlob(digest)).toBe(false);
    expect(await temps()).toEqual([]);
  });

  it('more bytes than the size fail at once; fewer fail at close; nothing left either way', async () => {
    const { store, temps } = await open();
    const bytes = randomBytes(500_000);
    const over = (await store.blobWriter({ digest: sha(bytes), size: 400_000 }))!;
    await over.write(bytes.subarray(0, 300_000));
    expect(() => over.write(bytes.subarray(300_000))).toThrow(expect.objectContaining({ code: 'DIGEST_MISMATCH' }));
    await over.abort();
    const under = (await store.blobWriter({ digest: sha(bytes), size: bytes.byteLength }))!;
    await under.write(bytes.subarray(0, 499_999));
    await expect(under.close()).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    await under.abort();
    expect(await store.hasBlob(sha(bytes))).toBe(false);
    expect(await temps()).toEqual([]);
  });

  it('abort midway removes what was written', async () => {
    const { store, temps } = await open();
    const bytes = randomBytes(3_000_000);
    const w = (await store.blobWriter({ digest: sha(bytes), size: bytes.byteLength }))!;
    await writeSplit(w, bytes.subarray(0, 2_000_000), 5);
    await w.abort();
    await w.abort(); // idempotent
    expect(await store.hasBlob(sha(bytes))).toBe(false);
    expect(await temps()).toEqual([]);
  });

  it('48 concurrent writers (more than the disk hasher keeps in flight) all finish with their own bytes', async () => {
    const { store } = await open();
    const blobs = Array.from({ length: 48 }, (_, i) => randomBytes(1_200_000 + i));
    await Promise.all(
      blobs.map(async (b, i) => {
        const w = (await store.blobWriter({ digest: sha(b), size: b.byteLength }))!;
        await writeSplit(w, b, 100 + i);
        await (await w.close()).commit();
      }),
    );
    for (const b of blobs) expect(Buffer.from(await store.getBlobBytes(sha(b))).equals(b)).toBe(true);
  });

  it('concurrent writers (as a pull runs 4) each get their own bytes', async () => {
    const { store } = await open();
    const blobs = Array.from({ length: 4 }, (_, i) => randomBytes(1_500_000 + i));
    await Promise.all(
      blobs.map(async (b, i) => {
        const w = (await store.blobWriter({ digest: sha(b), size: b.byteLength }))!;
        await writeSplit(w, b, 10 + i);
        await (await w.close()).commit();
      }),
    );
    for (const b of blobs) expect(Buffer.from(await store.getBlobBytes(sha(b))).equals(b)).toBe(true);
  });
});
