/**
 * `npm run bench -- memory`: peak RSS of pulling and unpacking an image
 * whose one layer holds 1 GiB of files (a few large files and 20,000 small
 * ones, gzip'd), with layerfs and, in the same run, with skopeo (pull into
 * an OCI layout) and umoci (raw unpack of that layout). The target from
 * issue 9: layerfs keeps peak RSS under 150 MiB for pull and for unpack.
 *
 * The layer is generated as a stream (tar-stream -> gzip level 1 -> file,
 * hashed on the way), written as an OCI layout and pushed to a local
 * docker-registry by skopeo (untimed, so layerfs code is not used to build
 * the fixture). Each measured step is its own process run under GNU time
 * (`/usr/bin/time -f %M`: the kernel's ru_maxrss of that process, the
 * same figure for every tool), so nothing of the generator counts.
 *
 * BENCH_SCALE=0.1 shrinks the layer (bytes and file count). Writes
 * bench/results/memory.json. The bench fails (non-zero exit) when layerfs
 * is over the limit.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { writeResults } from './lib/results.js';
import { startRegistry } from './lib/registry.js';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '..', 'bin', 'layerfs.js');
const MiB = 1024 * 1024;
const LIMIT_MIB = 150;


/** A pass-through stream that hashes what goes by (and counts it). */
function hashing() {
  const h = createHash('sha256');
  let bytes = 0;
  const t = new Transform({
    transform(chunk, _enc, cb) {
      h.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  return { t, digest: () => `sha256:${h.digest('hex')}`, bytes: () => bytes };
}

/**
 * File content: pseudo-random bytes with 6 bits of entropy each, so gzip
 * shrinks them a little (like real binaries) but cannot make them vanish.
 */
function fill(buf) {
  randomFillSync(buf);
  for (let i = 0; i < buf.length; i++) buf[i] &= 0x3f;
  return buf;
}

/** Writes a file entry of `size` bytes into the pack, in 1 MiB pieces (never the whole file in memory). */
async function writeBig(pack, name, size) {
  const entry = pack.entry({ name, size, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 });
  const piece = Buffer.alloc(MiB);
  for (let done = 0; done < size; ) {
    const n = Math.min(MiB, size - done);
    fill(piece);
    // Respect backpressure: the gzip and file streams decide the pace.
    if (!entry.write(Buffer.from(piece.subarray(0, n)))) await new Promise((r) => entry.once('drain', r));
    done += n;
  }
  await new Promise((resolve, reject) => entry.end((e) => (e ? reject(e) : resolve())));
}

/** The layer (gzip'd tar, generated as a stream) and its image as an OCI layout. */
async function makeLayout(dir, total, smallFiles) {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const SMALL = 2048;
  const bigTotal = Math.max(MiB, total - smallFiles * SMALL);
  const bigCount = 4;
  const pack = tar.pack();
  const tarHash = hashing();
  const gzHash = hashing();
  const tmpBlob = join(blobs, 'layer.partial');
  const written = pipeline(pack, tarHash.t, createGzip({ level: 1 }), gzHash.t, createWriteStream(tmpBlob));
  const produce = (async () => {
    pack.entry({ name: 'big', type: 'directory', mode: 0o755, mtime: new Date(0) });
    for (let i = 0; i < bigCount; i++) await writeBig(pack, `big/file-${i}.bin`, Math.floor(bigTotal / bigCount));
    pack.entry({ name: 'small', type: 'directory', mode: 0o755, mtime: new Date(0) });
    const body = Buffer.alloc(SMALL);
    for (let i = 0; i < smallFiles; i++) {
      if (i % 1000 === 0) pack.entry({ name: `small/d${i / 1000}`, type: 'directory', mode: 0o755, mtime: new Date(0) });
      await new Promise((resolve, reject) =>
        pack.entry({ name: `small/d${Math.floor(i / 1000)}/f${i}.txt`, mode: 0o644, mtime: new Date(0) }, Buffer.from(fill(body)), (e) => (e ? reject(e) : resolve())),
      );
    }
    pack.finalize();
  })();
  await Promise.all([produce, written]);
  const layer = { digest: gzHash.digest(), size: gzHash.bytes(), diffId: tarHash.digest(), tarBytes: tarHash.bytes() };
  renameSync(tmpBlob, join(blobs, layer.digest.slice(7)));
  const put = (buf) => {
    const d = `sha256:${createHash('sha256').update(buf).digest('hex')}`;
    writeFileSync(join(blobs, d.slice(7)), buf);
    return { digest: d, size: buf.byteLength };
  };
  const config = put(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.diffId] }, history: [{ created_by: 'bench memory layer' }] })));
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.size }],
      }),
    ),
  );
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'mem' } }] }),
  );
  return { layer, files: bigCount + smallFiles };
}

/** Runs a command under GNU time: its peak RSS (MiB), wall and CPU seconds. Throws with stderr on failure. */
function measured(cmd, args) {
  const out = mkdtempSync(join(tmpdir(), 'layerfs-bench-time-'));
  const f = join(out, 'time');
  try {
    execFileSync('/usr/bin/time', ['-o', f, '-f', '%M %e %U %S', cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * MiB });
    const [kb, wall, user, sys] = readFileSync(f, 'utf8').trim().split('\n').pop().split(/\s+/).map(Number);
    return { peakMiB: kb / 1024, wallS: wall, cpuS: user + sys };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export async function run() {
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const total = Math.round(1024 * MiB * scale);
  const smallFiles = Math.max(10, Math.round(20_000 * scale));
  const work = mkdtempSync(join(tmpdir(), 'layerfs-bench-memory-'));
  const reg = await startRegistry('layerfs-bench-memreg-');
  try {
    console.log(`memory: generating a ${(total / MiB).toFixed(0)} MiB layer (4 large files, ${smallFiles} small ones), gzip level 1...`);
    const layout = join(work, 'layout');
    const { layer, files } = await makeLayout(layout, total, smallFiles);
    console.log(`memory: layer ${(layer.tarBytes / MiB).toFixed(0)} MiB of tar, ${(layer.size / MiB).toFixed(0)} MiB gzip'd, ${files} files; pushing with skopeo...`);
    const ref = `${reg.host}/bench/memory:1`;
    execFileSync('skopeo', ['copy', '--dest-tls-verify=false', `oci:${layout}:mem`, `docker://${ref}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    rmSync(layout, { recursive: true, force: true });

    const store = join(work, 'store');
    const rows = [];
    const step = (tool, what, cmd, args, cleanup) => {
      const m = measured(cmd, args);
      cleanup?.();
      const row = { tool, step: what, ...m, mbPerSec: layer.tarBytes / MiB / Math.max(m.wallS, 0.01) };
      rows.push(row);
      console.log(`  ${tool.padEnd(8)} ${what.padEnd(7)} peak RSS ${m.peakMiB.toFixed(1).padStart(7)} MiB   ${m.wallS.toFixed(1).padStart(6)} s wall   ${m.cpuS.toFixed(1).padStart(6)} s CPU`);
      return row;
    };
    console.log(`\nmemory: peak RSS per process (GNU time %M), layer of ${(layer.tarBytes / MiB).toFixed(0)} MiB`);
    const lfPull = step('layerfs', 'pull', process.execPath, [BIN, 'pull', '--quiet', '--insecure', `docker://${ref}`, 'mem:1', '--store', store]);
    const lfUnpack = step('layerfs', 'unpack', process.execPath, [BIN, 'unpack', 'mem:1', join(work, 'rootfs-layerfs'), '--store', store], () =>
      rmSync(join(work, 'rootfs-layerfs'), { recursive: true, force: true }),
    );
    rmSync(store, { recursive: true, force: true });
    const peer = join(work, 'peer');
    step('skopeo', 'pull', 'skopeo', ['copy', '--src-tls-verify=false', `docker://${ref}`, `oci:${peer}:mem`]);
    step('umoci', 'unpack', 'umoci', ['raw', 'unpack', '--image', `${peer}:mem`, join(work, 'rootfs-umoci')], () => rmSync(join(work, 'rootfs-umoci'), { recursive: true, force: true }));

    const peak = Math.max(lfPull.peakMiB, lfUnpack.peakMiB);
    const pass = peak < LIMIT_MIB;
    console.log(`\nmemory: layerfs peak ${peak.toFixed(1)} MiB (pull ${lfPull.peakMiB.toFixed(1)}, unpack ${lfUnpack.peakMiB.toFixed(1)}) against ${LIMIT_MIB} MiB: ${pass ? 'PASS' : 'FAIL'}`);
    writeResults('memory', {
      bench: 'memory',
      date: new Date().toISOString(),
      node: process.version,
      scale,
      layer: { tarBytes: layer.tarBytes, gzipBytes: layer.size, files, digest: layer.digest },
      limitMiB: LIMIT_MIB,
      measure: 'GNU time %M (ru_maxrss of the process) per step',
      rows,
      peakMiB: peak,
      pass,
    });
    if (!pass) throw new Error(`layerfs peak RSS ${peak.toFixed(1)} MiB is over the ${LIMIT_MIB} MiB limit`);
  } finally {
    await reg.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
