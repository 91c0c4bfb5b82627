import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../src/store/open-memory.js';
import type { Store } from '../../src/store/store.js';
import { RegistryClient } from '../../src/transport/registry/client.js';
import { pullImage } from '../../src/transport/registry/pull.js';
import { pushImage } from '../../src/transport/registry/push.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { buildImage, makeLayer, randomLayer, storeImage, type BuiltImage } from './fixtures.js';

const fast = { baseDelayMs: 2, maxDelayMs: 20, retries: 4 };
const isBlobGet = (m: string, p: string) => m === 'GET' && p.includes('/blobs/sha256:');

/** Every blob of `img` absent from the store, and no image: nothing unverified or half-written is visible. */
async function expectNothingOf(store: Store, img: BuiltImage): Promise<void> {
  for (const l of img.layers) expect(await store.hasBlob(l.digest)).toBe(false);
  expect(await store.images()).toEqual([]);
}

describe('pull and push through a fault proxy', () => {
  let reg: TestRegistry;
  let proxy: FaultProxy;
  let img: BuiltImage;
  let big: BuiltImage;

  beforeAll(async () => {
    reg = await startRegistry();
    proxy = await startFaultProxy({ host: '127.0.0.1', port: reg.port });
    img = buildImage([randomLayer('f0'), randomLayer('f1')]);
    // ~1.5 MB of incompressible bytes: large enough to be cut mid-body.
    big = buildImage([makeLayer({ 'big.bin': randomBytes(1_500_000) })]);
    const store = openMemoryStore();
    await storeImage(store, img, 'faults/img:1');
    await storeImage(store, big, 'faults/big:1');
    await pushImage(store, 'faults/img:1', `docker://${reg.host}/faults/img:1`, fast);
    await pushImage(store, 'faults/big:1', `docker://${reg.host}/faults/big:1`, fast);
  });
  afterEach(() => {
    proxy.plan = () => undefined;
    proxy.seen.length = 0;
  });
  afterAll(async () => {
    await proxy?.close();
    await reg?.stop();
  });

  it('retries 500s and 429s (honouring Retry-After) and completes the pull', async () => {
    proxy.plan = ({ method, path, count }) => {
      if (method === 'GET' && path.includes('/manifests/') && count < 2) return { kind: 'status', status: 500 };
      if (isBlobGet(method, path) && count === 0) return { kind: 'status', status: 429, headers: { 'retry-after': '0' } };
      return undefined;
    };
    const store = openMemoryStore();
    const r = await pullImage(store, `docker://${proxy.host}/faults/img:1`, fast);
    expect(r.digest).toBe(img.digest);
    expect(proxy.seen.filter((s) => s.fault === 'status').length).toBe(2 + 3); // 2 manifest 500s, 429 once per blob (config + 2 layers)
    for (const l of img.layers) expect(await store.hasBlob(l.digest)).toBe(true);
  });

  it('retries after connection resets', async () => {
    proxy.plan = ({ method, path, count }) => (isBlobGet(method, path) && count === 0 ? { kind: 'reset' } : undefined);
    const store = openMemoryStore();
    const r = await pullImage(store, `docker://${proxy.host}/faults/img:1`, fast);
    expect(r.digest).toBe(img.digest);
    expect(proxy.seen.filter((s) => s.fault === 'reset').length).toBe(3);
  });

  it('resumes a truncated blob download with a Range request', async () => {
    const layer = big.layers[0]!;
    proxy.plan = ({ method, path, count }) => (method === 'GET' && path.endsWith(layer.digest) && count < 2 ? { kind: 'truncate', bytes: 300_000 } : undefined);
    const store = openMemoryStore();
    const r = await pullImage(store, `docker://${proxy.host}/faults/big:1`, fast);
    expect(r.digest).toBe(big.digest);
    const gets = proxy.seen.filter((s) => s.method === 'GET' && s.url.endsWith(layer.digest));
    expect(gets.length).toBe(3);
    expect(gets[0]!.headers.range).toBeUndefined();
    expect(gets[1]!.headers.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(gets[2]!.headers.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(Buffer.from(await store.getBlobBytes(layer.digest)).equals(layer.blob)).toBe(true);
  });

  it('resumes from a server that ignores Range by skipping the bytes it already has', async () => {
    const layer = big.layers[0]!;
    proxy.plan = ({ method, path, count }) => {
      if (method !== 'GET' || !path.endsWith(layer.digest)) return undefined;
      return count === 0 ? { kind: 'truncate', bytes: 500_000 } : { kind: 'no-range' };
    };
    const store = openMemoryStore();
    const r = await pullImage(store, `docker://${proxy.host}/faults/big:1`, fast);
    expect(r.digest).toBe(big.digest);
    const gets = proxy.seen.filter((s) => s.method === 'GET' && s.url.endsWith(layer.digest));
    expect(gets.map((g) => g.fault)).toEqual(['truncate', 'no-range']);
    expect(gets[1]!.headers.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(Buffer.from(await store.getBlobBytes(layer.digest)).equals(layer.blob)).toBe(true);
  });

  it('a corrupted blob fails with DIGEST_MISMATCH and nothing of the image is in the store', async () => {
    const layer = img.layers[1]!;
    proxy.plan = ({ method, path }) => (method === 'GET' && path.endsWith(layer.digest) ? { kind: 'corrupt' } : undefined);
    const store = openMemoryStore();
    await expect(pullImage(store, `docker://${proxy.host}/faults/img:1`, fast)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    await expectNothingOf(store, img);
  });

  it('gives up after a bounded number of attempts with a typed error, leaving the store clean', async () => {
    const layer = img.layers[0]!;
    proxy.plan = ({ method, path }) => (method === 'GET' && path.endsWith(layer.digest) ? { kind: 'status', status: 503 } : undefined);
    const store = openMemoryStore();
    const e = await pullImage(store, `docker://${proxy.host}/faults/img:1`, fast).catch((x) => x);
    expect(e.code).toBe('REGISTRY_ERROR');
    expect(e.data.status).toBe(503);
    expect(proxy.seen.filter((s) => s.url.endsWith(layer.digest)).length).toBe(fast.retries + 1);
    await expectNothingOf(store, img);
  });

  it('reports 403 as DENIED and 401 without a challenge as UNAUTHORIZED, naming the repository', async () => {
    proxy.plan = ({ path }) => (path.includes('/manifests/') ? { kind: 'status', status: 403 } : undefined);
    const e = await pullImage(openMemoryStore(), `docker://${proxy.host}/faults/img:1`, fast).catch((x) => x);
    expect(e.code).toBe('DENIED');
    expect(e.message).toContain('faults/img');
    proxy.plan = ({ path }) => (path.includes('/manifests/') ? { kind: 'status', status: 401 } : undefined);
    const u = await pullImage(openMemoryStore(), `docker://${proxy.host}/faults/img:1`, fast).catch((x) => x);
    expect(u.code).toBe('UNAUTHORIZED');
    expect(u.message).toContain('faults/img');
  });

  it('keeps at most `concurrency` blobs in flight (default 4)', async () => {
    const many = buildImage(Array.from({ length: 7 }, (_, i) => randomLayer(`c${i}`, 1, 100)));
    const store = openMemoryStore();
    await storeImage(store, many, 'faults/many:1');
    await pushImage(store, 'faults/many:1', `docker://${reg.host}/faults/many:1`, fast);
    proxy.plan = ({ method, path }) => (isBlobGet(method, path) ? { kind: 'delay', ms: 150 } : undefined);
    await pullImage(openMemoryStore(), `docker://${proxy.host}/faults/many:1`, fast);
    // The config is fetched alone first, then the 7 layers under the limit.
    expect(proxy.maxInFlight).toBe(4);
    proxy.plan = ({ method, path }) => (isBlobGet(method, path) ? { kind: 'delay', ms: 150 } : undefined);
    await pullImage(openMemoryStore(), `docker://${proxy.host}/faults/many:1`, { ...fast, concurrency: 2 });
    expect(proxy.maxInFlight).toBe(2);
  });

  it('cancels a stalled pull through its AbortSignal with ABORTED', async () => {
    proxy.plan = ({ method, path }) => (isBlobGet(method, path) ? { kind: 'stall' } : undefined);
    const store = openMemoryStore();
    const ac = new AbortController();
    const p = pullImage(store, `docker://${proxy.host}/faults/img:1`, { ...fast, signal: ac.signal });
    // Abort once the proxy holds a blob request.
    while (!proxy.seen.some((s) => s.fault === 'stall')) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
    await expectNothingOf(store, img);
  });

  it('cancels a stalled push through its AbortSignal with ABORTED, before any manifest', async () => {
    const fresh = buildImage([randomLayer('abort-push')]);
    const store = openMemoryStore();
    await storeImage(store, fresh, 'faults/abort:1');
    proxy.plan = ({ method, path }) => (method === 'PUT' && path.includes('/blobs/uploads/') ? { kind: 'stall' } : undefined);
    const ac = new AbortController();
    const p = pushImage(store, 'faults/abort:1', `docker://${proxy.host}/faults/abort:1`, { ...fast, signal: ac.signal });
    while (!proxy.seen.some((s) => s.fault === 'stall')) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
    expect(proxy.seen.some((s) => s.url.includes('/manifests/'))).toBe(false);
  });

  it('pushes through 500s, 429s, resets and failed chunks, and the registry ends up with the image', async () => {
    const fresh = buildImage([randomLayer('p0'), makeLayer({ 'chunky.bin': randomBytes(400_000) })]);
    const store = openMemoryStore();
    await storeImage(store, fresh, 'faults/push:1');
    let patches = 0;
    proxy.plan = ({ method, path, count }) => {
      if (method === 'HEAD' && count === 0) return { kind: 'status', status: 500 };
      if (method === 'POST' && count === 0) return { kind: 'status', status: 429, headers: { 'retry-after': '0' } };
      // The second chunk of the first large upload: the client starts that blob over.
      if (method === 'PATCH' && ++patches === 2) return { kind: 'reset' };
      if (method === 'PUT' && path.includes('/manifests/') && count === 0) return { kind: 'status', status: 502 };
      return undefined;
    };
    const r = await pushImage(store, 'faults/push:1', `docker://${proxy.host}/faults/push:1`, {
      ...fast,
      monolithicMax: 100_000,
      chunkSize: 100_000,
    });
    expect(r.digest).toBe(fresh.digest);
    expect(proxy.seen.some((s) => s.method === 'PATCH' && s.fault === 'reset')).toBe(true);
    // Read back directly from the registry, not through the proxy.
    const c = new RegistryClient(reg.host);
    expect((await c.headManifest('faults/push', '1'))?.digest).toBe(fresh.digest);
    for (const l of fresh.layers) expect(await c.hasBlob('faults/push', l.digest)).toBe(l.blob.byteLength);
  });

  it('a push that keeps failing ends with a typed error and no manifest at the registry', async () => {
    const fresh = buildImage([randomLayer('q0')]);
    const store = openMemoryStore();
    await storeImage(store, fresh, 'faults/fail:1');
    proxy.plan = ({ method, path }) => (method === 'PUT' && path.includes('/blobs/uploads/') ? { kind: 'status', status: 500 } : undefined);
    const e = await pushImage(store, 'faults/fail:1', `docker://${proxy.host}/faults/fail:1`, fast).catch((x) => x);
    expect(e.code).toBe('REGISTRY_ERROR');
    expect(proxy.seen.some((s) => s.url.includes('/manifests/'))).toBe(false);
    expect(await new RegistryClient(reg.host).headManifest('faults/fail', '1')).toBeUndefined();
  });
});
