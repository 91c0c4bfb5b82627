/**
 * `npm run bench -- build`: build an image from a Dockerfile over a context
 * of 20,000 files (~280 MiB, four COPY steps of 5,000 files each), timing
 *
 *   - a cold build (fresh store: hash, tar, gzip, store every layer),
 *   - a fully cached rebuild (same store: hash the inputs, reuse every step),
 *   - a rebuild after changing one file (the last COPY runs again),
 *
 * and `umoci repack` of the same tree (one layer with all the files) in the
 * same run, as the peer for the cold build. Targets (issue 7): cached
 * rebuild < 10 % of the cold build; cold build faster than umoci repack.
 *
 * The cold build runs twice per round: at the build's default gzip level
 * (3, BUILD_GZIP_LEVEL: the ratio umoci's pgzip default gives, so the layer
 * bytes of each are printed for the same-ratio comparison) and at
 * BENCH_GZIP_LEVEL (default 6: zlib's and Docker's default ratio, ~4 %
 * smaller layers for about twice the deflate CPU). Both wall time and CPU
 * time (user + sys, every thread: process.cpuUsage for layerfs, GNU time
 * for umoci) are reported; on a shared machine CPU time is the steadier
 * figure.
 *
 * Each timed run gets fresh state prepared outside the timed window (a new
 * store; a new umoci layout and unpacked bundle with the tree copied in).
 * BENCH_SCALE=0.1 shrinks files and bytes; BENCH_ITERATIONS sets the rounds
 * (default 3, tools interleaved, medians reported). Writes
 * bench/results/build.json.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, BUILD_GZIP_LEVEL } from 'layerfs';
import { openStore } from 'layerfs/node';

const here = dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;

/** Deterministic pseudo-random numbers (xorshift32), so every run packs the same bytes. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

const WORDS = 'the of and to in is that for it as with was on be by this are from or at an which have not but had they one were their all there been has more if will would can so no its when who what some time out up into than them only other then about new could these two may first any like also over after did most where through back much before our years way well because even each between own same however very those under while last make might high both long since being off such without still'.split(' ');

/**
 * A context of `files` files totalling about `bytes`: four directories
 * (part0..part3), sizes spread between 1 KiB and ~4x the mean, content a
 * mix of text (compresses ~3x, like source trees) and random bytes (like
 * binaries and images).
 */
function makeContext(dir, files, bytes) {
  const rand = rng(42);
  const mean = bytes / files;
  let written = 0;
  for (let i = 0; i < files; i++) {
    const part = i % 4;
    const sub = Math.floor(i / 4 / 100);
    const d = join(dir, `part${part}`, `d${sub}`);
    if (i % 400 < 4) mkdirSync(d, { recursive: true });
    const size = Math.max(1024, Math.round(mean * (0.25 + 1.5 * rand() * rand() * 2)));
    let buf;
    if (i % 3 === 0) {
      buf = Buffer.allocUnsafe(size);
      for (let k = 0; k < size; k += 4) buf.writeUInt32LE((rand() * 0x100000000) >>> 0, Math.min(k, size - 4));
    } else {
      const parts = [];
      let n = 0;
      while (n < size) {
        const w = WORDS[Math.floor(rand() * WORDS.length)];
        parts.push(w);
        n += w.length + 1;
      }
      buf = Buffer.from(parts.join(' ')).subarray(0, size);
    }
    writeFileSync(join(d, `f${i}.dat`), buf);
    written += buf.length;
  }
  writeFileSync(
    join(dir, 'Dockerfile'),
    ['FROM scratch', 'COPY part0 /app/part0', 'COPY part1 /app/part1', 'COPY part2 /app/part2', 'ENV APP=bench', 'COPY part3 /app/part3', 'WORKDIR /app', 'CMD ["/app/run"]', ''].join('\n'),
  );
  writeFileSync(join(dir, '.dockerignore'), 'Dockerfile\n.dockerignore\n');
  return written;
}

/**
 * Untimed, before every timed run: write back dirty pages (the 280 MiB the
 * previous step copied or stored) so that no run pays for another's I/O.
 */
function settle() {
  execFileSync('sync');
}

/** Wall and CPU milliseconds of an async function (CPU of the whole process: the zlib pool included). */
async function measure(fn) {
  settle();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

/** Wall and CPU milliseconds of a command (GNU time writes the child's user and system seconds). */
function measureCommand(cmd, args, work) {
  const out = join(work, 'time.txt');
  settle();
  const t0 = performance.now();
  execFileSync('/usr/bin/time', ['-f', '%U %S', '-o', out, cmd, ...args]);
  const ms = performance.now() - t0;
  const [u, sys] = readFileSync(out, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
  return { ms, cpuMs: (u + sys) * 1000 };
}

const layerBytes = (result) => result.image.layers.reduce((n, l) => n + l.size, 0);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function run(ctx) {
  const scale = ctx?.scale ?? Number(process.env.BENCH_SCALE ?? 1);
  const rounds = Number(process.env.BENCH_ITERATIONS ?? 3);
  const level = Number(process.env.BENCH_GZIP_LEVEL ?? 6);
  const files = Math.max(8, Math.round(20000 * scale));
  const bytes = 280 * MiB * scale;
  const work = mkdtempSync(join(tmpdir(), 'layerfs-bench-build-'));
  try {
    const context = join(work, 'ctx');
    mkdirSync(context);
    const total = makeContext(context, files, bytes);
    console.log(`context: ${files} files, ${(total / MiB).toFixed(1)} MiB; ${rounds} rounds; ${cpus().length} CPUs`);
    const umociVersion = execFileSync('umoci', ['--version'], { encoding: 'utf8' }).trim();

    const samples = { cold: [], coldLevel: [], cached: [], changed: [], umoci: [] };
    const sizes = {};
    let changeCounter = 0;
    for (let r = 0; r < rounds; r++) {
      // layerfs cold build into a fresh store
      const storeDir = join(work, `store-${r}`);
      const store = await openStore(storeDir);
      let result;
      samples.cold.push(await measure(async () => (result = await build(store, { context, tag: 'bench:1' }))));
      sizes.layerfs = layerBytes(result);
      // fully cached rebuild
      let cachedSteps = 0;
      samples.cached.push(
        await measure(() =>
          build(store, { context, tag: 'bench:1', onEvent: (e) => e.type === 'step-done' && e.cached && cachedSteps++ }),
        ),
      );
      if (cachedSteps !== result.steps.length - 1) throw new Error(`expected every step but FROM to be cached, got ${cachedSteps}`);
      // one file of the last COPY changed
      writeFileSync(join(context, 'part3', 'd0', 'f3.dat'), `changed ${++changeCounter}\n`);
      let rebuilt = 0;
      samples.changed.push(await measure(() => build(store, { context, onEvent: (e) => e.type === 'step-done' && !e.cached && rebuilt++ })));
      if (rebuilt !== 1 + 3) throw new Error(`expected FROM and the last three steps to run again, got ${rebuilt}`);
      rmSync(storeDir, { recursive: true, force: true });

      // layerfs cold build at the comparison level, into another fresh store
      const levelDir = join(work, `store-level-${r}`);
      const levelStore = await openStore(levelDir);
      let levelResult;
      samples.coldLevel.push(await measure(async () => (levelResult = await build(levelStore, { context, tag: 'bench:1', compressionLevel: level }))));
      sizes.layerfsLevel = layerBytes(levelResult);
      rmSync(levelDir, { recursive: true, force: true });

      // umoci repack of the same tree (prepared untimed: layout, empty image, bundle with the files in)
      const layout = join(work, `umoci-${r}`);
      const bundle = join(work, `bundle-${r}`);
      execFileSync('umoci', ['init', '--layout', layout]);
      execFileSync('umoci', ['new', '--image', `${layout}:t`]);
      execFileSync('umoci', ['unpack', '--image', `${layout}:t`, bundle]);
      mkdirSync(join(bundle, 'rootfs', 'app'));
      for (const p of ['part0', 'part1', 'part2', 'part3']) cpSync(join(context, p), join(bundle, 'rootfs', 'app', p), { recursive: true, preserveTimestamps: true });
      samples.umoci.push(measureCommand('umoci', ['repack', '--image', `${layout}:t`, bundle], work));
      // umoci's layer: the biggest blob of the layout
      const blobs = join(layout, 'blobs', 'sha256');
      sizes.umoci = Math.max(...readdirSync(blobs).map((b) => statSync(join(blobs, b)).size));
      rmSync(layout, { recursive: true, force: true });
      rmSync(bundle, { recursive: true, force: true });
      const f = (x) => `${(x.ms / 1000).toFixed(2)} s (cpu ${(x.cpuMs / 1000).toFixed(2)} s)`;
      console.log(
        `round ${r + 1}: cold (gzip ${BUILD_GZIP_LEVEL}) ${f(samples.cold[r])}, cold gzip ${level} ${f(samples.coldLevel[r])}, cached ${f(samples.cached[r])}, one file changed ${f(samples.changed[r])}, umoci repack ${f(samples.umoci[r])}`,
      );
    }

    const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v.map((x) => x.ms))]));
    const cpu = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v.map((x) => x.cpuMs))]));
    const rows = [
      { key: 'cold', name: `layerfs build, cold (default, gzip ${BUILD_GZIP_LEVEL})`, layerBytes: sizes.layerfs },
      { key: 'coldLevel', name: `layerfs build, cold (gzip ${level})`, layerBytes: sizes.layerfsLevel },
      { key: 'cached', name: 'layerfs build, fully cached' },
      { key: 'changed', name: 'layerfs build, one file changed' },
      { key: 'umoci', name: `umoci repack (${umociVersion})`, layerBytes: sizes.umoci },
    ].map(({ key, ...x }) => ({ ...x, ms: m[key], cpuMs: cpu[key], MBps: total / MiB / (m[key] / 1000) }));
    console.log('');
    for (const x of rows) {
      const size = x.layerBytes ? `  layers ${(x.layerBytes / MiB).toFixed(1)} MiB` : '';
      console.log(`${x.name.padEnd(44)} ${(x.ms / 1000).toFixed(2).padStart(7)} s  cpu ${(x.cpuMs / 1000).toFixed(2).padStart(7)} s  ${x.MBps.toFixed(1).padStart(7)} MiB/s${size}`);
    }
    const cachedRatio = m.cached / m.cold;
    const coldVsUmoci = m.umoci / m.cold;
    const levelVsUmoci = m.umoci / m.coldLevel;
    console.log(`\ncached rebuild / cold build: ${(cachedRatio * 100).toFixed(1)} % (target < 10 %)`);
    console.log(`cold build speed vs umoci repack, wall: ${coldVsUmoci.toFixed(2)}x at gzip ${BUILD_GZIP_LEVEL} (default), ${levelVsUmoci.toFixed(2)}x at gzip ${level} (target > 1)`);
    console.log(`cold build speed vs umoci repack, cpu:  ${(cpu.umoci / cpu.cold).toFixed(2)}x at gzip ${BUILD_GZIP_LEVEL} (default), ${(cpu.umoci / cpu.coldLevel).toFixed(2)}x at gzip ${level}`);
    const out = {
      bench: 'build',
      date: new Date().toISOString(),
      scale,
      files,
      bytes: total,
      rounds,
      cpus: cpus().length,
      node: process.version,
      results: rows,
      samples,
      defaultLevel: BUILD_GZIP_LEVEL,
      comparisonLevel: level,
      cachedOverCold: cachedRatio,
      coldSpeedupOverUmoci: coldVsUmoci,
      coldAtLevelSpeedupOverUmoci: levelVsUmoci,
      coldCpuSpeedupOverUmoci: cpu.umoci / cpu.cold,
      coldAtLevelCpuSpeedupOverUmoci: cpu.umoci / cpu.coldLevel,
      targets: { cachedOverColdBelow: 0.1, coldSpeedupOverUmociAbove: 1 },
    };
    mkdirSync(join(here, 'results'), { recursive: true });
    writeFileSync(join(here, 'results', 'build.json'), JSON.stringify(out, null, 2) + '\n');
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
