import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/node.js';
import { build, pruneBuildCache, BUILD_CACHE, type BuildEvent, type BuildResult } from '../../src/build/index.js';
import { main } from '../../src/cli/main.js';

const DOCKERFILE = ['FROM scratch', 'COPY a.txt /app/', 'COPY b.txt /app/', 'COPY dir /app/dir', 'ENV X=1', 'COPY c.txt /app/', 'CMD ["/app/a.txt"]', ''].join('\n');

let tmp: string;
let ctxDir: string;
let storeDir: string;

async function write(rel: string, content: string): Promise<void> {
  const p = path.join(ctxDir, rel);
  await fs.mkdir(path.dirname(p), { recursive: true });
  await fs.writeFile(p, content);
}

async function run(store: Store, extra: Partial<Parameters<typeof build>[1]> = {}): Promise<{ r: BuildResult; cached: Map<number, boolean> }> {
  const cached = new Map<number, boolean>();
  const r = await build(store, {
    context: ctxDir,
    onEvent: (e: BuildEvent) => {
      if (e.type === 'step-done') cached.set(e.number, e.cached);
    },
    ...extra,
  });
  return { r, cached };
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'layerfs-build-cache-'));
  ctxDir = path.join(tmp, 'ctx');
  storeDir = path.join(tmp, 'store');
  await write('Dockerfile', DOCKERFILE);
  await write('a.txt', 'a');
  await write('b.txt', 'b');
  await write('dir/x', 'x1');
  await write('dir/sub/y', 'y');
  await write('c.txt', 'c');
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('build cache', () => {
  let first: BuildResult;

  it('a second build reuses every step and gives the same image', async () => {
    const store = await openStore(storeDir);
    const a = await run(store, { tag: 'app:1' });
    first = a.r;
    expect([...a.cached.values()].every((c) => !c)).toBe(true);
    expect(first.image.layers).toHaveLength(4);
    // Metadata steps are history entries with empty_layer, layers are not.
    expect(first.image.history.map((h) => [h.created_by, h.empty_layer ?? false])).toEqual([
      ['COPY a.txt /app/', false],
      ['COPY b.txt /app/', false],
      ['COPY dir /app/dir', false],
      ['ENV X=1', true],
      ['COPY c.txt /app/', false],
      ['CMD ["/app/a.txt"]', true],
    ]);

    // A new Store object on the same directory: the cache lives on disk, not in the process.
    const again = await run(await openStore(storeDir), { tag: 'app:1' });
    expect([...again.cached.entries()].filter(([n]) => n > 1).every(([, c]) => c)).toBe(true);
    expect(again.cached.get(1)).toBe(false); // FROM is never "cached": there is nothing to reuse
    expect(again.r.id).toBe(first.id);
    expect(again.r.digest).toBe(first.digest);
  });

  it('changing a file used by the third step rebuilds from there on, and only those layers change', async () => {
    await write('dir/x', 'x2');
    try {
      const store = await openStore(storeDir);
      const { r, cached } = await run(store);
      expect(cached.get(2)).toBe(true);
      expect(cached.get(3)).toBe(true);
      for (const n of [4, 5, 6, 7]) expect(cached.get(n)).toBe(false);
      expect(r.image.layers[0]!.digest).toBe(first.image.layers[0]!.digest);
      expect(r.image.layers[1]!.digest).toBe(first.image.layers[1]!.digest);
      expect(r.image.layers[2]!.diffId).not.toBe(first.image.layers[2]!.diffId);
      expect(r.id).not.toBe(first.id);
      // The unchanged file of step 6 makes a byte-identical layer even though the step ran again.
      expect(r.image.layers[3]!.diffId).toBe(first.image.layers[3]!.diffId);
    } finally {
      await write('dir/x', 'x1');
    }
  });

  it('mtimes are not part of the key', async () => {
    const future = new Date(Date.now() + 3600_000);
    await fs.utimes(path.join(ctxDir, 'a.txt'), future, future);
    const { r, cached } = await run(await openStore(storeDir));
    expect(cached.get(2)).toBe(true);
    expect(r.id).toBe(first.id);
  });

  it('--no-cache runs every step again (same layers, deterministic output)', async () => {
    const store = await openStore(storeDir);
    const a = await run(store, { sourceDateEpoch: 1_000_000_000 });
    const { r, cached } = await run(store, { noCache: true, sourceDateEpoch: 1_000_000_000 });
    expect([...cached.values()].some((c) => c)).toBe(false);
    expect(r.image.layers.map((l) => l.diffId)).toEqual(a.r.image.layers.map((l) => l.diffId));
    expect(r.id).toBe(a.r.id);
    expect(r.digest).toBe(a.r.digest);
  });

  it('gc keeps cached layers alive; a swept blob turns the hit into a rebuild', async () => {
    const store = await openStore(storeDir);
    await store.untag('app:1');
    await store.gc();
    const kept = await run(store);
    expect([...kept.cached.entries()].filter(([n]) => n > 1).every(([, c]) => c)).toBe(true);

    // Lose the layer of step 3 (COPY b.txt): that step and the ones after are rebuilt, the build still works.
    await store.backend.deleteBlob(first.image.layers[1]!.digest);
    const healed = await run(store);
    expect(healed.cached.get(2)).toBe(true);
    expect(healed.cached.get(3)).toBe(false);
    expect(await store.hasBlob(first.image.layers[1]!.digest)).toBe(true);
    // Files untouched since the cached build give the same layers (dir/x was rewritten above: its mtime moved).
    for (const i of [0, 1, 3]) expect(healed.r.image.layers[i]!.diffId).toBe(kept.r.image.layers[i]!.diffId);
  });

  it('a step rebuilt to the same state lets the next steps hit again (work started ahead for them is dropped)', async () => {
    const store = await openStore(path.join(tmp, 'store-ahead'));
    const a = await run(store, { sourceDateEpoch: 1_000_000_000 });
    // Lose the first layer: step 2 runs again and, with a fixed epoch, makes the very same image state.
    await store.backend.deleteBlob(a.r.image.layers[0]!.digest);
    const b = await run(store, { sourceDateEpoch: 1_000_000_000 });
    expect(b.cached.get(2)).toBe(false);
    for (const n of [3, 4, 5, 6, 7]) expect(b.cached.get(n)).toBe(true);
    expect(b.r.id).toBe(a.r.id);
    expect(b.r.digest).toBe(a.r.digest);
    expect(await store.hasBlob(a.r.image.layers[0]!.digest)).toBe(true);
  });

  it('pruneBuildCache drops the records; gc then frees what only the cache kept', async () => {
    const store = await openStore(storeDir);
    expect((await store.records(BUILD_CACHE).list()).length).toBeGreaterThan(0);
    const n = await pruneBuildCache(store);
    expect(n).toBeGreaterThan(0);
    const report = await store.gc();
    expect(report.removedBlobs.length).toBeGreaterThan(0);
    const { cached } = await run(store);
    expect([...cached.values()].some((c) => c)).toBe(false);
  });

  it('the CLI prints one line per step with CACHED, and the id last', async () => {
    const lines: string[] = [];
    const errs: string[] = [];
    const io = { stdout: { write: (s: string) => void lines.push(s) }, stderr: { write: (s: string) => void errs.push(s) }, env: {} };
    const argv = ['build', '--store', storeDir, '-t', 'cli:1', ctxDir];
    expect(await main(argv, io)).toBe(0);
    lines.length = 0;
    expect(await main(argv, io)).toBe(0);
    const out = lines.join('').trim().split('\n');
    expect(out[0]).toMatch(/^\[1\/7\] FROM scratch {2}\d+\.\d\ds$/);
    expect(out[1]).toMatch(/^\[2\/7\] COPY a\.txt \/app\/ {2}CACHED {2}\d+B {2}\d+\.\d\ds$/);
    expect(out[4]).toMatch(/^\[5\/7\] ENV X=1 {2}CACHED {2}\d+\.\d\ds$/);
    expect(out[6]).toMatch(/^\[7\/7\] CMD \["\/app\/a\.txt"\] {2}CACHED/);
    const store = await openStore(storeDir);
    expect(out[out.length - 1]).toBe((await store.image('cli:1')).id);
    expect(errs.join('')).toBe('');
  });

  it('CLI errors: a bad Dockerfile exits 1 with the line and column', async () => {
    const bad = path.join(tmp, 'Bad.Dockerfile');
    await fs.writeFile(bad, 'FROM scratch\nCOPY a.txt /x\n  RUN make\n');
    const errs: string[] = [];
    const io = { stdout: { write: () => {} }, stderr: { write: (s: string) => void errs.push(s) }, env: {} };
    expect(await main(['build', '--store', storeDir, '-f', bad, ctxDir], io)).toBe(1);
    expect(errs.join('')).toMatch(/UNSUPPORTED_INSTRUCTION: Dockerfile line 3/);
    errs.length = 0;
    await fs.writeFile(bad, 'FROM scratch\nCOPY a.txt /x\nBOGUS x\n');
    expect(await main(['build', '--store', storeDir, '-f', bad, ctxDir], io)).toBe(1);
    expect(errs.join('')).toMatch(/DOCKERFILE_PARSE: Dockerfile line 3, column 1/);
  });
});
