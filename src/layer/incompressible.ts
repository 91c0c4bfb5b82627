/**
 * Finding the stretches of a deflate input that deflate cannot shrink
 * (random bytes, or data that is already compressed: images, archives,
 * compressed binaries), so that the gzip writer can store them (RFC 1951
 * section 3.2.4, BTYPE 00) instead of spending zlib's full effort on them.
 * At level 3 zlib deflates random bytes at ~40 MiB/s for no gain, as fast
 * as it deflates text; a stored block is a copy. klauspost/compress, behind
 * pgzip and so umoci and the Go tools, skips such data the same way.
 *
 * The test is a collision count (Rényi entropy of order 2) over 512 bytes:
 * every 8th byte of a 4 KiB cell to find runs, every byte of a 512-byte
 * block to find where they end; bytes that collide about as rarely as
 * uniformly random bytes do are called incompressible. H2 <= H (Shannon),
 * so bytes passing the test have an order-0 entropy of at least ~7.75 bits
 * per byte: Huffman coding could save under 3 % of them, and LZ77 matches
 * in such data are rare. Tar headers (mostly zeros) never pass, so a run
 * ends at the header of the next file. The decision depends on the bytes
 * alone, so the output stays deterministic.
 */

/** Bytes judged at once when looking for runs. */
export const CELL = 4096;
/** Every SAMPLE_STRIDE-th byte of a cell is counted: 512 samples a cell. */
const SAMPLE_STRIDE = 8;
/** Bytes judged at once when a run's ends are refined (all counted: 512 samples too); tar's block size. */
const EDGE = 512;
const SAMPLES = CELL / SAMPLE_STRIDE;
/**
 * Most colliding pairs among 512 samples that still count as random:
 * uniform bytes give 512*511/2/256 pairs on average (~511, standard
 * deviation ~22); 20 % above that is an H2 of ~7.74 bits and more than four
 * standard deviations above the mean, so random data is seldom deflated by
 * mistake (which costs time only).
 */
const MAX_PAIRS = Math.floor(((SAMPLES * (SAMPLES - 1)) / 2 / 256) * 1.2);
/**
 * Shortest run worth storing. Each run splits a block's deflate job in two,
 * and a node:zlib job costs ~200 µs of its own (a new deflate state, the
 * 32 KiB dictionary, a thread hop), about what deflating 10 KiB of random
 * bytes costs at level 3.
 */
export const MIN_STORED_RUN = 12 * 1024;
/** Most runs stored per input block (the longest ones): bounds the jobs a block costs. */
export const MAX_RUNS = 16;

const counts = new Uint16Array(256);

/** Whether the bytes block[at + k*stride] for k < 512 look random (see MAX_PAIRS). */
function looksRandom(block: Uint8Array, at: number, stride: number): boolean {
  let pairs = 0;
  const end = at + SAMPLES * stride;
  for (let i = at; i < end; i += stride) pairs += counts[block[i]!]!++;
  for (let i = at; i < end; i += stride) counts[block[i]!] = 0;
  return pairs <= MAX_PAIRS;
}

/**
 * The incompressible runs of block[0, n) as [start, end) pairs, in order:
 * runs of random-looking cells, widened 512 bytes at a time while the
 * bytes next to them look random too (a random file rarely starts or ends
 * on a cell boundary), then those of at least MIN_STORED_RUN bytes, at most
 * MAX_RUNS of them (the longest).
 */
export function incompressibleRuns(block: Uint8Array, n: number): Array<[number, number]> {
  let runs: Array<[number, number]> = [];
  let start = -1;
  let floor = 0; // the end of the previous run: a run never widens into it
  const cells = Math.floor(n / CELL);
  for (let c = 0; c <= cells; c++) {
    if (c < cells && looksRandom(block, c * CELL, SAMPLE_STRIDE)) {
      if (start < 0) start = c * CELL;
      continue;
    }
    if (start < 0) continue;
    let s = start;
    let e = c * CELL;
    while (s - EDGE >= floor && looksRandom(block, s - EDGE, 1)) s -= EDGE;
    while (e + EDGE <= n && (c === cells || e + EDGE <= (c + 1) * CELL) && looksRandom(block, e, 1)) e += EDGE;
    if (e - s >= MIN_STORED_RUN) runs.push([s, e]);
    floor = e;
    start = -1;
  }
  if (runs.length > MAX_RUNS) {
    const kept = new Set([...runs].sort((a, b) => b[1] - b[0] - (a[1] - a[0]) || a[0] - b[0]).slice(0, MAX_RUNS));
    runs = runs.filter((r) => kept.has(r));
  }
  return runs;
}

/** Largest LEN of one stored block (RFC 1951 section 3.2.4: LEN is 16 bits). */
const MAX_STORED = 0xffff;

/**
 * `data` as stored deflate blocks, starting on a byte boundary (after a sync
 * flush or at the start of a stream). With `final`, the last block has
 * BFINAL set and ends the stream.
 */
export function storedBlocks(data: Uint8Array, final: boolean): Uint8Array {
  const count = Math.max(1, Math.ceil(data.byteLength / MAX_STORED));
  const out = new Uint8Array(data.byteLength + 5 * count);
  let o = 0;
  for (let k = 0, p = 0; k < count; k++) {
    const len = Math.min(MAX_STORED, data.byteLength - p);
    // Header bits BFINAL and BTYPE=00, padded to the byte; then LEN and NLEN, little-endian.
    out[o] = final && k === count - 1 ? 1 : 0;
    out[o + 1] = len & 0xff;
    out[o + 2] = len >>> 8;
    out[o + 3] = ~len & 0xff;
    out[o + 4] = (~len >>> 8) & 0xff;
    out.set(data.subarray(p, p + len), o + 5);
    o += 5 + len;
    p += len;
  }
  return out;
}
