/**
 * Random sequences of file operations, done both in a container and with
 * node:fs on a real directory holding the image's unpacked tree (the
 * reference). After each sequence the container shows the reference's
 * tree; after commit, applying the new image's layers (applyLayer) gives
 * that tree again, with the same names sharing one file. The operations
 * and the base are those of ./ops.ts (the reference copies files up as
 * overlayfs does, the base keeps its hardlinks; see inRoot there).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { backends, BASE, cleanup, containerLinks, containerRows, hostRows, makeImage, tempDir, TOP } from './helpers.js';
import { entries, inRoot, step, unpack } from './ops.js';
import { prng as rng } from '../helpers/prng.js';

afterAll(cleanup);

describe.each(backends)('%s store: random operations against a real directory', (_kind, open) => {
  it('shows the reference tree, and so does the committed image', async () => {
    const store = await open();
    await makeImage(store, [inRoot(BASE), inRoot(TOP)], 'prop:1');
    for (const seed of [1, 2, 3, 4]) {
      const r = rng(seed);
      const root = await tempDir('layerfs-prop-ref-');
      await unpack(store, 'prop:1', root);
      const c = await store.createContainer('prop:1');
      const log: string[] = [];
      const upper = new Set<number>();
      let before = await entries(root);
      for (let i = 0; i < 30; i++) {
        await step(c, root, r, log, upper);
        // Lookups right after a change (answered on top of the index, no listing in between).
        const after = await entries(root);
        const types: Record<string, string> = {};
        for (const [p] of after) types[p] = (await c.lstat(`/${p}`)).type;
        expect({ seed, log, types }).toEqual({ seed, log, types: Object.fromEntries(after.map(([p, t]) => [p, t])) });
        const names = new Set(after.map(([p]) => p));
        for (const [p] of before) if (!names.has(p)) expect({ seed, log, p, exists: await c.lstat(`/${p}`).then(() => true, () => false) }).toEqual({ seed, log, p, exists: false });
        before = after;
      }
      const { rows: want, links } = hostRows(root);
      expect({ seed, log, rows: await containerRows(c), links: await containerLinks(c) }).toEqual({ seed, log, rows: want, links });
      const img = await c.commit({ tag: `prop:seed${seed}` });
      const out = await tempDir('layerfs-prop-out-');
      await unpack(store, `prop:seed${seed}`, out);
      // The same rows, and the same names sharing one file.
      const unpacked = hostRows(out);
      expect({ seed, log, rows: unpacked.rows, links: unpacked.links }).toEqual({ seed, log, rows: want, links });
      expect(img.layers.length).toBe(3);
      await store.removeContainer(c.id);
    }
  });
});
