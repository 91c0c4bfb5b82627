import { describe, expect, it } from 'vitest';
import { DockerIgnore } from '../../src/build/dockerignore.js';
import { compileGlob } from '../../src/build/glob.js';
import { build } from '../../src/build/index.js';
import { openMemoryStore } from '../../src/index.js';
import { UnionView } from '../../src/union/index.js';
import { readLayer } from '../../src/layer/read.js';

describe('glob patterns (filepath.Match + **)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['*.txt', 'a.txt', true],
    ['*.txt', 'dir/a.txt', false],
    ['dir/*', 'dir/a', true],
    ['dir/*', 'dir/a/b', false],
    ['?.md', 'a.md', true],
    ['?.md', 'ab.md', false],
    ['[ab].c', 'b.c', true],
    ['[!ab].c', 'b.c', false],
    ['[!ab].c', 'x.c', true],
    ['**/*.go', 'a.go', true],
    ['**/*.go', 'x/y/a.go', true],
    ['a/**', 'a/b/c', true],
    ['a/**/z', 'a/z', true],
    ['a/**/z', 'a/b/c/z', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['file.(1)+', 'file.(1)+', true],
  ];
  for (const [pattern, path, want] of cases) {
    it(`${pattern} ${want ? 'matches' : 'does not match'} ${path}`, () => {
      expect(compileGlob(pattern).test(path)).toBe(want);
    });
  }
});

describe('.dockerignore rules', () => {
  it('matches a path or any parent; the last matching rule wins; ! re-includes', () => {
    const ig = new DockerIgnore(['# comment', '', 'node_modules', '*.log', '!keep.log', 'docs/**', '!docs/**/README.md', '  /build/  ', 'tmp*/'].join('\n'));
    expect(ig.ignores('node_modules')).toBe(true);
    expect(ig.ignores('node_modules/x/y.js')).toBe(true);
    expect(ig.ignores('src/node_modules')).toBe(false); // patterns are anchored at the context root
    expect(ig.ignores('a.log')).toBe(true);
    expect(ig.ignores('keep.log')).toBe(false);
    expect(ig.ignores('sub/a.log')).toBe(false);
    expect(ig.ignores('docs/a/b.txt')).toBe(true);
    expect(ig.ignores('docs/a/README.md')).toBe(false);
    expect(ig.ignores('build/out')).toBe(true);
    expect(ig.ignores('tmp1/x')).toBe(true);
    expect(ig.ignores('src/main.ts')).toBe(false);
    expect(ig.ignores('# comment')).toBe(false);
  });

  it('a later exclusion overrides an earlier exception', () => {
    const ig = new DockerIgnore('!a.txt\n*.txt\n');
    expect(ig.ignores('a.txt')).toBe(true);
  });

  it('a build leaves ignored files out of COPY . and refuses them as named sources', async () => {
    const store = openMemoryStore();
    const context = {
      Dockerfile: 'FROM scratch\nCOPY . /app/\n',
      '.dockerignore': 'secret*\n**/*.tmp\n!important.tmp\n',
      'main.txt': 'm',
      'secret.key': 'k',
      'sub/x.tmp': 't',
      'sub/keep.txt': 'keep',
      'important.tmp': 'i',
    };
    const r = await build(store, { context });
    const l = r.image.layers[0]!;
    const idx = await readLayer(await store.getBlob(l.digest));
    const view = await UnionView.fromLayers([{ entries: idx.entries }]);
    expect(view.entries().map((n) => n.path).sort()).toEqual(['app', 'app/.dockerignore', 'app/Dockerfile', 'app/important.tmp', 'app/main.txt', 'app/sub', 'app/sub/keep.txt']);
    await expect(build(store, { context: { ...context, Dockerfile: 'FROM scratch\nCOPY secret.key /k\n' } })).rejects.toMatchObject({ code: 'NOT_FOUND', data: { line: 2 } });
  });
});
