/**
 * CONFORMANCE.md rules 18-19 on a real directory: a corpus of malicious
 * layers is applied inside a sandbox directory; nothing outside the root
 * changes, and escapes are typed errors (UNSAFE_PATH), never crashes.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, lstatSync, rmSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { LayerfsError, UnsafePathError } from '../../src/errors/index.js';
import { applyLayer } from '../../src/layer/apply.js';
import { NodeDirTree } from '../../src/tree/node-dir.js';
import { makeLayer, type EntrySpec } from '../layer/helpers.js';
import { applied } from './helpers.js';

let sandbox: string;
let root: string;
const all: string[] = [];
afterAll(() => all.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Hash of every path, type and content of the sandbox outside `root`. */
function outsideState(): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (p === root) continue;
      const st = lstatSync(p);
      h.update(`${p} ${st.mode} ${st.size}\n`);
      if (st.isFile()) h.update(readFileSync(p));
      if (st.isDirectory()) walk(p);
    }
  };
  walk(sandbox);
  return h.digest('hex');
}

beforeEach(() => {
  sandbox = mkdtempSync(join(tmpdir(), 'layerfs-evil-'));
  all.push(sandbox);
  // The root sits deep in the sandbox so that `..` escapes land on files we watch.
  mkdirSync(join(sandbox, 'etc'));
  writeFileSync(join(sandbox, 'etc', 'passwd'), 'sandbox passwd');
  writeFileSync(join(sandbox, 'x'), 'outside x');
  root = join(sandbox, 'a', 'b', 'root');
  mkdirSync(root, { recursive: true });
});

const corpus: Array<[string, EntrySpec[]]> = [
  ['../ climbing', [{ path: '../../../x', content: 'pwned' }]],
  ['.. in the middle', [{ path: 'etc/../../x', content: 'pwned' }]],
  ['symlink to ../../.. then write through it', [{ path: 'up', type: 'symlink', linkname: '../../..' }, { path: 'up/x', content: 'pwned' }]],
  ['symlink to / then write through it', [{ path: 'slash', type: 'symlink', linkname: '/' }, { path: 'slash/etc/passwd', content: 'pwned' }]],
  ['absolute symlink to the sandbox path', [{ path: 's', type: 'symlink', linkname: '/tmp' }, { path: 's/pwned', content: 'pwned' }]],
  ['chain of symlinks', [{ path: 'l1', type: 'symlink', linkname: 'l2' }, { path: 'l2', type: 'symlink', linkname: '../..' }, { path: 'l1/x', content: 'pwned' }]],
  ['symlink to .. then a directory through it', [{ path: 'p', type: 'symlink', linkname: '..' }, { path: 'p/newdir/', type: 'directory' }, { path: 'p/newdir/f', content: 'pwned' }]],
  ['hardlink to an escaping target', [{ path: 'h', type: 'hardlink', linkname: '../../../etc/passwd' }]],
  ['hardlink through a symlink to /', [{ path: 'slash', type: 'symlink', linkname: '/' }, { path: 'h', type: 'hardlink', linkname: 'slash/etc/passwd' }]],
  ['whiteout through a symlink', [{ path: 'up', type: 'symlink', linkname: '../../..' }, { path: 'up/.wh.x' }]],
  ['opaque marker through a symlink', [{ path: 'up', type: 'symlink', linkname: '../../..' }, { path: 'up/.wh..wh..opq' }]],
  ['symlink loop', [{ path: 'loop', type: 'symlink', linkname: 'loop' }, { path: 'loop/x', content: 'x' }]],
  ['file replacing the root', [{ path: './', content: 'not a dir' }, { path: '.', type: 'symlink', linkname: '/' }]],
];

describe('rules 18-19: a malicious-tar corpus leaves everything outside the root unchanged', () => {
  for (const [name, layer] of corpus) {
    test(name, async () => {
      const before = outsideState();
      const err = await applyLayer(makeLayer(layer), new NodeDirTree(root)).then(() => undefined, (e) => e);
      if (err !== undefined) expect(err).toBeInstanceOf(LayerfsError);
      expect(outsideState()).toBe(before);
      expect(lstatSync(root).isDirectory()).toBe(true);
    });
  }
});

describe('rule 18: names', () => {
  test('.. above the root is UNSAFE_PATH', async () => {
    const err = await applyLayer(makeLayer([{ path: '../x', content: 'x' }]), new NodeDirTree(root)).catch((e) => e);
    expect(err).toBeInstanceOf(UnsafePathError);
    expect(err.data.path).toBe('../x');
  });
  test('absolute names are relative to the root', async () => {
    await applyLayer(makeLayer([{ path: '/etc/passwd', content: 'inside' }]), new NodeDirTree(root));
    expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).toBe('inside');
    expect(readFileSync(join(sandbox, 'etc/passwd'), 'utf8')).toBe('sandbox passwd');
  });
  test('`.` and `./` never replace the root, but a directory entry sets its attributes', async () => {
    const r = await applied([{ path: 'keep', content: 'k' }], [{ path: './', content: 'file?' }, { path: '.', type: 'symlink', linkname: 'x' }]);
    expect(r).toEqual({ keep: 'file 644 0:0 "k"' });
  });
});

describe('rule 19: symlinks resolve inside the root', () => {
  test('a -> ../../.. then a/etc/x writes ROOT/etc/x', async () => {
    await applyLayer(makeLayer([{ path: 'a', type: 'symlink', linkname: '../../..' }, { path: 'a/etc/x', content: 'in' }]), new NodeDirTree(root));
    expect(readFileSync(join(root, 'etc/x'), 'utf8')).toBe('in');
    expect(existsSync(join(sandbox, 'etc/x'))).toBe(false);
  });
  test('a -> / then a/etc/x writes ROOT/etc/x', async () => {
    await applyLayer(makeLayer([{ path: 'a', type: 'symlink', linkname: '/' }, { path: 'a/etc/x', content: 'in' }]), new NodeDirTree(root));
    expect(readFileSync(join(root, 'etc/x'), 'utf8')).toBe('in');
  });
  test('a lower absolute symlink is followed inside the root', async () => {
    symlinkSync('/opt/data', join(root, 'data'));
    await applyLayer(makeLayer([{ path: 'data/f', content: 'in' }]), new NodeDirTree(root));
    expect(readFileSync(join(root, 'opt/data/f'), 'utf8')).toBe('in');
    expect(lstatSync(join(root, 'data')).isSymbolicLink()).toBe(true);
  });
  test('a symlink loop is UNSAFE_PATH, not a hang', async () => {
    const err = await applyLayer(makeLayer([{ path: 'l', type: 'symlink', linkname: 'l' }, { path: 'l/x', content: 'x' }]), new NodeDirTree(root)).catch((e) => e);
    expect(err).toBeInstanceOf(UnsafePathError);
  });
});
