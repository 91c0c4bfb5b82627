/**
 * Union view: building the path index of a layer stack and looking paths up
 * in it. layerfs's Wasm index (UnionView) against, in the same run:
 *  (a) a straightforward top-down search over one Map per layer (plus a Set
 *      of whiteouts and of opaque directories per layer): build = the Maps,
 *      lookup = walk the layers from the top, checking the path and each
 *      ancestor for whiteouts, opaque markers and non-directories;
 *  (b) one JS Map of the merged result (path -> entry): build = filling the
 *      Map from the already merged list (the merge itself is not counted, so
 *      this build time flatters the Map), lookup = Map.get.
 *
 *   npm run build && npm run bench -- union     (or: node bench/union.js)
 *   BENCH_SCALE=0.1 node bench/union.js         (quick check)
 *
 * Default: 10 layers x 100,000 entries (directories, new files, files that
 * overwrite lower ones, whiteouts of files and of directories, opaque
 * directories), each layer sorted as layer writers emit it; 1,000,000
 * lookups of paths drawn from every layer (visible, hidden and absent ones).
 * Prints ms and ops/s with ratios; writes bench/results/union.json.
 */
import { Bench } from 'tinybench';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UnionView, loadCore, comparePaths } from 'layerfs';

const here = dirname(fileURLToPath(import.meta.url));

function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

// Names come out of a tar reader as flat strings decoded from bytes, never
// as the ropes that template literals build; make them the same way.
const utf8 = new TextEncoder();
const text = new TextDecoder();
const flat = (s) => text.decode(utf8.encode(s));
const header = (path, type) => ({ path: flat(path), type, mode: type === 'directory' ? 0o755 : 0o644, uid: 0, gid: 0, uname: '', gname: '', size: type === 'file' ? 100 : 0, mtime: 1700000000, linkname: '', devmajor: 0, devminor: 0, xattrs: {}, offset: 0 });

/** Ten layers shaped like an OS base plus application layers. */
export function makeStack(scale = 1, layerCount = 10) {
  const perLayer = Math.max(200, Math.round(100_000 * scale));
  const rand = rng(42);
  const pkgs = Math.max(8, Math.round(400 * scale));
  const dirs = [];
  for (let p = 0; p < pkgs; p++) for (let s = 0; s < 12; s++) dirs.push(`usr/share/pkg${p}/sub${s}`);
  const files = []; // every file path written so far (lower layers)
  const layers = [];
  for (let k = 0; k < layerCount; k++) {
    const entries = [];
    const touched = new Set();
    const add = (path, type) => entries.push(header(path, type));
    let i = 0;
    while (entries.length + touched.size * 1 < perLayer) {
      const r = rand();
      if (k > 0 && r < 0.3 && files.length > 0) {
        // overwrite a lower file
        const p = files[Math.floor(rand() * files.length)];
        add(p, 'file');
        touched.add(p.slice(0, p.lastIndexOf('/')));
      } else if (k > 0 && r < 0.32 && files.length > 0) {
        // delete a lower file
        const p = files[Math.floor(rand() * files.length)];
        const b = p.lastIndexOf('/');
        add(`${p.slice(0, b)}/.wh.${p.slice(b + 1)}`, 'file');
        touched.add(p.slice(0, b));
      } else if (k > 0 && r < 0.3205) {
        // delete a whole directory
        const dir = dirs[Math.floor(rand() * dirs.length)];
        const b = dir.lastIndexOf('/');
        add(`${dir.slice(0, b)}/.wh.${dir.slice(b + 1)}`, 'file');
      } else if (k > 0 && r < 0.321) {
        // make a directory opaque (and put one file in it)
        const dir = dirs[Math.floor(rand() * dirs.length)];
        add(`${dir}/.wh..wh..opq`, 'file');
        add(`${dir}/fresh-${k}-${i}.conf`, 'file');
        touched.add(dir);
      } else {
        const dir = dirs[Math.floor(rand() * dirs.length)];
        const p = `${dir}/file-${k}-${i}.dat`;
        add(p, 'file');
        files.push(p);
        touched.add(dir);
      }
      i++;
    }
    // Parent directories, as layer writers emit them.
    const parents = new Set();
    for (const dir of touched) {
      const segs = dir.split('/');
      for (let j = 1; j <= segs.length; j++) parents.add(segs.slice(0, j).join('/'));
    }
    for (const dir of parents) add(dir, 'directory');
    entries.length = Math.min(entries.length, perLayer + parents.size);
    entries.sort((a, b) => comparePaths(a.path, b.path));
    layers.push(entries);
  }
  return { layers, files };
}

// (a) top-down search over one Map per layer.
function buildTopDown(layers) {
  return layers.map((entries) => {
    const m = new Map();
    const wh = new Set();
    const opq = new Set();
    for (const e of entries) {
      const p = e.path;
      const b = p.lastIndexOf('/');
      if (p.startsWith('.wh.', b + 1)) {
        const dir = b < 0 ? '' : p.slice(0, b);
        if (p.length - b - 1 === 12 && p.endsWith('.wh..wh..opq')) opq.add(dir);
        else wh.add(b < 0 ? p.slice(4) : `${dir}/${p.slice(b + 5)}`);
      } else m.set(p, e);
    }
    return { m, wh, opq };
  });
}

function lookupTopDown(index, p) {
  const anc = [];
  for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) anc.push(p.slice(0, i));
  for (let k = index.length - 1; k >= 0; k--) {
    const L = index[k];
    const e = L.m.get(p);
    if (e !== undefined) return e;
    if (L.wh.size > 0 && L.wh.has(p)) return undefined;
    for (let j = 0; j < anc.length; j++) {
      const a = anc[j];
      if (L.wh.size > 0 && L.wh.has(a)) return undefined;
      if (L.opq.size > 0 && L.opq.has(a)) return undefined;
      const x = L.m.get(a);
      if (x !== undefined && x.type !== 'directory') return undefined;
    }
  }
  return undefined;
}

// (b) one Map of the merged result.
function buildMerged(list) {
  const m = new Map();
  for (const n of list) m.set(n.path, n.entry);
  return m;
}

export async function run() {
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const lookupsN = Math.max(10_000, Math.round(1_000_000 * scale));
  const t0 = performance.now();
  const { layers, files } = makeStack(scale);
  const entryCount = layers.reduce((a, l) => a + l.length, 0);
  const rand = rng(7);
  const keys = new Array(lookupsN);
  for (let i = 0; i < lookupsN; i++) {
    const r = rand();
    keys[i] = r < 0.05 ? `usr/share/pkg${i % 50}/absent-${i}.dat` : files[Math.floor(rand() * files.length)];
  }
  console.log(`stack: ${layers.length} layers, ${entryCount} entries; ${lookupsN} lookups (generated in ${(performance.now() - t0).toFixed(0)} ms)`);

  const core = await loadCore();
  const inputs = layers.map((entries) => ({ entries }));
  const frozenInputs = layers.map((entries) => ({ entries: Object.freeze([...entries]) }));
  let view = UnionView.build(core, inputs);
  UnionView.build(core, frozenInputs); // fills the per-layer cache for the warm build
  const topDown = buildTopDown(layers);
  const merged = buildMerged(view.entries());

  // The three must agree before any of them is timed.
  let visible = 0;
  for (let i = 0; i < Math.min(keys.length, 50_000); i++) {
    const a = view.lookup(keys[i])?.entry;
    const b = lookupTopDown(topDown, keys[i]);
    const c = merged.get(keys[i]);
    if (a !== b || a !== c) throw new Error(`peers disagree on ${keys[i]}: ${a?.path} / ${b?.path} / ${c?.path}`);
    if (a) visible++;
  }
  console.log(`agreement checked on ${Math.min(keys.length, 50_000)} keys (${visible} visible); ${view.size} paths in the merged view`);

  const top = { entries: Array.from({ length: 1000 }, (_, i) => header(`srv/app/file-${i}`, 'file')) };
  let sink = 0;
  const bench = new Bench({ time: Number(process.env.BENCH_TIME ?? 1500), iterations: 3, warmupIterations: 1 });
  bench
    .add('build: layerfs Wasm index (cold: every layer prepared)', () => {
      view = UnionView.build(core, inputs);
    })
    .add('build: layerfs Wasm index (warm: prepared layers cached, merge only)', () => {
      sink += UnionView.build(core, frozenInputs).size;
    })
    .add('build: layerfs withLayer (1,000-entry top on the 10 layers)', () => {
      sink += view.withLayer(top).size;
    })
    .add('build: (a) top-down, one Map per layer', () => {
      sink += buildTopDown(layers).length;
    })
    .add('build: (b) one Map of the merged result', () => {
      sink += buildMerged(view.entries()).size;
    })
    .add('lookup: layerfs UnionView.lookup', () => {
      for (let i = 0; i < keys.length; i++) if (view.lookup(keys[i]) !== undefined) sink++;
    })
    .add('lookup: layerfs UnionView.has', () => {
      for (let i = 0; i < keys.length; i++) if (view.has(keys[i])) sink++;
    })
    .add('lookup: (a) top-down, one Map per layer', () => {
      for (let i = 0; i < keys.length; i++) if (lookupTopDown(topDown, keys[i]) !== undefined) sink++;
    })
    .add('lookup: (b) one Map of the merged result', () => {
      for (let i = 0; i < keys.length; i++) if (merged.get(keys[i]) !== undefined) sink++;
    });
  await bench.run();

  const results = {};
  for (const t of bench.tasks) {
    const r = t.result;
    const meanMs = r?.latency?.mean ?? r?.mean;
    const ops = t.name.startsWith('lookup') ? lookupsN / (meanMs / 1000) : undefined;
    results[t.name] = { meanMs, opsPerSec: ops };
  }
  const ms = (name) => results[name].meanMs;
  const ratios = {
    'build speed: Wasm cold vs (a) top-down Maps': ms('build: (a) top-down, one Map per layer') / ms('build: layerfs Wasm index (cold: every layer prepared)'),
    'build speed: Wasm warm vs (a) top-down Maps': ms('build: (a) top-down, one Map per layer') / ms('build: layerfs Wasm index (warm: prepared layers cached, merge only)'),
    'lookup speed: UnionView.lookup vs (b) merged Map': ms('lookup: (b) one Map of the merged result') / ms('lookup: layerfs UnionView.lookup'),
    'lookup speed: UnionView.has vs (b) merged Map': ms('lookup: (b) one Map of the merged result') / ms('lookup: layerfs UnionView.has'),
    'lookup speed: UnionView.lookup vs (a) top-down Maps': ms('lookup: (a) top-down, one Map per layer') / ms('lookup: layerfs UnionView.lookup'),
  };
  console.table(
    Object.entries(results).map(([task, r]) => ({
      task,
      'ms/iter': r.meanMs.toFixed(1),
      'lookups/s': r.opsPerSec ? `${(r.opsPerSec / 1e6).toFixed(2)} M` : '',
    })),
  );
  console.table(Object.entries(ratios).map(([what, x]) => ({ ratio: what, 'x': x.toFixed(2) })));
  const out = { bench: 'union', date: new Date().toISOString(), node: process.version, simd: core.simd, scale, layers: layers.length, entries: entryCount, mergedPaths: view.size, lookups: lookupsN, results, ratios, sink: sink > 0 };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'union.json'), JSON.stringify(out, null, 2) + '\n');
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
