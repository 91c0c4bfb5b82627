/**
 * Unpack benchmark: layerfs applyLayer of a two-layer image onto a directory
 * (NodeDirTree) against `umoci unpack` of the same image, in the same run, on
 * tmpfs (/dev/shm) where available.
 *
 *   npm run build && npm run bench -- unpack    (or: node bench/unpack.js)
 *   BENCH_SCALE=0.1 node bench/unpack.js        (quick check)
 *   BENCH_ITERATIONS=5 node bench/unpack.js     (rounds; default 3, peers interleaved)
 *
 * The image is a minimal OCI layout built here: layer 1 = the bench/diff.js
 * tree (20,000 files, ~280 MiB, 200 directories), layer 2 = 5 % of the files
 * modified and 2 % deleted (whiteouts), both gzip, written by diffTrees.
 * MB/s = bytes of the unpacked tree (10^6) per second. Writes
 * bench/results/unpack.json.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, lstatSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';
import { applyLayer, diffTrees } from 'layerfs';
import { NodeDirTree } from 'layerfs/node';
import { changeTree, interleaved, makeTree, workDir } from './diff.js';

const here = dirname(fileURLToPath(import.meta.url));

function putBlob(layout, bytes) {
  const hex = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(join(layout, 'blobs', 'sha256', hex), bytes);
  return { digest: `sha256:${hex}`, size: bytes.length };
}

/** A minimal OCI image layout (image-layout.md) holding one image, tag "latest". */
function writeLayout(layout, layers) {
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const layerDescs = layers.map((l) => ({ mediaType: l.mediaType, ...putBlob(layout, l.bytes) }));
  const config = {
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map(() => ({ created_by: 'layerfs bench' })),
  };
  const configDesc = { mediaType: 'application/vnd.oci.image.config.v1+json', ...putBlob(layout, Buffer.from(JSON.stringify(config))) };
  const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: configDesc, layers: layerDescs };
  const manifestDesc = { mediaType: manifest.mediaType, ...putBlob(layout, Buffer.from(JSON.stringify(manifest))) };
  const index = { schemaVersion: 2, manifests: [{ ...manifestDesc, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }] };
  writeFileSync(join(layout, 'index.json'), JSON.stringify(index));
  return layerDescs.map((d) => join(layout, 'blobs', 'sha256', d.digest.slice(7)));
}

/** Files, total file bytes and directories of a tree (a cheap equality check between the two unpacks). */
function census(dir) {
  let files = 0;
  let bytes = 0;
  let dirs = 0;
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = lstatSync(p);
      if (st.isDirectory()) {
        dirs++;
        walk(p);
      } else {
        files++;
        bytes += st.size;
      }
    }
  };
  walk(dir);
  return { files, bytes, dirs };
}

export async function run(ctx = {}) {
  const scale = Number(ctx.scale ?? process.env.BENCH_SCALE ?? 1) || 1;
  const iterations = Number(process.env.BENCH_ITERATIONS ?? 3) || 3;
  const rootless = process.getuid?.() === 0 ? [] : ['--rootless'];
  const work = workDir('unpack');
  try {
    const empty = join(work, 'empty');
    const lower = join(work, 'lower');
    const upper = join(work, 'upper');
    mkdirSync(empty);
    mkdirSync(lower);
    console.log(`generating the tree in ${work} (scale ${scale}) ...`);
    const plan = makeTree(lower, scale);
    execFileSync('cp', ['-a', lower, upper]);
    const change = changeTree(upper, plan);
    const l1 = await diffTrees(new NodeDirTree(empty), new NodeDirTree(lower), { compression: 'gzip' });
    const l2 = await diffTrees(new NodeDirTree(lower), new NodeDirTree(upper), { compression: 'gzip' });
    rmSync(lower, { recursive: true });
    const layout = join(work, 'oci');
    const blobs = writeLayout(layout, [l1, l2]);
    console.log(`image: layer 1 ${(l1.size / 2 ** 20).toFixed(0)} MiB gzip (${l1.entries} entries), layer 2 ${(l2.size / 2 ** 20).toFixed(1)} MiB (${l2.entries} entries)`);

    const ours = join(work, 'ours');
    const bundle = join(work, 'bundle');
    const timed = await interleaved(
      {
        'layerfs applyLayer x2 -> NodeDirTree': {
          fn: async () => {
            const tree = new NodeDirTree(ours);
            for (const b of blobs) await applyLayer(new Uint8Array(readFileSync(b)), tree);
          },
          beforeEach() {
            rmSync(ours, { recursive: true, force: true });
            mkdirSync(ours);
          },
        },
        'umoci unpack': {
          fn: async () => void execFileSync('umoci', ['unpack', ...rootless, '--image', `${layout}:latest`, bundle], { stdio: ['ignore', 'pipe', 'pipe'] }),
          beforeEach() {
            rmSync(bundle, { recursive: true, force: true });
          },
        },
      },
      iterations,
    );

    const a = census(ours);
    const b = census(join(bundle, 'rootfs'));
    const u = census(upper);
    const same = JSON.stringify(a) === JSON.stringify(b) && JSON.stringify(a) === JSON.stringify(u);
    console.log(`unpacked trees: layerfs ${JSON.stringify(a)}, umoci ${JSON.stringify(b)}, upper ${JSON.stringify(u)} -> ${same ? 'same' : 'DIFFERENT'}`);

    const mb = u.bytes / 1e6;
    const results = {};
    for (const [task, r] of Object.entries(timed)) results[task] = { ...r, mbps: mb / (r.bestMs / 1000) };
    const lf = results['layerfs applyLayer x2 -> NodeDirTree'];
    const um = results['umoci unpack'];
    const ratio = um.bestMs / lf.bestMs;
    const meanRatio = um.meanMs / lf.meanMs;
    console.table(Object.entries(results).map(([task, r]) => ({ task, 'best ms': r.bestMs.toFixed(0), 'mean ms': r.meanMs.toFixed(0), 'tree MB/s (best)': r.mbps.toFixed(0) })));
    console.log(`unpack: layerfs is ${ratio.toFixed(2)}x faster than umoci unpack by best time, ${meanRatio.toFixed(2)}x by mean (target >= 3x)`);
    const result = {
      bench: 'unpack',
      date: new Date().toISOString(),
      node: process.version,
      scale,
      iterations,
      tmpfs: work.startsWith('/dev/shm'),
      tree: { ...u, ...change },
      layers: [
        { size: l1.size, entries: l1.entries },
        { size: l2.size, entries: l2.entries },
      ],
      sameTree: same,
      results,
      ratio: { 'layerfs / umoci unpack (speed-up, best)': Number(ratio.toFixed(2)), 'layerfs / umoci unpack (speed-up, mean)': Number(meanRatio.toFixed(2)) },
      loadavg: os.loadavg(),
    };
    mkdirSync(join(here, 'results'), { recursive: true });
    writeFileSync(join(here, 'results', 'unpack.json'), JSON.stringify(result, null, 2) + '\n');
    return result;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
