import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../src/store/open-memory.js';
import { openStore } from '../../src/store/open-disk.js';
import { RegistryClient } from '../../src/transport/registry/client.js';
import { pullImage } from '../../src/transport/registry/pull.js';
import { pushImage } from '../../src/transport/registry/push.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { requireTools } from '../helpers/tools.js';
import { buildImage, randomLayer, sha, storeImage, writeLayout, type BuiltImage } from './fixtures.js';

const fast = { baseDelayMs: 5, maxDelayMs: 50 };

/** Blob uploads a log shows: the closing PUT names the digest (`...?digest=sha256%3A...`). */
function uploadedDigests(reqs: string[]): string[] {
  return reqs
    .filter((r) => r.startsWith('PUT ') && r.includes('/blobs/uploads/'))
    .map((r) => decodeURIComponent(/[?&]digest=([^& ]+)/.exec(r)?.[1] ?? ''));
}

function skopeo(...args: string[]): string {
  return execFileSync('skopeo', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('pull and push against docker-registry, with skopeo as the reference client', () => {
  let reg: TestRegistry;
  let base: ReturnType<typeof randomLayer>[];
  let imgA: BuiltImage;
  let imgB: BuiltImage;
  const tmp: string[] = [];

  beforeAll(async () => {
    requireTools('skopeo');
    reg = await startRegistry();
    base = [randomLayer('base0'), randomLayer('base1')];
    imgA = buildImage(base);
    imgB = buildImage([...base, randomLayer('top')]);
  });
  afterAll(async () => {
    await reg?.stop();
    for (const d of tmp) rmSync(d, { recursive: true, force: true });
  });

  it('pushes an image that skopeo pulls with the same manifest digest', async () => {
    const store = openMemoryStore();
    await storeImage(store, imgA, 'proj/a:1');
    reg.mark();
    const r = await pushImage(store, 'proj/a:1', `docker://${reg.host}/proj/a:1`, fast);
    expect(r.digest).toBe(imgA.digest);
    expect(r.uploaded).toBe(3);
    expect(uploadedDigests(reg.requests()).sort()).toEqual([sha(imgA.config), ...base.map((l) => l.digest)].sort());
    // The manifest is the last request.
    expect(reg.requests().at(-1)).toMatch(/^PUT \/v2\/proj\/a\/manifests\/1 201$/);

    const out = mkdtempSync(join(tmpdir(), 'layerfs-skopeo-'));
    tmp.push(out);
    skopeo('copy', '--src-tls-verify=false', `docker://${reg.host}/proj/a:1`, `oci:${out}:a`);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
    expect(index.manifests[0].digest).toBe(imgA.digest);
  });

  it('uploads only the new layers when the base is already there, and mounts blobs other repositories hold', async () => {
    const store = openMemoryStore();
    await storeImage(store, imgA, 'proj/a:1');
    await storeImage(store, imgB, 'proj/b:1');
    await pushImage(store, 'proj/a:1', `docker://${reg.host}/proj/a:1`, fast);

    // Same repository: the base layers are found by HEAD, only the top layer and config go up.
    reg.mark();
    const same = await pushImage(store, 'proj/b:1', `docker://${reg.host}/proj/a:2`, fast);
    expect(same).toMatchObject({ uploaded: 2, skipped: 2, mounted: 0 });
    const reqs = reg.requests();
    expect(uploadedDigests(reqs).sort()).toEqual([sha(imgB.config), imgB.layers[2]!.digest].sort());
    for (const l of base) expect(reqs).toContain(`HEAD /v2/proj/a/blobs/${l.digest} 200`);

    // Another repository: the store recorded where the blobs went, so they are mounted, not uploaded.
    reg.mark();
    const other = await pushImage(store, 'proj/b:1', `docker://${reg.host}/other/b:1`, fast);
    expect(other).toMatchObject({ uploaded: 0, mounted: 4, skipped: 0 });
    const reqs2 = reg.requests();
    expect(uploadedDigests(reqs2)).toEqual([]);
    expect(reqs2.filter((r) => r.startsWith('PATCH'))).toEqual([]);
    const mounts = reqs2.filter((r) => r.startsWith('POST /v2/other/b/blobs/uploads/?'));
    expect(mounts).toHaveLength(4);
    for (const m of mounts) {
      expect(m).toMatch(/ 201$/);
      expect(decodeURIComponent(m)).toContain('from=proj/a');
    }
    const c = new RegistryClient(reg.host);
    for (const l of imgB.layers) expect(await c.hasBlob('other/b', l.digest)).toBe(l.blob.byteLength);
  });

  it('pulls an image skopeo pushed: same manifest digest, blobs verified, nothing downloaded twice', async () => {
    const layout = writeLayout(imgB, 'v1');
    tmp.push(layout);
    skopeo('copy', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${reg.host}/sk/pushed:v1`);
    const skopeoDigest = skopeo('inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${reg.host}/sk/pushed:v1`).trim();

    const store = openMemoryStore();
    const progress: Array<{ digest: string; done: number; total: number; skipped?: boolean }> = [];
    reg.mark();
    const r = await pullImage(store, `docker://${reg.host}/sk/pushed:v1`, { ...fast, onProgress: (e) => progress.push(e) });
    expect(r.digest).toBe(skopeoDigest);
    expect(r.names).toEqual([`${reg.host}/sk/pushed:v1`]);
    expect(r.downloaded).toBe(3);
    const img = await store.image(`${reg.host}/sk/pushed:v1`);
    expect(img.layers.map((l) => l.digest)).toEqual(imgB.layers.map((l) => l.digest));
    expect(img.layers.map((l) => l.diffId)).toEqual(imgB.layers.map((l) => l.diffId));
    for (const l of imgB.layers) expect(Buffer.from(await store.getBlobBytes(l.digest)).equals(l.blob)).toBe(true);
    // Per-blob progress ends at the blob's size.
    for (const l of imgB.layers) {
      const last = progress.filter((p) => p.digest === l.digest).at(-1);
      expect(last).toMatchObject({ done: l.blob.byteLength, total: l.blob.byteLength });
    }

    // Again: every blob is in the store, so no blob is fetched.
    reg.mark();
    const again = await pullImage(store, `docker://${reg.host}/sk/pushed:v1`, { ...fast, names: ['copy:again'] });
    expect(again).toMatchObject({ downloaded: 0, skipped: 3, digest: skopeoDigest });
    expect(reg.requests().filter((q) => q.startsWith('GET') && q.includes('/blobs/'))).toEqual([]);

    // By digest.
    const s2 = openMemoryStore();
    const byDigest = await pullImage(s2, `docker://${reg.host}/sk/pushed@${skopeoDigest}`, fast);
    expect(byDigest.digest).toBe(skopeoDigest);
    expect(byDigest.names).toEqual([]);
    expect((await s2.imageByDigest(skopeoDigest)).id).toBe(sha(imgB.config));
  });

  it('remembers in the store where pulled blobs came from: a later push (new process) mounts them', async () => {
    const layout = writeLayout(imgA, 'v1');
    tmp.push(layout);
    skopeo('copy', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${reg.host}/hint/src:v1`);
    const dir = mkdtempSync(join(tmpdir(), 'layerfs-hint-store-'));
    tmp.push(dir);
    await pullImage(await openStore(dir), `docker://${reg.host}/hint/src:v1`, fast);
    // A fresh Store object over the same directory: only the records carry the hint.
    const again = await openStore(dir);
    reg.mark();
    const r = await pushImage(again, `${reg.host}/hint/src:v1`, `docker://${reg.host}/hint/dst:v1`, fast);
    expect(r).toMatchObject({ mounted: 3, uploaded: 0, digest: imgA.digest });
    expect(uploadedDigests(reg.requests())).toEqual([]);
  });

  it('reads Docker schema2 manifests that skopeo writes', async () => {
    const layout = writeLayout(imgA, 'v1');
    tmp.push(layout);
    skopeo('copy', '--format', 'v2s2', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${reg.host}/sk/docker:v1`);
    const raw = JSON.parse(skopeo('inspect', '--tls-verify=false', '--raw', `docker://${reg.host}/sk/docker:v1`));
    expect(raw.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const store = openMemoryStore();
    const r = await pullImage(store, `docker://${reg.host}/sk/docker:v1`, fast);
    expect(r.image.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(r.image.layers.map((l) => l.digest)).toEqual(imgA.layers.map((l) => l.digest));
  });

  it('resolves an index to the asked platform', async () => {
    const c = new RegistryClient(reg.host);
    const store = openMemoryStore();
    const amd = buildImage([randomLayer('amd')], { architecture: 'amd64' });
    const arm = buildImage([randomLayer('arm')], { architecture: 'arm64' });
    await storeImage(store, amd, 'multi:amd64');
    await storeImage(store, arm, 'multi:arm64');
    await pushImage(store, 'multi:amd64', `docker://${reg.host}/multi/app@${amd.digest}`, fast);
    await pushImage(store, 'multi:arm64', `docker://${reg.host}/multi/app@${arm.digest}`, fast);
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          { mediaType: amd.mediaType, digest: amd.digest, size: amd.manifest.byteLength, platform: { os: 'linux', architecture: 'amd64' } },
          { mediaType: arm.mediaType, digest: arm.digest, size: arm.manifest.byteLength, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        ],
      }),
    );
    await c.putManifest('multi/app', 'latest', index, 'application/vnd.oci.image.index.v1+json');
    const r = await pullImage(openMemoryStore(), `docker://${reg.host}/multi/app`, { ...fast, platform: 'linux/arm64' });
    expect(r.digest).toBe(arm.digest);
    expect(r.topDigest).toBe(sha(index));
    expect(r.image.platform.architecture).toBe('arm64');
    const r2 = await pullImage(openMemoryStore(), `docker://${reg.host}/multi/app`, { ...fast, platform: 'linux/amd64' });
    expect(r2.digest).toBe(amd.digest);
    await expect(pullImage(openMemoryStore(), `docker://${reg.host}/multi/app`, { ...fast, platform: 'linux/s390x' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('a corrupted store blob is refused by the registry: DIGEST_MISMATCH, blob and manifest absent there', async () => {
    const store = openMemoryStore();
    const img = buildImage([randomLayer('corrupt')]);
    await storeImage(store, img, 'bad/img:1');
    const layer = img.layers[0]!;
    const original = store.backend.getBlob.bind(store.backend);
    store.backend.getBlob = async (digest: string) => {
      if (digest !== layer.digest) return original(digest);
      const bytes = Buffer.from(layer.blob);
      bytes[100] ^= 0xff;
      return new ReadableStream({ start: (c) => (c.enqueue(new Uint8Array(bytes)), c.close()) });
    };
    const e = await pushImage(store, 'bad/img:1', `docker://${reg.host}/bad/img:1`, fast).catch((x) => x);
    expect(e.code).toBe('DIGEST_MISMATCH');
    const c = new RegistryClient(reg.host);
    expect(await c.hasBlob('bad/img', layer.digest)).toBeUndefined();
    expect(await c.headManifest('bad/img', '1')).toBeUndefined();
  });

  it('fails with NOT_FOUND naming the repository, leaving the store empty', async () => {
    const store = openMemoryStore();
    const e = await pullImage(store, `docker://${reg.host}/no/such:tag`, fast).catch((x) => x);
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toContain(`${reg.host}/no/such`);
    expect(await store.images()).toEqual([]);
  });
});
