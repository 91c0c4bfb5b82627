import { describe, expect, it } from 'vitest';
import { openMemoryStore, LAYER_INDEX } from '../../src/index.js';
import { build } from '../../src/build/index.js';
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
});
