/**
 * The `layerfs container ...` and `layerfs volume ...` commands against a
 * disk store (--store DIR), run through the CLI's main() as a shell would.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { openStore } from '../../src/node.js';
import { baseImage, cleanup, tempDir } from './helpers.js';

afterAll(cleanup);

async function cli(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string; bytes: Uint8Array }> {
  const out: Uint8Array[] = [];
  const err: string[] = [];
  const enc = new TextEncoder();
  const code = await main(args, {
    stdout: { write: (s: string | Uint8Array) => out.push(typeof s === 'string' ? enc.encode(s) : s) },
    stderr: { write: (s: string | Uint8Array) => err.push(typeof s === 'string' ? s : new TextDecoder().decode(s)) },
    stdin: Readable.from([Buffer.from(stdin)]),
    env: {},
  });
  const bytes = Buffer.concat(out);
  return { code, out: new TextDecoder().decode(bytes), err: err.join(''), bytes };
}

describe('layerfs container / volume', () => {
  it('create, ls, write, cat, ls-files, delete, diff, cp both ways, commit, rm', async () => {
    const dir = await tempDir();
    await baseImage(await openStore(dir));
    const s = ['--store', dir];

    expect((await cli(['volume', 'create', 'vol1', ...s])).out).toBe('vol1\n');
    const created = await cli(['container', 'create', ...s, '--name', 'box', '-v', 'vol1:/data', 'base:1']);
    expect(created.code).toBe(0);
    const id = created.out.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);

    const ls = await cli(['container', 'ls', ...s]);
    expect(ls.out).toContain(id.slice(0, 12));
    expect(ls.out).toContain('box');
    expect(ls.out).toContain('vol1:/data');
    const lsJson = JSON.parse((await cli(['container', 'ls', '--json', ...s])).out);
    expect(lsJson).toMatchObject([{ id, name: 'box', imageRef: 'base:1', volumes: { data: 'vol1' } }]);

    expect((await cli(['container', 'write', ...s, 'box', '/etc/greeting'], 'hi there\n')).code).toBe(0);
    expect((await cli(['container', 'cat', ...s, id.slice(0, 8), '/etc/greeting'])).out).toBe('hi there\n');
    expect((await cli(['container', 'cat', ...s, 'box', '/etc/motd'])).out).toBe('hello from layer 1\n');
    expect((await cli(['container', 'delete', ...s, 'box', '/usr/share/doc', '-r'])).code).toBe(0);

    const files = (await cli(['container', 'ls-files', ...s, 'box', '/etc'])).out;
    expect(files).toMatch(/^-rw-r--r--\s+0\s+0\s+9 container\s+\/etc\/greeting$/m);
    expect(files).toMatch(/^-rw-r--r--\s+0\s+0\s+19 image\s+\/etc\/motd$/m);

    // cp: a host directory in, then back out.
    const host = await tempDir();
    await fs.mkdir(path.join(host, 'site/css'), { recursive: true });
    await fs.writeFile(path.join(host, 'site/index.html'), '<h1>x</h1>');
    await fs.writeFile(path.join(host, 'site/css/a.css'), 'body{}');
    await fs.chmod(path.join(host, 'site/index.html'), 0o600);
    await fs.symlink('index.html', path.join(host, 'site/home.html'));
    // Times long past, so that a copy that does not keep them shows.
    await fs.utimes(path.join(host, 'site/index.html'), 1_000_000_000, 1_000_000_000);
    await fs.utimes(path.join(host, 'site/css/a.css'), 1_000_000_100, 1_000_000_100);
    await fs.utimes(path.join(host, 'site/css'), 1_000_000_200, 1_000_000_200);
    const missing = await cli(['container', 'cp', ...s, path.join(host, 'site'), 'box:/nope/srv']);
    expect(missing.code).toBe(1); // the target's parent is missing
    expect(missing.err).toContain('NOT_FOUND');
    expect(missing.err).toContain('no directory /nope in it');
    expect((await cli(['container', 'cp', ...s, path.join(host, 'site'), 'box:/opt'])).code).toBe(0); // into /opt (a directory)
    expect((await cli(['container', 'cat', ...s, 'box', '/opt/site/css/a.css'])).out).toBe('body{}');
    expect((await cli(['container', 'cat', ...s, 'box', '/opt/site/home.html'])).out).toBe('<h1>x</h1>');
    await cli(['container', 'cp', ...s, path.join(host, 'site/index.html'), 'box:/data/']);
    expect((await cli(['container', 'cat', ...s, 'box', '/data/index.html'])).out).toBe('<h1>x</h1>');
    const noSrc = await cli(['container', 'cp', ...s, path.join(host, 'no-such-dir'), 'box:/opt']);
    expect(noSrc.code).toBe(1);
    expect(noSrc.err).toContain('NOT_FOUND');
    const noDst = await cli(['container', 'cp', ...s, 'box:/etc/motd', path.join(host, 'missing/dir/motd')]);
    expect(noDst.code).toBe(1);
    expect(noDst.err).toContain('NOT_FOUND');
    expect(noDst.err).toContain(`no directory ${path.join(host, 'missing/dir')} on the host`);
    // A directory out into a missing parent is refused too (not created along the way).
    const noDirDst = await cli(['container', 'cp', ...s, 'box:/etc', path.join(host, 'missing/etc')]);
    expect(noDirDst.err).toContain(`no directory ${path.join(host, 'missing')} on the host`);
    expect(await fs.stat(path.join(host, 'missing')).catch(() => undefined)).toBeUndefined();
    const back = path.join(host, 'back');
    expect((await cli(['container', 'cp', ...s, 'box:/opt/site', back])).code).toBe(0);
    expect(await fs.readFile(path.join(back, 'css/a.css'), 'utf8')).toBe('body{}');
    expect(await fs.readlink(path.join(back, 'home.html'))).toBe('index.html');
    expect((await fs.stat(path.join(back, 'index.html'))).mode & 0o777).toBe(0o600);
    // Modification times go in and come back out (files and directories).
    for (const rel of ['index.html', 'css/a.css', 'css']) {
      const want = Math.floor((await fs.stat(path.join(host, 'site', rel))).mtimeMs / 1000);
      expect(Math.floor((await fs.stat(path.join(back, rel))).mtimeMs / 1000), rel).toBe(want);
    }

    const rec = JSON.parse((await cli(['container', 'ls-files', ...s, '-R', '--json', 'box', '/opt'])).out) as Array<{ path: string; type: string; origin: string }>;
    expect(rec.map((r) => `${r.type} ${r.origin} ${r.path}`)).toEqual([
      'directory container /opt/site',
      'directory container /opt/site/css',
      'file container /opt/site/css/a.css',
      'symlink container /opt/site/home.html',
      'file container /opt/site/index.html',
      'directory image /opt/app',
      'directory image /opt/app/data',
      'file image /opt/app/data/x.json',
      'file image /opt/app/main.js',
    ].sort((a, b) => (a.split(' ')[2]! < b.split(' ')[2]! ? -1 : 1)));
    expect(JSON.parse((await cli(['container', 'diff', '--json', ...s, 'box'])).out)).toContainEqual({ kind: 'A', path: '/etc/greeting' });
    const diff = (await cli(['container', 'diff', ...s, 'box'])).out;
    expect(diff.split('\n').filter(Boolean)).toEqual([
      'C /etc',
      'A /etc/greeting',
      'C /opt',
      'A /opt/site',
      'A /opt/site/css',
      'A /opt/site/css/a.css',
      'A /opt/site/home.html',
      'A /opt/site/index.html',
      'C /usr',
      'C /usr/share',
      'D /usr/share/doc',
    ]);

    const commit = await cli(['container', 'commit', ...s, '-m', 'add site', 'box', 'site:1']);
    expect(commit.code).toBe(0);
    expect(commit.out.trim()).toMatch(/^sha256:[0-9a-f]{64}$/);
    const store = await openStore(dir);
    const img = await store.image('site:1');
    expect(img.id).toBe(commit.out.trim());
    expect(img.history.at(-1)?.created_by).toBe('add site');
    const fresh = await store.createContainer('site:1');
    expect(await fresh.readFile('/opt/site/index.html', 'utf8')).toBe('<h1>x</h1>');
    expect(await fresh.exists('/usr/share/doc')).toBe(false);
    expect(await fresh.exists('/data/index.html')).toBe(false); // the volume was not committed

    const vls = await cli(['volume', 'ls', ...s]);
    expect(vls.out).toMatch(/^vol1\s+\S+\s+box$/m);
    const inUse = await cli(['volume', 'rm', ...s, 'vol1']);
    expect(inUse.code).toBe(1);
    expect(inUse.err).toContain('IN_USE');
    expect((await cli(['container', 'rm', ...s, 'box'])).out).toBe('box\n');
    expect((await cli(['container', 'cat', ...s, 'box', '/etc/motd'])).err).toContain('NOT_FOUND');
    expect((await cli(['volume', 'rm', ...s, 'vol1'])).code).toBe(0);
    expect(JSON.parse((await cli(['volume', 'ls', '--json', ...s])).out)).toEqual([]);
  });

  it('cp keeps the names of one file one file, both ways (as docker cp, through its tar)', async () => {
    const dir = await tempDir();
    await baseImage(await openStore(dir));
    const s = ['--store', dir];
    expect((await cli(['container', 'create', ...s, '--name', 'lk', 'base:1'])).code).toBe(0);
    // Out: the image's bin/tool and bin/tool-link are one file.
    const host = await tempDir();
    expect((await cli(['container', 'cp', ...s, 'lk:/bin', path.join(host, 'bin')])).code).toBe(0);
    const ino = async (p: string) => (await fs.stat(path.join(host, p))).ino;
    expect(await ino('bin/tool-link')).toBe(await ino('bin/tool'));
    // A name copied up apart (overlayfs) is no longer the same file: it comes out apart.
    await (await (await openStore(dir)).container('lk')).chmod('/bin/tool-link', 0o700);
    expect((await cli(['container', 'cp', ...s, 'lk:/bin', path.join(host, 'bin2')])).code).toBe(0);
    expect(await ino('bin2/tool-link')).not.toBe(await ino('bin2/tool'));
    // In: two names of one host file stay one file in the container.
    await fs.mkdir(path.join(host, 'pair'));
    await fs.writeFile(path.join(host, 'pair/a'), 'one');
    await fs.link(path.join(host, 'pair/a'), path.join(host, 'pair/b'));
    expect((await cli(['container', 'cp', ...s, path.join(host, 'pair'), 'lk:/srv'])).code).toBe(0);
    const c = await (await openStore(dir)).container('lk');
    await c.writeFile('/srv/a', 'two');
    expect(await c.readFile('/srv/b', 'utf8')).toBe('two');
    // And back out as one file again.
    expect((await cli(['container', 'cp', ...s, 'lk:/srv', path.join(host, 'pair2')])).code).toBe(0);
    expect(await ino('pair2/b')).toBe(await ino('pair2/a'));
  });

  it('reports usage errors with exit code 2', async () => {
    const dir = await tempDir();
    expect((await cli(['container', 'create', '--store', dir])).code).toBe(2);
    expect((await cli(['container', 'cp', '--store', dir, '/a', '/b'])).code).toBe(2);
    expect((await cli(['container', 'create', '--store', dir, '-v', 'novolume', 'x'])).code).toBe(2);
  });
});
