// `npm run bench -- hash`: SHA-256 throughput of layerfs (Wasm core, and
// 'auto' which uses node:crypto in Node where it is faster) against
// hash-wasm, node:crypto, @noble/hashes and WebCrypto, at 64 B, 4 KiB,
// 64 KiB, 1 MiB and 64 MiB; then 10,000 inputs of 4 KiB through sha256Many
// against hash-wasm one input at a time; then the sizes where node:crypto
// overtakes the Wasm multi-buffer kernel (the 'auto' crossover, README).
// Ratios are to hash-wasm. Imports the built package: `npm run build` first.
import { createHash, randomFillSync, webcrypto } from 'node:crypto';
import { createSHA256, sha256 as hashWasmSha256 } from 'hash-wasm';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { sha256, sha256Many, simdSupported } from 'layerfs';

const KiB = 1024;
const MiB = 1024 * KiB;

function randomBytes(n) {
  const b = new Uint8Array(n);
  for (let at = 0; at < n; at += 65536) randomFillSync(b, at, Math.min(65536, n - at));
  return b;
}

const toHex = (buf) => Buffer.from(buf).toString('hex');

export async function run(ctx) {
  const hw = await createSHA256();
  const hashWasm = (x) => hw.init().update(x).digest('hex');

  // Every peer must agree before anything is timed.
  const probe = randomBytes(100_003);
  const want = createHash('sha256').update(probe).digest('hex');
  const got = {
    'layerfs wasm': (await sha256(probe, { backend: 'wasm' })).slice(7),
    'layerfs wasm scalar': (await sha256(probe, { backend: 'wasm', simd: false })).slice(7),
    'layerfs auto': (await sha256(probe)).slice(7),
    'hash-wasm': hashWasm(probe),
    '@noble/hashes': toHex(nobleSha256(probe)),
    WebCrypto: toHex(await webcrypto.subtle.digest('SHA-256', probe)),
  };
  for (const [k, v] of Object.entries(got)) if (v !== want) throw new Error(`${k} disagrees with node:crypto`);
  ctx.log(`SIMD build: ${simdSupported() ? 'yes' : 'no'}; scale ${ctx.scale}`);

  // ---- one message at a time
  const sizes = [64, 4 * KiB, 64 * KiB, MiB, 64 * MiB];
  const single = {};
  for (const size of sizes) {
    const n = ctx.scaled(size, 64);
    const x = randomBytes(n);
    const large = n >= MiB;
    const tasks = {
      'layerfs wasm': () => sha256(x, { backend: 'wasm' }),
      // The scalar build (rounds and schedule in i32) beside the default SIMD
      // build (v128 message schedule): what the vector schedule is worth.
      'layerfs wasm scalar': () => sha256(x, { backend: 'wasm', simd: false }),
      'layerfs auto': () => sha256(x),
      'hash-wasm': () => hashWasm(x),
      'hash-wasm sha256()': () => hashWasmSha256(x),
      'node:crypto': () => createHash('sha256').update(x).digest('hex'),
      WebCrypto: () => webcrypto.subtle.digest('SHA-256', x),
    };
    // @noble/hashes is pure JS (~10x slower): one pass of 64 MiB takes seconds.
    if (n <= 16 * MiB) tasks['@noble/hashes'] = () => nobleSha256(x);
    single[size] = await ctx.measure(`sha256, one message of ${ctx.formatBytes(n)}`, {
      tasks,
      bytes: n,
      baseline: 'hash-wasm',
      time: large ? 0 : 60,
      iterations: n >= 16 * MiB ? 1 : large ? 3 : 20,
      rounds: n >= 16 * MiB ? 4 : 8,
    });
  }

  // ---- many inputs
  const count = ctx.scaled(10_000, 16);
  const inputs = Array.from({ length: count }, () => randomBytes(4 * KiB));
  const refs = inputs.map((x) => `sha256:${createHash('sha256').update(x).digest('hex')}`);
  for (const opts of [{}, { backend: 'wasm', simd: true }, { backend: 'wasm', simd: false }]) {
    const out = await sha256Many(inputs, opts);
    if (out.some((d, i) => d !== refs[i])) throw new Error(`sha256Many ${JSON.stringify(opts)} disagrees with node:crypto`);
  }
  const many = await ctx.measure(`${count} inputs of 4 KiB`, {
    tasks: {
      'layerfs sha256Many (auto)': () => sha256Many(inputs),
      'layerfs sha256Many wasm SIMD': () => sha256Many(inputs, { backend: 'wasm', simd: true }),
      'layerfs sha256Many wasm scalar': () => sha256Many(inputs, { backend: 'wasm', simd: false }),
      'hash-wasm one at a time': () => inputs.map((x) => hw.init().update(x).digest('hex')),
      'node:crypto one at a time': () => inputs.map((x) => createHash('sha256').update(x).digest('hex')),
    },
    bytes: count * 4 * KiB,
    baseline: 'hash-wasm one at a time',
    time: 0,
    iterations: 2,
    rounds: 6,
  });

  // ---- where node:crypto overtakes the Wasm multi-buffer kernel for many inputs
  const crossover = [];
  for (const size of [64, 256, 512, 768, KiB, 1536, 2 * KiB, 4 * KiB, 16 * KiB, 64 * KiB]) {
    const k = Math.max(4, Math.round(ctx.scaled(8 * MiB, 64 * KiB) / size));
    const xs = Array.from({ length: k }, () => randomBytes(size));
    const r = await ctx.measure(`crossover: ${k} inputs of ${ctx.formatBytes(size)}`, {
      tasks: {
        'sha256Many wasm': () => sha256Many(xs, { backend: 'wasm' }),
        'sha256Many node': () => sha256Many(xs, { backend: 'node' }),
      },
      bytes: k * size,
      baseline: 'sha256Many wasm',
      time: 0,
      iterations: 2,
      rounds: 5,
    });
    crossover.push({ size, wasm: r['sha256Many wasm'].mbPerSec, node: r['sha256Many node'].mbPerSec });
  }
  const firstNode = crossover.find((c) => c.node > c.wasm);
  ctx.note('manyCrossover', { rows: crossover, nodeWinsFromSize: firstNode ? firstNode.size : null });
  ctx.log(`\nsha256Many: node:crypto overtakes the Wasm kernel at ${firstNode ? ctx.formatBytes(firstNode.size) : 'no size measured'} per input`);

  // One message: does the Wasm core ever beat node:crypto (SHA-NI)?
  const singleRows = sizes.map((size) => ({
    size,
    wasm: single[size]['layerfs wasm'].mbPerSec,
    node: single[size]['node:crypto'].mbPerSec,
  }));
  const wasmWins = singleRows.filter((r) => r.wasm > r.node).map((r) => r.size);
  ctx.note('singleCrossover', { rows: singleRows, wasmWinsAtSizes: wasmWins });
  ctx.log(`sha256 of one message: the Wasm core beats node:crypto at ${wasmWins.length ? wasmWins.map(ctx.formatBytes).join(', ') : 'no size measured'}`);

  // ---- the targets (reported, not asserted)
  const ratio = (g, a, b) => g[a].opsPerSec / g[b].opsPerSec;
  const targets = {
    'wasm single stream / hash-wasm at 64 KiB (target >= 1.2)': ratio(single[64 * KiB], 'layerfs wasm', 'hash-wasm'),
    'wasm single stream / hash-wasm at 1 MiB (target >= 1.2)': ratio(single[MiB], 'layerfs wasm', 'hash-wasm'),
    'wasm single stream / hash-wasm at 64 MiB (target >= 1.2)': ratio(single[64 * MiB], 'layerfs wasm', 'hash-wasm'),
    'sha256Many / hash-wasm one at a time (target >= 3)': ratio(many, 'layerfs sha256Many (auto)', 'hash-wasm one at a time'),
    'auto / node:crypto at 1 MiB (target >= 0.95)': ratio(single[MiB], 'layerfs auto', 'node:crypto'),
    'auto / node:crypto at 64 MiB (target >= 0.95)': ratio(single[64 * MiB], 'layerfs auto', 'node:crypto'),
  };
  ctx.note('targets', targets);
  ctx.log('\ntargets (reported, not asserted):');
  for (const [k, v] of Object.entries(targets)) ctx.log(`  ${k}: ${v.toFixed(2)}x`);
}
