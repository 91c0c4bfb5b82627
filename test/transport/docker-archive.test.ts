/**
 * docker-archive: in the shape `docker save` writes (legacy `<id>/layer.tar`
 * directories, a repeated layer as a symlink to the first copy), built with
 * GNU tar; and archives that try to point outside themselves.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryTree, openMemoryStore } from '../../src/node.js';
import { encodeTar, tarHeader } from '../../src/tar/index.js';
import { requireTools } from '../helpers/tools.js';
import { tmp } from './fixtures.js';

requireTools('tar');
const work = tmp('docker-archive');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const enc = new TextEncoder();
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** A docker-save directory: layer A, layer B, layer A again (as a symlink), and its config. */
function dockerSaveDir(name: string, tweak?: (m: Record<string, unknown>, dir: string) => void): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  const a = encodeTar([{ header: tarHeader({ path: 'a.txt', size: 2 }), data: enc.encode('a\n') }]);
  const b = encodeTar([{ header: tarHeader({ path: '.wh.a.txt', size: 0 }), data: new Uint8Array(0) }, { header: tarHeader({ path: 'b.txt', size: 2 }), data: enc.encode('b\n') }]);
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [a, b, a].map((t) => `sha256:${sha(t)}`) } });
  for (const [id, t] of [['1111', a], ['2222', b]] as const) {
    fs.mkdirSync(path.join(dir, id));
    fs.writeFileSync(path.join(dir, id, 'layer.tar'), t);
    fs.writeFileSync(path.join(dir, id, 'VERSION'), '1.0');
  }
  fs.mkdirSync(path.join(dir, '3333'));
  fs.symlinkSync('../1111/layer.tar', path.join(dir, '3333', 'layer.tar'));
  fs.writeFileSync(path.join(dir, `${sha(config)}.json`), config);
  const m: Record<string, unknown> = { Config: `${sha(config)}.json`, RepoTags: ['saved/app:3'], Layers: ['1111/layer.tar', '2222/layer.tar', '3333/layer.tar'] };
  tweak?.(m, dir);
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify([m]));
  fs.writeFileSync(path.join(dir, 'repositories'), JSON.stringify({ 'saved/app': { '3': '3333' } }));
  const file = path.join(work, `${name}.tar`);
  execFileSync('tar', ['-cf', file, '-C', dir, '.']);
  return file;
}

describe('docker-archive in docker save form', () => {
  it('follows the symlink of a repeated layer and keeps the config digest', async () => {
    const file = dockerSaveDir('save');
    const store = openMemoryStore();
    const r = await store.copy(`docker-archive:${file}:saved/app:3`, 'loaded');
    const img = await store.image('loaded');
    expect(img.id).toBe(r.id);
    expect(img.layers.map((l) => l.digest)).toEqual([img.layers[0]!.digest, img.layers[1]!.digest, img.layers[0]!.digest]);
    expect(img.layers.map((l) => l.digest)).toEqual(img.layers.map((l) => l.diffId)); // plain tars: digest = diffId
    const tree = new MemoryTree();
    await store.unpack('loaded', tree);
    const paths: string[] = [];
    for await (const e of tree.walk()) paths.push(e.path);
    expect(paths).toEqual(['a.txt', 'b.txt']);
    // @0 picks by position; a RepoTag that is not there is NOT_FOUND
    await expect(store.copy(`docker-archive:${file}:@0`, 'byindex')).resolves.toMatchObject({ id: img.id });
    await expect(store.copy(`docker-archive:${file}:other:1`, 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('archives that point outside themselves or lie are typed errors', async () => {
    const outside = dockerSaveDir('outside', (m) => {
      m.Config = '../../../etc/passwd';
    });
    await expect(openMemoryStore().copy(`docker-archive:${outside}`, 'x')).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    const badLink = dockerSaveDir('badlink', (_m, dir) => {
      fs.rmSync(path.join(dir, '3333', 'layer.tar'));
      fs.symlinkSync('../../../../etc/passwd', path.join(dir, '3333', 'layer.tar'));
    });
    await expect(openMemoryStore().copy(`docker-archive:${badLink}`, 'x')).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    const missing = dockerSaveDir('missing', (m) => {
      m.Layers = ['1111/layer.tar', '2222/layer.tar', '9999/layer.tar'];
    });
    await expect(openMemoryStore().copy(`docker-archive:${missing}`, 'x')).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    const wrongCount = dockerSaveDir('count', (m) => {
      m.Layers = ['1111/layer.tar'];
    });
    await expect(openMemoryStore().copy(`docker-archive:${wrongCount}`, 'x')).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    const notJson = dockerSaveDir('notjson', (m) => {
      m.Layers = 'nope';
    });
    await expect(openMemoryStore().copy(`docker-archive:${notJson}`, 'x')).rejects.toMatchObject({ code: 'MANIFEST_INVALID', data: { path: '$[0].Layers' } });
    await expect(openMemoryStore().copy(`docker-archive:${path.join(work, 'absent.tar')}`, 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // a layout directory that is not one
    await expect(openMemoryStore().copy(`oci:${work}`, 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
