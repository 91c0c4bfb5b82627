/** Shared by the conformance suites: apply layers to memory trees and describe the result. */
import { applyLayer } from '../../src/layer/apply.js';
import { MemoryTree, type MemoryEntrySpec } from '../../src/tree/memory.js';
import { makeLayer, snapshot, type EntrySpec } from '../layer/helpers.js';

/** Lower tree from specs, then each layer in turn; returns the text snapshot (content as text). */
export async function applied(lower: MemoryEntrySpec[], ...layers: EntrySpec[][]): Promise<Record<string, string>> {
  const t = await MemoryTree.from(lower);
  for (const l of layers) await applyLayer(makeLayer(l), t);
  return snapshot(t, { text: true });
}

/** Both orders of a two-entry pair (or any permutation list) must give the same result. */
export function orders<T>(a: T[], b: T[]): Array<[string, T[]]> {
  return [
    ['A then B', [...a, ...b]],
    ['B then A', [...b, ...a]],
  ];
}
