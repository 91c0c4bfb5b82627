/**
 * UnionView, rule by rule (CONFORMANCE.md 7-9, 11-14, 16-19, 23), on both
 * Wasm builds. Orders that the rules say must not matter are tested both ways.
 */
import { describe, expect, it } from 'vitest';
import { loadCore, type CoreModule } from '../../src/core/load.js';
import { isLayerfsError } from '../../src/errors/LayerfsError.js';
import type { UnionLayerEntry } from '../../src/union/types.js';
import { UnionView } from '../../src/union/view.js';
import { d, f, h, l, opq, wh } from './helpers.js';

const te = new TextEncoder();
const td = new TextDecoder();

for (const simd of [true, false]) {
  describe(`UnionView (${simd ? 'simd' : 'scalar'} build)`, () => {
    let core: CoreModule;
    const view = (...layers: UnionLayerEntry[][]) => UnionView.build(core, layers.map((entries) => ({ entries })));
    const origin = (v: UnionView, p: string) => {
      const n = v.lookup(p);
      return n ? n.layer : undefined;
    };
    const paths = (v: UnionView) => v.entries().map((n) => `${n.path}@${n.layer}`);

    it('loads the core', async () => {
      core = await loadCore({ simd });
      expect(core.simd).toBe(simd);
    });

    it('finds every path by lookup, has and resolve whatever its segments\' lengths and characters (the key hash in JS and in Wasm agree)', () => {
      // Segments of 1 to 17 bytes put the hash's zero-padded last word in
      // either lane (or leave none); the multi-byte ones take hashPath's path.
      const segs = Array.from({ length: 17 }, (_, i) => 'abcdefghijklmnopq'.slice(0, i + 1));
      const names = [...segs, ...segs.map((s) => `${s}\u00e9`), '\u65e5\u672c', '\u{1f600}x'];
      const files = names.flatMap((a) => [`${a}/${names[names.length - 1 - names.indexOf(a)]}`]);
      const v = view([d(''), ...files.map((p) => f(p))]);
      for (const p of [...names, ...files]) {
        expect(v.has(p), p).toBe(true);
        expect(v.lookup(p)?.path, p).toBe(p);
        expect(v.stat(p).type, p).toBe(files.includes(p) ? 'file' : 'directory');
      }
      expect(v.has('abcdefghijklmnopq/abc')).toBe(false);
      // Spellings to clean, their odd segment at every offset within the four-char steps.
      for (const p of files) {
        const cut = p.indexOf('/');
        const [x, y] = [p.slice(0, cut), p.slice(cut + 1)];
        for (const q of [`${x}/./${y}`, `${x}//${y}`, `${x}/zz/../${y}`, `./${p}`, `/${p}`, `${p}/`, `${p}/.`]) expect(v.lookup(q)?.path, q).toBe(p);
      }
    });

    describe('rule 23: topmost layer wins', () => {
      it('resolves each path to the topmost layer that has it, and merges listings sorted', () => {
        const top = f('etc/passwd', { size: 7 });
        const v = view([d('etc'), f('etc/passwd'), f('etc/group'), d('usr')], [top, f('etc/hosts')]);
        expect(v.lookup('etc/passwd')!.entry).toBe(top);
        expect(v.lookup('etc/passwd')!.layer).toBe(1);
        expect(origin(v, 'etc/group')).toBe(0);
        expect(v.readdir('etc')).toEqual(['group', 'hosts', 'passwd']);
        expect(v.readdir('')).toEqual(['etc', 'usr']);
      });

      it('lists in layer order: "/" ranks before every other byte, then bytes (rule 21)', () => {
        const v = view([f('a.b'), f('a/x'), f('a-c'), f('B'), f('a0'), f('é'), f('z')]);
        expect(v.readdir('')).toEqual(['B', 'a', 'a-c', 'a.b', 'a0', 'z', 'é']);
        expect(v.entries().map((n) => n.path)).toEqual(['B', 'a', 'a/x', 'a-c', 'a.b', 'a0', 'z', 'é']);
      });

      it('finds non-ASCII names (2, 3 and 4 byte UTF-8) and lists them', () => {
        const v = view([f('données/é.txt'), f('日本/語.md'), f('emoji/😀'), f('emoji/a')]);
        expect(v.lookup('données/é.txt')!.layer).toBe(0);
        expect(v.lookup('日本/語.md')).toBeDefined();
        expect(v.lookup('emoji/😀')!.path).toBe('emoji/😀');
        expect(v.readdir('emoji')).toEqual(['a', '😀']);
        expect(v.readdir('日本')).toEqual(['語.md']);
        expect(v.lookup('emoji/😁')).toBeUndefined();
      });

      it('cleans the paths it is asked for: absolute, dotted, doubled slashes, .. clamped at the root', () => {
        const v = view([f('a/b/c')]);
        for (const q of ['/a/b/c', './a//b/c', 'a/b/c/', 'a/x/../b/./c', '/../../a/b/c']) expect(v.lookup(q)?.path, q).toBe('a/b/c');
        expect(v.lookup('')!.path).toBe('');
        expect(v.lookup('/')!.type).toBe('directory');
      });

      it('an empty stack has only the root', () => {
        const v = view();
        expect(v.size).toBe(0);
        expect(v.readdir('/')).toEqual([]);
        expect(v.lookup('')!.implied).toBe(true);
      });
    });

    describe('rule 7: whiteouts', () => {
      it('deletes a file, and a directory with its whole subtree, from lower layers', () => {
        const v = view([d('a'), f('a/x'), d('a/d'), f('a/d/y'), d('a/d/e'), f('a/d/e/z'), f('keep')], [wh('a/x'), wh('a/d')]);
        expect(paths(v)).toEqual(['a@0', 'keep@0']);
      });
      it('a whiteout for a path that does not exist below is fine', () => {
        const v = view([f('x')], [wh('nothing/here'), wh('y')]);
        expect(paths(v)).toEqual(['x@0']);
      });
      it('whiteout names never appear, not even in the layer that carries them', () => {
        const v = view([f('x')], [wh('x'), f('y')]);
        expect(v.lookup('.wh.x')).toBeUndefined();
        expect(v.readdir('')).toEqual(['y']);
        expect(v.entries().some((n) => n.path.includes('.wh.'))).toBe(false);
      });
      it('a whiteout in the bottom layer hides nothing', () => {
        expect(paths(view([wh('x'), f('x')]))).toEqual(['x@0']);
      });
      it('hides only up to its own layer: a higher layer may bring the path back', () => {
        const v = view([f('d/old')], [wh('d')], [f('d/new')]);
        expect(paths(v)).toEqual(['d@2', 'd/new@2']);
        expect(v.lookup('d')!.implied).toBe(true);
      });
    });

    describe('rule 8: a whiteout hides only LOWER layers', () => {
      for (const [name, upper] of [
        ['whiteout first', [wh('x'), f('x', { size: 1 })]],
        ['whiteout last', [f('x', { size: 1 }), wh('x')]],
      ] as const) {
        it(`the same layer's entry survives (${name})`, () => {
          const v = view([f('x'), d('dir'), f('dir/low')], [...upper, wh('dir'), d('dir'), f('dir/up')]);
          expect(v.lookup('x')!.layer).toBe(1);
          expect(v.lookup('x')!.entry.size).toBe(1);
          expect(paths(v)).toEqual(['dir@1', 'dir/up@1', 'x@1']);
        });
      }
      it('also when the whiteout comes after the children of the re-created directory', () => {
        const v = view([d('dir'), f('dir/low')], [d('dir'), f('dir/up'), wh('dir')]);
        expect(paths(v)).toEqual(['dir@1', 'dir/up@1']);
      });
    });

    describe('rule 9: opaque directories', () => {
      for (const [name, layer] of [
        ['marker first', [opq('a'), d('a', { mode: 0o700 }), f('a/new')]],
        ['marker last', [d('a', { mode: 0o700 }), f('a/new'), opq('a')]],
        ['marker in the middle', [d('a', { mode: 0o700 }), opq('a'), f('a/new')]],
      ] as const) {
        it(`hides lower children, keeps the directory and the layer's own children (${name})`, () => {
          const v = view([d('a'), f('a/old'), d('a/sub'), f('a/sub/deep'), f('b')], [...layer]);
          expect(paths(v)).toEqual(['a@1', 'a/new@1', 'b@0']);
          expect(v.lookup('a')!.entry.mode).toBe(0o700);
        });
      }
      it('without a directory entry in the layer, the lower directory stays with its attributes', () => {
        const v = view([d('a', { mode: 0o711 }), f('a/old')], [opq('a')]);
        expect(paths(v)).toEqual(['a@0']);
        expect(v.lookup('a')!.entry.mode).toBe(0o711);
        expect(v.readdir('a')).toEqual([]);
      });
      it('an opaque root hides every lower entry', () => {
        expect(paths(view([f('x'), d('y')], [opq(''), f('z')]))).toEqual(['z@1']);
      });
      it('hides only layers below it: a higher layer adds children again', () => {
        expect(paths(view([f('a/x')], [opq('a')], [f('a/y')]))).toEqual(['a@2', 'a/y@2']);
      });
    });

    describe('rule 12: whiteouts below a path the same layer made a non-directory', () => {
      for (const [name, layer] of [
        ['file first', [f('p'), wh('p/x'), opq('p')]],
        ['file last', [wh('p/x'), opq('p'), f('p')]],
      ] as const) {
        it(`are ignored, not an error (${name})`, () => {
          const v = view([d('p'), f('p/x'), f('p/y')], [...layer]);
          expect(paths(v)).toEqual(['p@1']);
          expect(v.lookup('p')!.type).toBe('file');
        });
      }
    });

    describe('rule 13: type changes', () => {
      it('a non-directory hides the whole lower subtree', () => {
        const v = view([d('a'), f('a/x'), d('a/b'), f('a/b/c')], [l('a', 'elsewhere')]);
        expect(paths(v)).toEqual(['a@1']);
        expect(v.lookup('a/x')).toBeUndefined();
        expect(v.lookup('a/b/c')).toBeUndefined();
      });
      it('a directory over a directory merges children, attributes from the top', () => {
        const v = view([d('a', { mode: 0o700, uid: 5 }), f('a/x')], [d('a', { mode: 0o755 }), f('a/y')]);
        expect(v.lookup('a')!.entry.mode).toBe(0o755);
        expect(v.lookup('a')!.entry.uid).toBe(0);
        expect(v.readdir('a')).toEqual(['x', 'y']);
      });
      it('a directory over a file replaces it', () => {
        const v = view([f('a')], [d('a'), f('a/y')]);
        expect(v.lookup('a')!.type).toBe('directory');
        expect(v.readdir('a')).toEqual(['y']);
      });
    });

    describe('rule 14: implied parents', () => {
      it('exist with mode 0755, owner 0:0, marked implied, from the topmost layer implying them', () => {
        const v = view([f('a/b/c')], [f('a/b/d')]);
        const n = v.lookup('a/b')!;
        expect(n.implied).toBe(true);
        expect(n.type).toBe('directory');
        expect(n.entry.mode).toBe(0o755);
        expect(n.entry.uid).toBe(0);
        expect(n.layer).toBe(1);
        expect(v.readdir('a/b')).toEqual(['c', 'd']);
      });
      it('a real lower directory keeps its attributes under an implying layer', () => {
        const v = view([d('a', { mode: 0o700 })], [f('a/x')]);
        expect(v.lookup('a')!.implied).toBe(false);
        expect(v.lookup('a')!.entry.mode).toBe(0o700);
        expect(v.lookup('a')!.layer).toBe(0);
      });
      it('an implied directory replaces a lower non-directory', () => {
        const v = view([f('a'), d('z'), f('z/q')], [f('a/x')]);
        expect(v.lookup('a')!.implied).toBe(true);
        expect(v.readdir('a')).toEqual(['x']);
      });
    });

    describe('rule 16: duplicates in one layer', () => {
      it('the last entry wins', () => {
        const last = f('x', { size: 3 });
        expect(view([f('x', { size: 1 }), last]).lookup('x')!.entry).toBe(last);
        expect(view([f('y'), d('y')]).lookup('y')!.type).toBe('directory');
        expect(view([d('y'), f('y')]).lookup('y')!.type).toBe('file');
      });
      it('directory over directory merges, but a non-directory in between removes what came before', () => {
        expect(paths(view([d('a'), f('a/1'), d('a', { mode: 0o700 }), f('a/2')]))).toEqual(['a@0', 'a/1@0', 'a/2@0']);
        expect(paths(view([d('a'), f('a/1'), f('a'), d('a'), f('a/2')]))).toEqual(['a@0', 'a/2@0']);
        // ... and the re-created directory no longer merges with the lower one
        expect(paths(view([f('a/low')], [d('a'), f('a'), d('a'), f('a/2')]))).toEqual(['a@1', 'a/2@1']);
      });
      it('entries below a non-directory of the same layer are dropped, in either order', () => {
        expect(paths(view([f('a'), f('a/x')]))).toEqual(['a@0']);
        expect(paths(view([f('a/x'), f('a')]))).toEqual(['a@0']);
      });
    });

    describe('symlinks resolve inside the root (rule 19)', () => {
      const v0 = () =>
        view(
          [d('etc'), f('etc/x', { size: 1 }), d('usr'), d('usr/lib'), f('usr/lib/libc.so', { size: 2 })],
          [
            l('up', '../../..'),
            l('root', '/'),
            l('abs', '/usr/lib'),
            l('rel', 'usr/lib'),
            l('usr/lib/self', '.'),
            l('usr/lib/parent', '..'),
            l('chain1', 'chain2'),
            l('chain2', 'rel/libc.so'),
            l('loop1', 'loop2'),
            l('loop2', 'loop1'),
            l('selfloop', 'selfloop/x'),
            l('dangling', 'nowhere'),
            l('empty', ''),
          ],
        );
      it('follows .. that climbs above the root to the root, and absolute targets from the root', () => {
        const v = v0();
        expect(v.stat('up/etc/x').path).toBe('etc/x');
        expect(v.stat('up/up/up/etc').path).toBe('etc');
        expect(v.stat('root/etc/x').path).toBe('etc/x');
        expect(v.stat('abs/libc.so').path).toBe('usr/lib/libc.so');
        expect(v.stat('/../../usr/lib/self/parent/lib/libc.so').path).toBe('usr/lib/libc.so');
        expect(v.readdir('up')).toEqual(v.readdir(''));
      });
      it('follows relative targets from the link\'s directory, and chains', () => {
        const v = v0();
        expect(v.stat('rel/libc.so').path).toBe('usr/lib/libc.so');
        expect(v.stat('chain1').path).toBe('usr/lib/libc.so');
        expect(v.stat('usr/lib/parent/lib/self/self/libc.so').path).toBe('usr/lib/libc.so');
      });
      it('lstat and readlink do not follow the last component; lstat follows the middle ones', () => {
        const v = v0();
        expect(v.lstat('chain1').type).toBe('symlink');
        expect(v.readlink('chain1')).toBe('chain2');
        expect(v.lstat('abs/self').path).toBe('usr/lib/self');
        expect(v.lstat('abs/self').type).toBe('symlink');
        expect(() => v.readlink('etc/x')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      });
      it('a loop is SYMLINK_LOOP after 40 links, not a hang', () => {
        const v = v0();
        for (const p of ['loop1', 'selfloop', 'loop1/x']) {
          try {
            v.stat(p);
            expect.unreachable();
          } catch (e) {
            expect(isLayerfsError(e, 'SYMLINK_LOOP'), String(e)).toBe(true);
            expect((e as Error).message).toContain(p);
          }
        }
        expect(v.lstat('loop1').type).toBe('symlink');
      });
      it('exists() is false for a symlink loop (as fs.existsSync), true for the link itself by lstat', () => {
        const v = v0();
        for (const p of ['loop1', 'selfloop', 'loop1/x']) expect(v.exists(p), p).toBe(false);
        expect(v.lstat('selfloop').type).toBe('symlink');
        expect(v.exists('chain1')).toBe(true);
      });
      it('a chain of exactly 40 links resolves, 41 does not', () => {
        const chain = (n: number) => Array.from({ length: n }, (_, i) => l(`s${i}`, i === n - 1 ? 'target' : `s${i + 1}`));
        expect(view([f('target'), ...chain(40)]).stat('s0').path).toBe('target');
        expect(() => view([f('target'), ...chain(41)]).stat('s0')).toThrow(expect.objectContaining({ code: 'SYMLINK_LOOP' }));
      });
      it('dangling, empty and through-a-file paths are NOT_FOUND naming the path', () => {
        const v = v0();
        for (const p of ['dangling', 'empty', 'etc/x/y', 'missing', 'etc/missing']) {
          expect(() => v.stat(p), p).toThrow(expect.objectContaining({ code: 'NOT_FOUND', data: expect.objectContaining({ path: p }) }));
        }
        expect(v.exists('dangling')).toBe(false);
        expect(v.exists('chain1')).toBe(true);
        expect(() => v.readdir('nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
        expect(() => v.readdir('etc/x')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      });
    });

    describe('content', () => {
      const blobs = [new Map([['a/file', 'lower'], ['big', 'x'.repeat(100_000)]]), new Map([['b/file', 'upper']])];
      const reads: Array<[number, string]> = [];
      const layer = (k: number, entries: UnionLayerEntry[]) => ({
        entries,
        read: (i: number, e: UnionLayerEntry) => {
          reads.push([i, e.path]);
          const bytes = te.encode(blobs[k]!.get(e.path)!);
          // layer 0 answers with a stream in small chunks, layer 1 with bytes
          if (k === 1) return Promise.resolve(bytes);
          return new ReadableStream<Uint8Array>({
            start(c) {
              for (let o = 0; o < bytes.length; o += 4096) c.enqueue(bytes.subarray(o, o + 4096));
              c.close();
            },
          });
        },
      });
      const build = () =>
        UnionView.build(core, [
          layer(0, [f('a/file', { size: 5 }), f('big', { size: 100_000 }), f('empty'), d('dir')]),
          layer(1, [f('b/file', { size: 5 }), h('b/hard-low', 'a/file'), h('b/hard-same', 'b/file'), h('b/hard-chain', 'b/hard-low'), l('b/sym', '../a/file'), h('b/escape', '../../etc/passwd'), h('b/gone', 'no/such')]),
        ]);
      it('reads a file out of the layer that has it, through the per-layer reader', async () => {
        const v = build();
        reads.length = 0;
        expect(td.decode(await v.readFile('a/file'))).toBe('lower');
        expect(td.decode(await v.readFile('/b/file'))).toBe('upper');
        expect((await v.readFile('big')).length).toBe(100_000);
        expect(reads).toEqual([[0, 'a/file'], [1, 'b/file'], [0, 'big']]);
      });
      it('follows symlinks and hardlinks, including a hardlink to a lower-layer file (rule 17)', async () => {
        const v = build();
        expect(td.decode(await v.readFile('b/sym'))).toBe('lower');
        expect(td.decode(await v.readFile('b/hard-low'))).toBe('lower');
        expect(td.decode(await v.readFile('b/hard-same'))).toBe('upper');
        expect(td.decode(await v.readFile('b/hard-chain'))).toBe('lower');
        expect((await v.readFile('empty')).length).toBe(0);
      });
      it('hardlinks() gives the visible hardlink entries only, in path order', () => {
        const v = build();
        expect([...v.hardlinks()].map((n) => [n.path, n.layer])).toEqual([
          ['b/escape', 1],
          ['b/gone', 1],
          ['b/hard-chain', 1],
          ['b/hard-low', 1],
          ['b/hard-same', 1],
        ]);
        // A hardlink hidden by a whiteout, or replaced by a file above, is not visible.
        const w = v.withLayer(layer(2, [wh('b/hard-low'), f('b/hard-same'), h('c', 'a/file')]));
        expect([...w.hardlinks()].map((n) => [n.path, n.layer])).toEqual([
          ['b/escape', 1],
          ['b/gone', 1],
          ['b/hard-chain', 1],
          ['c', 2],
        ]);
      });
      it('hardlinks() takes unclean names as the view does, and of one path only the entry that won', () => {
        const v = UnionView.build(core, [
          layer(0, [f('a/file', { size: 5 }), h('./c/../d', 'a/file'), h('dup', 'a/file'), f('dup'), f('dup2'), h('dup2', 'a/file')]),
        ]);
        expect([...v.hardlinks()].map((n) => n.path)).toEqual(['d', 'dup2']);
        // Frozen entries: the list is kept, and gives the same.
        const frozen = Object.freeze([f('x'), h('y', 'x')]);
        const w = UnionView.build(core, [layer(0, frozen as UnionLayerEntry[])]);
        expect([...w.hardlinks()].map((n) => n.path)).toEqual(['y']);
        expect([...w.hardlinks()].map((n) => n.path)).toEqual(['y']);
      });
      it('refuses a hardlink escaping the root (UNSAFE_PATH), a missing target (NOT_FOUND), a directory', async () => {
        const v = build();
        await expect(v.readFile('b/escape')).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
        await expect(v.readFile('b/gone')).rejects.toMatchObject({ code: 'NOT_FOUND' });
        await expect(v.readFile('dir')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
        await expect(v.readFile('nope')).rejects.toMatchObject({ code: 'NOT_FOUND', data: { path: 'nope' } });
      });
      it('readStream gives the same bytes as a stream', async () => {
        const v = build();
        const chunks: Uint8Array[] = [];
        for await (const c of (await v.readStream('big')) as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
        expect(chunks.length).toBeGreaterThan(1);
        expect(chunks.reduce((a, c) => a + c.length, 0)).toBe(100_000);
        const one = await new Response(await v.readStream('b/hard-same')).text();
        expect(one).toBe('upper');
        expect(await new Response(await v.readStream('empty')).text()).toBe('');
        await expect(v.readStream('dir')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      });
      it('without a reader, reading is UNSUPPORTED', async () => {
        const v = view([f('x', { size: 1 })]);
        await expect(v.readFile('x')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
      });
      it('uses the view-wide reader for layers without their own', async () => {
        const v = await UnionView.fromLayers([{ entries: [f('x', { size: 2 })] }], { simd, read: (i, e) => te.encode(`${i}:${e.path}`) });
        expect(td.decode(await v.readFile('x'))).toBe('0:x');
      });
    });

    describe('walk', () => {
      it('yields the merged tree in order with each entry\'s layer, below any directory', () => {
        const v = view([d('a'), f('a/1'), f('b')], [f('a/2'), d('a/c'), f('a/c/3')]);
        expect(paths(v)).toEqual(['a@0', 'a/1@0', 'a/2@1', 'a/c@1', 'a/c/3@1', 'b@0']);
        expect(v.entries('a/c').map((n) => n.path)).toEqual(['a/c/3']);
        expect([...v.walk('a')].map((n) => n.path)).toEqual(['a/1', 'a/2', 'a/c', 'a/c/3']);
      });
    });

    describe('bad layers are typed errors, never a Wasm trap', () => {
      const bad: Array<[string, UnionLayerEntry, string]> = [
        ['.. above the root', f('../etc/passwd'), 'UNSAFE_PATH'],
        ['.. above the root, deeper', f('a/../../x'), 'UNSAFE_PATH'],
        ['NUL in a name', f('a\0b'), 'UNSAFE_PATH'],
        ['bare .wh.', f('d/.wh.'), 'INVALID_WHITEOUT'],
        ['.wh..', f('.wh..'), 'INVALID_WHITEOUT'],
        ['.wh...', f('d/.wh...'), 'INVALID_WHITEOUT'],
        ['reserved .wh..wh. prefix', f('.wh..wh.x'), 'INVALID_WHITEOUT'],
      ];
      for (const [name, e, code] of bad) {
        it(`${name}: ${code} naming the path and the layer`, () => {
          try {
            view([f('ok')], [f('fine'), e]);
            expect.unreachable();
          } catch (err) {
            expect(isLayerfsError(err, code), String(err)).toBe(true);
            expect((err as { data: Record<string, unknown> }).data).toMatchObject({ path: e.path, layer: 1 });
          }
        });
      }
      it('the core stays usable after an error', () => {
        expect(() => view([f('../x')])).toThrow();
        expect(view([f('y')]).readdir('')).toEqual(['y']);
      });
      it('a root entry that is not a directory does not change the root', () => {
        const v = view([f('./'), f('.'), d('x')]);
        expect(v.lookup('')!.type).toBe('directory');
        expect(v.readdir('')).toEqual(['x']);
      });
    });

    describe('sizes', () => {
      it('handles deep paths, long names and 127 layers', () => {
        const deep = Array.from({ length: 1000 }, (_, i) => `d${i}`).join('/');
        const long = 'n'.repeat(5000);
        const layers = Array.from({ length: 127 }, (_, k) => [f(`layer${k}/file`), f(`shared`, { size: k }), ...(k === 60 ? [f(`${deep}/leaf`), f(`x/${long}`)] : []), ...(k === 100 ? [wh('layer3')] : [])]);
        const v = view(...layers);
        expect(v.lookup('shared')!.layer).toBe(126);
        expect(v.lookup(`${deep}/leaf`)!.layer).toBe(60);
        expect(v.lookup(deep)!.implied).toBe(true);
        expect(v.readdir(`x`)).toEqual([long]);
        expect(v.lookup('layer3/file')).toBeUndefined();
        expect(v.lookup('layer4/file')!.layer).toBe(4);
        expect(v.readdir('').length).toBe(127 - 1 + 3);
      });
      it('an entry without a string path is INVALID_ARGUMENT', () => {
        expect(() => view([{ ...f('x'), path: undefined as unknown as string }])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      });
    });

    describe('layer stacks over time', () => {
      it('withLayer puts a changing top layer on the same base; lowerView sees the layers below', () => {
        const base = view([f('a'), f('b')], [f('c')]);
        const v1 = base.withLayer({ entries: [wh('a'), f('d')] });
        const v2 = base.withLayer({ entries: [f('a', { size: 9 })] });
        expect(v1.readdir('')).toEqual(['b', 'c', 'd']);
        expect(v2.lookup('a')!.layer).toBe(2);
        expect(base.readdir('')).toEqual(['a', 'b', 'c']);
        expect(v1.lowerView(1).readdir('')).toEqual(['a', 'b']);
        expect(v1.layerCount).toBe(3);
      });
      it('frozen entry arrays are prepared once and give the same view', () => {
        const entries = Object.freeze([d('x'), f('x/y')]);
        const a = UnionView.build(core, [{ entries }]);
        const b = UnionView.build(core, [{ entries }, { entries: [f('z')] }]);
        expect(a.readdir('x')).toEqual(['y']);
        expect(b.readdir('')).toEqual(['x', 'z']);
      });
    });
  });
}
