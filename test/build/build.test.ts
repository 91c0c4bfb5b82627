import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BuildError, NotFoundError, UnsupportedError, openMemoryStore, MemoryTree, type Store } from '../../src/index.js';
import { build, memoryContext, type BuildEvent } from '../../src/build/index.js';
import { main } from '../../src/cli/main.js';
import { readLayer } from '../../src/layer/read.js';
import { UnionView } from '../../src/union/index.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

async function tree(store: Store, ref: string): Promise<UnionView> {
  const img = await store.image(ref);
  const layers = [];
  for (const l of img.layers) layers.push({ entries: (await readLayer(await store.getBlob(l.digest))).entries });
  return UnionView.fromLayers(layers);
}

async function makeContext(files: Record<string, string>, mtime: Date): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'layerfs-build-ctx-'));
  dirs.push(d);
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(d, rel);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, content);
  }
  // Every entry gets the given mtime, directories last (writing a child moves the parent's mtime).
  const all: string[] = [];
  const walk = async (rel: string) => {
    for (const n of await fs.readdir(path.join(d, rel), { withFileTypes: true })) {
      const r = path.join(rel, n.name);
      if (n.isDirectory()) await walk(r);
      all.push(r);
    }
  };
  await walk('');
  for (const r of all) await fs.utimes(path.join(d, r), mtime, mtime);
  await fs.chmod(d, 0o755);
  return d;
}

describe('reproducible builds', () => {
  const files = {
    Dockerfile: 'FROM scratch\nCOPY . /srv/\nENV A=1\nCOPY app/main.txt /bin/main\nWORKDIR /srv\nCMD ["/bin/main"]\n',
    'app/main.txt': 'main',
    'app/lib/x.txt': 'x',
    'README': 'readme',
  };

  it('the same SOURCE_DATE_EPOCH gives the same image id and manifest digest from other dirs, mtimes and stores', async () => {
    const c1 = await makeContext(files, new Date('2024-03-01T10:00:00Z'));
    const c2 = await makeContext(files, new Date('2025-07-09T22:13:14Z'));
    const ids: string[] = [];
    for (const c of [c1, c2]) {
      const storeDir = await fs.mkdtemp(path.join(os.tmpdir(), 'layerfs-build-store-'));
      dirs.push(storeDir);
      const out: string[] = [];
      const io = { stdout: { write: (s: string) => void out.push(s) }, stderr: { write: () => {} }, env: { SOURCE_DATE_EPOCH: '1700000000' } };
      expect(await main(['build', '--store', storeDir, '--platform', 'linux/amd64', '-t', 'repro:1', c], io)).toBe(0);
      const { openStore } = await import('../../src/node.js');
      const img = await (await openStore(storeDir)).image('repro:1');
      expect(img.config.created).toBe('2023-11-14T22:13:20Z');
      expect(img.history.every((h) => h.created === '2023-11-14T22:13:20Z')).toBe(true);
      ids.push(`${img.id} ${img.digest}`);
    }
    expect(ids[0]).toBe(ids[1]);
  });

  it('--compression-level changes the gzip bytes, not the content (same diffIds); a bad level is a usage error', async () => {
    const c = await makeContext({ Dockerfile: 'FROM scratch\nCOPY . /srv/\n', 'a.txt': 'abc '.repeat(5000) }, new Date('2024-03-01T10:00:00Z'));
    const storeDir = await fs.mkdtemp(path.join(os.tmpdir(), 'layerfs-build-level-'));
    dirs.push(storeDir);
    const err: string[] = [];
    const io = { stdout: { write: () => {} }, stderr: { write: (s: string) => void err.push(s) }, env: { SOURCE_DATE_EPOCH: '1700000000' } };
    expect(await main(['build', '--store', storeDir, '-t', 'l6:1', c], io)).toBe(0);
    expect(await main(['build', '--store', storeDir, '--compression-level', '1', '-t', 'l1:1', c], io)).toBe(0);
    const { openStore } = await import('../../src/node.js');
    const store = await openStore(storeDir);
    const [l6, l1] = [await store.image('l6:1'), await store.image('l1:1')];
    expect(l1.layers[0]!.diffId).toBe(l6.layers[0]!.diffId);
    expect(l1.layers[0]!.digest).not.toBe(l6.layers[0]!.digest);
    expect(await main(['build', '--store', storeDir, '--compression-level', '0', c], io)).not.toBe(0);
    expect(err.join('')).toMatch(/--compression-level must be 1\.\.9/);
  });

  it('without the epoch the mtimes show in the layers (so the clamp is what makes them equal)', async () => {
    const c1 = await makeContext(files, new Date('2024-03-01T10:00:00Z'));
    const c2 = await makeContext(files, new Date('2025-07-09T22:13:14Z'));
    const s = openMemoryStore();
    const a = await build(s, { context: c1, sourceDateEpoch: 1800000000 });
    const b = await build(s, { context: c2, sourceDateEpoch: 1800000000, noCache: true });
    expect(a.image.layers[0]!.diffId).not.toBe(b.image.layers[0]!.diffId);
  });
});

describe('big files', () => {
  it('files above the in-memory limits stream from disk into the layer intact', async () => {
    const big = new Uint8Array(5 * 1024 * 1024 + 123);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
    const mid = big.subarray(0, 2 * 1024 * 1024 + 1);
    const dir = await makeContext({ Dockerfile: 'FROM scratch\nCOPY . /data/\n' }, new Date('2024-01-01T00:00:00Z'));
    await fs.writeFile(path.join(dir, 'big.bin'), big);
    await fs.writeFile(path.join(dir, 'mid.bin'), mid);
    const store = openMemoryStore();
    const r = await build(store, { context: dir });
    const v = await store.view(r.digest);
    expect(Buffer.from(await v.readFile('data/big.bin')).equals(Buffer.from(big))).toBe(true);
    expect(Buffer.from(await v.readFile('data/mid.bin')).equals(Buffer.from(mid))).toBe(true);
    // and the inputs digest sees a change in the middle of the big file
    big[3 * 1024 * 1024] ^= 1;
    await fs.writeFile(path.join(dir, 'big.bin'), big);
    const events: BuildEvent[] = [];
    await build(store, { context: dir, onEvent: (e) => events.push(e) });
    expect(events.some((e) => e.type === 'step-done' && e.kind === 'copy' && !e.cached)).toBe(true);
  });
});

describe('Dockerfile semantics', () => {
  it('ARG before FROM, --build-arg, ENV over ARG, unused build args reported', async () => {
    const store = openMemoryStore();
    const events: BuildEvent[] = [];
    const r = await build(store, {
      context: {
        Dockerfile: 'ARG DIR=/default\nFROM scratch\nARG DIR\nARG NAME=n1\nENV NAME=fromenv\nCOPY f ${DIR}/${NAME}\nLABEL dir=$DIR\n',
        f: 'data',
      },
      buildArgs: { DIR: '/given', UNUSED: 'x' },
      onEvent: (e) => events.push(e),
    });
    const v = await tree(store, r.digest);
    expect(v.lookup('given/fromenv')?.type).toBe('file');
    expect(r.image.config.config?.Labels).toEqual({ dir: '/given' });
    expect(r.image.history.map((h) => h.created_by)).toEqual(['ENV NAME=fromenv', 'COPY f /given/fromenv', 'LABEL dir=/given']);
    expect(events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message)).toEqual(['build args not consumed by any ARG: UNUSED']);
  });

  it('shell forms, ENTRYPOINT clears an inherited CMD, SHELL, EXPOSE, VOLUME, USER, STOPSIGNAL, MAINTAINER', async () => {
    const store = openMemoryStore();
    await build(store, { context: { Dockerfile: 'FROM scratch\nCMD ["inherited"]\n' }, tag: 'base:1' });
    const r = await build(store, {
      context: {
        Dockerfile: [
          'FROM base:1',
          'ENTRYPOINT run --it',
          'SHELL ["/bin/bash", "-c"]',
          'EXPOSE 80 53/udp 8000-8001',
          'VOLUME /data',
          'USER 1000:1000',
          'STOPSIGNAL SIGINT',
          'MAINTAINER me',
          'HEALTHCHECK NONE',
          'ONBUILD COPY . /x',
          '',
        ].join('\n'),
      },
    });
    const c = r.image.config.config!;
    expect(c.Entrypoint).toEqual(['/bin/sh', '-c', 'run --it']);
    expect(c.Cmd).toBeUndefined();
    expect(c.Shell).toEqual(['/bin/bash', '-c']);
    expect(Object.keys(c.ExposedPorts!)).toEqual(['80/tcp', '53/udp', '8000/tcp', '8001/tcp']);
    expect(c.Volumes).toEqual({ '/data': {} });
    expect(c.User).toBe('1000:1000');
    expect(c.StopSignal).toBe('SIGINT');
    expect(c.Healthcheck).toEqual({ Test: ['NONE'] });
    expect(c.OnBuild).toEqual(['COPY . /x']);
    expect(r.image.config.author).toBe('me');
    expect(r.image.layers).toHaveLength(0);
    expect(r.image.history.every((h) => h.empty_layer === true)).toBe(true);

    await store.putImage(r.image, ['onbuild:1']);
    const warnings: string[] = [];
    await build(store, { context: { Dockerfile: 'FROM onbuild:1\n' }, onEvent: (e) => e.type === 'warning' && warnings.push(e.message) });
    expect(warnings).toEqual(['the base image of line 1 has ONBUILD triggers; layerfs does not run them: COPY . /x']);

    const r2 = await build(store, { context: { Dockerfile: 'FROM scratch\nSHELL ["/bin/bash", "-c"]\nCMD echo $HOME\n' } });
    expect(r2.image.config.config?.Cmd).toEqual(['/bin/bash', '-c', 'echo $HOME']);
  });

  it('multi-stage: FROM an earlier stage, --target', async () => {
    const store = openMemoryStore();
    const context = { Dockerfile: 'FROM scratch AS base\nCOPY a /a\nFROM base AS app\nCOPY b /b\nFROM scratch AS other\nCOPY a /other\n', a: 'A', b: 'B' };
    const r = await build(store, { context, target: 'app' });
    expect(r.image.layers).toHaveLength(2);
    const v = await tree(store, r.digest);
    expect(v.entries().map((n) => n.path).sort()).toEqual(['a', 'b']);
    const last = await build(store, { context });
    expect(last.steps.map((s) => s.text)).toEqual(['FROM scratch AS other', 'COPY a /other']);
  });

  it('errors name the line: missing source, several sources to a file, outside the context, unknown base, URLs, bzip2', async () => {
    const store = openMemoryStore();
    const fails = (Dockerfile: string, extra: Record<string, string | Uint8Array> = {}) => build(store, { context: { Dockerfile, a: 'a', b: 'b', ...extra } });
    await expect(fails('FROM scratch\n\nCOPY nope /x\n')).rejects.toMatchObject({ code: 'NOT_FOUND', data: { line: 3 } });
    await expect(fails('FROM scratch\nCOPY missing* /x/\n')).rejects.toBeInstanceOf(NotFoundError);
    await expect(fails('FROM scratch\nCOPY a b /x\n')).rejects.toMatchObject({ code: 'BUILD_FAILED', data: { line: 2 } });
    await expect(fails('FROM scratch\nCOPY ../etc/passwd /x\n')).rejects.toBeInstanceOf(BuildError);
    await expect(fails('FROM nosuch/image:1\nCOPY a /a\n')).rejects.toMatchObject({ code: 'NOT_FOUND', data: { line: 1 } });
    await expect(fails('FROM scratch\nADD https://example.com/x /x\n')).rejects.toMatchObject({ code: 'BUILD_FAILED', data: { line: 2 } });
    await expect(fails('FROM scratch\nADD x.bz2 /x/\n', { 'x.bz2': new Uint8Array([0x42, 0x5a, 0x68, 0x39, 0, 0]) })).rejects.toBeInstanceOf(UnsupportedError);
    await expect(fails('FROM scratch\nCOPY a /f\nCOPY b /f/g\n')).rejects.toMatchObject({ code: 'BUILD_FAILED', data: { line: 3 } });
    await expect(fails('FROM scratch\nCOPY --chown=app a /f\n')).rejects.toMatchObject({ code: 'BUILD_FAILED', data: { line: 2 } });
    await expect(fails('FROM scratch\nENV X=${Y:?Y is required}\n')).rejects.toMatchObject({ code: 'DOCKERFILE_PARSE' });
    const before = (await store.backend.listBlobs()).length;
    await expect(build(store, { context: { Dockerfile: 'FROM scratch\nCOPY a /a\n', a: 'a' }, tag: 'Not A Name' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await store.backend.listBlobs()).length).toBe(before); // refused before building
    // A file named like a whiteout cannot go into a layer.
    await expect(fails('FROM scratch\nCOPY .wh.x /\n', { '.wh.x': 'x' })).rejects.toMatchObject({ code: 'INVALID_WHITEOUT' });
  });

  it('--chown by name reads the image /etc/passwd and /etc/group', async () => {
    const store = openMemoryStore();
    await build(store, {
      context: { Dockerfile: 'FROM scratch\nCOPY passwd group /etc/\n', passwd: 'root:x:0:0::/root:/bin/sh\napp:x:1234:4321::/home/app:/bin/sh\n', group: 'root:x:0:\nstaff:x:50:\n' },
      tag: 'users:1',
    });
    const r = await build(store, { context: { Dockerfile: 'FROM users:1\nCOPY --chown=app a /a\nCOPY --chown=app:staff a /b\n', a: 'x' } });
    const v = await tree(store, r.digest);
    expect([v.lookup('a')!.entry.uid, v.lookup('a')!.entry.gid]).toEqual([1234, 4321]);
    expect([v.lookup('b')!.entry.uid, v.lookup('b')!.entry.gid]).toEqual([1234, 50]);
  });
});

describe('in-memory contexts (the browser code path)', () => {
  it('File objects from a directory picker, Blobs, and a MemoryTree build the same image', async () => {
    const store = openMemoryStore();
    const f = (name: string, content: string, rel: string) => {
      const file = new File([content], name, { lastModified: 0 });
      Object.defineProperty(file, 'webkitRelativePath', { value: rel });
      return file;
    };
    const viaFiles = await build(store, {
      context: [f('Dockerfile', 'FROM scratch\nCOPY . /app/\n', 'proj/Dockerfile'), f('x.txt', 'x', 'proj/src/x.txt')],
      sourceDateEpoch: 0,
    });
    const viaMap = await build(store, { context: { Dockerfile: new Blob(['FROM scratch\nCOPY . /app/\n']), 'src/x.txt': { content: 'x', mode: 0o644, mtime: 0 } }, sourceDateEpoch: 0 });
    const t = await MemoryTree.from([
      { path: 'Dockerfile', content: 'FROM scratch\nCOPY . /app/\n' },
      { path: 'src', mode: 0o755 },
      { path: 'src/x.txt', content: 'x' },
    ]);
    const viaTree = await build(store, { context: t, sourceDateEpoch: 0 });
    expect(viaFiles.id).toBe(viaMap.id);
    expect(viaTree.id).toBe(viaMap.id);
    const v = await tree(store, viaMap.digest);
    expect(v.entries().map((n) => n.path).sort()).toEqual(['app', 'app/Dockerfile', 'app/src', 'app/src/x.txt']);
    expect(new TextDecoder().decode(await (await memoryContext({ a: 'é' })).readBytes('a'))).toBe('é');
  });

  it('a missing Dockerfile is NOT_FOUND; a Dockerfile text can be given directly', async () => {
    const store = openMemoryStore();
    await expect(build(store, { context: { a: 'x' } })).rejects.toBeInstanceOf(NotFoundError);
    const r = await build(store, { context: { a: 'x' }, dockerfileText: 'FROM scratch\nCOPY a /a\n' });
    expect(r.image.layers).toHaveLength(1);
    const r2 = await store.build({ context: { 'build/Containerfile': 'FROM scratch\nENV A=1\n' }, dockerfile: 'build/Containerfile', tag: 'via-method:1' });
    expect((await store.image('via-method:1')).id).toBe(r2.id);
  });
});
