/**
 * Random sequences of file operations, done both in a container and with
 * node:fs on a real directory holding the image's unpacked tree (the
 * reference). After each sequence the container shows the reference's
 * tree; after commit, applying the new image's layers (applyLayer) gives
 * that tree again. The base has no hardlinks: a write to one name of a
 * lower hardlink breaks the link in a container (overlayfs copy-up), which
 * a plain directory does not.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyLayer, type Container, type Store } from '../../src/index.js';
import { NodeDirTree } from '../../src/node.js';
import { backends, BASE, cleanup, containerRows, hostRows, makeImage, tempDir, TOP } from './helpers.js';
import { prng as rng } from '../helpers/prng.js';

afterAll(cleanup);

const noLinks = (specs: typeof BASE) => specs.filter((e) => e.type !== 'hardlink' && e.path !== 'escape');

async function unpack(store: Store, ref: string, dir: string): Promise<void> {
  const img = await store.image(ref);
  const tree = new NodeDirTree(dir);
  for (const l of img.layers) await applyLayer(await store.getBlobBytes(l.digest), tree);
}

/** Entries of the reference directory, without following symlinks: [path, type]. */
async function entries(root: string): Promise<Array<[string, 'file' | 'directory' | 'symlink']>> {
  const out: Array<[string, 'file' | 'directory' | 'symlink']> = [];
  const visit = async (rel: string) => {
    for (const name of (await fs.readdir(path.join(root, rel))).sort()) {
      const p = rel ? `${rel}/${name}` : name;
      const st = await fs.lstat(path.join(root, p));
      if (st.isDirectory()) {
        out.push([p, 'directory']);
        await visit(p);
      } else out.push([p, st.isSymbolicLink() ? 'symlink' : 'file']);
    }
  };
  await visit('');
  return out;
}

async function step(c: Container, root: string, r: () => number, log: string[]): Promise<void> {
  const all = await entries(root);
  const pick = <T>(xs: T[]): T | undefined => (xs.length ? xs[Math.floor(r() * xs.length)] : undefined);
  const dirs = ['', ...all.filter((e) => e[1] === 'directory').map((e) => e[0])];
  const files = all.filter((e) => e[1] === 'file').map((e) => e[0]);
  const fresh = () => {
    const d = pick(dirs)!;
    return `${d ? `${d}/` : ''}n${Math.floor(r() * 1e6).toString(36)}`;
  };
  const host = (p: string) => path.join(root, p);
  const kind = Math.floor(r() * 9);
  if (kind === 0 || (kind === 1 && files.length === 0)) {
    const p = fresh();
    const data = `new ${p} ${r()}`;
    log.push(`write new ${p}`);
    await c.writeFile(`/${p}`, data, { mode: 0o644 });
    await fs.writeFile(host(p), data, { mode: 0o644 });
    await fs.chmod(host(p), 0o644); // whatever the umask
  } else if (kind === 1) {
    const p = pick(files)!;
    const data = `changed ${r()}`;
    log.push(`write ${p}`);
    await c.writeFile(`/${p}`, data);
    await fs.writeFile(host(p), data);
  } else if (kind === 2) {
    const p = fresh();
    log.push(`mkdir ${p}`);
    await c.mkdir(`/${p}`, { mode: 0o755 });
    await fs.mkdir(host(p), { mode: 0o755 });
    await fs.chmod(host(p), 0o755);
  } else if (kind === 3 && all.length) {
    const [p] = pick(all)!;
    log.push(`rm -r ${p}`);
    await c.rm(`/${p}`, { recursive: true });
    await fs.rm(host(p), { recursive: true });
  } else if (kind === 4 && all.length) {
    const [src, type] = pick(all)!;
    const targets = dirs.filter((d) => type !== 'directory' || (d !== src && !d.startsWith(`${src}/`)));
    const d = pick(targets)!;
    const dst = `${d ? `${d}/` : ''}m${Math.floor(r() * 1e6).toString(36)}`;
    log.push(`rename ${src} ${dst}`);
    await c.rename(`/${src}`, `/${dst}`);
    await fs.rename(host(src), host(dst));
  } else if (kind === 5 && all.length) {
    const cands = all.filter((e) => e[1] !== 'symlink');
    const [p, type] = pick(cands)!;
    const mode = type === 'directory' ? pick([0o700, 0o755, 0o750])! : pick([0o600, 0o644, 0o755, 0o640])!;
    log.push(`chmod ${mode.toString(8)} ${p}`);
    await c.chmod(`/${p}`, mode);
    await fs.chmod(host(p), mode);
  } else if (kind === 6) {
    const p = fresh();
    const target = pick(['etc/motd', '../x', 'nowhere', 'usr/share'])!;
    log.push(`symlink ${target} ${p}`);
    await c.symlink(target, `/${p}`);
    await fs.symlink(target, host(p));
  } else if (kind === 7 && dirs.length > 1) {
    // A directory deleted and made again (opaque in the writable layer).
    const p = pick(dirs.slice(1))!;
    log.push(`rm -r + mkdir ${p}`);
    await c.rm(`/${p}`, { recursive: true });
    await c.mkdir(`/${p}`, { mode: 0o755 });
    await fs.rm(host(p), { recursive: true });
    await fs.mkdir(host(p), { mode: 0o755 });
    await fs.chmod(host(p), 0o755);
  } else if (files.length) {
    const p = pick(files)!;
    const n = Math.floor(r() * 40);
    log.push(`truncate ${p} ${n}`);
    await c.truncate(`/${p}`, n);
    await fs.truncate(host(p), n);
  }
}

describe.each(backends)('%s store: random operations against a real directory', (_kind, open) => {
  it('shows the reference tree, and so does the committed image', async () => {
    const store = await open();
    await makeImage(store, [noLinks(BASE), noLinks(TOP)], 'prop:1');
    for (const seed of [1, 2, 3, 4]) {
      const r = rng(seed);
      const root = await tempDir('layerfs-prop-ref-');
      await unpack(store, 'prop:1', root);
      const c = await store.createContainer('prop:1');
      const log: string[] = [];
      let before = await entries(root);
      for (let i = 0; i < 30; i++) {
        await step(c, root, r, log);
        // Lookups right after a change (answered on top of the index, no listing in between).
        const after = await entries(root);
        const types: Record<string, string> = {};
        for (const [p] of after) types[p] = (await c.lstat(`/${p}`)).type;
        expect({ seed, log, types }).toEqual({ seed, log, types: Object.fromEntries(after.map(([p, t]) => [p, t])) });
        const names = new Set(after.map(([p]) => p));
        for (const [p] of before) if (!names.has(p)) expect({ seed, log, p, exists: await c.lstat(`/${p}`).then(() => true, () => false) }).toEqual({ seed, log, p, exists: false });
        before = after;
      }
      const want = hostRows(root).rows;
      expect({ seed, log, rows: await containerRows(c) }).toEqual({ seed, log, rows: want });
      const img = await c.commit({ tag: `prop:seed${seed}` });
      const out = await tempDir('layerfs-prop-out-');
      await unpack(store, `prop:seed${seed}`, out);
      expect({ seed, log, rows: hostRows(out).rows }).toEqual({ seed, log, rows: want });
      expect(img.layers.length).toBe(3);
      await store.removeContainer(c.id);
    }
  });
});
