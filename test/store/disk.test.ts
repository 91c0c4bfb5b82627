import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskBackend } from '../../src/store/disk.js';
import { defaultStoreDir, openStore } from '../../src/store/open-disk.js';

const enc = new TextEncoder();
const sha = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const dirs: string[] = [];
async function fresh() {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'layerfs-disk-'));
  dirs.push(d);
  return openStore(d);
}
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

/** A stream that yields `bytes` in small slices with pauses, so writers interleave. */
function slowStream(bytes: Uint8Array, slice = 1000): ReadableStream<Uint8Array> {
  let o = 0;
  return new ReadableStream({
    async pull(c) {
      await new Promise((r) => setImmediate(r));
      if (o >= bytes.length) return c.close();
      c.enqueue(bytes.slice(o, (o += slice)));
    },
  });
}

describe('disk backend', () => {
  it('the default directory is LAYERFS_HOME, else ~/.local/share/layerfs', () => {
    expect(defaultStoreDir({ LAYERFS_HOME: '/x/y' })).toBe('/x/y');
    expect(defaultStoreDir({ LAYERFS_HOME: 'rel' })).toBe(path.resolve('rel'));
    expect(defaultStoreDir({})).toBe(path.join(os.homedir(), '.local/share/layerfs'));
    expect(defaultStoreDir({ LAYERFS_HOME: '' })).toBe(path.join(os.homedir(), '.local/share/layerfs'));
  });

  it('a store dir that is not a non-empty string is INVALID_ARGUMENT, and no directory is made for it', async () => {
    const cwd = process.cwd();
    const work = await fs.mkdtemp(path.join(os.tmpdir(), 'layerfs-disk-cwd-'));
    dirs.push(work);
    process.chdir(work);
    try {
      for (const bad of ['', 0, false, {}]) await expect(openStore(bad as unknown as string)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(() => new DiskBackend(undefined as unknown as string)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      expect(await fs.readdir(work)).toEqual([]);
    } finally {
      process.chdir(cwd);
    }
  });

  it('openStore(undefined) and openStore(null) open the default directory ($LAYERFS_HOME)', async () => {
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'layerfs-disk-home-'));
    dirs.push(home);
    for (const dir of [undefined, null]) expect((await openStore(dir, { LAYERFS_HOME: home })).location).toBe(home);
    expect((await fs.readdir(home)).sort()).toEqual(['areas', 'blobs', 'records', 'tmp']);
  });

  it('concurrent writers of one blob are safe: one copy, correct bytes, no temp left', async () => {
    const store = await fresh();
    const data = new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff);
    const d = sha(data);
    const results = await Promise.all(Array.from({ length: 8 }, () => store.putBlob(slowStream(data), { digest: d, size: data.length })));
    expect(new Set(results)).toEqual(new Set([d]));
    expect(await fs.readdir(path.join(store.location, 'tmp'))).toEqual([]);
    expect(await fs.readdir(path.join(store.location, 'blobs/sha256'))).toEqual([d.slice(7)]);
    expect(sha(await store.getBlobBytes(d))).toBe(d);
  });

  it('a writer that fails (wrong digest, wrong size) leaves nothing behind', async () => {
    const store = await fresh();
    const data = enc.encode('x'.repeat(5000));
    await expect(store.putBlob(slowStream(data), { digest: sha('other') })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    await expect(store.putBlob(slowStream(data), { digest: sha(data), size: 10 })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(await fs.readdir(path.join(store.location, 'tmp'))).toEqual([]);
    expect(await store.backend.listBlobs()).toEqual([]);
  });

  it('a blob written in batches (odd chunk sizes, chunks larger than a batch) is stored byte for byte', async () => {
    const store = await fresh();
    const data = new Uint8Array(3 * 1024 * 1024 + 12_345).map((_, i) => (i * 31 + (i >> 13)) & 0xff);
    const d = sha(data);
    // 1, 65_537, 2.5 MiB, then the rest: batch boundaries fall inside chunks.
    const cuts = [0, 1, 65_538, 65_538 + 2_621_440, data.length];
    const chunks = cuts.slice(1).map((end, i) => data.slice(cuts[i], end));
    let i = 0;
    const src = new ReadableStream<Uint8Array>({ pull: (c) => (i < chunks.length ? c.enqueue(chunks[i++]!) : c.close()) });
    expect(await store.putBlob(src, { digest: d, size: data.length })).toBe(d);
    const onDisk = await fs.readFile(path.join(store.location, 'blobs/sha256', d.slice(7)));
    expect(onDisk.length).toBe(data.length);
    expect(Buffer.compare(onDisk, Buffer.from(data))).toBe(0);
    expect(await fs.readdir(path.join(store.location, 'tmp'))).toEqual([]);
  });

  it('a source that fails after several batches were written leaves no temp file', async () => {
    const store = await fresh();
    let sent = 0;
    const src = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent >= 3 * 1024 * 1024) return c.error(new Error('source broke'));
        sent += 256 * 1024;
        c.enqueue(new Uint8Array(256 * 1024).fill(sent & 0xff));
      },
    });
    await expect(store.putBlob(src, { digest: sha('whatever'), size: 4 * 1024 * 1024 })).rejects.toThrow('source broke');
    expect(await fs.readdir(path.join(store.location, 'tmp'))).toEqual([]);
    expect(await store.backend.listBlobs()).toEqual([]);
  });

  it('record keys and area ids cannot escape their directory', async () => {
    const store = await fresh();
    const r = store.records<number>('../../kind');
    await r.put('../../../etc/passwd', 1);
    await r.put('a/b:c d', 2);
    expect(await r.list()).toEqual(['../../../etc/passwd', 'a/b:c d'].sort());
    expect(await r.get('../../../etc/passwd')).toBe(1);
    const outside = await fs.readdir(path.dirname(store.location));
    expect(outside.every((n) => !n.startsWith('etc') && !n.startsWith('kind'))).toBe(true);
    const area = await store.areas('c').open('../x');
    await area.writeFile('f', enc.encode('hi'));
    expect(await store.areas('c').list()).toEqual(['../x']);
    const files = await fs.readdir(path.join(store.location, 'areas', 'c'));
    expect(files).toEqual(['%2E%2E%2Fx']);
    expect(await store.areas('c').delete('../x')).toBe(true);
  });

  it("a record's attachment is written whole, replaced, listed with nothing, and removed with its record", async () => {
    const store = await fresh();
    const b = store.backend as DiskBackend;
    const big = new Uint8Array(3 << 20).map((_, i) => (i * 7) & 0xff);
    // (Node hands out a Buffer, a Uint8Array subclass: compared as plain bytes.)
    const got = async () => {
      const x = await b.getRecordBytes('k', '../a');
      return x && new Uint8Array(x);
    };
    expect(await got()).toBeUndefined();
    await b.putRecordBytes('k', '../a', big);
    expect(await got()).toEqual(big);
    // An attachment alone is no record.
    expect(await b.listRecords('k')).toEqual([]);
    expect(await b.listKinds()).not.toContain('k');
    await b.putRecord('k', '../a', { value: 1 });
    await b.putRecordBytes('k', '../a', big.subarray(5, 9));
    expect(await got()).toEqual(big.subarray(5, 9));
    expect(await b.listRecords('k')).toEqual(['../a']);
    expect((await fs.readdir(path.join(store.location, 'records', 'k'))).sort()).toEqual(['%2E%2E%2Fa.bin', '%2E%2E%2Fa.json']);
    expect(await fs.readdir(path.join(store.location, 'tmp'))).toEqual([]);
    expect(await b.deleteRecord('k', '../a')).toBe(true);
    expect(await got()).toBeUndefined();
    expect(await fs.readdir(path.join(store.location, 'records', 'k'))).toEqual([]);
  });

  it('gc sweeps stale temporary files and keeps fresh ones (a writer may be busy with them)', async () => {
    const store = await fresh();
    const tmp = path.join(store.location, 'tmp');
    await fs.writeFile(path.join(tmp, 'stale'), 'abc');
    const old = new Date(Date.now() - 2 * 3600_000);
    await fs.utimes(path.join(tmp, 'stale'), old, old);
    await fs.writeFile(path.join(tmp, 'fresh'), 'abcd');
    const r = await store.gc();
    expect(r.removedTemp).toBe(1);
    expect(await fs.readdir(tmp)).toEqual(['fresh']);
  });

  it('a corrupt reference record is a CORRUPT_STORE error, not a crash', async () => {
    const store = await fresh();
    await fs.mkdir(path.join(store.location, 'records/refs'), { recursive: true });
    await fs.writeFile(path.join(store.location, 'records/refs/x%3Alatest.json'), '{nope');
    await expect(store.images()).rejects.toMatchObject({ code: 'CORRUPT_STORE' });
  });
});
