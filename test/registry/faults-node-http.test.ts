/**
 * The Node pull path (src/transport/registry/node-http.ts + the disk
 * store's BlobWriter): blob bodies over node:http fed straight to the
 * store's writer, through the fault proxy in front of a real
 * docker-registry. The same faults as faults-bodies.test.ts (which runs
 * over fetch): every pull completes with the right bytes or fails with a
 * typed error, and a failed one leaves no blob and no temporary file.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LayerfsError } from '../../src/errors/LayerfsError.js';
import { openStore } from '../../src/store/open-disk.js';
import { openMemoryStore } from '../../src/store/open-memory.js';
import type { Store } from '../../src/store/store.js';
import { RegistryClient, setBlobFetch } from '../../src/transport/registry/client.js';
import { nodeBlobFetch } from '../../src/transport/registry/node-http.js';
import { pullImage } from '../../src/transport/registry/pull.js';
import type { FaultProxy } from '../helpers/fault-proxy.js';
import type { TestRegistry } from '../helpers/registry.js';
import { startBodyFaultRegistry } from './body-faults-setup.js';
import type { BuiltImage } from './fixtures.js';

const fast = { baseDelayMs: 2, maxDelayMs: 20, retries: 3 };
/** Short enough for a test, long enough for a loaded loopback (as in faults-bodies). */
const timeoutMs = 1000;

let reg: TestRegistry;
let proxy: FaultProxy;
let small: BuiltImage;
let big: BuiltImage;
let work: string;
/** Blob downloads that went through node:http. */
let nodeGets = 0;

beforeAll(async () => {
  setBlobFetch((input, init) => {
    nodeGets++;
    return nodeBlobFetch(input, init);
  });
  work = await fs.mkdtemp(path.join(tmpdir(), 'layerfs-node-http-'));
  ({ reg, proxy, small, big } = await startBodyFaultRegistry('nodehttp', 'n', fast));
}, 60_000);
afterEach(() => {
  proxy.plan = () => undefined;
  proxy.seen.length = 0;
});
afterAll(async () => {
  setBlobFetch(undefined);
  await proxy?.close();
  await reg?.stop();
  if (work) await fs.rm(work, { recursive: true, force: true });
});

let n = 0;
async function diskStore(): Promise<{ store: Store; dir: string }> {
  const dir = path.join(work, `s${n++}`);
  return { store: await openStore(dir), dir };
}

const blobGets = (digest: string) => proxy.seen.filter((s) => s.method === 'GET' && s.url.split('?')[0]!.endsWith(digest));

async function expectWhole(store: Store, img: BuiltImage): Promise<void> {
  for (const l of img.layers) expect(Buffer.from(await store.getBlobBytes(l.digest)).equals(l.blob)).toBe(true);
  expect((await store.images()).map((i) => i.digest)).toEqual([img.digest]);
}

async function expectNothingLeft(store: Store, dir: string, img: BuiltImage): Promise<void> {
  for (const l of img.layers) expect(await store.hasBlob(l.digest)).toBe(false);
  expect(await store.images()).toEqual([]);
  expect(await fs.readdir(path.join(dir, 'tmp'))).toEqual([]);
}

function typed(e: unknown): LayerfsError {
  expect(e).toBeInstanceOf(LayerfsError);
  return e as LayerfsError;
}

describe('pull into a disk store over node:http', () => {
  it('a clean pull: the blobs are the registry bytes, downloaded through node:http', async () => {
    const before = nodeGets;
    const { store, dir } = await diskStore();
    const r = await pullImage(store, `docker://${proxy.host}/nodehttp/big:1`, fast);
    expect(r.digest).toBe(big.digest);
    expect(r.downloaded).toBe(1);
    // The config goes through fetchBlob, the layer through downloadBlob: both over node:http.
    expect(nodeGets - before).toBe(2);
    await expectWhole(store, big);
    expect(await fs.readdir(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('a body cut off midway resumes with a Range request from the byte reached', async () => {
    const layer = big.layers[0]!;
    proxy.plan = ({ method, path: p, count }) => (method === 'GET' && p.endsWith(layer.digest) && count === 0 ? { kind: 'truncate', bytes: 200_000 } : undefined);
    const { store } = await diskStore();
    const r = await pullImage(store, `docker://${proxy.host}/nodehttp/big:1`, fast);
    expect(r.digest).toBe(big.digest);
    const gets = blobGets(layer.digest);
    expect(gets.length).toBe(2);
    expect(gets[1]!.headers.range).toMatch(/^bytes=[1-9]\d*-$/);
    await expectWhole(store, big);
  });

  it('a server that ignores Range: the whole body again, the bytes already stored skipped', async () => {
    const layer = big.layers[0]!;
    proxy.plan = ({ method, path: p, count }) =>
      method === 'GET' && p.endsWith(layer.digest) ? (count === 0 ? { kind: 'truncate', bytes: 300_000 } : { kind: 'no-range' }) : undefined;
    const { store } = await diskStore();
    const r = await pullImage(store, `docker://${proxy.host}/nodehttp/big:1`, fast);
    expect(r.digest).toBe(big.digest);
    expect(blobGets(layer.digest).map((g) => g.fault)).toEqual(['truncate', 'no-range']);
    await expectWhole(store, big);
  });

  it('a body that stalls midway is abandoned after the idle timeout and resumed', async () => {
    const layer = big.layers[0]!;
    proxy.plan = ({ method, path: p, count }) =>
      method === 'GET' && p.endsWith(layer.digest) && count === 0 ? { kind: 'trickle', bytes: 64 * 1024, everyMs: 1, stallAfter: 200_000 } : undefined;
    const { store } = await diskStore();
    const r = await pullImage(store, `docker://${proxy.host}/nodehttp/big:1`, { ...fast, timeoutMs });
    expect(r.digest).toBe(big.digest);
    const gets = blobGets(layer.digest);
    expect(gets.length).toBeGreaterThanOrEqual(2);
    expect(gets[1]!.headers.range).toMatch(/^bytes=[1-9]\d*-$/);
    await expectWhole(store, big);
  });

  it('a trickle of tiny chunks completes (thousands of chunks per write batch)', async () => {
    const layer = small.layers[0]!;
    proxy.plan = ({ method, path: p }) => (method === 'GET' && p.endsWith(layer.digest) ? { kind: 'trickle', bytes: 256, everyMs: 1 } : undefined);
    const { store } = await diskStore();
    const r = await pullImage(store, `docker://${proxy.host}/nodehttp/small:1`, { ...fast, timeoutMs: 10_000 });
    expect(r.digest).toBe(small.digest);
    await expectWhole(store, small);
  });

  it.each([
    ['shorter', -250_000],
    ['longer', 1000],
  ])('a Content-Length %s than the body: the right bytes in the end', async (_, delta) => {
    const layer = big.layers[0]!;
    proxy.plan = ({ method, path: p, count }) => (method === 'GET' && p.endsWith(layer.digest) && count === 0 ? { kind: 'length', delta } : undefined);
    const { store } = await diskStore();
    const r = await pullImage(store, `docker://${proxy.host}/nodehttp/big:1`, fast);
    expect(r.digest).toBe(big.digest);
    await expectWhole(store, big);
  });

  it('other bytes of the same length: DIGEST_MISMATCH, no blob and no temporary file left', async () => {
    const layer = big.layers[0]!;
    proxy.plan = ({ method, path: p }) => (method === 'GET' && p.endsWith(layer.digest) ? { kind: 'replace' } : undefined);
    const { store, dir } = await diskStore();
    const e = typed(await pullImage(store, `docker://${proxy.host}/nodehttp/big:1`, fast).catch((x) => x));
    expect(e.code).toBe('DIGEST_MISMATCH');
    await expectNothingLeft(store, dir, big);
  });

  it('cut off on every attempt: REGISTRY_ERROR after retries + 1 attempts, nothing left', async () => {
    const layer = big.layers[0]!;
    proxy.plan = ({ method, path: p }) => (method === 'GET' && p.endsWith(layer.digest) ? { kind: 'reset' } : undefined);
    const { store, dir } = await diskStore();
    const e = typed(await pullImage(store, `docker://${proxy.host}/nodehttp/big:1`, fast).catch((x) => x));
    expect(e.code).toBe('REGISTRY_ERROR');
    expect(blobGets(layer.digest).length).toBeGreaterThanOrEqual(1);
    expect(blobGets(layer.digest).length).toBeLessThanOrEqual(fast.retries + 1);
    await expectNothingLeft(store, dir, big);
  });

  it('an AbortSignal during a slow body: ABORTED, nothing left', async () => {
    const layer = big.layers[0]!;
    proxy.plan = ({ method, path: p }) => (method === 'GET' && p.endsWith(layer.digest) ? { kind: 'trickle', bytes: 4096, everyMs: 5 } : undefined);
    const { store, dir } = await diskStore();
    const ac = new AbortController();
    const p = pullImage(store, `docker://${proxy.host}/nodehttp/big:1`, { ...fast, timeoutMs: 10_000, signal: ac.signal });
    // Abort once some of the body has arrived (progress shows it).
    await new Promise((r) => setTimeout(r, 150));
    ac.abort();
    const e = typed(await p.catch((x) => x));
    expect(e.code).toBe('ABORTED');
    await expectNothingLeft(store, dir, big);
  });

  it('a memory store (no BlobWriter of its own) gets the same bytes over node:http', async () => {
    const layer = big.layers[0]!;
    proxy.plan = ({ method, path: p, count }) => (method === 'GET' && p.endsWith(layer.digest) && count === 0 ? { kind: 'truncate', bytes: 100_000 } : undefined);
    const store = openMemoryStore();
    const r = await pullImage(store, `docker://${proxy.host}/nodehttp/big:1`, fast);
    expect(r.digest).toBe(big.digest);
    await expectWhole(store, big);
  });
});

describe('nodeBlobFetch', () => {
  /** Two servers (two origins): `a` redirects blob GETs, `b` serves them; both record what they were sent. */
  let a: Server;
  let b: Server;
  const seen: Array<{ server: string; url: string; headers: IncomingHttpHeaders }> = [];
  const body = randomBytes(100_000);
  const origin = (s: Server) => `http://127.0.0.1:${(s.address() as { port: number }).port}`;

  beforeAll(async () => {
    b = createServer((req, res) => {
      seen.push({ server: 'b', url: req.url!, headers: req.headers });
      res.writeHead(200, { 'content-length': String(body.byteLength) }).end(body);
    });
    await new Promise<void>((r) => b.listen(0, '127.0.0.1', r));
    a = createServer((req, res) => {
      seen.push({ server: 'a', url: req.url!, headers: req.headers });
      if (req.url === '/same') return res.writeHead(307, { location: '/other' }).end();
      if (req.url === '/cross') return res.writeHead(302, { location: `${origin(b)}/storage/blob` }).end();
      if (req.url === '/loop') return res.writeHead(302, { location: '/loop' }).end();
      if (req.url === '/error') return res.writeHead(503, { 'content-type': 'application/json' }).end('{"errors":[]}');
      res.writeHead(200, { 'x-extra': 'yes' }).end('hello');
    });
    await new Promise<void>((r) => a.listen(0, '127.0.0.1', r));
  });
  afterEach(() => {
    seen.length = 0;
  });
  afterAll(async () => {
    await new Promise((r) => a.close(r));
    await new Promise((r) => b.close(r));
  });

  it('follows a same-origin redirect with the Authorization header, and reads the body as fetch does', async () => {
    const res = await nodeBlobFetch(`${origin(a)}/same`, { headers: { authorization: 'Bearer t' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-extra')).toBe('yes');
    expect(await res.text()).toBe('hello');
    expect(seen.map((s) => [s.url, s.headers.authorization])).toEqual([
      ['/same', 'Bearer t'],
      ['/other', 'Bearer t'],
    ]);
  });

  it('drops Authorization when a redirect leaves the origin (a registry redirecting to its storage)', async () => {
    const res = await nodeBlobFetch(`${origin(a)}/cross`, { headers: { authorization: 'Bearer t' } });
    expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
    expect(seen.map((s) => [s.server, s.headers.authorization])).toEqual([
      ['a', 'Bearer t'],
      ['b', undefined],
    ]);
  });

  it('the client downloads a blob through a cross-origin redirect, verified', async () => {
    const digest = `sha256:${(await import('node:crypto')).createHash('sha256').update(body).digest('hex')}`;
    // The client asks `a` for /v2/x/blobs/DIGEST; `a` answers 200 'hello' for unknown paths, so point it at /cross first.
    const c = new RegistryClient(origin(a).slice('http://'.length), { ...fast, fetch: (u, init) => nodeBlobFetch(String(u).replace(/\/v2\/.*$/, '/cross'), init) });
    const chunks: Uint8Array[] = [];
    for await (const ch of c.fetchBlob('x', { digest, size: body.byteLength }) as unknown as AsyncIterable<Uint8Array>) chunks.push(ch);
    expect(Buffer.concat(chunks).equals(body)).toBe(true);
  });

  it('a redirect loop fails as fetch fails (TypeError), and error statuses come back as responses', async () => {
    await expect(nodeBlobFetch(`${origin(a)}/loop`)).rejects.toBeInstanceOf(TypeError);
    const res = await nodeBlobFetch(`${origin(a)}/error`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ errors: [] });
  });

  it('a HEAD has no body; an aborted request rejects with the abort reason', async () => {
    const res = await nodeBlobFetch(`${origin(b)}/x`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.body).toBeNull();
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(nodeBlobFetch(`${origin(b)}/x`, { signal: ac.signal })).rejects.toThrow('stop');
  });

  it('a connection refused is a TypeError with the network error as cause (what the retry logic expects of fetch)', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const url = origin(closed);
    await new Promise((r) => closed.close(r));
    const e = await nodeBlobFetch(url).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TypeError);
    expect((e as TypeError).cause).toBeInstanceOf(Error);
  });
});
