/**
 * Dropping build-cache records (`docker builder prune`): the images and
 * layers they kept alive become garbage for the next `store.gc()`.
 */
import type { Store } from '../store/store.js';
import { BUILD_CACHE, BUILD_CACHE_STEPS, BUILD_CONTEXT_DIGESTS } from './builder.js';

/** Deletes every build-cache record; returns how many there were. */
export async function pruneBuildCache(store: Store): Promise<number> {
  const records = store.records(BUILD_CACHE);
  let n = 0;
  for (const key of await records.list()) if (await records.delete(key)) n++;
  // The marks of the steps the cache held go too (else every step would hash its inputs twice).
  const marks = store.records(BUILD_CACHE_STEPS);
  for (const key of await marks.list()) await marks.delete(key);
  // And the digests contexts remembered: after a prune every file is read again.
  const memos = store.records(BUILD_CONTEXT_DIGESTS);
  for (const key of await memos.list()) await memos.delete(key);
  return n;
}
