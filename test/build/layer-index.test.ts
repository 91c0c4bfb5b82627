import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openMemoryStore, LAYER_INDEX } from '../../src/index.js';
import { build } from '../../src/build/index.js';
import { nodeContext } from '../../src/build/node.js';
import { readLayer } from '../../src/layer/read.js';
import { encodeTar } from '../../src/tar/index.js';

describe('layer indexes written by the build', () => {
  it('match what reading the layer gives (offsets included), so views read no layer', async () => {
    const store = openMemoryStore();
    const long = `${'d'.repeat(60)}/${'e'.repeat(70)}/${'f'.repeat(120)}.txt`; // beyond ustar: PAX path
    const tar = encodeTar([
      { header: { path: 'pkg/', type: 'directory', mode: 0o755, uid: 5, gid: 6, uname: 'u', gname: 'g', size: 0, mtime: 1, linkname: '', devmajor: 0, devminor: 0, xattrs: {} } },
      { header: { path: 'pkg/a', type: 'file', mode: 0o600, uid: 5, gid: 6, uname: 'u', gname: 'g', size: 3, mtime: 2, linkname: '', devmajor: 0, devminor: 0, xattrs: {} }, data: new TextEncoder().encode('abc') },
      { header: { path: 'pkg/b', type: 'hardlink', mode: 0o600, uid: 5, gid: 6, uname: 'u', gname: 'g', size: 0, mtime: 2, linkname: 'pkg/a', devmajor: 0, devminor: 0, xattrs: {} } },
    ]);
    const r = await build(store, {
      context: {
        Dockerfile: 'FROM scratch\nCOPY . /src/\nADD pkg.tar /opt/\nCOPY ["unicodé ✓.txt", "/u/"]\n',
        [long]: 'x'.repeat(1000),
        'small.txt': 's',
        'unicodé ✓.txt': 'u',
        'pkg.tar': tar,
      },
      sourceDateEpoch: 100,
    });
    expect(r.image.layers).toHaveLength(3);
    for (const l of r.image.layers) {
      const rec = await store.backend.getRecord<{ v: number; diffId: string; entries: unknown[] }>(LAYER_INDEX, l.digest);
      expect(rec?.value.diffId).toBe(l.diffId);
      const actual = (await readLayer(await store.getBlob(l.digest), { contentDigests: false })).entries.map(({ xattrs, ...e }) => ({ ...e, path: e.path.replace(/\/$/, '') }));
      expect(rec!.value.entries.map((e) => ({ ...(e as object), path: (e as { path: string }).path.replace(/\/$/, '') }))).toEqual(actual);
    }
    const view = await store.view(r.digest);
    expect(new TextDecoder().decode(await view.readFile(`src/${long}`))).toBe('x'.repeat(1000));
    expect(new TextDecoder().decode(await view.readFile('opt/pkg/b'))).toBe('abc');
  });

  it('from a directory read in one pass, record the content digest of each file as the layer holds it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerfs-index-'));
    try {
      fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY app /app\n');
      const sizes = [0, 1, 511, 512, 513, 70_000, 300_000];
      fs.mkdirSync(path.join(dir, 'app', 'sub'), { recursive: true });
      sizes.forEach((n, i) => fs.writeFileSync(path.join(dir, 'app', i % 2 ? 'sub' : '', `f${i}`), randomBytes(n)));
      const store = openMemoryStore();
      const r = await build(store, { context: await nodeContext(dir), sourceDateEpoch: 100 });
      const l = r.image.layers[0]!;
      const rec = await store.backend.getRecord<{ entries: Array<{ path: string; type: string; contentDigest?: string }> }>(LAYER_INDEX, l.digest);
      const actual = (await readLayer(await store.getBlob(l.digest))).entries;
      const files = actual.filter((e) => e.type === 'file');
      expect(files).toHaveLength(sizes.length);
      for (const f of files) expect(rec!.value.entries.find((e) => e.path === f.path)?.contentDigest, f.path).toBe(f.contentDigest);
      // A container reads them by those digests.
      const c = await store.createContainer(r.digest);
      for (const [i, n] of sizes.entries()) {
        const want = fs.readFileSync(path.join(dir, 'app', i % 2 ? 'sub' : '', `f${i}`));
        const got = await c.readFile(`/app/${i % 2 ? 'sub/' : ''}f${i}`);
        expect(got.length).toBe(n);
        expect(Buffer.compare(got, want)).toBe(0);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
