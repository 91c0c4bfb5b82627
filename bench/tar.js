/**
 * Tar and layer reading throughput: layerfs against modern-tar and
 * tar-stream in the same run, plus the gzip backends and a full readLayer
 * pass (digest + inflate + diffId + index + per-file sha256).
 *
 *   npm run build && npm run bench -- tar        (or: node bench/tar.js)
 *   BENCH_SCALE=0.1 node bench/tar.js            (quick check)
 *
 * Default archive: 64 MiB of content in ~2,600 files (2,500 small files of
 * 1-32 KiB, 100 of 256 KiB, 4 of 4 MiB): the mix of a typical OS layer.
 * Prints MB/s (MB = 10^6 bytes of tar) and ratios; writes bench/results/tar.json.
 */
import { Bench } from 'tinybench';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { Readable } from 'node:stream';
import { createTarDecoder, createTarPacker } from 'modern-tar';
import tarStream from 'tar-stream';
import { TarParser, parseTar, createTarWriter, encodeTar, tarHeader, decompress, readLayer } from 'layerfs';

const here = dirname(fileURLToPath(import.meta.url));

function pseudo(n, seed) {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1664525 + 1013904223) >>> 0;
    // Half-compressible bytes, so gzip has real work to do.
    b[i] = (x >>> 28) < 8 ? x >>> 24 : 97 + (i % 13);
  }
  return b;
}

function makeEntries(scale) {
  const entries = [];
  const n = (k) => Math.max(1, Math.round(k * scale));
  for (let i = 0; i < n(2500); i++) {
    const size = 1024 + ((i * 7919) % (31 * 1024));
    entries.push({ header: tarHeader({ path: `usr/share/doc/pkg${i % 97}/file-${i}.txt`, size, mtime: 1700000000, mode: 0o644 }), data: pseudo(size, i) });
  }
  for (let i = 0; i < n(100); i++) entries.push({ header: tarHeader({ path: `usr/lib/lib${i}.so`, size: 256 * 1024, mtime: 1700000000 }), data: pseudo(256 * 1024, 10000 + i) });
  for (let i = 0; i < n(4); i++) entries.push({ header: tarHeader({ path: `opt/big/blob${i}.bin`, size: 4 << 20, mtime: 1700000000 }), data: pseudo(4 << 20, 20000 + i) });
  return entries;
}

function streamOf(data, chunk = 64 * 1024) {
  let o = 0;
  return new ReadableStream({
    pull(c) {
      if (o >= data.length) return c.close();
      c.enqueue(data.subarray(o, o + chunk));
      o += chunk;
    },
  });
}

async function drainStream(s) {
  const r = s.getReader();
  let n = 0;
  for (;;) {
    const { done, value } = await r.read();
    if (done) return n;
    n += value.length;
  }
}

export async function run(ctx = {}) {
  const scale = Number(ctx.scale ?? process.env.BENCH_SCALE ?? 1) || 1;
  const entries = makeEntries(scale);
  const tar = encodeTar(entries);
  const gz = zlib.gzipSync(tar);
  const mb = tar.length / 1e6;
  const files = entries.length;
  console.log(`tar: ${mb.toFixed(1)} MB, ${files} entries; gzip layer ${(gz.length / 1e6).toFixed(1)} MB`);

  const bench = new Bench({ time: Number(process.env.BENCH_TIME ?? 2000), iterations: 3, warmupIterations: 1 });
  let check = 0;
  // ---- read: every entry's content touched (summed lengths) so no reader can skip work.
  bench.add('read: layerfs TarParser (sync core)', () => {
    let n = 0;
    const p = new TarParser({ onHeader() {}, onData(c) { n += c.length; }, onEntryEnd() {} });
    for (let o = 0; o < tar.length; o += 65536) p.push(tar.subarray(o, o + 65536));
    p.end();
    check = n;
  });
  bench.add('read: layerfs parseTar (Web Stream)', async () => {
    let n = 0;
    for await (const e of parseTar(streamOf(tar))) for await (const c of e.body) n += c.length;
    check = n;
  });
  bench.add('read: modern-tar createTarDecoder', async () => {
    let n = 0;
    const it = streamOf(tar).pipeThrough(createTarDecoder());
    for await (const e of it) {
      const r = e.body.getReader();
      for (;;) {
        const { done, value } = await r.read();
        if (done) break;
        n += value.length;
      }
    }
    check = n;
  });
  bench.add('read: tar-stream extract', async () => {
    let n = 0;
    const ex = tarStream.extract();
    Readable.fromWeb(streamOf(tar)).pipe(ex);
    for await (const e of ex) for await (const c of e) n += c.length;
    check = n;
  });
  // ---- write
  bench.add('write: layerfs createTarWriter', async () => {
    const w = createTarWriter();
    const out = drainStream(w.readable);
    for (const e of entries) await w.add(e.header, e.data);
    await w.finish();
    check = await out;
  });
  bench.add('write: modern-tar createTarPacker', async () => {
    const { readable, controller } = createTarPacker();
    const out = drainStream(readable);
    for (const e of entries) {
      const body = controller.add({ name: e.header.path, size: e.header.size, mode: e.header.mode, mtime: new Date(e.header.mtime * 1000) });
      const w = body.getWriter();
      await w.write(e.data);
      await w.close();
    }
    controller.finalize();
    check = await out;
  });
  bench.add('write: tar-stream pack', async () => {
    const pack = tarStream.pack();
    const out = (async () => {
      let n = 0;
      for await (const c of pack) n += c.length;
      return n;
    })();
    for (const e of entries) {
      await new Promise((res, rej) => pack.entry({ name: e.header.path, size: e.header.size, mode: e.header.mode, mtime: new Date(e.header.mtime * 1000) }, Buffer.from(e.data.buffer, e.data.byteOffset, e.data.length), (err) => (err ? rej(err) : res())));
    }
    pack.finalize();
    check = await out;
  });
  // ---- gzip inflate backends (MB/s of tar produced)
  bench.add('gunzip: layerfs decompress (node:zlib backend)', async () => {
    check = await drainStream(decompress(streamOf(gz), 'gzip', { gzipBackend: 'zlib' }));
  });
  bench.add('gunzip: DecompressionStream', async () => {
    check = await drainStream(decompress(streamOf(gz), 'gzip', { gzipBackend: 'web' }));
  });
  // ---- the whole one-pass layer read
  bench.add('readLayer: gzip layer (digest+inflate+diffId+index+file sha256)', async () => {
    const idx = await readLayer(streamOf(gz));
    check = idx.entries.length;
  });
  bench.add('readLayer: plain tar layer', async () => {
    const idx = await readLayer(streamOf(tar));
    check = idx.entries.length;
  });

  await bench.run();
  void check;
  const results = {};
  for (const t of bench.tasks) {
    const r = t.result;
    const meanMs = r?.latency?.mean ?? r?.mean;
    results[t.name] = { meanMs, mbps: mb / (meanMs / 1000) };
  }
  const ratio = (a, b) => (results[a].mbps / results[b].mbps).toFixed(2);
  const rows = Object.entries(results).map(([name, r]) => ({ task: name, 'MB/s': r.mbps.toFixed(0), 'ms/iter': r.meanMs.toFixed(1) }));
  console.table(rows);
  const ratios = {
    'read: parseTar / modern-tar': ratio('read: layerfs parseTar (Web Stream)', 'read: modern-tar createTarDecoder'),
    'read: parseTar / tar-stream': ratio('read: layerfs parseTar (Web Stream)', 'read: tar-stream extract'),
    'read: TarParser / modern-tar': ratio('read: layerfs TarParser (sync core)', 'read: modern-tar createTarDecoder'),
    'write: layerfs / modern-tar': ratio('write: layerfs createTarWriter', 'write: modern-tar createTarPacker'),
    'write: layerfs / tar-stream': ratio('write: layerfs createTarWriter', 'write: tar-stream pack'),
    'gunzip: node:zlib / DecompressionStream': ratio('gunzip: layerfs decompress (node:zlib backend)', 'gunzip: DecompressionStream'),
  };
  for (const [k, v] of Object.entries(ratios)) console.log(`${k}: ${v}x`);
  const out = { bench: 'tar', date: new Date().toISOString(), node: process.version, scale, tarBytes: tar.length, gzipBytes: gz.length, entries: files, results, ratios };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'tar.json'), JSON.stringify(out, null, 2) + '\n');
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
