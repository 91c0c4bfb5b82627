/**
 * The store on the Origin Private File System, a build from in-memory files,
 * and push/pull over fetch against the local docker-registry (CORS), all in
 * Chromium.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { build, LAYER_INDEX, openBrowserStore, openMemoryStore, pullImage, pushImage, sha256 } from '../../src/index.js';
import { DELETED, makeDemoImage } from './fixture.js';

const dec = new TextDecoder();
const enc = new TextEncoder();
const run = Math.random().toString(36).slice(2, 8);

async function opfsRoot(): Promise<FileSystemDirectoryHandle> {
  return navigator.storage.getDirectory();
}

afterAll(async () => {
  const root = await opfsRoot();
  for (const n of [`t-${run}-a`, `t-${run}-b`, `t-${run}-c`]) await root.removeEntry(n, { recursive: true }).catch(() => {});
});

describe('OPFS store', () => {
  it('keeps blobs, images and tags across reopen, verified by digest', async () => {
    const s1 = await openBrowserStore({ name: `t-${run}-a` });
    expect(s1.backend.kind).toBe('opfs');
    const img = await makeDemoImage(s1);
    const data = enc.encode('hello opfs');
    const d = await s1.putBlob(data);
    expect(d).toBe(await sha256(data));
    await expect(s1.putBlob(data, { digest: 'sha256:' + '0'.repeat(64) })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });

    // a second handle on the same directory sees everything (it is on "disk")
    const s2 = await openBrowserStore({ name: `t-${run}-a` });
    expect(dec.decode(await s2.getBlobBytes(d))).toBe('hello opfs');
    expect((await s2.image('demo:1')).id).toBe(img.id);
    expect((await s2.images()).map((i) => i.names).flat()).toContain('demo:1');
    const view = await s2.view('demo:1');
    expect(dec.decode(await view.readFile('bin/app'))).toBe('v2 '.repeat(1500));
    for (const p of DELETED) expect(view.exists(p)).toBe(false);
    await s2.tag('demo:1', 'demo:latest');
    expect((await s1.image('demo:latest')).id).toBe(img.id);

    // the OPFS files are where the layout says: blobs/sha256/<hex>
    const root = await opfsRoot();
    const dir = await (await (await root.getDirectoryHandle(`t-${run}-a`)).getDirectoryHandle('blobs')).getDirectoryHandle('sha256');
    const f = await (await dir.getFileHandle(d.slice(7))).getFile();
    expect(dec.decode(new Uint8Array(await f.arrayBuffer()))).toBe('hello opfs');

    await expect(s2.image('nothere:1')).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // Each layer's entries and union table are the index record's attachment (a file of its own next to
    // the record), used by a fresh handle's view, and removed with the record.
    const top = img.layers[img.layers.length - 1]!.digest;
    const attached = await s2.backend.getRecordBytes!(LAYER_INDEX, top);
    const rec = (await s2.backend.getRecord<{ v: number; count: number; entries?: unknown }>(LAYER_INDEX, top))!.value;
    expect(rec.v).toBe(2);
    expect(rec.count).toBeGreaterThan(0);
    expect(rec.entries).toBeUndefined();
    // "LFIX", then the entries' and the table's byte counts (src/store/view.ts).
    const head = new DataView(attached!.buffer, attached!.byteOffset, 16);
    expect(head.getUint32(0, true)).toBe(0x5849464c);
    expect(head.getUint32(8, true)).toBeGreaterThan(16);
    expect(head.getUint32(12, true)).toBeGreaterThan(32);
    const s3 = await openBrowserStore({ name: `t-${run}-a` });
    expect(dec.decode(await (await s3.view('demo:1')).readFile('bin/app'))).toBe('v2 '.repeat(1500));
    expect(await s3.backend.deleteRecord(LAYER_INDEX, top)).toBe(true);
    expect(await s3.backend.getRecordBytes!(LAYER_INDEX, top)).toBeUndefined();
  });

  it('runs containers with their writable layer in OPFS', async () => {
    const s = await openBrowserStore({ name: `t-${run}-b` });
    await makeDemoImage(s);
    const c = await s.createContainer('demo:1', { name: 'web' });
    await c.writeFile('/etc/motd', 'changed\n');
    await c.rm('/bin/app');
    const again = await (await openBrowserStore({ name: `t-${run}-b` })).container('web');
    expect(await again.readFile('/etc/motd', 'utf8')).toBe('changed\n');
    expect(await again.exists('/bin/app')).toBe(false);
    const img = await again.commit({ tag: 'demo:c', created: new Date(0) });
    const view = await s.view('demo:c');
    expect(view.exists('bin/app')).toBe(false);
    expect(dec.decode(await view.readFile('etc/motd'))).toBe('changed\n');
    expect(img.layers.length).toBe(4);
  });
});

describe('build from in-memory files in Chromium', () => {
  it('builds layers from a Dockerfile and File objects, and reuses the cache', async () => {
    const s = await openBrowserStore({ name: `t-${run}-c` });
    const context = {
      Dockerfile: 'FROM scratch\nCOPY app.txt /app/\nCOPY data.bin /app/data.bin\nENV MODE=prod\nCMD ["/app/app.txt"]\n',
      'app.txt': 'console.log(1)\n',
      'data.bin': new File([new Uint8Array([1, 2, 3, 4])], 'data.bin'),
    };
    const r = await build(s, { context, tag: 'built:1', sourceDateEpoch: 1_700_000_000 });
    expect(r.image.layers.length).toBe(2);
    expect(r.image.config.config?.Env).toContain('MODE=prod');
    const view = await s.view('built:1');
    expect(dec.decode(await view.readFile('app/app.txt'))).toBe('console.log(1)\n');
    expect(Array.from(await view.readFile('app/data.bin'))).toEqual([1, 2, 3, 4]);
    const again = await build(s, { context, tag: 'built:2', sourceDateEpoch: 1_700_000_000 });
    expect(again.id).toBe(r.id);
    expect(again.steps.filter((x) => x.kind === 'copy').every((x) => x.cached)).toBe(true);
  });
});

describe('registry over fetch (docker-registry with CORS)', () => {
  it('pushes from one store and pulls into another, digests kept', async () => {
    const host = inject('registryHost');
    const a = openMemoryStore();
    const img = await makeDemoImage(a);
    const ref = `docker://${host}/browser/demo:${run}`;
    const pushed = await pushImage(a, 'demo:1', ref);
    expect(pushed.digest).toBe(img.digest);
    // the registry serves the manifest we pushed, byte for byte (checked with a plain fetch)
    const res = await fetch(`${inject('registryUrl')}/v2/browser/demo/manifests/${run}`, { headers: { Accept: img.mediaType } });
    expect(res.headers.get('Docker-Content-Digest')).toBe(img.digest);
    expect(await sha256(new Uint8Array(await res.arrayBuffer()))).toBe(img.digest);

    const b = openMemoryStore();
    const pulled = await pullImage(b, ref);
    expect(pulled.image.id).toBe(img.id);
    expect(pulled.digest).toBe(img.digest);
    const view = await b.view(pulled.image.id);
    expect(dec.decode(await view.readFile('etc/motd'))).toBe('hi\n');
    for (const p of DELETED) expect(view.exists(p)).toBe(false);

    // a second push of the same image uploads no blob (HEAD finds them all)
    const again = await pushImage(a, 'demo:1', ref);
    expect(again.digest).toBe(img.digest);
    expect(again.uploaded).toBe(0);
    expect(pushed.uploaded).toBeGreaterThan(0);
  });

  it('a missing image is a typed NOT_FOUND, not a crash', async () => {
    await expect(pullImage(openMemoryStore(), `docker://${inject('registryHost')}/browser/none:1`)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
