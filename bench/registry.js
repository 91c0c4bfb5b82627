/**
 * `npm run bench -- registry`: push and then pull a ~300 MiB, 20,000-file
 * image (4 gzip'd layers) through a local docker-registry (distribution
 * 2.8), with layerfs and with `skopeo copy`, in the same run. Each timed
 * push goes to a FRESH registry (started outside the timed window), so
 * neither tool can skip or mount blobs it saw before (skopeo's blob info
 * cache would otherwise mount them). Pulls go into a fresh destination
 * each time: skopeo into an OCI layout directory, layerfs into a fresh
 * disk store; both verify every blob.
 *
 * BENCH_SCALE=0.1 shrinks the image (bytes and files); BENCH_ITERATIONS
 * sets the rounds (default 3; each round times every task once, tools
 * interleaved; medians are reported). Prints MB/s and the layerfs/skopeo
 * ratio each way; writes bench/results/registry.json.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { Bench } from 'tinybench';
import { Image, pullImage, pushImage } from 'layerfs';
import { openStore } from 'layerfs/node';
import { startRegistry } from './lib/registry.js';

const here = dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;


const sha256File = (path) =>
  new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(`sha256:${h.digest('hex')}`))
      .on('error', reject);
  });

/**
 * The test image as an OCI layout: `files` random (incompressible) files of
 * varying size totalling ~`bytes`, in 4 layers made by GNU tar and gzip'd
 * (level 1). Cached in the temp dir between runs of the same size.
 */
async function makeLayout(bytes, files) {
  const dir = join(tmpdir(), `layerfs-bench-registry-layout-${bytes}-${files}`);
  if (existsSync(join(dir, 'index.json'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const src = mkdtempSync(join(tmpdir(), 'layerfs-bench-files-'));
  const LAYERS = 4;
  const avg = bytes / files;
  const layers = [];
  for (let l = 0; l < LAYERS; l++) {
    const root = join(src, `l${l}`);
    const n = Math.floor(files / LAYERS) + (l < files % LAYERS ? 1 : 0);
    for (let i = 0; i < n; i++) {
      const d = join(root, 'data', `d${i % 100}`);
      if (i < 100) mkdirSync(d, { recursive: true });
      writeFileSync(join(d, `f${l}-${i}.bin`), randomBytes(Math.max(1, Math.round(avg * (0.5 + ((i * 7919) % 1000) / 1000)))));
    }
    const tarPath = join(src, `l${l}.tar`);
    execFileSync('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', root, '-cf', tarPath, '.']);
    const gzPath = join(src, `l${l}.tar.gz`);
    await pipeline(createReadStream(tarPath), createGzip({ level: 1 }), createWriteStream(gzPath));
    const digest = await sha256File(gzPath);
    const diffId = await sha256File(tarPath);
    execFileSync('mv', [gzPath, join(blobs, digest.slice(7))]);
    layers.push({ digest, diffId, size: statSync(join(blobs, digest.slice(7))).size });
    rmSync(root, { recursive: true, force: true });
    rmSync(tarPath);
  }
  rmSync(src, { recursive: true, force: true });
  const put = (buf) => {
    const d = `sha256:${createHash('sha256').update(buf).digest('hex')}`;
    writeFileSync(join(blobs, d.slice(7)), buf);
    return { digest: d, size: buf.byteLength };
  };
  const config = put(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
        history: layers.map((_, i) => ({ created_by: `bench layer ${i}` })),
      }),
    ),
  );
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.size })),
      }),
    ),
  );
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'bench' } }],
    }),
  );
  return dir;
}

/** Loads the layout's image into a layerfs disk store (outside the timed window). */
async function loadIntoStore(layout, storeDir) {
  const store = await openStore(storeDir);
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  const blob = (d) => join(layout, 'blobs', 'sha256', d.slice(7));
  const manifestBytes = readFileSync(blob(index.manifests[0].digest));
  const manifest = JSON.parse(manifestBytes.toString('utf8'));
  for (const l of manifest.layers) await store.putBlob(Readable.toWeb(createReadStream(blob(l.digest))), { digest: l.digest, size: l.size });
  const configBytes = readFileSync(blob(manifest.config.digest));
  const image = await Image.fromBytes(new Uint8Array(manifestBytes), new Uint8Array(configBytes));
  await store.putImage(image, ['bench/image:latest']);
  return { store, image, bytes: manifest.layers.reduce((n, l) => n + l.size, 0) + configBytes.byteLength };
}

function skopeo(...args) {
  execFileSync('skopeo', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export async function run() {
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const iterations = Number(process.env.BENCH_ITERATIONS ?? 3);
  const bytes = Math.round(300 * MiB * scale);
  const files = Math.max(4, Math.round(20_000 * scale));
  console.log(`registry: building a ${(bytes / MiB).toFixed(0)} MiB, ${files}-file image (4 gzip layers)...`);
  const layout = await makeLayout(bytes, files);
  const work = mkdtempSync(join(tmpdir(), 'layerfs-bench-work-'));
  const { store, image, bytes: total } = await loadIntoStore(layout, join(work, 'src-store'));
  console.log(`registry: ${(total / MiB).toFixed(1)} MiB of blobs, ${iterations} sample(s) per task`);

  // One long-lived registry holding the image for the pulls (pushed there by skopeo, untimed).
  const pullReg = await startRegistry();
  skopeo('copy', '--dest-tls-verify=false', `oci:${layout}:bench`, `docker://${pullReg.host}/bench/image:latest`);

  let reg;
  let out;
  let n = 0;
  const freshRegistry = async () => {
    reg = await startRegistry();
  };
  const dropRegistry = async () => {
    await reg.stop();
  };
  const freshOut = () => {
    out = join(work, `out-${n++}`);
  };
  const dropOut = () => rmSync(out, { recursive: true, force: true });

  // Rounds interleave the tools (one sample of each task per round), so load from anything
  // else on the machine hits both alike; the median of the rounds is reported.
  // Each task says `async`: otherwise tinybench 6 calls it once WITHOUT beforeEach to find out,
  // and that call ran `skopeo copy ... oci:undefined:bench` (a stray ./undefined/ layout).
  const syncTask = { async: false };
  const asyncTask = { async: true };
  const samples = new Map();
  try {
    for (let round = 0; round < iterations; round++) {
      const bench = new Bench({ iterations: 1, time: 0, warmup: false, name: `registry round ${round + 1}` });
      bench
        .add('push: skopeo copy oci: -> docker://', () => skopeo('copy', '--dest-tls-verify=false', `oci:${layout}:bench`, `docker://${reg.host}/bench/image:latest`), {
          ...syncTask,
          beforeEach: freshRegistry,
          afterEach: dropRegistry,
        })
        .add('push: layerfs pushImage store -> docker://', async () => {
          const r = await pushImage(store, 'bench/image:latest', `docker://${reg.host}/bench/image:latest`);
          if (r.digest !== image.digest || r.uploaded !== image.layers.length + 1) throw new Error(`unexpected push result ${JSON.stringify(r)}`);
        }, { ...asyncTask, beforeEach: freshRegistry, afterEach: dropRegistry })
        .add('pull: skopeo copy docker:// -> oci:', () => skopeo('copy', '--src-tls-verify=false', `docker://${pullReg.host}/bench/image:latest`, `oci:${out}:bench`), {
          ...syncTask,
          beforeEach: freshOut,
          afterEach: dropOut,
        })
        .add('pull: layerfs pullImage docker:// -> disk store', async () => {
          const s = await openStore(out);
          const r = await pullImage(s, `docker://${pullReg.host}/bench/image:latest`);
          if (r.digest !== image.digest || r.downloaded !== image.layers.length) throw new Error(`unexpected pull result ${JSON.stringify(r)}`);
        }, { ...asyncTask, beforeEach: freshOut, afterEach: dropOut });
      await bench.run();
      for (const t of bench.tasks) {
        const r = t.result;
        if (!r || r.state !== 'completed') throw new Error(`${t.name}: ${r?.error?.stack ?? r?.state}`);
        if (!samples.has(t.name)) samples.set(t.name, []);
        samples.get(t.name).push(r.latency.mean);
      }
      console.log(`round ${round + 1}/${iterations}: ${bench.tasks.map((t) => `${(t.result.latency.mean / 1000).toFixed(2)} s`).join(', ')}`);
    }
  } finally {
    await pullReg.stop();
    rmSync(work, { recursive: true, force: true });
  }

  const median = (xs) => {
    const a = [...xs].sort((x, y) => x - y);
    return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  };
  const rows = [...samples].map(([name, ms]) => {
    const meanMs = median(ms);
    const bestMs = Math.min(...ms);
    return { name, medianMs: meanMs, bestMs, samplesMs: ms, MBps: total / MiB / (meanMs / 1000), bestMBps: total / MiB / (bestMs / 1000) };
  });
  const by = (p) => rows.find((r) => r.name.startsWith(p));
  const ratios = {
    push: by('push: layerfs').MBps / by('push: skopeo').MBps,
    pull: by('pull: layerfs').MBps / by('pull: skopeo').MBps,
    pushBest: by('push: layerfs').bestMBps / by('push: skopeo').bestMBps,
    pullBest: by('pull: layerfs').bestMBps / by('pull: skopeo').bestMBps,
  };
  console.log('');
  for (const r of rows) {
    console.log(`${r.name.padEnd(50)} ${r.MBps.toFixed(1).padStart(8)} MiB/s median (${(r.medianMs / 1000).toFixed(2)} s), best ${r.bestMBps.toFixed(1)} MiB/s`);
  }
  console.log(`\nlayerfs / skopeo, medians: push ${ratios.push.toFixed(2)}x, pull ${ratios.pull.toFixed(2)}x (target >= 1x each way)`);
  console.log(`layerfs / skopeo, best rounds: push ${ratios.pushBest.toFixed(2)}x, pull ${ratios.pullBest.toFixed(2)}x`);
  const result = {
    bench: 'registry',
    date: new Date().toISOString(),
    node: process.version,
    scale,
    image: { bytes: total, files, layers: image.layers.length },
    skopeo: execFileSync('skopeo', ['--version'], { encoding: 'utf8' }).trim(),
    registry: execFileSync('docker-registry', ['--version'], { encoding: 'utf8' }).trim(),
    results: rows,
    ratios,
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'registry.json'), JSON.stringify(result, null, 2) + '\n');
  return result;
}

// Also runnable on its own: node bench/registry.js
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  run().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
