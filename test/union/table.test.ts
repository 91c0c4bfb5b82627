/**
 * Layers handed to UnionView.build as packed names (readLayer's `names`) or
 * as prepared tables (prepareLayerTable, persisted with encodeLayerTable):
 * the same view as from the entries' paths; packed names are read instead of
 * the paths (no path is touched), tables are not prepared again (the core's
 * name-cleaning export is never called); damaged or mismatched inputs are
 * typed errors, never a Wasm trap.
 */
import { describe, expect, it } from 'vitest';
import { loadCore } from '../../src/core/load.js';
import { REC_WORDS, RecField } from '../../src/core/union.js';
import { isLayerfsError } from '../../src/errors/LayerfsError.js';
import { packNames } from '../../src/layer/packed-names.js';
import { decodeLayerTable, encodeLayerTable, prepareLayerTable } from '../../src/union/table.js';
import type { UnionLayerEntry } from '../../src/union/types.js';
import { UnionView } from '../../src/union/view.js';
import { counted, d, f, h, l, opq, wh } from './helpers.js';

const paths = (v: UnionView) => v.entries().map((n) => `${n.path}@${n.layer}${n.implied ? '*' : ''}:${n.type}`);

/** Three layers with whiteouts, an opaque directory, odd spellings, non-ASCII names, links and a duplicate. */
function stack(): UnionLayerEntry[][] {
  const base = [d('etc/'), f('etc/hosts'), f('etc/passwd'), d('usr'), l('usr/bin/sh', 'dash'), f('usr/bin/dash'), ...Array.from({ length: 300 }, (_, i) => f(`usr/lib/f${i}`)), f('données/é.txt')];
  const mid = [d('usr/lib'), wh('usr/lib/f10'), opq('etc'), f('./etc//group'), h('usr/bin/bash', 'usr/bin/dash'), f('日本/語.md'), f('dup'), d('dup')];
  const top = [wh('etc/group'), f('srv/caf\u00e9'), d('usr/share/'), f('/usr/lib/f1'), f('emoji/😀')];
  return [base, mid, top];
}

/** Entries whose `path` cannot be read: proves a build used the packed names instead. */
function sealed(entries: UnionLayerEntry[]): UnionLayerEntry[] {
  return entries.map((e) => {
    const copy = { ...e };
    Object.defineProperty(copy, 'path', {
      get() {
        throw new Error('path read');
      },
    });
    return copy;
  });
}

for (const simd of [true, false]) {
  describe(`UnionView from packed names and prepared tables (${simd ? 'simd' : 'scalar'} build)`, () => {
    it('packed names give the view the entries give, without reading a path', async () => {
      const core = await loadCore({ simd });
      const layers = stack();
      const want = UnionView.build(core, layers.map((entries) => ({ entries })));
      const locked = layers.map(sealed);
      const got = UnionView.build(core, layers.map((entries, i) => ({ entries: locked[i]!, names: packNames(entries) })));
      // Entry indexes point at the same entries (compared by position: the paths are sealed).
      const ix = (v: UnionView, ls: UnionLayerEntry[][]) => v.entries().map((n) => `${n.path}@${n.layer}:${n.implied ? -1 : ls[n.layer]!.indexOf(n.entry)}`);
      expect(ix(got, locked)).toEqual(ix(want, layers));
      expect(() => locked[0]![0]!.path).toThrow('path read');
      const plain = UnionView.build(core, layers.map((entries) => ({ entries, names: packNames(entries) })));
      expect(paths(plain)).toEqual(paths(want));
      expect(ix(plain, layers)).toEqual(ix(want, layers));
      expect(plain.readdir('')).toEqual(want.readdir(''));
      expect(plain.has('etc/group')).toBe(false);
      expect(plain.has('etc/passwd')).toBe(false);
      expect(plain.lookup('usr/lib/f1')?.layer).toBe(2);
      expect(plain.stat('usr/bin/sh').path).toBe('usr/bin/dash');
    });

    it('prepared tables are used as they are (no layer prepared at build), also after an encode/decode round trip', async () => {
      const base = await loadCore({ simd });
      const { core, calls } = counted(base);
      const layers = stack();
      const want = UnionView.build(base, layers.map((entries) => ({ entries })));
      const tables = layers.map((entries, i) => prepareLayerTable(base, { entries, names: packNames(entries) }, i));
      const stored = tables.map((t) => decodeLayerTable(encodeLayerTable(t)));
      expect(stored.map((t) => [...t.rec])).toEqual(tables.map((t) => [...t.rec]));
      expect(stored.map((t) => [...t.recFlags])).toEqual(tables.map((t) => [...t.recFlags]));
      for (const ts of [tables, stored]) {
        const v = UnionView.build(core, layers.map((entries, i) => ({ entries, table: ts[i]! })));
        expect(paths(v)).toEqual(paths(want));
        expect(v.lookup('srv/café')?.entry).toBe(layers[2]![1]);
        expect(v.withLayer({ entries: [f('new')], table: prepareLayerTable(base, { entries: [f('new')] }) }).has('new')).toBe(true);
        expect(v.lowerView(1).has('usr/lib/f10')).toBe(true);
      }
      expect(calls()).toBe(0);
      // A decoded table from bytes at an odd offset (a slice of a bigger buffer) works too.
      const enc = encodeLayerTable(tables[0]!);
      const odd = new Uint8Array(enc.length + 1);
      odd.set(enc, 1);
      expect(paths(UnionView.build(base, [{ entries: layers[0]!, table: decodeLayerTable(odd.subarray(1)) }]))).toEqual(
        paths(UnionView.build(base, [{ entries: layers[0]! }])),
      );
    });

    it('a table prepared from a layer refuses the same names the view refuses (UNSAFE_PATH, INVALID_WHITEOUT), naming the path', async () => {
      const core = await loadCore({ simd });
      for (const [entries, code, path] of [
        [[f('a/../../x')], 'UNSAFE_PATH', 'a/../../x'],
        [[d('a'), f('a/.wh..')], 'INVALID_WHITEOUT', 'a/.wh..'],
        [[d('a'), f('a/.wh.gone/child')], 'INVALID_WHITEOUT', 'a/.wh.gone/child'],
      ] as const) {
        for (const names of [packNames(entries), undefined]) {
          try {
            prepareLayerTable(core, { entries: [...entries], names }, 3);
            expect.unreachable();
          } catch (e) {
            expect(isLayerfsError(e, code), String(e)).toBe(true);
            expect((e as Error).message).toContain(JSON.stringify(path));
            expect((e as Error).message).toContain('layer 3');
          }
          expect(() => UnionView.build(core, [{ entries: [...entries], ...(names ? { names } : {}) }])).toThrow(expect.objectContaining({ code }));
        }
      }
    });

    it('mismatched packed names or tables are INVALID_ARGUMENT', async () => {
      const core = await loadCore({ simd });
      const entries = [d('a'), f('a/b'), f('c')];
      const names = packNames(entries);
      const bad = (layer: object) => expect(() => UnionView.build(core, [{ entries, ...layer }])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      bad({ names: { bytes: names.bytes, kinds: names.kinds.subarray(1) } });
      bad({ names: { bytes: names.bytes, kinds: Uint8Array.of(0, 2, 1) } });
      expect(() => UnionView.build(core, [{ entries, names: { bytes: names.bytes, kinds: Uint8Array.of(0, 1, 9) } }])).toThrow(/packed kind 9 of entry 2 is not 0/);
      bad({ names: { bytes: names.bytes.subarray(0, names.bytes.lastIndexOf(0)), kinds: names.kinds } }); // two names for three kinds
      bad({ names: { bytes: [...names.bytes], kinds: names.kinds } });
      bad({ table: prepareLayerTable(core, { entries: entries.slice(1) }) });
      bad({ table: { nope: 1 } });
      expect(() => UnionView.build(core, [{ entries, names: { bytes: names.bytes.subarray(0, 3), kinds: names.kinds } }])).toThrow(/packed names hold a different number/);
    });

    it('decodeLayerTable refuses damaged bytes, and a table that lies about its depth fails the build with a typed error', async () => {
      const core = await loadCore({ simd });
      const entries = stack()[0]!;
      const good = encodeLayerTable(prepareLayerTable(core, { entries }));
      const damaged = (f: (b: Uint8Array, u: Uint32Array) => void) => {
        const b = good.slice();
        f(b, new Uint32Array(b.buffer, 0, b.length >>> 2));
        return b;
      };
      const r = new Uint32Array(good.buffer, 0, 8)[3]!;
      const rec5 = (field: number) => 8 + REC_WORDS * 5 + field; // record 5's field, in u32 words
      for (const b of [
        good.subarray(0, 20),
        good.subarray(0, good.length - 1),
        damaged((_, u) => (u[0] = 0)),
        damaged((_, u) => (u[1] = 1)), // version 1 (one array per field): prepared again by the store
        damaged((_, u) => (u[1] = 2)), // version 2 (records without their key hash): prepared again too
        damaged((_, u) => (u[1] = 3)), // version 3 (FNV-1a key hashes over UTF-16 units): prepared again too
        damaged((_, u) => (u[3] = 0xffffffff)), // a negative record count
        damaged((_, u) => (u[8] = 0xffffff)), // record 0's offset
        damaged((_, u) => (u[8] = 0xffffffff)), // record 0's offset, negative
        damaged((_, u) => (u[rec5(RecField.LEN)] = 1e9)), // record 5's length
        damaged((_, u) => (u[rec5(RecField.ENTRY)] = 1e6)), // record 5's entry
        damaged((_, u) => (u[rec5(RecField.ENTRY)] = 0xfffffffe)), // record 5's entry, -2
        damaged((_, u) => (u[rec5(RecField.LCP)] = 4000)), // record 5's common prefix
        damaged((b) => (b[4 * (8 + REC_WORDS * r) + 5] = 200)), // record 5's flags
      ]) {
        expect(() => decodeLayerTable(b)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      }
      // maxDepth 0 while the keys go 3 levels deep: the merge stops, no trap, no stray write.
      const shallow = decodeLayerTable(damaged((_, u) => (u[5] = 0)));
      expect(() => UnionView.build(core, [{ entries, table: shallow }])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      expect(UnionView.build(core, [{ entries, table: decodeLayerTable(good) }]).has('usr/lib/f7')).toBe(true);
      // A record whose hash lies: its path is not found (a wrong view, as the
      // check promises), every other one still is; no trap.
      const t = decodeLayerTable(good);
      const keyOf = (i: number) => new TextDecoder().decode(t.bytes.subarray(t.rec[REC_WORDS * i + RecField.OFF]!, t.rec[REC_WORDS * i + RecField.OFF]! + t.rec[REC_WORDS * i + RecField.LEN]!));
      const real = Array.from({ length: r }, (_, i) => i).filter((i) => t.rec[REC_WORDS * i + RecField.ENTRY]! >= 0 && t.rec[REC_WORDS * i + RecField.LEN]! > 0);
      const [liar, honest] = [real[3]!, real[4]!];
      const lying = decodeLayerTable(damaged((_, u) => (u[8 + REC_WORDS * liar + RecField.HASH] ^= 0x5a5a5a5a)));
      const v = UnionView.build(core, [{ entries, table: lying }]);
      expect(v.has(keyOf(liar))).toBe(false);
      expect(v.has(keyOf(honest))).toBe(true);
      expect(v.size).toBe(UnionView.build(core, [{ entries, table: t }]).size);
    });
  });
}
