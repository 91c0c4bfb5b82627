/**
 * buildIndex (src/core/union.ts): layers prepared where the merge reads them
 * must give exactly what prepareLayer + mergeLayers give, whatever mix of
 * prepared and unprepared layers goes in; names encoded from the entries
 * (chunked, ASCII-sized first) must equal the joined-string path, also for
 * non-ASCII names and across chunk boundaries; failures name their layer;
 * and every block taken is given back.
 */
import * as fs from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadCore, type CoreModule } from '../../src/core/load.js';
import { buildIndex, flattenIndex, hashPath, isPrepareFailure, mergeLayers, nodeKey, prepareLayer, probe, REC_WORDS, tableBits, UnionKind, type MergedIndex, type PreparedLayer } from '../../src/core/union.js';

const kindsOf = (names: string[]) => Uint8Array.from(names, (n) => (n.endsWith('/') ? UnionKind.directory : UnionKind.other));
const named = (names: string[]) => names.map((path) => ({ path }));

function prepJoined(core: CoreModule, names: string[]): PreparedLayer {
  const r = prepareLayer(core, names.join('\0'), kindsOf(names));
  if (isPrepareFailure(r)) throw new Error(`unexpected failure ${r.reason} at ${r.index}`);
  return r;
}

function dump(ix: MergedIndex) {
  return {
    keys: Array.from({ length: ix.count }, (_, i) => nodeKey(ix, i)),
    layer: Array.from(ix.layer),
    entry: Array.from(ix.entry),
    flags: Array.from(ix.flags),
    end: Array.from(ix.end),
    table: Array.from(ix.table),
  };
}

/** Three layers, > 512 names each (several encode chunks), non-ASCII names, whiteouts, an opaque dir, an unsorted one. */
function stack(): string[][] {
  const a = Array.from({ length: 1300 }, (_, i) => `usr/lib/p${i % 17}/f${i}.so`);
  const b = [...Array.from({ length: 700 }, (_, i) => `usr/lib/p${i % 17}/f${i * 2}.so`), 'usr/lib/p3/.wh.f3.so', 'caf\u00e9/cr\u00e8me', '\u65e5\u672c/\u{1f600}.txt', 'usr/lib/p5/.wh..wh..opq', 'etc/'];
  const c = [...Array.from({ length: 600 }, (_, i) => `srv/${(i * 7919) % 600}/x`), 'usr/lib/.wh.p4', 'caf\u00e9/.wh.cr\u00e8me'];
  return [a, b, c];
}

for (const simd of [true, false]) {
  describe(`buildIndex (${simd ? 'simd' : 'scalar'} build)`, () => {
    it('equals prepareLayer + mergeLayers for every mix of prepared and unprepared layers', async () => {
      const core = await loadCore({ simd });
      const layers = stack();
      const prepared = layers.map((n) => prepJoined(core, n));
      const want = dump(mergeLayers(core, prepared));
      expect(want.keys).toContain('\u65e5\u672c/\u{1f600}.txt');
      expect(want.keys).not.toContain('usr/lib/p4');
      for (let mask = 0; mask < 8; mask++) {
        const inputs = layers.map((n, i) => (mask & (1 << i) ? prepared[i]! : { names: named(n), kinds: kindsOf(n), keep: i === 1 }));
        const res = buildIndex(core, inputs);
        if ('reason' in res) throw new Error(res.reason);
        expect(dump(res.index), `mask ${mask}`).toEqual(want);
        expect(res.maxDepth).toBe(Math.max(...prepared.map((p) => p.maxDepth)));
        res.prepared.forEach((p, i) => {
          if (mask & (1 << i)) expect(p).toBe(prepared[i]);
          else if (i === 1) expect(p).toEqual(prepared[i]); // kept: copied out, same tables
          else expect(p).toBeUndefined();
        });
      }
    });

    it('points keys into the layers\' own bytes when JS holds them all, else makes one compact copy; flattening gives sorted keys with their common prefixes', async () => {
      const core = await loadCore({ simd });
      const layers = stack();
      const prepared = layers.map((n) => prepJoined(core, n));
      const shared = mergeLayers(core, prepared);
      expect(shared.sources).toHaveLength(3);
      shared.sources.forEach((b, i) => expect(b).toBe(prepared[i]!.bytes));
      expect(shared.src).toBeInstanceOf(Uint16Array);
      const kept = buildIndex(core, layers.map((n) => ({ names: named(n), kinds: kindsOf(n), keep: true })));
      if ('reason' in kept) throw new Error(kept.reason);
      kept.index.sources.forEach((b, i) => expect(b).toBe(kept.prepared[i]!.bytes));
      // A small layer prepared for this build alone: its names are copied out, the others pointed into.
      const small = buildIndex(core, [prepared[0]!, prepared[1]!, { names: named(layers[2]!.slice(0, 50)), kinds: kindsOf(layers[2]!.slice(0, 50)), keep: false }]);
      if ('reason' in small) throw new Error(small.reason);
      expect(small.index.sources).toHaveLength(3);
      expect(small.index.sources[0]).toBe(prepared[0]!.bytes);
      expect(dump(small.index)).toEqual(dump(mergeLayers(core, [prepared[0]!, prepared[1]!, prepJoined(core, layers[2]!.slice(0, 50))])));
      // Layers given as packed bytes: keys point into those bytes (left as they were given) and into a copy of the rewritten names.
      const te0 = new TextEncoder();
      const packed = layers.map((n) => te0.encode(n.join('\0')));
      const before = packed.map((b) => b.slice());
      const byBytes = buildIndex(core, layers.map((n, i) => ({ names: packed[i]!, kinds: kindsOf(n), keep: false })));
      if ('reason' in byBytes) throw new Error(byBytes.reason);
      expect(packed).toEqual(before);
      for (const b of packed) expect(byBytes.index.sources).toContain(b);
      expect(byBytes.index.sources).toHaveLength(6);
      expect(dump(byBytes.index)).toEqual(dump(shared));
      // Unprepared layers holding more name bytes than the merged keys: one compact copy instead.
      const mixed = buildIndex(core, layers.map((n) => ({ names: named(n), kinds: kindsOf(n), keep: false })));
      if ('reason' in mixed) throw new Error(mixed.reason);
      expect(mixed.index.sources).toHaveLength(1);
      expect(mixed.index.src).toBeUndefined();
      expect(dump(mixed.index)).toEqual(dump(shared));
      for (const ix of [shared, small.index, mixed.index, byBytes.index]) {
        const flat = flattenIndex(core, ix, 8);
        const keys = Array.from({ length: ix.count }, (_, i) => nodeKey(ix, i));
        const dec = new TextDecoder();
        const te = new TextEncoder();
        for (let i = 0; i < ix.count; i++) {
          const [off, len, , lcp, hash] = flat.rec.subarray(REC_WORDS * i, REC_WORDS * (i + 1));
          expect(dec.decode(flat.bytes.subarray(off, off! + len!))).toBe(keys[i]);
          expect(hash, keys[i]).toBe(hashPath(keys[i]!));
          if (i === 0) continue;
          const [x, y] = [te.encode(keys[i - 1]), te.encode(keys[i])];
          let j = 0;
          while (j < x.length && j < y.length && x[j] === y[j]) j++;
          expect(lcp, keys[i]).toBe(j);
        }
      }
    });

    it('hashes each key as hashPath does, also when it shares part of a character with the key before it', async () => {
      const core = await loadCore({ simd });
      // \u00e8/\u00e9 share their first UTF-8 byte, \u4e2d/\u4e8c two, \u{1f4a9}/\u{1f4aa} three.
      const names = ['x\u00e8', 'x\u00e9', 'x\u00e9/y', 'd\u4e2d', 'd\u4e8c/z', 'e\u{1f4a9}', 'e\u{1f4aa}', 'e\u{1f4aa}/\u{1f4aa}', 'plain/a', 'plain/ab'];
      const ix = mergeLayers(core, [prepJoined(core, names)]);
      for (let i = 0; i < ix.count; i++) {
        const key = nodeKey(ix, i);
        // Its slot: node index + 1 in the low bits, the hash's high bits above them.
        const low = (1 << tableBits(ix)) - 1;
        const slot = Array.from(ix.table).find((v) => (v & low) === i + 1)!;
        expect(slot & ~low, key).toBe(hashPath(key) & ~low);
        expect(probe(ix, key, hashPath(key))).toBe(i);
      }
    });

    it('encodes entries like the joined string, also when the ASCII-sized buffer is too small (non-ASCII)', async () => {
      const core = await loadCore({ simd });
      for (const names of [['\u00e9'], ['a', '\u{1f4a9}/b', 'c'], Array.from({ length: 1030 }, (_, i) => (i === 1029 ? `\u4e2d/${i}` : `d/${i}`)), []]) {
        const fromEntries = prepareLayer(core, named(names), kindsOf(names));
        expect(fromEntries).toEqual(prepareLayer(core, names.join('\0'), kindsOf(names)));
      }
    });

    it('reads kinds from the entries\' types in the same pass; grows its buffer for long names; refuses a missing path', async () => {
      const core = await loadCore({ simd });
      const long = 'x'.repeat(300);
      const names = [...Array.from({ length: 900 }, (_, i) => `${long}/${i}/${'\u00e9'.repeat(i % 50)}`), 'dir/'];
      const entries = names.map((path) => ({ path, type: path.endsWith('/') ? 'directory' : 'file' }));
      const byType = prepareLayer(core, entries);
      expect(byType).toEqual(prepareLayer(core, names.join('\0'), kindsOf(names)));
      expect(byType).not.toEqual(prepareLayer(core, names.join('\0'), new Uint8Array(names.length).fill(UnionKind.other)));
      const missing = [{ path: 'a' }, { path: 'b' }, {} as { path: string }];
      expect(prepareLayer(core, missing)).toEqual({ reason: 'path', index: 2 });
    });

    it('names the layer and entry of a bad name, a NUL byte included; a path below a .wh. name is refused', async () => {
      const core = await loadCore({ simd });
      const ok = ['a', 'b/c'];
      const build = (bad: string[]) => buildIndex(core, [ok, bad].map((n) => ({ names: named(n), kinds: kindsOf(n), keep: false })));
      expect(build(['x', '../../y'])).toEqual({ reason: 'unsafe', index: 1, layer: 1 });
      expect(build(['x', 'd/.wh.'])).toEqual({ reason: 'whiteout', index: 1, layer: 1 });
      expect(build(['x', 'd/.wh.gone/child'])).toEqual({ reason: 'below', index: 1, layer: 1 });
      expect(build(['x', 'd/.wh.gone/../.wh..wh..opq', '.wh.z/.wh..wh..opq'])).toEqual({ reason: 'below', index: 2, layer: 1 });
      expect(build(['x', 'd/.wh.gone/../y/', 'd/.wh.z/'])).not.toHaveProperty('reason'); // cleaned: no .wh. directory left
      const nul = build(['x', 'y\0z']);
      expect(nul).toMatchObject({ reason: 'nul', layer: 1 });
    });

    it('gives back every block it takes, after a success and after a failure', async () => {
      const core = await loadCore({ simd });
      const x = core.exports;
      const before = x.unionAlloc(8);
      x.unionFree(before);
      const layers = stack();
      buildIndex(core, layers.map((n) => ({ names: named(n), kinds: kindsOf(n), keep: true })));
      buildIndex(core, [...layers, ['\u00e9x', '../bad']].map((n) => ({ names: named(n), kinds: kindsOf(n), keep: false })));
      const after = x.unionAlloc(8);
      x.unionFree(after);
      expect(after).toBe(before);
    });

    it('grows Wasm memory once for a build, not step by step (each growth can cost a full JS GC)', async () => {
      // A fresh instance, so that its memory starts small.
      const bytes = await fs.readFile(new URL(`../../build/layerfs.${simd ? 'simd' : 'scalar'}.wasm`, import.meta.url));
      const { instance } = await WebAssembly.instantiate(bytes, { env: { abort: () => { throw new Error('abort'); } } });
      const raw = instance.exports as Record<string, any>;
      const memory = raw.memory as WebAssembly.Memory;
      let grows = 0;
      const exports: Record<string, any> = { ...raw };
      for (const k of Object.keys(raw)) {
        if (typeof raw[k] !== 'function') continue;
        exports[k] = (...a: unknown[]) => {
          const before = memory.buffer.byteLength;
          const r = raw[k](...a);
          if (memory.buffer.byteLength > before) grows++;
          return r;
        };
      }
      const fresh: CoreModule = { exports, memory, simd };
      // 4 layers of 20,000 packed names: about 17 MB of blocks, from 4 MB of memory.
      const layers = Array.from({ length: 4 }, (_, k) => {
        const names = Array.from({ length: 20_000 }, (_, i) => `usr/share/pkg${i % 97}/sub${i % 7}/file-${k}-${i}.dat`).sort();
        return { names: new TextEncoder().encode(names.join('\0')), kinds: kindsOf(names), keep: false };
      });
      const pages = memory.buffer.byteLength;
      const first = buildIndex(fresh, layers);
      expect(first).not.toHaveProperty('reason');
      expect(grows).toBe(1);
      expect(memory.buffer.byteLength).toBeGreaterThan(4 * pages);
      buildIndex(fresh, layers);
      expect(grows).toBe(1); // the memory stays grown
    });
  });
}
