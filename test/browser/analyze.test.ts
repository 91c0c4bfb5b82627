/** The explorer's analysis (web/analyze.ts) in Chromium, on the demo image whose numbers are worked out by hand below. */
import { describe, expect, it } from 'vitest';
import { openMemoryStore, type Store } from '../../src/index.js';
import { analyzeImage as analyzePage } from '../../web/analyze.js';
import { LAYER_SPECS, makeDemoImage } from './fixture.js';

// web/ imports 'layerfs' (typed by dist/*.d.ts under tsc, aliased to src/ at
// run time); this test holds a src/ Store, the same class at run time.
const analyzeImage = (store: Store, ref: string) => analyzePage(store as unknown as Parameters<typeof analyzePage>[0], ref);

describe('explorer analysis', () => {
  it('lists layers, changes (whiteouts as deletions), the merged tree and dive efficiency', async () => {
    const store = openMemoryStore();
    const img = await makeDemoImage(store);
    const { analysis: a } = await analyzeImage(store, 'demo:1');
    expect(a.layers.map((l) => l.digest)).toEqual(img.layers.map((l) => l.digest));
    expect(a.layers.map((l) => l.shortDigest)).toEqual(img.layers.map((l) => l.digest.slice(7, 19)));
    expect(a.layers.map((l) => l.createdBy)).toEqual(LAYER_SPECS.map((s) => s.createdBy));
    expect(a.layers.map((l) => l.size)).toEqual(img.layers.map((l) => l.size));

    const changes = (i: number) => a.layers[i]!.changes.map((c) => `${c.kind} ${c.path}`);
    expect(changes(0)).toEqual(['A bin', 'A bin/app', 'A data', 'A data/big.bin', 'A etc', 'A etc/os-release', 'A etc/passwd']);
    expect(changes(1)).toEqual(expect.arrayContaining(['M bin/app', 'A data/cache', 'A data/cache/tmp.txt']));
    expect(changes(1)).not.toContain('M bin'); // an unchanged parent re-emitted is no change
    expect(changes(2)).toEqual(expect.arrayContaining(['D data/big.bin', 'D data/cache', 'A etc/motd']));
    expect(a.layers[2]!.changes.find((c) => c.path === 'data/big.bin')!.size).toBe(20_000);
    expect(a.layers[2]!.changes.find((c) => c.path === 'data/cache')!.size).toBe(8);
    expect(a.layers[2]!.deleted).toBe(2);

    const tree = Object.fromEntries(a.tree.map((r) => [r.path, r.layer]));
    expect(tree).toEqual({ bin: 0, 'bin/app': 1, data: 0, etc: 0, 'etc/motd': 2, 'etc/os-release': 0, 'etc/passwd': 0 });

    // dive: leaves per layer. L0: passwd 26, os-release 8, app 3000, big.bin 20000; L1: app 4500, cache/tmp.txt 8;
    // L2: motd 3, whiteout big.bin (a file: 0), whiteout cache (a directory: its 8 bytes).
    // min = 26+8+3000+0+8+3+8 = 3053, cumulative = 26+8+7500+20000+8+3+8 = 27553; wasted = app 7500 + big.bin 20000.
    expect(a.totalContent).toBe(27_553);
    expect(a.efficiency).toBeCloseTo(3053 / 27_553, 12);
    expect(a.wastedBytes).toBe(27_500);
    expect(a.inefficiencies).toEqual([
      { path: 'data/big.bin', count: 2, cumulative: 20_000 },
      { path: 'bin/app', count: 2, cumulative: 7_500 },
    ]);
    // overwritten or deleted lower bytes: app v1 3000 + big.bin 20000 + tmp.txt 8
    expect(a.hiddenBytes).toBe(23_008);
  });

  it('an image with one layer and no history wastes nothing', async () => {
    const store = openMemoryStore();
    const { build } = await import('../../src/index.js');
    await build(store, { context: { Dockerfile: 'FROM scratch\nCOPY a /a\n', a: 'x' }, tag: 'one:1' });
    const { analysis: a } = await analyzeImage(store, 'one:1');
    expect(a.layers.length).toBe(1);
    expect(a.efficiency).toBe(1);
    expect(a.wastedBytes).toBe(0);
    expect(a.tree.map((r) => r.path)).toEqual(['a']);
  });
});
