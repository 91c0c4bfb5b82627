/**
 * Interop with umoci 0.4.7 and GNU tar (the peers named in the issue):
 *  - layers umoci writes (`repack`, `insert --opaque`, `insert --whiteout`),
 *    applied in order by layerfs, give the tree `umoci unpack` gives;
 *  - a layer layerfs writes, appended with `umoci raw add-layer` and unpacked
 *    by umoci, gives the tree layerfs gives; GNU tar lists it to its end.
 * Trees are compared by a walk: type, mode, size, content hash, link target,
 * device numbers (and owners when running as root).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyLayer } from '../../src/layer/apply.js';
import { diffTrees } from '../../src/layer/diff.js';
import { NodeDirTree } from '../../src/tree/node-dir.js';
import { requireTools } from '../helpers/tools.js';
import { snapshot } from './helpers.js';

const isRoot = process.getuid?.() === 0;
const rootless = isRoot ? [] : ['--rootless'];
let work: string;

beforeAll(() => {
  requireTools('umoci', 'tar');
  work = mkdtempSync(join(process.env.LAYERFS_TEST_TMP ?? tmpdir(), 'layerfs-umoci-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function umoci(...args: string[]): string {
  return execFileSync('umoci', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Layer blob paths of a tagged image in an OCI layout, bottom first. */
function layersOf(layout: string, tag: string): string[] {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  const desc = index.manifests.find((m: { annotations?: Record<string, string> }) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  const blob = (d: string) => join(layout, 'blobs', ...d.split(':'));
  const manifest = JSON.parse(readFileSync(blob(desc.digest), 'utf8'));
  return manifest.layers.map((l: { digest: string }) => blob(l.digest));
}

async function layerfsUnpack(layout: string, tag: string, dest: string): Promise<void> {
  mkdirSync(dest, { recursive: true });
  for (const l of layersOf(layout, tag)) await applyLayer(new Uint8Array(readFileSync(l)), new NodeDirTree(dest));
}

function umociUnpack(layout: string, tag: string, bundle: string): string {
  umoci('unpack', ...rootless, '--image', `${layout}:${tag}`, bundle);
  return join(bundle, 'rootfs');
}

const snap = (dir: string) => snapshot(new NodeDirTree(dir), { owner: isRoot });

describe('umoci writes, layerfs applies', () => {
  test('repack (adds, modifies, deletes, type changes), insert --opaque and insert --whiteout: same tree as umoci unpack', async () => {
    const layout = join(work, 'img1');
    umoci('init', '--layout', layout);
    umoci('new', '--image', `${layout}:base`);
    const bundle = join(work, 'bundle1');
    umociUnpack(layout, 'base', bundle);
    const rootfs = join(bundle, 'rootfs');
    mkdirSync(join(rootfs, 'etc/conf.d'), { recursive: true });
    writeFileSync(join(rootfs, 'etc/hosts'), '127.0.0.1 localhost\n');
    writeFileSync(join(rootfs, 'etc/conf.d/a'), 'a');
    writeFileSync(join(rootfs, 'etc/conf.d/b'), 'b');
    mkdirSync(join(rootfs, 'usr/bin'), { recursive: true });
    writeFileSync(join(rootfs, 'usr/bin/tool'), '#!/bin/sh\necho hi\n');
    chmodSync(join(rootfs, 'usr/bin/tool'), 0o4755);
    linkSync(join(rootfs, 'usr/bin/tool'), join(rootfs, 'usr/bin/tool2'));
    symlinkSync('usr/bin', join(rootfs, 'bin'));
    mkdirSync(join(rootfs, 'var/cache/x/y'), { recursive: true });
    writeFileSync(join(rootfs, 'var/cache/x/y/z'), 'zzz');
    writeFileSync(join(rootfs, 'turns-dir'), 'file for now');
    execFileSync('mkfifo', [join(rootfs, 'fifo')]);
    umoci('repack', '--refresh-bundle', '--image', `${layout}:v1`, bundle);

    // Second layer: modify, delete a file and a directory, change types.
    writeFileSync(join(rootfs, 'etc/hosts'), '127.0.0.1 localhost\n::1 localhost\n');
    rmSync(join(rootfs, 'etc/conf.d/a'));
    rmSync(join(rootfs, 'var/cache'), { recursive: true });
    rmSync(join(rootfs, 'turns-dir'));
    mkdirSync(join(rootfs, 'turns-dir'));
    writeFileSync(join(rootfs, 'turns-dir/inside'), 'i');
    rmSync(join(rootfs, 'bin'));
    writeFileSync(join(rootfs, 'bin'), 'bin is a file now');
    umoci('repack', '--refresh-bundle', '--image', `${layout}:v2`, bundle);

    // Third and fourth layers: an opaque directory replacing etc/, and a whiteout.
    const src = join(work, 'opaque-src');
    mkdirSync(src);
    writeFileSync(join(src, 'only'), 'only this');
    umoci('insert', ...rootless, '--opaque', '--image', `${layout}:v2`, '--tag', 'v3', src, '/etc');
    umoci('insert', ...rootless, '--whiteout', '--image', `${layout}:v3`, '--tag', 'v4', '/usr/bin/tool2');

    for (const tag of ['v1', 'v2', 'v3', 'v4']) {
      const ref = umociUnpack(layout, tag, join(work, `ref-${tag}`));
      const ours = join(work, `ours-${tag}`);
      await layerfsUnpack(layout, tag, ours);
      expect(await snap(ours), tag).toEqual(await snap(ref));
    }
    // The opaque layer really hid the lower children, and the whiteout removed one name only.
    const v4 = await snap(join(work, 'ours-v4'));
    expect(Object.keys(v4).filter((p) => p.startsWith('etc/'))).toEqual(['etc/only']);
    expect(v4['usr/bin/tool2']).toBeUndefined();
    expect(v4['usr/bin/tool']).toMatch(/^file 4755 /);
  });
});

describe('layerfs writes, umoci applies', () => {
  test('a diffTrees layer added with `umoci raw add-layer` unpacks to the upper tree; GNU tar lists every entry', async () => {
    const layout = join(work, 'img2');
    umoci('init', '--layout', layout);
    umoci('new', '--image', `${layout}:base`);
    const bundle = join(work, 'bundle2');
    const rootfs = umociUnpack(layout, 'base', bundle);
    mkdirSync(join(rootfs, 'app/lib'), { recursive: true });
    writeFileSync(join(rootfs, 'app/lib/keep'), 'keep');
    writeFileSync(join(rootfs, 'app/lib/change'), 'before');
    mkdirSync(join(rootfs, 'app/old/deep'), { recursive: true });
    writeFileSync(join(rootfs, 'app/old/deep/f'), 'f');
    writeFileSync(join(rootfs, 'app/todir'), 'x');
    umoci('repack', '--refresh-bundle', '--image', `${layout}:v1`, bundle);

    const lower = join(work, 'lower2');
    await layerfsUnpack(layout, 'v1', lower);
    const upper = join(work, 'upper2');
    execFileSync('cp', ['-a', lower, upper]);
    writeFileSync(join(upper, 'app/lib/change'), 'after!');
    rmSync(join(upper, 'app/old'), { recursive: true });
    rmSync(join(upper, 'app/todir'));
    mkdirSync(join(upper, 'app/todir'));
    writeFileSync(join(upper, 'app/todir/x'), 'x');
    writeFileSync(join(upper, 'app/new'), 'new');
    linkSync(join(upper, 'app/new'), join(upper, 'app/new-link'));
    symlinkSync('../etc/hosts', join(upper, 'app/hosts'));
    execFileSync('mkfifo', [join(upper, 'app/pipe')]);

    const layerFile = join(work, 'layerfs.tar');
    const layer = await diffTrees(new NodeDirTree(lower), new NodeDirTree(upper), { compression: 'none' });
    writeFileSync(layerFile, layer.bytes!);

    const listed = execFileSync('tar', ['-tvf', layerFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n');
    expect(listed.length).toBe(layer.entries);
    expect(listed.some((l) => l.endsWith('app/.wh.old'))).toBe(true);

    umoci('raw', 'add-layer', '--image', `${layout}:v1`, '--tag', 'v2', layerFile);
    const ref = umociUnpack(layout, 'v2', join(work, 'ref2'));
    expect(await snap(ref)).toEqual(await snap(upper));
    const ours = join(work, 'ours2');
    await layerfsUnpack(layout, 'v2', ours);
    expect(await snap(ours)).toEqual(await snap(upper));
  });
});
