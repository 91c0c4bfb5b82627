/**
 * A COPY/ADD step the cache cannot hold (its instruction never built in
 * this store, or --no-cache) reads each file once: the layer writer hashes
 * what it reads, and the key is computed afterwards. A step the cache may
 * hold hashes first (digestMany) and reads nothing more on a hit. Both
 * ways must give the same keys and the same image.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/node.js';
import { build, pruneBuildCache, BUILD_CACHE_STEPS, type BuildContext, type BuildEvent } from '../../src/build/index.js';
import { nodeContext } from '../../src/build/node.js';

let tmp: string;
let ctxDir: string;

/** nodeContext, counting the files read for hashing and for packing. */
async function countingContext(): Promise<{ ctx: BuildContext; hashed: string[]; packed: string[]; digestsRecorded: number }> {
  const inner = await nodeContext(ctxDir);
  const out = { hashed: [] as string[], packed: [] as string[], digestsRecorded: 0, ctx: undefined as unknown as BuildContext };
  out.ctx = {
    ...inner,
    list: () => inner.list(),
    readBytes: (p) => inner.readBytes(p),
    readStream: (p) => inner.readStream(p),
    async digestMany(paths, sizes) {
      out.hashed.push(...paths);
      return inner.digestMany!(paths, sizes);
    },
    readTransient(p, size, onDigest) {
      out.packed.push(p);
      return inner.readTransient!(p, size, onDigest && ((d) => (out.digestsRecorded++, onDigest(d))));
    },
  };
  return out;
}

const cachedSteps = (events: BuildEvent[]) => events.filter((e) => e.type === 'step-done' && e.kind === 'copy').map((e) => (e as { cached: boolean }).cached);

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerfs-build-one-pass-'));
  ctxDir = path.join(tmp, 'ctx');
  for (let i = 0; i < 40; i++) {
    fs.mkdirSync(path.join(ctxDir, `d${i % 2}`), { recursive: true });
    fs.writeFileSync(path.join(ctxDir, `d${i % 2}`, `f${i}`), `file ${i}\n`.repeat(i * 50));
  }
  fs.writeFileSync(path.join(ctxDir, 'Dockerfile'), 'FROM scratch\nCOPY d0 /a/\nENV X=1\nCOPY d1 /b/\n');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('one-pass COPY', () => {
  it('a cold build reads each file once and a rebuild only hashes; both give the same keys and image', async () => {
    const store = await openStore(path.join(tmp, 'store'));
    const cold = await countingContext();
    const events: BuildEvent[] = [];
    const a = await build(store, { context: cold.ctx, sourceDateEpoch: 1000, onEvent: (e) => events.push(e) });
    expect(cachedSteps(events)).toEqual([false, false]);
    expect(cold.hashed).toEqual([]); // no separate hashing pass
    expect(cold.packed.filter((p) => p !== 'Dockerfile').sort()).toEqual(Array.from({ length: 40 }, (_, i) => `d${i % 2}/f${i}`).sort());
    expect(cold.digestsRecorded).toBe(cold.packed.length);

    const warm = await countingContext();
    const again: BuildEvent[] = [];
    const b = await build(store, { context: warm.ctx, sourceDateEpoch: 1000, onEvent: (e) => again.push(e) });
    // The keys the hashing pass computes are the ones the one-pass build stored.
    expect(cachedSteps(again)).toEqual([true, true]);
    expect(warm.packed).toEqual([]);
    expect(new Set(warm.hashed).size).toBe(40);
    expect(b.id).toBe(a.id);

    // The same image from a store that builds with the hashing pass first (marks present, keys absent).
    const other = await openStore(path.join(tmp, 'store2'));
    const marks = await store.records(BUILD_CACHE_STEPS).list();
    expect(marks).toHaveLength(2);
    for (const k of marks) await other.records(BUILD_CACHE_STEPS).put(k, true);
    const twoPass = await countingContext();
    const c = await build(other, { context: twoPass.ctx, sourceDateEpoch: 1000 });
    expect(new Set(twoPass.hashed).size).toBe(40);
    expect(twoPass.digestsRecorded).toBe(0);
    expect(c.id).toBe(a.id);
  });

  it('a step whose mark is gone but whose result is cached is still reported CACHED (and marked again)', async () => {
    const store = await openStore(path.join(tmp, 'store3'));
    const a = await build(store, { context: ctxDir, sourceDateEpoch: 1000 });
    const marks = store.records(BUILD_CACHE_STEPS);
    for (const k of await marks.list()) await marks.delete(k);
    const events: BuildEvent[] = [];
    const b = await build(store, { context: ctxDir, sourceDateEpoch: 1000, onEvent: (e) => events.push(e) });
    expect(cachedSteps(events)).toEqual([true, true]);
    expect(b.id).toBe(a.id);
    expect(await marks.list()).toHaveLength(2);
  });

  it('pruneBuildCache drops the marks with the records', async () => {
    const store = await openStore(path.join(tmp, 'store4'));
    await build(store, { context: ctxDir, sourceDateEpoch: 1000 });
    expect(await store.records(BUILD_CACHE_STEPS).list()).toHaveLength(2);
    expect(await pruneBuildCache(store)).toBeGreaterThan(0);
    expect(await store.records(BUILD_CACHE_STEPS).list()).toEqual([]);
  });
});
