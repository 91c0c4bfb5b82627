/**
 * The malicious-layer corpus (CONFORMANCE.md rules 18-19), each layer taken
 * through every way layerfs consumes one: applyLayer onto a directory,
 * store.unpack of an image holding it, the union view of that image (and a
 * container's writes through its symlinks), and a commit of that container
 * saved to an OCI layout, loaded into another store and unpacked again.
 *
 * A sandbox holds the target root next to a sentinel directory; after every
 * case the sentinel is byte-for-byte unchanged, no `pwned` file exists in
 * the sandbox or at the host paths an escape would reach, the view never
 * returns the sentinel's content, and each case either fails with its
 * typed error or is contained inside the root.
 */
import { createHash } from 'node:crypto';
import * as fsSync from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Image, LayerfsError, MediaType, type Store } from '../../src/index.js';
import { applyLayer } from '../../src/layer/apply.js';
import { NodeDirTree } from '../../src/tree/node-dir.js';
import { openStore } from '../../src/node.js';
import { cleanup, tempDir } from '../container/helpers.js';
import { rawTar, type RawEntry } from './raw-tar.js';

afterAll(cleanup);

const SECRET = 'SENTINEL-SECRET-CONTENT';

interface Case {
  name: string;
  entries: RawEntry[] | ((sandbox: string) => RawEntry[]);
  /** The typed error's code, or 'contained' (applies; everything stays inside the root). */
  expect: string;
  /** For contained cases: files that must exist inside the root afterwards, with their content. */
  inside?: Record<string, string>;
}

const f = (name: string, content = 'pwned'): RawEntry => ({ name, content });
const d = (name: string): RawEntry => ({ name, type: '5' });
const sym = (name: string, linkname: string): RawEntry => ({ name, type: '2', linkname });
const hard = (name: string, linkname: string): RawEntry => ({ name, type: '1', linkname });

export const CORPUS: Case[] = [
  { name: '.. climbing out', entries: [f('../sentinel/pwned')], expect: 'UNSAFE_PATH' },
  { name: '.. in the middle', entries: [f('a/../../sentinel/pwned')], expect: 'UNSAFE_PATH' },
  { name: 'deep .. climbing to /', entries: [f('../../../../../../../../pwned')], expect: 'UNSAFE_PATH' },
  { name: 'absolute name', entries: [f('/sentinel/pwned', 'in')], expect: 'contained', inside: { 'sentinel/pwned': 'in' } },
  { name: 'absolute name with ..', entries: [f('/../sentinel/pwned')], expect: 'UNSAFE_PATH' },
  { name: 'symlink escape, one link', entries: [sym('up', '../sentinel'), f('up/pwned', 'in')], expect: 'contained', inside: { 'sentinel/pwned': 'in' } },
  { name: 'symlink escape, absolute target', entries: [sym('s', '/'), f('s/etc/pwned', 'in')], expect: 'contained', inside: { 'etc/pwned': 'in' } },
  { name: 'symlink to the sandbox by its host path', entries: (sb) => [sym('s', path.join(sb, 'sentinel')), f('s/pwned', 'in')], expect: 'contained' },
  {
    name: 'symlink escape through several links',
    entries: [sym('l1', 'l2'), sym('l2', 'd/l3'), d('d'), sym('d/l3', '../../../..'), f('l1/sentinel/pwned', 'in')],
    expect: 'contained',
    inside: { 'sentinel/pwned': 'in' },
  },
  { name: 'symlink replacing a directory, then a write through it', entries: [d('x'), sym('x', '../sentinel'), f('x/pwned', 'in')], expect: 'contained', inside: { 'sentinel/pwned': 'in' } },
  { name: 'file replacing an escaping symlink is not written through it', entries: [sym('link', '../sentinel/secret'), f('link', 'in')], expect: 'contained', inside: { link: 'in' } },
  { name: 'symlink loop', entries: [sym('a', 'b'), sym('b', 'a'), f('a/pwned')], expect: 'UNSAFE_PATH' },
  { name: 'self loop', entries: [sym('loop', 'loop'), f('loop/pwned')], expect: 'UNSAFE_PATH' },
  { name: 'chain of 60 links', entries: [...Array.from({ length: 60 }, (_, i) => sym(`c${i}`, `c${i + 1}`)), d('c60'), f('c0/pwned', 'in')], expect: 'UNSAFE_PATH' },
  { name: 'hardlink escape', entries: [hard('h', '../sentinel/secret')], expect: 'UNSAFE_PATH' },
  { name: 'hardlink to an absolute host path', entries: [hard('h', '/etc/passwd')], expect: 'INVALID_TAR' },
  { name: 'hardlink through an escaping symlink', entries: [sym('s', '../sentinel'), hard('h', 's/secret')], expect: 'INVALID_TAR' },
  { name: 'hardlink to a symlink that escapes, then overwritten', entries: [sym('s', '../sentinel/secret'), hard('h', 's'), f('h', 'in')], expect: 'contained', inside: { h: 'in' } },
  { name: 'bare whiteout', entries: [f('.wh.', '')], expect: 'INVALID_WHITEOUT' },
  { name: 'whiteout of ..', entries: [f('.wh...', '')], expect: 'INVALID_WHITEOUT' },
  { name: 'whiteout climbing out', entries: [f('../.wh.sentinel', '')], expect: 'UNSAFE_PATH' },
  { name: 'whiteout through a symlink', entries: [sym('up', '..'), f('up/.wh.sentinel', '')], expect: 'contained' },
  { name: 'opaque marker through a symlink', entries: [sym('up', '../sentinel'), f('up/.wh..wh..opq', '')], expect: 'contained' },
  // Any `.wh.` entry is a whiteout whatever its type (containerd and umoci do the same).
  { name: 'whiteout that is a directory', entries: [d('.wh.etc')], expect: 'contained' },
  { name: 'whiteout that is a symlink', entries: [sym('.wh.etc', '../sentinel')], expect: 'contained' },
  { name: 'empty name', entries: [f('', 'root?')], expect: 'contained' },
  { name: '. as a file replacing the root', entries: [f('.', 'root?'), f('./', 'root?')], expect: 'contained' },
  { name: '. as a symlink out of the root', entries: [sym('.', '../sentinel'), f('pwned', 'in')], expect: 'contained', inside: { pwned: 'in' } },
  { name: 'NUL in a ustar name', entries: [f('ok\u0000/../../sentinel/pwned', 'in')], expect: 'contained', inside: { ok: 'in' } },
  { name: 'NUL in a PAX path', entries: [{ ...f('a\u0000../../sentinel/pwned'), pax: true }], expect: 'INVALID_TAR' },
  { name: 'NUL in a link target', entries: [{ ...sym('s', '/\u0000/../sentinel'), pax: true }, f('s/pwned', 'in')], expect: 'INVALID_TAR' },
  { name: 'overlong component (300 bytes)', entries: [f('x'.repeat(300))], expect: 'FILESYSTEM' },
  // Linux's PATH_MAX is 4096: a longer name is INVALID_TAR at apply; the union view still lists and reads it (in linear time per lookup).
  { name: '4000-level-deep path (8005 bytes)', entries: [f(`${'a/'.repeat(4000)}pwned`)], expect: 'INVALID_TAR' },
  { name: '1000-level-deep path (under PATH_MAX)', entries: [f(`${'d/'.repeat(1000)}in`, 'deep')], expect: 'contained', inside: { [`${'d/'.repeat(1000)}in`]: 'deep' } },
  { name: 'char device', entries: [{ name: 'dev/null2', type: '3', devmajor: 1, devminor: 3, mode: 0o666 }], expect: 'contained' },
  { name: 'block device', entries: [{ name: 'sda', type: '4', devmajor: 8, devminor: 0, mode: 0o600 }], expect: 'contained' },
  { name: 'device node climbing out', entries: [{ name: '../sentinel/dev', type: '3', devmajor: 1, devminor: 3 }], expect: 'UNSAFE_PATH' },
  { name: 'fifo through a symlink', entries: [sym('up', '../sentinel'), { name: 'up/fifo', type: '6' }], expect: 'contained' },
];

interface Sandbox {
  dir: string;
  root: string;
  sentinelHash: string;
}

function hashDir(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const n of fsSync.readdirSync(d).sort()) {
      const p = path.join(d, n);
      const st = fsSync.lstatSync(p);
      h.update(`${p} ${st.mode} ${st.size} ${st.mtimeMs}\n`);
      if (st.isFile()) h.update(fsSync.readFileSync(p));
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return h.digest('hex');
}

async function sandbox(): Promise<Sandbox> {
  const dir = await tempDir('layerfs-evil-');
  fsSync.mkdirSync(path.join(dir, 'sentinel', 'dir'), { recursive: true });
  fsSync.writeFileSync(path.join(dir, 'sentinel', 'secret'), SECRET);
  fsSync.writeFileSync(path.join(dir, 'sentinel', 'dir', 'secret'), SECRET);
  const root = path.join(dir, 'root');
  fsSync.mkdirSync(root);
  return { dir, root, sentinelHash: hashDir(path.join(dir, 'sentinel')) };
}

const HOST_ESCAPES = ['/pwned', '/etc/pwned', '/tmp/pwned', '/sentinel'];

function expectUntouched(sb: Sandbox): void {
  expect(hashDir(path.join(sb.dir, 'sentinel'))).toBe(sb.sentinelHash);
  expect(fsSync.existsSync(path.join(sb.dir, 'pwned'))).toBe(false);
  expect(fsSync.lstatSync(sb.root).isDirectory()).toBe(true);
  for (const p of HOST_ESCAPES) expect(fsSync.existsSync(p), p).toBe(false);
}

/** 'contained' or the LayerfsError code; anything else fails the test. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'contained';
  } catch (e) {
    if (e instanceof LayerfsError) return e.code;
    throw e;
  }
}

async function evilImage(store: Store, tar: Uint8Array, tag: string): Promise<Image> {
  const digest = await store.putBlob(tar);
  let img = await Image.empty({ os: 'linux', architecture: 'amd64' }, '2024-01-01T00:00:00Z');
  img = await img.withLayers([{ digest, diffId: digest, size: tar.length, mediaType: MediaType.ociLayer }]);
  await store.putImage(img, [tag]);
  return img;
}

/** Reads every file and every path through every symlink of a view: never the sentinel's bytes. */
async function probeView(store: Store, ref: string): Promise<void> {
  const view = await store.view(ref);
  const dec = new TextDecoder();
  const tryRead = async (p: string) => {
    try {
      const b = await view.readFile(p);
      expect(dec.decode(b)).not.toContain(SECRET);
    } catch (e) {
      expect(e, `${p}: ${String(e)}`).toBeInstanceOf(LayerfsError);
    }
  };
  for (const n of view.entries()) {
    await tryRead(n.path);
    if (n.type === 'symlink') for (const tail of ['secret', 'sentinel/secret', '../sentinel/secret', 'dir/secret']) await tryRead(`${n.path}/${tail}`);
  }
  for (const p of ['../sentinel/secret', '/../sentinel/secret', 'sentinel/secret']) await tryRead(p);
}

describe.each(CORPUS.map((c) => [c.name, c] as const))('malicious layer: %s', (_name, c) => {
  it('applyLayer, unpack, the union view, a container and a commit loaded back keep everything inside the root', async () => {
    const sb = await sandbox();
    const tar = rawTar(typeof c.entries === 'function' ? c.entries(sb.dir) : c.entries);

    // 1. applyLayer onto a directory
    const applied = await outcome(applyLayer(tar, new NodeDirTree(sb.root)));
    expect(applied).toBe(c.expect);
    expectUntouched(sb);
    for (const [p, content] of Object.entries(c.inside ?? {})) expect(fsSync.readFileSync(path.join(sb.root, p), 'utf8')).toBe(content);

    // 2. unpack an image holding the layer
    const store = await openStore(path.join(sb.dir, 'store'));
    await evilImage(store, tar, 'evil:1');
    const root2 = path.join(sb.dir, 'root2');
    fsSync.mkdirSync(root2);
    expect(await outcome(store.unpack('evil:1', new NodeDirTree(root2)))).toBe(c.expect);
    expectUntouched(sb);
    if (c.expect === 'contained') expect(hashDir(root2).length).toBe(64);

    // 3. the union view: a typed error, or never the sentinel's bytes
    const viewOutcome = await outcome(probeView(store, 'evil:1'));
    if (viewOutcome !== 'contained') expect(viewOutcome).toMatch(/^[A-Z_]+$/);
    expectUntouched(sb);

    // 4. a container on it, writes through its symlinks, a commit saved, loaded elsewhere and unpacked
    if (c.expect !== 'contained' || viewOutcome !== 'contained') return;
    const ctr = await store.createContainer('evil:1');
    const view = await store.view('evil:1');
    for (const n of view.entries()) {
      if (n.type !== 'symlink') continue;
      const w = await outcome(ctr.writeFile(`/${n.path}/pwned`, 'container'));
      expect(w).toMatch(/^(contained|[A-Z_]+)$/);
    }
    await ctr.writeFile('/added-by-container', 'ok');
    await ctr.commit({ tag: 'back:1' });
    const layout = path.join(sb.dir, 'layout');
    await store.copy('back:1', `oci:${layout}:v1`);
    const other = await openStore(path.join(sb.dir, 'store2'));
    await other.copy(`oci:${layout}:v1`, 'back:1');
    const root3 = path.join(sb.dir, 'root3');
    fsSync.mkdirSync(root3);
    await other.unpack('back:1', new NodeDirTree(root3));
    expect(fsSync.readFileSync(path.join(root3, 'added-by-container'), 'utf8')).toBe('ok');
    await probeView(other, 'back:1');
    expectUntouched(sb);
  });
});
