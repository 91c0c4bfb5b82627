/**
 * Tar and layer reading throughput: layerfs against modern-tar and
 * tar-stream in the same run, plus the gzip backends and a full readLayer
 * pass (digest + inflate + diffId + index + per-file sha256).
 *
 *   npm run build && npm run bench -- tar        (or: node bench/tar.js)
 *   BENCH_SCALE=0.1 node bench/tar.js            (quick check)
 *
 * Default archive: ~84 MiB in 2,604 files (2,500 small files of 1-32 KiB,
 * 100 of 256 KiB, 4 of 4 MiB): the mix of a typical OS layer; the zstd
 * groups use its first 8 MiB (the one-shot peers hold it all in memory).
 * Prints MB/s (MB = 10^6 bytes of tar) and ratios to the named peer;
 * results in bench/results/tar.json.
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { Readable } from 'node:stream';
import { createTarDecoder, createTarPacker } from 'modern-tar';
import tarStream from 'tar-stream';
import { Decompress as FzstdDecompress } from 'fzstd';
import { Zstd } from '@hpcc-js/wasm-zstd';
import { TarParser, parseTar, createTarWriter, encodeTar, tarHeader, compress, decompress, readLayer } from 'layerfs';


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

async function drainBytes(s) {
  return new Uint8Array(await new Response(s).arrayBuffer());
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

export async function run(ctx) {
  const entries = makeEntries(ctx.scale);
  const tar = encodeTar(entries);
  const gz = zlib.gzipSync(tar);
  ctx.log(`tar: ${(tar.length / 1e6).toFixed(1)} MB in ${entries.length} entries; gzip layer ${(gz.length / 1e6).toFixed(1)} MB; scale ${ctx.scale}`);
  ctx.note('tarBytes', tar.length);
  ctx.note('gzipBytes', gz.length);
  ctx.note('entries', entries.length);

  // Every reader must see the same content before anything is timed.
  const want = entries.reduce((a, e) => a + e.header.size, 0);
  const readers = {
    'layerfs TarParser (sync core)': () => {
      let n = 0;
      const p = new TarParser({ onHeader() {}, onData(c) { n += c.length; }, onEntryEnd() {} });
      for (let o = 0; o < tar.length; o += 65536) p.push(tar.subarray(o, o + 65536));
      p.end();
      return n;
    },
    'layerfs parseTar (Web Stream)': async () => {
      let n = 0;
      for await (const e of parseTar(streamOf(tar))) for await (const c of e.body) n += c.length;
      return n;
    },
    'modern-tar createTarDecoder': async () => {
      let n = 0;
      for await (const e of streamOf(tar).pipeThrough(createTarDecoder())) {
        const r = e.body.getReader();
        for (;;) {
          const { done, value } = await r.read();
          if (done) break;
          n += value.length;
        }
      }
      return n;
    },
    'tar-stream extract': async () => {
      let n = 0;
      const ex = tarStream.extract();
      Readable.fromWeb(streamOf(tar)).pipe(ex);
      for await (const e of ex) for await (const c of e) n += c.length;
      return n;
    },
  };
  for (const [k, f] of Object.entries(readers)) {
    const got = await f();
    if (got !== want) throw new Error(`${k} read ${got} content bytes, expected ${want}`);
  }
  await ctx.measure('read a tar (every content byte delivered)', { tasks: readers, bytes: tar.length, baseline: 'modern-tar createTarDecoder' });

  const writers = {
    'layerfs createTarWriter': async () => {
      const w = createTarWriter();
      const out = drainStream(w.readable);
      for (const e of entries) await w.add(e.header, e.data);
      await w.finish();
      return out;
    },
    'modern-tar createTarPacker': async () => {
      const { readable, controller } = createTarPacker();
      const out = drainStream(readable);
      for (const e of entries) {
        const body = controller.add({ name: e.header.path, size: e.header.size, mode: e.header.mode, mtime: new Date(e.header.mtime * 1000) });
        const w = body.getWriter();
        await w.write(e.data);
        await w.close();
      }
      controller.finalize();
      return out;
    },
    'tar-stream pack': async () => {
      const pack = tarStream.pack();
      const out = (async () => {
        let n = 0;
        for await (const c of pack) n += c.length;
        return n;
      })();
      for (const e of entries) {
        await new Promise((res, rej) =>
          pack.entry({ name: e.header.path, size: e.header.size, mode: e.header.mode, mtime: new Date(e.header.mtime * 1000) }, Buffer.from(e.data.buffer, e.data.byteOffset, e.data.length), (err) => (err ? rej(err) : res())),
        );
      }
      pack.finalize();
      return out;
    },
  };
  await ctx.measure('write a tar (Web Stream out)', { tasks: writers, bytes: tar.length, baseline: 'modern-tar createTarPacker' });

  await ctx.measure('gunzip a layer (MB/s of tar out)', {
    tasks: {
      'layerfs decompress, node:zlib backend': () => drainStream(decompress(streamOf(gz), 'gzip', { gzipBackend: 'zlib' })),
      'layerfs decompress, DecompressionStream backend': () => drainStream(decompress(streamOf(gz), 'gzip', { gzipBackend: 'web' })),
      'node:zlib gunzip (Node stream)': async () => {
        let n = 0;
        const g = zlib.createGunzip();
        Readable.fromWeb(streamOf(gz)).pipe(g);
        for await (const c of g) n += c.length;
        return n;
      },
    },
    bytes: tar.length,
    baseline: 'layerfs decompress, DecompressionStream backend',
    iterations: 2,
  });

  // zstd: layerfs streams (fzstd to decode, hpcc-js wasm in 4 MiB frames to
  // encode) against one-shot whole-buffer calls of the same libraries.
  // On the first 8 MiB of the tar: the one-shot peers hold everything in memory,
  // and hpcc-js is slow enough that more only makes the bench long.
  const zin = tar.subarray(0, Math.min(tar.length, ctx.scaled(8 << 20)));
  const hpcc = await Zstd.load();
  const zst = hpcc.compress(zin, 3);
  const mine = await drainBytes(compress(streamOf(zin), 'zstd'));
  if ((await drainStream(decompress(streamOf(mine), 'zstd'))) !== zin.length) throw new Error('zstd round trip lost bytes');
  ctx.note('zstdBytes (one frame)', zst.length);
  ctx.note('zstdBytes (layerfs, 4 MiB frames)', mine.length);
  await ctx.measure('zstd decode (MB/s of tar out)', {
    tasks: {
      'layerfs decompress (fzstd, streaming)': () => drainStream(decompress(streamOf(zst), 'zstd')),
      'fzstd Decompress, pushed directly': () => {
        let n = 0;
        const d = new FzstdDecompress((c) => (n += c.length));
        for (let o = 0; o < zst.length; o += 65536) d.push(zst.subarray(o, o + 65536));
        d.push(new Uint8Array(0), true);
        return n;
      },
      '@hpcc-js/wasm-zstd decompress (one shot)': () => hpcc.decompress(zst).length,
    },
    bytes: zin.length,
    baseline: '@hpcc-js/wasm-zstd decompress (one shot)',
    iterations: 1,
    rounds: 2,
  });
  await ctx.measure('zstd encode, level 3 (MB/s of tar in)', {
    tasks: {
      'layerfs compress (4 MiB frames, streaming)': () => drainStream(compress(streamOf(zin), 'zstd')),
      '@hpcc-js/wasm-zstd compress (one shot)': () => hpcc.compress(zin, 3).length,
    },
    bytes: zin.length,
    baseline: '@hpcc-js/wasm-zstd compress (one shot)',
    iterations: 1,
    rounds: 2,
  });

  // The one-pass layer read against the same work done with the peers:
  // tar-stream + node:zlib + node:crypto (digest, diffId, sha256 of every file).
  const peerReadLayer = async () => {
    const digest = createHash('sha256');
    const diffId = createHash('sha256');
    const files = [];
    const src = Readable.fromWeb(streamOf(gz));
    src.on('data', (c) => digest.update(c));
    const g = zlib.createGunzip();
    g.on('data', (c) => diffId.update(c));
    const ex = tarStream.extract();
    src.pipe(g).pipe(ex);
    for await (const e of ex) {
      const h = createHash('sha256');
      for await (const c of e) h.update(c);
      files.push({ path: e.header.name, sha: h.digest('hex') });
    }
    return { digest: digest.digest('hex'), diffId: diffId.digest('hex'), files: files.length };
  };
  const ours = await readLayer(streamOf(gz));
  const peer = await peerReadLayer();
  if (ours.digest !== `sha256:${peer.digest}` || ours.diffId !== `sha256:${peer.diffId}`) throw new Error('readLayer disagrees with the peer pipeline');
  await ctx.measure('read a gzip layer: digest + inflate + diffId + index + sha256 of every file', {
    tasks: {
      'layerfs readLayer': () => readLayer(streamOf(gz)),
      'tar-stream + node:zlib + node:crypto': peerReadLayer,
    },
    bytes: tar.length,
    baseline: 'tar-stream + node:zlib + node:crypto',
    iterations: 2,
  });
  await ctx.measure('read a plain tar layer (digest = diffId) + index + sha256 of every file', {
    tasks: { 'layerfs readLayer': () => readLayer(streamOf(tar)) },
    bytes: tar.length,
    iterations: 2,
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { createContext } = await import('./lib/harness.js');
  const { writeResults } = await import('./lib/results.js');
  const ctx = createContext('tar');
  await run(ctx);
  writeResults('tar', ctx.results());
}
