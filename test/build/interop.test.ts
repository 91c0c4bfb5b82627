/**
 * Built images checked by the real tools: `oci-image-tool validate` accepts
 * the layout, and `umoci unpack` gives the expected tree — the base (built
 * by umoci: several layers, whiteouts, an opaque directory) with the build's
 * COPY/ADD results on top; archives ADDed are compared with GNU tar's own
 * extraction.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/node.js';
import { build, type BuildResult } from '../../src/build/index.js';
import { requireTools } from '../helpers/tools.js';
import { buildUmociImage, run, tmp, umociUnpack, walkTree, type WalkEntry } from '../transport/fixtures.js';

requireTools('umoci', 'oci-image-tool', 'tar');

const work = tmp('build-interop');
const layout = path.join(work, 'base-layout');
const ctx = path.join(work, 'ctx');
let store: Store;
let baseTree: Record<string, WalkEntry>;
let result: BuildResult;
let rootfs: string;

function put(rel: string, content: string | Buffer, mode = 0o644): void {
  const p = path.join(ctx, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  fs.chmodSync(p, mode);
}

function file(content: string | Buffer, mode = 0o644): WalkEntry {
  const b = Buffer.from(content);
  return { type: 'file', mode, size: b.length, sha: createHash('sha256').update(b).digest('hex') };
}
const dir = (mode = 0o755): WalkEntry => ({ type: 'dir', mode, size: 0 });

/** GNU tar's extraction of an archive, as a subtree rooted at `prefix`. */
function tarTree(archive: string, prefix: string): Record<string, WalkEntry> {
  const out = tmp('gnutar');
  execFileSync('tar', ['-xf', archive, '-C', out]);
  const t = walkTree(out);
  fs.rmSync(out, { recursive: true, force: true });
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [`${prefix}/${k}`, v]));
}

const DOCKERFILE = `# escape=\\
ARG BASE=oci:${layout}:base
FROM \${BASE}
COPY dir1 /app/
COPY src/*.txt src/[ab].md /app/txt/
COPY --chown=1000:1001 --chmod=0600 secret.conf /etc/app.conf
ADD plain.tar /opt/plain/
ADD packed.tar.gz /opt/gz
ADD notatar.gz /opt/
COPY one.txt /dir/sub/
COPY one.txt /a.txt
COPY two.txt /abslink/
ENV APP=1 \\
    OTHER="x y"
WORKDIR /work
COPY rel.txt sub/
COPY --chown=7 rel.txt /owned/
LABEL org.opencontainers.image.title=demo
CMD ["/app/run"]
`;

beforeAll(async () => {
  buildUmociImage(layout, 'base');
  baseTree = walkTree(umociUnpack(layout, 'base', path.join(work, 'base-bundle')));

  put('Dockerfile', DOCKERFILE);
  put('dir1/run', '#!/bin/sh\necho hi\n', 0o755);
  put('dir1/lib/util.sh', 'util\n');
  fs.mkdirSync(path.join(ctx, 'dir1/empty'));
  fs.symlinkSync('run', path.join(ctx, 'dir1/runlink'));
  put('src/a.txt', 'A');
  put('src/b.txt', 'B');
  put('src/c.bin', 'not matched');
  put('src/a.md', 'a md');
  put('src/c.md', 'not matched');
  put('secret.conf', 'secret');
  put('one.txt', 'one');
  put('two.txt', 'two');
  put('rel.txt', 'rel');
  // Archives made by GNU tar: directories, a symlink, a hardlink, modes.
  const t = path.join(work, 'tarsrc');
  fs.mkdirSync(path.join(t, 'pkg/bin'), { recursive: true });
  fs.writeFileSync(path.join(t, 'pkg/bin/tool'), 'tool');
  fs.chmodSync(path.join(t, 'pkg/bin/tool'), 0o751);
  fs.writeFileSync(path.join(t, 'pkg/README'), 'readme');
  fs.linkSync(path.join(t, 'pkg/README'), path.join(t, 'pkg/README.hard'));
  fs.symlinkSync('bin/tool', path.join(t, 'pkg/tool-link'));
  execFileSync('tar', ['-cf', path.join(ctx, 'plain.tar'), '-C', t, 'pkg']);
  execFileSync('tar', ['-czf', path.join(ctx, 'packed.tar.gz'), '-C', t, 'pkg']);
  // gzip of something that is not a tar: ADD copies it as it is.
  fs.writeFileSync(path.join(ctx, 'notatar.gz'), execFileSync('gzip', ['-c'], { input: 'just text' }));

  store = await openStore(path.join(work, 'store'));
  result = await build(store, { context: ctx, tag: 'built:1' });
  const out = path.join(work, 'out');
  await store.copy('built:1', `oci:${out}:t`);
  const v = run('oci-image-tool', ['validate', '--type', 'image', '--ref', 'name=t', out]);
  expect(v).toContain('Validation succeeded');
  rootfs = umociUnpack(out, 't', path.join(work, 'bundle'));
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('a build on a multi-layer base with whiteouts, unpacked by umoci', () => {
  it('keeps the base layers and adds one layer per COPY/ADD', async () => {
    const base = await store.copy(`oci:${layout}:base`, 'base:copy');
    const baseImg = await store.image('base:copy');
    expect(base.id).toBe(baseImg.id);
    expect(result.image.layers.slice(0, baseImg.layers.length).map((l) => l.digest)).toEqual(baseImg.layers.map((l) => l.digest));
    expect(result.image.layers.length).toBe(baseImg.layers.length + 11);
    expect(result.image.config.config?.Env).toEqual(expect.arrayContaining(['APP=1', 'OTHER=x y']));
    expect(result.image.config.config?.WorkingDir).toBe('/work');
    expect(result.image.config.config?.Cmd).toEqual(['/app/run']);
    expect(result.image.config.config?.Labels).toEqual({ 'org.opencontainers.image.title': 'demo' });
  });

  it('unpacks to the base tree plus exactly what the Dockerfile copied', () => {
    const got = walkTree(rootfs);
    const nowDirMode = fs.statSync(path.join(ctx, 'dir1')).mode & 0o7777;
    const expected: Record<string, WalkEntry> = {
      ...baseTree,
      // COPY dir1 /app/ : the contents, not the directory; symlinks stay links
      app: dir(nowDirMode),
      'app/empty': dir(fs.statSync(path.join(ctx, 'dir1/empty')).mode & 0o7777),
      'app/lib': dir(nowDirMode),
      'app/lib/util.sh': file('util\n'),
      'app/run': file('#!/bin/sh\necho hi\n', 0o755),
      'app/runlink': { type: 'symlink', mode: 0o777, size: 0, link: 'run' },
      // globs, several sources into a directory
      'app/txt': dir(),
      'app/txt/a.txt': file('A'),
      'app/txt/b.txt': file('B'),
      'app/txt/a.md': file('a md'),
      // --chown/--chmod, /etc created
      etc: dir(),
      'etc/app.conf': file('secret', 0o600),
      // ADD of archives: GNU tar's extraction; a gzip that is not a tar is copied
      opt: dir(),
      'opt/plain': dir(),
      ...tarTree(path.join(ctx, 'plain.tar'), 'opt/plain'),
      'opt/gz': dir(),
      ...tarTree(path.join(ctx, 'plain.tar'), 'opt/gz'),
      'opt/notatar.gz': { ...file(fs.readFileSync(path.join(ctx, 'notatar.gz'))) },
      // into a directory of the base, over a file of the base, through a symlink of the base (abslink -> /dir/sub)
      'dir/sub/one.txt': file('one'),
      'a.txt': file('one', 0o644),
      'dir/sub/two.txt': file('two'),
      // relative destination under WORKDIR
      work: dir(),
      'work/sub': dir(),
      'work/sub/rel.txt': file('rel'),
      owned: dir(),
      'owned/rel.txt': file('rel'),
    };
    expect(got).toEqual(expected);
    // whiteouts of the base stay effective, the opaque directory stays opaque
    expect(got['gone']).toBeUndefined();
    expect(got['del.txt']).toBeUndefined();
    expect(got['opq/old1']).toBeUndefined();
    expect(got['opq/fresh']).toBeDefined();
  });

  it('applies --chown (a lone uid sets the gid too), keeps the base directory owners and tar owners', () => {
    const st = fs.lstatSync(path.join(rootfs, 'etc/app.conf'));
    expect([st.uid, st.gid]).toEqual([1000, 1001]);
    const etc = fs.lstatSync(path.join(rootfs, 'etc'));
    expect([etc.uid, etc.gid]).toEqual([1000, 1001]); // created by the step, owned as --chown says (BuildKit does the same)
    const owned = fs.lstatSync(path.join(rootfs, 'owned/rel.txt'));
    expect([owned.uid, owned.gid]).toEqual([7, 7]);
    const plain = fs.lstatSync(path.join(rootfs, 'app/run'));
    expect([plain.uid, plain.gid]).toEqual([0, 0]);
    const a = fs.lstatSync(path.join(rootfs, 'opt/plain/pkg/README'));
    const b = fs.lstatSync(path.join(rootfs, 'opt/plain/pkg/README.hard'));
    expect(a.ino).toBe(b.ino); // the archive's hardlink survives
  });
});
