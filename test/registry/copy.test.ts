import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
// The public Node entry: loading it installs the transports (store.copy).
import { openMemoryStore, openStore, RegistryClient } from '../../src/node.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { requireTools } from '../helpers/tools.js';
import { buildImage, randomLayer, sha, storeImage, writeLayout } from './fixtures.js';

const fast = { baseDelayMs: 5, maxDelayMs: 50 };

describe('copy with docker:// on either side', () => {
  let reg: TestRegistry;
  const dirs: string[] = [];
  const tmp = (p: string) => {
    const d = mkdtempSync(join(tmpdir(), p));
    dirs.push(d);
    return d;
  };
  beforeAll(async () => {
    requireTools('skopeo');
    reg = await startRegistry();
  });
  afterAll(async () => {
    await reg?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('oci: -> docker:// -> oci: and the store keep the manifest digest, without recompressing', async () => {
    const img = buildImage([randomLayer('cp0'), randomLayer('cp1')]);
    const layout = writeLayout(img, 'v1');
    dirs.push(layout);
    const store = openMemoryStore();

    const up = await store.copy(`oci:${layout}:v1`, `docker://${reg.host}/copy/app:v1`, fast);
    expect(up.digest).toBe(img.digest);
    const sk = execFileSync('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${reg.host}/copy/app:v1`], { encoding: 'utf8' }).trim();
    expect(sk).toBe(img.digest);

    const out = tmp('layerfs-copy-out-');
    const down = await store.copy(`docker://${reg.host}/copy/app:v1`, `oci:${out}:v1`, fast);
    expect(down.digest).toBe(img.digest);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
    expect(index.manifests[0].digest).toBe(img.digest);
    for (const l of img.layers) expect(readFileSync(join(out, 'blobs', 'sha256', l.digest.slice(7))).equals(l.blob)).toBe(true);

    const local = await store.copy(`docker://${reg.host}/copy/app:v1`, 'copied/app:v1', fast);
    expect(local.digest).toBe(img.digest);
    expect((await store.image('copied/app:v1')).digest).toBe(img.digest);
  });

  it('docker:// <-> oci-archive: keeps the digest; docker:// -> docker-archive: keeps the image id (config)', async () => {
    const img = buildImage([randomLayer('arch0')]);
    const store = openMemoryStore();
    await storeImage(store, img, 'arch/img:1');
    await store.copy('arch/img:1', `docker://${reg.host}/arch/img:1`, fast);
    const dir = tmp('layerfs-copy-archives-');
    const ociArchive = join(dir, 'img.oci.tar');
    const r1 = await openMemoryStore().copy(`docker://${reg.host}/arch/img:1`, `oci-archive:${ociArchive}:v1`, fast);
    expect(r1.digest).toBe(img.digest);
    const r2 = await openMemoryStore().copy(`oci-archive:${ociArchive}:v1`, `docker://${reg.host}/arch/back:1`, fast);
    expect(r2.digest).toBe(img.digest);
    expect((await new RegistryClient(reg.host).headManifest('arch/back', '1'))?.digest).toBe(img.digest);

    const dockerArchive = join(dir, 'img.docker.tar');
    const r3 = await openMemoryStore().copy(`docker://${reg.host}/arch/img:1`, `docker-archive:${dockerArchive}:arch/img:1`, fast);
    expect(r3.id).toBe(sha(img.config));
    // skopeo reads what layerfs wrote, and sees the same config.
    const inspected = JSON.parse(execFileSync('skopeo', ['inspect', '--config', `docker-archive:${dockerArchive}`], { encoding: 'utf8' }));
    expect(inspected.rootfs.diff_ids).toEqual(img.layers.map((l) => l.diffId));
  });

  it('docker:// -> docker:// on one registry mounts every blob instead of moving bytes', async () => {
    const img = buildImage([randomLayer('mnt0'), randomLayer('mnt1')]);
    const store = openMemoryStore();
    await storeImage(store, img, 'src/img:1');
    await store.copy('src/img:1', `docker://${reg.host}/copy/from:1`, fast);
    reg.mark();
    const r = await openMemoryStore().copy(`docker://${reg.host}/copy/from:1`, `docker://${reg.host}/copy/to:1`, fast);
    expect(r).toMatchObject({ digest: img.digest, copiedBlobs: 0, skippedBlobs: 3 });
    const reqs = reg.requests();
    expect(reqs.filter((q) => q.includes('/blobs/uploads/') && q.includes('mount=') && q.endsWith(' 201'))).toHaveLength(3);
    // Only the config is read (copy parses it to know the image); no layer bytes move.
    expect(reqs.filter((q) => q.startsWith('GET') && q.includes('/blobs/'))).toEqual([`GET /v2/copy/from/blobs/${sha(img.config)} 200`]);
    expect((await new RegistryClient(reg.host).headManifest('copy/to', '1'))?.digest).toBe(img.digest);
  });

  it('`layerfs copy` reaches a registry (and its credentials options parse)', async () => {
    const img = buildImage([randomLayer('cli-copy')]);
    const storeDir = tmp('layerfs-copy-store-');
    await storeImage(await openStore(storeDir), img, 'cli/copy:1');
    let stdout = '';
    let stderr = '';
    const code = await main(['copy', '--store', storeDir, '--creds', 'any:thing', 'cli/copy:1', `docker://${reg.host}/cli/copy:1`], {
      stdout: { write: (s: string | Uint8Array) => void (stdout += String(s)) },
      stderr: { write: (s: string | Uint8Array) => void (stderr += String(s)) },
      stdin: new PassThrough(),
      env: { HOME: tmpdir() },
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(img.digest);
    expect((await new RegistryClient(reg.host).headManifest('cli/copy', '1'))?.digest).toBe(img.digest);
  });
});

describe('an image skopeo pushed, pulled by layerfs, unpacks to the tree umoci unpacks', () => {
  it('same files, contents and deletions (whiteouts applied)', async () => {
    requireTools('skopeo', 'umoci');
    const { NodeDirTree, pullImage } = await import('../../src/node.js');
    const { makeLayer } = await import('./fixtures.js');
    const reg = await startRegistry();
    const dirs: string[] = [];
    try {
      const img = buildImage([
        makeLayer({ 'etc/os-release': 'ID=test\n', 'usr/bin/tool': 'v1', 'var/old/a': 'a', 'var/old/b': 'b' }),
        // A regular file named .wh.NAME is how a layer deletes NAME below (image-spec layer.md).
        makeLayer({ 'usr/bin/tool': 'v2', 'usr/bin/new': 'n', 'var/.wh.old': '', 'etc/.wh.os-release': '' }),
      ]);
      const layout = writeLayout(img, 'v1');
      dirs.push(layout);
      execFileSync('skopeo', ['copy', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${reg.host}/unpack/img:v1`], { stdio: 'ignore' });

      const store = openMemoryStore();
      await pullImage(store, `docker://${reg.host}/unpack/img:v1`, fast);
      const mine = mkdtempSync(join(tmpdir(), 'layerfs-unpack-'));
      dirs.push(mine);
      await store.unpack(`${reg.host}/unpack/img:v1`, new NodeDirTree(mine));

      // umoci's tree from skopeo's own pull of the same reference.
      const pulled = mkdtempSync(join(tmpdir(), 'layerfs-skopeo-pull-'));
      dirs.push(pulled);
      execFileSync('skopeo', ['copy', '--src-tls-verify=false', `docker://${reg.host}/unpack/img:v1`, `oci:${pulled}:v1`], { stdio: 'ignore' });
      const bundle = join(mkdtempSync(join(tmpdir(), 'layerfs-umoci-')), 'bundle');
      dirs.push(join(bundle, '..'));
      execFileSync('umoci', ['unpack', '--rootless', '--image', `${pulled}:v1`, bundle], { stdio: 'ignore' });

      const list = (root: string) =>
        execFileSync('find', ['.', '-mindepth', '1', '(', '-type', 'f', '-printf', '%p f %s\\n', ')', '-o', '-printf', '%p %y\\n'], { cwd: root, encoding: 'utf8' })
          .split('\n')
          .filter(Boolean)
          .sort();
      const theirs = list(join(bundle, 'rootfs'));
      expect(list(mine)).toEqual(theirs);
      expect(theirs).toContain('./usr/bin/new f 1');
      expect(theirs.some((l) => l.startsWith('./var/old'))).toBe(false);
      expect(readFileSync(join(mine, 'usr/bin/tool'), 'utf8')).toBe('v2');
    } finally {
      await reg.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
