import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../src/transport/registry/client.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function streamOf(b: Uint8Array, piece = 7777): ReadableStream<Uint8Array> {
  let o = 0;
  return new ReadableStream({
    pull(c) {
      if (o >= b.byteLength) return c.close();
      c.enqueue(b.subarray(o, o + piece));
      o += piece;
    },
  });
}

async function collect(s: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of s as unknown as AsyncIterable<Uint8Array>) parts.push(c);
  return Buffer.concat(parts);
}

async function pushBlob(c: RegistryClient, repo: string, bytes: Uint8Array): Promise<string> {
  const digest = sha(bytes);
  const s = await c.startUpload(repo);
  if (s.mounted) throw new Error('unexpected mount');
  await c.uploadBlob(repo, s.location, { digest, size: bytes.byteLength }, streamOf(bytes));
  return digest;
}

describe('RegistryClient against docker-registry 2.8', () => {
  let reg: TestRegistry;
  let authReg: TestRegistry;
  beforeAll(async () => {
    [reg, authReg] = await Promise.all([startRegistry(), startRegistry({ auth: { username: 'alice', password: 's3cret' } })]);
  });
  afterAll(async () => {
    await Promise.all([reg?.stop(), authReg?.stop()]);
  });

  it('uses plain http for 127.0.0.1 and talks to the API', async () => {
    const c = new RegistryClient(reg.host);
    expect(c.baseUrl).toBe(`http://${reg.host}`);
    await c.ping();
  });

  it('uploads a small blob in one PUT and reads it back verified', async () => {
    const c = new RegistryClient(reg.host);
    const bytes = randomBytes(100_000);
    reg.mark();
    const digest = await pushBlob(c, 'small/blob', bytes);
    const reqs = reg.requests();
    expect(reqs.filter((r) => r.startsWith('PATCH'))).toEqual([]);
    expect(reqs.filter((r) => r.startsWith('PUT /v2/small/blob/blobs/uploads/'))).toHaveLength(1);
    expect(await c.hasBlob('small/blob', digest)).toBe(100_000);
    expect(await c.hasBlob('small/blob', sha(new Uint8Array([1])))).toBeUndefined();
    const back = await collect(c.fetchBlob('small/blob', { digest, size: bytes.byteLength }));
    expect(back.equals(bytes)).toBe(true);
  });

  it.each([
    ['streamed', true],
    ['buffered (as in browsers)', false],
  ])('uploads a large blob in PATCH chunks with Content-Range, %s', async (_, streamChunks) => {
    const c = new RegistryClient(reg.host, { monolithicMax: 1000, chunkSize: 64 * 1024, streamChunks });
    const bytes = randomBytes(300_000);
    reg.mark();
    const digest = await pushBlob(c, 'large/blob', bytes);
    const patches = reg.requests().filter((r) => r.startsWith('PATCH'));
    expect(patches).toHaveLength(Math.ceil(300_000 / (64 * 1024)));
    expect(patches.every((p) => p.endsWith(' 202'))).toBe(true);
    const back = await collect(new RegistryClient(reg.host).fetchBlob('large/blob', { digest, size: bytes.byteLength }));
    expect(sha(back)).toBe(digest);
  });

  it('hands a pulled blob on in chunks gathered to 1 MiB (the last one shorter), bytes unchanged', async () => {
    const c = new RegistryClient(reg.host);
    const bytes = randomBytes(5 * 1024 * 1024 + 12345);
    const digest = await pushBlob(c, 'gather/blob', bytes);
    const sizes: number[] = [];
    const parts: Uint8Array[] = [];
    for await (const chunk of c.fetchBlob('gather/blob', { digest, size: bytes.byteLength }) as unknown as AsyncIterable<Uint8Array>) {
      sizes.push(chunk.byteLength);
      parts.push(chunk);
    }
    expect(Buffer.concat(parts).equals(bytes)).toBe(true);
    expect(sizes.slice(0, -1).every((n) => n >= 1024 * 1024)).toBe(true);
    expect(sizes.length).toBeLessThanOrEqual(6);
  });

  it('mounts a blob from another repository without uploading it', async () => {
    const c = new RegistryClient(reg.host);
    const bytes = randomBytes(50_000);
    const digest = await pushBlob(c, 'mount/src', bytes);
    reg.mark();
    const r = await c.startUpload('mount/dst', { mount: { digest, from: 'mount/src' } });
    expect(r.mounted).toBe(true);
    const reqs = reg.requests();
    expect(reqs).toHaveLength(1);
    expect(reqs[0]).toMatch(new RegExp(`^POST /v2/mount/dst/blobs/uploads/\\?.*mount=${digest.replace(':', '(:|%3A)')}.* 201$`));
    expect(await c.hasBlob('mount/dst', digest)).toBe(50_000);
  });

  it('puts and gets manifests by tag and digest, lists tags', async () => {
    const c = new RegistryClient(reg.host);
    const config = new TextEncoder().encode('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    const cd = await pushBlob(c, 'man/test', config);
    const manifest = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cd, size: config.byteLength },
        layers: [],
      }),
    );
    const md = await c.putManifest('man/test', 'v1', manifest, 'application/vnd.oci.image.manifest.v1+json');
    expect(md).toBe(sha(manifest));
    await c.putManifest('man/test', 'v2', manifest, 'application/vnd.oci.image.manifest.v1+json');
    const byTag = await c.getManifest('man/test', 'v1');
    expect(Buffer.from(byTag.bytes).equals(Buffer.from(manifest))).toBe(true);
    expect(byTag.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(byTag.digest).toBe(md);
    const byDigest = await c.getManifest('man/test', md);
    expect(byDigest.digest).toBe(md);
    expect((await c.headManifest('man/test', 'v1'))?.digest).toBe(md);
    expect(await c.headManifest('man/test', 'nope')).toBeUndefined();
    expect((await c.listTags('man/test')).sort()).toEqual(['v1', 'v2']);
    // Paged (distribution-spec "Listing Tags": n and a Link header to the next page).
    for (const t of ['v3', 'v4', 'v5']) await c.putManifest('man/test', t, manifest, 'application/vnd.oci.image.manifest.v1+json');
    // distribution 2.8 ignores n (tag paging came in 3.0): every tag still arrives.
    expect((await c.listTags('man/test', { pageSize: 2 })).sort()).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
  });

  it('follows Link rel="next" pages of tags/list (distribution-spec "Listing Tags")', async () => {
    // A registry that pages (as distribution 3 and most hosted registries do), served by a stub fetch.
    const all = ['a', 'b', 'c', 'd', 'e'];
    const asked: string[] = [];
    const c = new RegistryClient('127.0.0.1:1', {
      fetch: async (input) => {
        const u = new URL(String(input));
        asked.push(u.pathname + u.search);
        const n = Number(u.searchParams.get('n'));
        const last = u.searchParams.get('last');
        const from = last ? all.indexOf(last) + 1 : 0;
        const page = all.slice(from, from + n);
        const more = from + n < all.length;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (more) headers.link = `</v2/p/q/tags/list?n=${n}&last=${page.at(-1)}>; rel="next"`;
        return new Response(JSON.stringify({ name: 'p/q', tags: page }), { status: 200, headers });
      },
    });
    expect(await c.listTags('p/q', { pageSize: 2 })).toEqual(all);
    expect(asked).toEqual(['/v2/p/q/tags/list?n=2', '/v2/p/q/tags/list?n=2&last=b', '/v2/p/q/tags/list?n=2&last=d']);
  });

  it('names the repository in NOT_FOUND errors', async () => {
    const c = new RegistryClient(reg.host);
    const err = await c.getManifest('no/such', 'latest').catch((e) => e);
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain(`${reg.host}/no/such`);
    expect(err.data.registryCode).toBe('MANIFEST_UNKNOWN');
  });

  it('refuses a blob whose bytes do not match the digest asked for', async () => {
    const c = new RegistryClient(reg.host);
    const bytes = randomBytes(1000);
    const digest = await pushBlob(c, 'verify/blob', bytes);
    // Ask for the right blob but declare a different size: the stream must error, not close.
    await expect(collect(c.fetchBlob('verify/blob', { digest, size: 999 }))).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
  });

  it('basic auth: UNAUTHORIZED without or with wrong credentials, works with the right ones', async () => {
    const anon = new RegistryClient(authReg.host);
    await expect(anon.ping()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const wrong = new RegistryClient(authReg.host, { credentials: 'alice:nope' });
    const e = await wrong.getManifest('auth/x', 'latest').catch((x) => x);
    expect(e.code).toBe('UNAUTHORIZED');
    expect(e.message).toContain(`${authReg.host}/auth/x`);
    const ok = new RegistryClient(authReg.host, { credentials: { username: 'alice', password: 's3cret' } });
    authReg.mark();
    const d = await pushBlob(ok, 'auth/x', randomBytes(10));
    expect(await ok.hasBlob('auth/x', d)).toBe(10);
    // Once the registry has asked for Basic, credentials go with every request: one 401 in all.
    expect(authReg.requests().filter((r) => r.endsWith(' 401'))).toHaveLength(1);
  });
});
