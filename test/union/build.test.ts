/**
 * How UnionView.build prepares layers: frozen entry arrays are prepared
 * once and their tables shared by every later view (counted at the Wasm
 * export that cleans names); arrays that may still change are prepared
 * again each time; sorted and unsorted layers give the same view; views
 * built before linear memory grows keep working; a name below a `.wh.`
 * name is refused with a typed error.
 */
import { describe, expect, it } from 'vitest';
import { loadCore } from '../../src/core/load.js';
import { InvalidArgumentError } from '../../src/errors/InvalidArgumentError.js';
import { InvalidWhiteoutError } from '../../src/errors/InvalidWhiteoutError.js';
import type { UnionLayerEntry } from '../../src/union/types.js';
import { UnionView } from '../../src/union/view.js';
import { counted, d, f, opq, wh } from './helpers.js';

const paths = (v: UnionView) => v.entries().map((n) => `${n.path}@${n.layer}${n.implied ? '*' : ''}`);

function layers(): UnionLayerEntry[][] {
  const base = [d('etc'), f('etc/hosts'), d('usr'), ...Array.from({ length: 700 }, (_, i) => f(`usr/lib/f${String(i).padStart(3, '0')}`))];
  const mid = [d('usr/lib'), wh('usr/lib/f010'), opq('etc'), f('etc/passwd'), ...Array.from({ length: 300 }, (_, i) => f(`usr/lib/g${i}`))];
  const top = [wh('etc/passwd'), f('srv/caf\u00e9'), d('usr/share'), f('usr/lib/f001')];
  return [base, mid, top];
}

/** Entries in a shuffled (deterministic) order: not as a layer writer sorts them. */
function shuffled(entries: UnionLayerEntry[]): UnionLayerEntry[] {
  const out = [...entries];
  let x = 12345;
  for (let i = out.length - 1; i > 0; i--) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

for (const simd of [true, false]) {
  describe(`UnionView.build (${simd ? 'simd' : 'scalar'} build)`, () => {
    it('prepares a frozen layer once: a second view over shared layers reuses its tables', async () => {
      const { core, calls } = counted(await loadCore({ simd }));
      const [base, mid, top] = layers().map((l) => Object.freeze(l));
      const v1 = UnionView.build(core, [{ entries: base! }, { entries: mid! }]);
      expect(calls()).toBe(2);
      const v2 = UnionView.build(core, [{ entries: base! }, { entries: mid! }, { entries: top! }]);
      expect(calls()).toBe(3); // only the new top layer
      expect(paths(v2)).toEqual(paths(UnionView.build(await loadCore({ simd }), layers().map((entries) => ({ entries })))));
      expect(v1.has('etc/passwd')).toBe(true);
      expect(v2.has('etc/passwd')).toBe(false);
      // lowerView and withLayer reuse them too
      expect(paths(v2.lowerView(2))).toEqual(paths(v1));
      expect(calls()).toBe(3);
      expect(paths(v1.withLayer({ entries: top! }))).toEqual(paths(v2));
      expect(calls()).toBe(3);
    });

    it('prepares layers that are not frozen every time (they may have changed)', async () => {
      const { core, calls } = counted(await loadCore({ simd }));
      const entries = layers()[0]!;
      UnionView.build(core, [{ entries }]);
      entries.push(f('usr/new'));
      const v = UnionView.build(core, [{ entries }]);
      expect(calls()).toBe(2);
      expect(v.has('usr/new')).toBe(true);
    });

    it('gives the same view for sorted and unsorted layers, entry indexes pointing at the right entries', async () => {
      const core = await loadCore({ simd });
      const sorted = layers();
      const mixed = sorted.map(shuffled);
      const a = UnionView.build(core, sorted.map((entries) => ({ entries })));
      const b = UnionView.build(core, mixed.map((entries) => ({ entries })));
      expect(paths(b)).toEqual(paths(a));
      for (const n of b.entries()) if (!n.implied) expect(n.entry.path).toBe(n.path);
      expect(b.has('usr/lib/f010')).toBe(false);
      expect(b.lookup('usr/lib/f001')?.layer).toBe(2);
    });

    it('views built before linear memory grows keep working, and builds after it agree', async () => {
      const core = await loadCore({ simd });
      const ls = layers().map((entries) => ({ entries }));
      const before = UnionView.build(core, ls);
      const pages = core.memory.buffer.byteLength >>> 16;
      const big = core.exports.unionAlloc(pages * 65536 + 1); // forces memory.grow
      core.exports.unionFree(big);
      expect(core.memory.buffer.byteLength >>> 16).toBeGreaterThan(pages);
      const after = UnionView.build(core, ls);
      expect(paths(after)).toEqual(paths(before));
      expect(before.lookup('srv/caf\u00e9')?.layer).toBe(2);
      expect(before.readdir('usr/lib')).toContain('g299');
    });

    it('refuses an entry without a string path with InvalidArgumentError naming layer and entry', async () => {
      const core = await loadCore({ simd });
      const bad = [f('a'), { ...f('b'), path: 7 as unknown as string }];
      expect(() => UnionView.build(core, [{ entries: [f('x')] }, { entries: bad }])).toThrow(InvalidArgumentError);
      expect(() => UnionView.build(core, [{ entries: [f('x')] }, { entries: bad }])).toThrow('layer 1, entry 1 has no path');
      expect(() => UnionView.build(core, [{ entries: 'nope' as unknown as UnionLayerEntry[] }])).toThrow(InvalidArgumentError);
    });

    it('refuses an entry below a .wh. name with InvalidWhiteoutError (as applyLayer does)', async () => {
      const core = await loadCore({ simd });
      const bad = [d('a'), f('a/.wh.gone/child')];
      expect(() => UnionView.build(core, [{ entries: [f('x')] }, { entries: bad }])).toThrow(InvalidWhiteoutError);
      expect(() => UnionView.build(core, [{ entries: bad }])).toThrow(/layer 0: entry below a whiteout name: "a\/.wh.gone\/child"/);
      const v = UnionView.build(core, [{ entries: [f('x')] }]);
      expect(() => v.withLayer({ entries: bad })).toThrow(InvalidWhiteoutError);
    });
  });
}
