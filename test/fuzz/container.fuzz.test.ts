/**
 * Fuzz target: random sequences of container file operations (writes,
 * writes through symlinks, mkdir, rm -r, renames across layers and onto
 * files, chmod, chown, symlinks, hardlinks, a directory removed and made
 * again, truncate), each done in a container and with node:fs on a real
 * directory holding the image's unpacked tree (the reference;
 * test/container/ops.ts). Invariants: after every operation the
 * container's view has the reference's paths and types; at the end its
 * rows (types, modes, owners, contents, link targets) and hardlink groups
 * equal the reference's; the committed image, unpacked by applyLayer,
 * equals them again (but for the volume); only typed errors escape. The
 * container suite runs four fixed sequences of 30; this draws the seed,
 * the store (memory or disk), a volume mount (none, over nothing, over an
 * image directory) and up to three generations of containers, each made
 * from the last one's commit (so later ones read through committed
 * whiteouts, opaque directories and hardlinks), each with its own number
 * of operations.
 */
import fc from 'fast-check';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../src/index.js';
import { openStore } from '../../src/node.js';
import { BASE, cleanup, containerLinks, containerRows, hostRows, makeImage, tempDir, TOP } from '../container/helpers.js';
import { entries, inRoot, markUpper, step, unpack } from '../container/ops.js';
import { prng } from '../helpers/prng.js';
import { bounded, fuzz } from './harness.js';

afterAll(cleanup);

/** The files of directory `src` copied into the empty directory `dst`, which takes `src`'s owner and mode (no hardlinks to keep here). */
async function fillFrom(src: string, dst: string): Promise<void> {
  for (const name of await fs.readdir(src)) {
    const from = path.join(src, name);
    const to = path.join(dst, name);
    const st = await fs.lstat(from);
    if (st.isDirectory()) {
      await fs.mkdir(to);
      await fillFrom(from, to);
    } else if (st.isSymbolicLink()) {
      await fs.symlink(await fs.readlink(from), to);
      await fs.lchown(to, st.uid, st.gid);
    } else {
      await fs.copyFile(from, to);
      await fs.chown(to, st.uid, st.gid);
      await fs.chmod(to, st.mode & 0o7777);
    }
  }
  const st = await fs.lstat(src);
  await fs.chown(dst, st.uid, st.gid);
  await fs.chmod(dst, st.mode & 0o7777);
}

describe('fuzz: containers', () => {
  it('random file operations: the container shows the reference directory, and so does its commit', async () => {
    // Both backends: the memory store's writable layers are MemoryTrees, the disk store's are directories.
    const stores = [await openMemoryStore(), await openStore(await tempDir('layerfs-fuzz-store-'))];
    for (const store of stores) await makeImage(store, [inRoot(BASE), inRoot(TOP)], 'fuzz:base');
    // Up to three generations: each container is made from the last one's commit.
    // A volume, in some cases: mounted where the image has no path, or over
    // an image directory (a new volume starts with a copy of it); every
    // generation's container mounts the same one.
    const arb = fc.record({
      seed: fc.integer(),
      steps: fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 3 }),
      disk: fc.boolean(),
      mount: fc.constantFrom(undefined, 'data', 'usr/share/doc'),
    });
    let n = 0;
    let volumes = 0;
    await fuzz('container-ops', 3, arb, ({ seed, steps, disk, mount }) =>
      bounded('container-ops', async () => {
        const store = stores[disk ? 1 : 0]!;
        const r = prng(seed);
        const root = await tempDir('layerfs-fuzz-ref-');
        await unpack(store, 'fuzz:base', root);
        const volume = mount === undefined ? undefined : `fuzz-vol-${volumes++}`;
        const atMount = (p: string) => mount !== undefined && (p === `/${mount}` || p.startsWith(`/${mount}/`));
        const rowsWhere = <T>(rows: Record<string, T>, keep: (p: string) => boolean) => Object.fromEntries(Object.entries(rows).filter(([p]) => keep(p)));
        // What a commit shows at the mount point: the image's files, never the volume's.
        const imageAtMount = rowsWhere(hostRows(root).rows, atMount);
        if (mount === 'data') await fs.mkdir(`${root}/data`, { mode: 0o755 });
        // An empty volume mounted over an image directory is filled from the
        // image again by every container that mounts it (as docker does).
        const pristine = mount === 'usr/share/doc' ? await tempDir('layerfs-fuzz-base-') : undefined;
        if (pristine) await unpack(store, 'fuzz:base', pristine);
        const log: string[] = [];
        const tags: string[] = [];
        try {
          let from = 'fuzz:base';
          for (const [gen, count] of steps.entries()) {
            const c = await store.createContainer(from, volume === undefined ? {} : { volumes: { [`/${mount}`]: volume } });
            const upper = new Set<number>(); // everything is in the image again, but the volume's files
            if (pristine && (await fs.readdir(path.join(root, mount!))).length === 0) await fillFrom(path.join(pristine, mount!), path.join(root, mount!));
            if (mount !== undefined) await markUpper(root, mount, upper);
            try {
              for (let i = 0; i < count; i++) {
                await step(c, root, r, log, upper, mount);
                const want = await entries(root);
                const got: Array<[string, string]> = [];
                for (const [p] of want) got.push([p, (await c.lstat(`/${p}`)).type]);
                expect({ seed, disk, gen, log, paths: got }).toEqual({ seed, disk, gen, log, paths: want });
              }
              const { rows, links } = hostRows(root);
              expect({ seed, disk, gen, log, rows: await containerRows(c), links: await containerLinks(c) }).toEqual({ seed, disk, gen, log, rows, links });
              from = `fuzz:c${n++}`;
              tags.push(from);
              await c.commit({ tag: from });
              const out = await tempDir('layerfs-fuzz-out-');
              await unpack(store, from, out);
              // The same rows, and the same names sharing one file (the volume's left out).
              const unpacked = hostRows(out);
              expect({ seed, disk, gen, log, rows: unpacked.rows, links: unpacked.links }).toEqual({
                seed,
                disk,
                gen,
                log,
                rows: { ...rowsWhere(rows, (p) => !atMount(p)), ...imageAtMount },
                links: links.filter((g) => !g.some(atMount)),
              });
              await fs.rm(out, { recursive: true, force: true });
            } finally {
              await store.removeContainer(c.id);
            }
          }
        } finally {
          for (const t of tags) await store.untag(t);
          if (volume !== undefined) await store.removeVolume(volume);
          await fs.rm(root, { recursive: true, force: true });
          if (pristine) await fs.rm(pristine, { recursive: true, force: true });
        }
      }),
    );
    // Every container, committed image and layer of the cases is gone again.
    for (const store of stores) {
      expect(await store.containers()).toEqual([]);
      expect(await store.volumes()).toEqual([]);
      await store.gc();
      expect((await store.images()).length).toBe(1);
    }
  });
});
