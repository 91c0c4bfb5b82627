/**
 * The Wasm union kernel through src/core/union.ts: the hash JS computes from
 * char codes equals the one the core computes from UTF-8, every block a build
 * takes is given back, input errors come back as data (not traps), and
 * results are JS-owned copies that survive memory growth.
 */
import { describe, expect, it } from 'vitest';
import { loadCore } from '../../src/core/load.js';
import { hashPath, isPrepareFailure, mergeLayers, nodeKey, prepareLayer, probe, REC_WORDS, RecField, tableBits, UnionKind } from '../../src/core/union.js';

const prep = (core: Awaited<ReturnType<typeof loadCore>>, names: string[], dirs: string[] = []) => {
  const r = prepareLayer(core, names.join('\0'), Uint8Array.from(names, (n) => (dirs.includes(n) ? UnionKind.directory : UnionKind.other)));
  if (isPrepareFailure(r)) throw new Error(`unexpected failure ${r.reason} at ${r.index}`);
  return r;
};

describe('union core: stage 1 of the SIMD build (16 bytes a step) against the scalar one (a byte a step)', () => {
  it('cleans, rewrites and refuses the same names wherever the odd segment falls in the 16-byte steps', async () => {
    const simd = await loadCore({ simd: true });
    const scalar = await loadCore({ simd: false });
    expect(simd.simd && !scalar.simd).toBe(true);
    // Each odd spelling after a prefix of every length from 0 to 40 bytes, so
    // that it starts, ends or straddles a step at each position; mixed with
    // plain names of every length, and the last name shorter or longer than a step.
    const odd = ['/./x', '//x', '/../x', '/.wh.x', '/.wh..wh..opq', '/.wh.', '/.wh...', '/', '/.', '/..', '/.hidden/y', '/.wh.d/z', '/\u00e9./x', '/a.b/c.'];
    const results: string[] = [];
    for (let k = 0; k <= 40; k++) {
      const prefix = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH'.slice(0, k).replace(/(.{7})/g, '$1/');
      for (const o of odd) {
        for (const tail of ['', 'q', 'longer-than-one-step/and/more']) {
          const names = [`p${k}/${'n'.repeat(k)}`, `${prefix}${o}`, tail && `${prefix}${tail}`, `${'m'.repeat(k % 17)}`].filter(Boolean);
          const kinds = new Uint8Array(names.length).fill(UnionKind.other);
          const a = prepareLayer(simd, names.join('\0'), kinds.slice());
          const b = prepareLayer(scalar, names.join('\0'), kinds.slice());
          const show = (r: typeof a) => (isPrepareFailure(r) ? JSON.stringify(r) : JSON.stringify([[...r.rec], [...r.recFlags], [...r.bytes], r.maxDepth]));
          expect(show(a), names.join(' | ')).toBe(show(b));
          results.push(isPrepareFailure(a) ? a.reason : 'ok');
        }
      }
    }
    // Both kinds occurred: the comparison covered refusals and accepted layers.
    expect(new Set(results)).toEqual(new Set(['ok', 'unsafe', 'whiteout', 'below']));
  });
});

for (const simd of [true, false]) {
  describe(`union core (${simd ? 'simd' : 'scalar'} build)`, () => {
    it('hashes keys exactly as hashPath hashes the JS strings (ASCII, 2/3/4-byte UTF-8)', async () => {
      const core = await loadCore({ simd });
      const names = ['plain/ascii.txt', 'caf\u00e9/cr\u00e8me', '\u65e5\u672c\u8a9e/\u30d5\u30a1\u30a4\u30eb', 'astral/\u{1f600}\u{10348}', 'mix/a\u00e9\u4e2d\u{1f4a9}z'];
      const ix = mergeLayers(core, [prep(core, names)]);
      expect(ix.count).toBeGreaterThan(names.length);
      for (let i = 0; i < ix.count; i++) {
        const key = nodeKey(ix, i);
        // found through its slot, whose stored hash bits must equal the JS hash's
        expect(probe(ix, key, hashPath(key)), key).toBe(i);
        const low = (1 << tableBits(ix)) - 1;
        const slot = Array.from(ix.table).find((v) => (v & low) === i + 1)!;
        expect(slot & ~low, key).toBe(hashPath(key) & ~low);
      }
      for (const n of names) expect(probe(ix, n, hashPath(n))).toBeGreaterThan(0);
      expect(probe(ix, 'astral/\u{1f601}', hashPath('astral/\u{1f601}'))).toBe(-1);
    });

    it('gives every record its key\'s hash (hashPath): the root\'s, implied parents, rewritten whiteouts, segments of every length', async () => {
      const core = await loadCore({ simd });
      // A root entry (its record's key is empty: the keys below it start
      // their first segment at byte 0), no parents given (placeholders), a
      // whiteout and an opaque marker (keys rewritten), odd spellings
      // (cleaned), multi-byte characters, and segments of 1 to 17 bytes (the
      // zero-padded last word lands in either lane, or there is none).
      const runs = Array.from({ length: 17 }, (_, i) => 'abcdefghijklmnopq'.slice(0, i + 1));
      const names = ['./', 'a/b/c/d.txt', 'a/b/.wh.gone', 'a/x/.wh..wh..opq', './a//y/../z', 'caf\u00e8/x', 'caf\u00e9/y', 'd\u4e2d/\u{1f4a9}', 'd\u4e8c', ...runs.map((s) => `${s}/${s}`), 'long-ascii-name-0123456789/abcdefghijklmnoq\u00e9'];
      const r = prep(core, names, ['./']);
      const dec = new TextDecoder();
      const n = r.recFlags.length;
      expect(n).toBeGreaterThan(names.length);
      for (let i = 0; i < n; i++) {
        const w = REC_WORDS * i;
        const key = dec.decode(r.bytes.subarray(r.rec[w + RecField.OFF]!, r.rec[w + RecField.OFF]! + r.rec[w + RecField.LEN]!));
        expect(r.rec[w + RecField.HASH], key).toBe(hashPath(key));
      }
    });

    it('reports bad names as (reason, entry index) and keeps working', async () => {
      const core = await loadCore({ simd });
      const fail = (names: string[]) => prepareLayer(core, names.join('\0'), new Uint8Array(names.length).fill(UnionKind.other));
      expect(fail(['ok', 'a/../../x'])).toEqual({ reason: 'unsafe', index: 1 });
      expect(fail(['a/.wh.', 'ok'])).toEqual({ reason: 'whiteout', index: 0 });
      // Kinds other than 0 and 1, on a plain name (the SIMD build's 16-byte
      // steps) and on one that takes the byte loop.
      const long = 'a-name-longer-than-sixteen-bytes/x';
      const kinds = (names: string[], bad: number) => Uint8Array.from(names, (_, i) => (i === bad ? 2 : UnionKind.other));
      expect(prepareLayer(core, [long, long + 'y', long + 'z'].join('\0'), kinds([long, long, long], 1))).toEqual({ reason: 'kind', index: 1 });
      expect(prepareLayer(core, ['ok', '.hidden'].join('\0'), kinds(['', ''], 1))).toEqual({ reason: 'kind', index: 1 });
      expect(fail(['ok', 'x', 'd/.wh..wh.z'])).toEqual({ reason: 'whiteout', index: 2 });
      expect(isPrepareFailure(fail(['a', 'b\0c']))).toBe(true);
      expect(prep(core, ['fine']).recFlags.length).toBe(1);
    });

    it('gives back every block it takes (the next allocation lands where it did before)', async () => {
      const core = await loadCore({ simd });
      const x = core.exports;
      const before = x.unionAlloc(8);
      x.unionFree(before);
      const names = Array.from({ length: 5000 }, (_, i) => `d${i % 37}/f${i}`);
      mergeLayers(core, [prep(core, names), prep(core, names.slice(100))]);
      prepareLayer(core, '../x', new Uint8Array(1).fill(1));
      const after = x.unionAlloc(8);
      x.unionFree(after);
      expect(after).toBe(before);
    });

    it('says 0 instead of trapping when memory cannot grow that far', async () => {
      const core = await loadCore({ simd });
      expect(core.exports.unionAlloc(0xfff00000)).toBe(0);
    });

    it('returns copies owned by JS: lookups still work after linear memory grows', async () => {
      const core = await loadCore({ simd });
      const names = Array.from({ length: 2000 }, (_, i) => `dir${i % 10}/file${i}`);
      const ix = mergeLayers(core, [prep(core, names)]);
      const pages = core.memory.buffer.byteLength >>> 16;
      const big = core.exports.unionAlloc(pages * 65536 + 1); // forces memory.grow
      core.exports.unionFree(big);
      expect(core.memory.buffer.byteLength >>> 16).toBeGreaterThan(pages);
      for (const n of names) expect(nodeKey(ix, probe(ix, n, hashPath(n)))).toBe(n);
    });

    it('merges the root first and closes subtrees (end) correctly', async () => {
      const core = await loadCore({ simd });
      const ix = mergeLayers(core, [prep(core, ['a/b/c', 'a/d', 'e'], [])]);
      const keys = Array.from({ length: ix.count }, (_, i) => nodeKey(ix, i));
      expect(keys).toEqual(['', 'a', 'a/b', 'a/b/c', 'a/d', 'e']);
      expect(Array.from(ix.end)).toEqual([6, 5, 4, 4, 5, 6]);
    });
  });
}
