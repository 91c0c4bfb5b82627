/**
 * The Wasm merge-join (assembly/diff.ts via src/core/diff.ts), in both the
 * SIMD and scalar builds, against a straightforward JavaScript join using
 * comparePaths, on random sorted tables (non-ASCII names included).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DiffStatus, joinEntryTables, type DiffRow } from '../../src/core/diff.js';
import { comparePaths } from '../../src/layer/path.js';

function reference(lower: DiffRow[], upper: DiffRow[]): { lower: number[]; upper: number[] } {
  const l: number[] = [];
  const u: number[] = [];
  let i = 0;
  let j = 0;
  const status = (a: DiffRow, b: DiffRow) => {
    if (a.kind !== b.kind || a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || a.size !== b.size || a.extra !== b.extra) return DiffStatus.CHANGED;
    if ((a.kind === 3 || a.kind === 4) && (a.devmajor !== b.devmajor || a.devminor !== b.devminor)) return DiffStatus.CHANGED;
    if (a.kind !== 0) return DiffStatus.UNCHANGED;
    return a.mtime === b.mtime && a.mtime % 1 !== 0 && b.mtime % 1 !== 0 ? DiffStatus.UNCHANGED : DiffStatus.COMPARE;
  };
  while (i < lower.length || j < upper.length) {
    const c = i >= lower.length ? 1 : j >= upper.length ? -1 : comparePaths(lower[i]!.path, upper[j]!.path);
    if (c < 0) (l[i++] = DiffStatus.DELETED);
    else if (c > 0) (u[j++] = DiffStatus.ADDED);
    else {
      const s = status(lower[i]!, upper[j]!);
      l[i++] = s;
      u[j++] = s;
    }
  }
  return { lower: l, upper: u };
}

const seg = fc.constantFrom('a', 'b', 'a.b', 'a-b', 'é', '日本', '😀', 'z', 'aaaaaaaaaaaa', 'aaaaaaaaaaab');
const rowArb = fc.record({
  path: fc.array(seg, { minLength: 1, maxLength: 3 }).map((s) => s.join('/')),
  kind: fc.constantFrom(0, 1, 2, 3),
  mode: fc.constantFrom(0o644, 0o755),
  uid: fc.constantFrom(0, 1),
  gid: fc.constant(0),
  devmajor: fc.constantFrom(0, 1),
  devminor: fc.constant(0),
  size: fc.constantFrom(0, 5, 2 ** 40),
  mtime: fc.constantFrom(0, 1, 1.5),
  extra: fc.constantFrom('', 'target', 'é\0user.x=\u0101'),
});
const tableArb = fc.array(rowArb, { maxLength: 40 }).map((rows) => {
  const seen = new Map<string, DiffRow>();
  for (const r of rows) seen.set(r.path, r);
  return [...seen.values()].sort((a, b) => comparePaths(a.path, b.path));
});

describe('Wasm diff join', () => {
  for (const simd of [true, false]) {
    test(`${simd ? 'SIMD' : 'scalar'} build agrees with the JS reference join`, async () => {
      await fc.assert(
        fc.asyncProperty(tableArb, tableArb, async (lower, upper) => {
          const r = await joinEntryTables(lower, upper, { simd });
          const ref = reference(lower, upper);
          expect([...r.lower]).toEqual(ref.lower);
          expect([...r.upper]).toEqual(ref.upper);
          expect(r.changes).toBe(ref.upper.filter((s) => s !== DiffStatus.UNCHANGED).length);
        }),
        { numRuns: 200 },
      );
    });
  }
  test('large tables (50,000 rows) grow the scratch region and still join right', async () => {
    const rows = (n: number, tag: string): DiffRow[] =>
      Array.from({ length: n }, (_, i) => ({ path: `dir${String(i % 100).padStart(3, '0')}/file${String(i).padStart(6, '0')}`, kind: 0, mode: 0o644, uid: 0, gid: 0, devmajor: 0, devminor: 0, size: i, mtime: 1.5, extra: tag })).sort((a, b) => comparePaths(a.path, b.path));
    const lower = rows(50_000, '');
    const upper = rows(50_000, '').map((r, i) => (i % 10 === 0 ? { ...r, size: r.size + 1 } : r));
    const r = await joinEntryTables(lower, upper);
    expect(r.changes).toBe(5000);
    expect(r.upper.filter((s) => s === DiffStatus.CHANGED).length).toBe(5000);
  });
});
