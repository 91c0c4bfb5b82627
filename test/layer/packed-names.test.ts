/**
 * readLayer's packed names: the entries' names as GNU tar wrote them (PAX
 * long and non-ASCII names, ustar names, directories with their trailing
 * '/'), UTF-8, one NUL between two names, one kind per entry; the same bytes
 * packNames makes from the entries; a union view from them equals the view
 * from the entries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCore } from '../../src/core/load.js';
import { PackedKind, PackedNamesBuilder, packNames } from '../../src/layer/packed-names.js';
import { readLayer } from '../../src/layer/read.js';
import { UnionView } from '../../src/union/view.js';
import { requireTools } from '../helpers/tools.js';
import { gnuTar, tempDir } from '../tar/helpers.js';

let cleanup: () => void;
let tar: Buffer;
const long = `${'deep/'.repeat(30)}file-with-a-long-name.txt`;

beforeAll(() => {
  requireTools('tar');
  let root: string;
  ({ dir: root, cleanup } = tempDir('layerfs-names-'));
  const tree = join(root, 'tree');
  mkdirSync(join(tree, long, '..'), { recursive: true });
  writeFileSync(join(tree, long), 'x');
  mkdirSync(join(tree, 'données/日本'), { recursive: true });
  writeFileSync(join(tree, 'données/日本/語.md'), 'y');
  writeFileSync(join(tree, 'emoji-😀'), '');
  writeFileSync(join(tree, '.wh.gone'), '');
  symlinkSync('emoji-😀', join(tree, 'link'));
  tar = gnuTar(['--format=pax', '--sort=name', '-cf', '-', '-C', tree, '.']);
});
afterAll(() => cleanup?.());

describe('packed names', () => {
  it('readLayer packs every name as stored, with kinds, equal to packNames of its entries', async () => {
    const idx = await readLayer(new Uint8Array(tar));
    const names = idx.entries.map((e) => e.path);
    expect(names).toContain(`./${long}`);
    expect(names).toContain('./données/日本/語.md');
    expect(names).toContain('./données/');
    const want = new TextEncoder().encode(names.join('\0'));
    expect(idx.names.bytes).toEqual(want);
    expect([...idx.names.kinds]).toEqual(idx.entries.map((e) => (e.type === 'directory' ? PackedKind.directory : PackedKind.other)));
    expect(packNames(idx.entries)).toEqual(idx.names);
  });

  it('a union view from readLayer\'s names equals the view from its entries', async () => {
    const idx = await readLayer(new Uint8Array(tar));
    const core = await loadCore();
    const a = UnionView.build(core, [{ entries: idx.entries }]);
    const b = UnionView.build(core, [{ entries: idx.entries, names: idx.names }]);
    expect(b.entries().map((n) => `${n.path}:${n.type}`)).toEqual(a.entries().map((n) => `${n.path}:${n.type}`));
    expect(b.lookup(long)?.entry).toBe(idx.entries.find((e) => e.path === `./${long}`));
    expect(b.has('gone')).toBe(false);
  });

  it('the builder grows past its first buffers and packs an empty layer as no bytes', () => {
    const b = new PackedNamesBuilder();
    const many = Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? `é/${i}` : `dir/${'x'.repeat(i % 300)}/${i}`));
    many.forEach((p, i) => b.add(p, i % 2 ? 'file' : 'directory'));
    const t = b.finish();
    expect(b.count).toBe(5000);
    expect(new TextDecoder().decode(t.bytes).split('\0')).toEqual(many);
    expect([...t.kinds.subarray(0, 4)]).toEqual([0, 1, 0, 1]);
    expect(packNames([])).toEqual({ bytes: new Uint8Array(0), kinds: new Uint8Array(0) });
  });
});
