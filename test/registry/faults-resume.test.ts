/**
 * Resumable chunked upload against a real docker-registry through the
 * fault proxy: when a PATCH fails, the client asks the registry for the
 * upload's offset (distribution-spec "Get upload status") and sends on from
 * there in the same session, instead of starting the blob over. When the
 * registry cannot say (distribution 2.x invalidates a session whose PATCH
 * broke off after some bytes arrived), the blob starts over in a new session.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../src/store/open-memory.js';
import { RegistryClient, resumeOffset } from '../../src/transport/registry/client.js';
import { pushImage } from '../../src/transport/registry/push.js';
// Registers the transports store.copy uses (docker:// among them).
import '../../src/transport/index.js';
import { startFaultProxy, type FaultProxy, type SeenRequest } from '../helpers/fault-proxy.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { buildImage, makeLayer, storeImage, type BuiltImage } from './fixtures.js';

const fast = { baseDelayMs: 2, maxDelayMs: 20, retries: 4 };
/** 100 kB chunks; the layer is ~400 kB of incompressible bytes: 4-5 PATCHes. */
const chunked = { ...fast, monolithicMax: 100_000, chunkSize: 100_000 };

const isUpload = (s: SeenRequest) => s.url.includes('/blobs/uploads/');
const contentRangeStart = (s: SeenRequest) => Number(String(s.headers['content-range']).split('-')[0]);

describe('resumable chunked upload through a fault proxy', () => {
  let reg: TestRegistry;
  let proxy: FaultProxy;
  let n = 0;

  beforeAll(async () => {
    reg = await startRegistry();
    proxy = await startFaultProxy({ host: '127.0.0.1', port: reg.port });
  });
  afterEach(() => {
    proxy.plan = () => undefined;
    proxy.seen.length = 0;
  });
  afterAll(async () => {
    await proxy?.close();
    await reg?.stop();
  });

  /** A one-layer image with a fresh random layer (so no test finds it at the registry already). */
  async function freshImage(): Promise<{ img: BuiltImage; name: string; store: ReturnType<typeof openMemoryStore> }> {
    const img = buildImage([makeLayer({ 'big.bin': randomBytes(400_000) })]);
    const store = openMemoryStore();
    const name = `resume/r${n++}`;
    await storeImage(store, img, `${name}:1`);
    return { img, name, store };
  }

  /** The registry itself (not the proxy) holds the image and its layer, whole. */
  async function expectAtRegistry(name: string, img: BuiltImage): Promise<void> {
    const c = new RegistryClient(reg.host);
    expect((await c.headManifest(name, '1'))?.digest).toBe(img.digest);
    for (const l of img.layers) expect(await c.hasBlob(name, l.digest)).toBe(l.blob.byteLength);
  }

  it.each([
    ['streamed chunks', true],
    ['buffered chunks', false],
  ])('a PATCH answered 500 resumes at the offset the registry reports, in the same session (%s)', async (_, streamChunks) => {
    const { img, name, store } = await freshImage();
    let patches = 0;
    // The second chunk fails on every attempt the client makes on its own: a streamed body is sent
    // once, a buffered one retries+1 = 2 times; then the client asks for the upload's status.
    proxy.plan = ({ method }) => {
      if (method !== 'PATCH') return undefined;
      patches++;
      return patches === 2 || (patches === 3 && !streamChunks) ? { kind: 'status', status: 500 } : undefined;
    };
    const r = await pushImage(store, `${name}:1`, `docker://${proxy.host}/${name}:1`, { ...chunked, retries: 1, streamChunks });
    expect(r.digest).toBe(img.digest);

    const uploads = proxy.seen.filter(isUpload);
    // One session for the big layer (and one for the small config): nothing started over.
    expect(uploads.filter((s) => s.method === 'POST').length).toBe(2);
    // The client asked for the upload's status after the failures...
    const status = uploads.findIndex((s) => s.method === 'GET');
    expect(status).toBeGreaterThan(0);
    // ...and the next PATCH starts where the failed ones did (the registry had acknowledged one chunk).
    const failed = uploads.filter((s) => s.method === 'PATCH' && s.fault === 'status');
    expect(failed.length).toBe(streamChunks ? 1 : 2);
    const next = uploads.slice(status).find((s) => s.method === 'PATCH')!;
    expect(contentRangeStart(failed[0]!)).toBe(100_000);
    expect(contentRangeStart(next)).toBe(100_000);
    // Every PATCH after the resume goes on from there, in order, with no gap or overlap.
    const after = uploads.slice(status).filter((s) => s.method === 'PATCH').map(contentRangeStart);
    expect(after).toEqual(after.map((_, i) => 100_000 * (i + 1)));
    await expectAtRegistry(name, img);
  });

  it('copy SRC docker:// resumes a failed streamed PATCH in the same session too (the source is reopened)', async () => {
    const { img, name, store } = await freshImage();
    let patches = 0;
    proxy.plan = ({ method }) => (method === 'PATCH' && ++patches === 2 ? { kind: 'status', status: 500 } : undefined);
    const r = await store.copy(`${name}:1`, `docker://${proxy.host}/${name}:1`, { ...chunked, retries: 1, streamChunks: true });
    expect(r.digest).toBe(img.digest);
    const uploads = proxy.seen.filter(isUpload);
    // One session for the layer, one for the config: the layer did not start over.
    expect(uploads.filter((s) => s.method === 'POST').length).toBe(2);
    const status = uploads.findIndex((s) => s.method === 'GET');
    expect(status).toBeGreaterThan(0);
    const after = uploads.slice(status).filter((s) => s.method === 'PATCH').map(contentRangeStart);
    expect(after).toEqual(after.map((_, i) => 100_000 * (i + 1)));
    await expectAtRegistry(name, img);
  });

  it('a PATCH whose connection is reset before the registry saw it resumes in the same session', async () => {
    const { img, name, store } = await freshImage();
    let patches = 0;
    proxy.plan = ({ method }) => (method === 'PATCH' && ++patches === 3 ? { kind: 'reset' } : undefined);
    const r = await pushImage(store, `${name}:1`, `docker://${proxy.host}/${name}:1`, chunked);
    expect(r.digest).toBe(img.digest);
    const uploads = proxy.seen.filter(isUpload);
    expect(uploads.filter((s) => s.method === 'POST').length).toBe(2);
    expect(uploads.some((s) => s.method === 'GET')).toBe(true);
    const reset = uploads.find((s) => s.fault === 'reset')!;
    expect(contentRangeStart(reset)).toBe(200_000);
    const resumed = uploads.slice(uploads.indexOf(reset) + 1).find((s) => s.method === 'PATCH')!;
    expect(contentRangeStart(resumed)).toBe(200_000);
    await expectAtRegistry(name, img);
  });

  it('a PATCH cut off after some bytes reached distribution (session invalidated) starts the blob over and completes', async () => {
    const { img, name, store } = await freshImage();
    let patches = 0;
    proxy.plan = ({ method }) => (method === 'PATCH' && ++patches === 2 ? { kind: 'cut-request', bytes: 30_000 } : undefined);
    const r = await pushImage(store, `${name}:1`, `docker://${proxy.host}/${name}:1`, chunked);
    expect(r.digest).toBe(img.digest);
    const uploads = proxy.seen.filter(isUpload);
    expect(uploads.some((s) => s.fault === 'cut-request')).toBe(true);
    // The status request was made (and refused by distribution), then a second session for the layer.
    expect(uploads.some((s) => s.method === 'GET')).toBe(true);
    expect(uploads.filter((s) => s.method === 'POST').length).toBe(3);
    // The registry's access log: the status GET of the broken session was answered 404.
    expect(reg.requests().some((l) => /^GET \/v2\/resume\/r\d+\/blobs\/uploads\/\S+ 404$/.test(l))).toBe(true);
    await expectAtRegistry(name, img);
  });

  it('gives up with a typed error when every resume fails, and puts no manifest', async () => {
    const { name, store } = await freshImage();
    let patches = 0;
    proxy.plan = ({ method }) => (method === 'PATCH' && ++patches >= 2 ? { kind: 'status', status: 503 } : undefined);
    const e = await pushImage(store, `${name}:1`, `docker://${proxy.host}/${name}:1`, { ...chunked, retries: 2 }).catch((x) => x);
    expect(e.code).toBe('REGISTRY_ERROR');
    expect(proxy.seen.some((s) => s.url.includes('/manifests/'))).toBe(false);
    // Bounded: at most retries+1 PATCH failures per session, over at most 3 sessions.
    expect(proxy.seen.filter((s) => s.method === 'PATCH' && s.fault === 'status').length).toBeLessThanOrEqual(3 * 3);
  });
});

describe('resumeOffset (Range of an upload status)', () => {
  it('reads `0-<last byte>` as the count of bytes held', () => {
    expect(resumeOffset('0-99999', 0)).toBe(100_000);
    expect(resumeOffset('bytes=0-199999', 100_000)).toBe(200_000);
  });
  it('tells an empty upload from a one-byte one by what was acknowledged (distribution sends 0-0 for both)', () => {
    expect(resumeOffset('0-0', 0)).toBe(0);
    expect(resumeOffset('0-0', 1)).toBe(1);
  });
  it('refuses what it cannot read', () => {
    expect(resumeOffset(null, 0)).toBeUndefined();
    expect(resumeOffset('5-10', 0)).toBeUndefined();
    expect(resumeOffset('0-x', 0)).toBeUndefined();
  });
});
