/**
 * The image commands end to end through the CLI entry (main), on a store in
 * a temporary directory and an image built by umoci.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { requireTools } from '../helpers/tools.js';
import { buildUmociImage, tmp, umociUnpack, walkTree } from '../transport/fixtures.js';

requireTools('umoci');

const work = tmp('cli');
const storeDir = path.join(work, 'store');
const layout = path.join(work, 'myapp');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const dec = new TextDecoder();
  const w = (f: (s: string) => void) => ({ write: (s: string | Uint8Array) => f(typeof s === 'string' ? s : dec.decode(s)) });
  const code = await main([...argv, '--store', storeDir], {
    stdout: w((s) => (out += s)),
    stderr: w((s) => (err += s)),
    env: {},
  });
  return { code, out, err };
}

beforeAll(() => {
  buildUmociImage(layout, 'v1', { insert: false });
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('layerfs image commands', () => {
  it('load names the image after the layout and its tag; images lists it', async () => {
    const r = await cli('load', `oci:${layout}:v1`);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Loaded image myapp:v1 \([0-9a-f]{12}\)/);
    const list = await cli('images', '--json');
    const rows = JSON.parse(list.out);
    expect(rows).toHaveLength(1);
    expect(rows[0].names).toEqual(['myapp:v1']);
    expect((await cli('images')).out).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID.*\nmyapp\s+v1\s+[0-9a-f]{12}/);
  });

  it('tag, inspect and history', async () => {
    expect((await cli('tag', 'myapp:v1', 'other/name')).code).toBe(0);
    const info = JSON.parse((await cli('inspect', 'other/name')).out);
    expect(info.RepoTags).toEqual(['myapp:v1', 'other/name:latest']);
    expect(info.Layers).toHaveLength(2);
    expect(info.Layers[0].ChainID).toBe(info.Layers[0].DiffID);
    const h = await cli('history', 'myapp:v1');
    expect(h.out.trim().split('\n')).toHaveLength(3);
  });

  it('ls, ls -R --origin --json and cat read the merged tree without unpacking', async () => {
    const top = await cli('ls', 'myapp:v1');
    expect(top.out).toContain('/a.txt');
    expect(top.out).not.toContain('/del.txt');
    expect(top.out).toContain('/link -> a.txt');
    const all = JSON.parse((await cli('ls', '-R', '--origin', '--json', 'myapp:v1')).out) as Array<{ path: string; layer: number }>;
    const byPath = Object.fromEntries(all.map((e) => [e.path, e.layer]));
    expect(byPath['a.txt']).toBe(1);
    expect(byPath['dir/keep']).toBe(0);
    expect(byPath['dir/sub/new']).toBe(1);
    expect(byPath['gone']).toBeUndefined();
    const c = await cli('cat', 'myapp:v1', '/link');
    expect(c.out).toBe('alpha, changed\n');
    const missing = await cli('cat', 'myapp:v1', '/nope');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/NOT_FOUND/);
  });

  it('unpack writes the tree umoci unpacks', async () => {
    const dir = path.join(work, 'unpacked');
    const r = await cli('unpack', 'myapp:v1', dir);
    expect(r.code).toBe(0);
    expect(walkTree(dir)).toEqual(walkTree(umociUnpack(layout, 'v1', path.join(work, 'bundle'))));
  });

  it('save and copy write other transports; load reads them back', async () => {
    const tar = path.join(work, 'saved.tar');
    expect((await cli('save', 'myapp:v1', tar)).code).toBe(0);
    expect((await cli('copy', 'myapp:v1', `oci:${path.join(work, 'copied')}:c`)).code).toBe(0);
    expect(fs.existsSync(path.join(work, 'copied', 'index.json'))).toBe(true);
    const z = await cli('copy', '--compress', 'zstd', 'myapp:v1', 'myapp:zstd');
    expect(z.out).toMatch(/2 blobs sent, 1 already there/); // two new layer blobs, the config is shared
    const zi = JSON.parse((await cli('inspect', 'myapp:zstd')).out);
    const orig = JSON.parse((await cli('inspect', 'myapp:v1')).out);
    expect(zi.Id).toBe(orig.Id);
    expect(zi.Layers.map((l: { MediaType: string }) => l.MediaType)).toEqual(['application/vnd.oci.image.layer.v1.tar+zstd', 'application/vnd.oci.image.layer.v1.tar+zstd']);
    expect((await cli('rmi', 'myapp:zstd')).code).toBe(0);
    expect((await cli('copy', '--compress', 'lz4', 'myapp:v1', 'x')).code).toBe(2);
    const l = await cli('load', `docker-archive:${tar}`, 'fromtar:1');
    expect(l.out).toContain('fromtar:1');
    const a = JSON.parse((await cli('inspect', 'fromtar:1')).out);
    const b = JSON.parse((await cli('inspect', 'myapp:v1')).out);
    expect(a.Id).toBe(b.Id);
    expect(a.RootFS).toEqual(b.RootFS);
    expect((await cli('rmi', 'fromtar:1')).code).toBe(0);
  });

  it('du, rmi and gc', async () => {
    const du = JSON.parse((await cli('du', '--json')).out);
    expect(du.images[0].unique).toBeGreaterThan(0);
    const r = await cli('rmi', 'other/name');
    expect(r.out).toBe('Untagged: other/name:latest\n');
    const r2 = await cli('rmi', 'myapp:v1');
    expect(r2.out).toMatch(/Untagged: myapp:v1\n(Deleted: sha256:[0-9a-f]{64}\n){4}/);
    expect(JSON.parse((await cli('images', '--json')).out)).toEqual([]);
    expect((await cli('gc')).out).toMatch(/^removed \d+ blobs/);
    const bad = await cli('inspect', 'myapp:v1');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/NOT_FOUND/);
    const usage = await cli('tag', 'only-one');
    expect(usage.code).toBe(2);
  });
});
