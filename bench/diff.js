/**
 * Diff benchmark: layerfs diffTrees (to a gzip layer) against `umoci repack`
 * of the same change, in the same run, on tmpfs (/dev/shm) where available.
 *
 *   npm run build && npm run bench -- diff      (or: node bench/diff.js)
 *   BENCH_SCALE=0.1 node bench/diff.js          (quick check)
 *   BENCH_ITERATIONS=5 node bench/diff.js       (rounds; default 3, peers interleaved)
 *
 * Tree (issue 3): 20,000 files, about 280 MiB (19,950 small files of 1-15 KiB,
 * 50 files of 2.4 MiB), in 200 directories; then 5 % of the files are
 * modified (half keep their size) and 2 % deleted. MB/s = tree bytes (10^6)
 * per second. Writes bench/results/diff.json.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { diffTrees } from 'layerfs';
import { NodeDirTree } from 'layerfs/node';

const here = dirname(fileURLToPath(import.meta.url));

/** A work directory on tmpfs when there is one (so the disk does not dominate). */
export function workDir(name) {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  return mkdtempSync(join(base, `layerfs-bench-${name}-`));
}

/** 32 MiB of half-compressible bytes that file contents are cut from. */
function pool() {
  const b = new Uint8Array(32 << 20);
  let x = 0x9e3779b9;
  for (let i = 0; i < b.length; i++) {
    x = (x * 1664525 + 1013904223) >>> 0;
    b[i] = x >>> 28 < 8 ? x >>> 24 : 97 + (i % 13);
  }
  return b;
}

function contentFor(p, i, size, salt = 0) {
  const off = ((i * 7919 + salt * 104729) * 13) % (p.length - size - 16);
  const out = Buffer.from(p.subarray(off, off + size));
  out.write(`#${i}:${salt}#`, 0, 'latin1'); // every file differs from the others
  return out;
}

/**
 * Writes the lower tree into `dir` and returns the plan of the change.
 * counts scale with `scale`; sizes stay as the issue states.
 */
export function makeTree(dir, scale = 1) {
  const p = pool();
  const nFiles = Math.max(50, Math.round(20000 * scale));
  const nLarge = Math.max(1, Math.round(50 * scale));
  const nDirs = Math.max(2, Math.round(200 * scale));
  const top = Math.max(1, Math.round(nDirs / 10));
  const dirs = [];
  for (let d = 0; d < nDirs; d++) {
    const rel = `d${String(d % top).padStart(2, '0')}/sub${String(d).padStart(3, '0')}`;
    mkdirSync(join(dir, rel), { recursive: true });
    dirs.push(rel);
  }
  const files = [];
  let bytes = 0;
  for (let i = 0; i < nFiles; i++) {
    const large = i % Math.floor(nFiles / nLarge) === 0 && files.filter((f) => f.large).length < nLarge;
    const size = large ? Math.round(2.4 * (1 << 20)) : 1024 + ((i * 7919) % (14 * 1024));
    const rel = `${dirs[i % dirs.length]}/file${String(i).padStart(5, '0')}${large ? '.bin' : '.txt'}`;
    writeFileSync(join(dir, rel), contentFor(p, i, size));
    files.push({ rel, size, large, i });
    bytes += size;
  }
  return { files, bytes, pool: p };
}

/** Modifies 5 % of the files (half of them keeping their size) and deletes 2 %, in `dir`. */
export function changeTree(dir, plan) {
  let modified = 0;
  let deleted = 0;
  for (const f of plan.files) {
    if (f.i % 20 === 3) {
      const size = f.i % 40 === 3 ? f.size : f.size + 100;
      writeFileSync(join(dir, f.rel), contentFor(plan.pool, f.i, size, 1));
      modified++;
    } else if (f.i % 50 === 7) {
      unlinkSync(join(dir, f.rel));
      deleted++;
    }
  }
  return { modified, deleted };
}

/** Path of the top layer blob of a tagged image in an OCI layout. */
function lastLayer(layout, tag) {
  const blob = (d) => join(layout, 'blobs', ...d.split(':'));
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  const desc = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  const manifest = JSON.parse(readFileSync(blob(desc.digest), 'utf8'));
  return blob(manifest.layers[manifest.layers.length - 1].digest);
}

/**
 * After BENCH_WARMUP (default 1) unrecorded rounds, runs each task once per
 * round, the tasks interleaved within a round (so a
 * busy, shared machine disturbs all peers alike), with tinybench timing each
 * call. Returns per task the samples, the best (min) and the mean in ms.
 */
export async function interleaved(tasks, rounds, warmupRounds = Number(process.env.BENCH_WARMUP ?? 1)) {
  const samples = Object.fromEntries(Object.keys(tasks).map((k) => [k, []]));
  // Warm-up rounds (not recorded): JIT for layerfs, page cache and binaries for both.
  for (let r = 0; r < warmupRounds; r++) for (const t of Object.values(tasks)) {
    await t.beforeEach?.();
    await t.fn();
  }
  for (let r = 0; r < rounds; r++) {
    const bench = new Bench({ iterations: 1, time: 0, warmup: false, throws: true });
    // async: true stops tinybench from calling fn once, untimed and without beforeEach, to detect it.
    for (const [name, t] of Object.entries(tasks)) bench.add(name, t.fn, { async: true, ...(t.beforeEach ? { beforeEach: t.beforeEach } : {}) });
    await bench.run();
    for (const t of bench.tasks) samples[t.name].push(t.result?.latency?.mean ?? t.result?.mean);
  }
  const out = {};
  for (const [name, xs] of Object.entries(samples)) {
    out[name] = { samplesMs: xs.map((x) => Math.round(x)), bestMs: Math.min(...xs), meanMs: xs.reduce((a, b) => a + b, 0) / xs.length };
  }
  return out;
}

function umoci(...args) {
  return execFileSync('umoci', args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
}

export async function run(ctx = {}) {
  const scale = Number(ctx.scale ?? process.env.BENCH_SCALE ?? 1) || 1;
  const iterations = Number(process.env.BENCH_ITERATIONS ?? 3) || 3;
  const work = workDir('diff');
  try {
    const lower = join(work, 'lower');
    mkdirSync(lower);
    console.log(`generating the tree in ${work} (scale ${scale}) ...`);
    const plan = makeTree(lower, scale);

    // umoci: an image whose layer is the lower tree, and a bundle whose mtree matches it.
    const layout = join(work, 'oci');
    const bundle = join(work, 'bundle');
    umoci('init', '--layout', layout);
    umoci('new', '--image', `${layout}:base`);
    umoci('unpack', '--image', `${layout}:base`, bundle);
    execFileSync('cp', ['-a', `${lower}/.`, join(bundle, 'rootfs')]);
    umoci('repack', '--refresh-bundle', '--image', `${layout}:v1`, bundle);
    const upper = join(bundle, 'rootfs');
    const change = changeTree(upper, plan);
    console.log(`tree: ${plan.files.length} files, ${(plan.bytes / 2 ** 20).toFixed(0)} MiB; change: ${change.modified} modified, ${change.deleted} deleted`);

    const out = join(work, 'layer.tar.gz');
    let last;
    // Without --refresh-bundle the bundle's mtree stays at v1, so every run repacks the same change.
    const timed = await interleaved(
      {
        'layerfs diffTrees -> gzip layer': {
          fn: async () => {
            last = await diffTrees(new NodeDirTree(lower), new NodeDirTree(upper), { compression: 'gzip', output: Writable.toWeb(createWriteStream(out)) });
          },
        },
        'umoci repack (gzip layer)': { fn: async () => void umoci('repack', '--no-history', '--image', `${layout}:v2`, bundle) },
      },
      iterations,
    );

    const mb = plan.bytes / 1e6;
    const results = {};
    for (const [task, r] of Object.entries(timed)) results[task] = { ...r, mbps: mb / (r.bestMs / 1000) };
    const lf = results['layerfs diffTrees -> gzip layer'];
    const um = results['umoci repack (gzip layer)'];
    const ratio = um.bestMs / lf.bestMs;
    const meanRatio = um.meanMs / lf.meanMs;
    console.table(Object.entries(results).map(([task, r]) => ({ task, 'best ms': r.bestMs.toFixed(0), 'mean ms': r.meanMs.toFixed(0), 'tree MB/s (best)': r.mbps.toFixed(0) })));
    const umociEntries = execFileSync('sh', ['-c', `tar -tzf "${lastLayer(layout, 'v2')}" | wc -l`], { encoding: 'utf8' }).trim();
    console.log(`layerfs layer: ${last.entries} entries, ${(last.size / 2 ** 20).toFixed(1)} MiB (${last.summary.added} added, ${last.summary.modified} modified, ${last.summary.deleted} whiteouts); umoci layer: ${umociEntries} entries, ${(statSync(lastLayer(layout, 'v2')).size / 2 ** 20).toFixed(1)} MiB`);
    console.log(`diff: layerfs is ${ratio.toFixed(2)}x faster than umoci repack by best time, ${meanRatio.toFixed(2)}x by mean (target >= 5x)`);
    const result = {
      bench: 'diff',
      date: new Date().toISOString(),
      node: process.version,
      scale,
      iterations,
      tmpfs: work.startsWith('/dev/shm'),
      tree: { files: plan.files.length, bytes: plan.bytes, ...change },
      layer: { entries: last.entries, size: last.size, summary: last.summary },
      umociLayerEntries: Number(umociEntries),
      results,
      ratio: { 'layerfs / umoci repack (speed-up, best)': Number(ratio.toFixed(2)), 'layerfs / umoci repack (speed-up, mean)': Number(meanRatio.toFixed(2)) },
      loadavg: os.loadavg(),
    };
    mkdirSync(join(here, 'results'), { recursive: true });
    writeFileSync(join(here, 'results', 'diff.json'), JSON.stringify(result, null, 2) + '\n');
    return result;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
