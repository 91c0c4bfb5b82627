/**
 * Registry faults in the bodies (issue 9), through the fault proxy in front
 * of a real docker-registry: slow bodies (trickling, stalling before the
 * headers or in the middle), a Content-Length shorter or longer than the
 * body, and bodies replaced by other bytes of the same length, on pull and
 * on push. Each either completes with the right bytes or fails with a
 * typed error; attempts are counted at the proxy and bounded by the retry
 * policy; a failed pull leaves nothing of the image in the store, a failed
 * push no manifest at the registry. Timeouts here are the client's own
 * (`timeoutMs`) or an AbortSignal; nothing asserts how long anything took.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LayerfsError } from '../../src/errors/LayerfsError.js';
import { openMemoryStore } from '../../src/store/open-memory.js';
import type { Store } from '../../src/store/store.js';
import { RegistryClient } from '../../src/transport/registry/client.js';
import { pullImage } from '../../src/transport/registry/pull.js';
import { pushImage } from '../../src/transport/registry/push.js';
import type { FaultProxy } from '../helpers/fault-proxy.js';
import type { TestRegistry } from '../helpers/registry.js';
import { startBodyFaultRegistry } from './body-faults-setup.js';
import { buildImage, makeLayer, randomLayer, sha, storeImage, type BuiltImage } from './fixtures.js';

const fast = { baseDelayMs: 2, maxDelayMs: 20, retries: 3 };
/**
 * A client timeout short enough for a test, long enough for a loaded
 * loopback. A busy machine may still make an attempt that is not faulted
 * time out too, so counts of such attempts are bounded, not exact.
 */
const timeoutMs = 1000;

let reg: TestRegistry;
let proxy: FaultProxy;
let small: BuiltImage;
let big: BuiltImage;

async function expectNothingOf(store: Store, img: BuiltImage): Promise<void> {
  for (const l of img.layers) expect(await store.hasBlob(l.digest)).toBe(false);
  expect(await store.hasBlob(img.digest)).toBe(false);
  expect(await store.images()).toEqual([]);
}

async function expectWhole(store: Store, img: BuiltImage): Promise<void> {
  for (const l of img.layers) expect(Buffer.from(await store.getBlobBytes(l.digest)).equals(l.blob)).toBe(true);
  expect((await store.images()).map((i) => i.digest)).toEqual([img.digest]);
}

const blobGets = (digest: string) => proxy.seen.filter((s) => s.method === 'GET' && s.url.split('?')[0]!.endsWith(digest));
const typed = (e: unknown) => {
  expect(e).toBeInstanceOf(LayerfsError);
  return e as LayerfsError;
};

beforeAll(async () => {
  ({ reg, proxy, small, big } = await startBodyFaultRegistry('bodies', 's', fast));
}, 60_000);
afterEach(() => {
  proxy.plan = () => undefined;
  proxy.seen.length = 0;
});
afterAll(async () => {
  await proxy?.close();
  await reg?.stop();
});

describe('slow bodies', () => {
  it('a trickling but steady body completes (progress resets the idle timeout)', async () => {
    const layer = small.layers[0]!;
    proxy.plan = ({ method, path }) => (method === 'GET' && path.endsWith(layer.digest) ? { kind: 'trickle', bytes: 256, everyMs: 5 } : undefined);
    const store = openMemoryStore();
    const r = await pullImage(store, `docker://${proxy.host}/bodies/small:1`, { ...fast, timeoutMs: 10_000 });
    expect(r.digest).toBe(small.digest);
    expect(blobGets(layer.digest).map((g) => g.fault)).toEqual(['trickle']);
    await expectWhole(store, small);
  });

  it('a body that stalls midway is abandoned after the idle timeout and resumed with a Range request', async () => {
    const layer = big.layers[0]!;
    proxy.plan = ({ method, path, count }) =>
      method === 'GET' && path.endsWith(layer.digest) && count === 0 ? { kind: 'trickle', bytes: 64 * 1024, everyMs: 1, stallAfter: 200_000 } : undefined;
    const store = openMemoryStore();
    const r = await pullImage(store, `docker://${proxy.host}/bodies/big:1`, { ...fast, timeoutMs });
    expect(r.digest).toBe(big.digest);
    const gets = blobGets(layer.digest);
    expect(gets.length).toBeGreaterThanOrEqual(2);
    expect(gets.length).toBeLessThanOrEqual(fast.retries + 1);
    expect(gets[1]!.headers.range).toMatch(/^bytes=[1-9]\d*-$/);
    await expectWhole(store, big);
  });

  it('a response that never starts is retried after the timeout', async () => {
    const layer = small.layers[1]!;
    proxy.plan = ({ method, path, count }) => (method === 'GET' && path.endsWith(layer.digest) && count === 0 ? { kind: 'stall' } : undefined);
    const store = openMemoryStore();
    const r = await pullImage(store, `docker://${proxy.host}/bodies/small:1`, { ...fast, timeoutMs });
    expect(r.digest).toBe(small.digest);
    const faults = blobGets(layer.digest).map((g) => g.fault);
    expect(faults[0]).toBe('stall');
    expect(faults.length).toBeGreaterThanOrEqual(2);
    expect(faults.length).toBeLessThanOrEqual(fast.retries + 1);
    await expectWhole(store, small);
  });

  it('a manifest that never arrives fails after a bounded number of attempts', async () => {
    proxy.plan = ({ path }) => (path.includes('/manifests/') ? { kind: 'stall' } : undefined);
    const e = typed(await pullImage(openMemoryStore(), `docker://${proxy.host}/bodies/small:1`, { ...fast, timeoutMs }).catch((x) => x));
    expect(e.code).toBe('REGISTRY_ERROR');
    expect(proxy.seen.filter((s) => s.url.includes('/manifests/')).length).toBe(fast.retries + 1);
  });

  it('a manifest body that stalls midway is fetched again', async () => {
    proxy.plan = ({ path, count }) => (path.includes('/manifests/') && count === 0 ? { kind: 'trickle', bytes: 100, everyMs: 1, stallAfter: 100 } : undefined);
    const store = openMemoryStore();
    const r = await pullImage(store, `docker://${proxy.host}/bodies/small:1`, { ...fast, timeoutMs });
    expect(r.digest).toBe(small.digest);
    const faults = proxy.seen.filter((s) => s.url.includes('/manifests/')).map((s) => s.fault);
    expect(faults[0]).toBe('trickle');
    expect(faults.length).toBeGreaterThanOrEqual(2);
    expect(faults.length).toBeLessThanOrEqual(fast.retries + 1);
  });

  it('a layer that stalls on every attempt fails with REGISTRY_ERROR after retries + 1 attempts, leaving nothing', async () => {
    const layer = big.layers[0]!;
    proxy.plan = ({ method, path }) => (method === 'GET' && path.endsWith(layer.digest) ? { kind: 'trickle', bytes: 64 * 1024, everyMs: 1, stallAfter: 100_000 } : undefined);
    const store = openMemoryStore();
    const e = typed(await pullImage(store, `docker://${proxy.host}/bodies/big:1`, { ...fast, timeoutMs }).catch((x) => x));
    expect(e.code).toBe('REGISTRY_ERROR');
    // retries + 1 interrupted bodies; a reconnect that itself times out on a busy machine is retried within its own bound.
    expect(blobGets(layer.digest).length).toBeGreaterThanOrEqual(fast.retries + 1);
    expect(blobGets(layer.digest).length).toBeLessThanOrEqual((fast.retries + 1) ** 2);
    await expectNothingOf(store, big);
  });

  it('an AbortSignal bounds a trickle the idle timeout would allow', async () => {
    const layer = big.layers[0]!;
    proxy.plan = ({ method, path }) => (method === 'GET' && path.endsWith(layer.digest) ? { kind: 'trickle', bytes: 16, everyMs: 20 } : undefined);
    const store = openMemoryStore();
    const ac = new AbortController();
    const p = pullImage(store, `docker://${proxy.host}/bodies/big:1`, { ...fast, timeoutMs: 60_000, signal: ac.signal });
    while (!proxy.seen.some((s) => s.fault === 'trickle')) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    expect(typed(await p.catch((x) => x)).code).toBe('ABORTED');
    await expectNothingOf(store, big);
  });
});

describe('wrong Content-Length', () => {
  it('shorter than the body: the short read is resumed from where it stopped', async () => {
    const layer = big.layers[0]!;
    proxy.plan = ({ method, path, count }) => (method === 'GET' && path.endsWith(layer.digest) && count === 0 ? { kind: 'length', delta: -250_000 } : undefined);
    const store = openMemoryStore();
    const r = await pullImage(store, `docker://${proxy.host}/bodies/big:1`, fast);
    expect(r.digest).toBe(big.digest);
    const gets = blobGets(layer.digest);
    expect(gets.length).toBe(2);
    expect(gets[1]!.headers.range).toBe(`bytes=${layer.blob.byteLength - 250_000}-`);
    await expectWhole(store, big);
  });

  it('longer than the body (the connection closes early): the bytes received are verified and kept', async () => {
    const layer = big.layers[0]!;
    proxy.plan = ({ method, path, count }) => (method === 'GET' && path.endsWith(layer.digest) && count === 0 ? { kind: 'length', delta: 1000 } : undefined);
    const store = openMemoryStore();
    const r = await pullImage(store, `docker://${proxy.host}/bodies/big:1`, fast);
    expect(r.digest).toBe(big.digest);
    expect(blobGets(layer.digest).length).toBeLessThanOrEqual(fast.retries + 1);
    await expectWhole(store, big);
  });

  it('on every attempt: a typed error after bounded attempts and nothing stored', async () => {
    const layer = big.layers[0]!;
    proxy.plan = ({ method, path }) => (method === 'GET' && path.endsWith(layer.digest) ? { kind: 'length', delta: -599_000 } : undefined);
    const store = openMemoryStore();
    // Every answer is cut to its first 1,000-odd bytes; each retry asks for the rest from further on, so it may even finish.
    const r = await pullImage(store, `docker://${proxy.host}/bodies/big:1`, fast).catch((x) => x);
    if (r instanceof Error) {
      expect(typed(r).code).toBe('REGISTRY_ERROR');
      await expectNothingOf(store, big);
    } else await expectWhole(store, big);
    expect(blobGets(layer.digest).length).toBeLessThanOrEqual(fast.retries + 1);
  });

  for (const delta of [-40, 40]) {
    it(`on a manifest (${delta > 0 ? 'longer' : 'shorter'}): a typed error or the right manifest, never a crash`, async () => {
      proxy.plan = ({ path }) => (path.includes('/manifests/') ? { kind: 'length', delta } : undefined);
      const store = openMemoryStore();
      const r = await pullImage(store, `docker://${proxy.host}/bodies/small:1`, fast).catch((x) => x);
      if (r instanceof Error) {
        expect(['REGISTRY_ERROR', 'MANIFEST_INVALID', 'DIGEST_MISMATCH']).toContain(typed(r).code);
        await expectNothingOf(store, small);
      } else {
        expect(r.digest).toBe(small.digest);
        await expectWhole(store, small);
      }
      expect(proxy.seen.filter((s) => s.url.includes('/manifests/')).length).toBeLessThanOrEqual(fast.retries + 1);
    });
  }
});

describe('wrong digests: bodies replaced by other bytes of the same length', () => {
  it('a layer: DIGEST_MISMATCH, nothing stored, bounded attempts', async () => {
    const layer = small.layers[1]!;
    proxy.plan = ({ method, path }) => (method === 'GET' && path.endsWith(layer.digest) ? { kind: 'replace' } : undefined);
    const store = openMemoryStore();
    const e = typed(await pullImage(store, `docker://${proxy.host}/bodies/small:1`, fast).catch((x) => x));
    expect(e.code).toBe('DIGEST_MISMATCH');
    expect(blobGets(layer.digest).length).toBeGreaterThanOrEqual(1);
    expect(blobGets(layer.digest).length).toBeLessThanOrEqual(fast.retries + 1);
    await expectNothingOf(store, small);
  });

  it('the config: DIGEST_MISMATCH, nothing stored', async () => {
    const config = sha(small.config);
    proxy.plan = ({ method, path }) => (method === 'GET' && path.endsWith(config) ? { kind: 'replace' } : undefined);
    const store = openMemoryStore();
    const e = typed(await pullImage(store, `docker://${proxy.host}/bodies/small:1`, fast).catch((x) => x));
    expect(e.code).toBe('DIGEST_MISMATCH');
    expect(await store.hasBlob(config)).toBe(false);
    await expectNothingOf(store, small);
  });

  it('the manifest asked by digest: DIGEST_MISMATCH', async () => {
    proxy.plan = ({ path }) => (path.includes('/manifests/') ? { kind: 'replace' } : undefined);
    const store = openMemoryStore();
    const e = typed(await pullImage(store, `docker://${proxy.host}/bodies/small@${small.digest}`, fast).catch((x) => x));
    expect(e.code).toBe('DIGEST_MISMATCH');
    await expectNothingOf(store, small);
  });

  it('a monolithic upload: the registry refuses it, DIGEST_MISMATCH, no manifest pushed', async () => {
    const fresh = buildImage([randomLayer('rep-mono')]);
    const store = openMemoryStore();
    await storeImage(store, fresh, 'bodies/rep:1');
    const layer = fresh.layers[0]!;
    proxy.plan = ({ method, url }) => (method === 'PUT' && url.includes('/blobs/uploads/') && url.includes(encodeURIComponent(layer.digest)) ? { kind: 'replace', request: true } : undefined);
    const e = typed(await pushImage(store, 'bodies/rep:1', `docker://${proxy.host}/bodies/rep:1`, fast).catch((x) => x));
    expect(e.code).toBe('DIGEST_MISMATCH');
    const puts = proxy.seen.filter((s) => s.fault === 'replace');
    expect(puts.length).toBeGreaterThanOrEqual(1);
    expect(puts.length).toBeLessThanOrEqual(fast.retries + 1);
    expect(proxy.seen.some((s) => s.url.includes('/manifests/') && s.method === 'PUT')).toBe(false);
    const c = new RegistryClient(reg.host);
    expect(await c.headManifest('bodies/rep', '1')).toBeUndefined();
    expect(await c.hasBlob('bodies/rep', layer.digest)).toBeUndefined();
  });

  it('a chunk of a chunked upload: DIGEST_MISMATCH at the closing PUT, no manifest pushed', async () => {
    const fresh = buildImage([makeLayer({ 'chunky.bin': randomBytes(300_000) })]);
    const store = openMemoryStore();
    await storeImage(store, fresh, 'bodies/chunk:1');
    const layer = fresh.layers[0]!;
    let patches = 0;
    proxy.plan = ({ method }) => (method === 'PATCH' && ++patches === 2 ? { kind: 'replace', request: true } : undefined);
    const e = typed(
      await pushImage(store, 'bodies/chunk:1', `docker://${proxy.host}/bodies/chunk:1`, { ...fast, monolithicMax: 100_000, chunkSize: 100_000 }).catch((x) => x),
    );
    expect(e.code).toBe('DIGEST_MISMATCH');
    expect(proxy.seen.some((s) => s.fault === 'replace')).toBe(true);
    const c = new RegistryClient(reg.host);
    expect(await c.headManifest('bodies/chunk', '1')).toBeUndefined();
    expect(await c.hasBlob('bodies/chunk', layer.digest)).toBeUndefined();
  });
});

describe('wrong Content-Length on push', () => {
  it('answers to the upload requests claiming bytes they do not send: the push completes', async () => {
    const fresh = buildImage([randomLayer('len-push')]);
    const store = openMemoryStore();
    await storeImage(store, fresh, 'bodies/len:1');
    proxy.plan = ({ method, path }) => (path.includes('/blobs/uploads/') && (method === 'POST' || method === 'PUT') ? { kind: 'length', delta: 64 } : undefined);
    const r = await pushImage(store, 'bodies/len:1', `docker://${proxy.host}/bodies/len:1`, fast).catch((x) => x);
    if (r instanceof Error) expect(typed(r).code).toBe('REGISTRY_ERROR');
    else {
      expect(r.digest).toBe(fresh.digest);
      expect((await new RegistryClient(reg.host).headManifest('bodies/len', '1'))?.digest).toBe(fresh.digest);
    }
    expect(proxy.seen.some((s) => s.fault === 'length')).toBe(true);
  });
});

describe('slow registry on push', () => {
  it('an upload start that never answers is retried after the timeout, and the push completes', async () => {
    const fresh = buildImage([randomLayer('slow-push')]);
    const store = openMemoryStore();
    await storeImage(store, fresh, 'bodies/slow:1');
    proxy.plan = ({ method, count }) => (method === 'POST' && count === 0 ? { kind: 'stall' } : undefined);
    const r = await pushImage(store, 'bodies/slow:1', `docker://${proxy.host}/bodies/slow:1`, { ...fast, timeoutMs });
    expect(r.digest).toBe(fresh.digest);
    expect(proxy.seen.filter((s) => s.fault === 'stall').length).toBe(1);
    expect((await new RegistryClient(reg.host).headManifest('bodies/slow', '1'))?.digest).toBe(fresh.digest);
  });

  it('an upload whose answer never comes is bounded by the AbortSignal: ABORTED, no manifest', async () => {
    const fresh = buildImage([randomLayer('slow-put')]);
    const store = openMemoryStore();
    await storeImage(store, fresh, 'bodies/slowput:1');
    proxy.plan = ({ method, path }) => (method === 'PUT' && path.includes('/blobs/uploads/') ? { kind: 'stall' } : undefined);
    const p = pushImage(store, 'bodies/slowput:1', `docker://${proxy.host}/bodies/slowput:1`, { ...fast, signal: AbortSignal.timeout(500) });
    expect(typed(await p.catch((x) => x)).code).toBe('ABORTED');
    expect(proxy.seen.some((s) => s.url.includes('/manifests/') && s.method === 'PUT')).toBe(false);
  });
});
